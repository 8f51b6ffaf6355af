/**
 * The wizard panel: a row of step tabs (Choose, Adapt, Validate, Report),
 * the current step's view, and a status line with progress and Cancel.
 * Every step can be revisited; the view is redrawn from the session when
 * the state, the activity or a signal the current step names fires.
 */
import { Widget } from '@lumino/widgets';

import { h } from '../jupyter/dom';
import { WIZARD_STEPS, type WizardStep } from './state';
import type { IStepContext, StepSignal } from './steps/common';
import { adaptSignals, renderAdapt } from './steps/adapt';
import { chooseSignals, renderChoose } from './steps/choose';
import { renderReport, reportSignals } from './steps/report';
import { renderValidate, validateSignals } from './steps/validate';

type Session = IStepContext['session'];

/** Each step's view and the signals it listens to. */
const STEPS: Record<
  WizardStep,
  {
    render: (ctx: IStepContext) => HTMLElement;
    signals: (session: Session) => StepSignal[];
  }
> = {
  choose: { render: renderChoose, signals: chooseSignals },
  adapt: { render: renderAdapt, signals: adaptSignals },
  validate: { render: renderValidate, signals: validateSignals },
  report: { render: renderReport, signals: reportSignals }
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
    this._listen([]);
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

  /** Listen to `signals` only (the tabs and status line, and the current step). */
  private _listen(signals: StepSignal[]): void {
    for (const signal of this._signals) {
      signal.disconnect(this._schedule, this);
    }
    this._signals = [...new Set(signals)];
    for (const signal of this._signals) {
      signal.connect(this._schedule, this);
    }
  }

  private _render(): void {
    const { session, trans } = this._ctx;
    const step = session.state.step;
    if (step !== this._listening) {
      this._listening = step;
      this._listen([
        session.store.stateChanged,
        session.activity.activityChanged,
        ...STEPS[step].signals(session)
      ]);
    }
    const activity = session.activity;
    for (const tab of Array.from(this._tabs.children) as HTMLElement[]) {
      const selected = tab.dataset.step === step;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      tab.classList.toggle('jp-mod-current', selected);
    }
    this._status.replaceChildren();
    if (activity.busy) {
      const p = activity.progress;
      const text =
        p && p.total
          ? trans.__('%1 — tile %2 of %3', p.what, p.done, p.total)
          : trans.__('%1…', p?.what ?? activity.busy);
      const cancel = h('button', {
        className: 'jp-mod-styled jp-BioImage-wizardCancel',
        textContent: trans.__('Cancel')
      });
      cancel.addEventListener('click', () => session.cancel());
      this._status.append(
        h('span', { className: 'jp-BioImage-wizardBusy', textContent: text }),
        ...(p ? [cancel] : [])
      );
    } else if (activity.error) {
      this._status.append(
        h('span', {
          className: 'jp-BioImage-wizardError',
          textContent: activity.error
        })
      );
    }
    // Keep the scroll position: a redraw must not jump to the top.
    const scroll = this._body.scrollTop;
    this._body.replaceChildren(STEPS[step].render(this._ctx));
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
  private _signals: StepSignal[] = [];
  private _listening: WizardStep | null = null;
}
