/**
 * encodeTiff: files must read back in Python tifffile with the right shape,
 * dtype, values, axes and calibration, and in our own decoder.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../../tensor/npy';
import { allocate, type DType, type INDArray } from '../../tensor/tensor';
import { decodeImage, encodeTiff, type IEncodeTiffOptions } from '..';
import { transposeAxes } from '../tiff/write';

// geotiff's remote-source helpers are ESM-only and unused here (see decode.node.spec.ts).
jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));

const PYTHON = path.resolve(__dirname, '../../../../.venv/bin/python');
let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-enc-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface IPyInfo {
  shape: number[];
  dtype: string;
  axes: string;
  is_imagej: boolean;
  is_ome: boolean;
  pages: number;
  imagej?: {
    unit?: string;
    spacing?: number;
    finterval?: number;
    channels?: number;
    slices?: number;
    frames?: number;
  };
  pixel_size_x?: number;
  ome?: {
    DimensionOrder: string;
    PhysicalSizeX: string | null;
    PhysicalSizeXUnit: string | null;
    channels: (string | null)[];
  };
}

/** Write with encodeTiff, read with tifffile: returns its report and array. */
function viaTifffile(
  name: string,
  bytes: Uint8Array
): { info: IPyInfo; array: INDArray } {
  const tif = path.join(dir, `${name}.tif`);
  const npy = path.join(dir, `${name}.npy`);
  fs.writeFileSync(tif, bytes);
  const out = execFileSync(
    PYTHON,
    [path.join(__dirname, 'read_tiff.py'), tif, npy],
    { encoding: 'utf-8' }
  );
  return {
    info: JSON.parse(out) as IPyInfo,
    array: readNpy(new Uint8Array(fs.readFileSync(npy)))
  };
}

/** Distinct, signed where possible values: v[i] = (i * 37) % 251 - offset. */
function makeArray(dtype: DType, shape: number[]): INDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, n) as Exclude<
    ReturnType<typeof allocate>,
    BigInt64Array | BigUint64Array
  >;
  const signed = dtype.startsWith('int') || dtype.startsWith('float');
  for (let i = 0; i < n; i++) {
    data[i] =
      ((i * 37) % 251) -
      (signed ? 100 : 0) +
      (dtype.startsWith('float') ? 0.25 : 0);
  }
  return { dtype, shape, data };
}

