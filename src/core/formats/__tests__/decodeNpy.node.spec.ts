/**
 * NPY decoding: axes heuristic, explicit axes, dtype conversion, size limit and
 * per-plane reads from memory.
 */
import { writeNpy } from '../../tensor/npy';
import type { DType, INDArray } from '../../tensor/tensor';
import { DecodeError, decodeImage, guessAxes, openImage } from '..';

function iota(dtype: DType, shape: number[]): INDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data =
    dtype === 'int64'
      ? BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3 - 5))
      : Float32Array.from({ length: n }, (_, i) => i * 0.5);
  return { dtype, shape, data };
}

describe('guessAxes', () => {
  it.each([
    [[64, 80], 'YX'],
    [[64, 80, 3], 'YXC'],
    [[3, 64, 80], 'ZYX'],
    [[10, 64, 80], 'ZYX'],
    [[4, 4, 4], 'ZYX'],
    [[5, 64, 80, 2], 'ZYXC'],
    [[2, 5, 64, 80], 'CZYX'],
    [[1, 2, 5, 64, 80], 'TCZYX'],
    [[7], undefined],
    [[1, 1, 1, 1, 1, 1], undefined]
  ])('%j → %s', (shape, axes) => {
    expect(guessAxes(shape)).toBe(axes);
  });
});

describe('decodeImage(npy)', () => {
  it('guesses CZYX and drops leading size-1 dims beyond 5-D', async () => {
    const a = iota('float32', [1, 2, 3, 4, 5, 6]);
    const img = await decodeImage(writeNpy(a), 'x.npy');
    expect(img.axes).toBe('TCZYX');
    expect(img.shape).toEqual([2, 3, 4, 5, 6]);
    expect(img.array.data).toEqual(a.data);
    expect(img.source.format).toBe('npy');
  });

  it('honours an explicit axes override (incl. bioimage.io letters)', async () => {
    const a = iota('float32', [2, 3, 4]);
    const img = await decodeImage(writeNpy(a), 'x.npy', { axes: 'cyx' });
    expect(img.axes).toBe('CYX');
    const yxz = await decodeImage(writeNpy(a), 'x.npy', { axes: 'YXZ' });
    expect(yxz.axes).toBe('YXZ');
    await expect(
      decodeImage(writeNpy(a), 'x.npy', { axes: 'YX' })
    ).rejects.toThrow(/axes 'YX' do not fit the array of shape \[2, 3, 4\]/);
  });

  it('converts int64 labels to int32 for display', async () => {
    const img = await decodeImage(writeNpy(iota('int64', [3, 4])), 'l.npy');
    expect(img.dtype).toBe('int32');
    expect(Array.from(img.array.data as Int32Array)).toEqual([
      -5, -2, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28
    ]);
    expect(img.source.warnings).toEqual([
      'int64 values converted to int32 for display.'
    ]);
  });

  it('refuses a header larger than maxBytes before reading data', async () => {
    // header claims 100000×100000 float32 but the file holds no data
    const header = writeNpy(iota('float32', [1, 1]));
    const text = new TextDecoder().decode(header.subarray(10));
    const fake = new TextEncoder().encode(
      text.replace('(1, 1)', '(100000, 100000)').padEnd(text.length, ' ')
    );
    const bytes = new Uint8Array(header.length);
    bytes.set(header.subarray(0, 10));
    bytes.set(fake.subarray(0, text.length), 10);
    const e = (await decodeImage(bytes, 'big.npy').catch(
      x => x
    )) as DecodeError;
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(
      /^big\.npy: this image would need 37\.3 GB in memory, more than the 1 GB limit/
    );
  });

  it('reports truncated data', async () => {
    const b = writeNpy(iota('float32', [8, 8]));
    const e = (await decodeImage(b.slice(0, b.length - 10), 't.npy').catch(
      x => x
    )) as DecodeError;
    expect(e.kind).toBe('truncated');
  });

  it('reads planes of non-trailing layouts (YXC and YXZ)', async () => {
    const a = iota('float32', [2, 3, 4]); // value = 0.5 * flat index
    const rgb = await openImage(writeNpy(a), 'x.npy', { axes: 'YXC' });
    expect(rgb.planeCount).toBe(1);
    const p = await rgb.readPlane(0);
    expect(p.shape).toEqual([2, 3, 4]);
    const yxz = await openImage(writeNpy(a), 'x.npy', { axes: 'YXZ' });
    expect(yxz.planeCount).toBe(4);
    const z1 = await yxz.readPlane({ z: 1 });
    expect(z1.shape).toEqual([2, 3]);
    // element [y, x, 1] sits at flat (y*3 + x)*4 + 1
    expect(Array.from(z1.data as Float32Array)).toEqual(
      [0, 1, 2, 3, 4, 5].map(k => (k * 4 + 1) * 0.5)
    );
  });
});
