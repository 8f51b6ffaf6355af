import type { IImageInfo } from '../../formats/types';
import type { DType, INDArray } from '../../tensor/tensor';
import {
  intensityStats,
  summariseImage,
  toMicrometres
} from '../image-summary';
import { percentileOfSorted, sampleStep, stridedSample } from '../sampling';

function info(
  axes: string,
  shape: number[],
  extra: Partial<IImageInfo> = {},
  dtype: DType = 'float32'
): IImageInfo {
  return {
    axes,
    shape,
    dtype,
    source: { format: 'tiff', planeCount: 1, axesSource: 'test', warnings: [] },
    ...extra
  };
}

/** 1, 2, …, n as float32 with the given shape. */
function ramp(shape: number[]): INDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    dtype: 'float32',
    shape,
    data: Float32Array.from({ length: n }, (_, i) => i + 1)
  };
}

describe('percentileOfSorted (NumPy linear)', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('interpolates between order statistics', () => {
    // h = 99·q/100: p1 → 1 + 0.99, p99 → 99 + 0.01, p50 → between 50 and 51.
    expect(percentileOfSorted(sorted, 1)).toBeCloseTo(1.99, 12);
    expect(percentileOfSorted(sorted, 99)).toBeCloseTo(99.01, 12);
    expect(percentileOfSorted(sorted, 50)).toBe(50.5);
    expect(percentileOfSorted(sorted, 0)).toBe(1);
    expect(percentileOfSorted(sorted, 100)).toBe(100);
  });

  it('handles one value and no values', () => {
    expect(percentileOfSorted([7], 37)).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });

  it('matches numpy for a short uneven sample', () => {
    // np.percentile([1, 2, 4, 8], 40) = 2 + 0.2·(4 − 2) = 2.4 (h = 1.2)
    expect(percentileOfSorted([1, 2, 4, 8], 40)).toBeCloseTo(2.4, 12);
  });
});

describe('strided sampling', () => {
  it('uses every value when there are few enough', () => {
    expect(sampleStep(100, 1000, 10)).toBe(1);
    expect(Array.from(stridedSample([3, 1, 2]))).toEqual([3, 1, 2]);
  });

  it('picks a step coprime with the row length', () => {
    // ⌈100 / 10⌉ = 10 shares 10 with a 10-pixel row; 11 is coprime.
    expect(sampleStep(100, 10, 10)).toBe(11);
    expect(sampleStep(100, 10, 1)).toBe(10);
    // ⌈16777216 / 1e6⌉ = 17, coprime with 4096.
    expect(sampleStep(4096 * 4096, 1_000_000, 4096)).toBe(17);
  });

  it('leaves out NaN and infinities, reads int64 data', () => {
    expect(Array.from(stridedSample([1, NaN, 3, Infinity]))).toEqual([1, 3]);
    expect(Array.from(stridedSample(BigInt64Array.from([1n, -2n])))).toEqual([
      1, -2
    ]);
  });
});

describe('toMicrometres', () => {
  it.each([
    [0.65, 'µm', 0.65],
    [0.65, '\u03bcm', 0.65],
    [0.65, 'um', 0.65],
    [0.65, 'micron', 0.65],
    [0.65, '\\u00B5m', 0.65],
    [0.65, 'micrometer', 0.65],
    [0.65, 'micrometres', 0.65],
    [650, 'nm', 0.65],
    [650, 'nanometer', 0.65],
    [0.002, 'mm', 2],
    [2, 'millimetre', 2000],
    [1e-6, 'm', 1],
    [3, 'meters', 3e6],
    [5000, 'Å', 0.5],
    [5000, 'angstrom', 0.5],
    [1, 'inches', 25400]
  ])('%p %s', (value, unit, um) => {
    expect(toMicrometres(value, unit)).toBeCloseTo(um, 12);
  });

  it('returns undefined for units that are not lengths', () => {
    expect(toMicrometres(1, 'pixel')).toBeUndefined();
    expect(toMicrometres(1, 's')).toBeUndefined();
    expect(toMicrometres(1, '')).toBeUndefined();
    expect(toMicrometres(1, 'constructor')).toBeUndefined();
    // Case matters for symbols: Mm would be megametres, which we do not read.
    expect(toMicrometres(1, 'Mm')).toBeUndefined();
  });
});

