/**
 * What the wizard is doing now: one action at a time (reading the image,
 * a preview, a run, a test, …), its progress in tiles, the request Cancel
 * stops, and the last action's error. Every controller runs its actions
 * through this; the panel's status line shows it.
 *
 * May import only `src/core` and `src/tokens.ts`; no DOM, no JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  CancelledError,
  type IRunningRequest
} from '../../core/inference/requests';
import type { IInferenceClient } from '../../tokens';

/** Progress of the running request. */
export interface IActivityProgress {
  done: number;
  total: number;
  what: string;
}

/** The one action of a wizard panel that may run at a time. */
export class Activity {
  constructor(private readonly _client: IInferenceClient) {}

  /** Emitted when an action starts or ends, and on its progress. */
  get activityChanged(): ISignal<this, void> {
    return this._activityChanged;
  }
  /** What is running now ('' when idle). */
  get busy(): string {
    return this._busy;
  }
  /** The last error message of an action, shown by the step views. */
  get error(): string | null {
    return this._error;
  }
  /** Progress of the running request: tiles done and total. */
  get progress(): IActivityProgress | null {
    return this._progress;
  }

  /**
   * Run an action: refused while another runs; its error (a cancel
   * included) is kept as a message for the view, never thrown.
   */
  async run(what: string, action: () => Promise<void>): Promise<void> {
    if (this._busy) {
      throw new Error(`${this._busy} is still running`);
    }
    this._busy = what;
    this._error = null;
    this._activityChanged.emit();
    try {
      await action();
    } catch (error) {
      this._error =
        error instanceof CancelledError
          ? `${what}: cancelled; nothing was changed.`
          : `${what} failed: ${(error as Error).message}`;
    } finally {
      this._busy = '';
      this._progress = null;
      this._running = null;
      if (!this._disposed) {
        this._activityChanged.emit();
      }
    }
  }

  /** Wait for a request of the inference client, following its progress. */
  async track<T>(running: IRunningRequest<T>, what: string): Promise<T> {
    const onProgress = (
      _: unknown,
      p: { id: number; done: number; total: number }
    ) => {
      if (p.id === running.id) {
        this._progress = { done: p.done, total: p.total, what };
        this._activityChanged.emit();
      }
    };
    this._running = running as IRunningRequest<unknown>;
    this._progress = { done: 0, total: 0, what };
    this._activityChanged.emit();
    this._client.progress.connect(onProgress);
    try {
      return await running.result;
    } finally {
      this._client.progress.disconnect(onProgress);
    }
  }

  /** Cancel the running request, if any. */
  cancel(): void {
    this._running?.cancel();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.cancel();
    Signal.clearData(this);
  }

  private _busy = '';
  private _error: string | null = null;
  private _progress: IActivityProgress | null = null;
  private _running: IRunningRequest<unknown> | null = null;
  private _disposed = false;
  private _activityChanged = new Signal<this, void>(this);
}
