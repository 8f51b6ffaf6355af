/**
 * Structural similarity as scikit-image 0.26 `structural_similarity` computes
 * it (digest §3.2): separable moving-window statistics with scipy's 'reflect'
 * (half-sample symmetric) border, sample covariance by default, and the mean
 * taken after cropping (win_size − 1)/2 pixels from every side.
 */
import { INDArray, sizeOf, stridesOf } from '../tensor/tensor';
import { asNumbers, assertSameShape } from './common';

/** Options of {@link ssim}; defaults are skimage's. */
export interface ISSIMOptions {
  /** Required (skimage requires it for float input; we always do). */
  dataRange: number;
  /** Odd window side; default 7, or 2·int(3.5σ + 0.5) + 1 with Gaussian weights. */
  winSize?: number;
  /** Gaussian window (σ = `sigma`, truncated at 3.5σ) instead of a uniform one. Default false. */
  gaussianWeights?: boolean;
  /** Default 1.5; only used with `gaussianWeights`. */
  sigma?: number;
  /** NP/(NP−1) covariance correction. Default true. */
  useSampleCovariance?: boolean;
  /** Default 0.01. */
  k1?: number;
  /** Default 0.03. */
  k2?: number;
}

/** Mean SSIM and the full, uncropped SSIM map (skimage's `full=True`). */
export interface ISSIMResult {
  mssim: number;
  map: INDArray;
}

/** Truncation of skimage's Gaussian window, in standard deviations. */
const TRUNCATE = 3.5;

/** scipy.ndimage 'reflect' boundary: d c b a | a b c d | d c b a. */
function reflectIndex(t: number, n: number): number {
  const period = 2 * n;
  let m = t % period;
  if (m < 0) {
    m += period;
  }
  return m < n ? m : period - 1 - m;
}

/** Correlates `src` with a symmetric 1D `kernel` along `axis` (scipy `correlate1d`). */
function filterAxis(
  src: Float64Array,
  shape: readonly number[],
  axis: number,
  kernel: Float64Array
): Float64Array {
  const out = new Float64Array(src.length);
  const n = shape[axis];
  const stride = stridesOf(shape)[axis];
  const outer = src.length / (n * stride);
  const r = (kernel.length - 1) / 2;
  const buf = new Float64Array(n + 2 * r);
  for (let o = 0; o < outer; o++) {
    for (let inner = 0; inner < stride; inner++) {
      const base = o * n * stride + inner;
      for (let t = -r; t < n + r; t++) {
        buf[t + r] = src[base + reflectIndex(t, n) * stride];
      }
      for (let t = 0; t < n; t++) {
        let acc = 0;
        for (let q = 0; q < kernel.length; q++) {
          acc += kernel[q] * buf[t + q];
        }
        out[base + t * stride] = acc;
      }
    }
  }
  return out;
}

/** Separable filter over every axis. */
function filterAll(
  src: Float64Array,
  shape: readonly number[],
  kernel: Float64Array
): Float64Array {
  let cur = src;
  for (let axis = 0; axis < shape.length; axis++) {
    cur = filterAxis(cur, shape, axis, kernel);
  }
  return cur;
}

/** scipy's normalised Gaussian kernel on [−r, r]. */
function gaussianKernel(sigma: number, radius: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let x = -radius; x <= radius; x++) {
    const w = Math.exp((-0.5 * x * x) / (sigma * sigma));
    k[x + radius] = w;
    sum += w;
  }
  return k.map(w => w / sum);
}

/** SSIM map and mean SSIM of two equally shaped n-d images (no channel axis). */
export function ssimMap(
  im1: INDArray,
  im2: INDArray,
  options: ISSIMOptions
): ISSIMResult {
  assertSameShape(im1, im2, 'ssim');
  const { dataRange } = options;
  if (!(dataRange > 0)) {
    throw new Error('ssim: dataRange must be a positive number');
  }
  const k1 = options.k1 ?? 0.01;
  const k2 = options.k2 ?? 0.03;
  const sigma = options.sigma ?? 1.5;
  if (k1 < 0 || k2 < 0 || sigma < 0) {
    throw new Error('ssim: k1, k2 and sigma must be non-negative');
  }
  const gaussian = options.gaussianWeights ?? false;
  const radius = Math.trunc(TRUNCATE * sigma + 0.5);
  const winSize = options.winSize ?? (gaussian ? 2 * radius + 1 : 7);
  if (winSize % 2 !== 1 || winSize < 1) {
    throw new Error('Window size must be odd.');
  }
  const shape = im1.shape;
  if (shape.some(s => s < winSize)) {
    throw new Error(
      'win_size exceeds image extent. Either ensure that your images are at least 7x7; or pass win_size explicitly in the function call, with an odd value less than or equal to the smaller side of your images.'
    );
  }
  // As in skimage, win_size sets NP and the crop even when the Gaussian's radius comes from sigma.
  const kernel = gaussian
    ? gaussianKernel(sigma, radius)
    : new Float64Array(winSize).fill(1 / winSize);
  const np = winSize ** shape.length;
  const covNorm = (options.useSampleCovariance ?? true) ? np / (np - 1) : 1;

  const x = Float64Array.from(asNumbers(im1.data));
  const y = Float64Array.from(asNumbers(im2.data));
  const ux = filterAll(x, shape, kernel);
  const uy = filterAll(y, shape, kernel);
  const uxx = filterAll(
    x.map((v, i) => v * x[i]),
    shape,
    kernel
  );
  const uyy = filterAll(
    y.map((v, i) => v * y[i]),
    shape,
    kernel
  );
  const uxy = filterAll(
    x.map((v, i) => v * y[i]),
    shape,
    kernel
  );

  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const s = new Float64Array(x.length);
  for (let i = 0; i < s.length; i++) {
    const mx = ux[i];
    const my = uy[i];
    const vx = covNorm * (uxx[i] - mx * mx);
    const vy = covNorm * (uyy[i] - my * my);
    const vxy = covNorm * (uxy[i] - mx * my);
    const a1 = 2 * mx * my + c1;
    const a2 = 2 * vxy + c2;
    const b1 = mx * mx + my * my + c1;
    const b2 = vx + vy + c2;
    s[i] = (a1 * a2) / (b1 * b2);
  }
  return {
    mssim: croppedMean(s, shape, (winSize - 1) / 2),
    map: { dtype: 'float64', shape: [...shape], data: s }
  };
}

/** Mean over the elements at least `pad` away from every border. */
function croppedMean(
  s: Float64Array,
  shape: readonly number[],
  pad: number
): number {
  const inner = shape.map(n => n - 2 * pad);
  const count = sizeOf(inner);
  const strides = stridesOf(shape);
  const coords = new Array<number>(shape.length).fill(0);
  let sum = 0;
  for (let k = 0; k < count; k++) {
    let idx = 0;
    for (let d = 0; d < shape.length; d++) {
      idx += (coords[d] + pad) * strides[d];
    }
    sum += s[idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coords[d] < inner[d]) {
        break;
      }
      coords[d] = 0;
    }
  }
  return sum / count;
}

/** Mean SSIM (skimage `structural_similarity(..., data_range=R)`). */
export function ssim(
  im1: INDArray,
  im2: INDArray,
  options: ISSIMOptions
): number {
  return ssimMap(im1, im2, options).mssim;
}
