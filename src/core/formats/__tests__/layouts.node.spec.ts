/**
 * TIFF layouts that real instruments write (make_layouts.py): big-endian
 * multi-strip OME-TIFFs, predictors, SubIFD pyramids with 4 grey samples,
 * one-value per-sample tags, palette colour, ImageJ, several OME series and
 * OME TiffData mapping. Every decoded plane is compared with tifffile's
 * reading of the same file (exact equality).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../../tensor/npy';
import type { INDArray } from '../../tensor/tensor';
import {
  DecodeError,
  decodeImage,
  type IDecodeOptions,
  type IDecodedImage,
  openImage
} from '..';

const PYTHON = path.resolve(__dirname, '../../../../.venv/bin/python');
let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-layouts-'));
  execFileSync(PYTHON, [path.join(__dirname, 'make_layouts.py'), dir], {
    stdio: 'pipe'
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytesOf = (name: string): Uint8Array =>
  new Uint8Array(fs.readFileSync(path.join(dir, name)));
const npy = (name: string): INDArray => readNpy(bytesOf(`${name}.npy`));
interface ITifffileView {
  byteorder: string;
  series: { name: string; shape: number[]; axes: string; dtype: string }[];
  levels: number;
  colormap?: number[][];
}
const view = (name: string): ITifffileView =>
  JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));

/** Number of positions where two arrays differ (after checking dtype and shape). */
function mismatches(actual: INDArray, exp: INDArray): number {
  expect(actual.dtype).toBe(exp.dtype);
  expect(actual.shape).toEqual(exp.shape);
  let n = 0;
  for (let i = 0; i < exp.data.length; i++) {
    if (actual.data[i] !== exp.data[i]) {
      n++;
    }
  }
  return n + Math.abs(actual.data.length - exp.data.length);
}

/**
 * Decode `name` whole and plane by plane; both must equal tifffile's array
 * `expected` (same dtype, shape in the decoder's axes, every value).
 */
async function expectAsTifffile(
  name: string,
  expected: INDArray,
  opts: IDecodeOptions = {}
): Promise<IDecodedImage> {
  const b = bytesOf(`${name}.tif`);
  const img = await decodeImage(b, `${name}.tif`, opts);
  expect(mismatches(img.array, expected)).toBe(0);
  const src = await openImage(b, `${name}.tif`, opts);
  const planeSize = img.shape.slice(-2).reduce((a, c) => a * c, 1);
  for (let i = 0; i < src.planeCount; i++) {
    const plane = await src.readPlane(i);
    const exp: INDArray = {
      dtype: expected.dtype,
      shape: plane.shape,
      data: expected.data.slice(i * planeSize, (i + 1) * planeSize)
    };
    expect([i, mismatches(plane, exp)]).toEqual([i, 0]);
  }
  return img;
}

describe('both byte orders on every page', () => {
  it.each([
    ['be_ome_int8_zc', 'ZCYX', 'int8'],
    ['be_ome_u16_deflate', 'CZYX', 'uint16'],
    ['be_ome_u16_lzw_tiled', 'ZYX', 'uint16'],
    ['be_float_predictor', 'ZYX', 'float32'],
    ['be_imagej_tzcyx', 'TZCYX', 'uint16']
  ])('%s (big-endian) equals tifffile', async (name, axes, dtype) => {
    expect(view(name).byteorder).toBe('>');
    const img = await expectAsTifffile(name, npy(name));
    expect(img.axes).toBe(axes);
    expect(img.dtype).toBe(dtype);
    expect(img.shape).toEqual(view(name).series[0].shape);
  });
});

