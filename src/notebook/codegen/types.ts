/**
 * The generated cells and the provenance each carries: the types every
 * generator of this folder (analysis, processing, fine-tuning, methods)
 * shares. Kept apart so the generators import them, not each other.
 */
import type { CodeStyle } from '../../core/record/options';

/** One generated cell. */
export interface IGeneratedCell {
  cell_type: 'code' | 'markdown';
  source: string;
  metadata: { bioimage: IProvenance; [key: string]: unknown };
}

/** Provenance stored in every generated cell's metadata (`bioimage`). */
export interface IProvenance {
  generator: 'jupyterlab-bioimage';
  step: string;
  style: CodeStyle;
  modelId: string;
  modelVersion: string;
  modelSource: string;
  weightsSha256: string;
  descriptionSha256: string | null;
  parameters: Record<string, unknown>;
  backend: string;
  extensionVersion: string;
  runTime: string;
  generatedAt: string;
}

export type { IBrowserSummary } from '../../core/record/run-record';
