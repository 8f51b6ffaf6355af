/**
 * An {@link IInferenceSession} on onnxruntime-web. Feeds go by position
 * (description input order ↔ graph inputs), outputs come back by position,
 * as in bioimageio.core's ONNX backend. Session creation tries backends in
 * order and reports the one that worked.
 *
 * onnxruntime-web is loaded with a dynamic import unless a module is
 * passed in, so importing this file costs nothing until a session is made
 * (and a worker can pass its own build, e.g. `onnxruntime-web/wasm`).
 */
import type * as OrtModule from 'onnxruntime-web';
import type { DType, ITensor, TypedArray } from '../../tensor/tensor';
import {
  backendOrder,
  BackendPreference,
  ExecutionBackend,
  IEnvironmentProbe,
  planWasmThreads,
  probeEnvironment
} from './backends';
import { castData } from '../../tensor/ndarray';
import { FallbackSession } from './fallback';
import type { IOrtSession } from './types';

/** The onnxruntime-web module (or a compatible build). */
export type Ort = typeof OrtModule;

/** Options of {@link createOrtSession}. */
export interface IOrtSessionOptions {
  /** Default `auto`. */
  backend?: BackendPreference;
  /** Environment facts; probed from the global scope when absent. */
  probe?: IEnvironmentProbe;
  /** The ORT module to use; default `await import('onnxruntime-web')`. */
  ort?: Ort;
  /** ONNX external data files (0.5.6+ `external_data`), by file name. */
  externalData?: Array<{ path: string; data: Uint8Array }>;
  /** wasm threads to ask for; default from the probe (1 without isolation). */
  numThreads?: number;
  /**
   * `ort.env.wasm.wasmPaths`: absolute URLs of ORT's unbundled glue and
   * binary (browser bundle: `ortWasmPaths()`), set before ORT starts.
   */
  wasmPaths?: { mjs: string; wasm: string };
  /**
   * Whether ORT can start its thread workers here (default true: Node, or
   * a page that loads ORT unbundled). The bundled extension can only with
   * `wasmPaths`; without them more than one thread would never open.
   */
  threadWorkers?: boolean;
}

/**
 * The thread count each onnxruntime instance (keyed by its `env`) started its
 * wasm runtime with: ORT reads `env.wasm` once, at its first session, so
 * later sessions of the same instance run with that count whatever they ask.
 */
const startedThreads = new WeakMap<object, number>();

/** Graph input dims as numbers, null for symbolic/unknown dims. */
export function staticDims(
  meta: OrtModule.InferenceSession.ValueMetadata | undefined
): (number | null)[] | undefined {
  if (!meta || !meta.isTensor) {
    return undefined;
  }
  return meta.shape.map(d => (typeof d === 'number' && d > 0 ? d : null));
}

/** IEEE half → float (ORT hands float16 outputs over as uint16 bits). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) {
    return sign * frac * 2 ** -24;
  }
  if (exp === 31) {
    return frac ? NaN : sign * Infinity;
  }
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const ORT_TO_DTYPE: Record<string, DType> = {
  float32: 'float32',
  float64: 'float64',
  uint8: 'uint8',
  int8: 'int8',
  uint16: 'uint16',
  int16: 'int16',
  uint32: 'uint32',
  int32: 'int32',
  uint64: 'uint64',
  int64: 'int64',
  bool: 'bool'
};

/** An ORT output tensor as an ITensor (axes filled in by the pipeline). */
async function fromOrt(t: OrtModule.Tensor): Promise<ITensor> {
  const shape = t.dims.map(Number);
  const data = await t.getData();
  if (t.type === 'float16') {
    const bits = data as Uint16Array;
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) {
      out[i] = halfToFloat(bits[i]);
    }
    return { dtype: 'float32', shape, axes: [], data: out };
  }
  const dtype = ORT_TO_DTYPE[t.type];
  if (!dtype) {
    throw new Error(`unsupported output element type '${t.type}'`);
  }
  return { dtype, shape, axes: [], data: data as TypedArray };
}

