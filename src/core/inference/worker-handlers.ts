/**
 * What the inference worker does for each request, written against plain
 * functions so it runs the same in a Web Worker and in Node (tests, CLI).
 * Imports only the pure core and onnxruntime-web: never JupyterLab or DOM.
 */
import {
  loadModelPackage,
  HttpPackageReader,
  IModelPackage
} from '../package/package';
import { MemoryPackageReader } from '../package/readers/memory';
import { imageToInput, IAxisMapping, outputToImage } from './axes';
import {
  backendOrder,
  IEnvironmentProbe,
  planWasmThreads,
  probeEnvironment
} from './session/backends';
import { openOnnxSession, sessionReport } from './session/open';
import type { IOrtSession } from './session/types';
import { IInferenceSession, predict, testModel } from './pipeline';
import { readTestTensors } from './test-tensors';
import type {
  IBenchReport,
  IBenchRequest,
  IEnvironmentReport,
  IOpenReport,
  IPredictReport,
  ITestReport,
  PackageSource,
  WorkerRequest
} from './protocol';
import type { INDArray, ITensor } from '../tensor/tensor';
import type { IModelDescription, IProcessingStep } from '../spec/types';

interface IOpenModel {
  pkg: IModelPackage;
  session: IOrtSession;
}

/** Per-request context: progress reporting and cancellation. */
export interface IRequestContext {
  signal: AbortSignal;
  progress(done: number, total: number): void;
}

/**
 * Let queued messages (a `cancel`) run before the next tile: inference
 * resolves through microtasks only, which would starve the message queue.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0));
}

/**
 * The model with the preprocessing of some inputs replaced (the user's
 * adjusted parameters); the shared package description is never changed.
 */
function withPreprocessing(
  model: IModelDescription,
  overrides?: Array<IProcessingStep[] | null>
): IModelDescription {
  if (!overrides?.some(Boolean)) {
    return model;
  }
  return {
    ...model,
    inputs: model.inputs.map((d, i) =>
      overrides[i] ? { ...d, processing: overrides[i] as IProcessingStep[] } : d
    )
  };
}

function cancellable(session: IInferenceSession): IInferenceSession {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputShapes: session.inputShapes,
    run: async feeds => {
      await yieldToEventLoop();
      return session.run(feeds);
    }
  };
}

/** How the worker's onnxruntime finds its files and threads. */
export interface IWorkerOrtOptions {
  /** `ort.env.wasm.wasmPaths` (the browser worker: `ortWasmPaths()`). */
  wasmPaths?: { mjs: string; wasm: string };
  /** Whether ORT can start thread workers (default true, as in Node). */
  threadWorkers?: boolean;
}

/** The state of one worker: the models it has open. */
export class InferenceWorkerState {
  constructor(private readonly _ort: IWorkerOrtOptions = {}) {}

  private _models = new Map<string, IOpenModel>();
  private _counter = 0;

  async handle(request: WorkerRequest, ctx: IRequestContext): Promise<unknown> {
    switch (request.type) {
      case 'probe':
        return this.probe();
      case 'open':
        return this.open(request.source, request.backend, request.numThreads);
      case 'test':
        return this.test(request.modelKey, ctx);
      case 'predict':
        return this.predict(request, ctx);
      case 'close':
        return this.close(request.modelKey);
      case 'bench':
        return this.bench(request, ctx);
      default:
        throw new Error(
          `unknown request '${(request as { type: string }).type}'`
        );
    }
  }

  async probe(): Promise<IEnvironmentReport> {
    const probe = await probeEnvironment();
    return {
      webgpu: {
        available: probe.webgpu !== 'none',
        fallbackAdapter: probe.webgpu === 'fallback',
        reason:
          probe.webgpu === 'none'
            ? 'no WebGPU adapter'
            : probe.webgpu === 'fallback'
              ? 'only a software (fallback) adapter: far slower than wasm, used only when forced'
              : undefined
      },
      webnn: {
        available: probe.webnn,
        reason: probe.webnn
          ? undefined
          : 'navigator.ml cannot create a context in this browser'
      },
      crossOriginIsolated: probe.crossOriginIsolated,
      autoOrder: backendOrder('auto', probe),
      threads: this._threadsProbe(probe)
    };
  }

  /** Default wasm threads here, and why multi-threading is unavailable. */
  private _threadsProbe(
    probe: IEnvironmentProbe
  ): IEnvironmentReport['threads'] {
    const threadWorkers = this._ort.threadWorkers ?? true;
    const two = planWasmThreads(2, probe, threadWorkers);
    return {
      default: planWasmThreads(undefined, probe, threadWorkers).threads,
      available: two.threads > 1,
      ...(two.reason ? { reason: two.reason } : {})
    };
  }

