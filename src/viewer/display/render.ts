/**
 * Multi-channel rendering into RGBA: each visible channel goes through a
 * precomputed value → packed-RGBA table, channels add with per-byte
 * saturation (additive composite, as in Fiji's "composite" mode).
 *
 * Speed: for ≤ 16-bit integer data a 256/65536-entry Uint32 table is built once
 * per contrast change, then rendering is one lookup and one 32-bit store per
 * pixel; extra channels add with a branch-free SWAR saturating byte add.
 */
import {
  stridesOf,
  type INDArray,
  type TypedArray
} from '../../core/tensor/tensor';
import {
  type IContrast,
  integerTableRange,
  intensityTable,
  mapIntensity
} from './contrast';
import { type Colormap, colormapTable, packRGBA } from './lut';

/**
 * A zero-copy 2-D view into an array: pixel (y, x) is
 * data[offset + y·rowStride + x·pixelStride].
 */
export interface IPlane {
  data: TypedArray;
  width: number;
  height: number;
  offset: number;
  rowStride: number;
  pixelStride: number;
}

/** How one channel is shown. */
export interface IChannelDisplay extends IContrast {
  colormap: Colormap;
  /** Hidden channels are skipped (default visible). */
  visible?: boolean;
}

/** Position along the non-YX axes; missing ones default to 0. */
export interface IPlanePosition {
  t?: number;
  c?: number;
  z?: number;
}

/** A contiguous YX plane as an IPlane. */
export function contiguousPlane(
  data: TypedArray,
  width: number,
  height: number
): IPlane {
  return { data, width, height, offset: 0, rowStride: width, pixelStride: 1 };
}

/**
 * View of the YX plane at (t, c, z) of an array with letter axes (any order,
 * e.g. 'TCZYX', 'YXC', 'ZYX'); no copy.
 */
export function planeView(
  array: INDArray,
  axes: string,
  pos: IPlanePosition = {}
): IPlane {
  const strides = stridesOf(array.shape);
  const y = axes.indexOf('Y');
  const x = axes.indexOf('X');
  if (y < 0 || x < 0) {
    throw new RangeError(`axes '${axes}' have no Y and X`);
  }
  let offset = 0;
  const p: Record<string, number | undefined> = {
    T: pos.t,
    C: pos.c,
    Z: pos.z
  };
  axes.split('').forEach((l, i) => {
    if (l !== 'Y' && l !== 'X') {
      const v = p[l] ?? 0;
      if (v < 0 || v >= array.shape[i]) {
        throw new RangeError(
          `${l.toLowerCase()}=${v} is outside 0…${array.shape[i] - 1}`
        );
      }
      offset += v * strides[i];
    }
  });
  return {
    data: array.data,
    width: array.shape[x],
    height: array.shape[y],
    offset,
    rowStride: strides[y],
    pixelStride: strides[x]
  };
}

/** Table for one channel: packed RGBA per integer value, or per 1/4096 step for other data. */
interface IChannelTable {
  table: Uint32Array;
  /** For integer data: value − offset indexes `table`. */
  offset: number;
  /** For float data: index = (v − min) · scale, clamped; 0 for integer tables. */
  scale: number;
  integer: boolean;
}

/** Float and 32-bit data are sampled in this many steps across the window. */
export const FLOAT_STEPS = 4096;

/**
 * Precompute a channel's value → packed RGBA table (the only work a contrast
 * change needs before re-rendering).
 */
export function channelTable(
  data: TypedArray,
  d: IChannelDisplay
): IChannelTable {
  const cmap = colormapTable(d.colormap);
  const packed = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    packed[i] = packRGBA(cmap[i * 3], cmap[i * 3 + 1], cmap[i * 3 + 2]);
  }
  const range = integerTableRange(data);
  if (range) {
    const k = intensityTable(range.offset, range.size, d);
    const table = new Uint32Array(range.size);
    for (let i = 0; i < range.size; i++) {
      table[i] = packed[k[i]];
    }
    return { table, offset: range.offset, scale: 0, integer: true };
  }
  // Float/32-bit: sample the window in FLOAT_STEPS steps; values outside clamp.
  const table = new Uint32Array(FLOAT_STEPS + 1);
  const span = d.max > d.min ? d.max - d.min : 1;
  for (let i = 0; i <= FLOAT_STEPS; i++) {
    table[i] = packed[mapIntensity(d.min + (span * i) / FLOAT_STEPS, d)];
  }
  return { table, offset: d.min, scale: FLOAT_STEPS / span, integer: false };
}

/**
 * Render channels additively into RGBA (alpha 255).
 *
 * @param planes one plane per channel, all the same width × height
 * @param displays contrast + colour per channel (same order)
 * @param out optional reusable output of width·height·4 bytes
 */
