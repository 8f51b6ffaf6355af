/**
 * "Do my data look like its data?": compares the user's image with the
 * model's own test input, both after the model's preprocessing, on
 * intensity distribution, pixel size, dimensionality and noise. A model
 * applied to data unlike its training data fails silently, so the wizard
 * says so before the user trusts the output.
 */
import type { FitLevel } from './fit';
import { describePixelSizes, pixelSizeBand } from './pixel-size';
import {
  DEFAULT_MAX_SAMPLES,
  meanAndStd,
  percentileOfSorted,
  stridedSample,
  stridedValues
} from './sampling';

/** One comparison with the model's test input. */
export interface IShiftCheck {
  id: 'intensity' | 'pixel-size' | 'dims' | 'snr';
  level: FitLevel;
  /**
   * intensity: Wasserstein-1 distance; pixel-size: ratio image ÷ model;
   * dims: the user's spatial dimensions; snr: user SNR − reference SNR in
   * dB (negative: the user's image is noisier; Infinity when the user's
   * image has no measurable noise). Null when it cannot be measured.
   */
  value: number | null;
  message: string;
}

/** The outcome of {@link compareWithReference}. */
export interface IShiftReport {
  /** In the order intensity, pixel-size, dims, snr. */
  checks: IShiftCheck[];
  /** Any check at 'fail' or two or more at 'warn'. */
  doubtful: boolean;
}

/**
 * Thresholds of the checks.
 *
 * - Intensity: both images are normalised by the model's preprocessing
 *   (typically to zero mean, unit variance), so a Wasserstein distance is in
 *   units of standard deviations: up to 0.25 is a small shift of the
 *   histogram, beyond 0.6 the histograms differ in kind.
 * - SNR: 6 dB is half the signal-to-noise amplitude ratio, 12 dB a quarter.
 * - Pixel size: the bands of pixel-size.ts; beyond [0.5, 2] is 'fail' here,
 *   where fit.ts keeps it a costly 'warn' so that ranking still lists it.
 */
export const SHIFT_THRESHOLDS = {
  intensityOk: 0.25,
  intensityWarn: 0.6,
  snrWarnDb: 6,
  snrFailDb: 12
} as const;

/** Finite values of a (possibly strided) sample, ascending. */
function sortedSample(a: ArrayLike<number>): Float64Array {
  const s = stridedSample(a, DEFAULT_MAX_SAMPLES);
  s.sort();
  return s;
}

/**
 * 1-D Wasserstein-1 distance between the empirical distributions of two
 * samples: ∫₀¹ |F⁻¹ₐ(t) − F⁻¹ᵦ(t)| dt over their quantile functions, exact
 * for samples of any lengths. NaN when either has no finite value.
 *
 * #### Notes
 * Non-finite values are ignored. Samples longer than 1 000 000 values are
 * strided down to at most that many first, so the distance is then exact
 * for the strided samples.
 */
export function wassersteinDistance(
  a: ArrayLike<number>,
  b: ArrayLike<number>
): number {
  const x = sortedSample(a);
  const y = sortedSample(b);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) {
    return NaN;
  }
  // Walk the merged breakpoints of both quantile functions (steps at i/n
  // and j/m); compare them as i·m vs j·n so equal breakpoints coincide
  // exactly instead of leaving float slivers.
  let i = 0;
  let j = 0;
  let t = 0;
  let sum = 0;
  while (i < n && j < m) {
    const ai = (i + 1) * m;
    const bj = (j + 1) * n;
    const next = Math.min(ai, bj) / (n * m);
    sum += (next - t) * Math.abs(x[i] - y[j]);
    t = next;
    if (ai <= bj) {
      i++;
    }
    if (bj <= ai) {
      j++;
    }
  }
  return sum;
}

/** 0.6745 is the median of |N(0, 1)|; √2 since a difference of two pixels has twice the variance. */
const MAD_TO_SIGMA = 0.6745 * Math.SQRT2;

