/**
 * The model card's progress rows: one row per running transfer (the test's
 * downloads, or the package download), with a progress bar, a line saying
 * which file and how many bytes, and a Cancel button. At most one row per
 * task; closing the card cancels whatever still runs.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { h } from '../../jupyter/dom';
import {
  formatBytes,
  fractionDone,
  ITransferProgress,
  Transfer
} from '../../core/package/transfer';

/** What a transfer of the card is for. */
export type CardTask = 'test' | 'download';

/** The card's list of progress rows. */
export class TransferProgressList {
  constructor(private readonly _trans: TranslationBundle) {}

  /** The list's element (placed under the action bar). */
  readonly node: HTMLElement = h('div', {
    className: 'jp-BioImage-cardProgressList'
  });

  /** A progress row with a Cancel button for one running transfer. */
  start(task: CardTask): Transfer {
    const trans = this._trans;
    this.end(task);
    const row = h('div', { className: 'jp-BioImage-cardProgress' });
    row.dataset.task = task;
    row.setAttribute('role', 'status');
    row.setAttribute('aria-live', 'polite');
    const text = h('span', {
      className: 'jp-BioImage-cardProgressText',
      textContent:
        task === 'test'
          ? trans.__('Test: starting…')
          : trans.__('Download: starting…')
    });
    const bar = h('progress', { className: 'jp-BioImage-cardProgressBar' });
    bar.max = 1;
    bar.removeAttribute('value');
    const cancel = h('button', {
      className: 'jp-Button jp-mod-styled jp-mod-reject jp-BioImage-cardCancel',
      textContent: trans.__('Cancel')
    });
    cancel.type = 'button';
    cancel.title =
      task === 'test'
        ? trans.__('Stop the test and its downloads')
        : trans.__('Stop the download; nothing is saved');
    const transfer = new Transfer(p => {
      text.textContent = describeProgress(task, p, trans);
      const fraction = fractionDone(p);
      if (fraction === null) {
        bar.removeAttribute('value');
      } else {
        bar.value = fraction;
      }
      row.dataset.phase = p.phase;
    });
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      text.textContent = trans.__('Cancelling…');
      transfer.cancel();
    });
    row.append(text, bar, cancel);
    this.node.append(row);
    this._transfers.set(task, { transfer, row });
    return transfer;
  }

  /** Remove the row of `task` (its transfer has ended). */
  end(task: CardTask): void {
    this._transfers.get(task)?.row.remove();
    this._transfers.delete(task);
  }

  /** Cancel every running transfer (the card is closing). */
  cancelAll(): void {
    for (const { transfer } of this._transfers.values()) {
      transfer.cancel();
    }
  }

  private _transfers = new Map<
    CardTask,
    { transfer: Transfer; row: HTMLElement }
  >();
}

/** The text of a progress row: the phase, which file of how many, bytes. */
function describeProgress(
  task: CardTask,
  p: ITransferProgress,
  trans: TranslationBundle
): string {
  if (p.phase === 'testing') {
    return trans.__('Test: running the model on its test inputs…');
  }
  const verb =
    p.phase === 'saving'
      ? trans.__('Saving')
      : task === 'test'
        ? trans.__('Test: downloading')
        : trans.__('Downloading');
  const bytes =
    p.phase === 'saving'
      ? formatBytes(p.bytesTotal ?? 0)
      : p.bytesTotal !== null
        ? trans.__(
            '%1 of %2',
            formatBytes(p.bytesDone),
            formatBytes(p.bytesTotal)
          )
        : formatBytes(p.bytesDone);
  return trans.__(
    '%1 file %2 of %3 · %4 · %5',
    verb,
    p.index,
    p.count,
    p.file ?? '',
    bytes
  );
}
