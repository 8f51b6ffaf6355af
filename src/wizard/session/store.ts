/**
 * The state store: the user's choices (an {@link IWizardState}), changed
 * only through `update`, announced by `stateChanged` with the fields that
 * changed (so each controller drops what depends on them), and kept through
 * the `persist` callback the plugin passes (at most every half second).
 *
 * May import only `src/core` and `../state`; no DOM, no JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { restoreState, type IWizardState } from '../state';

/** What one `update` changed. */
export interface IStateChange {
  before: Readonly<IWizardState>;
  after: Readonly<IWizardState>;
  /** Fields whose value differs (compared as JSON). */
  changed: ReadonlySet<keyof IWizardState>;
}

/** Options of the store. */
export interface IStateStoreOptions {
  /** Keep the choices (e.g. in the state database). */
  persist?(state: IWizardState): void;
  /** Longest time a change waits for `persist` (default 500 ms). */
  persistDelayMs?: number;
}

/** Choices that change what the model is fed: results computed before are dropped. */
export const INPUT_FIELDS = [
  'channels',
  'zPlane',
  'percentiles',
  'modelKey',
  'rescale'
] as const;

/** Choices of the post-processing: labels are derived again from the same prediction. */
export const POSTPROCESSING_FIELDS = [
  'threshold',
  'minSize',
  'instanceMethod',
  'outputChannel',
  'outputId'
] as const;

/** Whether any of `fields` changed. */
export function anyChanged(
  change: IStateChange,
  fields: readonly (keyof IWizardState)[]
): boolean {
  return fields.some(f => change.changed.has(f));
}

/** The user's choices of one wizard panel. */
export class WizardStateStore {
  constructor(state: IWizardState, options: IStateStoreOptions = {}) {
    this._state = { ...state };
    this._persist = options.persist;
    this._delay = options.persistDelayMs ?? 500;
  }

  /** A store for a saved state (checked field by field), or null without an image path. */
  static fromJSON(
    raw: unknown,
    options?: IStateStoreOptions
  ): WizardStateStore | null {
    const state = restoreState(raw);
    return state ? new WizardStateStore(state, options) : null;
  }

  /** Emitted after every `update`, with what changed (possibly nothing). */
  get stateChanged(): ISignal<this, IStateChange> {
    return this._stateChanged;
  }

  get state(): Readonly<IWizardState> {
    return this._state;
  }

  /** The choices as plain JSON (what is persisted). */
  toJSON(): IWizardState {
    return JSON.parse(JSON.stringify(this._state));
  }

  /** Change choices; every listener hears of it, then they are persisted. */
  update(patch: Partial<IWizardState>): void {
    const before = this._state;
    const after = { ...before, ...patch };
    this._state = after;
    const changed = new Set<keyof IWizardState>();
    for (const key of Object.keys(after) as (keyof IWizardState)[]) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
        changed.add(key);
      }
    }
    this._stateChanged.emit({ before, after, changed });
    this._schedulePersist();
  }

  /** Persist what is pending now and stop listening. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = null;
      this._persist?.(this.toJSON());
    }
    Signal.clearData(this);
  }

  private _schedulePersist(): void {
    if (!this._persist || this._timer || this._disposed) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      this._persist?.(this.toJSON());
    }, this._delay);
  }

  private _state: IWizardState;
  private _persist: IStateStoreOptions['persist'];
  private _delay: number;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _disposed = false;
  private _stateChanged = new Signal<this, IStateChange>(this);
}
