/**
 * Small shared helpers for the metrics package: shape checks, numeric views of
 * typed arrays and n-dimensional neighbourhoods. Pure TypeScript (no DOM/Node).
 */
import {
  DType,
  INDArray,
  TypedArray,
  sizeOf,
  stridesOf
} from '../tensor/tensor';

/** Integer dtypes (numpy's `np.integer`; `bool` is deliberately not one). */
const INTEGER_DTYPES: ReadonlySet<DType> = new Set<DType>([
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'uint64',
  'int64'
]);

/** True for integer dtypes (not float, not bool), as numpy's `issubdtype(dt, np.integer)`. */
export function isIntegerDType(dtype: DType): boolean {
  return INTEGER_DTYPES.has(dtype);
}

/** Throws unless both arrays have the same shape. */
export function assertSameShape(a: INDArray, b: INDArray, what: string): void {
  if (
    a.shape.length !== b.shape.length ||
    a.shape.some((s, i) => s !== b.shape[i])
  ) {
    throw new Error(
      `${what}: shapes differ ([${a.shape.join(', ')}] vs [${b.shape.join(', ')}])`
    );
  }
}

/**
 * The elements as numbers without copying when possible. BigInt arrays are
 * converted (values above 2^53 lose precision, which label ids never reach in
 * practice).
 */
export function asNumbers(data: TypedArray): ArrayLike<number> {
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
 * Label values of an instance image, validated as StarDist does: integer
 * dtype and no negative value. `name` is used in the error message.
 */
export function labelValues(y: INDArray, name: string): ArrayLike<number> {
  if (!isIntegerDType(y.dtype)) {
    throw new Error(`${name} must be an array of non-negative integers.`);
  }
  const v = asNumbers(y.data);
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0) {
      throw new Error(`${name} must be an array of non-negative integers.`);
    }
  }
  return v;
}

/** An `INDArray` view over a new Int32Array label image. */
export function int32Array(
  shape: readonly number[],
  data?: Int32Array
): INDArray {
  return {
    dtype: 'int32',
    shape: [...shape],
    data: data ?? new Int32Array(sizeOf(shape))
  };
}

/**
 * Neighbour offsets of an n-d grid for a skimage-style `connectivity` (1 …
 * ndim): offsets in {-1, 0, 1}^ndim with between 1 and `connectivity` non-zero
 * components. In 2D, 1 ↔ 4-connectivity and 2 ↔ 8; in 3D, 1 ↔ 6 and 3 ↔ 26.
 *
 * With `backwardOnly`, only offsets that precede the centre in raster order
 * are returned (first non-zero component is −1): the neighbours a raster scan
 * has already visited.
 */
export function neighbourOffsets(
  ndim: number,
  connectivity: number,
  backwardOnly: boolean
): number[][] {
  if (
    !Number.isInteger(connectivity) ||
    connectivity < 1 ||
    connectivity > ndim
  ) {
    throw new Error(
      `connectivity must be an integer in 1..${ndim}, got ${connectivity}`
    );
  }
  const out: number[][] = [];
  const total = 3 ** ndim;
  for (let code = 0; code < total; code++) {
    const d: number[] = [];
    let c = code;
    for (let k = 0; k < ndim; k++) {
      d.unshift((c % 3) - 1);
      c = Math.floor(c / 3);
    }
    const nonZero = d.filter(x => x !== 0).length;
    if (nonZero === 0 || nonZero > connectivity) {
      continue;
    }
    const first = d.find(x => x !== 0) as number;
    if (backwardOnly && first > 0) {
      continue;
    }
    out.push(d);
  }
  return out;
}

/**
 * Precomputed neighbourhood of a grid: linear deltas of each offset, so that
 * callers only need a cheap bounds check per axis.
 */
export interface IGridNeighbourhood {
  shape: number[];
  strides: number[];
  offsets: number[][];
  deltas: number[];
}

/** Builds an {@link IGridNeighbourhood}. */
export function gridNeighbourhood(
  shape: readonly number[],
  connectivity: number,
  backwardOnly: boolean
): IGridNeighbourhood {
  const strides = stridesOf(shape);
  const offsets = neighbourOffsets(shape.length, connectivity, backwardOnly);
  const deltas = offsets.map(d =>
    d.reduce((acc, dk, k) => acc + dk * strides[k], 0)
  );
  return { shape: [...shape], strides, offsets, deltas };
}

/** Writes the coordinates of linear index `index` into `coords`. */
export function unravel(
  index: number,
  shape: readonly number[],
  coords: number[]
): void {
  let r = index;
  for (let k = shape.length - 1; k >= 0; k--) {
    coords[k] = r % shape[k];
    r = Math.floor(r / shape[k]);
  }
}

/** True when `coords + offset` stays inside `shape`. */
export function inBounds(
  coords: readonly number[],
  offset: readonly number[],
  shape: readonly number[]
): boolean {
  for (let k = 0; k < shape.length; k++) {
    const c = coords[k] + offset[k];
    if (c < 0 || c >= shape[k]) {
      return false;
    }
  }
  return true;
}

/** Advances raster-order coordinates by one element (last axis fastest). */
export function incrementCoords(
  coords: number[],
  shape: readonly number[]
): void {
  for (let k = shape.length - 1; k >= 0; k--) {
    if (++coords[k] < shape[k]) {
      return;
    }
    coords[k] = 0;
  }
}
