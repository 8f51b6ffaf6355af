/**
 * Element-wise kernels behind the processing ops. Each works on runs of a
 * {@link GroupLayout}, so per-group parameters (per channel, per sample,
 * ...) cost one lookup per run, not per element.
 */
import { allocate, DType, ITensor } from '../../tensor/tensor';
import {
  asNumeric,
  axisIndex,
  GroupLayout,
  NumericArray,
  withData
} from '../../tensor/ndarray';

/** Result dtype of float arithmetic on `dtype` (NumPy promotion for ops
 * with Python float scalars: float32 stays, everything else is float64). */
export function floatResultDType(dtype: DType): 'float32' | 'float64' {
  return dtype === 'float32' ? 'float32' : 'float64';
}

/** Output buffer: `x.data` itself when we own it and the dtype is kept. */
function target(x: ITensor, owned: boolean, dtype: DType): NumericArray {
  const data = x.data;
  if (
    owned &&
    x.dtype === dtype &&
    !(data instanceof BigInt64Array || data instanceof BigUint64Array)
  ) {
    return data;
  }
  return allocate(dtype, data.length) as NumericArray;
}

/** Per-group parameters of out = (x − sub) · mul + add. */
export interface IAffineParams {
  layout: GroupLayout;
  sub: Float64Array;
  mul: Float64Array;
  add: Float64Array;
}

/** out = (x − sub[g]) · mul[g] + add[g] in float64, stored as float. */
export function affine(x: ITensor, p: IAffineParams, owned: boolean): ITensor {
  const dtype = floatResultDType(x.dtype);
  const src = asNumeric(x.data);
  const out = target(x, owned, dtype);
  const { sub, mul, add } = p;
  p.layout.forEachRun((off, len, g, step) => {
    const e = off + len;
    if (step === 0) {
      const s = sub[g];
      const m = mul[g];
      const a = add[g];
      for (let j = off; j < e; j++) {
        out[j] = (src[j] - s) * m + a;
      }
    } else {
      for (let j = off, k = g; j < e; j++, k++) {
        out[j] = (src[j] - sub[k]) * mul[k] + add[k];
      }
    }
  });
  return withData(x, out, dtype);
}

/**
 * out = min(max(x, lo[g]), hi[g]). Integer tensors keep their dtype when
 * both bounds are integral (as NumPy does), otherwise become float64.
 */
export function clip(
  x: ITensor,
  layout: GroupLayout,
  lo: Float64Array,
  hi: Float64Array,
  owned: boolean
): ITensor {
  const integral = [...lo, ...hi].every(
    v => !Number.isFinite(v) || Number.isInteger(v)
  );
  const isFloat = x.dtype === 'float32' || x.dtype === 'float64';
  // 64-bit ints go through float64: their storage is BigInt.
  const keepInt = integral && !['bool', 'int64', 'uint64'].includes(x.dtype);
  const dtype: DType = isFloat || keepInt ? x.dtype : 'float64';
  const src = asNumeric(x.data);
  const out = target(x, owned, dtype);
  layout.forEachRun((off, len, g, step) => {
    const e = off + len;
    for (let j = off, k = g; j < e; j++, k += step) {
      const v = src[j];
      // NaN stays NaN, like np.clip.
      out[j] = v < lo[k] ? lo[k] : v > hi[k] ? hi[k] : v;
    }
  });
  return withData(x, out, dtype);
}

/** out = x > threshold[g] as bool (stored 0/1 in a Uint8Array). */
export function binarize(
  x: ITensor,
  layout: GroupLayout,
  threshold: Float64Array
): ITensor {
  const src = asNumeric(x.data);
  const out = new Uint8Array(src.length);
  layout.forEachRun((off, len, g, step) => {
    const e = off + len;
    for (let j = off, k = g; j < e; j++, k += step) {
      out[j] = src[j] > threshold[k] ? 1 : 0;
    }
  });
  return withData(x, out, 'bool');
}

/** out = 1 / (1 + e^(−x)). */
export function sigmoid(x: ITensor, owned: boolean): ITensor {
  const dtype = floatResultDType(x.dtype);
  const src = asNumeric(x.data);
  const out = target(x, owned, dtype);
  for (let j = 0, n = src.length; j < n; j++) {
    out[j] = 1 / (1 + Math.exp(-src[j]));
  }
  return withData(x, out, dtype);
}

/**
 * Softmax along `axis`, max-subtracted for stability. Processes one outer
 * index at a time with the inner (trailing) axes as contiguous vectors.
 */
export function softmax(x: ITensor, axis: string, owned: boolean): ITensor {
  const k = axisIndex(x, axis, 'softmax');
  const dtype = floatResultDType(x.dtype);
  const src = asNumeric(x.data);
  const out = target(x, owned, dtype);
  const n = x.shape[k];
  let outer = 1;
  for (let d = 0; d < k; d++) {
    outer *= x.shape[d];
  }
  let inner = 1;
  for (let d = k + 1; d < x.shape.length; d++) {
    inner *= x.shape[d];
  }
  const max = new Float64Array(inner);
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    max.fill(-Infinity);
    sum.fill(0);
    for (let c = 0; c < n; c++) {
      const row = base + c * inner;
      for (let i = 0; i < inner; i++) {
        if (src[row + i] > max[i]) {
          max[i] = src[row + i];
        }
      }
    }
    for (let c = 0; c < n; c++) {
      const row = base + c * inner;
      for (let i = 0; i < inner; i++) {
        sum[i] += Math.exp(src[row + i] - max[i]);
      }
    }
    for (let c = 0; c < n; c++) {
      const row = base + c * inner;
      for (let i = 0; i < inner; i++) {
        out[row + i] = Math.exp(src[row + i] - max[i]) / sum[i];
      }
    }
  }
  return withData(x, out, dtype);
}
