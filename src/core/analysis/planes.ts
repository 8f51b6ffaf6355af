/**
 * Planes and samples the wizard takes from images and predictions: the
 * first or middle (y, x) plane, strided samples for histograms, the axes a
 * candidate model runs with, the flips/rotations of the crop comparison, and
 * the model's declared pixel size.
 */
import type { IPlaneTransform } from '../metrics';
import { transposeTo } from '../tensor/ndarray';
import type { IPredictReport } from '../inference/protocol';
import { toFloat64, type INDArray, type ITensor } from '../tensor/tensor';
import type { IModelDescription } from '../spec/types';
import { fixAxes, type ILabelledArray } from './arrays';
import { toMicrometres } from './image-summary';

/** Identity, a quarter turn, a half turn and a mirror: cheap and telling. */
export const CROP_TRANSFORMS: readonly IPlaneTransform[] = [
  { rot: 0, flip: false },
  { rot: 1, flip: false },
  { rot: 2, flip: false },
  { rot: 0, flip: true }
];

/** Channel 0 of the first output, as a (y, x) plane. */
export function firstPlane(report: IPredictReport): INDArray {
  const out = report.outputs[0];
  const fixed: Record<string, number> = {};
  for (const a of out.axes) {
    if (!'yx'.includes(a)) {
      fixed[a] = 0;
    }
  }
  return fixAxes({ array: out.array, axes: out.axes }, fixed).array;
}

/** The first (y, x) plane of an array with named axes. */
export function firstPlaneOf(a: ILabelledArray): INDArray {
  const fixed: Record<string, number> = {};
  for (const name of a.axes) {
    if (name !== 'y' && name !== 'x') {
      fixed[name] = 0;
    }
  }
  return fixAxes(a, fixed).array;
}

/**
 * Image axes fixed for a candidate: its suggested selection (the middle
 * plane for a 2D model on a stack, one channel for a model without a
 * channel axis), plus the first time point of a time series.
 */
export function selectionFor(
  imageAxes: string,
  suggested: Record<string, number>
): Record<string, number> {
  const select = { ...suggested };
  if (imageAxes.includes('T') && !('t' in select)) {
    select.t = 0;
  }
  return select;
}

/** Largest number of values kept for histograms and distances. */
export const SAMPLE = 200_000;

export function sample(data: ArrayLike<number>, max = SAMPLE): Float64Array {
  const step = Math.max(1, Math.ceil(data.length / max));
  const out = new Float64Array(Math.ceil(data.length / step));
  for (let i = 0, o = 0; i < data.length; i += step, o++) {
    out[o] = data[i];
  }
  return out;
}

/** The middle (y, x) plane of a tensor as a plain 2D plane. */
export function middlePlane(t: ITensor): {
  data: Float64Array;
  height: number;
  width: number;
} {
  const others = t.axes.filter(a => a !== 'y' && a !== 'x');
  const ordered = transposeTo(t, [...others, 'y', 'x']);
  const h = ordered.shape[ordered.shape.length - 2];
  const w = ordered.shape[ordered.shape.length - 1];
  const planes = ordered.data.length / (h * w);
  const k = Math.floor(planes / 2);
  const all = toFloat64(ordered.data);
  return {
    data: all.subarray(k * h * w, (k + 1) * h * w),
    height: h,
    width: w
  };
}

/** Physical pixel size of a model input's x axis in µm, when declared. */
export function modelPixelUm(model: IModelDescription): number | undefined {
  const x = model.inputs[0]?.axes.find(a => a.id === 'x');
  return x?.unit && x.scale > 0 ? toMicrometres(x.scale, x.unit) : undefined;
}
