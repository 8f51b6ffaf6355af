/**
 * Small array helpers of the wizard: fix axes to one index (a z plane, an
 * output channel), and turn probability maps into instance labels exactly as
 * the generated kernel code does (`jupyterlab_bioimage.analysis.instances`),
 * so browser and kernel numbers agree. Pure TypeScript.
 */
import type { InstanceMethod } from '../record/run-record';
import {
  connectedComponents,
  relabelSequential,
  removeSmallObjects,
  seededWatershed,
  threshold
} from '../metrics';
import { allocate, type INDArray, sizeOf, stridesOf } from '../tensor/tensor';

/** An array with one axis name per dimension (letters or axis ids). */
export interface ILabelledArray {
  array: INDArray;
  axes: string[];
}

/**
 * Remove the axes named in `fixed` by taking one index along each, and drop
 * other length-1 axes that are not spatial (batch, a single channel).
 */
export function fixAxes(
  a: ILabelledArray,
  fixed: Record<string, number>
): ILabelledArray {
  const { array, axes } = a;
  const strides = stridesOf(array.shape);
  let base = 0;
  const keep: number[] = [];
  axes.forEach((name, k) => {
    const key = name.toLowerCase();
    if (key in fixed) {
      const i = fixed[key];
      if (!Number.isInteger(i) || i < 0 || i >= array.shape[k]) {
        throw new RangeError(
          `${key}=${i} is outside 0…${array.shape[k] - 1} of this array`
        );
      }
      base += i * strides[k];
    } else if (array.shape[k] !== 1 || 'zyx'.includes(key)) {
      keep.push(k);
    }
  });
  const shape = keep.map(k => array.shape[k]);
  const n = sizeOf(shape);
  const out = allocate(array.dtype, n);
  const src = array.data as unknown as ArrayLike<number>;
  const dst = out as unknown as { [i: number]: number };
  const idx = new Array<number>(keep.length).fill(0);
  let offset = base;
  for (let o = 0; o < n; o++) {
    dst[o] = src[offset];
    // Odometer over the kept axes, innermost first.
    for (let d = keep.length - 1; d >= 0; d--) {
      const k = keep[d];
      idx[d]++;
      offset += strides[k];
      if (idx[d] < shape[d]) {
        break;
      }
      offset -= strides[k] * shape[d];
      idx[d] = 0;
    }
  }
  return {
    array: { dtype: array.dtype, shape, data: out },
    axes: keep.map(k => axes[k])
  };
}

/** Options of {@link instanceLabels}, as in the run record. */
export interface IInstanceOptions {
  threshold: number;
  minSize: number;
  method: InstanceMethod;
  /**
   * Boundary probability for the seeded watershed (the other channel of a
   * two-channel output); without one the watershed seeds from F > 0.9.
   */
  boundary?: INDArray | null;
}

/**
 * Labels from a foreground probability map F, exactly as the generated
 * kernel code (`jupyterlab_bioimage.kernel.labels.instances`):
 *
 * - `none`: the mask F > threshold as labels 0/1 (no size filter);
 * - `connected_components`: connected components of F > threshold with
 *   full connectivity (8 in 2D, 26 in 3D), numbered in raster order;
 * - `watershed`: the seeded watershed of `../metrics/watershed.ts` (seeds
 *   from the foreground and boundary channels);
 *
 * then objects under `minSize` pixels are removed and the rest renumbered
 * 1…n in order.
 */
export function instanceLabels(
  probability: INDArray,
  options: IInstanceOptions
): INDArray {
  if (options.method === 'none') {
    const mask = threshold(probability, options.threshold);
    const data = new Int32Array(mask.data as Uint8Array);
    return { dtype: 'int32', shape: [...mask.shape], data };
  }
  if (options.method === 'watershed') {
    return seededWatershed(probability, options.boundary ?? null, {
      foregroundThreshold: options.threshold,
      minSize: options.minSize
    }).labels;
  }
  if (options.method !== 'connected_components') {
    throw new Error(`unknown instance method ${String(options.method)}`);
  }
  const labels = connectedComponents(
    threshold(probability, options.threshold),
    probability.shape.length
  ).labels;
  if (options.minSize > 0) {
    return relabelSequential(removeSmallObjects(labels, options.minSize))
      .labels;
  }
  return labels;
}

/**
 * A centred crop of at most `size` × `size` pixels along y and x (other
 * axes kept), for quick previews before the full run.
 */
export function centreCrop(a: ILabelledArray, size: number): ILabelledArray {
  const { array, axes } = a;
  const yi = axes.indexOf('y');
  const xi = axes.indexOf('x');
  if (yi < 0 || xi < 0) {
    throw new Error('a crop needs y and x axes');
  }
  const start = array.shape.map((n, k) =>
    k === yi || k === xi
      ? Math.max(0, Math.floor((n - Math.min(n, size)) / 2))
      : 0
  );
  const shape = array.shape.map((n, k) =>
    k === yi || k === xi ? Math.min(n, size) : n
  );
  const strides = stridesOf(array.shape);
  const n = sizeOf(shape);
  const out = allocate(array.dtype, n);
  const src = array.data as unknown as ArrayLike<number>;
  const dst = out as unknown as { [i: number]: number };
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let offset = 0;
    for (let d = 0; d < shape.length; d++) {
      offset += (start[d] + idx[d]) * strides[d];
    }
    dst[o] = src[offset];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        break;
      }
      idx[d] = 0;
    }
  }
  return { array: { dtype: array.dtype, shape, data: out }, axes: [...axes] };
}
