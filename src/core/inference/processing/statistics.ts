/**
 * Statistics over axis subsets (mean, population std, percentiles), with
 * float64 accumulation. A {@link StageStatistics} computes every value from
 * a frozen snapshot of the stage's input tensors, which is how
 * bioimage.core behaves (digest section 6.2): ops later in the stage never
 * see statistics of intermediate results.
 */
import type { ITensor } from '../../tensor/tensor';
import {
  asNumeric,
  GroupLayout,
  reductionLayout,
  transposeTo
} from '../../tensor/ndarray';

/** How a percentile is read from sorted values (NumPy `method`). */
export type PercentileMethod = 'linear' | 'inverted_cdf';

/**
 * A statistic with one value per combination of the kept (not reduced)
 * axes, C-ordered over `axes`.
 */
export interface IGroupStat {
  values: Float64Array;
  /** Kept axis ids, in the source tensor's order. */
  axes: string[];
  /** Sizes of the kept axes. */
  shape: number[];
}

/** Kept axis ids and sizes of `t` when reducing over `reduce`. */
function keptOf(
  t: ITensor,
  reduce: readonly string[] | null
): { axes: string[]; shape: number[] } {
  const axes: string[] = [];
  const shape: number[] = [];
  if (reduce !== null) {
    t.axes.forEach((a, i) => {
      if (!reduce.includes(a)) {
        axes.push(a);
        shape.push(t.shape[i]);
      }
    });
  }
  return { axes, shape };
}

/**
 * Per-group values of `stat` arranged for target tensor `t` plus the
 * layout of `t` that indexes them: kept axes are matched by id (so a
 * statistic of a reference tensor with another axis order applies
 * correctly) and length-1 statistic axes broadcast.
 */
export function alignStat(
  stat: IGroupStat,
  t: ITensor
): { values: Float64Array; layout: GroupLayout } {
  const axes: string[] = [];
  const shape: number[] = [];
  stat.axes.forEach((a, i) => {
    if (stat.shape[i] === 1) {
      return;
    }
    const ti = t.axes.indexOf(a);
    if (ti < 0 || t.shape[ti] !== stat.shape[i]) {
      throw new Error(
        `statistic over axis '${a}' (length ${stat.shape[i]}) does not ` +
          `fit tensor axes [${t.axes.join(', ')}] shape [${t.shape.join(', ')}]`
      );
    }
    axes.push(a);
    shape.push(stat.shape[i]);
  });
  const order = t.axes.filter(a => axes.includes(a));
  let values = stat.values;
  if (order.some((a, i) => a !== axes[i])) {
    values = transposeTo({ dtype: 'float64', shape, axes, data: values }, order)
      .data as Float64Array;
  }
  const layout = new GroupLayout(
    t.shape,
    t.axes.map(a => axes.includes(a))
  );
  return { values, layout };
}
/** Mean and population std per group (two-pass, float64). */
export function meanStd(
  t: ITensor,
  reduce: readonly string[] | null
): { mean: IGroupStat; std: IGroupStat } {
  const layout = reductionLayout(t, reduce);
  const data = asNumeric(t.data);
  const sums = new Float64Array(layout.nGroups);
  layout.forEachRun((off, len, g, step) => {
    if (step === 0) {
      let s = 0;
      for (let j = off, e = off + len; j < e; j++) {
        s += data[j];
      }
      sums[g] += s;
    } else {
      for (let j = 0; j < len; j++) {
        sums[g + j] += data[off + j];
      }
    }
  });
  const n = layout.groupSize;
  const mean = sums.map(s => s / n);
  // Second pass on deviations: stable where sum-of-squares would cancel.
  const sq = new Float64Array(layout.nGroups);
  layout.forEachRun((off, len, g, step) => {
    if (step === 0) {
      const m = mean[g];
      let s = 0;
      for (let j = off, e = off + len; j < e; j++) {
        const d = data[j] - m;
        s += d * d;
      }
      sq[g] += s;
    } else {
      for (let j = 0; j < len; j++) {
        const d = data[off + j] - mean[g + j];
        sq[g + j] += d * d;
      }
    }
  });
  const std = sq.map(s => Math.sqrt(s / n));
  const kept = keptOf(t, reduce);
  return { mean: { values: mean, ...kept }, std: { values: std, ...kept } };
}

/** Copy each group's values into its own contiguous slice of one buffer. */
function gatherGroups(t: ITensor, layout: GroupLayout): Float64Array {
  const data = asNumeric(t.data);
  const size = layout.groupSize;
  const buf = new Float64Array(layout.nGroups * size);
  const fill = new Float64Array(layout.nGroups);
  layout.forEachRun((off, len, g, step) => {
    if (step === 0) {
      buf.set(data.subarray(off, off + len), g * size + fill[g]);
      fill[g] += len;
    } else {
      for (let j = 0; j < len; j++) {
        buf[(g + j) * size + fill[g + j]++] = data[off + j];
      }
    }
  });
  return buf;
}

/**
 * Rearrange a[lo..hi] so a[k] holds the value it would have after sorting,
 * smaller-or-equal values before it and larger-or-equal after (quickselect
 * with median-of-three pivots: O(n) instead of a full sort).
 */
