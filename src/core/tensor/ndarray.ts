/**
 * Low-level array helpers shared by processing, tiling and the pipeline:
 * numeric views, dtype casts with NumPy `astype` semantics, transposes by
 * axis id, reflect indexing and the group layout used for statistics and
 * per-axis parameters. Pure TypeScript, no DOM or Node imports.
 */
import {
  allocate,
  DType,
  ITensor,
  sizeOf,
  stridesOf,
  TypedArray
} from './tensor';

/** Typed arrays whose elements read as JavaScript numbers (no BigInt). */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array;

/** True for float32/float64. */
export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * The array itself when its elements are numbers, else a float64 copy
 * (int64/uint64 storage), so hot loops never touch BigInt.
 */
export function asNumeric(data: TypedArray): NumericArray {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      out[i] = Number(data[i]);
    }
    return out;
  }
  return data;
}

/**
 * Cast like NumPy `astype`: float to int truncates toward zero and wraps
 * (typed-array conversion does exactly that), bool is `x != 0`, NaN becomes 0
 * for integer targets. Returns the input unchanged when the dtype matches.
 */
export function castData(data: TypedArray, from: DType, to: DType): TypedArray {
  if (from === to) {
    return data;
  }
  const n = data.length;
  const out = allocate(to, n);
  if (to === 'bool') {
    const src = asNumeric(data);
    const dst = out as Uint8Array;
    for (let i = 0; i < n; i++) {
      dst[i] = src[i] !== 0 ? 1 : 0;
    }
  } else if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      // BigInt.asIntN/asUintN reproduce the two's complement wrap of astype.
      for (let i = 0; i < n; i++) {
        out[i] =
          out instanceof BigInt64Array
            ? BigInt.asIntN(64, data[i])
            : BigInt.asUintN(64, data[i]);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = data[i];
        out[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : BigInt(0);
      }
    }
  } else {
    // Typed-array assignment applies ToInt8/ToUint16/... (truncate, wrap) or
    // rounds to float32, which is astype's behaviour for in-range values.
    (out as NumericArray).set(asNumeric(data));
  }
  return out;
}

/** A tensor with the same axes and shape but new data and dtype. */
export function withData(t: ITensor, data: TypedArray, dtype: DType): ITensor {
  return { dtype, shape: t.shape.slice(), axes: t.axes.slice(), data };
}

/** Index of axis `id` in `t`, or a clear error. */
export function axisIndex(t: ITensor, id: string, what: string): number {
  const i = t.axes.indexOf(id);
  if (i < 0) {
    throw new Error(
      `${what}: axis '${id}' not found (tensor axes: ${t.axes.join(', ')})`
    );
  }
  return i;
}

/**
 * Permute `t` so its axes follow `order` (a permutation of `t.axes`).
 * Returns `t` itself when already in order.
 */
