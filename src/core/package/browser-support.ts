/**
 * The static half of "can this model run in the browser?": whether it has
 * ONNX weights at all. Whether onnxruntime-web supports the graph is checked
 * elsewhere, by loading it.
 */
import type {
  IModelDescription,
  IWeightsEntry,
  WeightsFormat
} from '../spec/types';

/** Verdict of {@link runsInBrowserStatic}. */
export interface IBrowserSupport {
  /** True when the description has ONNX weights. */
  hasOnnx: boolean;
  /** The ONNX weights entry, when present. */
  onnx?: IWeightsEntry;
  /** Every weights format the description has. */
  formats: WeightsFormat[];
  /** A sentence for the user explaining the verdict. */
  reason: string;
}

/** Whether a model can in principle run client-side (it has ONNX weights). */
export function runsInBrowserStatic(model: IModelDescription): IBrowserSupport {
  const formats = model.weights.map(w => w.format);
  const onnx = model.weights.find(w => w.format === 'onnx');
  if (onnx) {
    return {
      hasOnnx: true,
      onnx,
      formats,
      reason: 'has ONNX weights, which can run in the browser'
    };
  }
  return {
    hasOnnx: false,
    formats,
    reason:
      `no ONNX weights; this model only has ${formats.join(', ') || 'no weights'}. ` +
      'Run it in Python with bioimageio.core instead, or convert its weights to ONNX.'
  };
}
