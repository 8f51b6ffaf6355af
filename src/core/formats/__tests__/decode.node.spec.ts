/**
 * Decoder tests against TIFFs written by Python tifffile (make_tiffs.py) and
 * the stardist fixtures. Every case compares all pixel values with the array
 * tifffile/numpy say the file holds.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../../tensor/npy';
import type { INDArray } from '../../tensor/tensor';
import { DecodeError, decodeImage, type IDecodedImage, openImage } from '..';

// geotiff's remote-source modules pull in ESM-only helpers that jest's Node
// (vm-modules) project cannot require; decoding from memory never uses them.
jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));

const PYTHON = path.resolve(__dirname, '../../../../.venv/bin/python');
const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-tiffs-'));
  execFileSync(PYTHON, [path.join(__dirname, 'make_tiffs.py'), dir], {
    stdio: 'pipe'
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytesOf = (name: string): Uint8Array =>
  new Uint8Array(fs.readFileSync(path.join(dir, name)));
const decode = (name: string): Promise<IDecodedImage> =>
  decodeImage(bytesOf(`${name}.tif`), `${name}.tif`);
const expected = (name: string): INDArray => readNpy(bytesOf(`${name}.npy`));

/** Same dtype, shape and every value (NaN-free data). */
function expectSameArray(actual: INDArray, exp: INDArray): void {
  expect(actual.dtype).toBe(exp.dtype);
  expect(actual.shape).toEqual(exp.shape);
  expect(actual.data.length).toBe(exp.data.length);
  let mismatches = 0;
  for (let i = 0; i < exp.data.length; i++) {
    if (actual.data[i] !== exp.data[i]) {
      mismatches++;
    }
  }
  expect(mismatches).toBe(0);
}

/** Catch a DecodeError from a promise (fails the test if it resolves). */
async function decodeError(p: Promise<unknown>): Promise<DecodeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError, but decoding succeeded');
}

describe('TIFF dtypes', () => {
  it.each([
    'uint8',
    'int8',
    'uint16',
    'int16',
    'uint32',
    'int32',
    'float32',
    'float64'
  ])('%s decodes exactly', async dt => {
    const img = await decode(`dtype_${dt}`);
    expectSameArray(img.array, expected(`dtype_${dt}`));
    expect(img.axes).toBe('YX');
    expect(img.shape).toEqual([37, 53]);
    expect(img.source.format).toBe('tiff');
  });
});

describe('TIFF compressions and layouts', () => {
  it.each([
    ['comp_none', 'none'],
    ['comp_lzw', 'LZW'],
    ['comp_deflate', 'Deflate'],
    ['comp_packbits', 'PackBits'],
    ['comp_lzw_predictor', 'LZW'],
    ['comp_deflate_float_predictor', 'Deflate'],
    ['striped', 'none'],
    ['tiled', 'none'],
    ['tiled_deflate_int16', 'Deflate']
  ])('%s (%s) decodes to a ZYX stack', async (name, comp) => {
    const img = await decode(name);
    const exp = expected(name);
    expectSameArray(img.array, exp);
    expect(img.axes).toBe('ZYX');
    expect(img.source.compression).toBe(comp);
    expect(img.source.planeCount).toBe(exp.shape[0]);
  });

  it('reads tifffile shaped metadata axes', async () => {
    const img = await decode('shaped_cyx');
    expectSameArray(img.array, expected('shaped_cyx'));
    expect(img.axes).toBe('CYX');
    expect(img.source.axesSource).toMatch(/tifffile/);
  });

  it.each(['rgb_contig', 'rgb_planar'])('%s decodes to YXC', async name => {
    const img = await decode(name);
    expectSameArray(img.array, expected(name));
    expect(img.axes).toBe('YXC');
    expect(img.shape).toEqual([20, 24, 3]);
  });
});