export function transposeTo(t: ITensor, order: readonly string[]): ITensor {
  if (order.length !== t.axes.length) {
    throw new Error(
      `cannot transpose axes [${t.axes.join(',')}] to [${order.join(',')}]`
    );
  }
  const perm = order.map(a => axisIndex(t, a, 'transpose'));
  if (perm.every((p, i) => p === i)) {
    return t;
  }
  const shape = perm.map(p => t.shape[p]);
  const srcStrides = stridesOf(t.shape);
  const strides = perm.map(p => srcStrides[p]);
  const out = allocate(t.dtype, t.data.length);
  const nd = shape.length;
  const n = out.length;
  if (n > 0) {
    const last = nd - 1;
    const innerLen = shape[last];
    const innerStride = strides[last];
    const idx = new Array<number>(nd).fill(0);
    let src = 0;
    const data = t.data as unknown as ArrayLike<number> & {
      [i: number]: number;
    };
    const dst = out as unknown as { [i: number]: number };
    for (let o = 0; o < n; o += innerLen) {
      let s = src;
      for (let j = 0; j < innerLen; j++, s += innerStride) {
        dst[o + j] = data[s];
      }
      // Advance the odometer over all but the innermost axis.
      for (let d = last - 1; d >= 0; d--) {
        idx[d]++;
        src += strides[d];
        if (idx[d] < shape[d]) {
          break;
        }
        src -= strides[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
  return { dtype: t.dtype, shape, axes: order.slice(), data: out };
}

/**
 * Mirror index `i` into [0, n) without repeating the edge (NumPy `reflect`),
 * repeating the reflection for pads wider than the array.
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) {
    return 0;
  }
  const period = 2 * (n - 1);
  let r = i % period;
  if (r < 0) {
    r += period;
  }
  return r >= n ? period - r : r;
}

/**
 * Index `i` folded into [0, n) by symmetric padding (the edge element is
 * repeated: NumPy `symmetric`, period 2n), as bioimageio.core pads blocks by
 * default (0.5 `pad` absent; also for 0.4 models).
 */
export function symmetricIndex(i: number, n: number): number {
  const period = 2 * n;
  let r = i % period;
  if (r < 0) {
    r += period;
  }
  return r >= n ? period - 1 - r : r;
}

/**
 * How the elements of a C-ordered array fall into groups when reducing over
 * some axes: every combination of indices along the kept axes is one group
 * (C order over kept axes). Iteration is by runs of contiguous elements so
 * callers write tight loops with no per-element index arithmetic.
 */
export class GroupLayout {
  /** Number of groups (product of kept axis sizes). */
  readonly nGroups: number;
  /** Elements per group (product of reduced axis sizes). */
  readonly groupSize: number;
  private readonly _sizes: number[];
  private readonly _keep: boolean[];
  private readonly _total: number;

  /**
   * @param shape - array shape
   * @param keep - per axis: true keeps the axis (one statistic per index)
   */
  constructor(shape: readonly number[], keep: readonly boolean[]) {
    this._total = sizeOf(shape);
    let groups = 1;
    for (let d = 0; d < shape.length; d++) {
      if (keep[d]) {
        groups *= shape[d];
      }
    }
    this.nGroups = groups;
    this.groupSize = groups === 0 ? 0 : this._total / groups;
    // Coalesce neighbouring axes with the same role; drop length-1 axes.
    this._sizes = [];
    this._keep = [];
    for (let d = 0; d < shape.length; d++) {
      if (shape[d] === 1) {
        continue;
      }
      const k = this._keep.length;
      if (k > 0 && this._keep[k - 1] === keep[d]) {
        this._sizes[k - 1] *= shape[d];
      } else {
        this._sizes.push(shape[d]);
        this._keep.push(keep[d]);
      }
    }
  }

  /**
   * Call `cb` once per run of `length` contiguous elements starting at
   * `offset`; element `offset + j` belongs to group `group + j * groupStep`.
   */
  forEachRun(
    cb: (offset: number, length: number, group: number, step: 0 | 1) => void
  ): void {
    if (this._total === 0) {
      return;
    }
    const m = this._sizes.length;
    if (m === 0) {
      cb(0, 1, 0, 0);
      return;
    }
    const len = this._sizes[m - 1];
    const step: 0 | 1 = this._keep[m - 1] ? 1 : 0;
    const outer = m - 1;
    const dataStrides = new Array<number>(outer);
    const groupStrides = new Array<number>(outer);
    let ds = len;
    let gs = step ? len : 1;
    for (let d = outer - 1; d >= 0; d--) {
      dataStrides[d] = ds;
      ds *= this._sizes[d];
      groupStrides[d] = this._keep[d] ? gs : 0;
      if (this._keep[d]) {
        gs *= this._sizes[d];
      }
    }
    const idx = new Array<number>(outer).fill(0);
    let group = 0;
    for (let offset = 0; offset < this._total; offset += len) {
      cb(offset, len, group, step);
      for (let d = outer - 1; d >= 0; d--) {
        idx[d]++;
        group += groupStrides[d];
        if (idx[d] < this._sizes[d]) {
          break;
        }
        group -= groupStrides[d] * this._sizes[d];
        idx[d] = 0;
      }
    }
  }
}

/**
 * The group layout keeping exactly the axes of `t` NOT listed in `reduce`
 * (`null` reduces over all axes).
 */
export function reductionLayout(
  t: ITensor,
  reduce: readonly string[] | null
): GroupLayout {
  const keep = t.axes.map(a => reduce !== null && !reduce.includes(a));
  return new GroupLayout(t.shape, keep);
}

/** The group layout with one group per index along axis `axis`. */
export function alongAxisLayout(t: ITensor, axis: string): GroupLayout {
  return new GroupLayout(
    t.shape,
    t.axes.map(a => a === axis)
  );
}

/**
 * dst[dstStart .. +len) = src[srcStart .. +len). Both arrays have the same
 * dtype (so the same element kind); the casts only satisfy TypeScript,
 * whose TypedArray union has no common `set` signature.
 */
export function copyRange(
  dst: TypedArray,
  dstStart: number,
  src: TypedArray,
  srcStart: number,
  len: number
): void {
  (dst as Float64Array).set(
    (src as Float64Array).subarray(srcStart, srcStart + len),
    dstStart
  );
}

/**
 * Pick `indices` along axis `k` (a gather: reorders or repeats as given),
 * copying contiguous inner blocks.
 */
export function takeAlong(
  t: ITensor,
  k: number,
  indices: readonly number[]
): ITensor {
  const n = t.shape[k];
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new Error(
        `index ${i} out of range for axis '${t.axes[k]}' of length ${n}`
      );
    }
  }
  let outer = 1;
  for (let d = 0; d < k; d++) {
    outer *= t.shape[d];
  }
  const inner = sizeOf(t.shape.slice(k + 1));
  const shape = t.shape.slice();
  shape[k] = indices.length;
  const out = allocate(t.dtype, sizeOf(shape));
  const src = t.data;
  let w = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (const i of indices) {
      const s = base + i * inner;
      copyRange(out, w, src, s, inner);
      w += inner;
    }
  }
  return { dtype: t.dtype, shape, axes: t.axes.slice(), data: out };
}

/** Remove axis `k` (length 1) or insert a length-1 axis `id` at `k`. */
export function squeezeAxis(t: ITensor, k: number): ITensor {
  if (t.shape[k] !== 1) {
    throw new Error(`cannot drop axis '${t.axes[k]}' of length ${t.shape[k]}`);
  }
  return {
    ...t,
    shape: t.shape.filter((_, i) => i !== k),
    axes: t.axes.filter((_, i) => i !== k)
  };
}

/** Insert a length-1 axis `id` at position `k` (no copy). */
export function expandAxis(t: ITensor, k: number, id: string): ITensor {
  const shape = t.shape.slice();
  const axes = t.axes.slice();
  shape.splice(k, 0, 1);
  axes.splice(k, 0, id);
  return { ...t, shape, axes };
}
