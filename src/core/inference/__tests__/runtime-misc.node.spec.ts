/**
 * Tolerance comparisons, image ↔ model axis mapping, backend choice and
 * the pipeline's progress / cancellation.
 */
import { imageToInput, outputToImage } from '../axes';
import {
  backendOrder,
  IEnvironmentProbe,
  planWasmThreads,
  probeEnvironment,
  wasmThreads
} from '../session/backends';
import { predict } from '../pipeline';
import { InferenceWorkerState } from '../worker-handlers';
import { compareArrays, toleranceFor } from '../compare';
import type { INDArray } from '../../tensor/tensor';
import { axis, descr, makeTensor, model } from './helpers';
import { FakeSession, randomTensor } from './fake-network';

describe('compareArrays', () => {
  const tol = { rtol: 1e-3, atol: 1e-3, mismatchedPerMillion: 100 };
  const expected: INDArray = {
    dtype: 'float32',
    shape: [2, 3],
    data: Float32Array.from([0, 1, 2, 100, 4, 5])
  };

  it('counts |Δ| > atol + rtol·|expected| and reports the worst positions', () => {
    // Δ: 0, 0.0015 (≤ 1e-3 + 1e-3), 0.0031 (> 0.003), 0.15 (> 0.101), 0, 0
    const actual = {
      ...expected,
      data: Float32Array.from([0, 1.0015, 2.0031, 100.15, 4, 5])
    };
    const c = compareArrays(actual, expected, tol);
    expect(c.mismatched).toBe(2);
    expect(c.ppm).toBeCloseTo((2 / 6) * 1e6, 6);
    expect(c.passed).toBe(false);
    expect(c.maxAbsDiff).toBeCloseTo(0.15, 4);
    expect(c.worst[0].position).toEqual([1, 0]);
    expect(c.worst[1].position).toEqual([0, 2]);
    expect(c.worst.length).toBe(3);
    expect(c.message).toMatch(/2 of 6 elements mismatched/);
  });

  it('passes within the allowed ppm and fails on shape mismatch', () => {
    const big = new Float32Array(20000);
    const act = Float32Array.from(big);
    act[7] = 1; // 1 mismatch in 20000 = 50 ppm ≤ 100
    const c = compareArrays(
      { dtype: 'float32', shape: [20000], data: act },
      { dtype: 'float32', shape: [20000], data: big },
      tol
    );
    expect(c.mismatched).toBe(1);
    expect(c.passed).toBe(true);
    expect(c.message).toMatch(/passed with warning/);
    const strict = compareArrays(
      { dtype: 'float32', shape: [20000], data: act },
      { dtype: 'float32', shape: [20000], data: big },
      { ...tol, mismatchedPerMillion: 0 }
    );
    expect(strict.passed).toBe(false);
    const shape = compareArrays({ ...expected, shape: [3, 2] }, expected, tol);
    expect(shape.shapeMismatch).toBe(true);
    expect(shape.passed).toBe(false);
  });

  it('NaN only matches NaN', () => {
    const e: INDArray = {
      dtype: 'float32',
      shape: [2],
      data: Float32Array.from([NaN, 1])
    };
    const a: INDArray = {
      dtype: 'float32',
      shape: [2],
      data: Float32Array.from([NaN, NaN])
    };
    expect(compareArrays(a, e, tol).mismatched).toBe(1);
  });

  it('uses the model tolerances (0.4: zero mismatches)', () => {
    expect(
      toleranceFor(model([], [], '0.4'), 'o', 'onnx').mismatchedPerMillion
    ).toBe(0);
    const m = model([], []);
    m.tolerances = [
      {
        relativeTolerance: 0.01,
        absoluteTolerance: 0.02,
        mismatchedElementsPerMillion: 5,
        outputIds: [],
        weightsFormats: ['onnx']
      }
    ];
    expect(toleranceFor(m, 'o', 'onnx')).toEqual({
      rtol: 0.01,
      atol: 0.02,
      mismatchedPerMillion: 5
    });
    expect(toleranceFor(m, 'o', 'torchscript').atol).toBe(1e-3);
  });
});

