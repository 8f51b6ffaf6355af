/**
 * Progress and cancellation of a package transfer (the model card's
 * "Download package" and "Test in this browser"). Pure TypeScript: the card
 * shows what it reports, the fetcher stops the server's download when it is
 * cancelled.
 */

/** The user cancelled the transfer; nothing was kept. */
export class TransferCancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'TransferCancelledError';
  }
}

/** Where a transfer is. */
export interface ITransferProgress {
  /** Reading (downloading) files, writing them to the workspace, or running the test. */
  phase: 'reading' | 'saving' | 'testing';
  /** The file being read or written, as the description names it. */
  file?: string;
  /** 1-based index of that file and the number of files. */
  index: number;
  count: number;
  /** Bytes of this file so far, and its size when known. */
  bytesDone: number;
  bytesTotal: number | null;
  /** Bytes of the files finished before this one. */
  finishedBytes: number;
}

/** One transfer: reports progress, can be cancelled once. */
export class Transfer {
  constructor(onProgress?: (progress: ITransferProgress) => void) {
    this._onProgress = onProgress;
  }

  /** Aborted when the transfer is cancelled. */
  get signal(): AbortSignal {
    return this._controller.signal;
  }

  get cancelled(): boolean {
    return this._controller.signal.aborted;
  }

  /** The last progress reported. */
  get progress(): ITransferProgress | null {
    return this._last;
  }

  /** Report progress (ignored once cancelled). */
  report(progress: ITransferProgress): void {
    if (this.cancelled) {
      return;
    }
    this._last = progress;
    this._onProgress?.(progress);
  }

  /** Cancel: aborts the signal; whoever holds it stops (idempotent). */
  cancel(): void {
    if (!this.cancelled) {
      this._controller.abort(new TransferCancelledError());
    }
  }

  /** Throw {@link TransferCancelledError} when cancelled. */
  throwIfCancelled(): void {
    if (this.cancelled) {
      throw new TransferCancelledError();
    }
  }

  /** Run `hook` when cancelled (now, if it already is); returns a function that removes it. */
  onCancel(hook: () => void): () => void {
    if (this.cancelled) {
      hook();
      return () => undefined;
    }
    const listener = () => hook();
    this.signal.addEventListener('abort', listener, { once: true });
    return () => this.signal.removeEventListener('abort', listener);
  }

  private _controller = new AbortController();
  private _onProgress?: (progress: ITransferProgress) => void;
  private _last: ITransferProgress | null = null;
}

/** A new id for one server download (the cache's `download_id` syntax). */
export function newDownloadId(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `card-${Date.now().toString(36)}-${random}-${++counter}`;
}
let counter = 0;

/** Bytes for people: `512 B`, `12.3 kB`, `1.8 MB`, `2.10 GB` (powers of 1000). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) {
    return `${Math.max(0, Math.round(bytes || 0))} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : unit >= 2 ? 2 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** Overall fraction done (0…1) when it can be told, else null. */
export function fractionDone(p: ITransferProgress): number | null {
  if (p.count <= 0) {
    return null;
  }
  const within =
    p.bytesTotal && p.bytesTotal > 0
      ? Math.min(1, p.bytesDone / p.bytesTotal)
      : 0;
  return Math.min(1, (p.index - 1 + within) / p.count);
}
