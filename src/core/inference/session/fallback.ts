/**
 * A session that falls back to wasm when its GPU/NPU backend fails while
 * running, not only while being created: WebGPU and WebNN execution
 * providers can accept a graph and still reject one of its kernels at the
 * first run (seen with SwiftShader on a residual Add). The failure is kept
 * and the backend actually used is reported with every result.
 */
import type { ExecutionBackend } from './backends';
import type { IOrtSession } from './types';
import type { ITensor } from '../../tensor/tensor';

export class FallbackSession implements IOrtSession {
  constructor(
    private _inner: IOrtSession,
    private readonly _createWasm: () => Promise<IOrtSession>
  ) {}

  get backend(): ExecutionBackend {
    return this._inner.backend;
  }
  get failures(): IOrtSession['failures'] {
    return this._inner.failures;
  }
  get inputNames(): string[] {
    return this._inner.inputNames;
  }
  get outputNames(): string[] {
    return this._inner.outputNames;
  }
  get threads(): number {
    return this._inner.threads;
  }
  get threadsRequested(): number {
    return this._inner.threadsRequested;
  }
  get threadsReason(): string | undefined {
    return this._inner.threadsReason;
  }
  get inputTypes(): string[] {
    return this._inner.inputTypes;
  }
  get inputShapes(): IOrtSession['inputShapes'] {
    return this._inner.inputShapes;
  }

  async run(feeds: ITensor[]): Promise<ITensor[]> {
    try {
      return await this._inner.run(feeds);
    } catch (error) {
      if (this._inner.backend === 'wasm') {
        throw error;
      }
      const failed = this._inner;
      const wasm = await this._createWasm();
      wasm.failures.push(...failed.failures, {
        backend: failed.backend,
        error: `failed while running: ${error instanceof Error ? error.message : String(error)}`
      });
      this._inner = wasm;
      void failed.release().catch(() => undefined);
      return wasm.run(feeds);
    }
  }

  release(): Promise<void> {
    return this._inner.release();
  }
}
