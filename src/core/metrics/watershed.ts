/**
 * The seeded watershed of the browser, the same algorithm as the kernel's
 * `jupyterlab_bioimage/kernel/labels.py` (identical label images; the
 * corpus tests/conformance/labels.v1.json checks both). With F the
 * foreground probability, B the boundary probability (the model's other
 * output channel), t the foreground threshold and full connectivity (8
 * neighbours in 2D, 26 in 3D):
 *
 *  1. mask = F > t;
 *  2. seeds = connected components (full connectivity, numbered in raster
 *     order of their first pixel) of mask AND B < 0.5; without a boundary
 *     channel: mask AND F > 0.9;
 *  3. elevation E = B (without a boundary channel: 1 − F), float64;
 *  4. flooding exactly as skimage.segmentation.watershed(E, seeds,
 *     mask=mask, connectivity=ndim) in scikit-image 0.26: a priority flood
 *     whose queue pops the smallest (priority, age) in skimage's binary-heap
 *     order; seed pixels are queued first, in raster order, with age 0; a
 *     pixel is labelled when it is queued, with the label of the pixel it was
 *     reached from, priority max(E(pixel), that pixel's priority) and the
 *     next age; neighbours are visited in skimage's order (by distance, then
 *     raster order);
 *  5. a connected component of the mask that holds no seed is kept as one
 *     object, labelled after the seeds in raster order of its first pixel;
 *  6. optionally, objects under `minSize` pixels are removed and the rest
 *     renumbered 1…n in order (skimage relabel_sequential).
 */
import { INDArray, sizeOf, stridesOf } from '../tensor/tensor';
import {
  asNumbers,
  assertSameShape,
  inBounds,
  int32Array,
  neighbourOffsets,
  unravel
} from './common';
import {
  ILabelResult,
  connectedComponents,
  relabelSequential,
  removeSmallObjects
} from './labels';

/** Seeds need B < 0.5 (step 2 of the header). */
export const BOUNDARY_THRESHOLD = 0.5;
/** Without a boundary channel, seeds need F > 0.9 (step 2 of the header). */
export const SEED_THRESHOLD = 0.9;

/** Options of {@link seededWatershed}. */
export interface IWatershedOptions {
  /** Foreground threshold t (mask = F > t). Default 0.5. */
  foregroundThreshold?: number;
  /** Final objects with fewer pixels are removed (step 6). Default 0 (keep all). */
  minSize?: number;
}

/**
 * Binary min-heap keyed by (priority, age), transcribed from scikit-image's
 * heap_general.pxi (push: sift up while strictly smaller; pop: last element
 * to the root, sift down to the smaller child, left first), so that equal
 * keys leave the queue in the same order as in skimage.
 */
class PixelQueue {
  private keys: Float64Array;
  private ages: Float64Array;
  private items: Int32Array;
  private n = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(1, capacity));
    this.ages = new Float64Array(Math.max(1, capacity));
    this.items = new Int32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  /** The priority of the element {@link pop} returned last. */
  lastKey = 0;

  private less(a: number, b: number): boolean {
    if (this.keys[a] !== this.keys[b]) {
      return this.keys[a] < this.keys[b];
    }
    return this.ages[a] < this.ages[b];
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.ages[a], this.ages[b]] = [this.ages[b], this.ages[a]];
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
  }

  push(item: number, key: number, age: number): void {
    let i = this.n++;
    this.keys[i] = key;
    this.ages[i] = age;
    this.items[i] = item;
    while (i > 0) {
      const p = ((i + 1) >> 1) - 1;
      if (!this.less(i, p)) {
        break;
      }
      this.swap(i, p);
      i = p;
    }
  }

  pop(): number {
    const top = this.items[0];
    this.lastKey = this.keys[0];
    this.n--;
    if (this.n === 0) {
      return top;
    }
    this.swap(0, this.n);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l >= this.n) {
        break;
      }
      if (this.less(l, i)) {
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
    return top;
  }
}

/**
 * Neighbour offsets in skimage's order for watershed: the (3^ndim box)
 * offsets with at most `connectivity` non-zero steps in C order, stably
 * sorted by their distance from the centre.
 */
