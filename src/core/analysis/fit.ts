/**
 * Ranking catalog models by how well they fit the user's image: one
 * plain-words reason per aspect (dimensions, axes, channels, pixel size,
 * browser support, task, test, size), a score, and the channel / plane
 * choices that make the image fit. The choices use the same conventions as
 * `imageToInput` in core/inference/axes.ts, so the wizard can pass them on as they
 * are.
 */
import type { ZooTask } from '../catalog/types';
import type { IImageSummary } from './image-summary';
import {
  checkBrowser,
  checkPixelSize,
  checkTask,
  checkTest
} from './fit-reasons';
import { checkAxes, checkChannels, checkDims, checkSize } from './fit-shape';
import {
  BLOCKING,
  IChoices,
  IFitCandidate,
  IModelFit,
  IScored
} from './fit-types';

export { FIT_ASPECTS, FIT_PENALTIES } from './fit-types';
export type {
  FitAspect,
  FitLevel,
  IFitCandidate,
  IFitReason,
  IModelFit
} from './fit-types';

/** Judge how well one model fits an image; see `FIT_PENALTIES` for the score. */
export function assessFit(
  image: IImageSummary,
  c: IFitCandidate,
  wantedTask?: ZooTask
): IModelFit {
  const input = c.model?.inputs[0];
  const choices: IChoices = { select: {} };
  const scored: IScored[] = [
    checkDims(image, c.entry, input, choices),
    checkAxes(image, input, choices),
    checkChannels(image, c.entry, input, choices),
    checkPixelSize(image, input),
    checkBrowser(c.entry, c.model),
    ...(wantedTask ? [checkTask(c.entry, wantedTask)] : []),
    checkTest(c.test),
    checkSize(image, input)
  ];
  const penalty = scored.reduce((s, r) => s + r.penalty, 0);
  const fit: IModelFit = {
    key: c.entry.key,
    name: c.entry.name,
    score: Math.max(0, Math.min(100, 100 - penalty)),
    reasons: scored.map(({ aspect, level, message }) => ({
      aspect,
      level,
      message
    })),
    runnable: !scored.some(
      r => r.level === 'fail' && BLOCKING.includes(r.aspect)
    )
  };
  if (choices.channels) {
    fit.channels = choices.channels;
  }
  if (Object.keys(choices.select).length > 0) {
    fit.select = choices.select;
  }
  return fit;
}

/** Fits of all candidates, best first: runnable before unrunnable, then by score; ties broken by name. */
export function rankModels(
  image: IImageSummary,
  candidates: readonly IFitCandidate[],
  wantedTask?: ZooTask
): IModelFit[] {
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return candidates
    .map(c => assessFit(image, c, wantedTask))
    .sort(
      (a, b) =>
        Number(b.runnable) - Number(a.runnable) ||
        b.score - a.score ||
        byName(a.name.toLowerCase(), b.name.toLowerCase()) ||
        byName(a.key, b.key)
    );
}