describe('summariseImage', () => {
  it('reads sizes of every axis letter, 1 where absent', () => {
    const s = summariseImage(info('TCZYX', [2, 3, 25, 64, 32]), null, 'a.tif');
    expect(s.sizes).toEqual({ t: 2, c: 3, z: 25, y: 64, x: 32 });
    expect(s.spatialDims).toBe(3);
    expect(s.stats).toBeUndefined();
    expect(s.name).toBe('a.tif');

    const rgb = summariseImage(
      info('YXC', [10, 20, 3], {}, 'uint8'),
      null,
      'b'
    );
    expect(rgb.sizes).toEqual({ t: 1, c: 3, z: 1, y: 10, x: 20 });
    expect(rgb.spatialDims).toBe(2);
    expect(rgb.dtype).toBe('uint8');

    // A single plane in a Z axis is still a 2D image.
    expect(summariseImage(info('ZYX', [1, 8, 8]), null, 'c').spatialDims).toBe(
      2
    );
  });

  it('converts pixel sizes to micrometres and keeps channel names', () => {
    const s = summariseImage(
      info('CYX', [2, 8, 8], {
        channelNames: ['DAPI', 'GFP'],
        physicalSize: {
          x: { value: 0.65, unit: 'µm' },
          y: { value: 650, unit: 'nm' },
          z: { value: 0.002, unit: 'mm' }
        }
      }),
      null,
      'c'
    );
    expect(s.channelNames).toEqual(['DAPI', 'GFP']);
    expect(s.pixelSizeUm?.x).toBeCloseTo(0.65, 12);
    expect(s.pixelSizeUm?.y).toBeCloseTo(0.65, 12);
    expect(s.pixelSizeUm?.z).toBeCloseTo(2, 12);
  });

  it('leaves out pixel sizes in units it does not know', () => {
    const s = summariseImage(
      info('YX', [8, 8], {
        physicalSize: {
          x: { value: 1, unit: 'pixel' },
          y: { value: 1, unit: 'pixel' }
        }
      }),
      null,
      'p'
    );
    expect(s.pixelSizeUm).toBeUndefined();
  });

  it('computes exact statistics of 1..100', () => {
    const s = summariseImage(info('YX', [10, 10]), ramp([10, 10]), 'ramp');
    const st = s.stats!;
    expect(st.sampled).toBe(100);
    expect(st.min).toBe(1);
    expect(st.max).toBe(100);
    expect(st.mean).toBe(50.5);
    // Population std of 1..n is √((n² − 1) / 12) = √833.25.
    expect(st.std).toBeCloseTo(Math.sqrt(833.25), 12);
    expect(st.std).toBeCloseTo(28.86607, 5);
    expect(st.p1).toBeCloseTo(1.99, 12);
    expect(st.p50).toBe(50.5);
    expect(st.p99).toBeCloseTo(99.01, 12);
  });

  it('samples a diagonal, not a column, when strided', () => {
    // Step 11 on a 10 × 10 ramp visits 1, 12, 23, …, 100: every column once.
    const st = summariseImage(
      info('YX', [10, 10]),
      ramp([10, 10]),
      'r',
      10
    ).stats!;
    expect(st.sampled).toBe(10);
    expect(st.min).toBe(1);
    expect(st.max).toBe(100);
    expect(st.mean).toBe(50.5); // (1 + 100) / 2, the samples being 1 + 11k
    // A 1-D array has no rows to avoid: step 10 gives 1, 11, …, 91.
    const flat = intensityStats(ramp([100]), 10)!;
    expect(flat.max).toBe(91);
    expect(flat.mean).toBe(46);
  });

  it('samples every interleaved channel of an RGB image', () => {
    // Value = channel index. Step ⌈48/16⌉ = 3 would see only channel 0;
    // the coprime step 5 gives channels 0,2,1,0,2,1,0,2,1,0.
    const data = Uint8Array.from({ length: 48 }, (_, i) => i % 3);
    const st = intensityStats({ dtype: 'uint8', shape: [4, 4, 3], data }, 16)!;
    expect(st.sampled).toBe(10);
    expect(st.min).toBe(0);
    expect(st.max).toBe(2);
    expect(st.mean).toBeCloseTo(0.9, 12);
  });

  it('ignores NaN pixels and reads int64 images', () => {
    const f = intensityStats({
      dtype: 'float32',
      shape: [3],
      data: Float32Array.from([1, NaN, 3])
    })!;
    expect(f.sampled).toBe(2);
    expect(f.mean).toBe(2);
    const allNaN = intensityStats({
      dtype: 'float32',
      shape: [2],
      data: Float32Array.from([NaN, NaN])
    });
    expect(allNaN).toBeUndefined();
    const big = intensityStats({
      dtype: 'int64',
      shape: [3],
      data: BigInt64Array.from([1n, 2n, 6n])
    })!;
    expect(big.mean).toBe(3);
    expect(big.p50).toBe(2);
  });

  it('samples at most a million values of a 4096 × 4096 plane', () => {
    const n = 4096 * 4096;
    const data = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      data[i] = i & 0xffff;
    }
    const st = summariseImage(
      info('YX', [4096, 4096], {}, 'uint16'),
      { dtype: 'uint16', shape: [4096, 4096], data },
      'big'
    ).stats!;
    // Step 17: ⌈16777216 / 17⌉ samples; 17 is coprime with 65536, so the
    // samples reach every value 0…65535.
    expect(st.sampled).toBe(986896);
    expect(st.min).toBe(0);
    expect(st.max).toBe(65535);
  });
});
