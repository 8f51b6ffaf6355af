import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NpyError, readNpy, readNpyHeader, writeNpy } from '../npy';
import { DType, INDArray, TypedArray, allocate } from '../tensor';

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
const PYTHON = path.resolve(__dirname, '../../../../.venv/bin/python');

const DTYPES: DType[] = [
  'bool',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'uint64',
  'int64',
  'float32',
  'float64'
];

/** Element i of a 2x3x4 test array, chosen to exercise sign and size per dtype. */
function valueFor(dtype: DType, i: number): number {
  switch (dtype) {
    case 'bool':
      return i % 3 === 0 ? 1 : 0;
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      return i - 12;
    case 'float32':
    case 'float64':
      return i * 0.5 - 3;
    default:
      return i * 7;
  }
}

function makeArray(dtype: DType, shape: number[]): INDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    (data as unknown as { [k: number]: number | bigint })[i] =
      data instanceof BigInt64Array || data instanceof BigUint64Array
        ? BigInt(valueFor(dtype, i))
        : valueFor(dtype, i);
  }
  return { dtype, shape, data };
}

const asNumbers = (data: TypedArray): number[] =>
  Array.from(data as ArrayLike<number | bigint>, Number);

describe('writeNpy/readNpy round trip', () => {
  for (const dtype of DTYPES) {
    for (const fortran of [false, true]) {
      it(`${dtype} in ${fortran ? 'Fortran' : 'C'} order`, () => {
        const arr = makeArray(dtype, [2, 3, 4]);
        const bytes = writeNpy(arr, fortran);
        const header = readNpyHeader(bytes);
        expect(header.fortranOrder).toBe(fortran);
        expect(header.dataOffset % 64).toBe(0);
        const back = readNpy(bytes);
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual([2, 3, 4]);
        expect(back.data.constructor).toBe(arr.data.constructor);
        expect(asNumbers(back.data)).toEqual(asNumbers(arr.data));
      });
    }
  }

  it('writes Fortran data column-major', () => {
    const arr = makeArray('int16', [2, 3]);
    const bytes = writeNpy(arr, true);
    const { dataOffset } = readNpyHeader(bytes);
    const raw = new Int16Array(bytes.slice(dataOffset).buffer);
    // C order [[-12,-11,-10],[-9,-8,-7]] is stored column by column.
    expect(Array.from(raw)).toEqual([-12, -9, -11, -8, -10, -7]);
  });

  it('handles 0-d and empty arrays', () => {
    const scalar = readNpy(
      writeNpy({ dtype: 'float64', shape: [], data: new Float64Array([2.5]) })
    );
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([2.5]);
    const empty = readNpy(
      writeNpy({ dtype: 'uint8', shape: [0, 4], data: new Uint8Array(0) })
    );
    expect(empty.shape).toEqual([0, 4]);
    expect(empty.data.length).toBe(0);
  });
});

