/**
 * Test-time augmentation (TTA) helpers: the 8 flips/90° rotations of the
 * last two axes (the y, x plane; leading axes such as batch, channel or z are
 * carried along), their inverses, and agreement measures across the
 * de-augmented predictions.
 *
 * Rotation follows numpy's `np.rot90(a, k, axes=(-2, -1))` (counter-clockwise
 * for k = 1); `flip` mirrors the x axis (`np.flip(a, -1)`) and is applied
 * before the rotation.
 */
import { INDArray, TypedArray, allocate, sizeOf } from '../tensor/tensor';
import { asNumbers, assertSameShape } from './common';

/** One element of the dihedral group D4 acting on the (y, x) plane. */
export interface IPlaneTransform {
  /** Number of counter-clockwise quarter turns, 0 … 3. */
  rot: 0 | 1 | 2 | 3;
  /** Mirror x before rotating. */
  flip: boolean;
}

/** All 8 plane transforms, identity first. */
export const D4_TRANSFORMS: readonly IPlaneTransform[] = [false, true].flatMap(
  flip => ([0, 1, 2, 3] as const).map(rot => ({ rot, flip }))
);

/** Copies `src[index[k]]` to `out[k]`, for any typed array kind. */
function gather(
  src: TypedArray,
  dtype: INDArray['dtype'],
  index: Int32Array
): TypedArray {
  const out = allocate(dtype, index.length);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    const s = src as BigInt64Array | BigUint64Array;
    for (let k = 0; k < index.length; k++) {
      out[k] = s[index[k]];
    }
  } else {
    const s = src as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
    for (let k = 0; k < index.length; k++) {
      out[k] = s[index[k]];
    }
  }
  return out;
}

/** Source index in an h × w plane for output (i, j) after rot90 by k. */
function rotSource(
  k: number,
  i: number,
  j: number,
  h: number,
  w: number
): number {
  switch (k) {
    case 1: // out is w × h: out[i][j] = in[j][w−1−i]
      return j * w + (w - 1 - i);
    case 2:
      return (h - 1 - i) * w + (w - 1 - j);
    case 3: // out is w × h: out[i][j] = in[h−1−j][i]
      return (h - 1 - j) * w + i;
    default:
      return i * w + j;
  }
}

function checkPlane(a: INDArray): [number, number, number] {
  if (a.shape.length < 2) {
    throw new Error('TTA transforms need at least 2 axes (…, y, x)');
  }
  const h = a.shape[a.shape.length - 2];
  const w = a.shape[a.shape.length - 1];
  return [sizeOf(a.shape) / (h * w), h, w];
}

/** numpy `rot90(a, k, axes=(-2, -1))`: k counter-clockwise quarter turns (k may be negative). */
export function rot90Plane(a: INDArray, k: number): INDArray {
  const [lead, h, w] = checkPlane(a);
  const kk = ((k % 4) + 4) % 4;
  const [oh, ow] = kk % 2 === 1 ? [w, h] : [h, w];
  const index = new Int32Array(lead * h * w);
  for (let b = 0; b < lead; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        index[b * h * w + i * ow + j] = b * h * w + rotSource(kk, i, j, h, w);
      }
    }
  }
  return {
    dtype: a.dtype,
    shape: [...a.shape.slice(0, -2), oh, ow],
    data: gather(a.data, a.dtype, index)
  };
}

/** numpy `flip(a, axis)` for the plane axes: `'y'` (axis −2) or `'x'` (axis −1). */
export function flipPlane(a: INDArray, axis: 'y' | 'x'): INDArray {
  const [lead, h, w] = checkPlane(a);
  const index = new Int32Array(lead * h * w);
  for (let b = 0; b < lead; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const si = axis === 'y' ? h - 1 - i : i;
        const sj = axis === 'x' ? w - 1 - j : j;
        index[b * h * w + i * w + j] = b * h * w + si * w + sj;
      }
    }
  }
  return {
    dtype: a.dtype,
    shape: [...a.shape],
    data: gather(a.data, a.dtype, index)
  };
}

