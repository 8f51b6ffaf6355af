/**
 * From a prediction to what the wizard shows: the chosen output channel as
 * a plane (or volume), the boundary channel for the seeded watershed, and
 * the instance labels with their count. Pure functions of the prediction
 * and the user's post-processing choices.
 *
 * May import only `src/core` and `../state` (types).
 */
import { fixAxes, instanceLabels } from '../../core/analysis/arrays';
import type { IPredictReport } from '../../core/inference/protocol';
import type { INDArray } from '../../core/tensor/tensor';
import type { IWizardState } from '../state';

type PostProcessing = Pick<
  IWizardState,
  'outputId' | 'outputChannel' | 'threshold' | 'minSize' | 'instanceMethod'
>;

/** The chosen output of a prediction (the first when it is not found). */
function chosenOutput(
  report: IPredictReport,
  state: PostProcessing
): IPredictReport['outputs'][number] {
  return report.outputs.find(o => o.id === state.outputId) ?? report.outputs[0];
}

/** The chosen output channel of a prediction, as a (z,) y, x array. */
export function pickOutput(
  report: IPredictReport,
  state: PostProcessing
): INDArray {
  const out = chosenOutput(report, state);
  const fixed: Record<string, number> = {};
  const c = out.axes.indexOf('c');
  if (c >= 0) {
    fixed.c = Math.min(state.outputChannel, out.array.shape[c] - 1);
  }
  return fixAxes({ array: out.array, axes: out.axes }, fixed).array;
}

/**
 * The other channel of a two-channel output (foreground + boundary, as
 * the bundled segmentation model has) for the seeded watershed.
 */
export function boundaryOf(
  report: IPredictReport,
  state: PostProcessing
): INDArray | null {
  if (state.instanceMethod !== 'watershed') {
    return null;
  }
  const out = chosenOutput(report, state);
  const c = out.axes.indexOf('c');
  if (c < 0 || out.array.shape[c] < 2) {
    return null;
  }
  return fixAxes(
    { array: out.array, axes: out.axes },
    { c: state.outputChannel === 0 ? 1 : 0 }
  ).array;
}

/** Instance labels of a probability map and how many objects they hold. */
export function labelObjects(
  probability: INDArray,
  state: PostProcessing,
  boundary: INDArray | null
): { labels: INDArray; objectCount: number } {
  const labels = instanceLabels(probability, {
    threshold: state.threshold,
    minSize: state.minSize,
    method: state.instanceMethod,
    boundary
  });
  let max = 0;
  for (const v of labels.data as Int32Array) {
    max = Math.max(max, v);
  }
  return { labels, objectCount: state.instanceMethod === 'none' ? 0 : max };
}
