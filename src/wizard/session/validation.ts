/**
 * The validation controller: does the model reproduce its own test here,
 * is the result right against the ground truth the user picked (metrics,
 * threshold calibration), and where is the model unsure (test-time
 * augmentation: the 8 flips/rotations, undone, and where they disagree).
 * The domain-shift report comes with the input preview (`preview.ts`).
 *
 * May import `src/core`, `src/tokens.ts` and this folder; no DOM, no JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { fixAxes } from '../../core/analysis/arrays';
import {
  calibrateThreshold,
  restorationMetrics,
  segmentationMetrics,
  type IThresholdCalibration
} from '../../core/analysis/validation';
import { decodeImage } from '../../core/formats';
import type { ITestReport } from '../../core/inference/protocol';
import {
  applyPlaneTransform,
  consistencyScore,
  D4_TRANSFORMS,
  disagreementMap,
  invertPlaneTransform,
  type ITtaConsistency
} from '../../core/metrics';
import type { INDArray } from '../../core/tensor/tensor';
import type { IWizardMetrics } from '../results';
import type { Activity } from './activity';
import type { ModelChoice } from './choice';
import type { OpenModels } from './open-models';
import { pickOutput } from './outputs';
import { basename } from './paths';
import type { RunController } from './run';
import type { ISessionServices } from './services';
import {
  anyChanged,
  INPUT_FIELDS,
  type IStateChange,
  type WizardStateStore
} from './store';

/** The model test, metrics, calibration and TTA of a wizard panel. */
export class ValidationController {
  constructor(
    private readonly _services: Pick<
      ISessionServices,
      'inference' | 'catalog' | 'files' | 'showOverlay'
    >,
    private readonly _store: WizardStateStore,
    private readonly _choice: ModelChoice,
    private readonly _run: RunController,
    private readonly _models: OpenModels,
    private readonly _activity: Activity
  ) {
    _store.stateChanged.connect(this._onState, this);
    // Metrics belong to one result: a new run or new labels drop them.
    _run.runChanged.connect(this._onRun, this);
  }

  /** Emitted when a test report, metrics, a calibration or a TTA map is set or dropped. */
  get validationChanged(): ISignal<this, void> {
    return this._validationChanged;
  }
  get testReport(): ITestReport | null {
    return this._test;
  }
  get metrics(): IWizardMetrics | null {
    return this._metrics;
  }
  get calibration(): IThresholdCalibration | null {
    return this._calibration;
  }
  get tta(): ITtaConsistency | null {
    return this._tta;
  }

  /** Run the model's own test in the inference client (untiled). */
  async testModel(): Promise<void> {
    await this._activity.run('Testing the model', async () => {
      const modelKey = await this._models.open(this._choice.entry);
      const running = this._services.inference.test(modelKey);
      const report = await this._activity.track(running, 'Testing the model');
      this._test = report;
      const key = this._store.state.modelKey as string;
      this._services.catalog.setTestStatus(key, {
        passed: report.passed,
        maxAbsDiff: Math.max(...report.outputs.map(o => o.maxAbsDiff)),
        backend: report.backend,
        milliseconds: report.milliseconds
      });
      this._validationChanged.emit();
    });
  }

  /** Compare the result with the ground truth the user picked. */
  async evaluate(): Promise<void> {
    await this._activity.run('Computing metrics', async () => {
      const result = this._run.requireResult();
      const gt = await this._loadGroundTruth();
      this._metrics = result.labels
        ? segmentationMetrics(gt, result.labels)
        : restorationMetrics(gt, result.probability);
      this._validationChanged.emit();
    });
  }

  /**
   * Find the threshold whose labels match the ground truth best (F1 at IoU
   * 0.5). Calibrating and validating on the same image is optimistic: the
   * view says so.
   */
  async calibrate(): Promise<void> {
    await this._activity.run('Calibrating the threshold', async () => {
      const result = this._run.requireResult();
      const gt = await this._loadGroundTruth();
      const state = this._store.state;
      this._calibration = calibrateThreshold(
        [{ probability: result.probability, groundTruth: gt }],
        {
          minSize: state.minSize,
          method: state.instanceMethod,
          boundaries: [this._run.boundary()]
        }
      );
      this._validationChanged.emit();
    });
  }

  /**
   * Test-time augmentation: predict the 8 flips/rotations of the (2D) input,
   * undo each, and show where the predictions disagree.
   */
  async runTta(): Promise<void> {
    await this._activity.run('Test-time augmentation', async () => {
      const image = this._choice.requireImage();
      const modelKey = await this._models.open(this._choice.entry);
      const axes = [...image.axes.toLowerCase()];
      const base = fixAxes(
        { array: image.array, axes },
        this._choice.selection()
      );
      if (!base.axes.slice(-2).every((a, i) => a === 'yx'[i])) {
        throw new Error('TTA needs an image whose last axes are y and x');
      }
      const preds: INDArray[] = [];
      let n = 0;
      for (const t of D4_TRANSFORMS) {
        const running = this._services.inference.predict(
          modelKey,
          [
            {
              array: applyPlaneTransform(base.array, t),
              axes: base.axes.join(''),
              channels: this._choice.channelsFed()
            }
          ],
          undefined,
          this._choice.preprocessingOverride()
        );
        const report = await this._activity.track(
          running,
          `Augmentation ${++n} of ${D4_TRANSFORMS.length}`
        );
        preds.push(
          invertPlaneTransform(pickOutput(report, this._store.state), t)
        );
      }
      this._tta = consistencyScore(preds, this._store.state.threshold);
      this._validationChanged.emit();
      await this._services.showOverlay?.(
        this._store.state.imagePath,
        'TTA disagreement',
        disagreementMap(preds),
        'heatmap'
      );
    });
  }

  dispose(): void {
    Signal.clearData(this);
  }

  /** The ground truth at the plane the model ran on (cached per path). */
  private async _loadGroundTruth(): Promise<INDArray> {
    const path = this._store.state.groundTruthPath;
    if (!path) {
      throw new Error(
        'pick a ground-truth image (a label image, or the clean image for restoration)'
      );
    }
    if (this._groundTruth?.path === path) {
      return this._groundTruth.array;
    }
    const bytes = await this._services.files.readFileBytes(path);
    const image = await decodeImage(bytes, basename(path));
    const fixed: Record<string, number> = {};
    for (const [k, v] of Object.entries(this._choice.selection())) {
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

  private _onState(_: unknown, change: IStateChange): void {
    const before = this._results();
    if (anyChanged(change, INPUT_FIELDS)) {
      this._metrics = null;
      this._tta = null;
      this._calibration = null;
    }
    if (change.changed.has('modelKey')) {
      this._test = null;
    }
    if (change.changed.has('groundTruthPath')) {
      this._groundTruth = null;
      this._metrics = null;
      this._calibration = null;
    }
    const after = this._results();
    if (before.some((r, i) => r !== after[i])) {
      this._validationChanged.emit();
    }
  }

  private _results(): unknown[] {
    return [this._test, this._metrics, this._calibration, this._tta];
  }

  private _onRun(): void {
    if (this._metrics) {
      this._metrics = null;
      this._validationChanged.emit();
    }
  }

  private _test: ITestReport | null = null;
  private _metrics: IWizardMetrics | null = null;
  private _calibration: IThresholdCalibration | null = null;
  private _tta: ITtaConsistency | null = null;
  private _groundTruth: { path: string; array: INDArray } | null = null;
  private _validationChanged = new Signal<this, void>(this);
}
