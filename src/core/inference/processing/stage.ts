/**
 * Running a whole pre- or postprocessing stage. Statistics for every op of
 * the stage come from the tensors as they were when the stage started
 * (bioimageio.core computes all measures before the first op), so e.g.
 * `clip` followed by `zero_mean_unit_variance` normalises with statistics of
 * the unclipped tensor.
 */
import type { IModelDescription, ITensorDescr } from '../../spec/types';
import type { ITensor } from '../../tensor/tensor';
import { prepareOp, PreparedOp } from './ops';
import { StageStatistics } from './statistics';

/** Prepare and run the steps of each described tensor present in `tensors`. */
function runStage(
  descrs: readonly ITensorDescr[],
  tensors: ReadonlyMap<string, ITensor>,
  stats: StageStatistics,
  kind: 'preprocessing' | 'postprocessing'
): Map<string, ITensor> {
  // Prepare everything first: this is where statistics are computed, all
  // from the untouched stage input.
  const plans = new Map<string, PreparedOp[]>();
  for (const d of descrs) {
    if (!tensors.has(d.id)) {
      continue;
    }
    plans.set(
      d.id,
      d.processing.map((step, i) => {
        try {
          return prepareOp(step, d.id, stats);
        } catch (e) {
          throw new Error(
            `${kind} of '${d.id}', step ${i + 1} (${step.id}): ${(e as Error).message}`
          );
        }
      })
    );
  }
  const result = new Map<string, ITensor>(tensors);
  for (const [id, ops] of plans) {
    let x = tensors.get(id) as ITensor;
    // The caller's arrays are never written; later ops may work in place on
    // arrays this stage allocated.
    let owned = false;
    ops.forEach((op, i) => {
      const before = x.data;
      try {
        x = op(x, owned);
      } catch (e) {
        const step = descrs.find(d => d.id === id)?.processing[i];
        throw new Error(
          `${kind} of '${id}', step ${i + 1} (${step?.id}): ${(e as Error).message}`
        );
      }
      owned = owned || x.data !== before;
    });
    result.set(id, x);
  }
  return result;
}

/**
 * Apply every input's preprocessing to the whole sample. `inputs` maps
 * input ids to tensors (any axis order; ops address axes by id). Returns a
 * new map; tensors without steps are passed through, inputs are not
 * modified.
 */
export function runPreprocessing(
  model: IModelDescription,
  inputs: ReadonlyMap<string, ITensor>
): Map<string, ITensor> {
  const stats = new StageStatistics(inputs);
  return runStage(model.inputs, inputs, stats, 'preprocessing');
}

/**
 * Apply every output's postprocessing to the stitched network outputs.
 * Reference tensors (`scale_range`/`scale_mean_variance`
 * `reference_tensor`) may name outputs (raw network outputs) or inputs;
 * pass the inputs as given to the pipeline *before* preprocessing, which
 * is the tensor core's shared measures are computed from.
 */
export function runPostprocessing(
  model: IModelDescription,
  outputs: ReadonlyMap<string, ITensor>,
  inputs: ReadonlyMap<string, ITensor> = new Map()
): Map<string, ITensor> {
  const snapshot = new Map<string, ITensor>(inputs);
  for (const [id, t] of outputs) {
    snapshot.set(id, t);
  }
  const stats = new StageStatistics(snapshot);
  return runStage(model.outputs, outputs, stats, 'postprocessing');
}
