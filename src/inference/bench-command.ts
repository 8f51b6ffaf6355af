/**
 * `bioimage:benchmark-model`: time a model in a fresh inference worker (so
 * the thread count is chosen per call and the open is a cold start): the
 * worker's environment probe, opening the model, raw `session.run` on a
 * random input of the block shape, and optionally the full tiled pipeline
 * on an image file. Used by `make bench` (bench/run.py).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs } from '../commands';
import { decodeImage } from '../core/formats';
import { createInferenceWorker } from './create-worker';
import { descriptionUrl } from '../jupyter/files';
import type {
  BackendChoice,
  IBenchReport,
  IEnvironmentReport,
  IOpenReport,
  IPredictReport,
  WorkerRequest,
  WorkerResponse
} from '../core/inference/protocol';

/** What the command returns; times in milliseconds. */
export interface IModelBenchmark {
  crossOriginIsolated: boolean;
  probe: IEnvironmentReport;
  /** Main thread: from creating the worker to its first answer (probe). */
  workerStartMs: number;
  /** The worker's open report plus the main thread's wall time of the open. */
  open: IOpenReport & { wallMs: number };
  raw: IBenchReport;
  /** One entry per pipeline run on `image` (none without an image). */
  predict: Array<{
    milliseconds: number;
    wallMs: number;
    tiles: number;
    /** Epoch ms (main thread) when the request was sent and answered. */
    start: number;
    end: number;
  }>;
  imageShape?: number[];
  /** Epoch ms of the phases, to line them up with process CPU samples. */
  phases: {
    openStart: number;
    openEnd: number;
    rawStart: number;
    rawEnd: number;
  };
}

/** Milliseconds since the epoch, at performance.now() resolution. */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

type Body = WorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

/** Send one request and wait for its result (progress messages ignored). */
function call<T>(worker: Worker, id: number, body: Body): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (event: MessageEvent<WorkerResponse>) => {
      const message = event.data;
      if (message.id !== id || message.type === 'progress') {
        return;
      }
      worker.removeEventListener('message', listener);
      if (message.type === 'result') {
        resolve(message.result as T);
      } else {
        reject(new Error(message.message));
      }
    };
    worker.addEventListener('message', listener);
    worker.postMessage({ ...body, id } as WorkerRequest);
  });
}

function numberArg(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Benchmark a model (args: model, backend, numThreads, runs, warmup, image, blockShape, predictRuns). */
export async function benchmarkModel(
  app: JupyterFrontEnd,
  args: ReadonlyPartialJSONObject
): Promise<IModelBenchmark> {
  if (typeof args.model !== 'string') {
    throw new Error("'model' (a path or URL of a description) is required");
  }
  const b = args.backend;
  const backend: BackendChoice =
    b === 'webgpu' || b === 'webnn' || b === 'wasm' ? b : 'auto';
  const services = app.serviceManager;
  let id = 0;
  const started = performance.now();
  const worker = createInferenceWorker();
  try {
    const probe = await call<IEnvironmentReport>(worker, ++id, {
      type: 'probe'
    });
    const workerStartMs = performance.now() - started;
    const openStart = epochMs();
    const t0 = performance.now();
    const opened = await call<IOpenReport>(worker, ++id, {
      type: 'open',
      source: { kind: 'url', url: descriptionUrl(args.model, services) },
      backend,
      numThreads:
        typeof args.numThreads === 'number' ? args.numThreads : undefined
    });
    const open = { ...opened, wallMs: performance.now() - t0 };
    const rawStart = epochMs();
    const raw = await call<IBenchReport>(worker, ++id, {
      type: 'bench',
      modelKey: open.modelKey,
      runs: numberArg(args.runs, 5),
      warmup: numberArg(args.warmup, 1)
    });
    const phases = {
      openStart,
      openEnd: rawStart,
      rawStart,
      rawEnd: epochMs()
    };
    const predict: IModelBenchmark['predict'] = [];
    let imageShape: number[] | undefined;
    if (typeof args.image === 'string') {
      const response = await fetch(descriptionUrl(args.image, services));
      if (!response.ok) {
        throw new Error(`could not read ${args.image}: ${response.status}`);
      }
      const image = await decodeImage(
        new Uint8Array(await response.arrayBuffer()),
        args.image
      );
      imageShape = image.array.shape;
      for (let k = 0; k < numberArg(args.predictRuns, 1); k++) {
        const start = epochMs();
        const report = await call<IPredictReport>(worker, ++id, {
          type: 'predict',
          modelKey: open.modelKey,
          inputs: [{ array: image.array, axes: image.axes.toLowerCase() }],
          blockShape: args.blockShape as Record<string, number> | undefined
        });
        predict.push({
          milliseconds: report.milliseconds,
          wallMs: epochMs() - start,
          tiles: report.tiles,
          start,
          end: epochMs()
        });
      }
    }
    return {
      crossOriginIsolated: self.crossOriginIsolated === true,
      probe,
      workerStartMs,
      open,
      raw,
      predict,
      imageShape,
      phases
    };
  } finally {
    worker.terminate();
  }
}

/** Register `bioimage:benchmark-model` (not in the palette: a tool for `make bench`). */
export function registerBenchmarkCommand(app: JupyterFrontEnd): void {
  app.commands.addCommand(CommandIDs.benchmarkModel, {
    label: 'Benchmark a Model (inference worker timings)',
    execute: async args =>
      (await benchmarkModel(app, args)) as unknown as ReadonlyPartialJSONObject
  });
}