describe('several grey samples per pixel are channels, not RGBA', () => {
  it.each([
    ['pyramid4_planar', 'uint16'],
    ['pyramid4_contig', 'uint8']
  ])('%s: SubIFD pyramid, level 0 as CYX', async (name, dtype) => {
    expect(view(name).levels).toBe(3); // tifffile sees the two reduced levels
    const img = await expectAsTifffile(name, npy(name));
    expect(img.axes).toBe('CYX');
    expect(img.dtype).toBe(dtype);
    expect(img.shape).toEqual([4, 64, 80]);
    expect(img.source.format).toBe('ome-tiff');
    expect(img.source.warnings).toEqual([]);
  });

  it('one BitsPerSample/SampleFormat value for 4 samples, planar pages as ZCYX', async () => {
    const img = await expectAsTifffile(
      'samples4_short_tags',
      npy('samples4_short_tags')
    );
    expect(img.axes).toBe('ZCYX');
    expect(img.shape).toEqual([3, 4, 24, 32]);
    expect(img.dtype).toBe('int16');
  });
});

describe('palette colour', () => {
  it('decodes to the stored indices and exposes the colour map', async () => {
    const img = await expectAsTifffile('palette', npy('palette'));
    expect(img.axes).toBe('YX');
    const cmap = view('palette').colormap!;
    expect(img.colormap).toEqual({
      red: cmap[0],
      green: cmap[1],
      blue: cmap[2]
    });
  });
});

describe('multi-series OME-TIFF', () => {
  it('reads the first series and lists every series as tifffile does', async () => {
    const img = await expectAsTifffile('ome_series', npy('ome_series_0'));
    expect(img.axes).toBe('CZYX');
    expect(img.seriesIndex).toBe(0);
    expect(
      img.series?.map(s => ({ name: s.name, shape: s.shape, axes: s.axes }))
    ).toEqual(
      view('ome_series').series.map(s => ({
        name: s.name,
        shape: s.shape,
        axes: s.axes
      }))
    );
    expect(img.series?.map(s => s.type)).toEqual(['uint16', 'uint8', 'float']);
    expect(img.source.warnings).toContain(
      'The file holds 3 OME images (series); showing series 1 ("first").'
    );
  });

  it.each([
    [1, 'TYX', 'uint8'],
    [2, 'YX', 'float32']
  ])('reads series %s on request', async (k, axes, dtype) => {
    const img = await expectAsTifffile('ome_series', npy(`ome_series_${k}`), {
      series: k
    });
    expect(img.axes).toBe(axes);
    expect(img.dtype).toBe(dtype);
    expect(img.seriesIndex).toBe(k);
  });

  it('a series that does not exist is a clear argument error', async () => {
    const e = await decodeImage(bytesOf('ome_series.tif'), 's.tif', {
      series: 3
    }).catch(x => x);
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.message).toBe(
      's.tif: series 3 does not exist; the file has 3 (0…2).'
    );
  });
});

describe('OME TiffData', () => {
  it('maps planes to scrambled IFDs as tifffile does', async () => {
    const img = await expectAsTifffile('ome_tiffdata', npy('ome_tiffdata'));
    expect(img.axes).toBe('CZYX');
    expect(img.channelNames).toEqual(['a', 'b']);
  });
});

describe('error wording', () => {
  it('a 1-bit mask is "not supported yet", naming the tag values', async () => {
    const e = await decodeImage(bytesOf('bilevel.tif'), 'mask.tif').catch(
      x => x
    );
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.kind).toBe('unsupported-layout');
    expect(e.message).toMatch(
      /^mask\.tif: page 1 uses 1-bit samples of SampleFormat 1; this kind of TIFF is not supported yet/
    );
    expect(e.message).not.toMatch(/damaged/);
  });

  it('bytes that are not LZW under an LZW tag are called damaged', async () => {
    // Relabel an uncompressed strip as LZW (page 1; the int16 data does not start like old-style LZW).
    const b = bytesOf('samples4_short_tags.tif').slice();
    const dv = new DataView(b.buffer);
    const ifd = dv.getUint32(4, true);
    const n = dv.getUint16(ifd, true);
    let patched = false;
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + 12 * i;
      if (dv.getUint16(e, true) === 259) {
        dv.setUint16(e + 8, 5, true);
        patched = true;
      }
    }
    expect(patched).toBe(true);
    const e = await decodeImage(b, 'x.tif').catch(x => x);
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.kind).toBe('corrupt');
    expect(e.message).toMatch(
      /^x\.tif: strip 1 of page 1 .*; the file is damaged\.$/
    );
  });
});