describe('image axes ↔ model axes', () => {
  const bcyx = descr('raw', [
    axis('batch', { kind: 'any' }),
    axis('channel', { kind: 'fixed', value: 1 }, { channelNames: ['c0'] }),
    axis('y', { kind: 'parameterized', min: 16, step: 16 }),
    axis('x', { kind: 'parameterized', min: 16, step: 16 })
  ]);

  it('adds batch and channel to a yx image and maps the output back', () => {
    const img = makeTensor([], [2, 3], [1, 2, 3, 4, 5, 6]);
    const { tensor, mapping } = imageToInput(img, 'yx', bcyx);
    expect(tensor.axes).toEqual(['batch', 'channel', 'y', 'x']);
    expect(tensor.shape).toEqual([1, 1, 2, 3]);
    const back = outputToImage(tensor, mapping);
    expect(back.axes).toEqual(['y', 'x']);
    expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('transposes yxc, picks a channel, and explains a wrong channel count', () => {
    // y=1, x=2, c=3: values encode (x, c) as 10·x + c
    const img = makeTensor([], [1, 2, 3], [0, 1, 2, 10, 11, 12]);
    expect(() => imageToInput(img, 'yxc', bcyx)).toThrow(
      'this model expects 1 channel; your image has 3 — pick one'
    );
    const { tensor } = imageToInput(img, 'yxc', bcyx, { channels: [2] });
    expect(tensor.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(tensor.data as Float32Array)).toEqual([2, 12]);
  });

  it('selects a z plane / time point, and refuses extra axes otherwise', () => {
    const img = makeTensor(
      [],
      [2, 3, 1, 2],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    );
    expect(() => imageToInput(img, 'tzyx', bcyx)).toThrow(/select one index/);
    const { tensor, mapping } = imageToInput(img, 'tzyx', bcyx, {
      select: { t: 1, z: 2 }
    });
    expect(tensor.shape).toEqual([1, 1, 1, 2]);
    // t=1, z=2 → flat offset (1·3 + 2)·2 = 10
    expect(Array.from(tensor.data as Float32Array)).toEqual([10, 11]);
    expect(mapping.keptAxes).toBe('yx');
  });

  it('needs a z axis for a 3D model and keeps output channels first', () => {
    const zyx = descr('raw', [
      axis('batch', { kind: 'any' }),
      axis('channel', { kind: 'fixed', value: 1 }),
      axis('z', { kind: 'parameterized', min: 8, step: 8 }),
      axis('y', { kind: 'parameterized', min: 16, step: 16 }),
      axis('x', { kind: 'parameterized', min: 16, step: 16 })
    ]);
    const img = makeTensor([], [2, 2], [1, 2, 3, 4]);
    expect(() => imageToInput(img, 'yx', zyx)).toThrow(/expects a 'z' axis/);
    const { mapping } = imageToInput(img, 'yx', bcyx);
    const out = makeTensor(
      ['batch', 'channel', 'y', 'x'],
      [1, 2, 2, 2],
      [1, 2, 3, 4, 5, 6, 7, 8]
    );
    const back = outputToImage(out, mapping);
    expect(back.axes).toEqual(['c', 'y', 'x']);
    const img3 = makeTensor([], [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const m3 = imageToInput(img3, 'yxc', {
      ...bcyx,
      axes: bcyx.axes.map(a =>
        a.id === 'channel'
          ? {
              ...a,
              size: { kind: 'fixed', value: 2 },
              channelNames: ['a', 'b']
            }
          : a
      )
    });
    const back3 = outputToImage(m3.tensor, m3.mapping);
    expect(back3.axes).toEqual(['y', 'x', 'c']);
    expect(Array.from(back3.data as Float32Array)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8
    ]);
  });
});

describe('backend choice', () => {
  const none: IEnvironmentProbe = {
    webgpu: 'none',
    webnn: false,
    crossOriginIsolated: false,
    sharedMemory: false,
    hardwareConcurrency: 8
  };
  const isolated: IEnvironmentProbe = {
    ...none,
    crossOriginIsolated: true,
    sharedMemory: true,
    hardwareConcurrency: 2
  };

  it('plans wasm threads: more than one only with shared memory and thread workers', () => {
    // Default: one per CPU (up to 4) when isolated, else 1, without a reason.
    expect(planWasmThreads(undefined, none)).toEqual({
      requested: 1,
      threads: 1
    });
    expect(planWasmThreads(undefined, isolated)).toEqual({
      requested: 2,
      threads: 2
    });
    expect(
      planWasmThreads(undefined, { ...isolated, hardwareConcurrency: 16 })
        .threads
    ).toBe(4);
    expect(planWasmThreads(3, isolated)).toEqual({ requested: 3, threads: 3 });
    // Asked for threads on a page that is not isolated: 1, and why.
    const plain = planWasmThreads(2, none);
    expect(plain.threads).toBe(1);
    expect(plain.requested).toBe(2);
    expect(plain.reason).toContain('not cross-origin isolated');
    expect(plain.reason).toContain('c.BioImageCache.cross_origin_isolation');
    // Isolated, but ORT's thread workers cannot start (no unbundled glue).
    const noWorkers = planWasmThreads(2, isolated, false);
    expect(noWorkers.threads).toBe(1);
    expect(noWorkers.reason).toContain('thread workers');
    // Node: shared memory without isolation; an explicit request is kept.
    expect(planWasmThreads(2, { ...none, sharedMemory: true }).threads).toBe(2);
    // Nonsense requests mean the default.
    expect(planWasmThreads(0, isolated).threads).toBe(2);
    expect(planWasmThreads(1.5, none).threads).toBe(1);
  });

  it('orders backends by preference and environment', () => {
    expect(backendOrder('auto', none)).toEqual(['wasm']);
    expect(
      backendOrder('auto', { ...none, webgpu: 'hardware', webnn: true })
    ).toEqual(['webgpu', 'webnn', 'wasm']);
    // A software adapter is never chosen automatically, only on request.
    expect(backendOrder('auto', { ...none, webgpu: 'fallback' })).toEqual([
      'wasm'
    ]);
    expect(backendOrder('webgpu', { ...none, webgpu: 'fallback' })).toEqual([
      'webgpu',
      'wasm'
    ]);
    expect(backendOrder('webnn', none)).toEqual(['wasm']);
    expect(wasmThreads(none)).toBe(1);
    expect(wasmThreads({ ...none, crossOriginIsolated: true })).toBe(4);
  });

  it("the worker's probe says whether threads can run, and why not", async () => {
    // Node: shared memory, ORT starts its own thread workers.
    const node = (await new InferenceWorkerState().probe()).threads;
    expect(node.available).toBe(true);
    expect(node.reason).toBeUndefined();
    // A bundle without ORT's unbundled glue cannot start them.
    const bundled = (
      await new InferenceWorkerState({ threadWorkers: false }).probe()
    ).threads;
    expect(bundled).toEqual({
      default: 1,
      available: false,
      reason: expect.stringContaining('thread workers')
    });
  });

  it('probes an injected scope', async () => {
    const hw = await probeEnvironment({
      crossOriginIsolated: true,
      navigator: {
        hardwareConcurrency: 2,
        gpu: {
          requestAdapter: async () => ({ info: { isFallbackAdapter: false } })
        },
        ml: { createContext: async () => ({}) }
      }
    });
    expect(hw).toEqual({
      webgpu: 'hardware',
      webnn: true,
      crossOriginIsolated: true,
      sharedMemory: false,
      hardwareConcurrency: 2
    });
    expect(
      (await probeEnvironment({ SharedArrayBuffer, crossOriginIsolated: true }))
        .sharedMemory
    ).toBe(true);
    const sw = await probeEnvironment({
      navigator: {
        gpu: { requestAdapter: async () => ({ isFallbackAdapter: true }) },
        ml: {
          createContext: async () => {
            throw new Error('no');
          }
        }
      }
    });
    expect(sw).toMatchObject({
      webgpu: 'fallback',
      webnn: false,
      crossOriginIsolated: false
    });
    expect((await probeEnvironment({})).webgpu).toBe('none');
  });
});

describe('pipeline progress and cancellation', () => {
  const m = model(
    [
      descr('raw', [
        axis('batch', { kind: 'any' }),
        axis('y', { kind: 'parameterized', min: 8, step: 8 }),
        axis('x', { kind: 'parameterized', min: 8, step: 8 })
      ])
    ],
    [
      descr('out', [
        axis('batch', { kind: 'any' }),
        axis('y', {
          kind: 'reference',
          tensorId: 'raw',
          axisId: 'y',
          offset: 0
        }),
        axis('x', {
          kind: 'reference',
          tensorId: 'raw',
          axisId: 'x',
          offset: 0
        })
      ])
    ]
  );
  const x = randomTensor(['batch', 'y', 'x'], [1, 40, 40]);

  it('reports progress per tile', async () => {
    const s = new FakeSession(['i'], ['o'], f => f);
    const seen: Array<[number, number]> = [];
    const out = await predict(m, s, [x], {
      tiling: { blockShape: { y: 16, x: 16 } },
      onProgress: (d, t) => seen.push([d, t])
    });
    expect(seen.length).toBe(9);
    expect(seen[8]).toEqual([9, 9]);
    expect(Array.from(out.get('out')!.data as Float32Array)).toEqual(
      Array.from(x.data as Float32Array)
    );
  });

  it('stops within one tile when aborted', async () => {
    const s = new FakeSession(['i'], ['o'], f => f);
    const ctrl = new AbortController();
    await expect(
      predict(m, s, [x], {
        tiling: { blockShape: { y: 16, x: 16 } },
        signal: ctrl.signal,
        onProgress: d => d === 2 && ctrl.abort()
      })
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(s.calls.length).toBe(2);
  });

  it('reads bare arrays in the described axis order and rejects wrong ranks', async () => {
    const s = new FakeSession(['i'], ['o'], f => f);
    const bare: INDArray = {
      dtype: 'float32',
      shape: [1, 8, 8],
      data: new Float32Array(64).fill(3)
    };
    const out = await predict(m, s, [bare], { tiling: false });
    expect(out.get('out')!.shape).toEqual([1, 8, 8]);
    await expect(predict(m, s, [{ ...bare, shape: [8, 8] }])).rejects.toThrow(
      /2 dimensions, the model expects 3/
    );
  });
});
