/**
 * NPY and PNG decoding into the viewer's image model. Both are decoded in one
 * go (no per-plane access in the formats), after a header size check.
 */
import type { DecodedPng } from 'fast-png';
import { readNpy, readNpyHeader } from '../tensor/npy';
import { BYTES_PER_ELEMENT, type INDArray, sizeOf } from '../tensor/tensor';
import { checkSize, DecodeError } from './errors';
import { normaliseAxes } from './tiff/metadata';
import type { IDecodedImage } from './types';

/**
 * Guess axes for an array of this shape when nothing says (NPY files carry no
 * axis names). Heuristic, following OME/bioimage.io order 'TCZYX':
 * - 2-D → 'YX'
 * - 3-D → 'YXC' if the last dimension is ≤ 4 and smaller than the other two
 *   (an RGB(A) image), else 'ZYX'
 * - 4-D → 'ZYXC' if the last dimension is ≤ 4 (same rule), else 'CZYX'
 * - 5-D → 'TZYXC' by the same rule, else 'TCZYX'
 * - more dimensions: leading size-1 dimensions (e.g. a batch axis) are
 *   dropped first; if still > 5-D the caller must give axes.
 * Returns undefined when no guess is possible (1-D or > 5-D).
 */
export function guessAxes(shape: readonly number[]): string | undefined {
  const n = shape.length;
  const last = shape[n - 1];
  const rgbLike =
    n >= 3 && last <= 4 && last < shape[n - 2] && last < shape[n - 3];
  switch (n) {
    case 2:
      return 'YX';
    case 3:
      return rgbLike ? 'YXC' : 'ZYX';
    case 4:
      return rgbLike ? 'ZYXC' : 'CZYX';
    case 5:
      return rgbLike ? 'TZYXC' : 'TCZYX';
    default:
      return undefined;
  }
}

/** 64-bit integers and bool become 32-bit / uint8 so display math can use plain numbers. */
function toDisplayable(a: INDArray, warnings: string[]): INDArray {
  if (a.dtype === 'bool') {
    return { ...a, dtype: 'uint8' };
  }
  if (a.dtype !== 'int64' && a.dtype !== 'uint64') {
    return a;
  }
  const src = a.data as BigInt64Array | BigUint64Array;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]);
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  const fitsI32 = lo >= -(2 ** 31) && hi < 2 ** 31;
  const fitsU32 = lo >= 0 && hi < 2 ** 32;
  const out = fitsI32
    ? new Int32Array(src.length)
    : fitsU32
      ? new Uint32Array(src.length)
      : new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    out[i] = Number(src[i]);
  }
  const dtype = fitsI32 ? 'int32' : fitsU32 ? 'uint32' : 'float64';
  warnings.push(`${a.dtype} values converted to ${dtype} for display.`);
  return { dtype, shape: a.shape, data: out };
}

/** Decode an NPY file; `axes` overrides the shape-based guess. */
export function decodeNpyImage(
  bytes: Uint8Array,
  fileName: string,
  maxBytes: number,
  axes?: string
): IDecodedImage {
  let header;
  try {
    header = readNpyHeader(bytes);
  } catch (e) {
    throw new DecodeError('corrupt', `${fileName}: ${(e as Error).message}.`);
  }
  checkSize(
    sizeOf(header.shape) * BYTES_PER_ELEMENT[header.dtype],
    maxBytes,
    fileName,
    'raise the limit in Settings → BioImage'
  );
  let shape = header.shape.slice();
  let chosen: string | undefined;
  let axesSource: string;
  if (axes !== undefined) {
    chosen = normaliseAxes(axes);
    if (!chosen || chosen.length !== shape.length) {
      throw new DecodeError(
        'bad-argument',
        `${fileName}: axes '${axes}' do not fit the array of shape [${shape.join(', ')}]; give ` +
          `${shape.length} distinct letters from TCZYX including Y and X.`
      );
    }
    axesSource = `given axes '${axes}'`;
  } else {
    while (shape.length > 5 && shape[0] === 1) {
      shape = shape.slice(1);
    }
    chosen = guessAxes(shape);
    if (!chosen) {
      throw new DecodeError(
        'unsupported-layout',
        `${fileName}: cannot tell which of the ${shape.length} dimensions ` +
          `[${header.shape.join(', ')}] are Y and X; give the axes explicitly (e.g. 'CZYX').`
      );
    }
    axesSource = `guessed from the ${shape.length}-D shape`;
  }
  let array: INDArray;
  try {
    array = readNpy(bytes);
  } catch (e) {
    const msg = (e as Error).message;
    throw new DecodeError(
      /truncated/i.test(msg) ? 'truncated' : 'corrupt',
      `${fileName}: ${msg}.`
    );
  }
  const warnings: string[] = [];
  array = toDisplayable({ ...array, shape }, warnings);
  return {
    array,
    shape: array.shape.slice(),
    dtype: array.dtype,
    axes: chosen,
    source: { format: 'npy', planeCount: 1, axesSource, warnings }
  };
}

/**
 * Decode a PNG (8/16-bit grey, grey+alpha, RGB, RGBA or palette) to YX or YXC.
 *
 * fast-png is imported lazily: it is ESM-only, so loading it eagerly would make
 * the whole decoder unloadable in jest's Node (vm-modules) project, and most
 * users never open a PNG (the bundler splits it into its own chunk).
 */
export async function decodePngImage(
  bytes: Uint8Array,
  fileName: string,
  maxBytes: number
): Promise<IDecodedImage> {
  // IHDR is always the first chunk: width and height at bytes 16…23, big-endian.
  if (bytes.length < 33) {
    throw new DecodeError(
      'truncated',
      `${fileName}: the PNG file is too short to hold a header.`
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = view.getUint32(16);
  const h = view.getUint32(20);
  const depth = bytes[24];
  // 4 channels at 16 bit is the most a PNG can need per pixel.
  checkSize(
    w * h * 4 * (depth === 16 ? 2 : 1),
    maxBytes,
    fileName,
    'reduce the image size'
  );
  const { decode: decodePngData, convertIndexedToRgb } =
    await import('fast-png');
  let png: DecodedPng;
  try {
    png = decodePngData(bytes);
  } catch (e) {
    throw new DecodeError(
      'corrupt',
      `${fileName}: the PNG could not be decoded (${(e as Error).message}).`
    );
  }
  let data = png.data;
  let channels = png.channels;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = data.length / (png.width * png.height);
  }
  if (data.length !== png.width * png.height * channels) {
    throw new DecodeError(
      'unsupported-layout',
      `${fileName}: ${png.depth}-bit PNGs with ${channels} channels are not supported; re-save as 8 or 16 bit.`
    );
  }
  const u =
    data instanceof Uint16Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.length);
  const shape =
    channels === 1
      ? [png.height, png.width]
      : [png.height, png.width, channels];
  const dtype = u instanceof Uint16Array ? 'uint16' : 'uint8';
  return {
    array: { dtype, shape, data: u },
    shape: shape.slice(),
    dtype,
    axes: channels === 1 ? 'YX' : 'YXC',
    source: {
      format: 'png',
      planeCount: 1,
      axesSource: `PNG with ${channels} channel(s)`,
      warnings: []
    }
  };
}
