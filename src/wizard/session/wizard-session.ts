/**
 * The wizard session: one panel's state store and controllers, wired
 * together. Each controller has its own signal and the step views listen to
 * the ones they show (see `steps/*.ts`); this facade only builds them, keeps
 * the few entry points the plugin and the UI test use, and writes the run
 * record from their results.
 *
 * May import `src/core`, `src/tokens.ts` and this folder; no DOM, no JupyterLab.
 */
import type { IThresholdCalibration } from '../../core/analysis/validation';
import type { IRunRecord } from '../../core/record/run-record';
import { apValues, browserSummary, buildRunRecord } from '../record';
import type { IWizardMetrics, IWizardResult } from '../results';
import type { IWizardState } from '../state';
import { Activity } from './activity';
import { ModelChoice } from './choice';
import { CompareController } from './compare';
import { OpenModels } from './open-models';
import { PreviewController } from './preview';
import { RunController } from './run';
import type { ISessionServices } from './services';
import { WizardStateStore } from './store';
import { ValidationController } from './validation';

/** The state and computations of one wizard panel. */
export class WizardSession {
  constructor(
    private readonly _services: ISessionServices,
    state: IWizardState
  ) {
    this.store = new WizardStateStore(state, {
      persist: _services.saveState
    });
    this.activity = new Activity(_services.inference);
    this.choice = new ModelChoice(_services, this.store, this.activity);
    this._models = new OpenModels(_services, this.store);
    const parts = [
      this.store,
      this.choice,
      this._models,
      this.activity
    ] as const;
    this.preview = new PreviewController(_services, ...parts);
    this.runner = new RunController(_services, ...parts);
    this.validation = new ValidationController(
      _services,
      this.store,
      this.choice,
      this.runner,
      this._models,
      this.activity
    );
    this.compare = new CompareController(_services, ...parts);
  }

  /** The user's choices (signal: `stateChanged`). */
  readonly store: WizardStateStore;
  /** What runs now, its progress and last error (signal: `activityChanged`). */
  readonly activity: Activity;
  /** The image, the ranked models and the chosen one (signal: `choiceChanged`). */
  readonly choice: ModelChoice;
  /** Normalised-input and crop previews (signal: `previewChanged`). */
  readonly preview: PreviewController;
  /** The full run and its result (signal: `runChanged`). */
  readonly runner: RunController;
  /** Model test, metrics, calibration, TTA (signal: `validationChanged`). */
  readonly validation: ValidationController;
  /** The top models compared on a crop (signal: `compareChanged`). */
  readonly compare: CompareController;

  get state(): Readonly<IWizardState> {
    return this.store.state;
  }
  /** Change choices; results that depend on them are dropped. */
  update(patch: Partial<IWizardState>): void {
    this.store.update(patch);
  }
  /** Read and decode the image, summarise it and rank the models. */
  loadImage(): Promise<void> {
    return this.choice.loadImage();
  }
  /** Choose a model: take the fit's suggested channels and plane. */
  chooseModel(key: string): void {
    this.choice.chooseModel(key);
  }
  /** The last full run's result (also read by the UI test). */
  get result(): IWizardResult | null {
    return this.runner.result;
  }
  get metrics(): IWizardMetrics | null {
    return this.validation.metrics;
  }
  get calibration(): IThresholdCalibration | null {
    return this.validation.calibration;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The run record for the notebook writer (throws when nothing ran). */
  runRecord(): IRunRecord {
    const { model, entry } = this.choice;
    const result = this.runner.result;
    if (!model || !entry || !result) {
      throw new Error('run the model first');
    }
    return buildRunRecord({
      entry,
      model,
      state: this.store.state,
      imageAxes: this.choice.requireImage().axes,
      selection: this.choice.selection(),
      rescale: this.choice.rescaleSize()?.model,
      channelsFed: this.choice.channelsFed(),
      preprocessing: result.preprocessing,
      segmentation: result.labels !== null,
      backend: result.report.backend,
      metrics: this.validation.metrics
        ? {
            ...this.validation.metrics.values,
            ...apValues(this.validation.metrics.matching)
          }
        : {},
      descriptionSha256: this._models.descriptionSha256,
      extensionVersion: this._services.extensionVersion
    });
  }

  /**
   * The run record with what the browser produced (object count, label
   * image hash, prediction summary), for the notebook writer: the kernel
   * cells compare their own results with it.
   */
  async notebookRecord(): Promise<IRunRecord> {
    const record = this.runRecord();
    const result = this.runner.result!;
    return {
      ...record,
      browser: await browserSummary(
        result.probability,
        result.labels,
        result.objectCount
      )
    };
  }

  /**
   * Whether a fine-tuning cell can be written: the model has TorchScript
   * weights (fine-tuning runs in PyTorch) and there is ground truth to train on.
   */
  canFineTune(): boolean {
    const torch = this.choice.model?.weights.some(
      w => w.format === 'torchscript'
    );
    return (
      !!torch && !!this.store.state.groundTruthPath && !!this.runner.result
    );
  }

  /** Cancel whatever is running. */
  cancel(): void {
    this.activity.cancel();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.activity.dispose();
    this._models.dispose();
    for (const part of [
      this.compare,
      this.validation,
      this.runner,
      this.preview,
      this.choice,
      this.store
    ]) {
      part.dispose();
    }
  }

  private _models: OpenModels;
  private _disposed = false;
}