describe('OME-TIFF', () => {
  it('decodes TCZYX with channel names, physical sizes and time increment', async () => {
    const img = await decode('ome_tczyx');
    expectSameArray(img.array, expected('ome_tczyx'));
    expect(img.axes).toBe('TCZYX');
    expect(img.shape).toEqual([2, 2, 3, 20, 24]);
    expect(img.source.format).toBe('ome-tiff');
    expect(img.channelNames).toEqual(['DAPI', 'GFP']);
    expect(img.physicalSize).toEqual({
      x: { value: 0.25, unit: 'µm' },
      y: { value: 0.5, unit: 'µm' },
      z: { value: 1.5, unit: 'µm' }
    });
    expect(img.timeIncrement).toEqual({ value: 2, unit: 's' });
  });

  it('follows a non-default DimensionOrder (ZCYX)', async () => {
    const img = await decode('ome_zcyx');
    expectSameArray(img.array, expected('ome_zcyx'));
    expect(img.axes).toBe('ZCYX');
    expect(img.dtype).toBe('float32');
  });

  it('reads single planes by (t, c, z) without decoding the rest', async () => {
    const src = await openImage(bytesOf('ome_tczyx.tif'), 'ome_tczyx.tif');
    expect(src.planeCount).toBe(12);
    const exp = expected('ome_tczyx');
    const plane = await src.readPlane({ t: 1, c: 0, z: 2 });
    expect(plane.shape).toEqual([20, 24]);
    // flat offset of [1, 0, 2, 0, 0] in a (2, 2, 3, 20, 24) array
    const off = ((1 * 2 + 0) * 3 + 2) * 480;
    expectSameArray(plane, {
      dtype: 'uint16',
      shape: [20, 24],
      data: exp.data.slice(off, off + 480)
    });
    const byIndex = await src.readPlane(7);
    expectSameArray(byIndex, {
      dtype: 'uint16',
      shape: [20, 24],
      data: exp.data.slice(7 * 480, 8 * 480)
    });
    await expect(src.readPlane({ t: 2 })).rejects.toThrow(/t=2 is outside 0…1/);
  });
});

describe('ImageJ hyperstack', () => {
  it('decodes TZCYX with calibration', async () => {
    const img = await decode('imagej_tzcyx');
    expectSameArray(img.array, expected('imagej_tzcyx'));
    expect(img.axes).toBe('TZCYX');
    expect(img.source.format).toBe('imagej-tiff');
    expect(img.physicalSize?.x?.value).toBeCloseTo(0.2, 12);
    expect(img.physicalSize?.y?.value).toBeCloseTo(0.2, 12);
    expect(img.physicalSize?.x?.unit).toBe('µm');
    expect(img.physicalSize?.z).toEqual({ value: 0.8, unit: 'µm' });
    expect(img.timeIncrement).toEqual({ value: 5, unit: 's' });
  });

  it('decodes a float32 Z stack', async () => {
    const img = await decode('imagej_zyx_float');
    expectSameArray(img.array, expected('imagej_zyx_float'));
    expect(img.axes).toBe('ZYX');
    // no unit line → uncalibrated → no physical size
    expect(img.physicalSize).toBeUndefined();
  });
});

describe('stardist fixtures', () => {
  const fixture = (name: string): Uint8Array =>
    new Uint8Array(
      fs.readFileSync(path.join(FIXTURES, 'images', 'stardist', name))
    );
  const range = (a: INDArray): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of a.data as Uint16Array) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return [lo, hi];
  };
  it.each([
    ['img2d.tif', [512, 512], 'YX', [0, 235]],
    ['mask2d.tif', [512, 512], 'YX', [0, 183]],
    ['img3d.tif', [31, 61, 57], 'ZYX', [104, 375]],
    ['mask3d.tif', [31, 61, 57], 'ZYX', [0, 162]]
  ])('%s', async (name, shape, axes, minMax) => {
    const img = await decodeImage(fixture(name as string), name as string);
    expect(img.shape).toEqual(shape);
    expect(img.array.shape).toEqual(shape);
    expect(img.dtype).toBe('uint16');
    expect(img.axes).toBe(axes);
    expect(range(img.array)).toEqual(minMax);
  });

  it('mask2d has 126 distinct labels', async () => {
    const img = await decodeImage(fixture('mask2d.tif'), 'mask2d.tif');
    expect(new Set(img.array.data as Uint16Array).size).toBe(126);
  });
});