  async open(
    source: PackageSource,
    backend: 'auto' | 'webgpu' | 'webnn' | 'wasm',
    numThreads?: number
  ): Promise<IOpenReport> {
    const started = performance.now();
    const reader =
      source.kind === 'url'
        ? new HttpPackageReader(source.url)
        : new MemoryPackageReader(source.files);
    const pkg = await loadModelPackage(
      reader,
      source.kind === 'files' ? source.descriptionName : undefined
    );
    // Refuses a package without ONNX weights; the sha256 is verified
    // before the weights ever reach onnxruntime.
    const session = await openOnnxSession(pkg, {
      backend,
      // Default: threads when the page is cross-origin isolated, else 1
      // (the reason comes back in the report).
      numThreads,
      wasmPaths: this._ort.wasmPaths,
      threadWorkers: this._ort.threadWorkers
    });
    const modelKey = `${pkg.model.id ?? pkg.model.name}#${++this._counter}`;
    this._models.set(modelKey, { pkg, session });
    return {
      modelKey,
      name: pkg.model.name,
      ...sessionReport(session),
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      milliseconds: performance.now() - started
    };
  }

  private _get(modelKey: string): IOpenModel {
    const open = this._models.get(modelKey);
    if (!open) {
      throw new Error(
        `model '${modelKey}' is not open in the worker; open it first`
      );
    }
    return open;
  }

  async test(modelKey: string, ctx: IRequestContext): Promise<ITestReport> {
    const { pkg, session } = this._get(modelKey);
    const started = performance.now();
    const { inputs, outputs } = await readTestTensors(pkg);
    const report = await testModel(
      pkg.model,
      cancellable(session),
      inputs,
      outputs,
      'onnx',
      {
        signal: ctx.signal,
        onProgress: ctx.progress
      }
    );
    return {
      passed: report.passed,
      backend: session.backend,
      threads: session.threads,
      milliseconds: performance.now() - started,
      outputs: report.outputs.map(o => ({
        outputId: o.outputId,
        maxAbsDiff: o.maxAbsDiff,
        mismatched: o.mismatched,
        mismatchedPpm: o.ppm,
        allowedPpm: o.allowedPpm,
        passed: o.passed
      }))
    };
  }

  async predict(
    request: Extract<WorkerRequest, { type: 'predict' }>,
    ctx: IRequestContext
  ): Promise<IPredictReport> {
    const { pkg, session } = this._get(request.modelKey);
    const started = performance.now();
    const model = withPreprocessing(pkg.model, request.preprocessing);
    if (request.inputs.length !== model.inputs.length) {
      throw new Error(
        `'${model.name}' takes ${model.inputs.length} input(s); ${request.inputs.length} given`
      );
    }
    const mappings: IAxisMapping[] = [];
    const tensors: ITensor[] = request.inputs.map((input, i) => {
      const { tensor, mapping } = imageToInput(
        input.array,
        input.axes,
        model.inputs[i],
        { channels: input.channels, select: input.select }
      );
      mappings.push(mapping);
      return tensor;
    });
    let tiles = 0;
    const outputs = await predict(model, cancellable(session), tensors, {
      signal: ctx.signal,
      tiling: request.blockShape ? { blockShape: request.blockShape } : {},
      onPlan: plan => {
        tiles = plan.nTiles;
      },
      onProgress: ctx.progress
    });
    return {
      backend: session.backend,
      threads: session.threads,
      tiles,
      milliseconds: performance.now() - started,
      outputs: model.outputs.map(d => {
        const image = outputToImage(outputs.get(d.id) as ITensor, mappings[0]);
        const array: INDArray = {
          dtype: image.dtype,
          shape: image.shape,
          data: image.data
        };
        return { id: d.id, axes: image.axes, array };
      })
    };
  }

  /** Time raw `session.run` on a random input of the graph's input shapes. */
  async bench(
    request: IBenchRequest,
    ctx: IRequestContext
  ): Promise<IBenchReport> {
    const { session } = this._get(request.modelKey);
    const shapes = session.inputNames.map((name, i) => {
      const dims = session.inputShapes?.[i];
      const given = request.shapes?.[i];
      if (given) {
        return given;
      }
      if (!dims || dims.some(d => d === null || d <= 0)) {
        throw new Error(
          `input '${name}' has dynamic dims; give its shape in 'shapes'`
        );
      }
      return dims as number[];
    });
    let seed = 1;
    const feeds: ITensor[] = shapes.map(shape => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let k = 0; k < data.length; k++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        data[k] = seed / 2 ** 31 - 1;
      }
      return { dtype: 'float32', shape, axes: [], data };
    });
    const time = async (): Promise<number> => {
      if (ctx.signal.aborted) {
        throw Object.assign(new Error('bench cancelled'), {
          name: 'AbortError'
        });
      }
      const t0 = performance.now();
      await session.run(feeds);
      return performance.now() - t0;
    };
    const warmup = Math.max(0, request.warmup ?? 1);
    const runs = Math.max(1, request.runs);
    const warmupMs: number[] = [];
    const runMs: number[] = [];
    for (let k = 0; k < warmup; k++) {
      warmupMs.push(await time());
      ctx.progress(k + 1, warmup + runs);
    }
    for (let k = 0; k < runs; k++) {
      runMs.push(await time());
      ctx.progress(warmup + k + 1, warmup + runs);
    }
    const sorted = [...runMs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return {
      backend: session.backend,
      threads: session.threads,
      inputShapes: shapes,
      warmupMs,
      runMs,
      medianMs:
        sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
      minMs: sorted[0]
    };
  }

  async close(modelKey: string): Promise<boolean> {
    const open = this._models.get(modelKey);
    if (!open) {
      return false;
    }
    this._models.delete(modelKey);
    await open.session.release();
    return true;
  }
}
