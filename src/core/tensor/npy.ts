/**
 * Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
 *
 * Pure TypeScript without Node imports: it also runs in the browser's Web
 * Worker. Arrays always come out C-ordered and little-endian (the layout every
 * other part of the extension assumes); Fortran-ordered and big-endian files
 * are converted on reading.
 */
import {
  BYTES_PER_ELEMENT,
  sizeOf,
  DType,
  INDArray,
  TypedArray
} from './tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** NumPy type character + size (without byte order) for each dtype. */
const NUMPY_CODE: Record<DType, string> = {
  bool: 'b1',
  uint8: 'u1',
  int8: 'i1',
  uint16: 'u2',
  int16: 'i2',
  uint32: 'u4',
  int32: 'i4',
  uint64: 'u8',
  int64: 'i8',
  float32: 'f4',
  float64: 'f8'
};

const DTYPE_BY_CODE: Record<string, DType> = Object.fromEntries(
  Object.entries(NUMPY_CODE).map(([dtype, code]) => [code, dtype as DType])
);

/** The parsed header dictionary of an `.npy` file. */
export interface INpyHeader {
  dtype: DType;
  bigEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the array data from the start of the file. */
  dataOffset: number;
}

/** Thrown for malformed, truncated or unsupported `.npy` data. */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

/** Whether this machine stores multi-byte numbers little-endian (all current browsers/Node do). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parse the header of an `.npy` file.
 *
 * @throws NpyError when the magic string, version, header or dtype is invalid.
 */
export function readNpyHeader(bytes: Uint8Array): INpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(
      'not an .npy file: the data does not start with the "\\x93NUMPY" magic string'
    );
  }
  const major = bytes[6];
  const minor = bytes[7];
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = bytes[8] | (bytes[9] << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) {
      throw new NpyError(
        'truncated .npy file: the header length field is incomplete'
      );
    }
    headerLength = new DataView(
      bytes.buffer,
      bytes.byteOffset + 8,
      4
    ).getUint32(0, true);
    headerStart = 12;
  } else {
    throw new NpyError(
      `unsupported .npy format version ${major}.${minor}; supported: 1.0, 2.0, 3.0`
    );
  }
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) {
    throw new NpyError(
      `truncated .npy file: header declares ${headerLength} bytes but only ${bytes.length - headerStart} are present`
    );
  }
  // Versions 1 and 2 are latin1, version 3 UTF-8; the keys we need are ASCII either way.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataOffset)
  );
  return { ...parseHeaderDict(text), dataOffset };
}

/** Extract descr, fortran_order and shape from the Python dict literal of the header. */
function parseHeaderDict(text: string): Omit<INpyHeader, 'dataOffset'> {
  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  if (!descrMatch) {
    // A list-valued descr means a structured (record) array.
    if (/['"]descr['"]\s*:\s*\[/.test(text)) {
      throw new NpyError(
        'unsupported .npy dtype: structured (record) arrays cannot be read'
      );
    }
    throw new NpyError(`invalid .npy header, no 'descr' entry: ${text.trim()}`);
  }
  const orderMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!orderMatch) {
    throw new NpyError(
      `invalid .npy header, no 'fortran_order' entry: ${text.trim()}`
    );
  }
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeMatch) {
    throw new NpyError(`invalid .npy header, no 'shape' entry: ${text.trim()}`);
  }
  const shape = shapeMatch[1]
    .split(',')
    .map(s => s.trim())
    .filter(s => s.length > 0)
    .map(s => {
      // Python 2 era files may write long integers as `512L`.
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) {
        throw new NpyError(
          `invalid .npy header, bad shape entry '${s}' in (${shapeMatch[1]})`
        );
      }
      return n;
    });
  const { dtype, bigEndian } = parseDescr(descrMatch[2]);
  return { dtype, bigEndian, fortranOrder: orderMatch[1] === 'True', shape };
}

function parseDescr(descr: string): { dtype: DType; bigEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z]\d+)$/.exec(descr);
  const dtype = m ? DTYPE_BY_CODE[m[2]] : undefined;
  if (!m || !dtype) {
    const supported = Object.values(NUMPY_CODE).join(', ');
    throw new NpyError(
      `unsupported .npy dtype '${descr}'; supported: ${supported} (little- or big-endian). ` +
        'Convert the array first, e.g. with numpy: arr.astype("float32")'
    );
  }
  // '=' means "native" for the writer; numpy itself never writes it, and the files we get
  // come from little-endian machines, so it is read as little-endian.
  return { dtype, bigEndian: m[1] === '>' && BYTES_PER_ELEMENT[dtype] > 1 };
}

/**
 * Read an `.npy` file into a C-ordered, native (little-endian) array.
 *
 * bool arrays come back as Uint8Array of 0/1, 64-bit integers as BigInt arrays.
 *
 * @throws NpyError for invalid headers, unsupported dtypes or truncated data.
 */
