/**
 * Image decoding for the viewer (pure: no DOM, runs in Node, browsers and
 * workers). Formats: TIFF / OME-TIFF / ImageJ TIFF (geotiff), NPY, PNG.
 * JPEG is left to the browser (createImageBitmap / <img>), which already
 * decodes it well; `decodeImage` reports it as 'unsupported-format'.
 */
import { DecodeError } from './errors';
import { isTiff } from './tiff/ifd';
import { decodeNpyImage, decodePngImage } from './npy-png';
import { memorySource } from './planes';
import { openTiff } from './tiff/read';
import {
  DEFAULT_MAX_BYTES,
  type IDecodedImage,
  type IDecodeOptions,
  type IImageSource
} from './types';

export * from './types';
export { DecodeError, formatBytes, type DecodeErrorKind } from './errors';
export { encodeTiff, type IEncodeTiffOptions } from './tiff/write';
export { guessAxes } from './npy-png';
export { planeAxes, planeIndexOf, extractPlane } from './planes';
export { parseImageJ, parseShaped, normaliseAxes } from './tiff/metadata';
export { parseOmeXml, readOmeXml, MAX_OME_XML_CHARS } from './tiff/ome';

/** File kinds `openImage` recognises. */
export type ImageKind = 'tiff' | 'npy' | 'png' | 'jpeg' | 'unknown';

/** Recognise the file kind from its first bytes, falling back to the extension. */
export function detectImageKind(
  bytes: Uint8Array,
  fileName: string
): ImageKind {
  if (isTiff(bytes)) {
    return 'tiff';
  }
  if (
    bytes[0] === 0x93 &&
    String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY'
  ) {
    return 'npy';
  }
  if (
    bytes[0] === 0x89 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x47
  ) {
    return 'png';
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg';
  }
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'tif' || ext === 'tiff' || ext === 'btf' || ext === 'tf8') {
    return 'tiff';
  }
  return ext === 'npy'
    ? 'npy'
    : ext === 'png'
      ? 'png'
      : ext === 'jpg' || ext === 'jpeg'
        ? 'jpeg'
        : 'unknown';
}

/**
 * Open an image for plane-by-plane reading. For TIFF only the structure is
 * parsed here; pixels are decoded by `readPlane` / `readAll`. NPY and PNG are
 * decoded at once (the formats offer no per-plane access).
 *
 * @throws DecodeError for unknown formats, damaged files or sizes beyond `maxBytes`.
 */
export async function openImage(
  bytes: Uint8Array,
  fileName: string,
  opts: IDecodeOptions = {}
): Promise<IImageSource> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const kind = detectImageKind(bytes, fileName);
  // A wrong extension is fine, but the content must look like what it claims.
  if (kind === 'tiff' && !isTiff(bytes)) {
    throw new DecodeError(
      bytes.length < 8 ? 'truncated' : 'corrupt',
      `${fileName}: not a valid TIFF file (no TIFF signature at the start); it may be ` +
        'damaged, empty or have the wrong extension.'
    );
  }
  switch (kind) {
    case 'tiff':
      if (opts.axes !== undefined) {
        throw new DecodeError(
          'bad-argument',
          `${fileName}: an axes override is only supported for NPY files.`
        );
      }
      return openTiff(bytes, fileName, maxBytes, opts);
    case 'npy':
      return memorySource(decodeNpyImage(bytes, fileName, maxBytes, opts.axes));
    case 'png':
      return memorySource(await decodePngImage(bytes, fileName, maxBytes));
    case 'jpeg':
      throw new DecodeError(
        'unsupported-format',
        `${fileName}: JPEG images are decoded by the browser, not by this decoder.`
      );
    default:
      throw new DecodeError(
        'unsupported-format',
        `${fileName}: unrecognised image format; the viewer opens TIFF (incl. OME-TIFF and ` +
          'ImageJ), NPY, PNG and JPEG files.'
      );
  }
}

/**
 * Decode a whole image into memory.
 *
 * @param bytes the file contents
 * @param fileName used to pick the format when the content is ambiguous and in messages
 * @param opts `maxBytes` (default 1 GiB), checked from the header before allocating;
 *   `axes` to override the NPY axes guess
 * @throws DecodeError with a user-facing message
 */
export async function decodeImage(
  bytes: Uint8Array,
  fileName: string,
  opts: IDecodeOptions = {}
): Promise<IDecodedImage> {
  const source = await openImage(bytes, fileName, opts);
  return source.readAll();
}
