/**
 * Decide how the pages of a TIFF form an n-dimensional array: from OME-XML,
 * an ImageJ header, tifffile's shaped JSON, or — failing those — by treating
 * consecutive same-sized pages as a Z stack. Pure: works on the structure
 * from `readTiffStructure`, reads no pixels.
 */
import type { DType } from '../../tensor/tensor';
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

/** TIFF compression codes geotiff can decode, with display names. */
export const SUPPORTED_COMPRESSION: Record<number, string> = {
  1: 'none',
  5: 'LZW',
  7: 'JPEG',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits',
  34887: 'LERC',
  50000: 'Zstandard',
  50001: 'WebP'
};

/** Common codes geotiff cannot decode, named so the error message is useful. */
const UNSUPPORTED_COMPRESSION: Record<number, string> = {
  2: 'CCITT RLE',
  3: 'CCITT Group 3',
  4: 'CCITT Group 4',
  6: 'old-style JPEG',
  34712: 'JPEG 2000',
  34925: 'LZMA',
  34933: 'PNG',
  34934: 'JPEG XR',
  50002: 'JPEG XL',
  33003: 'Aperio JPEG 2000',
  33005: 'Aperio JPEG 2000'
};

/** DType of a page from BitsPerSample and SampleFormat, or undefined if unsupported. */
export function pageDType(p: IPageHeader): DType | undefined {
  const b = p.bitsPerSample;
  switch (p.sampleFormat) {
    case 1:
    case 4: // 'undefined' data is read as unsigned by convention
      return b === 8
        ? 'uint8'
        : b === 16
          ? 'uint16'
          : b === 32
            ? 'uint32'
            : undefined;
    case 2:
      return b === 8
        ? 'int8'
        : b === 16
          ? 'int16'
          : b === 32
            ? 'int32'
            : undefined;
    case 3:
      // geotiff widens half floats to float32
      return b === 16 || b === 32
        ? 'float32'
        : b === 64
          ? 'float64'
          : undefined;
    default:
      return undefined;
  }
}

/** Throw a DecodeError unless geotiff can decode `code`. */
export function checkCompression(code: number, fileName: string): void {
  if (SUPPORTED_COMPRESSION[code] !== undefined) {
    return;
  }
  const name = UNSUPPORTED_COMPRESSION[code] ?? 'an unknown method';
  throw new DecodeError(
    'unsupported-compression',
    `${fileName}: compressed with ${name} (TIFF compression ${code}), which the viewer ` +
      'cannot decode; re-save it uncompressed or with LZW/Deflate (e.g. Fiji "Save As ' +
      'Tiff", or tifffile.imwrite(..., compression="zlib")).'
  );
}

const sameGeometry = (a: IPageHeader, b: IPageHeader): boolean =>
  a.width === b.width &&
  a.height === b.height &&
  a.samplesPerPixel === b.samplesPerPixel &&
  a.bitsPerSample === b.bitsPerSample &&
  a.sampleFormat === b.sampleFormat;

