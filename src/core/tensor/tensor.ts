/**
 * N-dimensional arrays and named-axis tensors: the data type every part of
 * the pure core (descriptions, processing, tiling, metrics, CLI, worker)
 * exchanges. No DOM, no JupyterLab imports.
 */

/** Element types bioimage.io descriptions can name. */
export type DType =
  | 'float32'
  | 'float64'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'int64'
  | 'bool';

/** Every {@link DType}, in the spec's order (for validation and messages). */
export const DTYPES: readonly DType[] = [
  'float32',
  'float64',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'uint64',
  'int64',
  'bool'
];

/** Bytes per element of each {@link DType}: the one table every reader and writer uses. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  bool: 1,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  uint64: 8,
  int64: 8,
  float32: 4,
  float64: 8
};

/** The typed arrays that back an {@link INDArray}. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * A dense, C-ordered (row-major) n-dimensional array.
 *
 * `bool` is stored as a Uint8Array of 0/1; `int64`/`uint64` as BigInt arrays.
 */
export interface INDArray {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/**
 * An array whose axes carry ids (`batch`, `channel`, `z`, `y`, `x`, `time`,
 * custom index ids, ...), one per dimension, in the array's order.
 */
export interface ITensor extends INDArray {
  axes: string[];
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) {
    n *= s;
  }
  return n;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  return strides;
}

/** A zero-filled typed array of the given dtype and length. */
export function allocate(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'uint16':
      return new Uint16Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint64':
      return new BigUint64Array(length);
    case 'int64':
      return new BigInt64Array(length);
  }
}

/** Element `i` of any typed array as a JavaScript number. */
export function valueAt(data: TypedArray, i: number): number {
  return Number(data[i]);
}

/** A copy of any typed array as float64, for exact statistics. */
export function toFloat64(data: TypedArray): Float64Array {
  if (data instanceof Float64Array) {
    return data.slice();
  }
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) {
      out[i] = Number(data[i]);
    }
  } else {
    out.set(data);
  }
  return out;
}
