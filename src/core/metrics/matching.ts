/**
 * Instance-segmentation matching exactly as StarDist's `stardist/matching.py`
 * (0.9.1): relabel, overlap (contingency) table, IoU/IoT/IoP scores in
 * float32, one optimal assignment per threshold, then tp/fp/fn and the derived
 * ratios. See ../shared/docs/metrics-digest.md §2 for the definitions.
 *
 * Field names are the camelCase versions of StarDist's (`n_true` → `nTrue`,
 * `mean_true_score` → `meanTrueScore`, …). `accuracy` is TP/(TP+FP+FN), which
 * StarDist and Cellpose call "AP"; it is not COCO AP.
 */
import { INDArray } from '../tensor/tensor';
import { assertSameShape, labelValues } from './common';
import {
  ISparseScores,
  MatchingCriterion,
  labelOverlap,
  matchingScores
} from './overlap';
import { solveMatching } from './solve';

export { labelOverlap, matchingScores } from './overlap';
export type {
  MatchingCriterion,
  ILabelOverlap,
  ISparseScores
} from './overlap';

/** The thresholds the wizard reports: 0.5, 0.55, …, 0.9. */
export const STARDIST_THRESHOLDS: readonly number[] = [
  0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9
];

/** Options of {@link matching}. */
export interface IMatchingOptions {
  /** IoU (or IoT/IoP) thresholds; default {@link STARDIST_THRESHOLDS}. */
  thresholds?: readonly number[];
  /** Default `'iou'`. */
  criterion?: MatchingCriterion;
  /** Also return the assigned pairs, like StarDist's `report_matches=True`. */
  reportMatches?: boolean;
}

/** StarDist's `Matching` namedtuple for one threshold. */
export interface IMatchingStats {
  criterion: MatchingCriterion;
  thresh: number;
  fp: number;
  tp: number;
  fn: number;
  /** tp/(tp+fp), 0 when tp = 0. */
  precision: number;
  /** tp/(tp+fn), 0 when tp = 0. */
  recall: number;
  /** tp/(tp+fp+fn), 0 when tp = 0 ("AP" in the StarDist/Cellpose papers). */
  accuracy: number;
  /** 2tp/(2tp+fp+fn), 0 when tp = 0 (object-level, not pixel Dice). */
  f1: number;
  nTrue: number;
  nPred: number;
  /** Sum of TP scores / nTrue. */
  meanTrueScore: number;
  /** Sum of TP scores / tp (segmentation quality SQ for IoU). */
  meanMatchedScore: number;
  /** Sum of TP scores / (tp + fp/2 + fn/2) = SQ·RQ. */
  panopticQuality: number;
  /** All min(nTrue, nPred) assigned pairs as original (true id, pred id), sorted by true id. */
  matchedPairs?: Array<[number, number]>;
  /** float32 scores of `matchedPairs`. */
  matchedScores?: number[];
  /** Indices into `matchedPairs` of the pairs with score ≥ thresh. */
  matchedTps?: number[];
}

/** StarDist's `DatasetMatching`: the per-threshold aggregate over images. */
export interface IDatasetMatchingStats extends IMatchingStats {
  byImage: boolean;
}

/** 0 when tp = 0, as StarDist's precision/recall/accuracy/f1 helpers. */
function ratio(tp: number, num: number, den: number): number {
  return tp > 0 ? num / den : 0;
}

/** StarDist's `_safe_divide`: 0 unless the denominator is positive. */
function safeDivide(x: number, y: number): number {
  return y > 0 ? x / y : 0;
}

/** The count-derived fields shared by single-image and micro-averaged stats. */
function derived(
  tp: number,
  fp: number,
  fn: number,
  nTrue: number,
  sumScore: number
): Pick<
  IMatchingStats,
  | 'precision'
  | 'recall'
  | 'accuracy'
  | 'f1'
  | 'meanTrueScore'
  | 'meanMatchedScore'
  | 'panopticQuality'
> {
  return {
    precision: ratio(tp, tp, tp + fp),
    recall: ratio(tp, tp, tp + fn),
    accuracy: ratio(tp, tp, tp + fp + fn),
    f1: ratio(tp, 2 * tp, 2 * tp + fp + fn),
    meanTrueScore: safeDivide(sumScore, nTrue),
    meanMatchedScore: safeDivide(sumScore, tp),
    panopticQuality: safeDivide(sumScore, tp + fp / 2 + fn / 2)
  };
}

