/**
 * The inference Web Worker entry. Keeps the UI responsive: model loading,
 * sha256 checks, pre/postprocessing, tiling and onnxruntime-web all run
 * here. Imports only the pure core and onnxruntime-web.
 */
import { IOrtWasmPaths, ortWasmPaths } from './session/assets';
import type { WorkerRequest, WorkerResponse } from './protocol';
import type { INDArray } from '../tensor/tensor';
import { InferenceWorkerState } from './worker-handlers';

interface IWorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}

const scope = self as unknown as IWorkerScope;

// ORT's unbundled glue and binary, emitted by the bundler: with them ORT
// can start its wasm threads. Without (never expected) it runs on 1 thread.
let wasmPaths: IOrtWasmPaths | undefined;
try {
  wasmPaths = ortWasmPaths();
} catch (error) {
  console.warn(
    'onnxruntime-web files not found; inference uses 1 thread',
    error
  );
}
const state = new InferenceWorkerState({
  wasmPaths,
  threadWorkers: wasmPaths !== undefined
});
const running = new Map<number, AbortController>();

/** The array buffers inside a result, moved to the main thread instead of copied. */
function transferables(result: unknown): Transferable[] {
  const outputs = (result as { outputs?: Array<{ array?: INDArray }> })
    ?.outputs;
  if (!Array.isArray(outputs)) {
    return [];
  }
  return outputs
    .map(o => o.array?.data.buffer)
    .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

scope.onmessage = event => {
  const request = event.data;
  if (request.type === 'cancel') {
    running.get(request.target)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(request.id, controller);
  const progress = (done: number, total: number) =>
    scope.postMessage({ type: 'progress', id: request.id, done, total });
  state
    .handle(request, { signal: controller.signal, progress })
    .then(result => {
      scope.postMessage(
        { type: 'result', id: request.id, result },
        transferables(result)
      );
    })
    .catch((error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      scope.postMessage({
        type: 'error',
        id: request.id,
        message: err.message,
        cancelled: err.name === 'AbortError'
      });
    })
    .finally(() => running.delete(request.id));
};
