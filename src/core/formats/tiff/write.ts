/**
 * A minimal baseline TIFF writer for saving results (masks, predictions):
 * uncompressed, little-endian, one strip per page, one page per YX plane, with
 * an ImageJ hyperstack header or OME-XML so Fiji, napari and tifffile recover
 * the axes.
 *
 * Why not geotiff's `writeArrayBuffer`: it writes a single GeoTIFF image
 * (always with GeoKeys, no multi-page stacks, no ImageDescription), so it
 * cannot express a Z/C/T stack or carry ImageJ/OME metadata.
 */
import {
  type DType,
  type INDArray,
  sizeOf,
  stridesOf,
  type TypedArray
} from '../../tensor/tensor';
import { normaliseAxes } from './metadata';
import type { IPhysicalSize, IQuantity } from '../types';

/** Options for {@link encodeTiff}. */
export interface IEncodeTiffOptions {
  /**
   * 'imagej' (hyperstack, readable by ImageJ/Fiji natively; uint8, uint16 and
   * float32 only) or 'ome' (OME-TIFF, every dtype). Default: 'imagej' when the
   * dtype allows, else 'ome'.
   */
  format?: 'imagej' | 'ome';
  physicalSize?: IPhysicalSize;
  channelNames?: string[];
  timeIncrement?: IQuantity;
  /** Image name (OME only). */
  name?: string;
}

const SAMPLE: Record<string, { bits: number; format: number; ome: string }> = {
  uint8: { bits: 8, format: 1, ome: 'uint8' },
  int8: { bits: 8, format: 2, ome: 'int8' },
  uint16: { bits: 16, format: 1, ome: 'uint16' },
  int16: { bits: 16, format: 2, ome: 'int16' },
  uint32: { bits: 32, format: 1, ome: 'uint32' },
  int32: { bits: 32, format: 2, ome: 'int32' },
  float32: { bits: 32, format: 3, ome: 'float' },
  float64: { bits: 64, format: 3, ome: 'double' }
};

const IMAGEJ_DTYPES: DType[] = ['uint8', 'uint16', 'float32'];

/** Largest file a classic (32-bit offset) TIFF can hold, with room for IFDs. */
const MAX_CLASSIC_TIFF = 2 ** 32 - 2 ** 24;

/** Transpose a C-order array from `axes` to `target` (same letters, new order). */
export function transposeAxes(
  array: INDArray,
  axes: string,
  target: string
): INDArray {
  if (axes === target) {
    return array;
  }
  const perm = target.split('').map(l => axes.indexOf(l));
  const shape = perm.map(p => array.shape[p]);
  const inStrides = stridesOf(array.shape);
  const st = perm.map(p => inStrides[p]);
  const n = sizeOf(shape);
  const src = array.data as unknown as { [i: number]: number | bigint };
  const out = new (array.data.constructor as new (n: number) => TypedArray)(n);
  const dst = out as unknown as { [i: number]: number | bigint };
  const idx = new Array<number>(shape.length).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    dst[i] = src[off];
    // Odometer increment over the output shape, tracking the input offset.
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        off += st[d];
        break;
      }
      off -= st[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
  return { dtype: array.dtype, shape, data: out };
}

/** 64-bit integers → 32-bit when the values fit; bool → uint8. */
function storableArray(a: INDArray): INDArray {
  if (a.dtype === 'bool') {
    return { ...a, dtype: 'uint8' };
  }
  if (a.dtype !== 'int64' && a.dtype !== 'uint64') {
    return a;
  }
  const src = a.data as BigInt64Array | BigUint64Array;
  const signed = a.dtype === 'int64';
  const out = signed ? new Int32Array(src.length) : new Uint32Array(src.length);
  const lo = signed ? -(2 ** 31) : 0;
  const hi = signed ? 2 ** 31 - 1 : 2 ** 32 - 1;
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]);
    if (v < lo || v > hi) {
      throw new RangeError(
        `encodeTiff: ${a.dtype} value ${src[i]} does not fit in 32 bits; TIFF readers ` +
          'rarely support 64-bit integers — convert the array to float64 first.'
      );
    }
    out[i] = v;
  }
  return { dtype: signed ? 'int32' : 'uint32', shape: a.shape, data: out };
}

