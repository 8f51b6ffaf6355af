/**
 * What every step view gets, and the few DOM builders they share.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';

import { h } from '../../jupyter/dom';
import type { WizardSession } from '../session';

export { h };

/** What the panel hands each step. */
export interface IStepContext {
  session: WizardSession;
  trans: TranslationBundle;
  /** Open the model card of a catalog entry. */
  openCard(key: string): void;
  /** Insert the generated cells; resolves to a message for the user. */
  insertCells(): Promise<string>;
  /** Path of the file selected in the file browser, if any. */
  selectedFile(): string | null;
}

/**
 * A signal a step view listens to: the panel draws the step again when it
 * fires. Each step names the controllers' signals of what it shows.
 */
export type StepSignal = ISignal<unknown, unknown>;

/** A styled button; `action` errors are shown by the session. */
export function button(
  text: string,
  className: string,
  action: () => void,
  options: { disabled?: boolean; title?: string; accept?: boolean } = {}
): HTMLButtonElement {
  const b = h('button', {
    className: `jp-mod-styled ${options.accept ? 'jp-mod-accept' : ''} ${className}`,
    textContent: text,
    title: options.title,
    disabled: options.disabled
  });
  b.addEventListener('click', action);
  return b;
}

/** A labelled form control. */
export function field(
  label: string,
  control: HTMLElement,
  hint?: string
): HTMLElement {
  const id = `jp-BioImage-f${++fieldIds}`;
  control.id = id;
  return h(
    'div',
    { className: 'jp-BioImage-wizardField' },
    h('label', { for: id, textContent: label }),
    control,
    ...(hint
      ? [h('span', { className: 'jp-BioImage-hint', textContent: hint })]
      : [])
  );
}
let fieldIds = 0;

/** A number input that calls `onChange` with a valid number (or null when empty). */
export function numberInput(
  value: number | null,
  onChange: (v: number | null) => void,
  opts: {
    min?: number;
    max?: number;
    step?: number;
    className?: string;
    placeholder?: string;
  } = {}
): HTMLInputElement {
  const input = h('input', {
    type: 'number',
    className: `jp-mod-styled ${opts.className ?? ''}`,
    min: opts.min,
    max: opts.max,
    step: opts.step ?? 'any',
    placeholder: opts.placeholder
  });
  input.value = value === null ? '' : String(value);
  input.addEventListener('change', () => {
    if (input.value.trim() === '') {
      onChange(null);
      return;
    }
    const v = Number(input.value);
    if (
      Number.isFinite(v) &&
      (opts.min === undefined || v >= opts.min) &&
      (opts.max === undefined || v <= opts.max)
    ) {
      onChange(v);
    } else {
      input.setCustomValidity(
        `a number from ${opts.min ?? '−∞'} to ${opts.max ?? '∞'}`
      );
      input.reportValidity();
    }
  });
  return input;
}

/** A select of `options` ([value, label]) calling `onChange` with the value. */
export function select(
  options: Array<[string, string]>,
  value: string,
  onChange: (v: string) => void,
  className = ''
): HTMLSelectElement {
  const el = h('select', { className: `jp-mod-styled ${className}` });
  for (const [v, label] of options) {
    const o = h('option', { value: v, textContent: label });
    o.selected = v === value;
    el.append(o);
  }
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

/** A titled block of a step. */
export function block(
  title: string,
  className: string,
  ...children: (Node | string)[]
): HTMLElement {
  return h(
    'section',
    { className: `jp-BioImage-wizardBlock ${className}`, 'aria-label': title },
    h('h3', { textContent: title }),
    ...children
  );
}

/** A short verdict line: ok / warn / fail, with an icon that is not colour alone. */
export function verdict(
  level: 'ok' | 'warn' | 'fail',
  text: string
): HTMLElement {
  const icon = level === 'ok' ? '✓' : level === 'warn' ? '!' : '✗';
  return h(
    'li',
    { className: `jp-BioImage-verdict jp-mod-${level}` },
    h('span', {
      className: 'jp-BioImage-verdictIcon',
      'aria-hidden': 'true',
      textContent: icon
    }),
    h('span', {
      className: 'jp-sr-only',
      textContent:
        level === 'ok' ? 'fine: ' : level === 'warn' ? 'warning: ' : 'problem: '
    }),
    text
  );
}

/** Format a metric value (NaN shows as "undefined", as the digest asks). */
export function formatMetric(v: number): string {
  if (Number.isNaN(v)) {
    return 'undefined';
  }
  if (!Number.isFinite(v)) {
    return v > 0 ? '∞' : '−∞';
  }
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}
