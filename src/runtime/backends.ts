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
  /** SharedArrayBuffer usable: threaded wasm possible. */
  crossOriginIsolated: boolean;
  /** Logical CPUs (1 when unknown). */
  hardwareConcurrency: number;
}

/** The slice of a global scope (window or worker) the probe reads. */
export interface IProbeScope {
  crossOriginIsolated?: boolean;
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
 * wasm threads to request: 1 unless cross-origin isolated (without
 * isolation ORT silently falls back to 1 anyway), then up to 4.
 */
export function wasmThreads(probe: IEnvironmentProbe): number {
  return probe.crossOriginIsolated
    ? Math.min(4, Math.max(1, probe.hardwareConcurrency))
    : 1;
}
