/**
 * How the image is fed to the chosen model, from the user's choices: the
 * preprocessing (the model's, with the user's percentiles), the channels
 * fed, the axes fixed to one index and the resampling to the model's pixel
 * size. Pure functions; the preview, the run and the record all use them.
 *
 * May import only `src/core` and `../state` (types).
 */
import { rescaledSize } from '../../core/analysis/rescale';
import type { IModelFit } from '../../core/analysis/fit';
import type { IImageSummary } from '../../core/analysis/image-summary';
import { modelPixelUm } from '../../core/analysis/planes';
import type { IModelDescription, IProcessingStep } from '../../core/spec/types';
import type { IWizardState } from '../state';

/** What the mapping is computed from. */
export interface IMappingInputs {
  state: Readonly<IWizardState>;
  model: IModelDescription | undefined;
  summary: IImageSummary | null;
  fit: IModelFit | undefined;
}

/** The image resampled to the model's grid: both (height, width). */
export interface IRescale {
  factor: number;
  image: [number, number];
  model: [number, number];
}

/** The preprocessing to run: the model's, with the user's percentiles. */
export function preprocessingOf({
  state,
  model
}: IMappingInputs): IProcessingStep[] {
  const steps = model?.inputs[0]?.processing ?? [];
  const p = state.percentiles;
  if (!p) {
    return steps;
  }
  return steps.map(s =>
    s.id === 'scale_range'
      ? {
          ...s,
          kwargs: {
            ...s.kwargs,
            min_percentile: p.min,
            max_percentile: p.max
          }
        }
      : s
  );
}

/** Image channels fed along the model's channel axis (undefined: all, or none). */
export function channelsFedOf({
  state,
  model
}: IMappingInputs): number[] | undefined {
  const hasChannel = model?.inputs[0]?.axes.some(a => a.id === 'channel');
  return hasChannel ? (state.channels ?? undefined) : undefined;
}

/**
 * Image and model-grid (height, width) when the image is resampled to the
 * model's pixel size: only when asked for and both pixel sizes are known.
 */
export function rescaleOf({
  state,
  model,
  summary
}: IMappingInputs): IRescale | null {
  const um = summary?.pixelSizeUm?.x;
  const modelUm = model ? modelPixelUm(model) : undefined;
  if (!state.rescale || !um || !modelUm || !summary) {
    return null;
  }
  const factor = um / modelUm;
  const { y, x } = summary.sizes;
  const to: [number, number] = [
    rescaledSize(y, factor),
    rescaledSize(x, factor)
  ];
  return to[0] === y && to[1] === x
    ? null
    : { factor, image: [y, x], model: to };
}

/** Axes of the image fixed to one index for the model (z for a 2D model, t). */
export function selectionOf({
  state,
  model,
  summary,
  fit
}: IMappingInputs): Record<string, number> {
  if (!model || !summary) {
    return {};
  }
  const ids = new Set(model.inputs[0].axes.map(a => a.id));
  // A model without a channel axis takes one image channel, fixed here.
  const select: Record<string, number> = {};
  if (!ids.has('channel') && summary.sizes.c > 1) {
    select.c = state.channels?.[0] ?? fit?.select?.c ?? 0;
  }
  if (summary.sizes.t > 1 && !ids.has('time')) {
    select.t = 0;
  }
  if (summary.sizes.z > 1 && !ids.has('z')) {
    select.z = state.zPlane ?? Math.floor(summary.sizes.z / 2);
  }
  return select;
}
