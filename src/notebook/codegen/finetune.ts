/**
 * The fine-tuning cells: a Markdown cell saying why each safeguard exists
 * and a self-contained code cell that fine-tunes the run's model in the
 * kernel with `jupyterlab_bioimage.finetune.fine_tune` (PyTorch on the CPU,
 * from the model's TorchScript weights). Pure: no JupyterLab imports.
 *
 * Every string from the record or the options is written with
 * {@link pyStr}/{@link pyLiteral} (code) or {@link mdText} (Markdown);
 * numbers are validated first and written with {@link pyNumber}.
 */
import type { IGeneratedCell, IProvenance } from './types';
import type {
  CodeStyle,
  FineTuneTask,
  IFineTuneOptions
} from '../../core/record/options';

export type { FineTuneTask, IFineTuneOptions };
import { mdText, pyLiteral, pyNumber, pyStr, PyValue } from './python-literal';
import {
  IRunRecord,
  runProvenance,
  validateRunRecord
} from '../../core/record/run-record';

/** Thrown when the record or the options are invalid; nothing is generated. */
export class FineTuneOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot generate the fine-tuning cells: ${problems.join('; ')}`);
    this.name = 'FineTuneOptionsError';
  }
}

const IMAGE_METRICS = ['psnr', 'ssim', 'nrmse'];

/** The options with their defaults filled in (paths from the record). */
interface IResolved {
  task: FineTuneTask;
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  cropSize: number;
  learningRate: number;
  freezeFraction: number;
  valFraction: number;
  tileSize: number | null;
  seed: number;
  images: string[];
  targets: string[];
  outputDir: string;
}

function resolve(r: IRunRecord, o: IFineTuneOptions): IResolved {
  const requested = r.metrics.requested;
  const imageOnly =
    requested.length > 0 && requested.every(m => IMAGE_METRICS.includes(m));
  const truth = r.metrics.groundTruthPath;
  return {
    task: o.task ?? (imageOnly ? 'restoration' : 'segmentation'),
    epochs: o.epochs ?? 3,
    stepsPerEpoch: o.stepsPerEpoch ?? 20,
    batchSize: o.batchSize ?? 4,
    cropSize: o.cropSize ?? 32,
    learningRate: o.learningRate ?? 1e-4,
    freezeFraction: o.freezeFraction ?? 0.5,
    valFraction: o.valFraction ?? 0.25,
    tileSize: o.tileSize === undefined ? 128 : o.tileSize,
    seed: o.seed ?? 0,
    images: o.trainImagePaths ?? [r.image.path],
    targets: o.trainTargetPaths ?? (truth !== undefined ? [truth] : []),
    outputDir: o.outputDir ?? `${r.outputDir ?? 'bioimage-results'}/finetune`
  };
}

/** All problems of the resolved options (empty when they are valid). */
function problemsOf(v: IResolved): string[] {
  const errors: string[] = [];
  const int = (name: string, n: unknown, min: number, max: number) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      errors.push(`${name} must be an integer from ${min} to ${max}`);
    }
  };
  if (v.task !== 'segmentation' && v.task !== 'restoration') {
    errors.push('task must be segmentation or restoration');
  }
  int('epochs', v.epochs, 1, 1000);
  int('stepsPerEpoch', v.stepsPerEpoch, 1, 100000);
  int('batchSize', v.batchSize, 1, 1024);
  int('cropSize', v.cropSize, 1, 4096);
  int('seed', v.seed, 0, 2 ** 32 - 1);
  if (v.tileSize !== null) {
    int('tileSize', v.tileSize, 16, 65536);
  }
  const lr = v.learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0 || lr > 1) {
    errors.push('learningRate must be a number in (0, 1]');
  }
  const ff = v.freezeFraction;
  if (typeof ff !== 'number' || !(ff >= 0 && ff < 1)) {
    errors.push('freezeFraction must be in [0, 1)');
  }
  const vf = v.valFraction;
  if (typeof vf !== 'number' || !(vf > 0 && vf < 1)) {
    errors.push('valFraction must be in (0, 1)');
  }
  const isPaths = (list: unknown) =>
    Array.isArray(list) &&
    list.length > 0 &&
    list.every(p => typeof p === 'string' && p.length > 0);
  if (!isPaths(v.images)) {
    errors.push('trainImagePaths must be a non-empty list of paths');
  }
  if (Array.isArray(v.targets) && !v.targets.length) {
    errors.push(
      'fine-tuning needs targets: give trainTargetPaths or run with a ground truth'
    );
  } else if (!isPaths(v.targets)) {
    errors.push('trainTargetPaths must be a non-empty list of paths');
  } else if (isPaths(v.images) && v.images.length !== v.targets.length) {
    errors.push('trainImagePaths and trainTargetPaths need one path each');
  }
  if (typeof v.outputDir !== 'string' || !v.outputDir.length) {
    errors.push('outputDir must be a non-empty string');
  }
  return errors;
}

/** The fine-tuning parameters for the cells' provenance metadata. */
function fineTuneParameters(v: IResolved): Record<string, unknown> {
  return {
    task: v.task,
    epochs: v.epochs,
    stepsPerEpoch: v.stepsPerEpoch,
    batchSize: v.batchSize,
    cropSize: v.cropSize,
    learningRate: v.learningRate,
    freezeFraction: v.freezeFraction,
    valFraction: v.valFraction,
    tileSize: v.tileSize,
    seed: v.seed,
    trainImagePaths: v.images,
    trainTargetPaths: v.targets,
    outputDir: v.outputDir
  };
}

function percent(f: number): string {
  return `${Number((f * 100).toPrecision(3))} %`;
}

function whyText(r: IRunRecord, v: IResolved): string {
  const unit = v.tileSize === null ? 'image' : 'tile';
  const split =
    v.tileSize === null
      ? 'whole images'
      : `non-overlapping tiles of ${v.tileSize} px`;
  const qc =
    v.task === 'segmentation'
      ? 'IoU and F1 at IoU 0.5 of the objects, with the threshold, minimum size and method above'
      : 'PSNR and SSIM against the clean image';
  return [
    `### Fine-tune ${mdText(r.model.name)} on your own annotated images`,
    '',
    "Fine-tuning runs in this kernel with PyTorch on the CPU, from the model's " +
      'TorchScript weights (`pip install torch` if it is missing). ' +
      `The new weights and a report go to ${mdText(v.outputDir)}. Each safeguard has a reason:`,
    '',
    `- **Pinned model.** The description must be the one of the model that ran (weights sha256 \`${r.model.weightsSha256}\`), ` +
      'and the TorchScript weights must have the sha256 it lists: any other file is refused before it is loaded.',
    "- **The model's own preprocessing**, on whole images as at inference: the network learnt " +
      'on data normalised this way, and other statistics would shift what it sees.',
    `- **Early layers frozen** (the first ${percent(v.freezeFraction)} of the layers, input side first): ` +
      "they hold generic features learnt from the model's large training set. A few new images " +
      'cannot improve them but can overfit them and erase what they know; the later layers adapt.',
    `- **A held-out split by ${unit}** (${percent(v.valFraction)} of the ${split}, seed ${v.seed}): ` +
      'scores on images the model was trained on say nothing about new images. Training crops never ' +
      'reach into a held-out ' +
      `${unit}, and too little data to hold anything out is refused rather than scored on the training data.`,
    `- **QC before and after** on the held-out part (${qc}): fine-tuning can make a model worse. ` +
      'Keep the new weights only if the held-out scores improve.',
    `- **Short training on small random crops** (${v.epochs} epochs of ${v.stepsPerEpoch} steps, ` +
      `${v.batchSize} crops of ${v.cropSize} px with flips and rotations): each crop carries the ` +
      "model's halo of real image context, so the loss never sees padding.",
    '- **A report** next to the weights (base model, sha256s, every parameter, the split, ' +
      'the scores and the software versions), for the methods section and to redo the run.'
  ].join('\n');
}

