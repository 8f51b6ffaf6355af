/**
 * Rescaling an image along y and x to the model's pixel size, and the
 * output back to the image's: bilinear interpolation with pixel centres at
 * half-integers (the convention of scikit-image and OpenCV's INTER_LINEAR),
 * edges clamped, no anti-aliasing. The generated kernel code uses the same
 * formula (`analysis.rescale_yx`), so browser and kernel agree.
 */
import { allocate, sizeOf, stridesOf, type INDArray } from '../tensor/tensor';

/** New (y, x) size for a scale factor: round(n · factor), at least 1. */
export function rescaledSize(n: number, factor: number): number {
  return Math.max(1, Math.round(n * factor));
}

/** Source coordinate, lower index and weight of each output index. */
function taps(
  nIn: number,
  nOut: number
): { i0: Int32Array; i1: Int32Array; w: Float64Array } {
  const i0 = new Int32Array(nOut);
  const i1 = new Int32Array(nOut);
  const w = new Float64Array(nOut);
  const scale = nIn / nOut;
  for (let o = 0; o < nOut; o++) {
    const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), nIn - 1);
    const lo = Math.floor(src);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, nIn - 1);
    w[o] = src - lo;
  }
  return { i0, i1, w };
}

/**
 * `array` (axes named by `axes`, with 'y' and 'x') resized to `height` ×
 * `width` along y and x; other axes untouched. float32 result.
 */
export function resizeYX(
  array: INDArray,
  axes: readonly string[],
  height: number,
  width: number
): INDArray {
  const yi = axes.indexOf('y');
  const xi = axes.indexOf('x');
  if (yi < 0 || xi < 0) {
    throw new Error('rescaling needs y and x axes');
  }
  const inShape = array.shape;
  const outShape = inShape.map((n, k) =>
    k === yi ? height : k === xi ? width : n
  );
  const ty = taps(inShape[yi], height);
  const tx = taps(inShape[xi], width);
  const sIn = stridesOf(inShape);
  const n = sizeOf(outShape);
  const out = allocate('float32', n) as Float32Array;
  const src = array.data as unknown as ArrayLike<number>;
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let base = 0;
    for (let d = 0; d < outShape.length; d++) {
      if (d !== yi && d !== xi) {
        base += idx[d] * sIn[d];
      }
    }
    const y = idx[yi];
    const x = idx[xi];
    const r0 = base + ty.i0[y] * sIn[yi];
    const r1 = base + ty.i1[y] * sIn[yi];
    const c0 = tx.i0[x] * sIn[xi];
    const c1 = tx.i1[x] * sIn[xi];
    const wy = ty.w[y];
    const wx = tx.w[x];
    const top = Number(src[r0 + c0]) * (1 - wx) + Number(src[r0 + c1]) * wx;
    const bottom = Number(src[r1 + c0]) * (1 - wx) + Number(src[r1 + c1]) * wx;
    out[o] = top * (1 - wy) + bottom * wy;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) {
        break;
      }
      idx[d] = 0;
    }
  }
  return { dtype: 'float32', shape: outShape, data: out };
}
