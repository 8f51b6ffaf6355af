/**
 * The pure half of the WebGL2 renderer (no DOM, no GL context): which texture
 * format holds a plane, the texels to upload, and how overlays lay out
 * across the frame. The per-channel uniforms are in gl-levels.ts.
 */
import type { TypedArray } from '../../core/tensor/tensor';
import { integerTableRange } from './contrast';
import { FLOAT_STEPS, type IPlane } from './render';

/** The WebGL2 enums used here (numeric, so this module needs no context). */
export const GL_ENUMS = {
  BYTE: 0x1400,
  UNSIGNED_BYTE: 0x1401,
  SHORT: 0x1402,
  UNSIGNED_SHORT: 0x1403,
  INT: 0x1404,
  UNSIGNED_INT: 0x1405,
  FLOAT: 0x1406,
  RED: 0x1903,
  RED_INTEGER: 0x8d94,
  R32F: 0x822e,
  R8I: 0x8231,
  R8UI: 0x8232,
  R16I: 0x8233,
  R16UI: 0x8234,
  R32I: 0x8235,
  R32UI: 0x8236
} as const;

/** How a shader reads a texel: as an unsigned int, a signed int or a float. */
export type SamplerKind = 'uint' | 'int' | 'float';

/** Number of levels (table entries) of the colour maps. */
export const LEVELS = 256;

/**
 * How the shader orders values in the 'steps' domain: the order-preserving
 * int32 key of a float32 (NaN → −∞), the int32 itself, or a uint32 with its
 * top bit flipped. Keys compare exactly, so thresholds in keys are exact.
 */
export type ValueKey = 'float' | 'int32' | 'uint32';

/** Where a plane's values go on the GPU and how the shader reads them. */
export interface ITextureFormat {
  /** Internal format, format and type enums for texImage / texSubImage. */
  internalFormat: number;
  format: number;
  type: number;
  sampler: SamplerKind;
  bytesPerTexel: number;
  /**
   * 'integer': the texel (plus `indexOffset`) indexes a one-entry-per-value
   * table, exactly as the software path does for ≤ 16-bit integers.
   * 'steps': the value is quantised into FLOAT_STEPS + 1 steps over the window.
   */
  domain: 'integer' | 'steps';
  /** Added to an integer texel to get its table index (128 for int8, 32768 for int16). */
  indexOffset: number;
  /** Table size in the integer domain (256 or 65536); FLOAT_STEPS + 1 for steps. */
  domainSize: number;
  /** Steps domain: how texel values are ordered (see ValueKey). */
  key: ValueKey;
  /**
   * True when the values are converted to float32 relative to a base value
   * before upload (float64, 64-bit integers: the only approximate formats);
   * false when the typed array is uploaded as it is.
   */
  converted: boolean;
}

/**
 * The texture format for a plane's typed array. Integers keep their exact
 * values in integer textures (R8UI/R8I/R16UI/R16I/R32UI/R32I: no
 * normalisation, no rounding); float32 goes to R32F unchanged; float64 and
 * 64-bit integers to R32F relative to the plane's minimum, which keeps
 * float32's 24 bits for the data's own range instead of its magnitude.
 */
export function textureFormat(data: TypedArray): ITextureFormat {
  const E = GL_ENUMS;
  const integer = (
    internalFormat: number,
    type: number,
    sampler: SamplerKind,
    bytesPerTexel: number
  ): ITextureFormat => {
    const range = integerTableRange(data)!;
    return {
      internalFormat,
      format: E.RED_INTEGER,
      type,
      sampler,
      bytesPerTexel,
      domain: 'integer',
      indexOffset: -range.offset || 0,
      domainSize: range.size,
      key: 'int32',
      converted: false
    };
  };
  const steps = (
    internalFormat: number,
    format: number,
    type: number,
    sampler: SamplerKind,
    key: ValueKey
  ): ITextureFormat => ({
    internalFormat,
    format,
    type,
    sampler,
    bytesPerTexel: 4,
    domain: 'steps',
    indexOffset: 0,
    domainSize: FLOAT_STEPS + 1,
    key,
    converted: sampler === 'float' && !(data instanceof Float32Array)
  });
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
    return integer(E.R8UI, E.UNSIGNED_BYTE, 'uint', 1);
  }
  if (data instanceof Int8Array) {
    return integer(E.R8I, E.BYTE, 'int', 1);
  }
  if (data instanceof Uint16Array) {
    return integer(E.R16UI, E.UNSIGNED_SHORT, 'uint', 2);
  }
  if (data instanceof Int16Array) {
    return integer(E.R16I, E.SHORT, 'int', 2);
  }
  if (data instanceof Int32Array) {
    return steps(E.R32I, E.RED_INTEGER, E.INT, 'int', 'int32');
  }
  if (data instanceof Uint32Array) {
    return steps(E.R32UI, E.RED_INTEGER, E.UNSIGNED_INT, 'uint', 'uint32');
  }
  return steps(E.R32F, E.RED, E.FLOAT, 'float', 'float');
}