function xmlEscape(s: string): string {
  return s.replace(
    /[&<>"']/g,
    c =>
      `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`
  );
}

/**
 * Encode an array as a TIFF file.
 *
 * @param array C-order pixels
 * @param axes one letter per dimension from 'TCZYX' (Y and X required), e.g.
 *   'ZYX', 'CYX', 'YXC', 'TCZYX'; the data is transposed to the order the
 *   format needs (ImageJ: TZCYX; OME: leading axes kept, YX last).
 * @throws RangeError for unsupported axes/dtypes or files over 4 GB.
 */
export function encodeTiff(
  array: INDArray,
  axes: string,
  opts: IEncodeTiffOptions = {}
): Uint8Array {
  const norm = normaliseAxes(axes);
  if (
    !norm ||
    norm.length !== array.shape.length ||
    norm !== axes.toUpperCase().replace('S', 'C')
  ) {
    throw new RangeError(
      `encodeTiff: axes '${axes}' must be ${array.shape.length} distinct letters from TCZYX including Y and X.`
    );
  }
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new RangeError('encodeTiff needs a little-endian machine.');
  }
  const arr = storableArray(array);
  const format =
    opts.format ?? (IMAGEJ_DTYPES.includes(arr.dtype) ? 'imagej' : 'ome');
  if (format === 'imagej' && !IMAGEJ_DTYPES.includes(arr.dtype)) {
    throw new RangeError(
      `encodeTiff: ImageJ TIFFs cannot hold ${arr.dtype}; use format 'ome'.`
    );
  }
  const leading = norm
    .split('')
    .filter(l => l !== 'Y' && l !== 'X')
    .join('');
  const target =
    format === 'imagej'
      ? 'TZCYX'
          .split('')
          .filter(l => norm.includes(l))
          .join('')
      : `${leading}YX`;
  const data = transposeAxes(arr, norm, target);
  const size = (l: string): number =>
    target.includes(l) ? data.shape[target.indexOf(l)] : 1;
  const h = size('Y');
  const w = size('X');
  const planes = sizeOf(data.shape) / (h * w);
  const desc =
    format === 'imagej'
      ? imageJDescription(data, planes, size, opts)
      : omeXml(arr.dtype, target, size, planes, opts);
  return writePages(
    data,
    w,
    h,
    planes,
    desc,
    format === 'imagej' ? opts.physicalSize : undefined
  );
}

function imageJDescription(
  data: INDArray,
  planes: number,
  size: (l: string) => number,
  o: IEncodeTiffOptions
): string {
  const lines = ['ImageJ=1.11a', `images=${planes}`];
  const [c, z, t] = [size('C'), size('Z'), size('T')];
  if (c > 1) {
    lines.push(`channels=${c}`);
  }
  if (z > 1) {
    lines.push(`slices=${z}`);
  }
  if (t > 1) {
    lines.push(`frames=${t}`);
  }
  if ([c, z, t].filter(n => n > 1).length > 1 || c > 1) {
    lines.push('hyperstack=true', c > 1 ? 'mode=composite' : 'mode=grayscale');
  }
  const unit = o.physicalSize?.x?.unit ?? o.physicalSize?.z?.unit;
  if (unit) {
    // ImageJ's own spelling of µm; other units pass through.
    lines.push(`unit=${unit === 'µm' || unit === 'um' ? 'micron' : unit}`);
  }
  if (o.physicalSize?.z) {
    lines.push(`spacing=${o.physicalSize.z.value}`);
  }
  if (o.timeIncrement) {
    lines.push(`finterval=${o.timeIncrement.value}`);
  }
  // Display range, so float images do not open black in ImageJ.
  let lo = Infinity;
  let hi = -Infinity;
  const d = data.data as ArrayLike<number>;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v < lo) {
      lo = v;
    }
    if (v > hi) {
      hi = v;
    }
  }
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    lines.push(`min=${lo}`, `max=${hi}`);
  }
  lines.push('loop=false');
  return `${lines.join('\n')}\n`;
}

function omeXml(
  dtype: DType,
  target: string,
  size: (l: string) => number,
  planes: number,
  o: IEncodeTiffOptions
): string {
  const lead = target.slice(0, -2).split('').reverse().join('');
  const order = `XY${lead}${'ZCT'
    .split('')
    .filter(l => !lead.includes(l))
    .join('')}`;
  const ps = o.physicalSize ?? {};
  const phys = (['x', 'y', 'z'] as const)
    .map(k => {
      const q = ps[k];
      const K = k.toUpperCase();
      return q
        ? ` PhysicalSize${K}="${q.value}" PhysicalSize${K}Unit="${xmlEscape(q.unit)}"`
        : '';
    })
    .join('');
  const ti = o.timeIncrement
    ? ` TimeIncrement="${o.timeIncrement.value}" TimeIncrementUnit="${xmlEscape(o.timeIncrement.unit)}"`
    : '';
  const channels = Array.from({ length: size('C') }, (_, i) => {
    const name = o.channelNames?.[i];
    return `<Channel ID="Channel:0:${i}"${name ? ` Name="${xmlEscape(name)}"` : ''} SamplesPerPixel="1"/>`;
  }).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:schemaLocation="http://www.openmicroscopy.org/Schemas/OME/2016-06 ' +
    'http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd">' +
    `<Image ID="Image:0" Name="${xmlEscape(o.name ?? 'Image0')}">` +
    `<Pixels ID="Pixels:0" DimensionOrder="${order}" Type="${SAMPLE[dtype].ome}" ` +
    `SizeX="${size('X')}" SizeY="${size('Y')}" SizeZ="${size('Z')}" SizeC="${size('C')}" ` +
    `SizeT="${size('T')}" BigEndian="false" Interleaved="false"${phys}${ti}>` +
    `${channels}<TiffData IFD="0" PlaneCount="${planes}"/></Pixels></Image></OME>`
  );
}

