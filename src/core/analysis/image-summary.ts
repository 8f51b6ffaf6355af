/**
 * What the wizard needs to know about the user's image to choose a model:
 * axis sizes, pixel size in micrometres and intensity statistics. Pure
 * TypeScript (no DOM, no JupyterLab), so jest and the CLI use it directly.
 */
import type { IImageInfo, IQuantity } from '../formats/types';
import type { DType, INDArray } from '../tensor/tensor';
import {
  DEFAULT_MAX_SAMPLES,
  meanAndStd,
  percentileOfSorted,
  stridedSample
} from './sampling';

/** Intensity statistics over all pixels or a strided sample of them. */
export interface IIntensityStats {
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Percentiles, NumPy `linear` method. */
  p1: number;
  p50: number;
  p99: number;
  /** Number of values used (finite values of the sample). */
  sampled: number;
}

/** Sizes of the five viewer axes; 1 where the image has no such axis. */
export interface IAxisSizes {
  t: number;
  c: number;
  z: number;
  y: number;
  x: number;
}

/** A summary of one image, as the model-choice step sees it. */
export interface IImageSummary {
  name: string;
  /** Viewer letters as in `IImageInfo.axes`, e.g. 'YX', 'CYX', 'ZYX', 'YXC', 'TCZYX'. */
  axes: string;
  shape: number[];
  dtype: DType;
  /** 1 where absent. */
  sizes: IAxisSizes;
  /** 3 when z > 1. */
  spatialDims: 2 | 3;
  channelNames?: string[];
  /** Pixel size in micrometres per axis, when the file says. */
  pixelSizeUm?: { x?: number; y?: number; z?: number };
  /**
   * Over all pixels, or a deterministic strided sample of at most
   * `maxSamples` of them; absent without pixels or without finite values.
   */
  stats?: IIntensityStats;
}

/** Micrometres per unit, by unit symbol (case matters: mm is not Mm). */
const SYMBOLS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    pm: 1e-6,
    Å: 1e-4,
    nm: 1e-3,
    µm: 1,
    um: 1,
    mm: 1e3,
    cm: 1e4,
    dm: 1e5,
    m: 1e6,
    in: 25400
  })
);

/** Micrometres per unit, by lower-case singular unit name. */
const NAMES: ReadonlyMap<string, number> = new Map(
  Object.entries({
    picometer: 1e-6,
    picometre: 1e-6,
    angstrom: 1e-4,
    ångström: 1e-4,
    nanometer: 1e-3,
    nanometre: 1e-3,
    micron: 1,
    micrometer: 1,
    micrometre: 1,
    millimeter: 1e3,
    millimetre: 1e3,
    centimeter: 1e4,
    centimetre: 1e4,
    decimeter: 1e5,
    decimetre: 1e5,
    meter: 1e6,
    metre: 1e6,
    inch: 25400
  })
);

/**
 * A length in micrometres, or undefined for a unit that is not a length we
 * know (e.g. ImageJ's 'pixel').
 *
 * #### Notes
 * Accepts the symbols OME and ImageJ write (µm with the micro sign or the
 * Greek mu, um, nm, mm, cm, m, Å, pm, in, and ImageJ's escaped `\u00B5m`) and
 * the names bioimage.io descriptions use (micrometer, nanometer, …; plural
 * and British spellings too).
 */
export function toMicrometres(value: number, unit: string): number | undefined {
  const u = unit
    .trim()
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) =>
      String.fromCharCode(parseInt(h, 16))
    )
    // Greek mu and the Ångström sign look the same as the signs we key on.
    .replace(/\u03bc/g, 'µ')
    .replace(/\u212b/g, 'Å');
  // Maps, not objects: a unit such as 'constructor' must not find anything.
  let factor = SYMBOLS.get(u);
  if (factor === undefined) {
    // Singular, or plural with -s (metres) or -es (inches).
    const name = u.toLowerCase();
    factor =
      NAMES.get(name) ??
      NAMES.get(name.replace(/s$/, '')) ??
      NAMES.get(name.replace(/es$/, ''));
  }
  return factor === undefined ? undefined : value * factor;
}

/** Per-axis sizes from viewer axis letters. */
function sizesOf(axes: string, shape: readonly number[]): IAxisSizes {
  const sizes: IAxisSizes = { t: 1, c: 1, z: 1, y: 1, x: 1 };
  [...axes.toLowerCase()].forEach((letter, i) => {
    if (letter in sizes) {
      sizes[letter as keyof IAxisSizes] = shape[i] ?? 1;
    }
  });
  return sizes;
}

function micrometresOf(q: IQuantity | undefined): number | undefined {
  if (!q || !Number.isFinite(q.value) || q.value <= 0) {
    return undefined;
  }
  return toMicrometres(q.value, q.unit);
}

/** Intensity statistics of a strided sample of `array` (see {@link stridedSample}). */
export function intensityStats(
  array: INDArray,
  maxSamples: number = DEFAULT_MAX_SAMPLES
): IIntensityStats | undefined {
  const n = array.data.length;
  // Coprime with everything but the slowest axis, so interleaved channels
  // and image columns are all visited (see sampleStep).
  const period = array.shape.length > 1 ? n / (array.shape[0] || 1) : 1;
  const values = stridedSample(array.data, maxSamples, period);
  if (values.length === 0) {
    return undefined;
  }
  const { mean, std } = meanAndStd(values);
  values.sort();
  return {
    min: values[0],
    max: values[values.length - 1],
    mean,
    std,
    p1: percentileOfSorted(values, 1),
    p50: percentileOfSorted(values, 50),
    p99: percentileOfSorted(values, 99),
    sampled: values.length
  };
}

/**
 * Summarise an image for model choice.
 *
 * @param info - shape, axes and metadata from the decoder.
 * @param array - the pixels, or null when only the header was read (no stats).
 * @param name - shown to the user, e.g. the file name.
 * @param maxSamples - largest number of pixel values the statistics use
 *   (default 1 000 000).
 */
export function summariseImage(
  info: IImageInfo,
  array: INDArray | null,
  name: string,
  maxSamples: number = DEFAULT_MAX_SAMPLES
): IImageSummary {
  const sizes = sizesOf(info.axes, info.shape);
  const summary: IImageSummary = {
    name,
    axes: info.axes,
    shape: [...info.shape],
    dtype: info.dtype,
    sizes,
    spatialDims: sizes.z > 1 ? 3 : 2
  };
  if (info.channelNames && info.channelNames.length > 0) {
    summary.channelNames = [...info.channelNames];
  }
  const ps = info.physicalSize;
  if (ps) {
    const um: { x?: number; y?: number; z?: number } = {};
    for (const k of ['x', 'y', 'z'] as const) {
      const v = micrometresOf(ps[k]);
      if (v !== undefined) {
        um[k] = v;
      }
    }
    if (Object.keys(um).length > 0) {
      summary.pixelSizeUm = um;
    }
  }
  if (array) {
    const stats = intensityStats(array, maxSamples);
    if (stats) {
      summary.stats = stats;
    }
  }
  return summary;
}