describe('readNpy with files written by numpy', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npy-'));
    const script = `
import numpy as np, sys, os
d = sys.argv[1]
codes = {'bool':'?','uint8':'u1','int8':'i1','uint16':'u2','int16':'i2','uint32':'u4','int32':'i4','uint64':'u8','int64':'i8','float32':'f4','float64':'f8'}
for name, code in codes.items():
    i = np.arange(24)
    if name == 'bool': v = (i % 3 == 0)
    elif name.startswith('int'): v = i - 12
    elif name.startswith('float'): v = i * 0.5 - 3
    else: v = i * 7
    a = v.reshape(2, 3, 4).astype(code)
    np.save(os.path.join(d, name + '_c.npy'), a)
    np.save(os.path.join(d, name + '_f.npy'), np.asfortranarray(a))
    np.save(os.path.join(d, name + '_be.npy'), a.astype(a.dtype.newbyteorder('>')))
    np.save(os.path.join(d, name + '_bef.npy'), np.asfortranarray(a.astype(a.dtype.newbyteorder('>'))))
np.save(os.path.join(d, 'scalar.npy'), np.float32(7.25))
for version in [(2, 0), (3, 0)]:
    with open(os.path.join(d, 'v%d.npy' % version[0]), 'wb') as f:
        np.lib.format.write_array(f, np.arange(6, dtype='<i4').reshape(3, 2), version=version)
np.save(os.path.join(d, 'complex.npy'), np.zeros(3, dtype='c8'))
np.save(os.path.join(d, 'half.npy'), np.zeros(3, dtype='f2'))
`;
    execFileSync(PYTHON, ['-c', script, dir]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const load = (name: string): INDArray =>
    readNpy(new Uint8Array(fs.readFileSync(path.join(dir, name))));

  for (const dtype of DTYPES) {
    it(`${dtype}: C, Fortran, big-endian and big-endian Fortran all give the same C-order values`, () => {
      const expected = asNumbers(makeArray(dtype, [2, 3, 4]).data);
      for (const variant of ['c', 'f', 'be', 'bef']) {
        const arr = load(`${dtype}_${variant}.npy`);
        expect([variant, arr.dtype, arr.shape]).toEqual([
          variant,
          dtype,
          [2, 3, 4]
        ]);
        expect(asNumbers(arr.data)).toEqual(expected);
      }
    });
  }

  it('reads 0-d arrays and format versions 2.0 and 3.0', () => {
    const scalar = load('scalar.npy');
    expect(scalar).toEqual({
      dtype: 'float32',
      shape: [],
      data: new Float32Array([7.25])
    });
    for (const v of ['v2.npy', 'v3.npy']) {
      const arr = load(v);
      expect(arr.shape).toEqual([3, 2]);
      expect(Array.from(arr.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    }
  });

  it('numpy reads what writeNpy writes, in both orders', () => {
    for (const dtype of DTYPES) {
      const arr = makeArray(dtype, [2, 3, 4]);
      fs.writeFileSync(path.join(dir, `ours_${dtype}_c.npy`), writeNpy(arr));
      fs.writeFileSync(
        path.join(dir, `ours_${dtype}_f.npy`),
        writeNpy(arr, true)
      );
    }
    const check = `
import numpy as np, sys, os, json
d = sys.argv[1]
out = {}
for f in sorted(os.listdir(d)):
    if f.startswith('ours_'):
        a = np.load(os.path.join(d, f))
        ref = np.load(os.path.join(d, f.replace('ours_', '').replace('_f.npy', '_c.npy')))
        out[f] = [str(a.dtype), list(a.shape), bool(a.flags.f_contiguous and not a.flags.c_contiguous), bool(np.array_equal(a, ref))]
print(json.dumps(out))
`;
    const result = JSON.parse(
      execFileSync(PYTHON, ['-c', check, dir]).toString()
    ) as Record<string, [string, number[], boolean, boolean]>;
    expect(Object.keys(result)).toHaveLength(22);
    expect(result['ours_float32_f.npy']).toEqual([
      'float32',
      [2, 3, 4],
      true,
      true
    ]);
    expect(result['ours_bool_c.npy']).toEqual(['bool', [2, 3, 4], false, true]);
    for (const [, [, shape, , equal]] of Object.entries(result)) {
      expect(shape).toEqual([2, 3, 4]);
      expect(equal).toBe(true);
    }
  });

  it('rejects unsupported dtypes with a clear message', () => {
    expect(() => load('complex.npy')).toThrow("unsupported .npy dtype '<c8'");
    expect(() => load('half.npy')).toThrow("unsupported .npy dtype '<f2'");
  });
});

describe('readNpy errors and real data', () => {
  it('reads the fixture test input', () => {
    const file = path.join(
      FIXTURES,
      'models/unet2d_nuclei_broad/test_input.npy'
    );
    const arr = readNpy(new Uint8Array(fs.readFileSync(file)));
    expect(arr.dtype).toBe('float32');
    expect(arr.shape).toEqual([1, 1, 512, 512]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of arr.data as Float32Array) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([122, 4095]);
  });

  it('rejects truncated data, bad magic and unknown versions', () => {
    const bytes = writeNpy({
      dtype: 'float32',
      shape: [4],
      data: new Float32Array([1, 2, 3, 4])
    });
    expect(() => readNpy(bytes.slice(0, bytes.length - 3))).toThrow(
      'truncated .npy file: shape [4] of float32 needs 16 data bytes, but only 13 are present'
    );
    expect(() => readNpy(new TextEncoder().encode('hello, not numpy'))).toThrow(
      NpyError
    );
    const v9 = bytes.slice();
    v9[6] = 9;
    expect(() => readNpy(v9)).toThrow(
      'unsupported .npy format version 9.0; supported: 1.0, 2.0, 3.0'
    );
  });
});
