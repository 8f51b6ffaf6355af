/**
 * Pixel overlap and StarDist matching against the worked examples of
 * ../shared/docs/metrics-digest.md §6 and hand cases.
 */
import { INDArray } from '../../tensor/tensor';
import { IMatchingStats, matching, matchingDataset, pixelOverlap } from '..';

const TOL = 6; // toBeCloseTo digits: |diff| < 5e-7

function lab(rows: number[][], dtype: INDArray['dtype'] = 'int32'): INDArray {
  const h = rows.length;
  const w = rows[0].length;
  const data =
    dtype === 'uint16' ? new Uint16Array(h * w) : new Int32Array(h * w);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * w + j] = v)));
  return { dtype, shape: [h, w], data };
}

function one(
  yt: INDArray,
  yp: INDArray,
  thresh: number,
  extra = {}
): IMatchingStats {
  return matching(yt, yp, {
    thresholds: [thresh],
    reportMatches: true,
    ...extra
  })[0];
}

function expectStats(s: IMatchingStats, e: Partial<IMatchingStats>): void {
  for (const [k, v] of Object.entries(e)) {
    const got = s[k as keyof IMatchingStats];
    if (typeof v === 'number') {
      expect([k, got]).toEqual([k, expect.closeTo(v, TOL)]);
    } else {
      expect([k, got]).toEqual([k, v]);
    }
  }
}

// S1: StarDist's doctest, a 10×10 square shifted down by 5 rows.
const s1True = new Uint16Array(100 * 100);
for (let i = 10; i < 20; i++) {
  for (let j = 10; j < 20; j++) {
    s1True[i * 100 + j] = 1;
  }
}
const s1Pred = new Uint16Array(100 * 100);
s1Pred.set(s1True.subarray(0, 100 * 95), 500);
const S1T: INDArray = { dtype: 'uint16', shape: [100, 100], data: s1True };
const S1P: INDArray = { dtype: 'uint16', shape: [100, 100], data: s1Pred };

const S2T = lab([
  [1, 1, 0, 0, 0, 0],
  [1, 1, 0, 0, 0, 0],
  [0, 0, 2, 2, 0, 0],
  [0, 0, 2, 2, 0, 0],
  [0, 0, 0, 0, 3, 3],
  [0, 0, 0, 0, 3, 3]
]);
const S2P = lab([
  [1, 1, 0, 0, 0, 0],
  [1, 1, 0, 0, 0, 0],
  [0, 0, 0, 2, 2, 0],
  [0, 0, 0, 2, 2, 0],
  [0, 0, 0, 0, 0, 0],
  [3, 3, 0, 0, 0, 0]
]);

const strip = (f: (k: number) => number, n = 24): INDArray =>
  lab([Array.from({ length: n }, (_, k) => f(k))]);
const S3T = strip(k => (k < 10 ? 1 : k < 20 ? 2 : 0));
const S3P = strip(k => (k < 3 ? 2 : k < 16 ? 1 : 0));

describe('pixelOverlap', () => {
  it('P1: IoU 1/3, Dice 1/2', () => {
    const a = lab([
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0]
    ]);
    const b = lab([
      [0, 7, 7, 0],
      [0, 7, 7, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0]
    ]);
    const r = pixelOverlap(a, b);
    expect([r.intersection, r.union]).toEqual([2, 6]);
    expect(r.iou).toBeCloseTo(1 / 3, 12);
    expect(r.dice).toBeCloseTo(0.5, 12);
  });
  it('P2: empty vs empty is NaN (undefined); one empty gives 0', () => {
    const z = lab([
      [0, 0],
      [0, 0]
    ]);
    expect(pixelOverlap(z, z).iou).toBeNaN();
    expect(pixelOverlap(z, z).dice).toBeNaN();
    const r = pixelOverlap(
      z,
      lab([
        [0, 3],
        [0, 0]
      ])
    );
    expect([r.iou, r.dice]).toEqual([0, 0]);
  });
});

