/**
 * Label post-processing (threshold, connected components, small objects,
 * seeded watershed) and test-time-augmentation helpers, on hand cases.
 */
import { INDArray } from '../../tensor/tensor';
import {
  D4_TRANSFORMS,
  applyPlaneTransform,
  connectedComponents,
  consistencyScore,
  disagreementMap,
  flipPlane,
  invertPlaneTransform,
  relabelSequential,
  removeSmallObjects,
  rot90Plane,
  seededWatershed,
  threshold
} from '..';

function img(rows: number[][]): INDArray {
  const h = rows.length;
  const w = rows[0].length;
  return { dtype: 'int32', shape: [h, w], data: Int32Array.from(rows.flat()) };
}

/** Elements as numbers, for any dtype (BigInt included). */
const vals = (a: INDArray): number[] =>
  Array.from(a.data as Iterable<number | bigint>, x => Number(x));

const rows = (a: INDArray): number[][] => {
  const [h, w] = a.shape.slice(-2);
  const v = vals(a);
  return Array.from({ length: h }, (_, i) => v.slice(i * w, (i + 1) * w));
};

describe('threshold and connectedComponents', () => {
  const mask = img([
    [0, 1, 0, 0, 1],
    [1, 0, 0, 1, 1],
    [0, 0, 0, 0, 0],
    [1, 1, 0, 0, 1]
  ]);
  it('thresholds strictly', () => {
    const t = threshold(img([[0, 1, 2]]), 1);
    expect([t.dtype, vals(t)]).toEqual(['bool', [0, 0, 1]]);
  });
  it('4-connectivity numbers components in raster order of their first pixel', () => {
    const r = connectedComponents(mask, 1);
    expect(r.count).toBe(5);
    expect(rows(r.labels)).toEqual([
      [0, 1, 0, 0, 2],
      [3, 0, 0, 2, 2],
      [0, 0, 0, 0, 0],
      [4, 4, 0, 0, 5]
    ]);
  });
  it('8-connectivity merges diagonal neighbours (default = full)', () => {
    const r = connectedComponents(mask);
    expect(r.count).toBe(4);
    expect(rows(r.labels)[1]).toEqual([1, 0, 0, 2, 2]);
  });
  it('U shapes merge late but keep the first pixel order', () => {
    const u = img([
      [1, 0, 1, 0, 1],
      [1, 0, 1, 0, 1],
      [1, 1, 1, 0, 1]
    ]);
    expect(rows(connectedComponents(u, 1).labels)).toEqual([
      [1, 0, 1, 0, 2],
      [1, 0, 1, 0, 2],
      [1, 1, 1, 0, 2]
    ]);
  });
  it('3D: 6- vs 26-connectivity', () => {
    // Two voxels touching only at a corner.
    const v: INDArray = {
      dtype: 'uint8',
      shape: [2, 2, 2],
      data: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1])
    };
    expect(connectedComponents(v, 1).count).toBe(2);
    expect(connectedComponents(v, 2).count).toBe(2);
    expect(connectedComponents(v, 3).count).toBe(1);
    expect(() => connectedComponents(v, 4)).toThrow('connectivity');
  });
});

describe('removeSmallObjects and relabelSequential', () => {
  it('removes objects strictly smaller than minSize and keeps ids', () => {
    const l = img([
      [3, 3, 0, 7],
      [3, 0, 0, 9],
      [0, 0, 0, 9]
    ]);
    expect(rows(removeSmallObjects(l, 2))).toEqual([
      [3, 3, 0, 0],
      [3, 0, 0, 9],
      [0, 0, 0, 9]
    ]);
    const r = relabelSequential(l);
    expect(rows(r.labels)).toEqual([
      [1, 1, 0, 2],
      [1, 0, 0, 3],
      [0, 0, 0, 3]
    ]);
    expect(r.inverse).toEqual([0, 3, 7, 9]);
  });
});

