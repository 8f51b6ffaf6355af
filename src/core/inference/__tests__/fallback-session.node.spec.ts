import { FallbackSession } from '../session/fallback';
import type { IOrtSession } from '../session/types';
import type { ITensor } from '../../tensor/tensor';

function fakeSession(
  backend: IOrtSession['backend'],
  run: (feeds: ITensor[]) => Promise<ITensor[]>
): IOrtSession & { released: boolean } {
  return {
    backend,
    failures: [],
    threads: 1,
    threadsRequested: 1,
    inputNames: ['x'],
    outputNames: ['y'],
    inputTypes: ['float32'],
    released: false,
    run,
    async release() {
      this.released = true;
    }
  };
}

const feed: ITensor = {
  dtype: 'float32',
  shape: [2],
  axes: ['x'],
  data: Float32Array.from([1, -2])
};

describe('FallbackSession', () => {
  it('keeps the GPU backend while it runs', async () => {
    const gpu = fakeSession('webgpu', async f => [
      { ...f[0], data: Float32Array.from([1, 0]) }
    ]);
    const session = new FallbackSession(gpu, () =>
      Promise.reject(new Error('not needed'))
    );
    const [out] = await session.run([feed]);
    expect(Array.from(out.data as Float32Array)).toEqual([1, 0]);
    expect(session.backend).toBe('webgpu');
  });

  it('falls back to wasm when the GPU backend fails at run time, and says so', async () => {
    const gpu = fakeSession('webgpu', () =>
      Promise.reject(new Error('Kernel "Add" failed'))
    );
    const wasm = fakeSession('wasm', async f => [
      { ...f[0], data: Float32Array.from([1, 0]) }
    ]);
    let created = 0;
    const session = new FallbackSession(gpu, async () => {
      created++;
      return wasm;
    });
    const [out] = await session.run([feed]);
    expect(Array.from(out.data as Float32Array)).toEqual([1, 0]);
    expect(session.backend).toBe('wasm');
    expect(session.failures).toEqual([
      { backend: 'webgpu', error: 'failed while running: Kernel "Add" failed' }
    ]);
    expect(gpu.released).toBe(true);
    await session.run([feed]);
    expect(created).toBe(1);
  });

  it('does not hide wasm failures', async () => {
    const wasm = fakeSession('wasm', () =>
      Promise.reject(new Error('bad input'))
    );
    const session = new FallbackSession(wasm, () =>
      Promise.reject(new Error('unused'))
    );
    await expect(session.run([feed])).rejects.toThrow('bad input');
  });
});