/** Compute the array layout of a TIFF file from its structure. */
export function tiffLayout(
  s: ITiffStructure,
  fileName: string,
  series = 0
): ITiffLayout {
  const p0 = s.pages[0];
  const dtype = pageDType(p0);
  if (!dtype) {
    throw new DecodeError(
      'unsupported-layout',
      `${fileName}: ${p0.bitsPerSample}-bit samples of format ${p0.sampleFormat} are not ` +
        'supported (only 8/16/32-bit integers and 16/32/64-bit floats); convert the image ' +
        'to 8 or 16 bit in Fiji.'
    );
  }
  if (p0.width <= 0 || p0.height <= 0) {
    throw new DecodeError(
      'corrupt',
      `${fileName}: the first image has no width or height; the file is damaged.`
    );
  }
  const spp = p0.samplesPerPixel;
  const planeShape =
    spp > 1 ? [p0.height, p0.width, spp] : [p0.height, p0.width];
  const trailing = spp > 1 ? 'YXC' : 'YX';
  const warnings: string[] = [];
  const desc = s.description;
  let format: ImageFormat = 'tiff';
  let leadAxes = '';
  let leadShape: number[] = [];
  let axesSource = '';
  let channelNames: string[] | undefined;
  let physicalSize: IPhysicalSize | undefined;
  let timeIncrement: IQuantity | undefined;

  const omeResult: IOmeResult = isOmeXml(desc) ? readOmeXml(desc) : {};
  if (omeResult.warning) {
    warnings.push(omeResult.warning);
  }
  const ome = omeResult.ome;
  const shaped = !ome && !isImageJ(desc) ? parseShaped(desc) : undefined;
  if (ome) {
    format = 'ome-tiff';
    const sizes: Record<string, number> = {
      Z: ome.sizes.z,
      C: ome.sizes.c,
      T: ome.sizes.t
    };
    if (spp > 1) {
      // RGB OME: the channel axis is (part of) the samples.
      if (sizes.C % spp !== 0) {
        throw new DecodeError(
          'unsupported-layout',
          `${fileName}: OME SizeC=${sizes.C} is not a multiple of ${spp} samples per pixel.`
        );
      }
      sizes.C /= spp;
    }
    for (const l of ome.dimensionOrder.slice(2).split('').reverse()) {
      if (sizes[l] > 1) {
        if (l === 'C' && spp > 1) {
          throw new DecodeError(
            'unsupported-layout',
            `${fileName}: OME files with several RGB channels are not supported; ` +
              'split the channels in Fiji first.'
          );
        }
        leadAxes += l;
        leadShape.push(sizes[l]);
      }
    }
    axesSource = `OME-XML DimensionOrder ${ome.dimensionOrder}`;
    if (ome.imageCount > 1) {
      warnings.push(
        `The file holds ${ome.imageCount} OME images (series); showing the first.`
      );
    }
    if (ome.sizes.x !== p0.width || ome.sizes.y !== p0.height) {
      warnings.push(
        `OME-XML says ${ome.sizes.x}×${ome.sizes.y} but the first page is ` +
          `${p0.width}×${p0.height}; using the page size.`
      );
    }
    channelNames = ome.channelNames.length > 0 ? ome.channelNames : undefined;
    physicalSize =
      Object.keys(ome.physicalSize).length > 0 ? ome.physicalSize : undefined;
    timeIncrement = ome.timeIncrement;
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
    const planeDims = spp > 1 ? 3 : 2;
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

  const planeCount = leadShape.reduce((a, b) => a * b, 1);
  if (planeCount > s.pages.length) {
    throw new DecodeError(
      format === 'ome-tiff' ? 'unsupported-layout' : 'truncated',
      `${fileName}: the metadata (${axesSource}) describes ${planeCount} planes but the file ` +
        `holds only ${s.pages.length} pages; it is truncated` +
        (format === 'ome-tiff'
          ? ' or part of a multi-file OME-TIFF set (open the master file in Fiji and re-save as one file).'
          : '.')
    );
  }
  const pages: number[] = [];
  for (let i = 0; i < planeCount; i++) {
    const p = s.pages[i];
    if (!sameGeometry(p, p0)) {
      throw new DecodeError(
        'unsupported-layout',
        `${fileName}: page ${i + 1} is ${p.width}×${p.height} with ${p.bitsPerSample}-bit ` +
          `samples, unlike page 1 (${p0.width}×${p0.height}, ${p0.bitsPerSample}-bit); ` +
          'the stack cannot be shown as one array.'
      );
    }
    pages.push(i);
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
  if (channelNames) {
    info.channelNames = channelNames;
  }
  if (physicalSize) {
    info.physicalSize = physicalSize;
  }
  if (timeIncrement) {
    info.timeIncrement = timeIncrement;
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
