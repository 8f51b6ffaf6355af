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
}

/** Upper bound on pages; more is taken as a corrupt IFD chain. */
const MAX_PAGES = 1_000_000;

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
  const seen = new Set<number>();
  const out: ITiffStructure = {
    littleEndian: le,
    bigTiff: big,
    pages,
    description: ''
  };
  const entrySize = big ? 20 : 12;
  const countSize = big ? 8 : 2;
  while (next !== 0) {
    if (seen.has(next) || pages.length >= MAX_PAGES) {
      throw new DecodeError(
        'corrupt',
        `${fileName}: the TIFF directory chain is corrupt (it loops or has more than ` +
          `${MAX_PAGES} pages); re-save the file with Fiji or tifffile.`
      );
    }
    seen.add(next);
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
      subfileType: 0
    };
    for (let i = 0; i < n; i++) {
      const e = entries + i * entrySize;
      const tag = view.getUint16(e, le);
      const type = view.getUint16(e + 2, le);
      const count = big ? u64(e + 4) : view.getUint32(e + 4, le);
      const valueAt = e + (big ? 12 : 8);
      const inline = (TYPE_SIZE[type] ?? 1) * count <= (big ? 8 : 4);
      // First value of a SHORT/LONG/LONG8 field (inline or pointed to).
      const first = (): number => {
        const o = inline ? valueAt : offsetAt(valueAt);
        if (o + (TYPE_SIZE[type] ?? 1) > size) {
          throw truncated(`a value of tag ${tag}`);
        }
        if (type === 3) {
          return view.getUint16(o, le);
        }
        return type === 16 ? u64(o) : view.getUint32(o, le);
      };
      switch (tag) {
        case 254:
          page.subfileType = first();
          break;
        case 256:
          page.width = first();
          break;
        case 257:
          page.height = first();
          break;
        case 258:
          page.bitsPerSample = first();
          break;
        case 259:
          page.compression = first();
          break;
        case 277:
          page.samplesPerPixel = first();
          break;
        case 339:
          page.sampleFormat = first();
          break;
        default:
          if (pages.length === 0) {
            readFirstPageTag(
              tag,
              type,
              count,
              inline ? valueAt : offsetAt(valueAt)
            );
          }
      }
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
    }
  }
}
