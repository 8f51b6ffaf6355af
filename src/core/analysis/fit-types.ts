/**
 * The vocabulary of model fits, shared by the ranking (fit.ts) and its
 * checks (fit-reasons.ts, fit-shape.ts): the aspects and levels, the fit
 * and reason types, the penalty scale and the constructors of scored
 * reasons. Imports only types of the catalog and the spec.
 */
import type { ICatalogEntry, ITestStatus } from '../catalog/types';
import type { IModelDescription } from '../spec/types';

/** How well one aspect fits: fine, a compromise, or a blocker. */
export type FitLevel = 'ok' | 'warn' | 'fail';

/** The aspects a fit is judged on. */
export type FitAspect =
  | 'dims'
  | 'axes'
  | 'channels'
  | 'pixel-size'
  | 'browser'
  | 'task'
  | 'test'
  | 'size';

/** The order reasons are listed in. */
export const FIT_ASPECTS: readonly FitAspect[] = [
  'dims',
  'axes',
  'channels',
  'pixel-size',
  'browser',
  'task',
  'test',
  'size'
];

/** One judged aspect, with a sentence for the user. */
export interface IFitReason {
  aspect: FitAspect;
  level: FitLevel;
  message: string;
}

/** How well one model fits one image. */
export interface IModelFit {
  /** `entry.key`. */
  key: string;
  name: string;
  /** 0..100, higher is better. */
  score: number;
  /** One per aspect checked, in {@link FIT_ASPECTS} order. */
  reasons: IFitReason[];
  /**
   * The model can run on this image in the browser as it is or after the
   * suggested channel / plane choice: no 'fail' reason among dims, axes,
   * channels and browser.
   */
  runnable: boolean;
  /** Suggested image channel indices to feed, when a choice is needed. */
  channels?: number[];
  /**
   * Image axes (lower-case letters) the model input has no room for and
   * that must be fixed to one index, e.g. `{ z: 12 }` for the middle plane.
   */
  select?: Record<string, number>;
}

/** A model to judge: its catalog entry, and when loaded its description and test outcome. */
export interface IFitCandidate {
  entry: ICatalogEntry;
  model?: IModelDescription;
  test?: ITestStatus;
}

/**
 * Score penalties, subtracted from 100. A blocker costs everything, so an
 * unrunnable model scores 0 (and ranks last anyway). Compromises the user
 * can live with cost little; the wrong task and a failed test cost most,
 * since those change what the results mean.
 */
export const FIT_PENALTIES = {
  /** Any 'fail' among dims, axes, channels, browser. */
  blocker: 100,
  /** 2D model on a z-stack: runs on one plane (or plane by plane). */
  planeOfStack: 15,
  /** 3D model whose z axis admits one plane, on a single plane. */
  stackOfOnePlane: 20,
  /** A time point must be chosen. */
  selectAxis: 10,
  /** Channels must be chosen. */
  pickChannels: 10,
  /** Pixel size 0.5–0.8× or 1.25–2× the model's. */
  pixelSizeNear: 15,
  /** Pixel size beyond half or twice the model's. */
  pixelSizeFar: 35,
  /** An aspect that cannot be checked (unknown pixel size, description not loaded). */
  unknown: 5,
  /** The model is not made for the task asked for. */
  otherTask: 20,
  /** The model failed (or could not run) its own test here. */
  testFailed: 30,
  /** The image is smaller than the smallest input, so it is padded. */
  padded: 5
} as const;

/** A reason plus its penalty while assessing. */
export interface IScored extends IFitReason {
  penalty: number;
}

/** Aspects whose 'fail' makes a model unrunnable. */
export const BLOCKING: readonly FitAspect[] = [
  'dims',
  'axes',
  'channels',
  'browser'
];

/** `1 channel`, `3 channels`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A fine aspect. */
export function ok(aspect: FitAspect, message: string): IScored {
  return { aspect, level: 'ok', message, penalty: 0 };
}

/** A compromise costing `penalty`. */
export function warn(
  aspect: FitAspect,
  message: string,
  penalty: number
): IScored {
  return { aspect, level: 'warn', message, penalty };
}

/** A blocker. */
export function fail(aspect: FitAspect, message: string): IScored {
  return { aspect, level: 'fail', message, penalty: FIT_PENALTIES.blocker };
}

/** An aspect that needs the model description, which is not loaded yet. */
export function notLoaded(aspect: FitAspect, what: string): IScored {
  return warn(
    aspect,
    `${what} cannot be checked until the model's description is loaded`,
    FIT_PENALTIES.unknown
  );
}

/** Mutable choices collected while assessing. */
export interface IChoices {
  channels?: number[];
  select: Record<string, number>;
}
