/**
 * What the wizard computes and shows: the prediction, metrics, the
 * normalised-input preview, the label-free comparison and the crop preview.
 */
import type { ITtaConsistency } from '../core/metrics';
import type { IPredictReport } from '../core/inference/protocol';
import type { INDArray } from '../core/tensor/tensor';
import type { IProcessingStep } from '../core/spec/types';
import type { ILabelledArray } from '../core/analysis/arrays';
import type { IShiftReport } from '../core/analysis/domain-shift';
import type { IValidationMetrics } from '../core/analysis/validation';

/** What the wizard shows about the last prediction. */
export interface IWizardResult {
  report: IPredictReport;
  /** The chosen output as an array in the image frame (axes letters). */
  output: ILabelledArray;
  /** The output plane/volume used for labels (y, x or z, y, x). */
  probability: INDArray;
  /** Instance labels (segmentation models). */
  labels: INDArray | null;
  objectCount: number;
  /** The preprocessing that was run (the model's, or the user's adjustment). */
  preprocessing: IProcessingStep[];
}

/** Metrics against ground truth. */
export type IWizardMetrics = IValidationMetrics;

/** The normalised-input preview: what the model sees, next to its test input. */
export interface IInputPreview {
  user: Float64Array;
  reference: Float64Array | null;
  shift: IShiftReport | null;
}

/** One candidate of the label-free comparison in Choose. */
export interface ICandidatePreview {
  key: string;
  name: string;
  /** The crop it ran on (first channel) and its output (chosen channel 0). */
  input: INDArray;
  output: INDArray;
  /** Agreement of the outputs under flips/rotations of the crop. */
  consistency: ITtaConsistency;
  segmentation: boolean;
}

/** The chosen model on a crop, before the full run. */
export interface ICropPreview {
  input: INDArray;
  output: INDArray;
  labels: INDArray | null;
}
