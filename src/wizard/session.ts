/**
 * The wizard's controller: the user's choices (an {@link IWizardState}) and
 * everything computed from them — the image and its summary, the ranked
 * models, the normalised preview, the prediction, the model test, the
 * domain-shift report, metrics against ground truth and the TTA map. The
 * step views only read it and call its methods; it never touches the DOM.
 */
import { PathExt } from '@jupyterlab/coreutils';
import type { Contents, ServiceManager } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { readNpy } from '../core/tensor/npy';
import type { IRunRecord } from '../core/record/run-record';
import {
  CancelledError,
  type IRunningRequest
} from '../core/inference/requests';
import {
  descriptionUrl,
  readFileBytes,
  writeFileBytes
} from '../jupyter/files';
import { imageToInput } from '../core/inference/axes';
import {
  D4_TRANSFORMS,
  applyPlaneTransform,
  consistencyScore,
  disagreementMap,
  invertPlaneTransform,
  type ITtaConsistency
} from '../core/metrics';
import { runPreprocessing } from '../core/inference/processing';
import type { IPredictReport, ITestReport } from '../core/inference/protocol';
import type { INDArray, ITensor } from '../core/tensor/tensor';
import { toFloat64 } from '../core/tensor/tensor';
import type { IInferenceService, IZooCatalog } from '../tokens';
import { decodeImage, encodeTiff, type IDecodedImage } from '../core/formats';
import type { ICatalogEntry } from '../core/catalog/types';
import { sha256Hex } from '../core/package/sha256';
import type { IModelDescription, IProcessingStep } from '../core/spec/types';
import { centreCrop, fixAxes, instanceLabels } from '../core/analysis/arrays';
import {
  calibrateThreshold,
  restorationMetrics,
  segmentationMetrics,
  type IThresholdCalibration
} from '../core/analysis/validation';
import { buildRunRecord } from './record';
import { compareWithReference } from '../core/analysis/domain-shift';
import { rescaledSize, resizeYX } from '../core/analysis/rescale';
import {
  documentedLimitations,
  type IDocumentedSection
} from '../core/analysis/limitations';
import { rankModels, type IModelFit } from '../core/analysis/fit';
import {
  summariseImage,
  type IImageSummary
} from '../core/analysis/image-summary';
import {
  CROP_TRANSFORMS,
  firstPlane,
  firstPlaneOf,
  middlePlane,
  modelPixelUm,
  sample,
  selectionFor
} from '../core/analysis/planes';
import type {
  ICandidatePreview,
  ICropPreview,
  IInputPreview,
  IWizardMetrics,
  IWizardResult
} from './results';
import { initialState, type IWizardState } from './state';

export type {
  ICandidatePreview,
  ICropPreview,
  IInputPreview,
  IWizardMetrics,
  IWizardResult
};

/** Services the session works with. */
export interface IWizardServices {
  contents: Contents.IManager;
  serviceManager?: ServiceManager.IManager;
  inference: IInferenceService;
  zoo: IZooCatalog;
  /** Show result arrays over the image in the viewer. */
  showOverlay?(
    imagePath: string,
    name: string,
    array: INDArray,
    kind: 'labels' | 'heatmap'
  ): Promise<void>;
  extensionVersion: string;
}

/** The state and computations of one wizard panel. */
export class WizardSession {
  constructor(
    private readonly _services: IWizardServices,
    state: IWizardState
  ) {
    this._state = state;
    const catalog = _services.zoo.catalog;
    catalog.changed.connect(this._onCatalog, this);
    catalog.testStatusChanged.connect(this._onCatalog, this);
  }

