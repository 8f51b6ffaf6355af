/**
 * Restoration metrics matching scikit-image 0.26: PSNR, SSIM and NRMSE
 * (`skimage.metrics`). See ../shared/docs/metrics-digest.md §3.
 *
 * Unlike skimage, `dataRange` is a required argument of PSNR and SSIM: its
 * dtype-based default is a frequent source of wrong numbers, so the caller
 * must choose (and report) it. {@link skimageDefaultDataRange} reproduces the
 * default for parity checks.
 *
 * All arithmetic is float64. skimage keeps float32 inputs in float32, so
 * results for float32 data can differ from it in the 7th significant digit.
 */
import { INDArray } from '../tensor/tensor';
import { asNumbers, assertSameShape, isIntegerDType } from './common';

/** Mean of squared differences (skimage `mean_squared_error`). */
export function meanSquaredError(
  imageTrue: INDArray,
  imageTest: INDArray
): number {
  assertSameShape(imageTrue, imageTest, 'meanSquaredError');
  const a = asNumbers(imageTrue.data);
  const b = asNumbers(imageTest.data);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / a.length;
}

/**
 * Peak signal-to-noise ratio 10·log10(R²/MSE) in dB, with R = `dataRange`.
 * +Infinity for identical images.
 */
export function psnr(
  imageTrue: INDArray,
  imageTest: INDArray,
  dataRange: number
): number {
  if (!(dataRange > 0)) {
    throw new Error('psnr: dataRange must be a positive number');
  }
  const mse = meanSquaredError(imageTrue, imageTest);
  return 10 * Math.log10((dataRange * dataRange) / mse);
}

/** Denominator choices of skimage's `normalized_root_mse`. */
export type NRMSENormalization = 'euclidean' | 'min-max' | 'mean';

/**
 * sqrt(MSE) / denom, with denom sqrt(mean(true²)) for 'euclidean' (skimage's
 * default; then NRMSE = ‖true − test‖/‖true‖), max − min of the true image
 * for 'min-max', or its mean for 'mean'.
 */
export function nrmse(
  imageTrue: INDArray,
  imageTest: INDArray,
  normalization: NRMSENormalization = 'euclidean'
): number {
  const a = asNumbers(imageTrue.data);
  let denom: number;
  if (normalization === 'euclidean') {
    let s = 0;
    for (let i = 0; i < a.length; i++) {
      s += a[i] * a[i];
    }
    denom = Math.sqrt(s / a.length);
  } else if (normalization === 'min-max') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < a.length; i++) {
      lo = Math.min(lo, a[i]);
      hi = Math.max(hi, a[i]);
    }
    denom = hi - lo;
  } else if (normalization === 'mean') {
    let s = 0;
    for (let i = 0; i < a.length; i++) {
      s += a[i];
    }
    denom = s / a.length;
  } else {
    throw new Error('Unsupported norm_type');
  }
  return Math.sqrt(meanSquaredError(imageTrue, imageTest)) / denom;
}

/** Integer dtype limits, for skimage's dtype-based defaults. */
const DTYPE_LIMITS: Partial<Record<INDArray['dtype'], [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
  uint64: [0, 2 ** 64 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1]
};

/**
 * The `data_range` skimage would use when none is given (for display and
 * parity tests only). PSNR: dtype max for unsigned/non-negative integer
 * images, dtype max − min otherwise; floats 1 (values in [0, 1]) or 2 (in
 * [−1, 1]), else an error. SSIM: dtype max − min for integers; floats are an
 * error.
 */
export function skimageDefaultDataRange(
  imageTrue: INDArray,
  metric: 'psnr' | 'ssim'
): number {
  const limits = DTYPE_LIMITS[imageTrue.dtype];
  if (limits && isIntegerDType(imageTrue.dtype)) {
    const [lo, hi] = limits;
    if (metric === 'ssim') {
      return hi - lo;
    }
    const v = asNumbers(imageTrue.data);
    let min = Infinity;
    for (let i = 0; i < v.length; i++) {
      min = Math.min(min, v[i]);
    }
    return min >= 0 ? hi : hi - lo;
  }
  if (metric === 'ssim') {
    throw new Error(
      'Since image dtype is floating point, you must specify the data_range parameter.'
    );
  }
  const v = asNumbers(imageTrue.data);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
  }
  if (min < -1 || max > 1) {
    throw new Error(
      'image_true has intensity values outside the range expected for its data type. Please manually specify the data_range.'
    );
  }
  return min >= 0 ? 1 : 2;
}

export { ssim, ssimMap } from './ssim';
export type { ISSIMOptions, ISSIMResult } from './ssim';
