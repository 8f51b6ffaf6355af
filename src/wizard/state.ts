/**
 * What the wizard remembers: the user's choices, as plain JSON so they can
 * be kept in the state database and survive a page reload. Everything
 * computed from them (image statistics, predictions, metrics) is recomputed.
 */
import type { ZooTask } from '../core/catalog/types';
import type { InstanceMethod } from '../core/record/run-record';

/** The steps, in order. */
export const WIZARD_STEPS = ['choose', 'adapt', 'validate', 'report'] as const;

/** One step of the wizard. */
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** The user's choices. */
export interface IWizardState {
  /** Server path of the image. */
  imagePath: string;
  /** Catalog key of the chosen model. */
  modelKey: string | null;
  step: WizardStep;
  /** The task the user is after, to rank models ('' = any). */
  wantedTask: ZooTask | '';
  /** Image channels fed to the model, in the model's channel order (null: all). */
  channels: number[] | null;
  /** Index along Z used when a 2D model meets a z-stack (null: none). */
  zPlane: number | null;
  /** Resample the image to the model's pixel size (and the result back). */
  rescale: boolean;
  /** Tile edge in pixels along y and x (null: automatic). */
  tile: number | null;
  /** Percentiles of `scale_range` steps, when the user changed them. */
  percentiles: { min: number; max: number } | null;
  /** Output used for labels/metrics and its channel. */
  outputId: string | null;
  outputChannel: number;
  threshold: number;
  instanceMethod: InstanceMethod;
  minSize: number;
  /** Server path of a label image or clean target ('' = none). */
  groundTruthPath: string;
  /** Code style of the generated cells. */
  style: 'core' | 'numpy';
  includeBatch: boolean;
  /** Add the PyTorch fine-tuning cells (needs TorchScript weights and ground truth). */
  includeFineTune: boolean;
}

/** A fresh state for an image (and optionally a model). */
export function initialState(
  imagePath: string,
  modelKey: string | null = null
): IWizardState {
  return {
    imagePath,
    modelKey,
    step: 'choose',
    wantedTask: '',
    channels: null,
    zPlane: null,
    rescale: false,
    tile: null,
    percentiles: null,
    outputId: null,
    outputChannel: 0,
    threshold: 0.5,
    instanceMethod: 'connected_components',
    minSize: 0,
    groundTruthPath: '',
    style: 'core',
    includeBatch: false,
    includeFineTune: false
  };
}

const TASKS = [
  'segmentation',
  'restoration',
  'classification',
  'detection',
  'other'
];
const METHODS = ['none', 'connected_components', 'watershed'];

function intOrNull(v: unknown, min: number): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : null;
}

/**
 * A state read back from storage, with every field checked: anything
 * missing or malformed takes its default, so a stale or hand-edited entry
 * never breaks the wizard. Returns null without an image path.
 */
export function restoreState(raw: unknown): IWizardState | null {
  if (typeof raw !== 'object' || raw === null) {
    return null;
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.imagePath !== 'string' || !r.imagePath) {
    return null;
  }
  const s = initialState(
    r.imagePath,
    typeof r.modelKey === 'string' && r.modelKey ? r.modelKey : null
  );
  if (WIZARD_STEPS.includes(r.step as WizardStep)) {
    s.step = r.step as WizardStep;
  }
  if (TASKS.includes(r.wantedTask as string)) {
    s.wantedTask = r.wantedTask as ZooTask;
  }
  if (
    Array.isArray(r.channels) &&
    r.channels.length > 0 &&
    r.channels.every(c => intOrNull(c, 0) !== null)
  ) {
    s.channels = r.channels as number[];
  }
  s.zPlane = intOrNull(r.zPlane, 0);
  s.rescale = r.rescale === true;
  s.tile = intOrNull(r.tile, 16);
  const p = r.percentiles as Record<string, unknown> | null;
  if (
    p &&
    typeof p.min === 'number' &&
    typeof p.max === 'number' &&
    p.min >= 0 &&
    p.max <= 100 &&
    p.min < p.max
  ) {
    s.percentiles = { min: p.min, max: p.max };
  }
  s.outputId = typeof r.outputId === 'string' && r.outputId ? r.outputId : null;
  s.outputChannel = intOrNull(r.outputChannel, 0) ?? 0;
  if (typeof r.threshold === 'number' && r.threshold >= 0 && r.threshold <= 1) {
    s.threshold = r.threshold;
  }
  if (METHODS.includes(r.instanceMethod as string)) {
    s.instanceMethod = r.instanceMethod as InstanceMethod;
  }
  s.minSize = intOrNull(r.minSize, 0) ?? 0;
  s.groundTruthPath =
    typeof r.groundTruthPath === 'string' ? r.groundTruthPath : '';
  s.style = r.style === 'numpy' ? 'numpy' : 'core';
  s.includeBatch = r.includeBatch === true;
  s.includeFineTune = r.includeFineTune === true;
  return s;
}
