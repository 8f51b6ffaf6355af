/**
 * Pixel-level segmentation overlap (IoU / Jaccard and Dice) of binarised
 * label images, as ZeroCostDL4Mic's StarDist QC computes it (`label > 0`).
 */
import { INDArray } from '../tensor/tensor';
import { asNumbers, assertSameShape } from './common';

/** Pixel overlap of two binarised masks. */
export interface IPixelOverlap {
  /** |A|: foreground pixels of the ground truth. */
  sizeTrue: number;
  /** |B|: foreground pixels of the prediction. */
  sizePred: number;
  /** |A ∩ B|. */
  intersection: number;
  /** |A ∪ B|. */
  union: number;
  /**
   * |A∩B| / |A∪B|. NaN ("undefined") when both masks are empty: the digest's
   * recommended convention; callers must show it as such and must not average
   * it silently into a dataset mean. 0 when only one mask is empty.
   */
  iou: number;
  /** 2|A∩B| / (|A| + |B|), with the same empty-mask convention as `iou`. */
  dice: number;
}

/**
 * IoU and Dice of `yTrue > 0` against `yPred > 0` (any dtype, any number of
 * dimensions; shapes must match).
 */
export function pixelOverlap(yTrue: INDArray, yPred: INDArray): IPixelOverlap {
  assertSameShape(yTrue, yPred, 'pixelOverlap');
  const a = asNumbers(yTrue.data);
  const b = asNumbers(yPred.data);
  let sizeTrue = 0;
  let sizePred = 0;
  let intersection = 0;
  for (let i = 0; i < a.length; i++) {
    const fa = a[i] > 0;
    const fb = b[i] > 0;
    if (fa) {
      sizeTrue++;
    }
    if (fb) {
      sizePred++;
    }
    if (fa && fb) {
      intersection++;
    }
  }
  const union = sizeTrue + sizePred - intersection;
  // 0/0 deliberately yields NaN for empty-vs-empty (see IPixelOverlap.iou).
  const iou = union === 0 ? NaN : intersection / union;
  const dice = union === 0 ? NaN : (2 * intersection) / (sizeTrue + sizePred);
  return { sizeTrue, sizePred, intersection, union, iou, dice };
}
