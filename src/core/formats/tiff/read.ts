/**
 * TIFF decoding: layout and limits from our own IFD walk (ifd.ts, layout.ts),
 * pixels one page at a time, so a single plane of a large stack can be read
 * without decoding the rest. Uncompressed, Deflate, LZW and PackBits pages
 * are decoded by pixels.ts (bounded, both byte orders); geotiff is loaded
 * only for the other codecs it knows (JPEG, LERC, Zstandard, WebP).
 */
import type { GeoTIFF } from 'geotiff';
import {
  allocate,
  BYTES_PER_ELEMENT,
  type INDArray,
  sizeOf,
  type TypedArray
} from '../../tensor/tensor';
import { checkSize, DecodeError } from '../errors';
import { readTiffStructure, type IPageHeader } from './ifd';
import { planeIndexOf } from '../planes';
import { tiffLayout, type ITiffLayout } from './layout';
import { decodeOwnPage, OWN_COMPRESSION, type IPageContext } from './pixels';
import {
  DEFAULT_MAX_BYTES,
  type IDecodedImage,
  type IDecodeOptions,
  type IImageSource
} from '../types';

/** The page's tag values, for "not supported yet" messages. */
export function describePage(p: IPageHeader): string {
  return (
    `Compression ${p.compression}, PhotometricInterpretation ${p.photometric}, ` +
    `SamplesPerPixel ${p.samplesPerPixel}, BitsPerSample ${p.bitsPerSample}, ` +
    `SampleFormat ${p.sampleFormat}, PlanarConfiguration ${p.planar}, Predictor ${p.predictor}`
  );
}

/**
 * Turn anything geotiff throws into a DecodeError. Its failures are ours
 * (a layout it cannot read), not proof of a damaged file, so the message
 * names the layout instead of blaming the file.
 */
function wrap(
  e: unknown,
  fileName: string,
  what: string,
  p: IPageHeader
): DecodeError {
  if (e instanceof DecodeError) {
    return e;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new DecodeError(
    'unsupported-layout',
    `${fileName}: ${what} could not be decoded by the viewer's TIFF reader (geotiff: ${msg}). ` +
      `This kind of TIFF (${describePage(p)}) is not supported yet; tifffile or Fiji may read it.`
  );
}

/** A copy of `bytes` as a standalone ArrayBuffer (geotiff needs one, from offset 0). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

/**
 * Open a TIFF: parse its structure and metadata (cheap, no pixel decoding)
 * and return a source that reads planes on demand.
 *
 * @param maxBytes limit for `readAll()`; `readPlane()` is checked against it too.
 */
export async function openTiff(
  bytes: Uint8Array,
  fileName: string,
  maxBytes: number = DEFAULT_MAX_BYTES,
  opts: IDecodeOptions = {}
): Promise<IImageSource> {
  const structure = readTiffStructure(bytes, fileName);
  const layout = tiffLayout(structure, fileName, opts.series);
  const bytesPerSample = BYTES_PER_ELEMENT[layout.dtype];
  checkSize(
    sizeOf(layout.planeShape) * bytesPerSample,
    maxBytes,
    fileName,
    'raise the limit in Settings → BioImage'
  );
  const ctx: IPageContext = {
    bytes,
    littleEndian: structure.littleEndian,
    fileName,
    what: '',
    maxBytes
  };
  let tiff: Promise<GeoTIFF> | undefined;
  const geotiff = (): Promise<GeoTIFF> => {
    // Loaded on first use: geotiff is large, and most files never need it.
    tiff ??= import('geotiff').then(g => g.fromArrayBuffer(ownBuffer(bytes)));
    return tiff;
  };
  const readPage = async (plane: number): Promise<TypedArray> => {
    const index = layout.pages[plane];
    const sample = layout.samples?.[plane];
    const p = structure.pages[index];
    const what = `page ${index + 1}`;
    const data = OWN_COMPRESSION.has(p.compression)
      ? decodeOwnPage({ ...ctx, what }, p, layout.dtype, sample)
      : await readGeoTiffPage(await geotiff(), p, index, ctx, sample);
    return checkDecoded(data, layout, fileName, what);
  };
  const info = { ...layout } as Partial<ITiffLayout>;
  delete info.pages;
  delete info.samples;
  delete info.planeShape;
  return {
    info: info as IDecodedImage,
    planeCount: layout.pages.length,
    readPlane: async index => ({
      dtype: layout.dtype,
      shape: layout.planeShape.slice(),
      data: await readPage(planeIndexOf(layout, index))
    }),
    readAll: async () => {
      checkSize(sizeOf(layout.shape) * bytesPerSample, maxBytes, fileName);
      const out = allocate(layout.dtype, sizeOf(layout.shape));
      const planeSize = sizeOf(layout.planeShape);
      for (let i = 0; i < layout.pages.length; i++) {
        out.set((await readPage(i)) as never, i * planeSize);
      }
      const array: INDArray = {
        dtype: layout.dtype,
        shape: layout.shape.slice(),
        data: out
      };
      return { ...(info as IDecodedImage), array };
    }
  };
}

/** Decode one page with geotiff (codecs we do not implement). */
async function readGeoTiffPage(
  tiff: GeoTIFF,
  p: IPageHeader,
  index: number,
  ctx: IPageContext,
  sample: number | undefined
): Promise<TypedArray> {
  const { fileName } = ctx;
  const what = `page ${index + 1}`;
  if (p.offsets.length > 1 && !ctx.littleEndian) {
    // geotiff reads out-of-line strip tables of big-endian files as little-endian.
    throw new DecodeError(
      'unsupported-compression',
      `${fileName}: ${what} is a big-endian TIFF with several strips or tiles compressed with ` +
        `code ${p.compression}, which is not supported yet; re-save it little-endian or with Deflate.`
    );
  }
  try {
    const image = await tiff.getImage(index);
    return (await image.readRasters({
      interleave: true,
      ...(sample !== undefined ? { samples: [sample] } : {})
    })) as unknown as TypedArray;
  } catch (e) {
    throw wrap(e, fileName, what, p);
  }
}

/** A decoded page must have exactly the plane's size and the layout's dtype. */
function checkDecoded(
  data: TypedArray,
  layout: ITiffLayout,
  fileName: string,
  what: string
): TypedArray {
  const expected = sizeOf(layout.planeShape);
  const want = allocate(layout.dtype, 0);
  if (data.length !== expected || data.constructor !== want.constructor) {
    // Our decoder or geotiff produced the wrong size: a bug or gap on our side.
    throw new DecodeError(
      'unsupported-layout',
      `${fileName}: ${what} decoded to ${data.length} ${data.constructor.name} values, ` +
        `expected ${expected} ${layout.dtype}; this layout is not supported yet.`
    );
  }
  return data;
}