/** Texels of one plane, ready for texSubImage3D. */
export interface ITexels {
  /** width·height values, row-major. */
  data:
    | Uint8Array
    | Int8Array
    | Uint16Array
    | Int16Array
    | Uint32Array
    | Int32Array
    | Float32Array;
  /** Subtracted from every value before upload (converted formats only; else 0). */
  base: number;
  /** True when `data` is a view of the plane's own buffer (nothing copied). */
  zeroCopy: boolean;
}

/**
 * The values of `plane` as the texture expects them: a view of the plane's
 * buffer when it is contiguous and needs no conversion, else a copy
 * (strided planes such as YXC channels, and converted formats).
 */
export function texelData(plane: IPlane, format: ITextureFormat): ITexels {
  const { data, width, height, offset, rowStride, pixelStride } = plane;
  const n = width * height;
  const contiguous = pixelStride === 1 && rowStride === width;
  if (!format.converted) {
    const raw: unknown = data;
    const view =
      raw instanceof Uint8ClampedArray
        ? new Uint8Array(raw.buffer, raw.byteOffset, raw.length)
        : (data as ITexels['data']);
    if (contiguous) {
      return {
        data: view.subarray(offset, offset + n) as ITexels['data'],
        base: 0,
        zeroCopy: true
      };
    }
    const Ctor = view.constructor as new (n: number) => ITexels['data'];
    const out = new Ctor(n);
    let i = 0;
    for (let y = 0; y < height; y++) {
      let j = offset + y * rowStride;
      for (let x = 0; x < width; x++, i++, j += pixelStride) {
        out[i] = view[j];
      }
    }
    return { data: out, base: 0, zeroCopy: false };
  }
  // Read once into float64 (any strides, BigInt too), then store relative to the minimum.
  const src = data as unknown as ArrayLike<number | bigint>;
  const values = new Float64Array(n);
  let i = 0;
  for (let y = 0; y < height; y++) {
    let j = offset + y * rowStride;
    for (let x = 0; x < width; x++, i++, j += pixelStride) {
      values[i] = Number(src[j]);
    }
  }
  let base = Infinity;
  for (let k = 0; k < n; k++) {
    const v = values[k];
    if (v < base && v > -Infinity) {
      base = v; // finite values only: NaN fails both tests
    }
  }
  if (!Number.isFinite(base)) {
    base = 0;
  }
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    out[k] = values[k] - base;
  }
  return { data: out, base, zeroCopy: false };
}

/** How overlays are laid out across the frame, as the software `composeFrame` does. */
export interface IFrameLayout {
  /** Frame width: twice the image for side by side with overlays, else the image width. */
  width: number;
  /** Overlays are drawn on image columns x < cut (the width unless swiping). */
  cut: number;
  /** Left half: the image alone; right half: the image with overlays. */
  sideBySide: boolean;
}

/** The frame layout for an image `width` wide with `layers` visible overlays. */
export function frameLayout(
  width: number,
  mode: 'overlay' | 'swipe' | 'side-by-side',
  swipe: number,
  layers: number
): IFrameLayout {
  if (layers === 0 || mode === 'overlay') {
    return { width, cut: width, sideBySide: false };
  }
  if (mode === 'swipe') {
    return { width, cut: Math.round(swipe * width), sideBySide: false };
  }
  return { width: width * 2, cut: width, sideBySide: true };
}
