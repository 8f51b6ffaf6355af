/**
 * What the TIFF reader supports, checked from the tags before any pixel is
 * read: compression codes and sample layouts (bits, formats, predictors).
 * Refusals name the feature and its tag values ("not supported yet"); only
 * impossible values are called damage.
 */
import type { DType } from '../../tensor/tensor';
import { DecodeError } from '../errors';
import type { IPageHeader } from './ifd';

/** TIFF compression codes we decode (pixels.ts, or geotiff for the last four), with display names. */
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

/** Common codes nobody here decodes, named so the error message is useful. */
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
      // half floats are widened to float32
      return b === 16 || b === 32
        ? 'float32'
        : b === 64
          ? 'float64'
          : undefined;
    default:
      return undefined;
  }
}

/** Refuse, naming the tags, sample layouts the pixel readers do not handle. */
export function checkSamples(
  p: IPageHeader,
  what: string,
  fileName: string
): DType {
  const notYet = (feature: string): DecodeError =>
    new DecodeError(
      'unsupported-layout',
      `${fileName}: ${what} uses ${feature}; this kind of TIFF is not supported yet ` +
        '(convert it to 8/16/32-bit integers or 32-bit floats, e.g. in Fiji).'
    );
  if (p.mixedBits) {
    throw notYet(
      `a different size for each sample (BitsPerSample ${p.mixedBits.join(', ')})`
    );
  }
  if (p.mixedFormats) {
    throw notYet(
      `a different type for each sample (SampleFormat ${p.mixedFormats.join(', ')})`
    );
  }
  const dtype = pageDType(p);
  if (!dtype) {
    throw notYet(
      `${p.bitsPerSample}-bit samples of SampleFormat ${p.sampleFormat}`
    );
  }
  if (p.predictor !== 1 && p.predictor !== 2 && p.predictor !== 3) {
    throw notYet(`Predictor ${p.predictor}`);
  }
  if (p.predictor === 2 && p.bitsPerSample === 64) {
    throw notYet('Predictor 2 with 64-bit samples');
  }
  if (p.width <= 0 || p.height <= 0) {
    throw new DecodeError(
      'corrupt',
      `${fileName}: ${what} has no width or height (ImageWidth ${p.width}, ImageLength ` +
        `${p.height}); the file is damaged.`
    );
  }
  return dtype;
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
