/**
 * Turns a browser run ({@link IRunRecord}) into notebook cells that redo the
 * same analysis in the Python kernel. Pure: no JupyterLab imports.
 *
 * Two styles: `core` (bioimageio.core does pre/postprocessing and tiling)
 * and `numpy` (every step written out with NumPy + onnxruntime, each with a
 * Markdown cell saying why). Every string from the record is written with
 * {@link pyStr} (code) or {@link mdText} (Markdown); numbers with
 * {@link pyNumber}. Nothing from the record is ever placed in a comment.
 *
 * Over 400 lines because it is one thing: the cell sequence of one analysis,
 * read top to bottom in the order the notebook shows it.
 */
import { generateFineTuneCells } from './finetune';
import type { CodeStyle, IFineTuneOptions } from '../../core/record/options';
import type { IGeneratedCell, IProvenance } from './types';
import { processingLines } from './processing';
import { methodsCell, methodsDescription } from './methods';
import { mdText, pyLiteral, pyNumber, pyStr, PyValue } from './python-literal';
import {
  IRunRecord,
  runProvenance,
  validateRunRecord
} from '../../core/record/run-record';

export type { IRunRecord } from '../../core/record/run-record';
export type { CodeStyle } from '../../core/record/options';
export type { IBrowserSummary, IGeneratedCell, IProvenance } from './types';
export {
  validateRunRecord,
  runRecordModel
} from '../../core/record/run-record';

/** Options of {@link generateCells}. */
export interface ICodegenOptions {
  /** Default `core`. */
  style?: CodeStyle;
  /** Add the Dask batch cell (default false). */
  includeBatch?: boolean;
  /** Add the PyTorch fine-tuning cells before the methods (default false). */
  includeFineTune?: boolean;
  /** Options of the fine-tuning cells (see `generateFineTuneCells`). */
  fineTune?: IFineTuneOptions;
  /** Time written into `generatedAt` (default now); fixed in tests. */
  now?: string;
}

