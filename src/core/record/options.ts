/**
 * What the user chose for the report a run ends with: the code style of the
 * generated cells and the fine-tuning options. Pure data, part of the run
 * record's vocabulary, so the notebook writer's token can name them without
 * importing the generators.
 */

/** Code style of the generated cells. */
export type CodeStyle = 'core' | 'numpy';

/** What the model is fine-tuned for (it decides the targets, loss and QC metrics). */
export type FineTuneTask = 'segmentation' | 'restoration';

/** Options of {@link generateFineTuneCells}. */
export interface IFineTuneOptions {
  /**
   * Default: `restoration` when the run's metrics are only image metrics
   * (psnr, ssim, nrmse), else `segmentation`.
   */
  task?: FineTuneTask;
  /** Passes over `stepsPerEpoch` batches (default 3). */
  epochs?: number;
  /** Adam steps per epoch (default 20). */
  stepsPerEpoch?: number;
  /** Random crops per step (default 4). */
  batchSize?: number;
  /** Side of the region of each crop the loss sees, in pixels (default 32). */
  cropSize?: number;
  /** Adam learning rate (default 1e-4). */
  learningRate?: number;
  /** Fraction of the layers, input side first, that stay frozen (default 0.5; [0, 1)). */
  freezeFraction?: number;
  /** Fraction of the images/tiles held out for QC (default 0.25; (0, 1)). */
  valFraction?: number;
  /**
   * Cut each image into non-overlapping tiles of this size, the units of the
   * held-out split (default 128); null: whole images.
   */
  tileSize?: number | null;
  /** Seed of the split, the crops and the initialisation (default 0). */
  seed?: number;
  /**
   * Training images (default: the record's image), with the same axes as the
   * record's image. Written as given: relative to the kernel's working
   * directory (the notebook's) or absolute.
   */
  trainImagePaths?: string[];
  /**
   * One target per training image (default: the record's ground truth):
   * instance labels (segmentation) or the clean image (restoration).
   */
  trainTargetPaths?: string[];
  /** Where the fine-tuned weights and the report go (default `<outputDir>/finetune`). */
  outputDir?: string;
  /** Style written into the provenance (default `core`). */
  style?: CodeStyle;
  /** Time written into `generatedAt` (default now); fixed in tests. */
  now?: string;
}