export function renderComposite(
  planes: IPlane[],
  displays: IChannelDisplay[],
  out?: Uint8ClampedArray
): Uint8ClampedArray {
  if (planes.length === 0) {
    throw new RangeError('renderComposite needs at least one plane');
  }
  const { width, height } = planes[0];
  const n = width * height;
  const rgba = out ?? new Uint8ClampedArray(n * 4);
  if (rgba.length !== n * 4) {
    throw new RangeError(`output has ${rgba.length} bytes, need ${n * 4}`);
  }
  const out32 = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
  let first = true;
  planes.forEach((plane, c) => {
    const d = displays[c];
    if (!d || d.visible === false) {
      return;
    }
    if (plane.width !== width || plane.height !== height) {
      throw new RangeError('all channel planes must have the same size');
    }
    renderChannel(plane, channelTable(plane.data, d), out32, first);
    first = false;
  });
  if (first) {
    out32.fill(packRGBA(0, 0, 0));
  }
  return rgba;
}

/** Write (first) or saturating-add one channel into the packed output. */
function renderChannel(
  p: IPlane,
  t: IChannelTable,
  out: Uint32Array,
  first: boolean
): void {
  const { width, height, rowStride, pixelStride, offset } = p;
  const table = t.table;
  const contiguous = pixelStride === 1 && rowStride === width;
  if (t.integer) {
    const src = p.data;
    const o = t.offset;
    if (contiguous && first) {
      // The hot path: one type-specialised loop per array kind, so each
      // element access site stays monomorphic (V8 slows down several-fold
      // when one loop sees Uint8, Uint16 and Int16 arrays).
      if (src instanceof Uint16Array) {
        lookupU16(src, offset, table, out);
      } else if (src instanceof Int16Array) {
        lookupI16(src, offset, table, out);
      } else if (src instanceof Int8Array) {
        lookupI8(src, offset, table, out);
      } else {
        lookupU8(src as Uint8Array, offset, table, out);
      }
      return;
    }
    if (contiguous && src instanceof Uint16Array) {
      addLookupU16(src, offset, table, out);
      return;
    }
    const s = src as Uint16Array;
    let i = 0;
    for (let y = 0; y < height; y++) {
      let j = offset + y * rowStride;
      for (let x = 0; x < width; x++, i++, j += pixelStride) {
        const v = table[s[j] - o];
        out[i] = first ? v : addSaturate(out[i], v);
      }
    }
    return;
  }
  const src = p.data as unknown as ArrayLike<number | bigint>;
  const lo = t.offset;
  const scale = t.scale;
  const last = table.length - 1;
  let i = 0;
  for (let y = 0; y < height; y++) {
    let j = offset + y * rowStride;
    for (let x = 0; x < width; x++, i++, j += pixelStride) {
      const s = (Number(src[j]) - lo) * scale;
      // NaN fails both comparisons and lands on 0 (black), like mapIntensity.
      const k = s > 0 ? (s < last ? Math.round(s) : last) : 0;
      const v = table[k];
      out[i] = first ? v : addSaturate(out[i], v);
    }
  }
}

function lookupU16(
  src: Uint16Array,
  offset: number,
  table: Uint32Array,
  out: Uint32Array
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = table[src[offset + i]];
  }
}

function lookupU8(
  src: Uint8Array,
  offset: number,
  table: Uint32Array,
  out: Uint32Array
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = table[src[offset + i]];
  }
}

function lookupI16(
  src: Int16Array,
  offset: number,
  table: Uint32Array,
  out: Uint32Array
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = table[src[offset + i] + 32768];
  }
}

function lookupI8(
  src: Int8Array,
  offset: number,
  table: Uint32Array,
  out: Uint32Array
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = table[src[offset + i] + 128];
  }
}

/** Second and later uint16 channels: lookup plus inlined saturating add. */
function addLookupU16(
  src: Uint16Array,
  offset: number,
  table: Uint32Array,
  out: Uint32Array
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const a = out[i];
    const b = table[src[offset + i]];
    const s = ((a & 0x7f7f7f7f) + (b & 0x7f7f7f7f)) ^ ((a ^ b) & 0x80808080);
    const carry = ((a & b) | ((a | b) & ~s)) & 0x80808080;
    out[i] = s | ((carry >>> 7) * 255);
  }
}

/**
 * Per-byte saturating add of two packed RGBA words (SWAR): add the low 7 bits
 * of each byte, fix the top bit with XOR, and turn every byte that carried
 * out into 0xFF.
 */
export function addSaturate(a: number, b: number): number {
  const s = ((a & 0x7f7f7f7f) + (b & 0x7f7f7f7f)) ^ ((a ^ b) & 0x80808080);
  const carry = ((a & b) | ((a | b) & ~s)) & 0x80808080;
  return (s | ((carry >>> 7) * 255)) >>> 0;
}
