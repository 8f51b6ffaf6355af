/**
 * Which page (and sample) holds each plane of one OME series, from the OME
 * model: DimensionOrder, sizes and the <TiffData> elements (IFD, FirstZ/C/T,
 * PlaneCount, UUID). Pure; reads no pixels.
 */
import { DecodeError } from '../errors';
import type { ISeriesInfo } from '../types';
import type { IOmeImage, IOmeInfo } from './ome';

/** Leading axes of a series and the page/sample of each of its planes. */
export interface IOmePlanes {
  leadAxes: string;
  leadShape: number[];
  pages: number[];
  /** Sample of the page, when a page's samples are the C axis. */
  samples?: number[];
}

/** Planes of an image counted in pages: C counts pages, not samples. */
function pageSizes(im: IOmeImage, spp: number): Record<string, number> {
  const c = spp > 1 && im.sizes.c % spp === 0 ? im.sizes.c / spp : im.sizes.c;
  return { Z: im.sizes.z, C: c, T: im.sizes.t };
}

/**
 * The IFD of the first plane of series `k`: its first TiffData's IFD, or,
 * without TiffData, the planes of the series before it (Bio-Formats' rule).
 */
export function omeFirstIfd(ome: IOmeInfo, k: number, spp: number): number {
  const im = ome.images[k];
  if (im.tiffData.length > 0) {
    return Math.min(...im.tiffData.map(t => t.ifd));
  }
  let start = 0;
  for (let i = 0; i < k; i++) {
    const s = pageSizes(ome.images[i], spp);
    start += s.Z * s.C * s.T;
  }
  return start;
}

/** Name, shape and axes of every series, from the XML alone (for a picker). */
export function seriesList(ome: IOmeInfo): ISeriesInfo[] {
  return ome.images.map((im, index) => {
    const sizes: Record<string, number> = {
      Z: im.sizes.z,
      C: im.sizes.c,
      T: im.sizes.t
    };
    const lead = im.dimensionOrder
      .slice(2)
      .split('')
      .reverse()
      .filter(l => sizes[l] > 1);
    const info: ISeriesInfo = {
      index,
      name: im.name,
      shape: [...lead.map(l => sizes[l]), im.sizes.y, im.sizes.x],
      axes: lead.join('') + 'YX'
    };
    if (im.type) {
      info.type = im.type;
    }
    return info;
  });
}

/**
 * Map every plane of series `k` to its page. `samplesAsChannels`: the pages
 * hold `spp` grey samples that are the image's channels (SizeC = spp).
 */
export function omePlanes(
  ome: IOmeInfo,
  k: number,
  pageCount: number,
  spp: number,
  samplesAsChannels: boolean,
  fileName: string
): IOmePlanes {
  const im = ome.images[k];
  const sizes = pageSizes(im, spp);
  const order = im.dimensionOrder.slice(2); // fastest first, e.g. 'ZCT'
  const stride: Record<string, number> = {};
  let total = 1;
  for (const l of order) {
    stride[l] = total;
    total *= sizes[l];
  }
  const where = ome.images.length > 1 ? ` of series ${k + 1}` : '';
  if (total > pageCount) {
    throw new DecodeError(
      'unsupported-layout',
      `${fileName}: the OME-XML describes ${total} planes${where} but the file holds only ` +
        `${pageCount} pages; it is truncated or part of a multi-file OME-TIFF set (open the ` +
        'master file in Fiji and re-save as one file).'
    );
  }
  // IFD of each plane in the series' own linear (DimensionOrder) index; -1 unknown.
  const ifdOf = new Int32Array(total).fill(-1);
  let elsewhere = false;
  if (im.tiffData.length === 0) {
    const start = omeFirstIfd(ome, k, spp);
    for (let i = 0; i < total; i++) {
      ifdOf[i] = start + i;
    }
  }
  for (const td of im.tiffData) {
    if (td.uuid && ome.uuid && td.uuid !== ome.uuid) {
      elsewhere = true; // these planes live in another file of the set
      continue;
    }
    const lin0 =
      Math.min(td.firstZ, sizes.Z - 1) * stride.Z +
      Math.min(td.firstC, sizes.C - 1) * stride.C +
      Math.min(td.firstT, sizes.T - 1) * stride.T;
    const count = Math.min(td.planeCount ?? total - lin0, total - lin0);
    for (let i = 0; i < count; i++) {
      ifdOf[lin0 + i] = td.ifd + i;
    }
  }
  for (let i = 0; i < total; i++) {
    const ifd = ifdOf[i];
    if (ifd >= 0 && ifd < pageCount) {
      continue;
    }
    const z = Math.floor(i / stride.Z) % sizes.Z;
    const c = Math.floor(i / stride.C) % sizes.C;
    const t = Math.floor(i / stride.T) % sizes.T;
    const plane = `plane z=${z}, c=${c}, t=${t}${where}`;
    throw ifd >= pageCount
      ? new DecodeError(
          'truncated',
          `${fileName}: the OME-XML puts ${plane} in page ${ifd + 1}, but the file has only ` +
            `${pageCount} pages; it is truncated — copy it again.`
        )
      : new DecodeError(
          'unsupported-layout',
          elsewhere
            ? `${fileName}: ${plane} is stored in another file of a multi-file OME-TIFF set ` +
                '(OME TiffData with another UUID), which is not supported yet; open the master ' +
                'file in Fiji and re-save as one file.'
            : `${fileName}: the OME-XML TiffData elements do not say which page holds ${plane}; ` +
                'this kind of OME-TIFF is not supported yet.'
        );
  }
  // Leading axes, slowest first; a sample-channel axis replaces the page C axis.
  const leadSizes: Record<string, number> = {
    ...sizes,
    C: samplesAsChannels ? spp : sizes.C
  };
  const lead = order
    .split('')
    .reverse()
    .filter(l => leadSizes[l] > 1);
  const leadShape = lead.map(l => leadSizes[l]);
  const n = leadShape.reduce((a, b) => a * b, 1);
  const pages: number[] = new Array(n);
  const samples: number[] | undefined = samplesAsChannels
    ? new Array(n)
    : undefined;
  for (let f = 0; f < n; f++) {
    const pos: Record<string, number> = { Z: 0, C: 0, T: 0 };
    let rest = f;
    for (let a = lead.length - 1; a >= 0; a--) {
      pos[lead[a]] = rest % leadShape[a];
      rest = Math.floor(rest / leadShape[a]);
    }
    const c = samplesAsChannels ? 0 : pos.C;
    pages[f] = ifdOf[pos.Z * stride.Z + c * stride.C + pos.T * stride.T];
    if (samples) {
      samples[f] = pos.C;
    }
  }
  const out: IOmePlanes = { leadAxes: lead.join(''), leadShape, pages };
  if (samples) {
    out.samples = samples;
  }
  return out;
}
