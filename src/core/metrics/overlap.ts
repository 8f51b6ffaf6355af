/**
 * The overlap (contingency) table of two label images and StarDist's matching
 * criteria on it. Only non-background pairs with a non-zero overlap are
 * stored (a sparse map keyed by the label pair), since a typical image has a
 * few hundred objects but only a few overlapping pairs per object.
 */

/** StarDist's matching criteria: intersection over union / true / pred. */
export type MatchingCriterion = 'iou' | 'iot' | 'iop';

/** Sparse overlap table after relabelling both images to 1…n (0 = background). */
export interface ILabelOverlap {
  nTrue: number;
  nPred: number;
  /** `trueIds[k]` is the original id of relabelled true object k+1. */
  trueIds: number[];
  predIds: number[];
  /** Object areas, indexed by relabelled id (index 0 = background). */
  areaTrue: Float64Array;
  areaPred: Float64Array;
  /** Parallel arrays of the overlapping pairs (relabelled ids ≥ 1) and pixel counts. */
  pairTrue: Int32Array;
  pairPred: Int32Array;
  pairCount: Float64Array;
}

/** Non-zero matching scores (float32 values, as StarDist) of the overlapping pairs. */
export interface ISparseScores {
  criterion: MatchingCriterion;
  nTrue: number;
  nPred: number;
  trueIds: number[];
  predIds: number[];
  pairTrue: Int32Array;
  pairPred: Int32Array;
  score: Float32Array;
}

/** Labels above this use a Map instead of a dense lookup table. */
const MAX_LUT_LABEL = 1 << 24;

/**
 * Relabels to 1…n in order of the sorted unique non-zero labels (as
 * `relabel_sequential`), returning the new ids and the reverse map.
 */
function relabel(v: ArrayLike<number>): {
  ids: Int32Array;
  originals: number[];
} {
  let max = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] > max) {
      max = v[i];
    }
  }
  const ids = new Int32Array(v.length);
  const originals: number[] = [];
  if (max <= MAX_LUT_LABEL) {
    const lut = new Int32Array(max + 1);
    for (let i = 0; i < v.length; i++) {
      lut[v[i]] = 1;
    }
    lut[0] = 0;
    for (let l = 1; l <= max; l++) {
      if (lut[l]) {
        originals.push(l);
        lut[l] = originals.length;
      }
    }
    for (let i = 0; i < v.length; i++) {
      ids[i] = lut[v[i]];
    }
  } else {
    const unique = new Set<number>();
    for (let i = 0; i < v.length; i++) {
      if (v[i] !== 0) {
        unique.add(v[i]);
      }
    }
    originals.push(...[...unique].sort((a, b) => a - b));
    const map = new Map<number, number>(originals.map((l, k) => [l, k + 1]));
    for (let i = 0; i < v.length; i++) {
      ids[i] = v[i] === 0 ? 0 : (map.get(v[i]) as number);
    }
  }
  return { ids, originals };
}

/**
 * The overlap table of two label images given as flat value arrays of equal
 * length (validated non-negative integers).
 */
export function labelOverlap(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>
): ILabelOverlap {
  if (yTrue.length !== yPred.length) {
    throw new Error('labelOverlap: inputs differ in size');
  }
  const t = relabel(yTrue);
  const p = relabel(yPred);
  const nTrue = t.originals.length;
  const nPred = p.originals.length;
  const areaTrue = new Float64Array(nTrue + 1);
  const areaPred = new Float64Array(nPred + 1);
  const counts = new Map<number, number>();
  const stride = nPred + 1;
  for (let k = 0; k < t.ids.length; k++) {
    const i = t.ids[k];
    const j = p.ids[k];
    areaTrue[i]++;
    areaPred[j]++;
    if (i !== 0 && j !== 0) {
      const key = i * stride + j;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const pairTrue = new Int32Array(keys.length);
  const pairPred = new Int32Array(keys.length);
  const pairCount = new Float64Array(keys.length);
  keys.forEach((key, k) => {
    pairTrue[k] = Math.floor(key / stride);
    pairPred[k] = key % stride;
    pairCount[k] = counts.get(key) as number;
  });
  return {
    nTrue,
    nPred,
    trueIds: t.originals,
    predIds: p.originals,
    areaTrue,
    areaPred,
    pairTrue,
    pairPred,
    pairCount
  };
}

/**
 * StarDist's criterion scores of the overlapping pairs: IoU = o/(|T|+|P|−o),
 * IoT = o/|T|, IoP = o/|P|, each a safe divide (0 when the denominator is
 * ≤ 1e-10) rounded to float32. Absent pairs have score 0.
 */
export function matchingScores(
  overlap: ILabelOverlap,
  criterion: MatchingCriterion
): ISparseScores {
  if (criterion !== 'iou' && criterion !== 'iot' && criterion !== 'iop') {
    throw new Error(`Matching criterion '${String(criterion)}' not supported.`);
  }
  const { pairTrue, pairPred, pairCount, areaTrue, areaPred } = overlap;
  const score = new Float32Array(pairCount.length);
  for (let k = 0; k < pairCount.length; k++) {
    const o = pairCount[k];
    const at = areaTrue[pairTrue[k]];
    const ap = areaPred[pairPred[k]];
    const den =
      criterion === 'iou' ? at + ap - o : criterion === 'iot' ? at : ap;
    score[k] = Math.abs(den) > 1e-10 ? o / den : 0;
  }
  return {
    criterion,
    nTrue: overlap.nTrue,
    nPred: overlap.nPred,
    trueIds: overlap.trueIds,
    predIds: overlap.predIds,
    pairTrue,
    pairPred,
    score
  };
}