function skimageNeighbours(ndim: number, connectivity: number): number[][] {
  const offsets = neighbourOffsets(ndim, connectivity, false);
  const steps = (d: number[]) => d.filter(x => x !== 0).length;
  return offsets
    .map((d, k) => ({ d, k }))
    .sort((a, b) => steps(a.d) - steps(b.d) || a.k - b.k)
    .map(o => o.d);
}

/**
 * Marker-based watershed, exactly skimage.segmentation.watershed(elevation,
 * markers, mask, connectivity) of scikit-image 0.26 (no compactness, no
 * watershed line): floods `markers` (int labels, 0 = unlabelled) over
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
  const labels = new Int32Array(n);
  const source = asNumbers(markers.data);
  const offsets = skimageNeighbours(shape.length, connectivity);
  const strides = stridesOf(shape);
  const deltas = offsets.map(d =>
    d.reduce((acc, dk, k) => acc + dk * strides[k], 0)
  );
  const queue = new PixelQueue(n);
  for (let i = 0; i < n; i++) {
    // skimage multiplies the markers by the mask.
    if (source[i] !== 0 && (inMask === null || inMask[i] !== 0)) {
      labels[i] = source[i];
      queue.push(i, elev[i], 0);
    }
  }
  let age = 1;
  const coords = new Array<number>(shape.length).fill(0);
  while (queue.size > 0) {
    const i = queue.pop();
    const priority = queue.lastKey;
    unravel(i, shape, coords);
    for (let k = 0; k < deltas.length; k++) {
      if (!inBounds(coords, offsets[k], shape)) {
        continue;
      }
      const j = i + deltas[k];
      if ((inMask !== null && inMask[j] === 0) || labels[j] !== 0) {
        continue;
      }
      age++;
      labels[j] = labels[i];
      queue.push(j, elev[j] < priority ? priority : elev[j], age);
    }
  }
  return int32Array(shape, labels);
}

/**
 * Instance labels from a foreground probability map and an optional boundary
 * probability map (same shape, 2D or 3D), by the seeded watershed described
 * in this module's header (steps 1–6).
 */
export function seededWatershed(
  foreground: INDArray,
  boundary: INDArray | null,
  options: IWatershedOptions = {}
): ILabelResult {
  const t = options.foregroundThreshold ?? 0.5;
  const fg = asNumbers(foreground.data);
  const bd = boundary ? asNumbers(boundary.data) : null;
  if (boundary) {
    assertSameShape(foreground, boundary, 'seededWatershed');
  }
  const shape = foreground.shape;
  const full = shape.length;
  const n = fg.length;
  const mask = new Uint8Array(n);
  const seedMask = new Uint8Array(n);
  const elevation = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mask[i] = fg[i] > t ? 1 : 0;
    seedMask[i] =
      mask[i] && (bd ? bd[i] < BOUNDARY_THRESHOLD : fg[i] > SEED_THRESHOLD)
        ? 1
        : 0;
    elevation[i] = bd ? bd[i] : 1 - fg[i];
  }
  const seeds = connectedComponents(
    { dtype: 'bool', shape, data: seedMask },
    full
  );
  let labels = watershedFromMarkers(
    { dtype: 'float64', shape, data: elevation },
    seeds.labels,
    { dtype: 'bool', shape, data: mask },
    full
  );
  // Step 5: mask components without a seed become objects of their own.
  const data = labels.data as Int32Array;
  const unreached = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (mask[i] && data[i] === 0) {
      unreached[i] = 1;
      any = true;
    }
  }
  if (any) {
    const extra = connectedComponents(
      { dtype: 'bool', shape, data: unreached },
      full
    ).labels.data as Int32Array;
    for (let i = 0; i < n; i++) {
      if (unreached[i]) {
        data[i] = extra[i] + seeds.count;
      }
    }
  }
  if ((options.minSize ?? 0) > 0) {
    labels = relabelSequential(
      removeSmallObjects(labels, options.minSize ?? 0)
    ).labels;
  }
  let count = 0;
  for (const v of labels.data as Int32Array) {
    count = Math.max(count, v);
  }
  return { labels, count };
}
