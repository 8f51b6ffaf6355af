/**
 * What every onnxruntime session of ours looks like ({@link IOrtSession}):
 * shared by the session that creates it (ort.ts), the wrapper that falls back
 * to wasm while running (fallback.ts) and the callers that open one (open.ts).
 */
import type { ExecutionBackend } from './backends';
import type { IInferenceSession } from '../pipeline';

/** A session plus which backend runs it and why others were skipped. */
export interface IOrtSession extends IInferenceSession {
  backend: ExecutionBackend;
  /** Backends tried before the one used, with their errors. */
  failures: Array<{ backend: ExecutionBackend; error: string }>;
  /** Graph input element types by position (e.g. `float32`). */
  inputTypes: string[];
  /** wasm threads onnxruntime runs with (for every backend: its CPU kernels). */
  threads: number;
  /** Threads asked for. */
  threadsRequested: number;
  /** Why `threads` is below (or above) `threadsRequested`. */
  threadsReason?: string;
  release(): Promise<void>;
}