  /** Any change of state or results. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Progress of the running request: tiles done and total. */
  get progress(): { done: number; total: number; what: string } | null {
    return this._progress;
  }
  get state(): Readonly<IWizardState> {
    return this._state;
  }
  get image(): IDecodedImage | null {
    return this._image;
  }
  get summary(): IImageSummary | null {
    return this._summary;
  }
  get fits(): readonly IModelFit[] {
    return this._fits;
  }
  get entry(): ICatalogEntry | undefined {
    const key = this._state.modelKey;
    return key ? this._services.zoo.catalog.entry(key) : undefined;
  }
  get model(): IModelDescription | undefined {
    const key = this._state.modelKey;
    return key ? this._services.zoo.catalog.model(key) : undefined;
  }
  get fit(): IModelFit | undefined {
    return this._fits.find(f => f.key === this._state.modelKey);
  }
  get preview(): IInputPreview | null {
    return this._preview;
  }
  get result(): IWizardResult | null {
    return this._result;
  }
  get testReport(): ITestReport | null {
    return this._test;
  }
  get metrics(): IWizardMetrics | null {
    return this._metrics;
  }
  /** List every ranked model, not only the best (a view choice, not kept). */
  get showAllModels(): boolean {
    return this._showAll;
  }
  setShowAllModels(all: boolean): void {
    this._showAll = all;
    this._changed.emit();
  }
  get comparison(): readonly ICandidatePreview[] | null {
    return this._comparison;
  }
  get cropPreview(): ICropPreview | null {
    return this._cropPreview;
  }
  get calibration(): IThresholdCalibration | null {
    return this._calibration;
  }
  get tta(): ITtaConsistency | null {
    return this._tta;
  }
  /** The last error message of an action, shown by the step views. */
  get error(): string | null {
    return this._error;
  }
  /** What is running now ('' when idle). */
  get busy(): string {
    return this._busy;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Change choices; results that depend on them are dropped. */
  update(patch: Partial<IWizardState>): void {
    const before = this._state;
    this._state = { ...before, ...patch };
    const inputChanged = (
      ['channels', 'zPlane', 'percentiles', 'modelKey', 'rescale'] as const
    ).some(k => JSON.stringify(before[k]) !== JSON.stringify(this._state[k]));
    if (inputChanged) {
      this._preview = null;
      this._result = null;
      this._metrics = null;
      this._tta = null;
      this._calibration = null;
    } else if (
      (
        [
          'threshold',
          'minSize',
          'instanceMethod',
          'outputChannel',
          'outputId'
        ] as const
      ).some(k => before[k] !== this._state[k]) &&
      this._result
    ) {
      this._relabel();
    }
    if (patch.modelKey !== undefined && patch.modelKey !== before.modelKey) {
      this._test = null;
    }
    if (before.wantedTask !== this._state.wantedTask) {
      this._rank();
    }
    if (before.groundTruthPath !== this._state.groundTruthPath) {
      this._groundTruth = null;
      this._metrics = null;
      this._calibration = null;
    }
    this._changed.emit();
  }

  /** Read and decode the image, summarise it and rank the models. */
  async loadImage(): Promise<void> {
    await this._do('Reading the image', async () => {
      const path = this._state.imagePath;
      const bytes = await readFileBytes(this._services.contents, path);
      this._image = await decodeImage(bytes, PathExt.basename(path));
      this._summary = summariseImage(
        this._image,
        this._image.array,
        PathExt.basename(path)
      );
      this._rank();
    });
  }

  /** The model's documented intended use and limitations (loaded on demand). */
  get limitations(): readonly IDocumentedSection[] | null {
    return this._limitations?.key === this._state.modelKey
      ? this._limitations.sections
      : null;
  }

  /**
   * Read the chosen model's documentation and keep the sections on intended
   * use and limitations; an unreadable documentation is reported, not fatal.
   */
  async loadLimitations(): Promise<void> {
    const entry = this.entry;
    const model = this.model;
    const key = this._state.modelKey;
    if (!entry || !model || !key || this._limitations?.key === key) {
      return;
    }
    let sections: IDocumentedSection[] = [];
    if (model.documentation) {
      try {
        const bytes = await this._services.zoo.catalog.fetcher.read(
          entry.location,
          model.documentation
        );
        sections = documentedLimitations(new TextDecoder().decode(bytes));
      } catch (error) {
        sections = [
          {
            heading: 'Documentation',
            text: `could not be read: ${(error as Error).message}`
          }
        ];
      }
    }
    this._limitations = { key, sections };
    this._changed.emit();
  }

  /** Choose a model: take the fit's suggested channels and plane. */
  chooseModel(key: string): void {
    const fit = this._fits.find(f => f.key === key);
    const model = this._services.zoo.catalog.model(key);
    this.update({
      modelKey: key,
      channels: fit?.channels ?? null,
      zPlane: fit?.select?.z ?? null,
      percentiles: null,
      outputId: model?.outputs[0]?.id ?? null,
      outputChannel: 0,
      step: 'adapt'
    });
  }

  /** The preprocessing to run: the model's, with the user's percentiles. */
  preprocessing(): IProcessingStep[] {
    const steps = this.model?.inputs[0]?.processing ?? [];
    const p = this._state.percentiles;
    if (!p) {
      return steps;
    }
    return steps.map(s =>
      s.id === 'scale_range'
        ? {
            ...s,
            kwargs: {
              ...s.kwargs,
              min_percentile: p.min,
              max_percentile: p.max
            }
          }
        : s
    );
  }

  /** Image channels fed along the model's channel axis (undefined: all, or none). */
  channelsFed(): number[] | undefined {
    const hasChannel = this.model?.inputs[0]?.axes.some(
      a => a.id === 'channel'
    );
    return hasChannel ? (this._state.channels ?? undefined) : undefined;
  }

  /**
   * Image and model-grid (height, width) when the image is resampled to the
   * model's pixel size: only when asked for and both pixel sizes are known.
   */
  rescaleSize(): {
    factor: number;
    image: [number, number];
    model: [number, number];
  } | null {
    const um = this._summary?.pixelSizeUm?.x;
    const model = this.model;
    const modelUm = model ? modelPixelUm(model) : undefined;
    if (!this._state.rescale || !um || !modelUm || !this._summary) {
      return null;
    }
    const factor = um / modelUm;
    const { y, x } = this._summary.sizes;
    const to: [number, number] = [
      rescaledSize(y, factor),
      rescaledSize(x, factor)
    ];
    return to[0] === y && to[1] === x
      ? null
      : { factor, image: [y, x], model: to };
  }

  /** Axes of the image fixed to one index for the model (z for a 2D model, t). */
  selection(): Record<string, number> {
    const model = this.model;
    const summary = this._summary;
    if (!model || !summary) {
      return {};
    }
    const ids = new Set(model.inputs[0].axes.map(a => a.id));
    // A model without a channel axis takes one image channel, fixed here.
    const select: Record<string, number> = {};
    if (!ids.has('channel') && summary.sizes.c > 1) {
      select.c = this._state.channels?.[0] ?? this.fit?.select?.c ?? 0;
    }
    if (summary.sizes.t > 1 && !ids.has('time')) {
      select.t = 0;
    }
    if (summary.sizes.z > 1 && !ids.has('z')) {
      select.z = this._state.zPlane ?? Math.floor(summary.sizes.z / 2);
    }
    return select;
  }

  /**
   * What the model sees: the image after the (adjusted) preprocessing, next
   * to the model's own test input after the same steps, and the shift report.
   */
  async computePreview(): Promise<void> {
    const model = this.model;
    const entry = this.entry;
    const image = this._image;
    if (!model || !entry || !image || !this._summary) {
      return;
    }
    await this._do('Normalising the input', async () => {
      const descr = { ...model.inputs[0], processing: this.preprocessing() };
      const adjusted: IModelDescription = {
        ...model,
        inputs: [descr, ...model.inputs.slice(1)]
      };
      const { tensor } = imageToInput(image.array, image.axes, descr, {
        channels: this.channelsFed(),
        select: this.selection()
      });
      const user = runPreprocessing(
        adjusted,
        new Map([[descr.id, tensor]])
      ).get(descr.id) as ITensor;
      let reference: ITensor | null = null;
      if (descr.testTensor) {
        const bytes = await this._services.zoo.catalog.fetcher.read(
          entry.location,
          descr.testTensor.source,
          descr.testTensor.sha256
        );
        const raw = readNpy(bytes);
        const t: ITensor = { ...raw, axes: descr.axes.map(a => a.id) };
        reference = runPreprocessing(adjusted, new Map([[descr.id, t]])).get(
          descr.id
        ) as ITensor;
      }
      const modelDims = descr.axes.some(a => a.id === 'z') ? 3 : 2;
      const usedDims = tensor.axes.includes('z') ? 3 : 2;
      this._preview = {
        user: sample(toFloat64(user.data)),
        reference: reference ? sample(toFloat64(reference.data)) : null,
        shift: reference
          ? compareWithReference({
              user: middlePlane(user),
              reference: middlePlane(reference),
              userPixelSizeUm: this._summary?.pixelSizeUm?.x,
              modelPixelSizeUm: modelPixelUm(model),
              // What is fed: one plane of a stack is 2D for a 2D model.
              userDims: usedDims,
              modelDims
            })
          : null
      };
    });
  }

  /** Run the model on the whole image in the inference worker. */
  async run(): Promise<void> {
    await this._do('Running the model', async () => {
      const image = this._requireImage();
      const modelKey = await this._open();
      const tile = this._state.tile;
      const rescale = this.rescaleSize();
      let input = {
        array: image.array,
        axes: image.axes.toLowerCase(),
        select: this.selection()
      };
      if (rescale) {
        // Resample the plane(s) the model sees; the result comes back below.
        const fixed = fixAxes(
          { array: image.array, axes: [...input.axes] },
          input.select
        );
        input = {
          array: resizeYX(fixed.array, fixed.axes, ...rescale.model),
          axes: fixed.axes.join(''),
          select: {}
        };
      }
      const running = this._services.inference.client.predict(
        modelKey,
        [{ ...input, channels: this.channelsFed() }],
        tile ? { y: tile, x: tile } : undefined,
        [this._state.percentiles ? this.preprocessing() : null]
      );
      let report = await this._track(running, 'Running the model');
      if (rescale) {
        report = {
          ...report,
          outputs: report.outputs.map(o =>
            o.axes.includes('y') && o.axes.includes('x')
              ? { ...o, array: resizeYX(o.array, o.axes, ...rescale.image) }
              : o
          )
        };
      }
      const outId = this._state.outputId ?? report.outputs[0]?.id;
      const out = report.outputs.find(o => o.id === outId) ?? report.outputs[0];
      this._result = {
        report,
        output: { array: out.array, axes: out.axes },
        probability: out.array,
        labels: null,
        objectCount: 0,
        preprocessing: this.preprocessing()
      };
      this._metrics = null;
      this._relabel();
      await this._showResult();
    });
  }

  /** Run the model's own test in this browser (untiled). */
  async testModel(): Promise<void> {
    await this._do('Testing the model', async () => {
      const modelKey = await this._open();
      const running = this._services.inference.client.test(modelKey);
      const report = await this._track(running, 'Testing the model');
      this._test = report;
      const key = this._state.modelKey as string;
      this._services.zoo.catalog.setTestStatus(key, {
        passed: report.passed,
        maxAbsDiff: Math.max(...report.outputs.map(o => o.maxAbsDiff)),
        backend: report.backend,
        milliseconds: report.milliseconds
      });
    });
  }

  /** Compare the result with the ground truth the user picked. */
  async evaluate(): Promise<void> {
    await this._do('Computing metrics', async () => {
      const result = this._requireResult();
      const gt = await this._loadGroundTruth();
      this._metrics = result.labels
        ? segmentationMetrics(gt, result.labels)
        : restorationMetrics(gt, result.probability);
    });
  }

  /**
   * Find the threshold whose labels match the ground truth best (F1 at IoU
   * 0.5). Calibrating and validating on the same image is optimistic: the
   * view says so.
   */
  async calibrate(): Promise<void> {
    await this._do('Calibrating the threshold', async () => {
      const result = this._requireResult();
      const gt = await this._loadGroundTruth();
      this._calibration = calibrateThreshold(
        [{ probability: result.probability, groundTruth: gt }],
        {
          minSize: this._state.minSize,
          method: this._state.instanceMethod,
          boundaries: [this._boundary()]
        }
      );
    });
  }

  /**
   * Test-time augmentation: predict the 8 flips/rotations of the (2D) input,
   * undo each, and show where the predictions disagree.
   */
  async runTta(): Promise<void> {
    await this._do('Test-time augmentation', async () => {
      const image = this._requireImage();
      const modelKey = await this._open();
      const select = this.selection();
      const axes = [...image.axes.toLowerCase()];
      const base = fixAxes({ array: image.array, axes }, select);
      if (!base.axes.slice(-2).every((a, i) => a === 'yx'[i])) {
        throw new Error('TTA needs an image whose last axes are y and x');
      }
      const preds: INDArray[] = [];
      let n = 0;
      for (const t of D4_TRANSFORMS) {
        const input = applyPlaneTransform(base.array, t);
        const running = this._services.inference.client.predict(
          modelKey,
          [
            {
              array: input,
              axes: base.axes.join(''),
              channels: this.channelsFed()
            }
          ],
          undefined,
          [this._state.percentiles ? this.preprocessing() : null]
        );
        const report = await this._track(
          running,
          `Augmentation ${++n} of ${D4_TRANSFORMS.length}`
        );
        const out = this._pickOutput(report);
        preds.push(invertPlaneTransform(out, t));
      }
      this._tta = consistencyScore(preds, this._state.threshold);
      const map = disagreementMap(preds);
      await this._services.showOverlay?.(
        this._state.imagePath,
        'TTA disagreement',
        map,
        'heatmap'
      );
    });
  }

  /** Save the result (and labels) as TIFF next to the image; returns the paths. */
  async saveResult(): Promise<string[]> {
    const result = this._result;
    if (!result) {
      return [];
    }
    const stem = this._stem();
    const saved: string[] = [];
    const save = async (suffix: string, array: INDArray) => {
      const letters = array.shape.length === 3 ? 'ZYX' : 'YX';
      const path = `${stem}_${suffix}.tif`;
      await writeFileBytes(
        this._services.contents,
        path,
        encodeTiff(array, letters)
      );
      saved.push(path);
    };
    await save(
      result.report.outputs[0] ? this._outputName() : 'output',
      result.probability
    );
    if (result.labels) {
      await save('labels', result.labels);
    }
    return saved;
  }

  /**
   * The label-free comparison of the top candidates: each runs on a centred
   * crop and on 3 flips/rotations of it; how much the de-augmented outputs
   * agree hints at which model is stable on these data.
   */
  async compareCandidates(count = 3, size = 256): Promise<void> {
    await this._do('Comparing the top models', async () => {
      const image = this._requireImage();
      const picks = this._fits.filter(f => f.runnable).slice(0, count);
      const previews: ICandidatePreview[] = [];
      for (const fit of picks) {
        const entry = this._services.zoo.catalog.entry(fit.key);
        if (!entry) {
          continue;
        }
        const modelKey = await this._open(entry);
        const select = selectionFor(image.axes, fit.select ?? {});
        const crop = centreCrop(
          fixAxes(
            { array: image.array, axes: [...image.axes.toLowerCase()] },
            select
          ),
          size
        );
        const outputs: INDArray[] = [];
        for (const t of CROP_TRANSFORMS) {
          const running = this._services.inference.client.predict(modelKey, [
            {
              array: applyPlaneTransform(crop.array, t),
              axes: crop.axes.join(''),
              channels:
                fit.channels && !('c' in select) ? fit.channels : undefined
            }
          ]);
          const report = await this._track(running, fit.name);
          outputs.push(invertPlaneTransform(firstPlane(report), t));
        }
        const segmentation = entry.tasks.includes('segmentation');
        previews.push({
          key: fit.key,
          name: fit.name,
          input: firstPlaneOf(crop),
          output: outputs[0],
          consistency: consistencyScore(outputs, this._state.threshold),
          segmentation
        });
      }
      this._comparison = previews;
    });
  }

  /** Run the chosen model on a centred crop, before the full run. */
  async previewCrop(size = 256): Promise<void> {
    await this._do('Preview on a crop', async () => {
      const image = this._requireImage();
      const modelKey = await this._open();
      const select = this.selection();
      const crop = centreCrop(
        fixAxes(
          { array: image.array, axes: [...image.axes.toLowerCase()] },
          select
        ),
        size
      );
      const running = this._services.inference.client.predict(
        modelKey,
        [
          {
            array: crop.array,
            axes: crop.axes.join(''),
            channels: this.channelsFed()
          }
        ],
        undefined,
        [this._state.percentiles ? this.preprocessing() : null]
      );
      const report = await this._track(running, 'Preview on a crop');
      const output = this._pickOutput(report);
      const segmentation = this.entry?.tasks.includes('segmentation') ?? false;
      this._cropPreview = {
        input: firstPlaneOf(crop),
        output,
        labels: segmentation
          ? instanceLabels(output, {
              threshold: this._state.threshold,
              minSize: this._state.minSize,
              method:
                this._state.instanceMethod === 'watershed'
                  ? 'connected_components'
                  : this._state.instanceMethod
            })
          : null
      };
    });
  }

  /** The run record for the notebook writer (throws when nothing ran). */
  runRecord(): IRunRecord {
    const model = this.model;
    const entry = this.entry;
    const result = this._result;
    if (!model || !entry || !result) {
      throw new Error('run the model first');
    }
    return buildRunRecord({
      entry,
      model,
      state: this._state,
      imageAxes: this._requireImage().axes,
      selection: this.selection(),
      rescale: this.rescaleSize()?.model,
      channelsFed: this.channelsFed(),
      preprocessing: result.preprocessing,
      segmentation: result.labels !== null,
      backend: result.report.backend,
      metrics: this._metrics?.values ?? {},
      descriptionSha256: this._descriptionSha,
      extensionVersion: this._services.extensionVersion
    });
  }

  /**
   * Whether a fine-tuning cell can be written: the model has TorchScript
   * weights (fine-tuning runs in PyTorch) and there is ground truth to train on.
   */
  canFineTune(): boolean {
    const torch = this.model?.weights.some(w => w.format === 'torchscript');
    return !!torch && !!this._state.groundTruthPath && !!this._result;
  }

  /** Cancel whatever is running. */
  cancel(): void {
    this._running?.cancel();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.cancel();
    for (const modelKey of this._opened.values()) {
      void this._services.inference.client.close(modelKey);
    }
    Signal.clearData(this);
  }

  private _onCatalog(): void {
    if (this._summary) {
      this._rank();
      this._changed.emit();
    }
  }

  private _rank(): void {
    const catalog = this._services.zoo.catalog;
    const summary = this._summary;
    if (!summary) {
      return;
    }
    this._fits = rankModels(
      summary,
      catalog.entries.map(entry => ({
        entry,
        model: catalog.model(entry.key),
        test: catalog.testStatus(entry.key)
      })),
      this._state.wantedTask || undefined
    );
  }

  /** Run an action: one at a time, errors kept for the view, state announced. */
  private async _do(what: string, action: () => Promise<void>): Promise<void> {
    if (this._busy) {
      throw new Error(`${this._busy} is still running`);
    }
    this._busy = what;
    this._error = null;
    this._changed.emit();
    try {
      await action();
    } catch (error) {
      this._error =
        error instanceof CancelledError
          ? `${what}: cancelled; nothing was changed.`
          : `${what} failed: ${(error as Error).message}`;
    } finally {
      this._busy = '';
      this._progress = null;
      this._running = null;
      if (!this._disposed) {
        this._changed.emit();
      }
    }
  }

  private async _track<T>(
    running: IRunningRequest<T>,
    what: string
  ): Promise<T> {
    const client = this._services.inference.client;
    const onProgress = (
      _: unknown,
      p: { id: number; done: number; total: number }
    ) => {
      if (p.id === running.id) {
        this._progress = { done: p.done, total: p.total, what };
        this._changed.emit();
      }
    };
    this._running = running as IRunningRequest<unknown>;
    this._progress = { done: 0, total: 0, what };
    this._changed.emit();
    client.progress.connect(onProgress);
    try {
      return await running.result;
    } finally {
      client.progress.disconnect(onProgress);
    }
  }

  /** Open the chosen model in the worker once (re-opened when it changes). */
  /**
   * Open a model in the worker once; sessions of models compared in Choose
   * stay open until the panel closes (they are small and re-opening costs
   * the weights' download and verification again).
   */
  private async _open(entry = this.entry): Promise<string> {
    if (!entry) {
      throw new Error('choose a model first');
    }
    const known = this._opened.get(entry.key);
    if (known) {
      return known;
    }
    const location = await this._services.zoo.runnableLocation(entry);
    if (entry.key === this._state.modelKey) {
      this._descriptionSha = await sha256Hex(
        await this._services.zoo.catalog.fetcher.read(entry.location)
      );
    }
    const url = descriptionUrl(location, this._services.serviceManager);
    const open = await this._services.inference.client.open(
      { kind: 'url', url },
      'auto'
    );
    this._opened.set(entry.key, open.modelKey);
    return open.modelKey;
  }

  private _requireResult(): IWizardResult {
    if (!this._result) {
      throw new Error('run the model first (Adapt step)');
    }
    return this._result;
  }

  /** The ground truth at the plane the model ran on (cached per path). */
  private async _loadGroundTruth(): Promise<INDArray> {
    const path = this._state.groundTruthPath;
    if (!path) {
      throw new Error(
        'pick a ground-truth image (a label image, or the clean image for restoration)'
      );
    }
    if (this._groundTruth?.path === path) {
      return this._groundTruth.array;
    }
    const bytes = await readFileBytes(this._services.contents, path);
    const image = await decodeImage(bytes, PathExt.basename(path));
    const fixed: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.selection())) {
      if (image.axes.toLowerCase().includes(k)) {
        fixed[k] = v;
      }
    }
    const array = fixAxes(
      { array: image.array, axes: [...image.axes.toLowerCase()] },
      fixed
    ).array;
    this._groundTruth = { path, array };
    return array;
  }

  private _requireImage(): IDecodedImage {
    if (!this._image) {
      throw new Error('the image is not loaded');
    }
    return this._image;
  }

  /** The chosen output channel of a prediction, as a (z,) y, x array. */
  private _pickOutput(report: IPredictReport): INDArray {
    const outId = this._state.outputId;
    const out = report.outputs.find(o => o.id === outId) ?? report.outputs[0];
    const fixed: Record<string, number> = {};
    const c = out.axes.indexOf('c');
    if (c >= 0) {
      fixed.c = Math.min(this._state.outputChannel, out.array.shape[c] - 1);
    }
    return fixAxes({ array: out.array, axes: out.axes }, fixed).array;
  }

  /** Recompute probability plane and labels after a post-processing change. */
  private _relabel(): void {
    const result = this._result;
    if (!result) {
      return;
    }
    result.probability = this._pickOutput(result.report);
    const segmentation = this.entry?.tasks.includes('segmentation') ?? false;
    if (segmentation) {
      const boundary = this._boundary();
      result.labels = instanceLabels(result.probability, {
        threshold: this._state.threshold,
        minSize: this._state.minSize,
        method: this._state.instanceMethod,
        boundary
      });
      let max = 0;
      for (const v of result.labels.data as Int32Array) {
        max = Math.max(max, v);
      }
      result.objectCount = this._state.instanceMethod === 'none' ? 0 : max;
    } else {
      result.labels = null;
      result.objectCount = 0;
    }
    this._metrics = null;
  }

  /**
   * The other channel of a two-channel output (foreground + boundary, as
   * the bundled segmentation model has) for the seeded watershed.
   */
  private _boundary(): INDArray | null {
    const result = this._result;
    if (!result || this._state.instanceMethod !== 'watershed') {
      return null;
    }
    const out =
      result.report.outputs.find(o => o.id === this._state.outputId) ??
      result.report.outputs[0];
    const c = out.axes.indexOf('c');
    if (c < 0 || out.array.shape[c] < 2) {
      return null;
    }
    return fixAxes(
      { array: out.array, axes: out.axes },
      { c: this._state.outputChannel === 0 ? 1 : 0 }
    ).array;
  }

  private async _showResult(): Promise<void> {
    const result = this._result;
    const show = this._services.showOverlay;
    if (!result || !show) {
      return;
    }
    const path = this._state.imagePath;
    await show(path, this._outputName(), result.probability, 'heatmap');
    if (result.labels) {
      await show(path, 'labels', result.labels, 'labels');
    }
  }

  private _outputName(): string {
    return this._state.outputId ?? 'output';
  }

  private _stem(): string {
    const path = this._state.imagePath;
    return PathExt.join(
      PathExt.dirname(path),
      PathExt.basename(path).replace(/\.(ome\.)?[^.]+$/i, '')
    );
  }

  private _state: IWizardState;
  private _image: IDecodedImage | null = null;
  private _summary: IImageSummary | null = null;
  private _fits: IModelFit[] = [];
  private _preview: IInputPreview | null = null;
  private _result: IWizardResult | null = null;
  private _test: ITestReport | null = null;
  private _metrics: IWizardMetrics | null = null;
  private _tta: ITtaConsistency | null = null;
  private _error: string | null = null;
  private _busy = '';
  private _progress: { done: number; total: number; what: string } | null =
    null;
  private _running: IRunningRequest<unknown> | null = null;
  private _opened = new Map<string, string>();
  private _showAll = false;
  private _limitations: {
    key: string;
    sections: IDocumentedSection[];
  } | null = null;
  private _comparison: ICandidatePreview[] | null = null;
  private _cropPreview: ICropPreview | null = null;
  private _descriptionSha: string | undefined;
  private _groundTruth: { path: string; array: INDArray } | null = null;
  private _calibration: IThresholdCalibration | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}

export { initialState };