function codeText(r: IRunRecord, v: IResolved, style: CodeStyle): string {
  const m = r.model;
  const p = r.postprocessing;
  return [
    '# Fine-tuning in the kernel (PyTorch, CPU); see the cell above for why each step.',
    'from pathlib import Path',
    '',
    'from jupyterlab_bioimage import analysis as bia',
    'from jupyterlab_bioimage import finetune',
    '',
    `MODEL_SOURCE = ${pyStr(m.source)}`,
    `WEIGHTS_SHA256 = ${pyStr(m.weightsSha256)}`,
    `DESCRIPTION_SHA256 = ${pyLiteral(m.descriptionSha256 ?? null)}`,
    `FILE_AXES = ${pyStr(r.image.axes)}`,
    `SELECT = ${pyLiteral((r.image.select ?? {}) as PyValue)}`,
    `CHANNELS = ${pyLiteral((r.image.channels ?? null) as PyValue)}`,
    `INPUT_AXES = ${pyLiteral(m.inputAxes)}`,
    `OUTPUT_AXES = ${pyLiteral(m.outputAxes)}`,
    `PREPROCESSING = ${pyLiteral(m.preprocessing as unknown as PyValue)}`,
    `POSTPROCESSING = ${pyLiteral(m.postprocessing as unknown as PyValue)}`,
    `OUTPUT_CHANNEL = ${pyNumber(p.channel ?? 0)}`,
    `THRESHOLD = ${pyNumber(p.threshold ?? 0.5)}`,
    `MIN_SIZE = ${pyNumber(p.minSize ?? 0)}`,
    `INSTANCE_METHOD = ${pyStr(p.instanceMethod ?? 'connected_components')}`,
    `TRAIN_IMAGES = ${pyLiteral(v.images)}`,
    `TRAIN_TARGETS = ${pyLiteral(v.targets)}`,
    `TASK = ${pyStr(v.task)}`,
    `EPOCHS = ${pyNumber(v.epochs)}`,
    `STEPS_PER_EPOCH = ${pyNumber(v.stepsPerEpoch)}`,
    `BATCH_SIZE = ${pyNumber(v.batchSize)}`,
    `CROP_SIZE = ${pyNumber(v.cropSize)}`,
    `LEARNING_RATE = ${pyNumber(v.learningRate)}`,
    `FREEZE_FRACTION = ${pyNumber(v.freezeFraction)}`,
    `VAL_FRACTION = ${pyNumber(v.valFraction)}`,
    `TILE_SIZE = ${pyLiteral(v.tileSize)}`,
    `SEED = ${pyNumber(v.seed)}`,
    `FINETUNE_DIR = Path(${pyStr(v.outputDir)})`,
    `FINETUNE_PROVENANCE = ${pyLiteral(runProvenance(r, style))}`,
    '',
    '# The model that ran, pinned by sha256; its description lists the TorchScript weights.',
    'model_files = bia.fetch_model(MODEL_SOURCE, weights_sha256=WEIGHTS_SHA256,',
    '                              description_sha256=DESCRIPTION_SHA256)',
    'images, targets = [], []',
    'for image_path, target_path in zip(TRAIN_IMAGES, TRAIN_TARGETS):',
    '    image, image_axes = bia.select_planes(bia.load_image(image_path), FILE_AXES, SELECT)',
    '    images.append(bia.image_to_input(image, image_axes, INPUT_AXES, channels=CHANNELS))',
    '    targets.append(bia.select_planes(bia.load_image(target_path), FILE_AXES, SELECT)[0])',
    '',
    'finetune_report = finetune.fine_tune(',
    '    model_files.rdf, images, targets, task=TASK,',
    '    epochs=EPOCHS, steps_per_epoch=STEPS_PER_EPOCH, batch_size=BATCH_SIZE,',
    '    crop_size=CROP_SIZE, lr=LEARNING_RATE,',
    '    freeze_fraction=FREEZE_FRACTION,  # early layers keep their weights',
    '    val_fraction=VAL_FRACTION, tile_size=TILE_SIZE, seed=SEED,  # held-out split',
    '    channel=OUTPUT_CHANNEL, threshold=THRESHOLD, min_size=MIN_SIZE,',
    '    instance_method=INSTANCE_METHOD,  # objects for QC, as in the analysis',
    '    input_axes=INPUT_AXES, output_axes=OUTPUT_AXES,',
    '    preprocessing=PREPROCESSING, postprocessing=POSTPROCESSING,',
    '    weights_sha256=WEIGHTS_SHA256, description_sha256=DESCRIPTION_SHA256,',
    '    model_source=MODEL_SOURCE, out_dir=FINETUNE_DIR, provenance=FINETUNE_PROVENANCE,',
    ')',
    'finetune.print_report(finetune_report)',
    'print("fine-tuned weights and report:", FINETUNE_DIR)'
  ].join('\n');
}