describe('errors', () => {
  it('truncated file', async () => {
    const b = bytesOf('comp_none.tif');
    const e = await decodeError(
      decodeImage(b.slice(0, Math.floor(b.length / 2)), 'cut.tif')
    );
    expect(e.kind).toBe('truncated');
    expect(e.message).toMatch(/cut\.tif: the file ends early.*copy it again/);
  });

  it('truncated compressed file', async () => {
    const b = bytesOf('comp_lzw.tif');
    const e = await decodeError(
      decodeImage(b.slice(0, b.length - 300), 'cut.tif')
    );
    expect(e.kind).toBe('truncated');
  });

  it('not a TIFF at all', async () => {
    const e = await decodeError(
      decodeImage(
        new TextEncoder().encode('hello world, not an image'),
        'x.tif'
      )
    );
    expect(e.kind).toBe('corrupt');
    expect(e.message).toMatch(/x\.tif: not a valid TIFF file/);
  });

  it('IFD loop', async () => {
    // header → IFD at 8 with zero entries whose next pointer is 8 again
    const b = new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0, 8, 0, 0, 0]);
    const e = await decodeError(decodeImage(b, 'loop.tif'));
    expect(e.message).toMatch(/directory chain is corrupt/);
  });

  it('unsupported compression (LZMA)', async () => {
    const e = await decodeError(decode('comp_lzma'));
    expect(e.kind).toBe('unsupported-compression');
    expect(e.message).toMatch(
      /LZMA \(TIFF compression 34925\).*re-save it uncompressed or with LZW\/Deflate/
    );
  });

  it('absurd header size is refused before allocating', async () => {
    // 100000 × 100000 uint16 claimed by a tiny file: 18.6 GB
    const b = new Uint8Array(8 + 2 + 6 * 12 + 4);
    const v = new DataView(b.buffer);
    b.set([0x49, 0x49, 42, 0]);
    v.setUint32(4, 8, true);
    v.setUint16(8, 6, true);
    const tags = [
      [256, 4, 100000],
      [257, 4, 100000],
      [258, 3, 16],
      [259, 3, 1],
      [273, 4, 0],
      [279, 4, 2e9]
    ];
    tags.forEach(([tag, type, val], i) => {
      v.setUint16(10 + i * 12, tag, true);
      v.setUint16(12 + i * 12, type, true);
      v.setUint32(14 + i * 12, 1, true);
      v.setUint32(18 + i * 12, val, true);
    });
    const e = await decodeError(decodeImage(b, 'huge.tif'));
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe(
      // a single plane cannot be split further, so only the limit is suggested
      'huge.tif: this image would need 18.6 GB in memory, more than the 1 GB limit; ' +
        'raise the limit in Settings → BioImage.'
    );
  });

  it('maxBytes limit on the whole stack', async () => {
    // 5 × 37 × 53 uint16 = 19610 bytes
    const e = await decodeError(
      decodeImage(bytesOf('comp_none.tif'), 's.tif', { maxBytes: 10000 })
    );
    expect(e.message).toBe(
      's.tif: this image would need 19.2 KB in memory, more than the 9.8 KB limit; ' +
        'open one plane at a time or raise the limit in Settings → BioImage.'
    );
    // but a single plane (3922 bytes) may still be read
    const src = await openImage(bytesOf('comp_none.tif'), 's.tif', {
      maxBytes: 10000
    });
    const plane = await src.readPlane({ z: 4 });
    expectSameArray(plane, {
      dtype: 'uint16',
      shape: [37, 53],
      data: expected('comp_none').data.slice(4 * 1961)
    });
  });
});