/**
 * Robust noise σ of a 2D plane (row-major, `height` × `width`): the median
 * absolute deviation of horizontal first differences ÷ (0.6745·√2).
 *
 * #### Notes
 * Neighbouring pixels share almost all of the signal, so their differences
 * are mostly noise; the median ignores the few large differences at edges.
 * At most 1 000 000 differences are used, strided evenly over the plane.
 * NaN when the plane is less than 2 pixels wide, `data` is shorter than
 * `height × width`, or no difference is finite.
 */
export function estimateNoiseSigma(
  data: ArrayLike<number>,
  height: number,
  width: number
): number {
  const perRow = width - 1;
  const total = height * perRow;
  if (perRow < 1 || height < 1 || data.length < height * width) {
    return NaN;
  }
  // Difference k is pixel (r, c + 1) − (r, c) with r = ⌊k / perRow⌋; a
  // step coprime with perRow visits every column.
  const diffs = stridedValues(
    total,
    k => {
      const i = Math.floor(k / perRow) * width + (k % perRow);
      return Number(data[i + 1]) - Number(data[i]);
    },
    DEFAULT_MAX_SAMPLES,
    perRow
  );
  if (diffs.length === 0) {
    return NaN;
  }
  diffs.sort();
  const median = percentileOfSorted(diffs, 50);
  for (let k = 0; k < diffs.length; k++) {
    diffs[k] = Math.abs(diffs[k] - median);
  }
  diffs.sort();
  return percentileOfSorted(diffs, 50) / MAD_TO_SIGMA;
}

/**
 * Signal-to-noise ratio of a 2D plane in dB: 20·log10(std of the plane ÷
 * noise σ from {@link estimateNoiseSigma}); Infinity when the noise is 0,
 * NaN when it cannot be estimated.
 *
 * #### Notes
 * The std is that of the same kind of strided sample (at most 1 000 000
 * values), population form. Scaling the plane does not change the ratio,
 * so it can be measured before or after normalisation.
 */
export function estimateSnrDb(
  data: ArrayLike<number>,
  height: number,
  width: number
): number {
  const sigma = estimateNoiseSigma(data, height, width);
  if (Number.isNaN(sigma)) {
    return NaN;
  }
  if (sigma === 0) {
    return Infinity;
  }
  const { std } = meanAndStd(
    stridedValues(
      height * width,
      i => Number(data[i]),
      DEFAULT_MAX_SAMPLES,
      width
    )
  );
  return 20 * Math.log10(std / sigma);
}

/** A 2D plane, row-major. */
export interface IPlane {
  data: ArrayLike<number>;
  height: number;
  width: number;
}

/** What {@link compareWithReference} compares. */
export interface IShiftInputs {
  /** User image after the model's preprocessing (e.g. zero-mean/unit-variance), one 2D plane (y, x). */
  user: IPlane;
  /** The model's own test input after the same preprocessing, one 2D plane. */
  reference: IPlane;
  userPixelSizeUm?: number;
  modelPixelSizeUm?: number;
  userDims: 2 | 3;
  modelDims: 2 | 3;
}

function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

function checkIntensity(user: IPlane, reference: IPlane): IShiftCheck {
  // Sampled with the row length as period so every column is represented.
  const d = wassersteinDistance(
    stridedSample(user.data, DEFAULT_MAX_SAMPLES, user.width),
    stridedSample(reference.data, DEFAULT_MAX_SAMPLES, reference.width)
  );
  if (Number.isNaN(d)) {
    return {
      id: 'intensity',
      level: 'warn',
      value: null,
      message:
        'The intensities cannot be compared: one of the images has no finite values.'
    };
  }
  const scale = `distance ${d.toFixed(2)} on a scale where 0 is identical`;
  if (d <= SHIFT_THRESHOLDS.intensityOk) {
    return {
      id: 'intensity',
      level: 'ok',
      value: d,
      message: `After normalisation your intensities look like the model's test image (${scale}).`
    };
  }
  return d <= SHIFT_THRESHOLDS.intensityWarn
    ? {
        id: 'intensity',
        level: 'warn',
        value: d,
        message: `After normalisation your intensities differ somewhat from the model's test image (${scale}): check the results carefully.`
      }
    : {
        id: 'intensity',
        level: 'fail',
        value: d,
        message: `After normalisation your intensities differ from the model's test image (${scale}): results may be unreliable.`
      };
}