export function readNpy(bytes: Uint8Array): INDArray {
  if (!HOST_LITTLE_ENDIAN) {
    throw new NpyError('reading .npy files needs a little-endian machine');
  }
  const header = readNpyHeader(bytes);
  const { dtype, shape } = header;
  const count = sizeOf(shape);
  const itemSize = BYTES_PER_ELEMENT[dtype];
  const byteLength = count * itemSize;
  const available = bytes.length - header.dataOffset;
  if (available < byteLength) {
    throw new NpyError(
      `truncated .npy file: shape [${shape.join(', ')}] of ${dtype} needs ${byteLength} data bytes, ` +
        `but only ${available} are present`
    );
  }
  // Copy into a fresh buffer: the source may be unaligned for the element size,
  // and byte swapping must not modify the caller's bytes.
  const raw = bytes.slice(header.dataOffset, header.dataOffset + byteLength);
  if (header.bigEndian) {
    swapBytes(raw, itemSize);
  }
  const data = viewAs(dtype, raw.buffer, count);
  if (dtype === 'bool') {
    for (let i = 0; i < count; i++) {
      data[i] = raw[i] !== 0 ? 1 : 0;
    }
  }
  const cData =
    header.fortranOrder && shape.length > 1 ? fortranToC(data, shape) : data;
  return { dtype, shape, data: cData };
}

/**
 * Serialise an array as an `.npy` file (version 1.0, or 2.0 when the header is
 * too long for 1.0), little-endian.
 *
 * @param fortranOrder write the data in Fortran (column-major) order; the
 *   default C order is what every reader handles best.
 */
export function writeNpy(arr: INDArray, fortranOrder = false): Uint8Array {
  const count = sizeOf(arr.shape);
  if (arr.data.length !== count) {
    throw new NpyError(
      `array data has ${arr.data.length} elements but shape [${arr.shape.join(', ')}] needs ${count}`
    );
  }
  const shapeText =
    arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  const byteOrder = BYTES_PER_ELEMENT[arr.dtype] === 1 ? '|' : '<';
  const dict =
    `{'descr': '${byteOrder}${NUMPY_CODE[arr.dtype]}', ` +
    `'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  // Pad so that the data starts on a 64-byte boundary, as numpy does.
  let version = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const headerText = dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const itemSize = BYTES_PER_ELEMENT[arr.dtype];
  const out = new Uint8Array(total + count * itemSize);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) {
    view.setUint16(8, headerText.length, true);
  } else {
    view.setUint32(8, headerText.length, true);
  }
  for (let i = 0; i < headerText.length; i++) {
    out[prefix + i] = headerText.charCodeAt(i);
  }
  const data =
    fortranOrder && arr.shape.length > 1
      ? cToFortran(arr.data, arr.shape)
      : arr.data;
  out.set(
    new Uint8Array(data.buffer, data.byteOffset, count * itemSize),
    total
  );
  if (arr.dtype === 'bool') {
    for (let i = 0; i < count; i++) {
      out[total + i] = out[total + i] !== 0 ? 1 : 0;
    }
  }
  return out;
}

function viewAs(
  dtype: DType,
  buffer: ArrayBufferLike,
  count: number
): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, count);
    case 'float64':
      return new Float64Array(buffer, 0, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, 0, count);
    case 'int8':
      return new Int8Array(buffer, 0, count);
    case 'uint16':
      return new Uint16Array(buffer, 0, count);
    case 'int16':
      return new Int16Array(buffer, 0, count);
    case 'uint32':
      return new Uint32Array(buffer, 0, count);
    case 'int32':
      return new Int32Array(buffer, 0, count);
    case 'uint64':
      return new BigUint64Array(buffer, 0, count);
    case 'int64':
      return new BigInt64Array(buffer, 0, count);
  }
}

function swapBytes(raw: Uint8Array, itemSize: number): void {
  for (let start = 0; start < raw.length; start += itemSize) {
    for (let a = start, b = start + itemSize - 1; a < b; a++, b--) {
      const t = raw[a];
      raw[a] = raw[b];
      raw[b] = t;
    }
  }
}

/** Column-major strides (in elements) of a shape. */
function fortranStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = 0; i < shape.length; i++) {
    strides[i] = acc;
    acc *= shape[i];
  }
  return strides;
}

/**
 * Walk all C-order positions while tracking the matching Fortran offset, and
 * call `visit(cIndex, fIndex)` for each element.
 */
function forEachFortranOffset(
  shape: readonly number[],
  visit: (cIndex: number, fIndex: number) => void
): void {
  const count = sizeOf(shape);
  if (count === 0) {
    return;
  }
  const nd = shape.length;
  const fStrides = fortranStrides(shape);
  const index = new Array<number>(nd).fill(0);
  let fOffset = 0;
  for (let c = 0; c < count; c++) {
    visit(c, fOffset);
    // Odometer increment over the C order (last axis fastest).
    for (let d = nd - 1; d >= 0; d--) {
      index[d]++;
      fOffset += fStrides[d];
      if (index[d] < shape[d]) {
        break;
      }
      fOffset -= fStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

function fortranToC(data: TypedArray, shape: readonly number[]): TypedArray {
  const out = allocateLike(data);
  copyElements(data, out, shape, false);
  return out;
}

function cToFortran(data: TypedArray, shape: readonly number[]): TypedArray {
  const out = allocateLike(data);
  copyElements(data, out, shape, true);
  return out;
}

function allocateLike(data: TypedArray): TypedArray {
  const Ctor = data.constructor as new (length: number) => TypedArray;
  return new Ctor(data.length);
}

/** Permute elements between C and Fortran layouts without losing BigInt precision. */
function copyElements(
  src: TypedArray,
  dst: TypedArray,
  shape: readonly number[],
  toFortran: boolean
): void {
  // Both arrays have the same element kind; index them as generic stores.
  const s = src as unknown as { [i: number]: number | bigint };
  const d = dst as unknown as { [i: number]: number | bigint };
  forEachFortranOffset(shape, (c, f) => {
    if (toFortran) {
      d[f] = s[c];
    } else {
      d[c] = s[f];
    }
  });
}
