/**
 * The prediction pipeline: preprocessing on the whole sample → tiled or
 * untiled inference → stitching → postprocessing on the stitched outputs,
 * plus the model test (untiled run compared with the test outputs).
 * The network is reached only through {@link IInferenceSession}, so the
 * same code runs with onnxruntime-web, a fake in tests, or anything else.
 *
 * The inference/ folder (this file is its centre): running a described
 * model on tensors, with no DOM and no JupyterLab.
 * - pipeline.ts, tiling.ts, blocks.ts: prediction and tiling; compare.ts
 *   and test-tensors.ts: the model test's comparison and its test data;
 *   axes.ts: image axes ↔ model input/output;
 * - processing/: pre- and postprocessing; session/: onnxruntime sessions
 *   (backend choice, wasm fallback, opening a package's ONNX weights);
 * - protocol.ts, worker-handlers.ts, worker.ts: the inference worker's
 *   messages and what it does for each.
 * It imports core/tensor, core/spec and core/package (and onnxruntime-web,
 * in session/ only); never formats, analysis or anything outside core.
 */
import type { IModelDescription, ITensorDescr } from '../spec/types';
import type { INDArray, ITensor } from '../tensor/tensor';
import { iterateTiles, Stitcher } from './blocks';
import { transposeTo } from '../tensor/ndarray';
import { runPostprocessing, runPreprocessing } from './processing';
import { ITilePlan, ITilingOptions, planTiles } from './tiling';
import { compareArrays, IComparison, toleranceFor } from './compare';

/** A loaded network. Feeds and results are by position. */
export interface IInferenceSession {
  inputNames: string[];
  outputNames: string[];
  /**
   * Static graph input dims by position (null or negative: dynamic); they
   * override the description when planning blocks.
   */
  inputShapes?: (number | null)[][];
  /** Run once; `feeds` in description input order, results in output order. */
  run(feeds: ITensor[]): Promise<ITensor[]>;
}

/** Options of {@link predict}. */
export interface IPredictOptions {
  /**
   * Block options, or `false` for one block per sample (padded to a valid
   * size, never split). Default `{}`: automatic blocks.
   */
  tiling?: ITilingOptions | false;
  /** Called after each tile with (tiles done, tiles total). */
  onProgress?(done: number, total: number): void;
  /** Called once with the plan (grids, tile count, notes) before running. */
  onPlan?(plan: ITilePlan): void;
  /** Checked before each tile: cancels within one tile. */
  signal?: AbortSignal;
}

/** Inputs by id, or by position (description order). */
export type PipelineInputs =
  ReadonlyMap<string, INDArray | ITensor> | ReadonlyArray<INDArray | ITensor>;

function abortError(): Error {
  const e = new Error('prediction cancelled');
  e.name = 'AbortError';
  return e;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw abortError();
  }
}

/**
 * A tensor in `descr`'s axis order. Arrays without axis ids are read in
 * the described order (as core does for bare NumPy arrays).
 */
export function toModelTensor(
  array: INDArray | ITensor,
  descr: ITensorDescr
): ITensor {
  const ids = descr.axes.map(a => a.id);
  const axes = (array as Partial<ITensor>).axes;
  if (!axes) {
    if (array.shape.length !== ids.length) {
      throw new Error(
        `'${descr.id}' has ${array.shape.length} dimensions, the model ` +
          `expects ${ids.length} (${ids.join(', ')})`
      );
    }
    return { ...array, axes: ids };
  }
  const same = axes.length === ids.length && ids.every(id => axes.includes(id));
  if (!same) {
    throw new Error(
      `'${descr.id}' has axes (${axes.join(', ')}), the model expects ` +
        `(${ids.join(', ')}); map the image first (imageToInput)`
    );
  }
  return transposeTo(array as ITensor, ids);
}

function collectInputs(
  model: IModelDescription,
  inputs: PipelineInputs
): Map<string, ITensor> {
  const byId = new Map<string, ITensor>();
  model.inputs.forEach((d, i) => {
    const a = Array.isArray(inputs)
      ? (inputs as ReadonlyArray<INDArray | ITensor>)[i]
      : (inputs as ReadonlyMap<string, INDArray | ITensor>).get(d.id);
    if (!a) {
      throw new Error(
        d.optional
          ? `optional input '${d.id}' must be given for ONNX inference`
          : `input '${d.id}' is missing`
      );
    }
    byId.set(d.id, toModelTensor(a, d));
  });
  return byId;
}

/**
 * Run `model` on one sample. Returns the postprocessed outputs by id, in
 * the described axis order.
 */
export async function predict(
  model: IModelDescription,
  session: IInferenceSession,
  inputs: PipelineInputs,
  options: IPredictOptions = {}
): Promise<Map<string, ITensor>> {
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  const raw = collectInputs(model, inputs);
  const pre = runPreprocessing(model, raw);
  const ordered = model.inputs.map(d =>
    transposeTo(
      pre.get(d.id) as ITensor,
      d.axes.map(a => a.id)
    )
  );
  const plan = planTiles(
    model,
    ordered,
    options.tiling ?? {},
    session.inputShapes
  );
  options.onPlan?.(plan);
  const stitcher = new Stitcher(model, plan);
  for (const tile of iterateTiles(plan, ordered)) {
    throwIfAborted(signal);
    const outs = await session.run(tile.inputs);
    throwIfAborted(signal);
    const labelled = model.outputs.map((d, o) => {
      const t = outs[o];
      if (!t) {
        throw new Error(`the network returned no tensor for output '${d.id}'`);
      }
      return { ...t, axes: d.axes.map(a => a.id) };
    });
    stitcher.add(tile.geometry, labelled);
    onProgress?.(tile.index + 1, tile.total);
  }
  return runPostprocessing(model, stitcher.result(), raw);
}

/** Comparison of one output in a model test. */
export interface IOutputTestResult extends IComparison {
  outputId: string;
}

/** Result of {@link testModel}. */
export interface ITestReport {
  passed: boolean;
  weightsFormat: string;
  outputs: IOutputTestResult[];
  /** A short summary for people. */
  message: string;
}

/**
 * The bioimage.io model test: run the test inputs untiled through the full
 * pipeline and compare each output with its test output using the model's
 * tolerance for `weightsFormat`.
 */
export async function testModel(
  model: IModelDescription,
  session: IInferenceSession,
  testInputs: PipelineInputs,
  testOutputs: PipelineInputs,
  weightsFormat = 'onnx',
  options: Pick<IPredictOptions, 'signal' | 'onProgress'> = {}
): Promise<ITestReport> {
  const actual = await predict(model, session, testInputs, {
    ...options,
    tiling: false
  });
  const outputs = model.outputs.map((d, i): IOutputTestResult => {
    const expected = Array.isArray(testOutputs)
      ? (testOutputs as ReadonlyArray<INDArray>)[i]
      : (testOutputs as ReadonlyMap<string, INDArray>).get(d.id);
    if (!expected) {
      throw new Error(`no test output for '${d.id}'`);
    }
    const got = actual.get(d.id) as ITensor;
    const cmp = compareArrays(
      got,
      expected,
      toleranceFor(model, d.id, weightsFormat)
    );
    return { outputId: d.id, ...cmp };
  });
  const passed = outputs.every(o => o.passed);
  const message = outputs
    .map(o => `${o.outputId}: ${o.passed ? 'passed' : 'FAILED'} — ${o.message}`)
    .join('\n');
  return { passed, weightsFormat, outputs, message };
}
