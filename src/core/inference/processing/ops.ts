/**
 * The pre-/postprocessing ops of digest section 6.3. {@link prepareOp}
 * reads kwargs and fetches every statistic up front from the stage's
 * statistics (computed on the stage input), returning a function that only
 * does arithmetic.
 */
import type { IProcessingStep } from '../../spec/types';
import { DTYPES, DType, ITensor } from '../../tensor/tensor';
import {
  alongAxisLayout,
  axisIndex,
  castData,
  GroupLayout,
  withData
} from '../../tensor/ndarray';
import { Kwargs } from './kwargs';
import { affine, binarize, clip, sigmoid, softmax } from './kernels';
import { alignStat, IGroupStat, StageStatistics } from './statistics';

/**
 * A ready-to-run op. `owned` says the caller may overwrite `x.data` (it is
 * an intermediate of this stage), which saves a copy per op.
 */
export type PreparedOp = (x: ITensor, owned: boolean) => ITensor;

/** Default eps of zmuv, scale_range, scale_mean_variance, fixed zmuv. */
const EPS = 1e-6;

/** Layout with a single group (scalar parameters). */
function scalarLayout(x: ITensor): GroupLayout {
  return new GroupLayout(
    x.shape,
    x.shape.map(() => false)
  );
}

function filled(n: number, v: number): Float64Array {
  return new Float64Array(n).fill(v);
}

/**
 * Per-index parameter lists along `axis` of `x`, one group per index;
 * length-1 lists and scalars broadcast.
 */
function alongAxis(
  x: ITensor,
  op: string,
  axis: string,
  lists: Array<number | number[]>
): { layout: GroupLayout; values: Float64Array[] } {
  const n = x.shape[axisIndex(x, axis, op)];
  const values = lists.map(v => {
    if (typeof v === 'number') {
      return filled(n, v);
    }
    if (v.length === 1) {
      return filled(n, v[0]);
    }
    if (v.length !== n) {
      throw new Error(
        `${op}: ${v.length} values given along axis '${axis}' of length ${n}`
      );
    }
    return Float64Array.from(v);
  });
  return { layout: alongAxisLayout(x, axis), values };
}

/**
 * The axis that 0.4-style per-axis lists run along: the single non-batch
 * axis not listed in `axes`.
 */
function remainingAxis(x: ITensor, op: string, axes: string[]): string {
  const rest = x.axes.filter(a => a !== 'batch' && !axes.includes(a));
  if (rest.length !== 1) {
    throw new Error(
      `${op}: value lists need exactly one axis outside 'axes' ` +
        `(tensor axes ${x.axes.join(', ')}; axes ${axes.join(', ')})`
    );
  }
  return rest[0];
}

/** Per-axis params from `{axis, a: [..]}` or 0.4 `{axes, a: [..]}`. */
function perAxisParams(
  x: ITensor,
  op: string,
  kw: Kwargs,
  lists: Array<number | number[]>
): { layout: GroupLayout; values: Float64Array[] } {
  if (lists.every(v => typeof v === 'number')) {
    return {
      layout: scalarLayout(x),
      values: lists.map(v => filled(1, v as number))
    };
  }
  const axis = kw.has('axis')
    ? kw.string('axis')
    : remainingAxis(x, op, kw.axes() ?? []);
  return alongAxis(x, op, axis, lists);
}

/** Apply (x − mean)/(std + eps) with per-group values aligned to `x`. */
function standardize(
  x: ITensor,
  mean: IGroupStat,
  std: IGroupStat,
  eps: number,
  owned: boolean
): ITensor {
  const m = alignStat(mean, x);
  const s = alignStat(std, x);
  return affine(
    x,
    {
      layout: m.layout,
      sub: m.values,
      mul: s.values.map(v => 1 / (v + eps)),
      add: new Float64Array(m.values.length)
    },
    owned
  );
}

/**
 * Turn one processing step of tensor `tensorId` into a runnable op. All
 * statistics are read from `stats` now, i.e. from the stage input.
 */
