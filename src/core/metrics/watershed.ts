/**
 * Seeded watershed for turning a foreground probability (and optionally a
 * boundary probability) into instance labels, the usual post-processing of
 * U-Net style "foreground + boundary" outputs.
 *
 * Method (documented so users can reproduce it elsewhere):
 *  1. mask  = foreground > tFg: the region to be labelled;
 *  2. seeds = connected components of (foreground > tFg AND boundary < tB)
 *     (without a boundary map: foreground > tSeed), seeds smaller than
 *     `minSeedSize` dropped, numbered in raster order;
 *  3. elevation = boundary (without a boundary map: 1 − foreground);
 *  4. priority flood: pixels are taken from a queue ordered by (elevation,
 *     insertion order); each unlabelled in-mask neighbour of a taken pixel gets
 *     that pixel's label and is queued. Mask pixels that no seed reaches stay 0;
 *  5. optionally, objects smaller than `minSize` are removed.
 *
 * This is the same flooding scheme as skimage.segmentation.watershed with
 * markers and a mask (labels assigned when queued, ties by age), but exact
 * equality with skimage is not guaranteed.
 */
import { INDArray, sizeOf } from '../tensor/tensor';
import {
  asNumbers,
  assertSameShape,
  gridNeighbourhood,
  inBounds,
  int32Array,
  unravel
} from './common';
import {
  ILabelResult,
  connectedComponents,
  removeSmallObjects
} from './labels';

/** Options of {@link seededWatershed}. */
export interface IWatershedOptions {
  /** Foreground threshold tFg (mask = fg > tFg). Default 0.5. */
  foregroundThreshold?: number;
  /** Boundary threshold tB for seeds (boundary < tB). Default 0.5. */
  boundaryThreshold?: number;
  /** Seed threshold without a boundary map (fg > tSeed). Default 0.9. */
  seedThreshold?: number;
  /** skimage-style connectivity (1 … ndim) for seeds and flooding. Default 1. */
  connectivity?: number;
  /** Seeds with fewer pixels are discarded. Default 1 (keep all). */
  minSeedSize?: number;
  /** Final objects with fewer pixels are removed. Default 0 (keep all). */
  minSize?: number;
}

/** Binary min-heap of pixel indices keyed by (priority, age). */
class PixelQueue {
  private keys: Float64Array;
  private ages: Float64Array;
  private items: Int32Array;
  private n = 0;
  private age = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.ages = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  private less(a: number, b: number): boolean {
    return (
      this.keys[a] < this.keys[b] ||
      (this.keys[a] === this.keys[b] && this.ages[a] < this.ages[b])
    );
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.ages[a], this.ages[b]] = [this.ages[b], this.ages[a]];
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
  }

  push(item: number, key: number): void {
    let i = this.n++;
    this.keys[i] = key;
    this.ages[i] = this.age++;
    this.items[i] = item;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) {
        break;
      }
      this.swap(i, p);
      i = p;
    }
  }

  pop(): number {
    const top = this.items[0];
    this.n--;
    if (this.n > 0) {
      this.swap(0, this.n);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.n && this.less(l, m)) {
          m = l;
        }
        if (r < this.n && this.less(r, m)) {
          m = r;
        }
        if (m === i) {
          break;
        }
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Marker-based watershed: floods `markers` (int labels, 0 = unlabelled) over
 * `elevation`, restricted to the non-zero pixels of `mask` (all pixels when
 * omitted). Returns int32 labels.
 */
export function watershedFromMarkers(
  elevation: INDArray,
  markers: INDArray,
  mask?: INDArray,
  connectivity = 1
): INDArray {
  assertSameShape(elevation, markers, 'watershed');
  if (mask) {
    assertSameShape(elevation, mask, 'watershed');
  }
  const shape = elevation.shape;
  const n = sizeOf(shape);
  const elev = asNumbers(elevation.data);
  const inMask = mask ? asNumbers(mask.data) : null;
  const labels = Int32Array.from(asNumbers(markers.data));
  const nb = gridNeighbourhood(shape, connectivity, false);
  const queue = new PixelQueue(n);
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0) {
      queue.push(i, elev[i]);
    }
  }
  const coords = new Array<number>(shape.length).fill(0);
  while (queue.size > 0) {
    const i = queue.pop();
    unravel(i, shape, coords);
    for (let k = 0; k < nb.deltas.length; k++) {
      if (!inBounds(coords, nb.offsets[k], shape)) {
        continue;
      }
      const j = i + nb.deltas[k];
      if (labels[j] !== 0 || (inMask !== null && inMask[j] === 0)) {
        continue;
      }
      labels[j] = labels[i];
      queue.push(j, elev[j]);
    }
  }
  return int32Array(shape, labels);
}

/**
 * Instance labels from a foreground probability map and an optional boundary
 * probability map (same shape, 2D or 3D), by the seeded watershed described
 * in this module's header.
 */
export function seededWatershed(
  foreground: INDArray,
  boundary: INDArray | null,
  options: IWatershedOptions = {}
): ILabelResult {
  const tFg = options.foregroundThreshold ?? 0.5;
  const tB = options.boundaryThreshold ?? 0.5;
  const tSeed = options.seedThreshold ?? 0.9;
  const connectivity = options.connectivity ?? 1;
  const fg = asNumbers(foreground.data);
  const bd = boundary ? asNumbers(boundary.data) : null;
  if (boundary) {
    assertSameShape(foreground, boundary, 'seededWatershed');
  }
  const n = fg.length;
  const mask = new Uint8Array(n);
  const seedMask = new Uint8Array(n);
  const elevation = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mask[i] = fg[i] > tFg ? 1 : 0;
    seedMask[i] = bd
      ? mask[i] && bd[i] < tB
        ? 1
        : 0
      : fg[i] > tSeed && mask[i]
        ? 1
        : 0;
    elevation[i] = bd ? bd[i] : 1 - fg[i];
  }
  const shape = foreground.shape;
  let seeds = connectedComponents(
    { dtype: 'bool', shape, data: seedMask },
    connectivity
  ).labels;
  if ((options.minSeedSize ?? 1) > 1) {
    // Drop tiny seeds, then renumber the survivors in raster order.
    const kept = removeSmallObjects(seeds, options.minSeedSize ?? 1);
    seeds = renumberRaster(kept);
  }
  let labels = watershedFromMarkers(
    { dtype: 'float64', shape, data: elevation },
    seeds,
    { dtype: 'bool', shape, data: mask },
    connectivity
  );
  if ((options.minSize ?? 0) > 0) {
    labels = renumberRaster(removeSmallObjects(labels, options.minSize ?? 0));
  }
  let count = 0;
  const data = labels.data as Int32Array;
  for (let i = 0; i < data.length; i++) {
    count = Math.max(count, data[i]);
  }
  return { labels, count };
}

/** Renumbers labels 1…n in raster order of first appearance (keeps distinct objects distinct). */
function renumberRaster(labels: INDArray): INDArray {
  const v = asNumbers(labels.data);
  const map = new Map<number, number>();
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) {
      let m = map.get(v[i]);
      if (m === undefined) {
        m = map.size + 1;
        map.set(v[i], m);
      }
      out[i] = m;
    }
  }
  return int32Array(labels.shape, out);
}