/** Matching statistics of one threshold from a precomputed score table. */
export function matchingFromScores(
  scores: ISparseScores,
  thresh: number,
  reportMatches = false
): IMatchingStats {
  const { nTrue, nPred, criterion } = scores;
  const nMatched = Math.min(nTrue, nPred);
  // numpy compares the float32 scores with the threshold cast to float32 (NEP 50).
  const thr = Math.fround(thresh);
  const pairs = nMatched > 0 ? solveMatching(scores, thr) : [];
  let tp = 0;
  let sumScore = 0;
  const matchedTps: number[] = [];
  pairs.forEach(([, , s], k) => {
    if (s >= thr) {
      tp++;
      sumScore += s;
      matchedTps.push(k);
    }
  });
  const fp = nPred - tp;
  const fn = nTrue - tp;
  const r = derived(tp, fp, fn, nTrue, sumScore);
  // Same field order as StarDist's namedtuple.
  const stats: IMatchingStats = {
    criterion,
    thresh,
    fp,
    tp,
    fn,
    precision: r.precision,
    recall: r.recall,
    accuracy: r.accuracy,
    f1: r.f1,
    nTrue,
    nPred,
    meanTrueScore: r.meanTrueScore,
    meanMatchedScore: r.meanMatchedScore,
    panopticQuality: r.panopticQuality
  };
  if (reportMatches) {
    stats.matchedPairs = pairs.map(([i, j]) => [
      scores.trueIds[i - 1],
      scores.predIds[j - 1]
    ]);
    stats.matchedScores = pairs.map(q => q[2]);
    stats.matchedTps = matchedTps;
  }
  return stats;
}

/**
 * StarDist's `matching(y_true, y_pred, thresh, criterion, report_matches)`
 * for a list of thresholds (one result per threshold, from one score table).
 * Inputs: integer label images (0 = background) of equal shape, 2D or 3D (any
 * ndim). Throws for float/bool dtypes or negative labels, like StarDist.
 */
export function matching(
  yTrue: INDArray,
  yPred: INDArray,
  options: IMatchingOptions = {}
): IMatchingStats[] {
  const vt = labelValues(yTrue, 'y_true');
  const vp = labelValues(yPred, 'y_pred');
  assertSameShape(yTrue, yPred, 'matching');
  const criterion = options.criterion ?? 'iou';
  const scores = matchingScores(labelOverlap(vt, vp), criterion);
  const thresholds = options.thresholds ?? STARDIST_THRESHOLDS;
  return thresholds.map(t =>
    matchingFromScores(scores, t, options.reportMatches ?? false)
  );
}

/**
 * Aggregates per-image results (`perImage[img][thresholdIndex]`) as
 * StarDist's `matching_dataset`: `byImage = false` (StarDist's default)
 * micro-averages (sums counts and score sums, then recomputes the ratios);
 * `byImage = true` averages each ratio over images while counts stay sums.
 */
export function aggregateMatching(
  perImage: ReadonlyArray<readonly IMatchingStats[]>,
  byImage = false
): IDatasetMatchingStats[] {
  if (perImage.length === 0) {
    return [];
  }
  const nImages = perImage.length;
  return perImage[0].map((first, t) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let nTrue = 0;
    let nPred = 0;
    let sumScore = 0;
    const means = {
      precision: 0,
      recall: 0,
      accuracy: 0,
      f1: 0,
      meanTrueScore: 0,
      meanMatchedScore: 0,
      panopticQuality: 0
    };
    for (const img of perImage) {
      const s = img[t];
      tp += s.tp;
      fp += s.fp;
      fn += s.fn;
      nTrue += s.nTrue;
      nPred += s.nPred;
      // StarDist recovers each image's score sum as mean_true_score * n_true.
      sumScore += s.meanTrueScore * s.nTrue;
      for (const k of Object.keys(means) as Array<keyof typeof means>) {
        means[k] += s[k] / nImages;
      }
    }
    const ratios = byImage ? means : derived(tp, fp, fn, nTrue, sumScore);
    return {
      criterion: first.criterion,
      thresh: first.thresh,
      fp,
      tp,
      fn,
      precision: ratios.precision,
      recall: ratios.recall,
      accuracy: ratios.accuracy,
      f1: ratios.f1,
      nTrue,
      nPred,
      meanTrueScore: ratios.meanTrueScore,
      meanMatchedScore: ratios.meanMatchedScore,
      panopticQuality: ratios.panopticQuality,
      byImage
    };
  });
}

/** StarDist's `matching_dataset` over paired lists of label images. */
export function matchingDataset(
  yTrue: readonly INDArray[],
  yPred: readonly INDArray[],
  options: IMatchingOptions & { byImage?: boolean } = {}
): IDatasetMatchingStats[] {
  if (yTrue.length !== yPred.length) {
    throw new Error('y_true and y_pred must have the same length.');
  }
  const per = yTrue.map((t, k) =>
    matching(t, yPred[k], {
      thresholds: options.thresholds,
      criterion: options.criterion
    })
  );
  return aggregateMatching(per, options.byImage ?? false);
}