describe('encodeTiff → tifffile', () => {
  it.each<[DType, string, number[], 'imagej' | 'ome']>([
    ['uint8', 'YX', [13, 17], 'imagej'],
    ['uint16', 'ZYX', [4, 13, 17], 'imagej'],
    ['float32', 'TZCYX', [2, 3, 2, 13, 17], 'imagej'],
    ['int8', 'CYX', [2, 13, 17], 'ome'],
    ['int16', 'ZYX', [3, 13, 17], 'ome'],
    ['uint32', 'YX', [13, 17], 'ome'],
    ['int32', 'TCZYX', [2, 2, 3, 13, 17], 'ome'],
    ['float64', 'CZYX', [2, 3, 13, 17], 'ome']
  ])('%s %s', (dtype, axes, shape, flavour) => {
    const a = makeArray(dtype, shape);
    const { info, array } = viaTifffile(
      `${dtype}_${axes}`,
      encodeTiff(a, axes)
    );
    expect(info.dtype).toBe(dtype);
    expect(info.shape).toEqual(shape);
    expect(info.axes).toBe(axes);
    expect(flavour === 'imagej' ? info.is_imagej : info.is_ome).toBe(true);
    expect(Array.from(array.data as Float64Array)).toEqual(
      Array.from(a.data as Float64Array)
    );
  });

  it('transposes channel-last YXC to ImageJ CYX', () => {
    const a = makeArray('uint8', [5, 7, 3]);
    const { info, array } = viaTifffile('yxc', encodeTiff(a, 'YXC'));
    expect(info.axes).toBe('CYX');
    expect(info.shape).toEqual([3, 5, 7]);
    expect(Array.from(array.data as Uint8Array)).toEqual(
      Array.from(transposeAxes(a, 'YXC', 'CYX').data as Uint8Array)
    );
    // pixel (y=4, x=6, c=2) survives the transpose
    expect((array.data as Uint8Array)[2 * 35 + 4 * 7 + 6]).toBe(
      (a.data as Uint8Array)[(4 * 7 + 6) * 3 + 2]
    );
  });

  it('writes ImageJ calibration', () => {
    const opts: IEncodeTiffOptions = {
      physicalSize: {
        x: { value: 0.2, unit: 'µm' },
        y: { value: 0.2, unit: 'µm' },
        z: { value: 0.8, unit: 'µm' }
      },
      timeIncrement: { value: 5, unit: 's' }
    };
    const { info } = viaTifffile(
      'ij_cal',
      encodeTiff(makeArray('uint16', [2, 3, 13, 17]), 'TZYX', opts)
    );
    expect(info.axes).toBe('TZYX');
    expect(info.imagej).toEqual({
      unit: 'micron',
      spacing: 0.8,
      finterval: 5,
      slices: 3,
      frames: 2
    });
    expect(info.pixel_size_x).toBeCloseTo(0.2, 9);
  });

  it('writes OME channel names and physical size', () => {
    const opts: IEncodeTiffOptions = {
      format: 'ome',
      channelNames: ['DAPI', 'GFP & <x>'],
      physicalSize: { x: { value: 0.25, unit: 'µm' } }
    };
    const { info } = viaTifffile(
      'ome_cal',
      encodeTiff(makeArray('uint16', [2, 13, 17]), 'CYX', opts)
    );
    expect(info.axes).toBe('CYX');
    expect(info.ome).toEqual({
      DimensionOrder: 'XYCZT',
      PhysicalSizeX: '0.25',
      PhysicalSizeXUnit: 'µm',
      channels: ['DAPI', 'GFP & <x>']
    });
  });

  it('rejects bad axes and unstorable dtypes', () => {
    const a = makeArray('uint8', [3, 4]);
    expect(() => encodeTiff(a, 'ZYX')).toThrow(
      /axes 'ZYX' must be 2 distinct letters/
    );
    expect(() => encodeTiff(a, 'QX')).toThrow(/must be 2 distinct letters/);
    expect(() =>
      encodeTiff(makeArray('int16', [3, 4]), 'YX', { format: 'imagej' })
    ).toThrow(/ImageJ TIFFs cannot hold int16/);
    const big: INDArray = {
      dtype: 'int64',
      shape: [1, 2],
      data: BigInt64Array.from([1n, 2n ** 40n])
    };
    expect(() => encodeTiff(big, 'YX')).toThrow(/does not fit in 32 bits/);
  });
});

describe('encodeTiff → decodeImage round trip', () => {
  it('int64 labels come back as int32 with the same values and OME metadata', async () => {
    const a: INDArray = {
      dtype: 'int64',
      shape: [2, 3, 4],
      data: BigInt64Array.from({ length: 24 }, (_, i) => BigInt(i * 1000 - 7))
    };
    const img = await decodeImage(
      encodeTiff(a, 'ZYX', {
        physicalSize: { z: { value: 2, unit: 'µm' } },
        channelNames: []
      }),
      'labels.tif'
    );
    expect(img.source.format).toBe('ome-tiff');
    expect(img.axes).toBe('ZYX');
    expect(img.dtype).toBe('int32');
    expect(Array.from(img.array.data as Int32Array)).toEqual(
      Array.from(a.data as BigInt64Array, Number)
    );
    expect(img.physicalSize).toEqual({ z: { value: 2, unit: 'µm' } });
  });

  it('ImageJ calibration round-trips', async () => {
    const img = await decodeImage(
      encodeTiff(makeArray('float32', [3, 4, 5]), 'CYX', {
        physicalSize: { x: { value: 0.1625, unit: 'µm' } }
      }),
      'c.tif'
    );
    expect(img.source.format).toBe('imagej-tiff');
    expect(img.axes).toBe('CYX');
    expect(img.physicalSize?.x?.value).toBeCloseTo(0.1625, 9);
    expect(img.physicalSize?.x?.unit).toBe('µm');
  });
});