describe('matching (StarDist)', () => {
  it('S1a–c', () => {
    expectStats(one(S1T, S1P, 0.5), {
      tp: 0,
      fp: 1,
      fn: 1,
      precision: 0,
      recall: 0,
      accuracy: 0,
      f1: 0,
      nTrue: 1,
      nPred: 1,
      meanTrueScore: 0,
      meanMatchedScore: 0,
      panopticQuality: 0
    });
    expectStats(one(S1T, S1P, 0.3), {
      tp: 1,
      fp: 0,
      fn: 0,
      precision: 1,
      recall: 1,
      accuracy: 1,
      f1: 1,
      meanTrueScore: 1 / 3,
      meanMatchedScore: 1 / 3,
      panopticQuality: 1 / 3
    });
    for (const criterion of ['iot', 'iop'] as const) {
      expectStats(one(S1T, S1P, 0.5, { criterion }), {
        tp: 1,
        accuracy: 1,
        meanMatchedScore: 0.5,
        panopticQuality: 0.5
      });
    }
  });
  it('S2a–c', () => {
    const a = one(S2T, S2P, 0.5);
    expectStats(a, {
      tp: 1,
      fp: 2,
      fn: 2,
      precision: 1 / 3,
      recall: 1 / 3,
      f1: 1 / 3,
      accuracy: 0.2,
      meanMatchedScore: 1,
      meanTrueScore: 1 / 3,
      panopticQuality: 1 / 3
    });
    expect(a.matchedPairs).toEqual([
      [1, 1],
      [2, 2],
      [3, 3]
    ]);
    expect(a.matchedScores).toEqual([1, Math.fround(1 / 3), 0]);
    expect(a.matchedTps).toEqual([0]);
    const b = one(S2T, S2P, 0.3);
    expectStats(b, {
      tp: 2,
      fp: 1,
      fn: 1,
      precision: 2 / 3,
      recall: 2 / 3,
      f1: 2 / 3,
      accuracy: 0.5,
      meanMatchedScore: 2 / 3,
      meanTrueScore: 4 / 9,
      panopticQuality: 4 / 9,
      matchedTps: [0, 1]
    });
    expectStats(one(S2T, S2P, 0), { tp: 3, fp: 0, fn: 0, accuracy: 1 });
  });
  it('S3: optimal, not greedy', () => {
    const a = one(S3T, S3P, 0.25);
    expectStats(a, {
      tp: 2,
      fp: 0,
      fn: 0,
      accuracy: 1,
      meanMatchedScore: 0.326471,
      meanTrueScore: 0.326471,
      panopticQuality: 0.326471
    });
    expect(a.matchedPairs).toEqual([
      [1, 2],
      [2, 1]
    ]);
    const b = one(S3T, S3P, 0.4);
    expectStats(b, {
      tp: 1,
      fp: 1,
      fn: 1,
      accuracy: 1 / 3,
      f1: 0.5,
      meanMatchedScore: 0.4375,
      meanTrueScore: 0.21875,
      panopticQuality: 0.21875
    });
    expect(b.matchedPairs).toEqual([
      [1, 1],
      [2, 2]
    ]);
    const c = one(S3T, S3P, 0.5);
    expectStats(c, {
      tp: 0,
      accuracy: 0,
      precision: 0,
      recall: 0,
      f1: 0,
      matchedTps: []
    });
    expect(c.matchedPairs).toEqual([
      [1, 2],
      [2, 1]
    ]);
    // S3e: the same strip without background gives the same StarDist result.
    const t20 = strip(k => (k < 10 ? 1 : 2), 20);
    const p20 = strip(k => (k < 3 ? 2 : k < 16 ? 1 : 0), 20);
    expect(
      matching(t20, p20, { thresholds: [0.25, 0.4, 0.5] }).map(s => s.tp)
    ).toEqual([2, 1, 0]);
  });
  it('S4: non-sequential ids are reported as original ids', () => {
    const row = (a: number, b: number, startB: number): number[] =>
      Array.from({ length: 8 }, (_, c) => (c <= 2 ? a : c >= startB ? b : 0));
    const t = lab([0, 1, 2, 3].map(() => row(5, 9, 5)));
    const p = lab([0, 1, 2, 3].map(() => row(7, 2, 4)));
    const s = one(t, p, 0.5);
    expectStats(s, {
      tp: 2,
      accuracy: 1,
      meanMatchedScore: 0.875,
      panopticQuality: 0.875
    });
    expect(s.matchedPairs).toEqual([
      [5, 7],
      [9, 2]
    ]);
  });
  it('S5: empty images give all ratios 0', () => {
    const z = lab([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0]
    ]);
    const o = lab([
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0]
    ]);
    expectStats(one(z, z, 0.5), {
      tp: 0,
      fp: 0,
      fn: 0,
      precision: 0,
      recall: 0,
      accuracy: 0,
      f1: 0,
      matchedPairs: []
    });
    expectStats(one(z, o, 0.5), { fp: 1, accuracy: 0 });
    expectStats(one(o, z, 0.5), { fn: 1, accuracy: 0 });
  });
  it('S6: matching_dataset micro and macro averages', () => {
    const micro = matchingDataset([S2T, S1T], [S2P, S1P], {
      thresholds: [0.5]
    })[0];
    expectStats(micro, {
      tp: 1,
      fp: 3,
      fn: 3,
      nTrue: 4,
      nPred: 4,
      precision: 0.25,
      recall: 0.25,
      f1: 0.25,
      accuracy: 1 / 7,
      meanMatchedScore: 1,
      meanTrueScore: 0.25,
      panopticQuality: 0.25
    });
    expect(micro.byImage).toBe(false);
    const macro = matchingDataset([S2T, S1T], [S2P, S1P], {
      thresholds: [0.5],
      byImage: true
    })[0];
    expectStats(macro, {
      tp: 1,
      fp: 3,
      fn: 3,
      precision: 1 / 6,
      recall: 1 / 6,
      f1: 1 / 6,
      accuracy: 0.1,
      meanMatchedScore: 0.5,
      meanTrueScore: 1 / 6,
      panopticQuality: 1 / 6
    });
  });
  it('S7: no background', () => {
    const t = lab([[1, 1, 2, 2]]);
    expectStats(one(t, t, 0.5), { tp: 2, accuracy: 1 });
  });
  it('works in 3D and rejects float or negative labels', () => {
    const t: INDArray = {
      dtype: 'uint8',
      shape: [2, 2, 2],
      data: Uint8Array.from([1, 1, 0, 0, 2, 2, 2, 0])
    };
    const p: INDArray = {
      dtype: 'uint8',
      shape: [2, 2, 2],
      data: Uint8Array.from([4, 4, 0, 0, 3, 3, 3, 3])
    };
    expectStats(one(t, p, 0.5), {
      tp: 2,
      fp: 0,
      fn: 0,
      meanMatchedScore: (1 + 0.75) / 2
    });
    expect(() =>
      matching({ ...t, dtype: 'float32', data: new Float32Array(8) }, p)
    ).toThrow('non-negative integers');
    expect(() =>
      matching(
        { dtype: 'int8', shape: [1], data: Int8Array.from([-1]) },
        { dtype: 'int8', shape: [1], data: Int8Array.from([0]) }
      )
    ).toThrow('non-negative integers');
    expect(() => matching(t, lab([[1]]))).toThrow('shapes differ');
  });
  it('defaults to thresholds 0.5 … 0.9', () => {
    expect(matching(S2T, S2P).map(s => s.thresh)).toEqual([
      0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9
    ]);
  });
});
