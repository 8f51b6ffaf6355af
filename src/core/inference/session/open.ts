/**
 * Opening a model package's network: the one path from a package to an
 * onnxruntime session, shared by the inference worker (browser and Node)
 * and the CLI.
 *
 * 1. Pick the ONNX weights (`runsInBrowserStatic`); a package without them
 *    is refused with the caller's `unsupported` error.
 * 2. Read them, and their external data file when there is one, through the
 *    package: `readFile` verifies the sha256 before the bytes ever reach
 *    onnxruntime (a mismatch throws the package's ChecksumError as is).
 * 3. Create the session with backend fallback (`createOrtSession`); when
 *    onnxruntime cannot load the graph, the caller's `loadFailed` decides
 *    what is thrown (default: onnxruntime's own error).
 *
 * {@link sessionReport} gives what callers report about the session: the
 * backend it runs on and its wasm threads (asked for, used, and why not).
 *
 * The session/ folder (this file is what callers outside it use): types.ts
 * (the session shape), backends.ts (backend order, environment probe,
 * thread plan), ort.ts (a session on onnxruntime-web), fallback.ts (wasm
 * fallback while running), assets.ts (ORT's file URLs, browser worker
 * only). It imports core/tensor, core/package, the types of core/spec and
 * of ../pipeline, and onnxruntime-web; nothing else of inference.
 */
import type { IModelPackage } from '../../package/package';
import { runsInBrowserStatic } from '../../package/browser-support';
import type { IModelDescription, IWeightsEntry } from '../../spec/types';
import { createOrtSession, IOrtSessionOptions } from './ort';
import type { IOrtSession } from './types';

/** Options of {@link openOnnxSession}: the session's, and the caller's errors. */
export interface IOpenOnnxOptions extends Omit<
  IOrtSessionOptions,
  'externalData'
> {
  /**
   * The error for a package without ONNX weights (`reason`: a sentence for
   * the user). Default: `'<name>' cannot run in the browser: <reason>`.
   */
  unsupported?(model: IModelDescription, reason: string): Error;
  /**
   * The error for verified weights that onnxruntime cannot load. Default:
   * onnxruntime's error, unchanged.
   */
  loadFailed?(weights: IWeightsEntry, error: Error): Error;
}

/** An onnxruntime session on the ONNX weights of `pkg`. */
export async function openOnnxSession(
  pkg: IModelPackage,
  options: IOpenOnnxOptions = {}
): Promise<IOrtSession> {
  const { unsupported, loadFailed, ...sessionOptions } = options;
  const support = runsInBrowserStatic(pkg.model);
  if (!support.onnx) {
    throw unsupported
      ? unsupported(pkg.model, support.reason)
      : new Error(
          `'${pkg.model.name}' cannot run in the browser: ${support.reason}`
        );
  }
  const weights = await pkg.readFile(support.onnx);
  const externalData = support.onnx.externalData
    ? [
        {
          path: support.onnx.externalData.source,
          data: await pkg.readFile(support.onnx.externalData)
        }
      ]
    : undefined;
  try {
    return await createOrtSession(weights, { ...sessionOptions, externalData });
  } catch (e) {
    throw loadFailed ? loadFailed(support.onnx, e as Error) : e;
  }
}

/** The backend a session runs on and its wasm threads, for reports. */
export interface ISessionReport {
  backend: IOrtSession['backend'];
  threads: number;
  threadsRequested: number;
  /** Only when the threads differ from those asked for. */
  threadsReason?: string;
}

/** {@link ISessionReport} of `session` (no `threadsReason` key when there is none). */
export function sessionReport(session: IOrtSession): ISessionReport {
  return {
    backend: session.backend,
    threads: session.threads,
    threadsRequested: session.threadsRequested,
    ...(session.threadsReason ? { threadsReason: session.threadsReason } : {})
  };
}
