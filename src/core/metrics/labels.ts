/**
 * Post-processing helpers for instance label images: thresholding,
 * connected-component labelling, small-object removal and sequential
 * relabelling. Numbering follows scipy.ndimage.label / skimage.measure.label:
 * components are numbered 1, 2, … in raster order of their first pixel.
 */
import { INDArray } from '../tensor/tensor';
import {
  asNumbers,
  gridNeighbourhood,
  inBounds,
  incrementCoords,
  int32Array
} from './common';

/** A label image and its number of objects. */
export interface ILabelResult {
  /** int32 labels, 0 = background. */
  labels: INDArray;
  /** Number of labels (the largest label when labels are sequential). */
  count: number;
}

/** Binary mask (dtype 'bool', stored as 0/1) of `image > threshold`. */
export function threshold(image: INDArray, t: number): INDArray {
  const v = asNumbers(image.data);
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    out[i] = v[i] > t ? 1 : 0;
  }
  return { dtype: 'bool', shape: [...image.shape], data: out };
}

/** Root of `x` in a union-find forest (path halving). */
function findRoot(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/**
 * Connected components of the non-zero pixels of `mask` (any ndim).
 *
 * `connectivity` as in skimage: the maximum number of orthogonal steps to a
 * neighbour, 1 … ndim. 2D: 1 = 4-connectivity, 2 = 8 (default: ndim, i.e.
 * full connectivity, as skimage). 3D: 1 = 6, 2 = 18, 3 = 26. Note that, unlike
 * skimage on integer input, all non-zero values form one foreground: pass a
 * binary mask.
 *
 * Two-pass union-find; the second pass numbers roots as they are first met
 * in raster order, which reproduces scipy/skimage numbering.
 */
export function connectedComponents(
  mask: INDArray,
  connectivity?: number
): ILabelResult {
  const shape = mask.shape;
  const v = asNumbers(mask.data);
  const nb = gridNeighbourhood(shape, connectivity ?? shape.length, true);
  const provisional = new Int32Array(v.length);
  // Provisional label k ≥ 1 has parent[k]; at most one new label per pixel.
  const parent = new Int32Array(v.length + 1);
  let next = 1;
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < v.length; i++, incrementCoords(coords, shape)) {
    if (v[i] === 0) {
      continue;
    }
    let label = 0;
    for (let k = 0; k < nb.deltas.length; k++) {
      if (!inBounds(coords, nb.offsets[k], shape)) {
        continue;
      }
      const other = provisional[i + nb.deltas[k]];
      if (other === 0) {
        continue;
      }
      if (label === 0) {
        label = findRoot(parent, other);
      } else {
        const a = findRoot(parent, label);
        const b = findRoot(parent, other);
        if (a !== b) {
          // Keep the smaller root so roots stay the earliest label of each set.
          parent[Math.max(a, b)] = Math.min(a, b);
          label = Math.min(a, b);
        }
      }
    }
    if (label === 0) {
      label = next++;
      parent[label] = label;
    }
    provisional[i] = label;
  }
  const final = new Int32Array(next);
  let count = 0;
  for (let i = 0; i < v.length; i++) {
    if (provisional[i] !== 0) {
      const root = findRoot(parent, provisional[i]);
      if (final[root] === 0) {
        final[root] = ++count;
      }
      provisional[i] = final[root];
    }
  }
  return { labels: int32Array(shape, provisional), count };
}

/** Pixel (voxel) count of every label, keyed by label (background excluded). */
export function objectSizes(labels: INDArray): Map<number, number> {
  const v = asNumbers(labels.data);
  const sizes = new Map<number, number>();
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) {
      sizes.set(v[i], (sizes.get(v[i]) ?? 0) + 1);
    }
  }
  return sizes;
}

/**
 * Removes labelled objects with fewer than `minSize` pixels; ids of the
 * others are kept. Equals skimage's `remove_small_objects` on a label image
 * with the deprecated `min_size=minSize`, i.e. with 0.26's
 * `max_size=minSize - 1` (which removes objects of ≤ max_size pixels).
 * Pass a label image, not a binary mask. int32 output.
 */
export function removeSmallObjects(
  labels: INDArray,
  minSize: number
): INDArray {
  const sizes = objectSizes(labels);
  const v = asNumbers(labels.data);
  const out = int32Array(labels.shape);
  const data = out.data as Int32Array;
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0 && (sizes.get(v[i]) as number) >= minSize) {
      data[i] = v[i];
    }
  }
  return out;
}

/**
 * Relabels to 1…n in order of the sorted unique non-zero labels (skimage
 * `relabel_sequential`). `inverse[k]` is the original id of new label k
 * (`inverse[0] = 0`).
 */
export function relabelSequential(
  labels: INDArray
): ILabelResult & { inverse: number[] } {
  const v = asNumbers(labels.data);
  const ids = [...objectSizes(labels).keys()].sort((a, b) => a - b);
  const forward = new Map<number, number>(ids.map((l, k) => [l, k + 1]));
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    out[i] = v[i] === 0 ? 0 : (forward.get(v[i]) as number);
  }
  return {
    labels: int32Array(labels.shape, out),
    count: ids.length,
    inverse: [0, ...ids]
  };
}