/** Thrown when a run record is invalid; nothing is generated. */
export class RunRecordError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid run record: ${problems.join('; ')}`);
    this.name = 'RunRecordError';
  }
}

/**
 * The browser's own results beyond `metrics.values`, when the run record
 * carries them (`IRunRecord.browser`; absent fields are left out and
 * reported as "not compared" in the kernel).
 */
function browserSummary(r: IRunRecord): Record<string, unknown> {
  const b = r.browser;
  const out: Record<string, unknown> = {};
  if (b && typeof b === 'object') {
    if (typeof b.objectCount === 'number' && Number.isInteger(b.objectCount)) {
      out.objectCount = b.objectCount;
    }
    if (
      typeof b.labelsSha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(b.labelsSha256)
    ) {
      out.labelsSha256 = b.labelsSha256;
    }
    const p = b.prediction;
    if (p && [p.min, p.max, p.mean].every(v => Number.isFinite(v))) {
      out.prediction = { min: p.min, max: p.max, mean: p.mean };
    }
  }
  return out;
}

function parameters(r: IRunRecord): Record<string, unknown> {
  return {
    imagePath: r.image.path,
    imageAxes: r.image.axes,
    channels: r.image.channels ?? null,
    tiling: r.tiling,
    postprocessing: r.postprocessing,
    metricsRequested: r.metrics.requested,
    preprocessing: r.model.preprocessing,
    modelPostprocessing: r.model.postprocessing
  };
}

/** The parameters cell: every value of the run as a Python literal. */
function parameterCell(r: IRunRecord, style: CodeStyle): string {
  const m = r.model;
  const p = r.postprocessing;
  const lines = [
    'from pathlib import Path',
    '',
    'import numpy as np',
    '',
    'from jupyterlab_bioimage import analysis as bia, show',
    '',
    `MODEL_SOURCE = ${pyStr(m.source)}`,
    `MODEL_ID = ${pyStr(m.id)}`,
    `MODEL_VERSION = ${pyStr(m.version)}`,
    `MODEL_NAME = ${pyStr(m.name)}`,
    `WEIGHTS_SHA256 = ${pyStr(m.weightsSha256)}`,
    `DESCRIPTION_SHA256 = ${pyLiteral(m.descriptionSha256 ?? null)}`,
    `IMAGE_PATH = ${pyStr(r.image.path)}`,
    `IMAGE_AXES = ${pyStr(r.image.axes)}`,
    `CHANNELS = ${pyLiteral((r.image.channels ?? null) as PyValue)}`,
    `SELECT = ${pyLiteral((r.image.select ?? {}) as PyValue)}`,
    `RESCALE = ${pyLiteral((r.image.rescale ? [r.image.rescale.height, r.image.rescale.width] : null) as PyValue)}`,
    'FILE_AXES = IMAGE_AXES',
    `INPUT_ID = ${pyStr(m.inputId)}`,
    `INPUT_AXES = ${pyLiteral(m.inputAxes)}`,
    `OUTPUT_ID = ${pyStr(m.outputId)}`,
    `OUTPUT_AXES = ${pyLiteral(m.outputAxes)}`,
    `BLOCK_SHAPE = ${pyLiteral((r.tiling?.blockShape ?? null) as PyValue)}`,
    `HALO = ${pyLiteral((r.tiling?.halo ?? null) as PyValue)}`,
    `OUTPUT_CHANNEL = ${pyNumber(p.channel ?? 0)}`,
    `THRESHOLD = ${pyNumber(p.threshold ?? 0.5)}`,
    `MIN_SIZE = ${pyNumber(p.minSize ?? 0)}`,
    `INSTANCE_METHOD = ${pyStr(p.instanceMethod ?? 'connected_components')}`,
    `GROUND_TRUTH_PATH = ${pyLiteral(r.metrics.groundTruthPath ?? null)}`,
    `METRICS = ${pyLiteral(r.metrics.requested)}`,
    '# What the browser measured (its metrics, and its object count and prediction summary',
    '# when the run record has them): the kernel compares its own numbers with these.',
    `BROWSER_METRICS = ${pyLiteral(r.metrics.values)}`,
    `BROWSER = ${pyLiteral(browserSummary(r) as PyValue)}`,
    `CITATIONS = ${pyLiteral((m.cite ?? []).map(c => ({ text: c.text, doi: c.doi ?? null, url: c.url ?? null })) as PyValue)}`,
    `OUTPUT_DIR = Path(${pyStr(r.outputDir ?? 'bioimage-results')})`,
    'OUTPUT_DIR.mkdir(parents=True, exist_ok=True)',
    `PREPROCESSING = ${pyLiteral(m.preprocessing as unknown as PyValue)}`,
    `POSTPROCESSING = ${pyLiteral(m.postprocessing as unknown as PyValue)}`,
    `PROVENANCE = ${pyLiteral(runProvenance(r, style))}`
  ];
  return lines.join('\n');
}

const LOAD_IMAGE = [
  'image = bia.load_image(IMAGE_PATH)',
  '# One z plane / time point of a stack, when the model has no axis for it.',
  'image, IMAGE_AXES = bia.select_planes(image, FILE_AXES, SELECT)',
  'IMAGE_SIZE = bia.yx_size(image, IMAGE_AXES)',
  "# Resampled to the model's pixel size when RESCALE is set; outputs come back to IMAGE_SIZE.",
  'model_image = image if RESCALE is None else bia.rescale_yx(image, IMAGE_AXES, RESCALE)',
  '# Reorder the file axes into the model input axes (adding batch/channel as needed).',
  'x = bia.image_to_input(model_image, IMAGE_AXES, INPUT_AXES, channels=CHANNELS)',
  'print("image", image.shape, image.dtype, "-> model input", x.shape)'
].join('\n');

const FETCH_MODEL = [
  '# Pinned by sha256: taken from the server cache when present, verified in any case.',
  'model_files = bia.fetch_model(MODEL_SOURCE, weights_sha256=WEIGHTS_SHA256,',
  '                              description_sha256=DESCRIPTION_SHA256)',
  'print(model_files)'
].join('\n');

const CORE_PREDICT = [
  'from bioimageio.core import create_prediction_pipeline, load_model_description, predict',
  '',
  '# The description is read without re-checking every file it lists (only the',
  '# ONNX weights are used; fetch_model verified their sha256).',
  'model = load_model_description(model_files.rdf, perform_io_checks=False)',
  'pipeline = create_prediction_pipeline(model, weight_format="onnx")',
  '# Preprocessing (whole image), network, postprocessing: all in core.',
  'block = bia.core_block_shape(INPUT_ID, INPUT_AXES, x.shape, BLOCK_SHAPE)',
  'if block is None:',
  '    # The image fits in one block: run it whole, as the browser does (statistics of',
  '    # the image itself, then padded to a size the model accepts and cropped back).',
  '    prediction = bia.core_predict_whole(pipeline, model, INPUT_ID, x, OUTPUT_ID)',
  'else:',
  '    # Blocks with halo, inner regions stitched. Note: core mirrors the halo at the',
  "    # image border with the input's `pad` mode (default symmetric).",
  '    sample = predict(model=pipeline, inputs={INPUT_ID: x}, input_block_shape=block)',
  '    prediction = bia.sample_output(sample, OUTPUT_ID)',
  'if RESCALE is not None:',
  '    prediction = bia.rescale_yx(prediction, OUTPUT_AXES, IMAGE_SIZE)',
  'np.save(OUTPUT_DIR / "prediction.npy", prediction)',
  'print("prediction", prediction.shape, prediction.dtype)'
].join('\n');

const INSTANCES = [
  'foreground = bia.output_plane(prediction, OUTPUT_AXES, OUTPUT_CHANNEL)',
  '# The seeded watershed seeds from the foreground and the boundary channel (the other',
  '# channel of a two-channel output); without one, from foreground > 0.9.',
  'boundary = (bia.boundary_plane(prediction, OUTPUT_AXES, OUTPUT_CHANNEL)',
  '            if INSTANCE_METHOD == "watershed" else None)',
  'labels = bia.instances(foreground, threshold=THRESHOLD, min_size=MIN_SIZE,',
  '                       method=INSTANCE_METHOD, boundary=boundary)',
  'np.save(OUTPUT_DIR / "labels.npy", labels)',
  'print(int(labels.max()), "objects")'
].join('\n');

const METRICS = [
  'if GROUND_TRUTH_PATH is not None and METRICS:',
  '    ground_truth = bia.select_planes(bia.load_image(GROUND_TRUTH_PATH), FILE_AXES, SELECT)[0]',
  "    # With F1 (StarDist's matching rules) also AP = TP/(TP+FP+FN) at IoU 0.5 … 0.9.",
  '    names = list(METRICS) + ([f"ap_iou{t}" for t in range(50, 95, 5)]',
  '                             if "f1_iou50" in METRICS else [])',
  '    metrics = bia.compute_metrics(names, labels=labels, prediction=foreground,',
  '                                  ground_truth=ground_truth)',
  '    bia.print_metrics(metrics, BROWSER_METRICS)',
  'else:',
  '    metrics = {}'
].join('\n');

const COMPARE = [
  "# Measured here, not assumed: the kernel's numbers next to the ones the browser recorded.",
  'comparison = bia.compare_with_browser(',
  '    metrics, BROWSER_METRICS, browser=BROWSER, prediction=foreground,',
  '    labels=labels if INSTANCE_METHOD != "none" else None)',
  'bia.print_comparison(comparison)'
].join('\n');

const DISPLAY = [
  'show(bia.image_plane(image, IMAGE_AXES), axes="YX", name=MODEL_NAME,',
  '     overlays={"prediction": (foreground, "heatmap"), "labels": (labels, "labels")})'
].join('\n');

const NUMPY_SESSION = [
  'import onnxruntime as ort',
  '',
  'session = ort.InferenceSession(str(model_files.weights), providers=["CPUExecutionProvider"])',
  '# Cut blocks (halo included, symmetric-padded outside the image as bioimageio.core does), run each block,',
  "# keep each block's inner region (halo cropped) and stitch them.",
  'y = bia.tiled_predict_onnx(session, x, INPUT_AXES, BLOCK_SHAPE, HALO)',
  'print("network output", y.shape, y.dtype)'
].join('\n');

const BATCH = [
  '# Scale out: the same pipeline on a folder of images or block-wise on a large',
  '# Zarr/TIFF volume (halo as overlap), on dask.distributed. SCHEDULER = None starts',
  '# a LocalCluster; give an address ("tcp://host:8786") to use an existing one.',
  'BATCH_INPUT = Path(IMAGE_PATH).parent  # a folder of images, or a .zarr/.tif volume',
  'SCHEDULER = None',
  'spec = bia.pipeline_spec(model_files.weights, WEIGHTS_SHA256, INPUT_AXES, OUTPUT_AXES,',
  '                         PREPROCESSING, POSTPROCESSING,',
  '                         block_shape=BLOCK_SHAPE, halo=HALO, image_axes=IMAGE_AXES,',
  '                         channels=CHANNELS)',
  'written = bia.batch_predict_dask(spec, BATCH_INPUT, OUTPUT_DIR / "batch",',
  '                                 scheduler=SCHEDULER, provenance=PROVENANCE)',
  'print(len(written), "results written to", OUTPUT_DIR / "batch")'
].join('\n');

/**
 * The cells for `record` in `options.style`.
 *
 * @throws RunRecordError when the record is invalid (nothing is generated).
 */
export function generateCells(
  record: IRunRecord,
  options: ICodegenOptions = {}
): IGeneratedCell[] {
  const problems = validateRunRecord(record);
  if (problems.length) {
    throw new RunRecordError(problems);
  }
  const style: CodeStyle = options.style ?? 'core';
  const r = record;
  const m = r.model;
  const provenance = (step: string): IProvenance => ({
    generator: 'jupyterlab-bioimage',
    step,
    style,
    modelId: m.id,
    modelVersion: m.version,
    modelSource: m.source,
    weightsSha256: m.weightsSha256,
    descriptionSha256: m.descriptionSha256 ?? null,
    parameters: parameters(r),
    backend: r.backend,
    extensionVersion: r.extensionVersion,
    runTime: r.timestamp,
    generatedAt: options.now ?? new Date().toISOString()
  });
  const cells: IGeneratedCell[] = [];
  const md = (step: string, text: string) =>
    cells.push({
      cell_type: 'markdown',
      source: text,
      metadata: { bioimage: provenance(step) }
    });
  const code = (step: string, text: string) =>
    cells.push({
      cell_type: 'code',
      source: text,
      metadata: { bioimage: provenance(step) }
    });
  const name = mdText(m.name);
  const file = mdText(r.image.path);
  const teach = style === 'numpy';

  md(
    'title',
    `## ${name} on ${file}\n\n` +
      `Redo the browser analysis in this kernel (${
        teach ? 'NumPy + onnxruntime, every step visible' : 'bioimageio.core'
      }). Model ${mdText(m.id)} version ${mdText(m.version)}, ` +
      `ONNX weights sha256 \`${m.weightsSha256}\`.`
  );
  code('parameters', parameterCell(r, style));
  if (teach) {
    md(
      'load-image-why',
      'The image is read from the file, then its axes are put in the order ' +
        'the model expects (batch and channel added where missing), and only ' +
        'the channels used in the browser are kept.'
    );
  }
  code('load-image', LOAD_IMAGE);
  if (teach) {
    md(
      'fetch-model-why',
      'The model is pinned by its weights sha256: a different file, even with ' +
        'the same id and version, is refused. The server cache is used first, so ' +
        'nothing is downloaded twice.'
    );
  }
  code('fetch-model', FETCH_MODEL);
  if (!teach) {
    code('predict', CORE_PREDICT);
  } else {
    md(
      'preprocess-why',
      'Preprocessing as the model describes it, on the **whole image** before ' +
        'any tiling: normalisation statistics are computed once from the raw ' +
        'input, never per block (per-block statistics would change the result).'
    );
    code(
      'preprocess',
      [
        "# The stage's raw input, kept: every statistic is computed from it.",
        'raw_input = x',
        'raw = raw_input',
        'RAW_TENSORS = {INPUT_ID: raw_input}  # raw tensors of the stage, for reference_tensor',
        'TENSOR_ID = INPUT_ID',
        ...processingLines(m.preprocessing, m.inputAxes, 'raw'),
        'print("preprocessed", x.shape, x.dtype, float(x.mean()), float(x.std()))'
      ].join('\n')
    );
    md(
      'predict-why',
      'The network sees the image in blocks. Each block includes a halo of ' +
        'context on every side; only its inner region is kept, so block borders ' +
        'do not show in the result.'
    );
    code('predict', NUMPY_SESSION);
    md(
      'postprocess-why',
      "The model's own postprocessing, applied to the stitched output."
    );
    code(
      'postprocess',
      [
        "# The stage's raw tensor is the network output (raw_input stays as it was).",
        'raw_output = y',
        'raw = raw_output',
        'RAW_TENSORS = {OUTPUT_ID: raw_output}',
        'TENSOR_ID = OUTPUT_ID',
        'x = y',
        ...processingLines(m.postprocessing, m.outputAxes, 'raw'),
        'prediction = x',
        'if RESCALE is not None:',
        '    prediction = bia.rescale_yx(prediction, OUTPUT_AXES, IMAGE_SIZE)',
        'np.save(OUTPUT_DIR / "prediction.npy", prediction)',
        'print("prediction", prediction.shape, prediction.dtype)'
      ].join('\n')
    );
    md(
      'instances-why',
      'Objects: threshold the chosen output channel, split touching objects ' +
        'with the chosen method, and drop objects smaller than the minimum size.'
    );
  }
  code('instances', INSTANCES);
  if (r.metrics.requested.length) {
    if (teach) {
      md(
        'metrics-why',
        'The same metrics as in the browser, against the same ground truth; ' +
          'the browser values are printed alongside.'
      );
    }
    code('metrics', METRICS);
  } else {
    code('metrics', 'metrics = {}');
  }
  code('compare', COMPARE);
  code('display', DISPLAY);
  if (
    options.includeBatch &&
    (Object.keys(r.image.select ?? {}).length || r.image.rescale)
  ) {
    md(
      'batch-note',
      'No batch cell: this run used one plane of a stack or a resampled ' +
        'image, and the batch pipeline runs whole files as they are.'
    );
  } else if (options.includeBatch) {
    code('batch', BATCH);
  }
  if (options.includeFineTune) {
    cells.push(
      ...generateFineTuneCells(r, { ...options.fineTune, style }, provenance)
    );
  }
  md(
    'methods-why',
    'The Methods paragraph is written by the next cell when it runs, from ' +
      'what this notebook measured and compared with the browser run.'
  );
  code('methods', methodsCell(methodsDescription(r)));
  return cells;
}

/** A complete nbformat 4 notebook holding `cells` (for new notebooks, tests). */
export function toNotebookJSON(
  cells: IGeneratedCell[]
): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      },
      language_info: { name: 'python' }
    },
    cells: cells.map((c, i) => ({
      cell_type: c.cell_type,
      id: `bioimage-${i}`,
      metadata: c.metadata,
      source: c.source,
      ...(c.cell_type === 'code' ? { outputs: [], execution_count: null } : {})
    }))
  };
}
