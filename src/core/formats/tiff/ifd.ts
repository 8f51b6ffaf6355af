/**
 * A minimal TIFF structure walker: finds every IFD and reads the handful of
 * tags needed to decide shape, dtype and memory size *before* geotiff (which
 * allocates) is asked to decode anything. It also catches truncated files,
 * IFD loops (geotiff would spin forever) and absurd sizes early, with messages
 * that say what is wrong.
 */
import { DecodeError } from '../errors';

/** The per-page facts needed for layout and size decisions. */
export interface IPageHeader {
  /** Byte offset of the IFD. */
  offset: number;
  width: number;
  height: number;
  samplesPerPixel: number;
  /** Bits of the first sample. */
  bitsPerSample: number;
  /** 1 unsigned, 2 signed, 3 float (TIFF SampleFormat). */
  sampleFormat: number;
  compression: number;
  /** NewSubfileType; bit 0 set = reduced-resolution copy (pyramid/thumbnail). */
  subfileType: number;
  /** PhotometricInterpretation: 0/1 grey, 2 RGB, 3 palette, …; -1 when absent. */
  photometric: number;
  /** PlanarConfiguration: 1 interleaved (contig), 2 one plane per sample (separate). */
  planar: number;
  /** Predictor: 1 none, 2 horizontal differencing, 3 floating point. */
  predictor: number;
  /** RowsPerStrip, clamped to the height (absent = one strip). */
  rowsPerStrip: number;
  /** TileWidth / TileLength; 0 for a striped page. */
  tileWidth: number;
  tileHeight: number;
  /** StripOffsets/TileOffsets and StripByteCounts/TileByteCounts. */
  offsets: number[];
  byteCounts: number[];
  /** Every BitsPerSample value, only when they differ between samples. */
  mixedBits?: number[];
  /** Every SampleFormat value, only when they differ between samples. */
  mixedFormats?: number[];
  /** Number of SubIFDs (pyramid levels stored beside the page, not in the main chain). */
  subIfds: number;
}

/** The structure of a whole TIFF file. */
export interface ITiffStructure {
  littleEndian: boolean;
  bigTiff: boolean;
  pages: IPageHeader[];
  /** ImageDescription of the first IFD ('' if none). */
  description: string;
  /** XResolution / YResolution of the first IFD in pixels per unit, if present. */
  xResolution?: number;
  yResolution?: number;
  /** ResolutionUnit of the first IFD: 1 none, 2 inch, 3 cm. */
  resolutionUnit?: number;
  /** ColorMap of the first IFD: 3 × 2^bits 16-bit values (all reds, greens, blues). */
  colormap?: Uint16Array;
}

/**
 * Upper bound on pages. A TIFF with more is refused with a message naming the
 * cap: walking a million IFDs takes about a second, but each holds at least
 * one strip, and a chain that long is more likely a corrupt loop in disguise.
 */
export const MAX_PAGES = 1_000_000;

/** Tags of which only the first value is used. */
const ONE_VALUE_TAGS = new Set([
  254, 256, 257, 259, 262, 277, 278, 284, 317, 322, 323
]);

/** More samples per pixel than this are not read (per-sample tags are cut there). */
const MAX_SAMPLES = 1024;

/** Byte size of each TIFF field type, by type code. */
const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8
};

/** True if `bytes` start with a (Big)TIFF signature. */
export function isTiff(bytes: Uint8Array): boolean {
  if (bytes.length < 8) {
    return false;
  }
  const le = bytes[0] === 0x49 && bytes[1] === 0x49;
  const be = bytes[0] === 0x4d && bytes[1] === 0x4d;
  if (!le && !be) {
    return false;
  }
  const magic = le ? bytes[2] | (bytes[3] << 8) : (bytes[2] << 8) | bytes[3];
  return magic === 42 || magic === 43;
}

/**
 * Walk all IFDs of a TIFF file. Throws DecodeError ('corrupt' / 'truncated')
 * if the header or the IFD chain is broken.
 */
