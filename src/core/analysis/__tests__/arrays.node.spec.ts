import { centreCrop, fixAxes, instanceLabels } from '../arrays';
import type { INDArray } from '../../tensor/tensor';

function arange(shape: number[]): INDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    dtype: 'float32',
    shape,
    data: Float32Array.from({ length: n }, (_, i) => i)
  };
}

describe('fixAxes', () => {
  it('takes one index along named axes (numpy a[1, :, 2] of a 2×3×4 arange)', () => {
    const a = arange([2, 3, 4]);
    const r = fixAxes({ array: a, axes: ['c', 'y', 'x'] }, { c: 1 });
    expect(r.axes).toEqual(['y', 'x']);
    expect(r.array.shape).toEqual([3, 4]);
    expect(Array.from(r.array.data as Float32Array)).toEqual([
      12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23
    ]);
  });

  it('fixes an inner axis and keeps the order of the others', () => {
    // a[:, 2] of shape (2, 3, 4) with axes z, c, x → shape (2, 4)
    const r = fixAxes(
      { array: arange([2, 3, 4]), axes: ['z', 'c', 'x'] },
      { c: 2 }
    );
    expect(r.axes).toEqual(['z', 'x']);
    expect(Array.from(r.array.data as Float32Array)).toEqual([
      8, 9, 10, 11, 20, 21, 22, 23
    ]);
  });

  it('drops length-1 non-spatial axes but keeps spatial ones', () => {
    const r = fixAxes(
      { array: arange([1, 1, 1, 3]), axes: ['b', 'c', 'y', 'x'] },
      {}
    );
    expect(r.axes).toEqual(['y', 'x']);
    expect(r.array.shape).toEqual([1, 3]);
  });

  it('refuses an index outside the axis', () => {
    expect(() =>
      fixAxes({ array: arange([2, 3]), axes: ['c', 'x'] }, { c: 2 })
    ).toThrow('c=2 is outside 0…1');
  });
});

describe('instanceLabels', () => {
  // Two blobs: a 2×2 square (4 px) and a single pixel touching it diagonally
  // only, plus a separate 1-pixel object.
  const prob: INDArray = {
    dtype: 'float32',
    shape: [4, 5],
    data: Float32Array.from([
      0.9,
      0.9,
      0,
      0,
      0.6, //
      0.9,
      0.9,
      0,
      0,
      0, //
      0,
      0,
      0.7,
      0,
      0, //
      0,
      0,
      0,
      0,
      0.4
    ])
  };

  it('connected components are 8-connected in 2D, as skimage.measure.label(connectivity=ndim)', () => {
    const labels = instanceLabels(prob, {
      threshold: 0.5,
      minSize: 0,
      method: 'connected_components'
    });
    expect(Array.from(labels.data as Int32Array)).toEqual([
      1,
      1,
      0,
      0,
      2, //
      1,
      1,
      0,
      0,
      0, //
      0,
      0,
      1,
      0,
      0, //
      0,
      0,
      0,
      0,
      0
    ]);
  });

  it('removes objects under minSize and renumbers 1…n', () => {
    const labels = instanceLabels(prob, {
      threshold: 0.5,
      minSize: 2,
      method: 'connected_components'
    });
    const ids = new Set(Array.from(labels.data as Int32Array));
    expect([...ids].sort()).toEqual([0, 1]);
    expect(
      Array.from(labels.data as Int32Array).filter(v => v === 1)
    ).toHaveLength(5);
  });

  it('method none gives the 0/1 mask and ignores minSize', () => {
    const labels = instanceLabels(prob, {
      threshold: 0.5,
      minSize: 100,
      method: 'none'
    });
    expect(labels.dtype).toBe('int32');
    expect(
      Array.from(labels.data as Int32Array).reduce((a, b) => a + b, 0)
    ).toBe(6);
  });
});

describe('centreCrop', () => {
  it('takes the centred y, x window and keeps other axes (numpy a[:, 1:3, 1:3])', () => {
    const a = { array: arange([2, 4, 4]), axes: ['c', 'y', 'x'] };
    const r = centreCrop(a, 2);
    expect(r.array.shape).toEqual([2, 2, 2]);
    expect(Array.from(r.array.data as Float32Array)).toEqual([
      5, 6, 9, 10, 21, 22, 25, 26
    ]);
  });

  it('keeps an image smaller than the crop whole', () => {
    const r = centreCrop({ array: arange([3, 5]), axes: ['y', 'x'] }, 256);
    expect(r.array.shape).toEqual([3, 5]);
    expect(Array.from(r.array.data as Float32Array)).toEqual(
      Array.from({ length: 15 }, (_, i) => i)
    );
  });
});
