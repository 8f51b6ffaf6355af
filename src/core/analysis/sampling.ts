/**
 * Deterministic strided sampling and order statistics shared by the image
 * summary and the domain-shift checks. Sorting a 4096 × 4096 plane takes
 * seconds; sorting a million strided samples of it takes milliseconds and
 * moves percentiles and distances by far less than the thresholds they are
 * compared with.
 */

/** Default largest number of values sorted for one statistic. */
export const DEFAULT_MAX_SAMPLES = 1_000_000;

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/**
 * The sampling step for `n` values: the smallest step ≥ ⌈n / maxSamples⌉
 * that shares no factor with `period`.
 *
 * #### Notes
 * `period` is the length of the fastest-varying structure of the data (the
 * row length of a plane, or everything but the first axis of an array). A
 * step that divided it would hit the same columns or the same interleaved
 * RGB channel every time; a coprime step walks through all of them evenly.
 */
export function sampleStep(
  n: number,
  maxSamples: number = DEFAULT_MAX_SAMPLES,
  period = 1
): number {
  const cap = Math.max(1, Math.floor(maxSamples));
  let step = Math.max(1, Math.ceil(n / cap));
  if (step > 1 && period > 1) {
    while (gcd(step, period) !== 1) {
      step++;
    }
  }
  return step;
}

/**
 * Finite values of `valueAt(i)` for i = 0, step, 2·step, … < n (see
 * {@link sampleStep}), as float64. NaN and ±Infinity are left out: a few
 * masked pixels should not turn every statistic into NaN.
 */
export function stridedValues(
  n: number,
  valueAt: (i: number) => number,
  maxSamples: number = DEFAULT_MAX_SAMPLES,
  period = 1
): Float64Array {
  const step = sampleStep(n, maxSamples, period);
  const out = new Float64Array(Math.ceil(n / step));
  let k = 0;
  for (let i = 0; i < n; i += step) {
    const v = valueAt(i);
    if (Number.isFinite(v)) {
      out[k++] = v;
    }
  }
  return k === out.length ? out : out.slice(0, k);
}

/** {@link stridedValues} of an array (int64 data included). */
export function stridedSample(
  data: ArrayLike<number | bigint>,
  maxSamples: number = DEFAULT_MAX_SAMPLES,
  period = 1
): Float64Array {
  return stridedValues(data.length, i => Number(data[i]), maxSamples, period);
}

/**
 * The `q`-th percentile (0–100) of ascending `sorted` values, interpolated
 * linearly between order statistics (NumPy's default `linear` method).
 * NaN for an empty array.
 */
export function percentileOfSorted(
  sorted: ArrayLike<number>,
  q: number
): number {
  const n = sorted.length;
  if (n === 0) {
    return NaN;
  }
  const h = ((n - 1) * Math.min(100, Math.max(0, q))) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Mean and population standard deviation (two passes, float64); NaN when empty. */
export function meanAndStd(values: ArrayLike<number>): {
  mean: number;
  std: number;
} {
  const n = values.length;
  if (n === 0) {
    return { mean: NaN, std: NaN };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i];
  }
  const mean = sum / n;
  // Deviations in a second pass: sum-of-squares cancels for large offsets.
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    sq += d * d;
  }
  return { mean, std: Math.sqrt(sq / n) };
}