/**
 * The fine-tuning cells for `record`: a Markdown "why" cell, then the code.
 *
 * `provenance` is the metadata factory of the other generated cells (see
 * `generateCells`); the fine-tuning parameters are added to its
 * `parameters` as `fineTune`. Without it, the same fields are filled from
 * the record.
 *
 * @throws FineTuneOptionsError when the record or the options are invalid.
 */
export function generateFineTuneCells(
  record: IRunRecord,
  options: IFineTuneOptions = {},
  provenance?: (step: string) => IProvenance
): IGeneratedCell[] {
  const recordProblems = validateRunRecord(record);
  if (recordProblems.length) {
    throw new FineTuneOptionsError(recordProblems);
  }
  const v = resolve(record, options);
  const problems = problemsOf(v);
  if (problems.length) {
    throw new FineTuneOptionsError(problems);
  }
  const style: CodeStyle = options.style ?? 'core';
  const m = record.model;
  const base =
    provenance ??
    ((step: string): IProvenance => ({
      generator: 'jupyterlab-bioimage',
      step,
      style,
      modelId: m.id,
      modelVersion: m.version,
      modelSource: m.source,
      weightsSha256: m.weightsSha256,
      descriptionSha256: m.descriptionSha256 ?? null,
      parameters: {},
      backend: record.backend,
      extensionVersion: record.extensionVersion,
      runTime: record.timestamp,
      generatedAt: options.now ?? new Date().toISOString()
    }));
  const meta = (step: string): { bioimage: IProvenance } => {
    const p = base(step);
    return {
      bioimage: {
        ...p,
        parameters: { ...p.parameters, fineTune: fineTuneParameters(v) }
      }
    };
  };
  return [
    {
      cell_type: 'markdown',
      source: whyText(record, v),
      metadata: meta('finetune-why')
    },
    {
      cell_type: 'code',
      source: codeText(record, v, style),
      metadata: meta('finetune')
    }
  ];
}
