/**
 * Histograms, percentile auto-contrast and the intensity → 8-bit mapping
 * (min/max window plus gamma), precomputed as look-up tables so re-rendering
 * after a contrast change is one table lookup per pixel.
 */
import type { TypedArray } from '../../core/tensor/tensor';

/**
 * A histogram. Integer data of ≤ 16 bits gets one bin per possible value
 * (exact); other data `bins` equal-width bins between its min and max.
 */
export interface IHistogram {
  counts: Uint32Array;
  /** Value of bin 0's lower edge (exact value for integer bins). */
  start: number;
  /** Width of a bin in data units (1 for exact integer bins). */
  binWidth: number;
  /** True when every bin holds exactly one integer value. */
  exact: boolean;
  /** Smallest and largest finite value, and how many finite values there were. */
  min: number;
  max: number;
  total: number;
}

/** Contrast settings: values ≤ min map to 0, ≥ max to 255, gamma bends the ramp. */
export interface IContrast {
  min: number;
  max: number;
  /** Exponent applied to the normalised value (1 = linear). */
  gamma?: number;
}

/** Offset and size of the exact index table for small integer arrays, else undefined. */
export function integerTableRange(
  data: TypedArray
): { offset: number; size: number } | undefined {
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
    return { offset: 0, size: 256 };
  }
  if (data instanceof Int8Array) {
    return { offset: -128, size: 256 };
  }
  if (data instanceof Uint16Array) {
    return { offset: 0, size: 65536 };
  }
  if (data instanceof Int16Array) {
    return { offset: -32768, size: 65536 };
  }
  return undefined;
}

/**
 * Histogram of `data` (any typed array; NaN/±Infinity ignored).
 *
 * @param bins number of bins for float / 32-bit data (default 4096)
 */
export function histogram(data: TypedArray, bins = 4096): IHistogram {
  const table = integerTableRange(data);
  if (table) {
    const counts = new Uint32Array(table.size);
    const d = data as Uint16Array;
    const off = table.offset;
    for (let i = 0; i < d.length; i++) {
      counts[d[i] - off]++;
    }
    let lo = 0;
    while (lo < counts.length && counts[lo] === 0) {
      lo++;
    }
    let hi = counts.length - 1;
    while (hi > 0 && counts[hi] === 0) {
      hi--;
    }
    const empty = lo === counts.length;
    return {
      counts,
      start: off,
      binWidth: 1,
      exact: true,
      min: empty ? NaN : lo + off,
      max: empty ? NaN : hi + off,
      total: d.length
    };
  }
  const d = data as unknown as ArrayLike<number | bigint>;
  let min = Infinity;
  let max = -Infinity;
  let total = 0;
  for (let i = 0; i < d.length; i++) {
    const v = Number(d[i]);
    if (Number.isFinite(v)) {
      min = v < min ? v : min;
      max = v > max ? v : max;
      total++;
    }
  }
  const counts = new Uint32Array(bins);
  if (total === 0) {
    return {
      counts,
      start: 0,
      binWidth: 1,
      exact: false,
      min: NaN,
      max: NaN,
      total: 0
    };
  }
  const width = max > min ? (max - min) / bins : 1;
  const scale = 1 / width;
  for (let i = 0; i < d.length; i++) {
    const v = Number(d[i]);
    if (Number.isFinite(v)) {
      const b = Math.floor((v - min) * scale);
      counts[b >= bins ? bins - 1 : b]++;
    }
  }
  return { counts, start: min, binWidth: width, exact: false, min, max, total };
}

/**
 * The p-th percentile (0–100) from a histogram, with numpy's default 'linear'
 * interpolation between order statistics: exact for integer histograms;
 * for binned data each order statistic is placed by linear interpolation
 * inside its bin (error < one bin width).
 */
export function percentileFromHistogram(h: IHistogram, p: number): number {
  if (h.total === 0) {
    return NaN;
  }
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (h.total - 1);
  const k = Math.floor(rank);
  const frac = rank - k;
  const a = orderStatistic(h, k);
  return frac === 0
    ? a
    : a + (orderStatistic(h, Math.min(k + 1, h.total - 1)) - a) * frac;
}

/** Value of the k-th smallest element (0-based) according to the histogram. */
function orderStatistic(h: IHistogram, k: number): number {
  let cum = 0;
  for (let b = 0; b < h.counts.length; b++) {
    const c = h.counts[b];
    if (cum + c > k) {
      if (h.exact) {
        return h.start + b;
      }
      // spread the c values evenly over the bin, clamped to the data range
      const v = h.start + (b + (k - cum + 0.5) / c) * h.binWidth;
      return Math.min(h.max, Math.max(h.min, v));
    }
    cum += c;
  }
  return h.max;
}

/**
 * Percentile auto-contrast (default 0.1 – 99.9 %). Falls back to the full
 * range if the percentiles coincide (e.g. a mostly empty image).
 */
export function autoContrast(
  source: TypedArray | IHistogram,
  low = 0.1,
  high = 99.9
): IContrast {
  const h = 'counts' in source ? source : histogram(source);
  let min = percentileFromHistogram(h, low);
  let max = percentileFromHistogram(h, high);
  if (!(max > min)) {
    min = h.min;
    max = h.max;
  }
  return { min, max, gamma: 1 };
}

/**
 * Map one value to 0–255: t = clamp((v − min) / (max − min)), out = round(255 · t^gamma).
 * With max ≤ min the window is a step at min. NaN maps to 0.
 */
export function mapIntensity(v: number, c: IContrast): number {
  const gamma = c.gamma ?? 1;
  if (!(v === v)) {
    return 0;
  }
  let t: number;
  if (c.max > c.min) {
    t = (v - c.min) / (c.max - c.min);
  } else {
    t = v > c.min ? 1 : 0;
  }
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.round(255 * (gamma === 1 ? t : Math.pow(t, gamma)));
}

/**
 * 8-bit intensity table for an integer typed array kind: entry i is
 * mapIntensity(i + offset). 65536 entries for 16-bit data, 256 for 8-bit.
 *
 * Only entries inside the window are computed (inline, no per-entry call);
 * the rest are filled with 0 / 255, so a contrast change costs microseconds.
 */
export function intensityTable(
  offset: number,
  size: number,
  c: IContrast
): Uint8Array {
  const out = new Uint8Array(size);
  const { min, max } = c;
  const gamma = c.gamma ?? 1;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return out;
  }
  if (!(max > min)) {
    // step at min, as in mapIntensity
    const first = Math.max(0, Math.min(size, Math.floor(min - offset) + 1));
    out.fill(255, first);
    return out;
  }
  // entries with value in [min, max] are computed; below stay 0, above are 255
  const first = Math.max(0, Math.min(size, Math.ceil(min - offset)));
  const last = Math.max(
    first - 1,
    Math.min(size - 1, Math.floor(max - offset))
  );
  const span = max - min;
  for (let i = first; i <= last; i++) {
    // same expression as mapIntensity, so both round identically
    const t = (i + offset - min) / span;
    out[i] = Math.round(255 * (gamma === 1 ? t : Math.pow(t, gamma)));
  }
  out.fill(255, last + 1);
  return out;
}