function checkPixelSize(user?: number, model?: number): IShiftCheck {
  const known = (v?: number): v is number =>
    v !== undefined && Number.isFinite(v) && v > 0;
  if (!known(user) || !known(model)) {
    const why =
      !known(model) && !known(user)
        ? 'neither your image file nor the model says what pixel size it has'
        : !known(model)
          ? 'the model does not say what pixel size it was trained on'
          : 'your image file does not say its pixel size';
    return {
      id: 'pixel-size',
      level: 'warn',
      value: null,
      message: `The pixel size cannot be compared: ${why}.`
    };
  }
  const ratio = user / model;
  const band = pixelSizeBand(ratio);
  return {
    id: 'pixel-size',
    level: band === 'close' ? 'ok' : band === 'near' ? 'warn' : 'fail',
    value: ratio,
    message: sentence(describePixelSizes(user, model))
  };
}

function checkDims(user: 2 | 3, model: 2 | 3): IShiftCheck {
  if (user === model) {
    return {
      id: 'dims',
      level: 'ok',
      value: user,
      message: `Your image and the model are both ${user}D.`
    };
  }
  return {
    id: 'dims',
    level: 'fail',
    value: user,
    message:
      user === 3
        ? 'Your image is 3D (a z-stack) but the model was made for 2D images: it sees one plane at a time, so results can change from plane to plane.'
        : 'Your image is 2D but the model was made for 3D z-stacks: it has no depth to work with, so results may be unreliable.'
  };
}

function db(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} dB` : 'no measurable noise';
}

function checkSnr(user: IPlane, reference: IPlane): IShiftCheck {
  const u = estimateSnrDb(user.data, user.height, user.width);
  const r = estimateSnrDb(reference.data, reference.height, reference.width);
  if (Number.isNaN(u) || Number.isNaN(r)) {
    return {
      id: 'snr',
      level: 'warn',
      value: null,
      message:
        'The noise level cannot be compared: an image is too small or has no finite values.'
    };
  }
  const both = `SNR ${db(u)} vs ${db(r)}`;
  if (r === Infinity) {
    // A noise-free reference gives no scale to compare against.
    return u === Infinity
      ? {
          id: 'snr',
          level: 'ok',
          value: 0,
          message: `Neither your image nor the model's test image has measurable noise.`
        }
      : {
          id: 'snr',
          level: 'warn',
          value: null,
          message: `The noise level cannot be compared: the model's test image has no measurable noise (your image: ${db(u)}).`
        };
  }
  if (u === Infinity) {
    return {
      id: 'snr',
      level: 'ok',
      value: Infinity,
      message: `Your image has no measurable noise (the model's test image: ${db(r)}).`
    };
  }
  const diff = u - r;
  if (diff < -SHIFT_THRESHOLDS.snrFailDb) {
    return {
      id: 'snr',
      level: 'fail',
      value: diff,
      message: `Your image is much noisier than the model's test image (${both}): results may be unreliable; consider denoising it first.`
    };
  }
  if (diff < -SHIFT_THRESHOLDS.snrWarnDb) {
    return {
      id: 'snr',
      level: 'warn',
      value: diff,
      message: `Your image is noisier than the model's test image (${both}): check the results carefully.`
    };
  }
  return {
    id: 'snr',
    level: 'ok',
    value: diff,
    message:
      diff > 0
        ? `Your image is less noisy than the model's test image (${both}).`
        : `Your image's noise level is close to the model's test image (${both}).`
  };
}

/**
 * Compare the user's preprocessed image with the model's preprocessed test
 * input; see {@link SHIFT_THRESHOLDS} for the levels.
 */
export function compareWithReference(inputs: IShiftInputs): IShiftReport {
  const checks = [
    checkIntensity(inputs.user, inputs.reference),
    checkPixelSize(inputs.userPixelSizeUm, inputs.modelPixelSizeUm),
    checkDims(inputs.userDims, inputs.modelDims),
    checkSnr(inputs.user, inputs.reference)
  ];
  const warns = checks.filter(c => c.level === 'warn').length;
  return {
    checks,
    doubtful: checks.some(c => c.level === 'fail') || warns >= 2
  };
}