export function readTiffStructure(
  bytes: Uint8Array,
  fileName: string
): ITiffStructure {
  if (!isTiff(bytes)) {
    throw new DecodeError(
      'corrupt',
      `${fileName}: not a TIFF file (the first bytes are not a TIFF signature); ` +
        'the file may be damaged or have the wrong extension.'
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  const big = view.getUint16(2, le) === 43;
  const size = bytes.byteLength;
  const truncated = (what: string): DecodeError =>
    new DecodeError(
      'truncated',
      `${fileName}: the file ends early (${what} lies beyond its ${size} bytes); ` +
        'it was probably cut off while copying or downloading — copy it again.'
    );
  const u64 = (o: number): number => {
    const v = view.getBigUint64(o, le);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
  };
  const offsetAt = (o: number): number =>
    big ? u64(o) : view.getUint32(o, le);
  if (big && size < 16) {
    throw truncated('the BigTIFF header');
  }
  let next = offsetAt(big ? 8 : 4);
  const pages: IPageHeader[] = [];
  let seen: Set<number> | undefined;
  let last = -1;
  const out: ITiffStructure = {
    littleEndian: le,
    bigTiff: big,
    pages,
    description: ''
  };
  const entrySize = big ? 20 : 12;
  const countSize = big ? 8 : 2;
  while (next !== 0) {
    // Loop check: a chain that only moves forward cannot loop, so the set of
    // seen offsets (slow to grow to 10^5 entries) is built only after the
    // first backward step.
    if (next <= last) {
      seen ??= new Set(pages.map(p => p.offset));
    }
    if (seen?.has(next)) {
      throw new DecodeError(
        'corrupt',
        `${fileName}: the TIFF directory chain is corrupt (directory ${pages.length + 1} ` +
          `points back to an earlier one at byte ${next}, a loop); re-save the file with Fiji or tifffile.`
      );
    }
    if (pages.length >= MAX_PAGES) {
      throw new DecodeError(
        'unsupported-layout',
        `${fileName}: the file has more than ${MAX_PAGES} pages (IFDs), the most the viewer ` +
          'reads; split it into smaller files (e.g. tifffile or Fiji) or save it as one ' +
          'multi-dimensional page set with fewer, larger planes.'
      );
    }
    seen?.add(next);
    last = next;
    if (next + countSize > size) {
      throw truncated(`image directory ${pages.length + 1}`);
    }
    const n = big ? u64(next) : view.getUint16(next, le);
    const entries = next + countSize;
    const end = entries + n * entrySize + (big ? 8 : 4);
    if (end > size) {
      throw truncated(`image directory ${pages.length + 1}`);
    }
    const page: IPageHeader = {
      offset: next,
      width: 0,
      height: 0,
      samplesPerPixel: 1,
      bitsPerSample: 1,
      sampleFormat: 1,
      compression: 1,
      subfileType: 0,
      photometric: -1,
      planar: 1,
      predictor: 1,
      rowsPerStrip: 0,
      tileWidth: 0,
      tileHeight: 0,
      offsets: [],
      byteCounts: [],
      subIfds: 0
    };
    for (let i = 0; i < n; i++) {
      const e = entries + i * entrySize;
      const tag = view.getUint16(e, le);
      const type = view.getUint16(e + 2, le);
      const count = big ? u64(e + 4) : view.getUint32(e + 4, le);
      const valueAt = e + (big ? 12 : 8);
      const inline = (TYPE_SIZE[type] ?? 1) * count <= (big ? 8 : 4);
      const at = inline ? valueAt : offsetAt(valueAt);
      // No closures here: this loop runs once per tag of every page (10^6+ times).
      const one = count > 0 && ONE_VALUE_TAGS.has(tag);
      const first = one ? readValue(type, at, tag, pages.length) : 0;
      switch (tag) {
        case 254:
          page.subfileType = first;
          break;
        case 256:
          page.width = first;
          break;
        case 257:
          page.height = first;
          break;
        case 258: {
          const v = readValues(type, count, at, MAX_SAMPLES, tag, pages.length);
          page.bitsPerSample = v[0] ?? 1;
          if (v.some(b => b !== v[0])) {
            page.mixedBits = v;
          }
          break;
        }
        case 259:
          page.compression = first;
          break;
        case 262:
          page.photometric = first;
          break;
        case 273:
        case 324:
          page.offsets = readValues(type, count, at, count, tag, pages.length);
          break;
        case 277:
          page.samplesPerPixel = first;
          break;
        case 278:
          page.rowsPerStrip = first;
          break;
        case 279:
        case 325:
          page.byteCounts = readValues(
            type,
            count,
            at,
            count,
            tag,
            pages.length
          );
          break;
        case 284:
          page.planar = first;
          break;
        case 317:
          page.predictor = first;
          break;
        case 322:
          page.tileWidth = first;
          break;
        case 323:
          page.tileHeight = first;
          break;
        case 330:
          page.subIfds = count;
          break;
        case 339: {
          const v = readValues(type, count, at, MAX_SAMPLES, tag, pages.length);
          page.sampleFormat = v[0] ?? 1;
          if (v.some(f => f !== v[0])) {
            page.mixedFormats = v;
          }
          break;
        }
        default:
          if (pages.length === 0) {
            readFirstPageTag(tag, type, count, at);
          }
      }
    }
    if (page.rowsPerStrip <= 0 || page.rowsPerStrip > page.height) {
      page.rowsPerStrip = page.height;
    }
    pages.push(page);
    next = offsetAt(entries + n * entrySize);
  }
  if (pages.length === 0) {
    throw new DecodeError(
      'corrupt',
      `${fileName}: the TIFF file contains no images.`
    );
  }
  return out;

  /** One value of a BYTE/SHORT/LONG/LONG8/IFD field at `at`. */
  function readValue(
    type: number,
    at: number,
    tag: number,
    page: number
  ): number {
    if (at + (TYPE_SIZE[type] ?? 1) > size) {
      throw truncated(`the value of tag ${tag} in image directory ${page + 1}`);
    }
    return type === 3 || type === 8
      ? view.getUint16(at, le)
      : type === 4 || type === 9 || type === 13
        ? view.getUint32(at, le)
        : type === 16 || type === 17 || type === 18
          ? u64(at)
          : bytes[at];
  }

  /** The first `limit` values of such a field. */
  function readValues(
    type: number,
    count: number,
    at: number,
    limit: number,
    tag: number,
    page: number
  ): number[] {
    const n = Math.min(count, limit);
    const bytesPer = TYPE_SIZE[type] ?? 1;
    if (!Number.isFinite(n) || at + bytesPer * n > size) {
      throw truncated(`the value of tag ${tag} in image directory ${page + 1}`);
    }
    const out: number[] = new Array(n);
    for (let k = 0; k < n; k++) {
      out[k] = readValue(type, at + k * bytesPer, tag, page);
    }
    return out;
  }

  /** Metadata tags read only from the first IFD. */
  function readFirstPageTag(
    tag: number,
    type: number,
    count: number,
    at: number
  ): void {
    const bytesNeeded = (TYPE_SIZE[type] ?? 1) * count;
    if (at + bytesNeeded > size) {
      if (tag === 270 || tag === 282 || tag === 283) {
        throw truncated(`the value of tag ${tag}`);
      }
      return;
    }
    if (tag === 270 && type === 2) {
      let len = count;
      while (len > 0 && bytes[at + len - 1] === 0) {
        len--;
      }
      out.description = new TextDecoder('utf-8').decode(
        bytes.subarray(at, at + len)
      );
    } else if ((tag === 282 || tag === 283) && type === 5) {
      const den = view.getUint32(at + 4, le);
      const res = den === 0 ? 0 : view.getUint32(at, le) / den;
      if (res > 0) {
        out[tag === 282 ? 'xResolution' : 'yResolution'] = res;
      }
    } else if (tag === 296 && type === 3) {
      out.resolutionUnit = view.getUint16(at, le);
    } else if (tag === 320 && type === 3 && count <= 3 * 65536) {
      const map = new Uint16Array(count);
      for (let k = 0; k < count; k++) {
        map[k] = view.getUint16(at + 2 * k, le);
      }
      out.colormap = map;
    }
  }
}