describe('seededWatershed', () => {
  // Two touching disks (radius 10, centres 14 px apart): one connected blob.
  const h = 40;
  const w = 56;
  const c1 = [20, 20];
  const c2 = [20, 34];
  const fg = new Float64Array(h * w);
  const bd = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const d1 = Math.hypot(i - c1[0], j - c1[1]);
      const d2 = Math.hypot(i - c2[0], j - c2[1]);
      fg[i * w + j] = d1 <= 10 || d2 <= 10 ? 1 : 0;
      // Boundary probability: low near a centre, high at edges and in the neck.
      bd[i * w + j] = 1 - Math.max(0, 1 - d1 / 10, 1 - d2 / 10);
    }
  }
  const shape = [h, w];
  const at = (l: INDArray, p: number[]): number =>
    l.data[p[0] * w + p[1]] as number;

  it('separates touching disks that plain thresholding merges', () => {
    expect(
      connectedComponents({ dtype: 'float64', shape, data: fg }, 1).count
    ).toBe(1);
    const r = seededWatershed(
      { dtype: 'float64', shape, data: fg },
      { dtype: 'float64', shape, data: bd }
    );
    expect(r.count).toBe(2);
    const l1 = at(r.labels, c1);
    const l2 = at(r.labels, c2);
    expect(new Set([l1, l2])).toEqual(new Set([1, 2]));
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const lab = at(r.labels, [i, j]);
        expect(lab === 0).toBe(fg[i * w + j] === 0);
        const d1 = Math.hypot(i - c1[0], j - c1[1]);
        const d2 = Math.hypot(i - c2[0], j - c2[1]);
        if (fg[i * w + j] && Math.abs(d1 - d2) > 2) {
          expect(lab).toBe(d1 < d2 ? l1 : l2);
        }
      }
    }
  });
  it('works from the foreground alone and drops small objects', () => {
    const prob = Float64Array.from(bd, (b, k) => (fg[k] ? 1 - 0.5 * b : 0));
    // Seeds without a boundary map: F > 0.9.
    const r = seededWatershed({ dtype: 'float64', shape, data: prob }, null);
    expect(r.count).toBe(2);
    const none = seededWatershed(
      { dtype: 'float64', shape, data: prob },
      null,
      { minSize: 10000 }
    );
    expect(none.count).toBe(0);
  });
});

describe('TTA', () => {
  const a: INDArray = {
    dtype: 'int32',
    shape: [2, 3],
    data: Int32Array.from([1, 2, 3, 4, 5, 6])
  };
  it('rot90 and flip follow numpy', () => {
    expect(rows(rot90Plane(a, 1))).toEqual([
      [3, 6],
      [2, 5],
      [1, 4]
    ]);
    expect(rows(rot90Plane(a, 2))).toEqual([
      [6, 5, 4],
      [3, 2, 1]
    ]);
    expect(rows(rot90Plane(a, 3))).toEqual([
      [4, 1],
      [5, 2],
      [6, 3]
    ]);
    expect(rows(rot90Plane(a, -1))).toEqual(rows(rot90Plane(a, 3)));
    expect(rows(flipPlane(a, 'x'))).toEqual([
      [3, 2, 1],
      [6, 5, 4]
    ]);
    expect(rows(flipPlane(a, 'y'))).toEqual([
      [4, 5, 6],
      [1, 2, 3]
    ]);
  });
  it('every D4 transform is inverted, also with leading axes and bigint data', () => {
    const b: INDArray = {
      dtype: 'int64',
      shape: [2, 1, 2, 3],
      data: BigInt64Array.from([
        1n,
        2n,
        3n,
        4n,
        5n,
        6n,
        7n,
        8n,
        9n,
        10n,
        11n,
        12n
      ])
    };
    expect(D4_TRANSFORMS.length).toBe(8);
    const seen = new Set<string>();
    for (const t of D4_TRANSFORMS) {
      const f = applyPlaneTransform(b, t);
      seen.add(f.data.join(','));
      const back = invertPlaneTransform(f, t);
      expect(back.shape).toEqual(b.shape);
      expect(vals(back)).toEqual(vals(b));
    }
    expect(seen.size).toBe(8);
  });
  it('disagreement map and consistency score', () => {
    const p = (v: number[]): INDArray => ({
      dtype: 'float64',
      shape: [1, 4],
      data: Float64Array.from(v)
    });
    const preds = [
      p([1, 0, 1, 0.2]),
      p([1, 0, 0, 0.2]),
      p([1, 0, 1, 0.2]),
      p([1, 0, 0, 0.2])
    ];
    expect(vals(disagreementMap(preds))).toEqual([0, 0, 0.5, 0]);
    const c = consistencyScore(preds, 0.5);
    expect(c.meanStd).toBeCloseTo(0.125, 12);
    expect(c.maxStd).toBe(0.5);
    // Masks {0,2} and {0}: IoU 1/2 for the 4 mixed pairs, 1 for the 2 equal pairs.
    expect(c.meanPairwiseIoU).toBeCloseTo((4 * 0.5 + 2) / 6, 12);
    expect(
      consistencyScore([p([0, 0, 0, 0]), p([0, 0, 0, 0])]).meanPairwiseIoU
    ).toBe(1);
  });
});