export function selectKth(
  a: Float64Array,
  k: number,
  lo: number,
  hi: number
): number {
  let left = lo;
  let right = hi;
  while (right > left) {
    const mid = (left + right) >>> 1;
    // Median of three into a[mid], then use it as pivot.
    if (a[mid] < a[left]) {
      swap(a, mid, left);
    }
    if (a[right] < a[left]) {
      swap(a, right, left);
    }
    if (a[right] < a[mid]) {
      swap(a, right, mid);
    }
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) {
        i++;
      }
      while (a[j] > pivot) {
        j--;
      }
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) {
      right = j;
    } else if (k >= i) {
      left = i;
    } else {
      break;
    }
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Smallest value of a[lo..hi]. */
function minOf(a: Float64Array, lo: number, hi: number): number {
  let m = a[lo];
  for (let i = lo + 1; i <= hi; i++) {
    if (a[i] < m) {
      m = a[i];
    }
  }
  return m;
}

/**
 * Percentile `q` (a fraction in [0, 1]) of the n values in a[lo..lo+n-1];
 * reorders that range. `linear`: v[⌊h⌋] + (h−⌊h⌋)(v[⌊h⌋+1] − v[⌊h⌋]) with
 * h = (n−1)q. `inverted_cdf`: v[max(0, ⌈nq⌉ − 1)].
 */
export function percentileOf(
  a: Float64Array,
  lo: number,
  n: number,
  q: number,
  method: PercentileMethod
): number {
  const hi = lo + n - 1;
  if (method === 'inverted_cdf') {
    const k = Math.min(n - 1, Math.max(0, Math.ceil(n * q) - 1));
    return selectKth(a, lo + k, lo, hi);
  }
  const h = (n - 1) * q;
  const k = Math.floor(h);
  const v = selectKth(a, lo + k, lo, hi);
  const frac = h - k;
  if (frac === 0 || k + 1 >= n) {
    return v;
  }
  // After selection everything right of k is >= v: the next order statistic
  // is the minimum of that part.
  const next = minOf(a, lo + k + 1, hi);
  return v + frac * (next - v);
}

/** Percentiles (fractions) per group, one IGroupStat per q. */
export function percentiles(
  t: ITensor,
  reduce: readonly string[] | null,
  qs: readonly number[],
  method: PercentileMethod
): IGroupStat[] {
  const layout = reductionLayout(t, reduce);
  const buf = gatherGroups(t, layout);
  const size = layout.groupSize;
  const results = qs.map(() => new Float64Array(layout.nGroups));
  for (let g = 0; g < layout.nGroups; g++) {
    for (let i = 0; i < qs.length; i++) {
      results[i][g] = percentileOf(buf, g * size, size, qs[i], method);
    }
  }
  const kept = keptOf(t, reduce);
  return results.map(values => ({ values, ...kept }));
}

/**
 * Statistics of a stage, all computed from the tensors the stage started
 * with and cached by (tensor, axes, measure).
 */
export class StageStatistics {
  private readonly _cache = new Map<string, IGroupStat>();

  /** @param tensors - the stage's input tensors by id (not mutated). */
  constructor(private readonly _tensors: ReadonlyMap<string, ITensor>) {}

  /** The snapshot tensor `id`, or a clear error. */
  tensor(id: string): ITensor {
    const t = this._tensors.get(id);
    if (!t) {
      throw new Error(
        `processing refers to tensor '${id}', which is not available ` +
          `(available: ${[...this._tensors.keys()].join(', ')})`
      );
    }
    return t;
  }

  /** Mean of tensor `id` reduced over `axes` (null: all axes). */
  mean(id: string, axes: readonly string[] | null): IGroupStat {
    return this._meanStd(id, axes).mean;
  }

  /** Population std of tensor `id` reduced over `axes`. */
  std(id: string, axes: readonly string[] | null): IGroupStat {
    return this._meanStd(id, axes).std;
  }

  /**
   * Percentiles `qs` (fractions) of tensor `id` reduced over `axes`; the
   * missing ones are computed together from one gathered copy.
   */
  percentiles(
    id: string,
    axes: readonly string[] | null,
    qs: readonly number[],
    method: PercentileMethod
  ): IGroupStat[] {
    const keyOf = (q: number): string =>
      `p|${id}|${axesKey(axes)}|${q}|${method}`;
    const missing = qs.filter(q => !this._cache.has(keyOf(q)));
    if (missing.length > 0) {
      const computed = percentiles(this.tensor(id), axes, missing, method);
      missing.forEach((q, i) => this._cache.set(keyOf(q), computed[i]));
    }
    return qs.map(q => this._cache.get(keyOf(q))!);
  }

  private _meanStd(
    id: string,
    axes: readonly string[] | null
  ): { mean: IGroupStat; std: IGroupStat } {
    const k = `${id}|${axesKey(axes)}`;
    let mean = this._cache.get(`m|${k}`);
    let std = this._cache.get(`s|${k}`);
    if (!mean || !std) {
      ({ mean, std } = meanStd(this.tensor(id), axes));
      this._cache.set(`m|${k}`, mean);
      this._cache.set(`s|${k}`, std);
    }
    return { mean, std };
  }
}

function axesKey(axes: readonly string[] | null): string {
  return axes === null ? '*' : [...axes].sort().join(',');
}
