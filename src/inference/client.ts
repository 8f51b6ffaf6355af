/**
 * The main-thread side of inference: owns the Web Worker, sends typed
 * requests and resolves one promise per request id.
 */
import { PromiseDelegate } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { createInferenceWorker } from './create-worker';
import type {
  BackendChoice,
  IEnvironmentReport,
  IOpenReport,
  IPredictReport,
  ITestReport,
  PackageSource,
  WorkerRequest,
  WorkerResponse
} from '../core/inference/protocol';
import type { IProcessingStep } from '../core/spec/types';
import {
  CancelledError,
  type IProgress,
  type IRunningRequest
} from '../core/inference/requests';
import type { IInferenceClient, IPredictInput } from '../tokens';

export { CancelledError };
export type { IProgress, IRunningRequest };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;
type RequestBody = DistributiveOmit<WorkerRequest, 'id'>;

/** Talks to the inference worker. Dispose to terminate the worker. */
export class InferenceClient implements IInferenceClient {
  constructor(worker?: Worker) {
    this._worker = worker ?? createInferenceWorker();
    this._worker.onmessage = (event: MessageEvent<WorkerResponse>) =>
      this._onMessage(event.data);
    this._worker.onerror = event => {
      const error = new Error(
        `the inference worker failed: ${event.message ?? 'unknown error'}`
      );
      for (const pending of this._pending.values()) {
        pending.reject(error);
      }
      this._pending.clear();
    };
  }

  /** Progress of any request. */
  get progress(): ISignal<this, IProgress> {
    return this._progress;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** What WebGPU/WebNN/threads the worker's environment offers. */
  probe(): Promise<IEnvironmentReport> {
    return this._send<IEnvironmentReport>({ type: 'probe' }).result;
  }

  /** Load a package, verify its weights and create a session. */
  open(
    source: PackageSource,
    backend: BackendChoice = 'auto',
    numThreads?: number
  ): Promise<IOpenReport> {
    return this._send<IOpenReport>({
      type: 'open',
      source,
      backend,
      numThreads
    }).result;
  }

  /** Run the model's own test (untiled). */
  test(modelKey: string): IRunningRequest<ITestReport> {
    return this._send<ITestReport>({ type: 'test', modelKey });
  }

  /** Predict on one image per model input. Buffers of `inputs` are copied, not moved. */
  predict(
    modelKey: string,
    inputs: IPredictInput[],
    blockShape?: Record<string, number>,
    preprocessing?: Array<IProcessingStep[] | null>
  ): IRunningRequest<IPredictReport> {
    return this._send<IPredictReport>({
      type: 'predict',
      modelKey,
      inputs,
      blockShape,
      preprocessing
    });
  }

  close(modelKey: string): Promise<boolean> {
    return this._send<boolean>({ type: 'close', modelKey }).result;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._worker.terminate();
    for (const pending of this._pending.values()) {
      pending.reject(new CancelledError('the inference worker was stopped'));
    }
    this._pending.clear();
    Signal.clearData(this);
  }

  private _send<T>(body: RequestBody): IRunningRequest<T> {
    if (this._disposed) {
      throw new Error('the inference client is disposed');
    }
    const id = ++this._nextId;
    const delegate = new PromiseDelegate<unknown>();
    this._pending.set(id, delegate);
    this._worker.postMessage({ ...body, id } as WorkerRequest);
    return {
      id,
      result: delegate.promise as Promise<T>,
      cancel: () => {
        if (this._pending.has(id)) {
          this._worker.postMessage({
            type: 'cancel',
            id: ++this._nextId,
            target: id
          });
        }
      }
    };
  }

  private _onMessage(message: WorkerResponse): void {
    const pending = this._pending.get(message.id);
    if (message.type === 'progress') {
      this._progress.emit({
        id: message.id,
        done: message.done,
        total: message.total
      });
      return;
    }
    if (!pending) {
      return;
    }
    this._pending.delete(message.id);
    if (message.type === 'result') {
      pending.resolve(message.result);
    } else {
      pending.reject(
        message.cancelled ? new CancelledError() : new Error(message.message)
      );
    }
  }

  private _worker: Worker;
  private _pending = new Map<number, PromiseDelegate<unknown>>();
  private _nextId = 0;
  private _disposed = false;
  private _progress = new Signal<this, IProgress>(this);
}
