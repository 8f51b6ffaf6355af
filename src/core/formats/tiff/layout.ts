/**
 * Decide how the pages of a TIFF form an n-dimensional array: from OME-XML,
 * an ImageJ header, tifffile's shaped JSON, or — failing those — by treating
 * consecutive same-sized pages as a Z stack. Pure: works on the structure
 * from `readTiffStructure`, reads no pixels.
 */
import { DecodeError } from '../errors';
import type { IPageHeader, ITiffStructure } from './ifd';
import {
  guessLeadingAxes,
  isImageJ,
  normaliseAxes,
  parseImageJ,
  parseShaped
} from './metadata';
import { isOmeXml, readOmeXml, type IOmeResult } from './ome';
import { omeFirstIfd, omePlanes, seriesList } from './ome-layout';
import {
  checkCompression,
  checkSamples,
  SUPPORTED_COMPRESSION
} from './support';
import type {
  IImageInfo,
  ImageFormat,
  IPhysicalSize,
  IQuantity
} from '../types';

/** Array layout of a TIFF: info plus which page holds which plane. */
export interface ITiffLayout extends IImageInfo {
  /** Page (IFD) index of each plane, in C order of the leading axes. */
  pages: number[];
  /**
   * Sample of that page each plane is, when the samples of a page are
   * separate channels (grey photometric, several samples); else undefined.
   */
  samples?: number[];
  /** Shape of one plane: [height, width] or [height, width, samples]. */
  planeShape: number[];
}

const sameGeometry = (a: IPageHeader, b: IPageHeader): boolean =>
  a.width === b.width &&
  a.height === b.height &&
  a.samplesPerPixel === b.samplesPerPixel &&
  a.bitsPerSample === b.bitsPerSample &&
  a.sampleFormat === b.sampleFormat;

/** Grey pages with several samples: the samples are channels (e.g. 4 stains), not RGBA. */
const samplesAreChannels = (p: IPageHeader): boolean =>
  p.samplesPerPixel > 1 && (p.photometric === 0 || p.photometric === 1);

