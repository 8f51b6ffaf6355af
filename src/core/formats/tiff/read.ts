/**
 * TIFF decoding: layout and limits from our own IFD walk (ifd.ts,
 * tiffLayout.ts), pixels from geotiff, one page at a time, so a single plane
 * of a large stack can be read without decoding the rest.
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
import { readTiffStructure } from './ifd';
import { planeIndexOf } from '../planes';
import { tiffLayout, type ITiffLayout } from './layout';
import {
  DEFAULT_MAX_BYTES,
  type IDecodedImage,
  type IImageSource
} from '../types';

/** Turn anything geotiff throws into a DecodeError with a useful message. */
function wrap(e: unknown, fileName: string, what: string): DecodeError {
  if (e instanceof DecodeError) {
    return e;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (/Unknown compression|not supported/i.test(msg)) {
    return new DecodeError(
      'unsupported-compression',
      `${fileName}: ${what} uses a compression the viewer cannot decode (${msg}); ` +
        're-save it uncompressed or with LZW/Deflate.'
    );
  }
  const range = e instanceof RangeError || /offset|bounds|length/i.test(msg);
  return new DecodeError(
    range ? 'truncated' : 'corrupt',
    `${fileName}: ${what} could not be decoded (${msg}); the file is ` +
      (range
        ? 'probably truncated — copy it again.'
        : 'damaged — re-save it from the original.')
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
  maxBytes: number = DEFAULT_MAX_BYTES
): Promise<IImageSource> {
  const structure = readTiffStructure(bytes, fileName);
  const layout = tiffLayout(structure, fileName);
  const bytesPerSample = BYTES_PER_ELEMENT[layout.dtype];
  checkSize(
    sizeOf(layout.planeShape) * bytesPerSample,
    maxBytes,
    fileName,
    'raise the limit in Settings → BioImage'
  );
  let tiff: GeoTIFF;
  try {
    // Loaded on first use: geotiff is large, and NPY/PNG users never need it.
    const { fromArrayBuffer } = await import('geotiff');
    tiff = await fromArrayBuffer(ownBuffer(bytes));
  } catch (e) {
    throw wrap(e, fileName, 'the TIFF header');
  }
  const readPage = (page: number): Promise<TypedArray> =>
    readTiffPage(tiff, layout, page, fileName, bytes.byteLength);
  const info = { ...layout } as Partial<ITiffLayout>;
  delete info.pages;
  delete info.planeShape;
  return {
    info: info as IDecodedImage,
    planeCount: layout.pages.length,
    readPlane: async index => {
      const flat = planeIndexOf(layout, index);
      return {
        dtype: layout.dtype,
        shape: layout.planeShape.slice(),
        data: await readPage(layout.pages[flat])
      };
    },
    readAll: async () => {
      checkSize(sizeOf(layout.shape) * bytesPerSample, maxBytes, fileName);
      const out = allocate(layout.dtype, sizeOf(layout.shape));
      const planeSize = sizeOf(layout.planeShape);
      for (let i = 0; i < layout.pages.length; i++) {
        out.set((await readPage(layout.pages[i])) as never, i * planeSize);
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

/** Decode one page to an interleaved (YX or YXS) typed array of the layout's dtype. */
async function readTiffPage(
  tiff: GeoTIFF,
  layout: ITiffLayout,
  page: number,
  fileName: string,
  fileSize: number
): Promise<TypedArray> {
  const what = `page ${page + 1}`;
  let data: TypedArray;
  try {
    const image = await tiff.getImage(page);
    const fd = image.getFileDirectory();
    // Every strip/tile must lie inside the file; geotiff would otherwise read
    // past the end and report something obscure (or decode garbage).
    const tiled = fd.hasTag('TileOffsets');
    const offsets = (await fd.loadValue(
      tiled ? 'TileOffsets' : 'StripOffsets'
    )) as ArrayLike<number> | number | undefined;
    const counts = (await fd.loadValue(
      tiled ? 'TileByteCounts' : 'StripByteCounts'
    )) as ArrayLike<number> | number | undefined;
    const o = typeof offsets === 'number' ? [offsets] : offsets;
    const c = typeof counts === 'number' ? [counts] : counts;
    if (!o || !c || o.length !== c.length) {
      throw new DecodeError(
        'corrupt',
        `${fileName}: ${what} has no valid strip/tile table; the file is damaged.`
      );
    }
    for (let i = 0; i < o.length; i++) {
      if (Number(o[i]) + Number(c[i]) > fileSize) {
        throw new DecodeError(
          'truncated',
          `${fileName}: the file ends early (${what} needs bytes up to ` +
            `${Number(o[i]) + Number(c[i])} but the file has ${fileSize}); it was probably ` +
            'cut off while copying or downloading — copy it again.'
        );
      }
    }
    data = (await image.readRasters({
      interleave: true
    })) as unknown as TypedArray;
  } catch (e) {
    throw wrap(e, fileName, what);
  }
  const expected = sizeOf(layout.planeShape);
  const want = allocate(layout.dtype, 0);
  if (data.length !== expected || data.constructor !== want.constructor) {
    throw new DecodeError(
      'corrupt',
      `${fileName}: ${what} decoded to ${data.length} ${data.constructor.name} values, ` +
        `expected ${expected} ${layout.dtype}; the file is damaged or uses an unsupported layout.`
    );
  }
  return data;
}
