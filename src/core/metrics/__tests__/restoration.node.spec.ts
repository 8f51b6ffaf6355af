/**
 * PSNR, NRMSE and SSIM against the scikit-image values of the digest
 * (../shared/docs/metrics-digest.md §6, R1–R4).
 */
import { INDArray } from '../../tensor/tensor';
import { nrmse, psnr, skimageDefaultDataRange, ssim, ssimMap } from '..';

function grid(
  h: number,
  w: number,
  f: (i: number, j: number) => number
): INDArray {
  const data = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      data[i * w + j] = f(i, j);
    }
  }
  return { dtype: 'float64', shape: [h, w], data };
}

function filled(dtype: 'uint8' | 'uint16', value: number): INDArray {
  const data = dtype === 'uint8' ? new Uint8Array(16) : new Uint16Array(16);
  return { dtype, shape: [4, 4], data: data.fill(value) };
}

describe('psnr', () => {
  it('R1a/b: explicit and skimage-default data ranges', () => {
    const a = filled('uint8', 100);
    const b = filled('uint8', 110);
    expect(skimageDefaultDataRange(a, 'psnr')).toBe(255);
    expect(psnr(a, b, 255)).toBeCloseTo(28.130804, 6);
    const u = filled('uint16', 1000);
    const v = filled('uint16', 1100);
    expect(psnr(u, v, skimageDefaultDataRange(u, 'psnr'))).toBeCloseTo(
      56.329466,
      6
    );
    expect(psnr(u, v, 1000)).toBeCloseTo(20, 9);
  });
  it('R1c/d: float default ranges, identical images', () => {
    const t = grid(
      2,
      2,
      (i, j) =>
        [
          [-0.5, 0.5],
          [0.25, 0.0]
        ][i][j]
    );
    const s = grid(2, 2, (i, j) => (t.data[i * 2 + j] as number) + 0.1);
    expect(skimageDefaultDataRange(t, 'psnr')).toBe(2);
    expect(psnr(t, s, 2)).toBeCloseTo(26.0206, 4);
    expect(psnr(t, s, 1)).toBeCloseTo(20, 9);
    expect(() =>
      skimageDefaultDataRange(
        grid(2, 2, () => 3),
        'psnr'
      )
    ).toThrow('data_range');
    expect(psnr(t, t, 1)).toBe(Infinity);
    expect(() => psnr(t, s, 0)).toThrow();
  });
});

describe('nrmse', () => {
  it('R2: euclidean, min-max and mean', () => {
    const t: INDArray = {
      dtype: 'float64',
      shape: [4],
      data: Float64Array.from([1, 2, 3, 4])
    };
    const s: INDArray = {
      dtype: 'float64',
      shape: [4],
      data: Float64Array.from([1, 2, 3, 5])
    };
    expect(nrmse(t, s)).toBeCloseTo(0.182574, 6);
    expect(nrmse(t, s, 'min-max')).toBeCloseTo(1 / 6, 9);
    expect(nrmse(t, s, 'mean')).toBeCloseTo(0.2, 9);
  });
});

describe('ssim', () => {
  const r3x = grid(7, 7, (i, j) => (7 * i + j) / 48);
  const r3y = grid(
    7,
    7,
    (i, j) =>
      (7 * i + j) / 48 +
      (i === 3 && j === 3 ? 0.5 : 0) -
      (i === 0 && j === 0 ? 0.25 : 0)
  );
  it('R3: one surviving window', () => {
    expect(ssim(r3x, r3y, { dataRange: 1 })).toBeCloseTo(0.965792, 6);
    expect(
      ssim(r3x, r3y, { dataRange: 1, useSampleCovariance: false })
    ).toBeCloseTo(0.965796, 6);
    expect(ssim(r3x, r3y, { dataRange: 2 })).toBeCloseTo(0.966271, 6);
    const crop = grid(6, 6, (i, j) => i + j);
    expect(() => ssim(crop, crop, { dataRange: 1 })).toThrow(
      'win_size exceeds image extent'
    );
    expect(() => ssim(r3x, r3y, { dataRange: 1, winSize: 4 })).toThrow('odd');
    expect(() => skimageDefaultDataRange(r3x, 'ssim')).toThrow('data_range');
  });
  const x = grid(16, 16, (i, j) => (i + 2 * j) / 45);
  const y = grid(
    16,
    16,
    (i, j) => (i + 2 * j) / 45 + 0.1 * (((i * j) % 3) - 1)
  );
  it('R4: defaults, Gaussian/population, win 3, uncropped map', () => {
    expect(ssim(x, y, { dataRange: 1 })).toBeCloseTo(0.75685, 5);
    expect(
      ssim(x, y, {
        dataRange: 1,
        gaussianWeights: true,
        sigma: 1.5,
        useSampleCovariance: false
      })
    ).toBeCloseTo(0.640754, 6);
    expect(ssim(x, y, { dataRange: 1, winSize: 3 })).toBeCloseTo(0.329415, 6);
    const full = ssimMap(x, y, { dataRange: 1 });
    const mean =
      (full.map.data as Float64Array).reduce((a, b) => a + b, 0) / 256;
    expect(mean).toBeCloseTo(0.708035, 6);
    expect(psnr(x, y, 1)).toBeCloseTo(20.943727, 6);
  });
  it('is 1 for identical images and works in 3D', () => {
    const v: INDArray = {
      dtype: 'float64',
      shape: [7, 8, 9],
      data: Float64Array.from({ length: 504 }, (_, k) => Math.sin(k))
    };
    expect(ssim(v, v, { dataRange: 2 })).toBeCloseTo(1, 12);
  });
});
