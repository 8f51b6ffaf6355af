/**
 * Choosing onnxruntime-web execution providers from what the environment
 * offers. Probing is separate from the decision (and takes the global scope
 * as a parameter) so both are testable in Node without a browser.
 */

/** Execution providers we drive. */
export type ExecutionBackend = 'wasm' | 'webgpu' | 'webnn';

/** What a user can ask for; `auto` picks the best available. */
export type BackendPreference = ExecutionBackend | 'auto';

/** What the environment offers. */
export interface IEnvironmentProbe {
  /**
   * `hardware`: a real GPU adapter; `fallback`: only a software adapter
   * (SwiftShader: correct but ~80× slower than wasm); `none`.
   */
  webgpu: 'hardware' | 'fallback' | 'none';
  /** `navigator.ml.createContext()` succeeded. */
  webnn: boolean;
  /** The page (or worker) is cross-origin isolated (COOP + COEP). */
  crossOriginIsolated: boolean;
  /**
   * `SharedArrayBuffer` exists: wasm threads are possible (in a browser only
   * when cross-origin isolated; always in Node).
   */
  sharedMemory: boolean;
  /** Logical CPUs (1 when unknown). */
  hardwareConcurrency: number;
}

/** The slice of a global scope (window or worker) the probe reads. */
export interface IProbeScope {
  crossOriginIsolated?: boolean;
  SharedArrayBuffer?: unknown;
  navigator?: {
    hardwareConcurrency?: number;
    gpu?: {
      requestAdapter(): Promise<{
        isFallbackAdapter?: boolean;
        info?: { isFallbackAdapter?: boolean };
      } | null>;
    };
    ml?: { createContext(options?: unknown): Promise<unknown> };
  };
}

/**
 * Probe WebGPU, WebNN and cross-origin isolation in `scope` (default: the
 * current global). Never throws: anything failing counts as unavailable.
 */
export async function probeEnvironment(
  scope: IProbeScope = globalThis as unknown as IProbeScope
): Promise<IEnvironmentProbe> {
  const nav = scope.navigator;
  let webgpu: IEnvironmentProbe['webgpu'] = 'none';
  try {
    const adapter = nav?.gpu ? await nav.gpu.requestAdapter() : null;
    if (adapter) {
      // Chrome moved the flag from the adapter to adapter.info.
      const fallback =
        adapter.isFallbackAdapter === true ||
        adapter.info?.isFallbackAdapter === true;
      webgpu = fallback ? 'fallback' : 'hardware';
    }
  } catch {
    webgpu = 'none';
  }
  let webnn = false;
  try {
    webnn = nav?.ml ? Boolean(await nav.ml.createContext()) : false;
  } catch {
    webnn = false;
  }
  return {
    webgpu,
    webnn,
    crossOriginIsolated: scope.crossOriginIsolated === true,
    sharedMemory: typeof scope.SharedArrayBuffer === 'function',
    hardwareConcurrency: Math.max(1, nav?.hardwareConcurrency ?? 1)
  };
}

/**
 * Backends to try, in order, for a preference. `auto` uses a GPU only when
 * it is real hardware (a fallback adapter is far slower than wasm); an
 * explicit `webgpu` accepts a fallback adapter. wasm always comes last as
 * the fallback that works everywhere.
 */
export function backendOrder(
  preference: BackendPreference,
  probe: IEnvironmentProbe
): ExecutionBackend[] {
  const order: ExecutionBackend[] = [];
  switch (preference) {
    case 'auto':
      if (probe.webgpu === 'hardware') {
        order.push('webgpu');
      }
      if (probe.webnn) {
        order.push('webnn');
      }
      break;
    case 'webgpu':
      if (probe.webgpu !== 'none') {
        order.push('webgpu');
      }
      break;
    case 'webnn':
      if (probe.webnn) {
        order.push('webnn');
      }
      break;
    default:
      break;
  }
  order.push('wasm');
  return order;
}

/**
 * Default wasm threads: 1 unless cross-origin isolated (without isolation
 * ORT silently falls back to 1 anyway), then one per logical CPU, up to 4.
 */
export function wasmThreads(probe: IEnvironmentProbe): number {
  return probe.crossOriginIsolated
    ? Math.min(4, Math.max(1, probe.hardwareConcurrency))
    : 1;
}

/** How many wasm threads a session gets, and why fewer than asked. */
export interface IThreadPlan {
  /** Asked for (the default of {@link wasmThreads} when not given). */
  requested: number;
  /** What onnxruntime is told to use. */
  threads: number;
  /** Why `threads` is below `requested`. */
  reason?: string;
}

/**
 * Decide the wasm thread count before a session opens. More than one thread
 * needs `SharedArrayBuffer` (in a browser: a cross-origin isolated page) and
 * a way to start ORT's thread workers (`threadWorkers`: in the bundled
 * extension, the unbundled glue of `ort-assets.ts`). Otherwise 1, with the
 * reason, instead of ORT's silent fallback (or a session that never opens).
 */
export function planWasmThreads(
  requested: number | undefined,
  probe: IEnvironmentProbe,
  threadWorkers = true
): IThreadPlan {
  const asked =
    typeof requested === 'number' &&
    Number.isInteger(requested) &&
    requested > 0
      ? requested
      : wasmThreads(probe);
  if (asked <= 1) {
    return { requested: asked, threads: 1 };
  }
  if (!probe.sharedMemory) {
    return {
      requested: asked,
      threads: 1,
      reason: probe.crossOriginIsolated
        ? 'SharedArrayBuffer is not available here'
        : 'the page is not cross-origin isolated, so SharedArrayBuffer is unavailable ' +
          '(start the Jupyter server with c.BioImageCache.cross_origin_isolation = True)'
    };
  }
  if (!threadWorkers) {
    return {
      requested: asked,
      threads: 1,
      reason: "onnxruntime's thread workers cannot be started in this build"
    };
  }
  return { requested: asked, threads: asked };
}
