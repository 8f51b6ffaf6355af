/**
 * The rectangular assignment solver against brute force, and the sparse
 * per-component matching against a dense assignment on the full StarDist cost.
 */
import { INDArray } from '../../tensor/tensor';
import {
  labelOverlap,
  linearSumAssignment,
  matching,
  matchingScores
} from '..';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Minimum assignment cost by enumerating all injections rows → cols. */
function bruteForce(cost: Float64Array, r: number, c: number): number {
  let best = Infinity;
  const used = new Array<boolean>(Math.max(r, c)).fill(false);
  const n = Math.min(r, c);
  const rec = (i: number, acc: number, assigned: number): void => {
    if (assigned === n) {
      best = Math.min(best, acc);
      return;
    }
    if (i === r) {
      return;
    }
    if (r - i > n - assigned) {
      rec(i + 1, acc, assigned); // this row stays unassigned
    }
    for (let j = 0; j < c; j++) {
      if (!used[j]) {
        used[j] = true;
        rec(i + 1, acc + cost[i * c + j], assigned + 1);
        used[j] = false;
      }
    }
  };
  rec(0, 0, 0);
  return best;
}

describe('linearSumAssignment', () => {
  it('matches brute force on random rectangular matrices', () => {
    const rand = rng(42);
    for (let trial = 0; trial < 200; trial++) {
      const r = 1 + Math.floor(rand() * 5);
      const c = 1 + Math.floor(rand() * 5);
      // Integer costs make ties frequent, which exercises degenerate pivots.
      const cost = Float64Array.from(
        { length: r * c },
        () => Math.floor(rand() * 5) - 2
      );
      const sol = linearSumAssignment(cost, r, c);
      expect(sol.rows.length).toBe(Math.min(r, c));
      expect(new Set(sol.cols).size).toBe(sol.cols.length);
      const total = sol.rows.reduce(
        (acc, i, k) => acc + cost[i * c + sol.cols[k]],
        0
      );
      expect(total).toBeCloseTo(bruteForce(cost, r, c), 9);
    }
  });
  it('handles empty input', () => {
    expect(linearSumAssignment(new Float64Array(0), 0, 3).rows.length).toBe(0);
  });
});

/** A random label image of overlapping rectangles (later ones paint over earlier ones). */
function randomLabels(
  rand: () => number,
  h: number,
  w: number,
  n: number
): INDArray {
  const data = new Int32Array(h * w);
  for (let k = 0; k < n; k++) {
    const y = Math.floor(rand() * h);
    const x = Math.floor(rand() * w);
    const dy = 1 + Math.floor(rand() * 6);
    const dx = 1 + Math.floor(rand() * 6);
    const id = 1 + Math.floor(rand() * 40);
    for (let i = y; i < Math.min(h, y + dy); i++) {
      for (let j = x; j < Math.min(w, x + dx); j++) {
        data[i * w + j] = id;
      }
    }
  }
  return { dtype: 'int32', shape: [h, w], data };
}

describe('sparse component matching', () => {
  it('equals a dense linear_sum_assignment on the full cost matrix', () => {
    const rand = rng(7);
    const thresholds = [0, 0.05, 0.2, 0.3, 0.5, 0.7, 1.1];
    for (let trial = 0; trial < 60; trial++) {
      const yt = randomLabels(rand, 16, 16, 1 + Math.floor(rand() * 12));
      const yp = randomLabels(rand, 16, 16, Math.floor(rand() * 12));
      const sc = matchingScores(
        labelOverlap(yt.data as Int32Array, yp.data as Int32Array),
        'iou'
      );
      const { nTrue, nPred } = sc;
      const dense = new Float64Array(nTrue * nPred);
      sc.score.forEach(
        (s, e) => (dense[(sc.pairTrue[e] - 1) * nPred + sc.pairPred[e] - 1] = s)
      );
      const nMatched = Math.min(nTrue, nPred);
      const got = matching(yt, yp, { thresholds });
      thresholds.forEach((t, k) => {
        const thr = Math.fround(t);
        let tp = 0;
        let sum = 0;
        if (nMatched > 0) {
          const cost = dense.map(s => -(s >= thr ? 1 : 0) - s / (2 * nMatched));
          const sol = linearSumAssignment(cost, nTrue, nPred);
          sol.rows.forEach((i, q) => {
            const s = dense[i * nPred + sol.cols[q]];
            if (s >= thr) {
              tp++;
              sum += s;
            }
          });
        }
        expect([trial, t, got[k].tp]).toEqual([trial, t, tp]);
        expect(got[k].meanTrueScore).toBeCloseTo(
          nTrue > 0 ? sum / nTrue : 0,
          9
        );
      });
    }
  });
});