/**
 * Create a session for ONNX `model` bytes, trying the backends of
 * {@link backendOrder} in turn.
 */
export async function createOrtSession(
  model: Uint8Array,
  options: IOrtSessionOptions = {}
): Promise<IOrtSession> {
  const ort: Ort = options.ort ?? (await import('onnxruntime-web'));
  const probe = options.probe ?? (await probeEnvironment());
  const plan = planWasmThreads(
    options.numThreads,
    probe,
    options.threadWorkers ?? true
  );
  const threads = { ...plan };
  const started = startedThreads.get(ort.env);
  if (started === undefined) {
    ort.env.wasm.numThreads = plan.threads;
    if (options.wasmPaths) {
      ort.env.wasm.wasmPaths = { ...options.wasmPaths };
    }
  } else if (started !== plan.threads) {
    threads.threads = started;
    threads.reason =
      `onnxruntime in this worker already runs with ${started} thread(s); ` +
      'the count is fixed until the worker restarts';
  }
  const failures: IOrtSession['failures'] = [];
  for (const backend of backendOrder(options.backend ?? 'auto', probe)) {
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [backend],
        graphOptimizationLevel: 'all',
        externalData: options.externalData
      });
      if (!startedThreads.has(ort.env)) {
        // ORT lowers numThreads to 1 when it cannot run threads (a console
        // warning only): what it left is what runs.
        const used = Number(ort.env.wasm.numThreads) || 1;
        startedThreads.set(ort.env, used);
        if (used < threads.threads) {
          threads.threads = used;
          threads.reason =
            'onnxruntime fell back to 1 thread: WebAssembly threads are not supported here';
        }
      }
      const wrapped = wrapSession(ort, session, backend, failures, threads);
      if (backend === 'wasm') {
        return wrapped;
      }
      return new FallbackSession(wrapped, () =>
        createOrtSession(model, { ...options, ort, probe, backend: 'wasm' })
      );
    } catch (e) {
      failures.push({
        backend,
        error: e instanceof Error ? e.message : String(e)
      });
    }
  }
  throw new Error(
    'could not create an ONNX session: ' +
      failures.map(f => `${f.backend}: ${f.error}`).join('; ')
  );
}

function wrapSession(
  ort: Ort,
  session: OrtModule.InferenceSession,
  backend: ExecutionBackend,
  failures: IOrtSession['failures'],
  threads: { requested: number; threads: number; reason?: string }
): IOrtSession {
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  const meta = session.inputMetadata ?? [];
  const inputTypes = inputNames.map((_, i) => {
    const m = meta[i];
    return m && m.isTensor ? String(m.type) : 'unknown';
  });
  const shapes = inputNames.map((_, i) => staticDims(meta[i]));
  return {
    backend,
    failures,
    threads: threads.threads,
    threadsRequested: threads.requested,
    ...(threads.reason ? { threadsReason: threads.reason } : {}),
    inputNames,
    outputNames,
    inputTypes,
    inputShapes: shapes.every(s => s !== undefined)
      ? (shapes as (number | null)[][])
      : undefined,
    async run(feeds: ITensor[]): Promise<ITensor[]> {
      if (feeds.length !== inputNames.length) {
        throw new Error(
          `the graph has ${inputNames.length} inputs ` +
            `(${inputNames.join(', ')}), got ${feeds.length}`
        );
      }
      const ortFeeds: Record<string, OrtModule.Tensor> = {};
      feeds.forEach((t, i) => {
        // Cast to the graph's element type when preprocessing left another
        // (e.g. float64); ORT rejects mismatched types outright.
        const want = ORT_TO_DTYPE[inputTypes[i]];
        const data = want ? castData(t.data, t.dtype, want) : t.data;
        const type = want ?? t.dtype;
        ortFeeds[inputNames[i]] = new ort.Tensor(
          type,
          data as Float32Array,
          t.shape
        );
      });
      const results = await session.run(ortFeeds);
      const out: ITensor[] = [];
      for (const name of outputNames) {
        out.push(await fromOrt(results[name] as OrtModule.Tensor));
      }
      return out;
    },
    release: () => session.release()
  };
}