export function prepareOp(
  step: IProcessingStep,
  tensorId: string,
  stats: StageStatistics
): PreparedOp {
  const kw = new Kwargs(step.id, step.kwargs ?? {});
  switch (step.id) {
    case 'binarize': {
      const threshold = kw.numberOrList('threshold');
      return x => {
        const p = perAxisParams(x, step.id, kw, [threshold]);
        return binarize(x, p.layout, p.values[0]);
      };
    }
    case 'clip':
      return prepareClip(kw, tensorId, stats);
    case 'scale_linear': {
      const gain = kw.numberOrList('gain', 1);
      const offset = kw.numberOrList('offset', 0);
      return (x, owned) => {
        const p = perAxisParams(x, step.id, kw, [gain, offset]);
        const [mul, add] = p.values;
        const sub = new Float64Array(mul.length);
        return affine(x, { layout: p.layout, sub, mul, add }, owned);
      };
    }
    case 'sigmoid':
      return (x, owned) => sigmoid(x, owned);
    case 'softmax': {
      const axis = kw.string('axis', 'channel');
      return (x, owned) => softmax(x, axis, owned);
    }
    case 'zero_mean_unit_variance': {
      const eps = kw.number('eps', EPS);
      if (kw.has('mean') || kw.has('std')) {
        // 0.4 `mode: fixed` that was not converted upstream.
        return prepareFixedZmuv(kw, EPS);
      }
      const axes = kw.axes();
      const mean = stats.mean(tensorId, axes);
      const std = stats.std(tensorId, axes);
      return (x, owned) => standardize(x, mean, std, eps, owned);
    }
    case 'fixed_zero_mean_unit_variance':
      return prepareFixedZmuv(kw, EPS);
    case 'scale_range': {
      const axes = kw.axes();
      const eps = kw.number('eps', EPS);
      const lo = kw.number('min_percentile', 0) / 100;
      const hi = kw.number('max_percentile', 100) / 100;
      if (!(lo < hi)) {
        throw new Error('scale_range: min_percentile must be < max_percentile');
      }
      const ref = kw.has('reference_tensor')
        ? kw.string('reference_tensor')
        : tensorId;
      const [pLo, pHi] = stats.percentiles(ref, axes, [lo, hi], 'linear');
      return (x, owned) => {
        const l = alignStat(pLo, x);
        const h = alignStat(pHi, x);
        const mul = l.values.map((v, i) => 1 / (h.values[i] - v + eps));
        const add = new Float64Array(mul.length);
        return affine(x, { layout: l.layout, sub: l.values, mul, add }, owned);
      };
    }
    case 'scale_mean_variance': {
      const axes = kw.axes();
      const eps = kw.number('eps', EPS);
      const ref = kw.string('reference_tensor');
      const mean = stats.mean(tensorId, axes);
      const std = stats.std(tensorId, axes);
      const refMean = stats.mean(ref, axes);
      const refStd = stats.std(ref, axes);
      return (x, owned) => {
        const m = alignStat(mean, x);
        const s = alignStat(std, x);
        const rm = alignStat(refMean, x);
        const rs = alignStat(refStd, x);
        const mul = s.values.map((v, i) => (rs.values[i] + eps) / (v + eps));
        return affine(
          x,
          { layout: m.layout, sub: m.values, mul, add: rm.values },
          owned
        );
      };
    }
    case 'ensure_dtype': {
      const dtype = kw.string('dtype') as DType;
      if (!DTYPES.includes(dtype)) {
        throw new Error(`ensure_dtype: unknown dtype '${dtype}'`);
      }
      return x => withData(x, castData(x.data, x.dtype, dtype), dtype);
    }
    default:
      throw new Error(
        `unknown processing op '${(step as IProcessingStep).id}'`
      );
  }
}

/** fixed zmuv: (x − mean)/(std + eps), scalars or lists along `axis`. */
function prepareFixedZmuv(kw: Kwargs, eps: number): PreparedOp {
  const mean = kw.numberOrList('mean');
  const std = kw.numberOrList('std');
  return (x, owned) => {
    const p = perAxisParams(x, 'fixed_zero_mean_unit_variance', kw, [
      mean,
      std
    ]);
    const [m, s] = p.values;
    return affine(
      x,
      {
        layout: p.layout,
        sub: m,
        mul: s.map(v => 1 / (v + eps)),
        add: new Float64Array(m.length)
      },
      owned
    );
  };
}

/**
 * clip with fixed bounds and/or percentile bounds (0.5.7). Per-sample
 * percentiles (axes given, without batch) use `inverted_cdf` like core;
 * dataset ones (axes null or with batch) use `linear`.
 */
function prepareClip(
  kw: Kwargs,
  tensorId: string,
  stats: StageStatistics
): PreparedOp {
  const axes = kw.axes();
  const method =
    axes !== null && !axes.includes('batch') ? 'inverted_cdf' : 'linear';
  const bound = (
    fixed: string,
    pct: string,
    inf: number
  ): IGroupStat | number => {
    if (kw.has(fixed)) {
      return kw.number(fixed);
    }
    if (kw.has(pct)) {
      return stats.percentiles(
        tensorId,
        axes,
        [kw.number(pct) / 100],
        method
      )[0];
    }
    return inf;
  };
  const lo = bound('min', 'min_percentile', -Infinity);
  const hi = bound('max', 'max_percentile', Infinity);
  if (typeof lo === 'number' && typeof hi === 'number') {
    if (!Number.isFinite(lo) && !Number.isFinite(hi)) {
      throw new Error('clip: needs min/min_percentile or max/max_percentile');
    }
    if (lo >= hi) {
      throw new Error(`clip: min (${lo}) must be < max (${hi})`);
    }
  }
  return (x, owned) => {
    // Both bounds share one layout: a number is broadcast over the groups
    // of the percentile bound (or a single group when both are numbers).
    const stat =
      typeof lo !== 'number' ? lo : typeof hi !== 'number' ? hi : null;
    if (stat === null) {
      return clip(
        x,
        scalarLayout(x),
        filled(1, lo as number),
        filled(1, hi as number),
        owned
      );
    }
    const { layout, values } = alignStat(stat, x);
    const per = (b: IGroupStat | number): Float64Array =>
      typeof b === 'number' ? filled(values.length, b) : alignStat(b, x).values;
    return clip(x, layout, per(lo), per(hi), owned);
  };
}
