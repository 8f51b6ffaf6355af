/**
 * "Is the result right?": metrics of a result against ground truth, and
 * calibration of the foreground threshold on labelled data. Pure TypeScript;
 * conventions as the kernel's `analysis.compute_metrics` so browser and
 * generated code report the same numbers.
 */
import type { InstanceMethod } from '../record/run-record';
import {
  matching,
  nrmse,
  pixelOverlap,
  psnr,
  ssim,
  STARDIST_THRESHOLDS,
  type IMatchingStats
} from '../metrics';
import { toFloat64, type INDArray } from '../tensor/tensor';
import { instanceLabels } from './arrays';

/** Metrics of one result against its ground truth. */
export interface IValidationMetrics {
  kind: 'segmentation' | 'restoration';
  /** By the kernel's metric names: iou, dice, f1_iou50 or psnr, ssim, nrmse. */
  values: Record<string, number>;
  /** Object matching at IoU 0.5…0.9 (segmentation only). */
  matching: IMatchingStats[];
}

function assertSameShape(gt: INDArray, pred: INDArray): void {
  if (gt.shape.join() !== pred.shape.join()) {
    throw new Error(
      `the ground truth is ${gt.shape.join('×')} but the result is ` +
        `${pred.shape.join('×')}; pick the ground truth that belongs to this image`
    );
  }
}

/**
 * Pixel IoU and Dice of the foregrounds, and StarDist's object matching
 * (one-to-one at each IoU threshold); `f1_iou50` is the F1 at IoU 0.5.
 */
export function segmentationMetrics(
  groundTruth: INDArray,
  labels: INDArray
): IValidationMetrics {
  assertSameShape(groundTruth, labels);
  const overlap = pixelOverlap(groundTruth, labels);
  const stats = matching(groundTruth, labels, {
    thresholds: STARDIST_THRESHOLDS
  });
  return {
    kind: 'segmentation',
    values: { iou: overlap.iou, dice: overlap.dice, f1_iou50: stats[0].f1 },
    matching: stats
  };
}

/**
 * PSNR, SSIM (data range of the clean target, as the generated code passes
 * to scikit-image) and NRMSE (euclidean) of a restored image.
 */
export function restorationMetrics(
  clean: INDArray,
  restored: INDArray
): IValidationMetrics {
  assertSameShape(clean, restored);
  const truth = {
    ...clean,
    dtype: 'float64' as const,
    data: toFloat64(clean.data)
  };
  const test = {
    ...restored,
    dtype: 'float64' as const,
    data: toFloat64(restored.data)
  };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of truth.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi - lo || 1;
  return {
    kind: 'restoration',
    values: {
      psnr: psnr(truth, test, range),
      ssim: ssim(truth, test, { dataRange: range }),
      nrmse: nrmse(truth, test)
    },
    matching: []
  };
}

/** F1 at IoU 0.5 for each candidate threshold, and the best one. */
export interface IThresholdCalibration {
  points: Array<{ threshold: number; f1: number; objects: number }>;
  /** The threshold with the highest F1 (the lowest of equal ones). */
  best: { threshold: number; f1: number };
}

/** Thresholds tried by default: 0.05, 0.10, …, 0.95. */
export const CALIBRATION_THRESHOLDS: readonly number[] = Array.from(
  { length: 19 },
  (_, i) => Math.round((i + 1) * 5) / 100
);

/**
 * Choose the foreground threshold that matches the labelled objects best:
 * for each threshold, the instance labels (same method and minimum size as
 * the run) are matched with the ground truth at IoU 0.5. Pairs of
 * probability map and labels from several images are pooled (counts summed,
 * as StarDist's matching_dataset), so a few labelled images calibrate better
 * than one.
 */
export function calibrateThreshold(
  pairs: ReadonlyArray<{ probability: INDArray; groundTruth: INDArray }>,
  options: {
    minSize: number;
    method: InstanceMethod;
    boundaries?: ReadonlyArray<INDArray | null>;
    thresholds?: readonly number[];
  }
): IThresholdCalibration {
  if (!pairs.length) {
    throw new Error('calibration needs at least one labelled image');
  }
  for (const p of pairs) {
    assertSameShape(p.groundTruth, p.probability);
  }
  const method: InstanceMethod =
    options.method === 'none' ? 'connected_components' : options.method;
  const points = (options.thresholds ?? CALIBRATION_THRESHOLDS).map(t => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let objects = 0;
    pairs.forEach((p, k) => {
      const labels = instanceLabels(p.probability, {
        threshold: t,
        minSize: options.minSize,
        method,
        boundary: options.boundaries?.[k] ?? null
      });
      const [s] = matching(p.groundTruth, labels, { thresholds: [0.5] });
      tp += s.tp;
      fp += s.fp;
      fn += s.fn;
      objects += s.nPred;
    });
    const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    return { threshold: t, f1, objects };
  });
  let best = points[0];
  for (const p of points) {
    if (p.f1 > best.f1) {
      best = p;
    }
  }
  return { points, best: { threshold: best.threshold, f1: best.f1 } };
}
