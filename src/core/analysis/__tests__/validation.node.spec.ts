import type { INDArray } from '../../tensor/tensor';
import {
  calibrateThreshold,
  restorationMetrics,
  segmentationMetrics
} from '../validation';

function grid(
  rows: number[][],
  dtype: 'int32' | 'float32' = 'int32'
): INDArray {
  const flat = rows.flat();
  return {
    dtype,
    shape: [rows.length, rows[0].length],
    data: dtype === 'int32' ? Int32Array.from(flat) : Float32Array.from(flat)
  };
}

// Two objects: 1 is 2×2 (4 px), 2 is 3×3 (9 px).
const GT = grid([
  [1, 1, 0, 0, 0, 0],
  [1, 1, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 2, 2, 2],
  [0, 0, 0, 2, 2, 2],
  [0, 0, 0, 2, 2, 2]
]);

describe('segmentationMetrics', () => {
  it('is perfect on the ground truth itself', () => {
    const m = segmentationMetrics(GT, GT);
    expect(m.values).toEqual({ iou: 1, dice: 1, f1_iou50: 1 });
    expect(m.matching.map(s => s.tp)).toEqual(new Array(9).fill(2));
  });

  it('counts a missed object: pixel IoU 4/13, Dice 8/17, F1 2/3', () => {
    const pred = grid([
      [1, 1, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0]
    ]);
    const m = segmentationMetrics(GT, pred);
    expect(m.values.iou).toBeCloseTo(4 / 13, 12);
    expect(m.values.dice).toBeCloseTo(8 / 17, 12);
    expect(m.values.f1_iou50).toBeCloseTo(2 / 3, 12);
    expect(m.matching[0]).toMatchObject({ tp: 1, fp: 0, fn: 1 });
  });

  it('refuses a ground truth of another size', () => {
    expect(() => segmentationMetrics(GT, grid([[1, 0]]))).toThrow(
      'the ground truth is 6×6 but the result is 1×2'
    );
  });
});

describe('restorationMetrics', () => {
  it('PSNR 10·log10(14²/(1/64)) and NRMSE for one error of 1 on an 8×8 ramp', () => {
    const rows = Array.from({ length: 8 }, (_, y) =>
      Array.from({ length: 8 }, (_, x) => x + y)
    );
    const clean = grid(rows, 'float32');
    const restored = grid(
      rows.map((r, y) => r.map((v, x) => (x === 0 && y === 0 ? v + 1 : v))),
      'float32'
    );
    const m = restorationMetrics(clean, restored);
    expect(m.values.psnr).toBeCloseTo(
      10 * Math.log10((14 * 14) / (1 / 64)),
      10
    );
    const meanSquare = rows.flat().reduce((a, v) => a + v * v, 0) / 64;
    expect(m.values.nrmse).toBeCloseTo(
      Math.sqrt(1 / 64) / Math.sqrt(meanSquare),
      10
    );
    expect(m.values.ssim).toBeLessThan(1);
  });

  it('SSIM is 1 for identical images', () => {
    const a = grid(
      Array.from({ length: 8 }, (_, y) =>
        Array.from({ length: 8 }, (_, x) => (x * y) % 7)
      ),
      'float32'
    );
    expect(restorationMetrics(a, a).values.ssim).toBeCloseTo(1, 12);
  });
});

describe('calibrateThreshold', () => {
  // Object 1 is confident (0.8), object 2 faint (0.4).
  const prob = grid(
    [
      [0.8, 0.8, 0, 0, 0, 0],
      [0.8, 0.8, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0.4, 0.4, 0.4],
      [0, 0, 0, 0.4, 0.4, 0.4],
      [0, 0, 0, 0.4, 0.4, 0.4]
    ],
    'float32'
  );

  it('finds that a threshold below 0.4 recovers both objects', () => {
    const c = calibrateThreshold([{ probability: prob, groundTruth: GT }], {
      minSize: 0,
      method: 'connected_components',
      thresholds: [0.3, 0.5, 0.9]
    });
    expect(c.points.map(p => p.f1)).toEqual([1, 2 / 3, 0]);
    expect(c.points.map(p => p.objects)).toEqual([2, 1, 0]);
    expect(c.best).toEqual({ threshold: 0.3, f1: 1 });
  });

  it('pools several images (counts summed before the F1)', () => {
    const c = calibrateThreshold(
      [
        { probability: prob, groundTruth: GT },
        { probability: prob, groundTruth: GT }
      ],
      { minSize: 0, method: 'connected_components', thresholds: [0.5] }
    );
    // tp 2, fp 0, fn 2 → F1 = 4 / 6
    expect(c.points[0].f1).toBeCloseTo(2 / 3, 12);
  });
});
