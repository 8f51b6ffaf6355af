/**
 * The wizard panel: a row of step tabs (Choose, Adapt, Validate, Report),
 * the current step's view, and a status line with progress and Cancel.
 * Every step can be revisited; the view is redrawn from the session.
 */
import { Widget } from '@lumino/widgets';

import { h } from '../jupyter/dom';
import { WIZARD_STEPS, type WizardStep } from './state';
import type { IStepContext } from './steps/common';
import { renderAdapt } from './steps/adapt';
import { renderChoose } from './steps/choose';
import { renderReport } from './steps/report';
import { renderValidate } from './steps/validate';

const RENDER: Record<WizardStep, (ctx: IStepContext) => HTMLElement> = {
  choose: renderChoose,
  adapt: renderAdapt,
  validate: renderValidate,
  report: renderReport
};

/** The wizard's main-area content. */
export class WizardPanel extends Widget {
  constructor(private readonly _ctx: IStepContext) {
    super();
    this.addClass('jp-BioImage-wizard');
    const { trans } = _ctx;
    const labels: Record<WizardStep, string> = {
      choose: trans.__('1 Choose'),
      adapt: trans.__('2 Adapt'),
      validate: trans.__('3 Validate'),
      report: trans.__('4 Report')
    };
    this._tabs = h('div', {
      className: 'jp-BioImage-wizardTabs',
      role: 'tablist',
      'aria-label': trans.__('Wizard steps')
    });
    for (const step of WIZARD_STEPS) {
      const tab = h('button', {
        className: `jp-BioImage-wizardTab jp-mod-${step}`,
        role: 'tab',
        textContent: labels[step],
        'data-step': step
      });
      tab.addEventListener('click', () => _ctx.session.update({ step }));
      tab.addEventListener('keydown', event => this._onTabKey(event, step));
      this._tabs.append(tab);
    }
    this._status = h('div', {
      className: 'jp-BioImage-wizardStatus',
      role: 'status',
      'aria-live': 'polite'
    });
    this._body = h('div', {
      className: 'jp-BioImage-wizardBody',
      role: 'tabpanel'
    });
    this.node.append(this._tabs, this._status, this._body);
    _ctx.session.changed.connect(this._schedule, this);
    this._render();
  }

  /** The session this panel shows. */
  get session(): IStepContext['session'] {
    return this._ctx.session;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
    this._ctx.session.changed.disconnect(this._schedule, this);
    super.dispose();
  }

  /** Redraw at most once a frame (progress events come per tile). */
  private _schedule(): void {
    if (!this._frame) {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        if (!this.isDisposed) {
          this._render();
        }
      });
    }
  }

  private _render(): void {
    const { session, trans } = this._ctx;
    const step = session.state.step;
    for (const tab of Array.from(this._tabs.children) as HTMLElement[]) {
      const selected = tab.dataset.step === step;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      tab.classList.toggle('jp-mod-current', selected);
    }
    this._status.replaceChildren();
    if (session.busy) {
      const p = session.progress;
      const text =
        p && p.total
          ? trans.__('%1 — tile %2 of %3', p.what, p.done, p.total)
          : trans.__('%1…', p?.what ?? session.busy);
      const cancel = h('button', {
        className: 'jp-mod-styled jp-BioImage-wizardCancel',
        textContent: trans.__('Cancel')
      });
      cancel.addEventListener('click', () => session.cancel());
      this._status.append(
        h('span', { className: 'jp-BioImage-wizardBusy', textContent: text }),
        ...(p ? [cancel] : [])
      );
    } else if (session.error) {
      this._status.append(
        h('span', {
          className: 'jp-BioImage-wizardError',
          textContent: session.error
        })
      );
    }
    // Keep the scroll position: a redraw must not jump to the top.
    const scroll = this._body.scrollTop;
    this._body.replaceChildren(RENDER[step](this._ctx));
    this._body.scrollTop = scroll;
    this._body.dataset.step = step;
  }

  private _onTabKey(event: KeyboardEvent, step: WizardStep): void {
    const i = WIZARD_STEPS.indexOf(step);
    const next =
      event.key === 'ArrowRight'
        ? WIZARD_STEPS[(i + 1) % WIZARD_STEPS.length]
        : event.key === 'ArrowLeft'
          ? WIZARD_STEPS[(i + WIZARD_STEPS.length - 1) % WIZARD_STEPS.length]
          : null;
    if (next) {
      event.preventDefault();
      this._ctx.session.update({ step: next });
      requestAnimationFrame(() =>
        (
          this._tabs.querySelector(
            `[data-step="${next}"]`
          ) as HTMLElement | null
        )?.focus()
      );
    }
  }

  private _tabs: HTMLElement;
  private _status: HTMLElement;
  private _body: HTMLElement;
  private _frame = 0;
}
