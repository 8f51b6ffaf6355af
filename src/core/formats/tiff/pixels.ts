/**
 * Our own reader for the pixels of a TIFF page stored uncompressed or with
 * Deflate, LZW or PackBits: strips or tiles, contiguous or planar samples,
 * either byte order, predictors 2 and 3. geotiff (still used for JPEG, LERC,
 * Zstandard and WebP) reads out-of-line strip tables of big-endian files as
 * little-endian, undoes predictor 2 on big-endian samples before swapping
 * them, needs one SampleFormat value per sample and inflates without a size
 * limit; each of those broke real files, hence this module.
 */
import type { DType, TypedArray } from '../../tensor/tensor';
import { checkSize, DecodeError } from '../errors';
import {
  CodecError,
  inflateBounded,
  lzwBounded,
  packBitsBounded
} from './codecs';
import type { IPageHeader } from './ifd';

/** Compression codes this module decodes itself. */
export const OWN_COMPRESSION = new Set([1, 5, 8, 32946, 32773]);

/** Where a page is and how to talk about it in messages. */
export interface IPageContext {
  bytes: Uint8Array;
  littleEndian: boolean;
  fileName: string;
  /** e.g. 'page 3'. */
  what: string;
  maxBytes: number;
}

const CTOR: Record<DType, new (b: ArrayBuffer) => TypedArray> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array
} as unknown as Record<DType, new (b: ArrayBuffer) => TypedArray>;

/** An unsigned view of `buf` whose element is min(bytes, 4) wide. */
function unitView(
  buf: ArrayBuffer,
  bytes: number
): Uint8Array | Uint16Array | Uint32Array {
  // Whole units only: an odd-sized uncompressed strip must not make the view throw.
  const n = Math.floor(buf.byteLength / bytes);
  return bytes === 1
    ? new Uint8Array(buf, 0, n)
    : bytes === 2
      ? new Uint16Array(buf, 0, n)
      : new Uint32Array(buf, 0, n);
}

/** IEEE half → float32 (geotiff widened half floats too; the dtype stays float32). */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) {
    return s * f * 2 ** -24;
  }
  if (e === 31) {
    return f ? NaN : s * Infinity;
  }
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Decode one page to an interleaved YX(S) array of `dtype`, or, with
 * `sample`, to the YX array of that one sample (only its strips are read
 * when samples are stored planar).
 */
export function decodeOwnPage(
  ctx: IPageContext,
  p: IPageHeader,
  dtype: DType,
  sample?: number
): TypedArray {
  const { fileName, what } = ctx;
  const W = p.width;
  const H = p.height;
  const S = p.samplesPerPixel;
  const b = p.bitsPerSample / 8;
  const separate = p.planar === 2 && S > 1;
  const tiled = p.tileWidth > 0 && p.tileHeight > 0;
  const bw = tiled ? p.tileWidth : W;
  const bh = tiled ? p.tileHeight : p.rowsPerStrip;
  const across = Math.ceil(W / bw);
  const perPlane = across * Math.ceil(H / bh);
  const spb = separate ? 1 : S; // samples in one block
  const blockRow = bw * spb * b;
  const cap = blockRow * bh;
  const block = tiled ? 'tile' : 'strip';
  const needed = perPlane * (separate ? S : 1);
  if (p.offsets.length < needed || p.byteCounts.length !== p.offsets.length) {
    throw new DecodeError(
      'corrupt',
      `${fileName}: ${what} has ${p.offsets.length} ${block} offsets and ${p.byteCounts.length} ` +
        `byte counts, but its size (${W}×${H}, ${bw}×${bh} per ${block}) needs ${needed}; the file is damaged.`
    );
  }
  checkSize(cap, ctx.maxBytes, fileName);
  const outS = sample === undefined ? S : 1;
  const dstBuf = new ArrayBuffer(W * H * outS * b);
  const unit = Math.min(b, 4);
  const k = b / unit; // units per sample
  const dst = unitView(dstBuf, unit);
  for (let i = 0; i < needed; i++) {
    const s = separate ? Math.floor(i / perPlane) : -1;
    if (separate && sample !== undefined && s !== sample) {
      continue;
    }
    const j = i % perPlane;
    const bx = j % across;
    const by = Math.floor(j / across);
    const rows = Math.min(bh, H - by * bh);
    const cols = Math.min(bw, W - bx * bw);
    const where = `${block} ${i + 1} of ${what}`;
    const data = decodeBlock(ctx, p, i, cap, where);
    const used = (rows - 1) * blockRow + cols * spb * b;
    if (data.length < used) {
      throw new DecodeError(
        'corrupt',
        `${fileName}: ${where} holds ${data.length} bytes` +
          (p.compression === 1 ? '' : ' after decompression') +
          `, but its ${rows} rows of ${cols} pixels need ${used}; the file is damaged.`
      );
    }
    const src = unitView(data.buffer as ArrayBuffer, unit);
    // Copy rows into place; strides in units of `unit` bytes.
    const srcPixel = spb * k;
    const dstPixel = outS * k;
    const srcOff = sample !== undefined && !separate ? sample * k : 0;
    const dstOff = sample === undefined && separate ? s * k : 0;
    const whole = srcPixel === dstPixel && srcOff === 0 && dstOff === 0;
    for (let r = 0; r < rows; r++) {
      const so = r * bw * spb * k;
      const dRow = ((by * bh + r) * W + bx * bw) * dstPixel;
      if (whole) {
        dst.set(src.subarray(so, so + cols * srcPixel), dRow);
        continue;
      }
      for (let x = 0; x < cols; x++) {
        const si = so + x * srcPixel + srcOff;
        const di = dRow + x * dstPixel + dstOff;
        for (let u = 0; u < k; u++) {
          dst[di + u] = src[si + u];
        }
      }
    }
  }
  if (p.sampleFormat === 3 && b === 2) {
    const half = new Uint16Array(dstBuf);
    const out = new Float32Array(half.length);
    for (let i = 0; i < half.length; i++) {
      out[i] = halfToFloat(half[i]);
    }
    return out;
  }
  return new CTOR[dtype](dstBuf);
}