/** Compute the array layout of a TIFF file (of OME series `series`) from its structure. */
export function tiffLayout(
  s: ITiffStructure,
  fileName: string,
  series = 0
): ITiffLayout {
  const warnings: string[] = [];
  const desc = s.description;
  const omeResult: IOmeResult = isOmeXml(desc) ? readOmeXml(desc) : {};
  if (omeResult.warning) {
    warnings.push(omeResult.warning);
  }
  const ome = omeResult.ome;
  const seriesCount = ome?.images.length ?? 1;
  if (!Number.isInteger(series) || series < 0 || series >= seriesCount) {
    throw new DecodeError(
      'bad-argument',
      `${fileName}: series ${series} does not exist; the file has ${seriesCount} ` +
        `(0…${seriesCount - 1}).`
    );
  }
  // The page the series starts at decides geometry and dtype.
  const first = ome
    ? Math.min(
        omeFirstIfd(ome, series, s.pages[0].samplesPerPixel),
        s.pages.length - 1
      )
    : 0;
  const p0 = s.pages[first];
  const dtype = checkSamples(p0, `page ${first + 1}`, fileName);
  const spp = p0.samplesPerPixel;
  const channels = samplesAreChannels(p0);
  const planeShape =
    spp > 1 && !channels ? [p0.height, p0.width, spp] : [p0.height, p0.width];
  const trailing = planeShape.length === 3 ? 'YXC' : 'YX';
  let format: ImageFormat = 'tiff';
  let leadAxes = '';
  let leadShape: number[] = [];
  let pages: number[] | undefined;
  let samples: number[] | undefined;
  let axesSource = '';
  let channelNames: string[] | undefined;
  let physicalSize: IPhysicalSize | undefined;
  let timeIncrement: IQuantity | undefined;
  const shaped =
    !ome && !isImageJ(desc) && !channels ? parseShaped(desc) : undefined;
  if (ome) {
    format = 'ome-tiff';
    const im = ome.images[series];
    if (spp > 1 && im.sizes.c % spp !== 0) {
      throw new DecodeError(
        'unsupported-layout',
        `${fileName}: OME SizeC=${im.sizes.c} is not a multiple of ${spp} samples per pixel; ` +
          'this kind of OME-TIFF is not supported yet.'
      );
    }
    if (spp > 1 && im.sizes.c / spp > 1) {
      throw new DecodeError(
        'unsupported-layout',
        `${fileName}: OME files with several ${channels ? 'multi-sample' : 'RGB'} channels ` +
          `(SizeC=${im.sizes.c}, SamplesPerPixel ${spp}) are not supported yet; split the ` +
          'channels in Fiji first.'
      );
    }
    const planes = omePlanes(
      ome,
      series,
      s.pages.length,
      spp,
      channels,
      fileName
    );
    ({ leadAxes, leadShape, pages, samples } = planes);
    axesSource = `OME-XML DimensionOrder ${im.dimensionOrder}`;
    if (ome.imageCount > 1) {
      warnings.push(
        `The file holds ${ome.imageCount} OME images (series); showing series ${series + 1}` +
          (im.name ? ` ("${im.name}")` : '') +
          '.'
      );
    }
    if (im.sizes.x !== p0.width || im.sizes.y !== p0.height) {
      warnings.push(
        `OME-XML says ${im.sizes.x}×${im.sizes.y} but page ${first + 1} is ` +
          `${p0.width}×${p0.height}; using the page size.`
      );
    }
    channelNames = im.channelNames.length > 0 ? im.channelNames : undefined;
    physicalSize =
      Object.keys(im.physicalSize).length > 0 ? im.physicalSize : undefined;
    timeIncrement = im.timeIncrement;
  } else if (isImageJ(desc)) {
    format = 'imagej-tiff';
    const ij = parseImageJ(desc);
    // ImageJ hyperstacks store channels fastest, then slices, then frames.
    for (const [l, n] of [
      ['T', ij.frames],
      ['Z', ij.slices],
      ['C', ij.channels]
    ] as const) {
      if (n > 1) {
        leadAxes += l;
        leadShape.push(n);
      }
    }
    if (leadShape.length === 0 && ij.images > 1) {
      leadAxes = 'Z';
      leadShape = [ij.images];
    }
    axesSource = 'ImageJ hyperstack header';
    physicalSize = imageJPhysicalSize(s, ij.unit, ij.spacing);
    if (ij.finterval !== undefined) {
      timeIncrement = { value: ij.finterval, unit: 's' };
    }
  } else if (shaped && shaped.shape.length >= 2) {
    const planeDims = planeShape.length;
    const lead = shaped.shape.slice(0, shaped.shape.length - planeDims);
    const planeOk = shaped.shape.slice(-planeDims).join() === planeShape.join();
    const axes = shaped.axes ? normaliseAxes(shaped.axes) : undefined;
    const guess = guessLeadingAxes(lead.length);
    if (planeOk && axes?.endsWith(trailing)) {
      leadAxes = axes.slice(0, lead.length);
      leadShape = lead;
      axesSource = 'tifffile metadata (shape and axes)';
    } else if (planeOk && guess !== undefined) {
      leadAxes = guess;
      leadShape = lead;
      axesSource = 'tifffile metadata (shape); axes guessed';
    }
  }

  if (axesSource === '') {
    // Plain TIFF: consecutive full-resolution pages of the same geometry form a Z stack.
    let n = 1;
    while (
      n < s.pages.length &&
      sameGeometry(s.pages[n], p0) &&
      !(s.pages[n].subfileType & 1)
    ) {
      n++;
    }
    if (n < s.pages.length) {
      warnings.push(
        `Only the first ${n} of ${s.pages.length} pages are shown (the others differ in ` +
          'size or type, e.g. thumbnails or pyramid levels).'
      );
    }
    if (n > 1) {
      leadAxes = 'Z';
      leadShape = [n];
    }
    axesSource =
      n > 1 ? 'plain TIFF: pages taken as Z' : 'plain TIFF: single page';
  }
  if (channels && format !== 'ome-tiff') {
    // The samples of each page are the innermost leading axis.
    leadAxes += 'C';
    leadShape.push(spp);
    axesSource += `; the ${spp} grey samples of each page taken as C`;
  }

  if (!pages) {
    const pagePlanes =
      leadShape.reduce((a, b) => a * b, 1) / (channels ? spp : 1);
    if (pagePlanes > s.pages.length) {
      throw new DecodeError(
        'truncated',
        `${fileName}: the metadata (${axesSource}) describes ${pagePlanes} planes but the ` +
          `file holds only ${s.pages.length} pages; it is truncated.`
      );
    }
    pages = [];
    samples = channels ? [] : undefined;
    for (let i = 0; i < pagePlanes; i++) {
      for (let c = 0; c < (channels ? spp : 1); c++) {
        pages.push(i);
        samples?.push(c);
      }
    }
  }
  for (const i of new Set(pages)) {
    const p = s.pages[i];
    if (!sameGeometry(p, p0)) {
      throw new DecodeError(
        'unsupported-layout',
        `${fileName}: page ${i + 1} is ${p.width}×${p.height} with ${p.samplesPerPixel}×` +
          `${p.bitsPerSample}-bit samples, unlike page ${first + 1} (${p0.width}×${p0.height}, ` +
          `${spp}×${p0.bitsPerSample}-bit); the planes cannot be shown as one array.`
      );
    }
    checkSamples(p, `page ${i + 1}`, fileName);
  }
  if (p0.photometric === 0) {
    warnings.push(
      'The file stores grey values inverted (PhotometricInterpretation MinIsWhite); they are shown as stored.'
    );
  }
  const compressions = [...new Set(pages.map(i => s.pages[i].compression))];
  compressions.forEach(c => checkCompression(c, fileName));
  const info: ITiffLayout = {
    shape: [...leadShape, ...planeShape],
    dtype,
    axes: leadAxes + trailing,
    pages,
    planeShape,
    source: {
      format,
      planeCount: s.pages.length,
      compression: compressions.map(c => SUPPORTED_COMPRESSION[c]).join(', '),
      axesSource,
      description: desc ? desc.slice(0, 2000) : undefined,
      warnings
    }
  };
  if (samples) {
    info.samples = samples;
  }
  if (channelNames) {
    info.channelNames = channelNames;
  }
  if (physicalSize) {
    info.physicalSize = physicalSize;
  }
  if (timeIncrement) {
    info.timeIncrement = timeIncrement;
  }
  if (ome && ome.images.length > 1) {
    info.series = seriesList(ome);
    info.seriesIndex = series;
  }
  if (p0.photometric === 3 && s.colormap && first === 0) {
    const n = s.colormap.length / 3;
    const part = (k: number): number[] =>
      Array.from(s.colormap!.subarray(k * n, (k + 1) * n));
    info.colormap = { red: part(0), green: part(1), blue: part(2) };
  }
  return info;
}

/**
 * ImageJ stores the pixel size as XResolution/YResolution (pixels per unit),
 * the unit in the header and the Z step as `spacing`.
 */
function imageJPhysicalSize(
  s: ITiffStructure,
  unit: string | undefined,
  spacing: number | undefined
): IPhysicalSize | undefined {
  if (!unit) {
    // No unit line means the image is uncalibrated; its resolution is meaningless.
    return undefined;
  }
  const u = unit;
  const ps: IPhysicalSize = {};
  if (s.xResolution) {
    ps.x = { value: 1 / s.xResolution, unit: u };
  }
  if (s.yResolution) {
    ps.y = { value: 1 / s.yResolution, unit: u };
  }
  if (spacing !== undefined) {
    ps.z = { value: spacing, unit: u };
  }
  return Object.keys(ps).length > 0 ? ps : undefined;
}