/**
 * TIFF RATIONAL (num/den) for a resolution of 1/`px` pixels per unit, chosen
 * so that den/num reproduces `px` exactly when it has up to 9 decimals
 * (0.1625 → 1000000/162500 → px = 0.1625, not 0.16250000406...).
 */
function inverseRational(px: number): [number, number] {
  for (let k = 0; k <= 9; k++) {
    const num = 10 ** k;
    const den = px * num;
    if (
      Math.abs(den - Math.round(den)) <= 1e-9 * den &&
      Math.round(den) < 2 ** 32 &&
      Math.round(den) > 0
    ) {
      return [num, Math.round(den)];
    }
  }
  const num = Math.floor(Math.min(1e9, (2 ** 32 - 1) / Math.max(px, 1e-9)));
  return [num, Math.max(1, Math.round(px * num))];
}

/**
 * Lay out the file: header, all pixel data (contiguous, as ImageJ likes it),
 * then one IFD per page followed by the long values of the first IFD.
 */
function writePages(
  data: INDArray,
  w: number,
  h: number,
  planes: number,
  desc: string,
  ij?: IPhysicalSize
): Uint8Array {
  const s = SAMPLE[data.dtype];
  const planeBytes = w * h * (s.bits / 8);
  const descBytes = new TextEncoder().encode(`${desc}\0`);
  const res: [number, number][] = [];
  if (ij?.x) {
    res.push(
      inverseRational(ij.x.value),
      inverseRational((ij.y ?? ij.x).value)
    );
  }
  const tagCount = 11 + (res.length ? 3 : 0);
  const ifdBytes = (n: number): number => 2 + n * 12 + 4;
  const dataStart = 8;
  const dataBytes = planeBytes * planes;
  let ifdStart = dataStart + dataBytes;
  ifdStart += ifdStart % 2; // IFDs must start on a word boundary
  const firstIfdSize = ifdBytes(tagCount + 1); // + ImageDescription
  const extraStart =
    ifdStart + firstIfdSize + ifdBytes(tagCount) * (planes - 1);
  const resAt = extraStart + descBytes.length + (descBytes.length % 2); // word-aligned
  const total = resAt + 8 * res.length;
  if (total > MAX_CLASSIC_TIFF) {
    throw new RangeError(
      'encodeTiff: the result would exceed 4 GB; save it from Python with tifffile (BigTIFF) instead.'
    );
  }
  const buf = new Uint8Array(total);
  const v = new DataView(buf.buffer);
  buf.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, ifdStart, true);
  buf.set(
    new Uint8Array(data.data.buffer, data.data.byteOffset, dataBytes),
    dataStart
  );
  const descAt = extraStart;
  buf.set(descBytes, descAt);
  res.forEach(([n, d], i) => {
    v.setUint32(resAt + 8 * i, n, true);
    v.setUint32(resAt + 8 * i + 4, d, true);
  });
  let at = ifdStart;
  for (let p = 0; p < planes; p++) {
    // [tag, type, count, value]; types 3 SHORT, 4 LONG, 2 ASCII, 5 RATIONAL. Sorted by tag.
    const tags: [number, number, number, number][] = [
      [254, 4, 1, 0],
      [256, 4, 1, w],
      [257, 4, 1, h],
      [258, 3, 1, s.bits],
      [259, 3, 1, 1],
      [262, 3, 1, 1]
    ];
    if (p === 0) {
      tags.push([270, 2, descBytes.length, descAt]);
    }
    tags.push(
      [273, 4, 1, dataStart + p * planeBytes],
      [277, 3, 1, 1],
      [278, 4, 1, h],
      [279, 4, 1, planeBytes]
    );
    if (res.length) {
      tags.push([282, 5, 1, resAt], [283, 5, 1, resAt + 8], [296, 3, 1, 1]);
    }
    tags.push([339, 3, 1, s.format]);
    v.setUint16(at, tags.length, true);
    tags.forEach(([tag, type, count, value], i) => {
      const e = at + 2 + i * 12;
      v.setUint16(e, tag, true);
      v.setUint16(e + 2, type, true);
      v.setUint32(e + 4, count, true);
      if (type === 3) {
        v.setUint16(e + 8, value, true);
      } else {
        v.setUint32(e + 8, value, true);
      }
    });
    const next = at + ifdBytes(tags.length);
    v.setUint32(next - 4, p === planes - 1 ? 0 : next, true);
    at = next;
  }
  return buf;
}