/**
 * Decompress block `i` of a page, swap it to native byte order and undo the
 * predictor. The result starts at offset 0 of its own buffer (aligned views).
 */
function decodeBlock(
  ctx: IPageContext,
  p: IPageHeader,
  i: number,
  cap: number,
  where: string
): Uint8Array {
  const { bytes, fileName } = ctx;
  const off = p.offsets[i];
  const count = p.byteCounts[i];
  if (off + count > bytes.byteLength) {
    throw new DecodeError(
      'truncated',
      `${fileName}: the file ends early (${where} needs bytes up to ${off + count} but the ` +
        `file has ${bytes.byteLength}); it was probably cut off while copying or downloading — copy it again.`
    );
  }
  const raw = bytes.subarray(off, off + count);
  let data: Uint8Array;
  try {
    if (p.compression === 1) {
      data = raw.slice(0, Math.min(cap, raw.length));
    } else {
      const r =
        p.compression === 5
          ? lzwBounded(raw, cap)
          : p.compression === 32773
            ? packBitsBounded(raw, cap)
            : inflateBounded(raw, cap);
      data = r.out.subarray(0, r.length);
    }
  } catch (e) {
    if (!(e instanceof CodecError)) {
      throw e;
    }
    const kind =
      e.reason === 'unsupported' ? 'unsupported-compression' : 'corrupt';
    const tail =
      e.reason === 'overflow'
        ? ` (${p.tileWidth ? 'TileWidth × TileLength' : 'RowsPerStrip × ImageWidth'} × samples × ` +
          'bytes per sample); the file is damaged or was built to exhaust memory, so decoding stopped.'
        : e.reason === 'invalid'
          ? '; the file is damaged.'
          : '; re-save it uncompressed or with Deflate.';
    throw new DecodeError(kind, `${fileName}: ${where} ${e.message}${tail}`);
  }
  const b = p.bitsPerSample / 8;
  if (!ctx.littleEndian && b > 1 && p.predictor !== 3) {
    swapBytes(data, b);
  }
  if (p.predictor === 2) {
    undoHorizontal(data, p, b);
  } else if (p.predictor === 3) {
    data = undoFloatingPoint(data, p, b);
  }
  return data;
}

/** Reverse the bytes of every `b`-byte sample in place. */
function swapBytes(d: Uint8Array, b: number): void {
  const n = d.length - (d.length % b);
  for (let i = 0; i < n; i += b) {
    for (let lo = i, hi = i + b - 1; lo < hi; lo++, hi--) {
      const t = d[lo];
      d[lo] = d[hi];
      d[hi] = t;
    }
  }
}

/** Samples per block row, and the stride between a sample and its left neighbour. */
function rowGeometry(p: IPageHeader): { rowSamples: number; stride: number } {
  const spb = p.planar === 2 ? 1 : p.samplesPerPixel;
  const bw = p.tileWidth > 0 ? p.tileWidth : p.width;
  return { rowSamples: bw * spb, stride: spb };
}

/** Predictor 2: each sample was stored as the difference to its left neighbour. */
function undoHorizontal(d: Uint8Array, p: IPageHeader, b: number): void {
  const { rowSamples, stride } = rowGeometry(p);
  const v =
    b === 1
      ? d
      : b === 2
        ? new Uint16Array(d.buffer, 0, d.length >> 1)
        : new Uint32Array(d.buffer, 0, d.length >> 2);
  for (let r = 0; r + rowSamples <= v.length; r += rowSamples) {
    for (let i = r + stride; i < r + rowSamples; i++) {
      v[i] += v[i - stride];
    }
  }
}

/**
 * Predictor 3 (floating point): each row holds the samples' bytes split into
 * planes, most significant first, then byte-wise differenced. Rebuilt here in
 * native (little-endian) order, whatever the file's byte order.
 */
function undoFloatingPoint(
  d: Uint8Array,
  p: IPageHeader,
  b: number
): Uint8Array {
  const { rowSamples, stride } = rowGeometry(p);
  const rowBytes = rowSamples * b;
  const out = new Uint8Array(d.length);
  for (let r = 0; r + rowBytes <= d.length; r += rowBytes) {
    for (let i = r + stride; i < r + rowBytes; i++) {
      d[i] = (d[i] + d[i - stride]) & 0xff;
    }
    for (let s = 0; s < rowSamples; s++) {
      for (let k = 0; k < b; k++) {
        out[r + s * b + (b - 1 - k)] = d[r + k * rowSamples + s];
      }
    }
  }
  return out;
}
