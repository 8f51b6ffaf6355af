/**
 * What a caller of the inference worker holds while a request runs: its
 * result, a way to cancel it, its progress, and the error a cancelled request
 * ends with. Pure types (and one Error class) so that every feature can name
 * them through `src/tokens.ts` without importing the worker client itself.
 */

/** Raised when a request was cancelled by the user. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** A running request: its result and a way to stop it. */
export interface IRunningRequest<T> {
  id: number;
  result: Promise<T>;
  cancel(): void;
}

/** Progress of a request (tiles done of total). */
export interface IProgress {
  id: number;
  done: number;
  total: number;
}
