/**
 * Fake networks with known maths for tiling and pipeline tests: separable
 * box filters (symmetric or "valid" borders), up-sampling, and a session that
 * counts its calls.
 */
import type { IInferenceSession } from '../pipeline';
import { symmetricIndex } from '../../tensor/ndarray';
import type { ITensor } from '../../tensor/tensor';

/** A float64 copy of `t`'s data. */
function f64(t: ITensor): Float64Array {
  return Float64Array.from(t.data as ArrayLike<number>);
}

/**
 * Mean over a window of 2r+1 along axis `k`; `valid` drops the border
 * (output length n − 2r), otherwise the border is mirrored symmetrically (edge repeated), like the bundled models and bioimageio.core.
 */
export function boxAlong(
  t: ITensor,
  k: number,
  r: number,
  valid = false
): ITensor {
  const src = f64(t);
  const n = t.shape[k];
  const m = valid ? n - 2 * r : n;
  let outer = 1;
  for (let d = 0; d < k; d++) {
    outer *= t.shape[d];
  }
  let inner = 1;
  for (let d = k + 1; d < t.shape.length; d++) {
    inner *= t.shape[d];
  }
  const out = new Float64Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < m; i++) {
      const c = valid ? i + r : i;
      for (let j = 0; j < inner; j++) {
        let s = 0;
        for (let w = -r; w <= r; w++) {
          s += src[(o * n + symmetricIndex(c + w, n)) * inner + j];
        }
        out[(o * m + i) * inner + j] = s / (2 * r + 1);
      }
    }
  }
  const shape = t.shape.slice();
  shape[k] = m;
  return { dtype: 'float64', shape, axes: t.axes.slice(), data: out };
}

/** Box filter of radius r over the given axis positions. */
export function boxFilter(
  t: ITensor,
  axes: number[],
  r = 1,
  valid = false
): ITensor {
  let x = t;
  for (const k of axes) {
    x = boxAlong(x, k, r, valid);
  }
  return {
    ...x,
    data: Float32Array.from(x.data as Float64Array),
    dtype: 'float32'
  };
}

/** Nearest-neighbour up-sampling by `f` along axis `k`. */
export function upsampleAlong(t: ITensor, k: number, f: number): ITensor {
  const n = t.shape[k];
  let outer = 1;
  for (let d = 0; d < k; d++) {
    outer *= t.shape[d];
  }
  let inner = 1;
  for (let d = k + 1; d < t.shape.length; d++) {
    inner *= t.shape[d];
  }
  const src = t.data as Float32Array;
  const out = new Float32Array(outer * n * f * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n * f; i++) {
      const si = Math.floor(i / f);
      for (let j = 0; j < inner; j++) {
        out[(o * n * f + i) * inner + j] = src[(o * n + si) * inner + j];
      }
    }
  }
  const shape = t.shape.slice();
  shape[k] = n * f;
  return { dtype: 'float32', shape, axes: t.axes.slice(), data: out };
}

/** A session computing `fn` on the feeds, recording every call's shapes. */
export class FakeSession implements IInferenceSession {
  calls: number[][][] = [];

  constructor(
    readonly inputNames: string[],
    readonly outputNames: string[],
    private readonly _fn: (feeds: ITensor[]) => ITensor[],
    readonly inputShapes?: (number | null)[][]
  ) {}

  async run(feeds: ITensor[]): Promise<ITensor[]> {
    this.calls.push(feeds.map(f => f.shape.slice()));
    return this._fn(feeds);
  }
}

/** A deterministic pseudo-random float32 tensor. */
export function randomTensor(
  axes: string[],
  shape: number[],
  seed = 1
): ITensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32;
  }
  return { dtype: 'float32', shape, axes, data };
}
