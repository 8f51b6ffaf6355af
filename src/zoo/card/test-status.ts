/**
 * The model card's test-status line: the live region under the action bar
 * that says whether "Test in this browser" is running, was cancelled, passed
 * or failed (and by how much). Its class names (`jp-mod-running`,
 * `jp-mod-cancelled`, `jp-mod-pass`, `jp-mod-fail`) are what the styles and
 * the UI tests look at.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ITestStatus } from '../../core/catalog/types';
import { h } from '../../jupyter/dom';

const STATUS_CLASS = 'jp-BioImage-cardTestStatus';

/** The test-status line of one card. */
export class TestStatusLine {
  constructor(private readonly _trans: TranslationBundle) {
    this.node = h('div', { className: STATUS_CLASS });
    this.node.setAttribute('role', 'status');
    this.node.setAttribute('aria-live', 'polite');
  }

  /** The line's element. */
  readonly node: HTMLElement;

  /** A test has started. */
  running(): void {
    this.node.className = `${STATUS_CLASS} jp-mod-running`;
    this.node.textContent = this._trans.__(
      'Testing: reproducing the test outputs from the test inputs…'
    );
  }

  /** The user cancelled the test. */
  cancelled(): void {
    this.node.className = `${STATUS_CLASS} jp-mod-cancelled`;
    this.node.textContent = this._trans.__(
      'Test cancelled: unfinished downloads were stopped and nothing was kept.'
    );
  }

  /** The result of a test (this session's, or one recorded in the catalog). */
  show(status: ITestStatus): void {
    const trans = this._trans;
    this.node.className = `${STATUS_CLASS} ${status.passed ? 'jp-mod-pass' : 'jp-mod-fail'}`;
    this.node.textContent = status.error
      ? trans.__('Test could not run: %1', status.error)
      : status.passed
        ? trans.__(
            'Test passed: max abs diff %1 · backend %2 · %3 ms',
            status.maxAbsDiff.toExponential(2),
            status.backend,
            Math.round(status.milliseconds)
          )
        : trans.__(
            'Test FAILED: max abs diff %1 · backend %2 · %3 ms',
            status.maxAbsDiff.toExponential(2),
            status.backend,
            Math.round(status.milliseconds)
          );
  }
}
