/**
 * The model test's comparison rule (digest section 8): an element is
 * mismatched when |actual − expected| > atol + rtol·|expected| (values
 * compared as float32); the test passes when the mismatched elements per
 * million stay within the allowed count.
 */
import type { IToleranceValues } from '../spec/tolerance';
import type { INDArray } from '../tensor/tensor';
import { asNumeric } from '../tensor/ndarray';

// Which tolerance applies (declared, legacy test_kwargs, defaults) is read
// by the description parser; re-exported so runtime users need one import.
export { toleranceFor } from '../spec/tolerance';
export type { IToleranceValues } from '../spec/tolerance';

/** One of the worst elements of a comparison. */
export interface IWorstElement {
  /** Multi-index into the compared arrays. */
  position: number[];
  actual: number;
  expected: number;
  absDiff: number;
  /** |Δ| / |expected| (Infinity when expected is 0 and Δ ≠ 0). */
  relDiff: number;
}

/** Result of comparing one output with its expected test tensor. */
export interface IComparison {
  passed: boolean;
  /** Shapes differ: nothing else is meaningful. */
  shapeMismatch: boolean;
  maxAbsDiff: number;
  maxRelDiff: number;
  mismatched: number;
  total: number;
  ppm: number;
  allowedPpm: number;
  tolerance: IToleranceValues;
  /** Up to `worstCount` elements with the largest |Δ|, largest first. */
  worst: IWorstElement[];
  /** A one-line verdict for people. */
  message: string;
}

/** Multi-index of flat offset `i` in a C-ordered `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const pos = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    pos[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return pos;
}

/**
 * Compare `actual` with `expected` element-wise as float32. Shapes must be
 * equal (leading/trailing length-1 axes are not squeezed: core requires the
 * same shape too).
 */
export function compareArrays(
  actual: INDArray,
  expected: INDArray,
  tolerance: IToleranceValues,
  worstCount = 5
): IComparison {
  const total = expected.data.length;
  const allowedPpm = tolerance.mismatchedPerMillion;
  const sameShape =
    actual.shape.length === expected.shape.length &&
    actual.shape.every((s, i) => s === expected.shape[i]);
  if (!sameShape) {
    return {
      passed: false,
      shapeMismatch: true,
      maxAbsDiff: NaN,
      maxRelDiff: NaN,
      mismatched: total,
      total,
      ppm: 1e6,
      allowedPpm,
      tolerance,
      worst: [],
      message:
        `shape [${actual.shape.join(', ')}] differs from expected ` +
        `[${expected.shape.join(', ')}]`
    };
  }
  const a = asNumeric(actual.data);
  const e = asNumeric(expected.data);
  const { atol, rtol } = tolerance;
  let mismatched = 0;
  let maxAbs = 0;
  let maxRel = 0;
  // Worst offsets, kept sorted by |Δ| descending (tiny k: insertion).
  const worstIdx: number[] = [];
  const worstDiff: number[] = [];
  for (let i = 0; i < total; i++) {
    const ai = Math.fround(a[i]);
    const ei = Math.fround(e[i]);
    let d = Math.abs(ai - ei);
    if (Number.isNaN(d)) {
      // NaN equals NaN in neither core nor here, except both NaN.
      d = Number.isNaN(ai) && Number.isNaN(ei) ? 0 : Infinity;
    }
    const absE = Math.abs(ei);
    if (d > atol + rtol * absE) {
      mismatched++;
    }
    if (d > maxAbs) {
      maxAbs = d;
    }
    const rel = d === 0 ? 0 : absE === 0 ? Infinity : d / absE;
    if (rel > maxRel) {
      maxRel = rel;
    }
    if (
      d > 0 &&
      (worstDiff.length < worstCount || d > worstDiff[worstDiff.length - 1])
    ) {
      let k = worstDiff.length;
      while (k > 0 && worstDiff[k - 1] < d) {
        k--;
      }
      worstDiff.splice(k, 0, d);
      worstIdx.splice(k, 0, i);
      if (worstDiff.length > worstCount) {
        worstDiff.pop();
        worstIdx.pop();
      }
    }
  }
  const ppm = total === 0 ? 0 : (mismatched / total) * 1e6;
  const passed = ppm <= allowedPpm;
  const worst = worstIdx.map(i => {
    const ai = Math.fround(a[i]);
    const ei = Math.fround(e[i]);
    const absDiff = Math.abs(ai - ei);
    return {
      position: unravel(i, expected.shape),
      actual: ai,
      expected: ei,
      absDiff: Number.isNaN(absDiff) ? Infinity : absDiff,
      relDiff:
        ei === 0 ? (absDiff === 0 ? 0 : Infinity) : absDiff / Math.abs(ei)
    };
  });
  const fmt = (v: number): string => v.toExponential(2);
  let message: string;
  if (mismatched === 0) {
    message = `all ${total} elements within tolerance (max |Δ| ${fmt(maxAbs)})`;
  } else {
    const where = worst.length
      ? `; worst |Δ| ${fmt(worst[0].absDiff)} at [${worst[0].position.join(', ')}]`
      : '';
    message =
      `${mismatched} of ${total} elements mismatched (${ppm.toFixed(1)} ppm, ` +
      `${allowedPpm} allowed; atol ${atol}, rtol ${rtol})` +
      `; max |Δ| ${fmt(maxAbs)}, max rel ${fmt(maxRel)}${where}` +
      (passed ? ' — passed with warning' : '');
  }
  return {
    passed,
    shapeMismatch: false,
    maxAbsDiff: maxAbs,
    maxRelDiff: maxRel,
    mismatched,
    total,
    ppm,
    allowedPpm,
    tolerance,
    worst,
    message
  };
}