/** Applies `t` (flip x, then rotate). */
export function applyPlaneTransform(a: INDArray, t: IPlaneTransform): INDArray {
  const flipped = t.flip ? flipPlane(a, 'x') : a;
  return t.rot === 0 ? flipped : rot90Plane(flipped, t.rot);
}

/** Undoes `t` on a prediction made from `applyPlaneTransform(input, t)`. */
export function invertPlaneTransform(
  a: INDArray,
  t: IPlaneTransform
): INDArray {
  const unrotated = t.rot === 0 ? a : rot90Plane(a, -t.rot);
  return t.flip ? flipPlane(unrotated, 'x') : unrotated;
}

/** Element-wise mean of equally shaped predictions (float64). */
export function meanPrediction(preds: readonly INDArray[]): INDArray {
  checkStack(preds);
  const out = new Float64Array(sizeOf(preds[0].shape));
  for (const p of preds) {
    const v = asNumbers(p.data);
    for (let i = 0; i < out.length; i++) {
      out[i] += v[i] / preds.length;
    }
  }
  return { dtype: 'float64', shape: [...preds[0].shape], data: out };
}

/**
 * Disagreement map: per-element population standard deviation (ddof 0, as
 * `np.std(stack, axis=0)`) across de-augmented predictions (float64).
 */
export function disagreementMap(preds: readonly INDArray[]): INDArray {
  const mean = meanPrediction(preds).data as Float64Array;
  const out = new Float64Array(mean.length);
  for (const p of preds) {
    const v = asNumbers(p.data);
    for (let i = 0; i < out.length; i++) {
      const d = v[i] - mean[i];
      out[i] += d * d;
    }
  }
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.sqrt(out[i] / preds.length);
  }
  return { dtype: 'float64', shape: [...preds[0].shape], data: out };
}

/** Summary of how consistent de-augmented predictions are. */
export interface ITtaConsistency {
  /** Mean of the disagreement (std) map. */
  meanStd: number;
  /** Maximum of the disagreement map. */
  maxStd: number;
  /**
   * The consistency score: mean IoU over all pairs of predictions binarised
   * at `threshold` (1 = all augmentations give the same mask). A pair of
   * empty masks agrees perfectly and counts as 1 here, unlike the NaN of
   * pixel IoU, because this measures agreement, not accuracy.
   */
  meanPairwiseIoU: number;
}

/** Disagreement statistics and the pairwise-IoU consistency score. */
export function consistencyScore(
  preds: readonly INDArray[],
  threshold = 0.5
): ITtaConsistency {
  const std = disagreementMap(preds).data as Float64Array;
  let sum = 0;
  let max = 0;
  for (let i = 0; i < std.length; i++) {
    sum += std[i];
    max = Math.max(max, std[i]);
  }
  const masks = preds.map(p => {
    const v = asNumbers(p.data);
    const m = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      m[i] = v[i] > threshold ? 1 : 0;
    }
    return m;
  });
  let iouSum = 0;
  let pairs = 0;
  for (let a = 0; a < masks.length; a++) {
    for (let b = a + 1; b < masks.length; b++) {
      let inter = 0;
      let union = 0;
      for (let i = 0; i < std.length; i++) {
        inter += masks[a][i] & masks[b][i];
        union += masks[a][i] | masks[b][i];
      }
      iouSum += union === 0 ? 1 : inter / union;
      pairs++;
    }
  }
  return {
    meanStd: sum / std.length,
    maxStd: max,
    meanPairwiseIoU: pairs === 0 ? 1 : iouSum / pairs
  };
}

function checkStack(preds: readonly INDArray[]): void {
  if (preds.length === 0) {
    throw new Error('TTA: no predictions');
  }
  for (const p of preds) {
    assertSameShape(preds[0], p, 'TTA predictions');
  }
}
