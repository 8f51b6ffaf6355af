/**
 * The run controller: the chosen model on the whole image in the inference
 * client (tiled, with progress and Cancel through the activity), resampled
 * to the model's pixel size and back when asked for; the result (chosen
 * output channel, instance labels) shown over the image, derived again when
 * the post-processing changes, dropped when the input changes; saving it.
 *
 * May import `src/core`, `src/tokens.ts` and this folder; no DOM, no JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { fixAxes } from '../../core/analysis/arrays';
import { resizeYX } from '../../core/analysis/rescale';
import { encodeTiff } from '../../core/formats';
import type { INDArray } from '../../core/tensor/tensor';
import type { IWizardResult } from '../results';
import type { Activity } from './activity';
import type { ModelChoice } from './choice';
import type { OpenModels } from './open-models';
import { boundaryOf, labelObjects, pickOutput } from './outputs';
import { outputFileNextToImage } from '../../core/record/output-files';
import type { ISessionServices } from './services';
import {
  anyChanged,
  INPUT_FIELDS,
  POSTPROCESSING_FIELDS,
  type IStateChange,
  type WizardStateStore
} from './store';

/** The full run and its result. */
export class RunController {
  constructor(
    private readonly _services: Pick<
      ISessionServices,
      'inference' | 'files' | 'showOverlay'
    >,
    private readonly _store: WizardStateStore,
    private readonly _choice: ModelChoice,
    private readonly _models: OpenModels,
    private readonly _activity: Activity
  ) {
    _store.stateChanged.connect(this._onState, this);
  }

  /** Emitted when the result is set, derived again or dropped. */
  get runChanged(): ISignal<this, void> {
    return this._runChanged;
  }
  get result(): IWizardResult | null {
    return this._result;
  }

  /** The result, throwing when nothing ran yet. */
  requireResult(): IWizardResult {
    if (!this._result) {
      throw new Error('run the model first (Adapt step)');
    }
    return this._result;
  }

  /** The boundary channel of the result for the seeded watershed, if any. */
  boundary(): INDArray | null {
    return this._result
      ? boundaryOf(this._result.report, this._store.state)
      : null;
  }

  /** Run the model on the whole image in the inference worker. */
  async run(): Promise<void> {
    await this._activity.run('Running the model', async () => {
      const image = this._choice.requireImage();
      const modelKey = await this._models.open(this._choice.entry);
      const tile = this._store.state.tile;
      const rescale = this._choice.rescaleSize();
      let input = {
        array: image.array,
        axes: image.axes.toLowerCase(),
        select: this._choice.selection()
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
      const running = this._services.inference.predict(
        modelKey,
        [{ ...input, channels: this._choice.channelsFed() }],
        tile ? { y: tile, x: tile } : undefined,
        this._choice.preprocessingOverride()
      );
      let report = await this._activity.track(running, 'Running the model');
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
      const outId = this._store.state.outputId ?? report.outputs[0]?.id;
      const out = report.outputs.find(o => o.id === outId) ?? report.outputs[0];
      this._result = {
        report,
        output: { array: out.array, axes: out.axes },
        probability: out.array,
        labels: null,
        objectCount: 0,
        preprocessing: this._choice.preprocessing()
      };
      this._relabel();
      this._runChanged.emit();
      await this._showResult();
    });
  }

  /** Save the result (and labels) as TIFF next to the image; returns the paths. */
  async saveResult(): Promise<string[]> {
    const result = this._result;
    if (!result) {
      return [];
    }
    const saved: string[] = [];
    const save = async (suffix: string, array: INDArray) => {
      const letters = array.shape.length === 3 ? 'ZYX' : 'YX';
      const path = outputFileNextToImage(
        this._store.state.imagePath,
        suffix,
        'tif'
      );
      await this._services.files.writeFileBytes(
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

  dispose(): void {
    Signal.clearData(this);
  }

  private _onState(_: unknown, change: IStateChange): void {
    if (!this._result) {
      return;
    }
    if (anyChanged(change, INPUT_FIELDS)) {
      this._result = null;
      this._runChanged.emit();
    } else if (anyChanged(change, POSTPROCESSING_FIELDS)) {
      this._relabel();
      this._runChanged.emit();
    }
  }

  /** Derive the probability plane and labels again after a post-processing change. */
  private _relabel(): void {
    const result = this._result;
    if (!result) {
      return;
    }
    const state = this._store.state;
    result.probability = pickOutput(result.report, state);
    if (this._choice.segmentation) {
      const { labels, objectCount } = labelObjects(
        result.probability,
        state,
        boundaryOf(result.report, state)
      );
      result.labels = labels;
      result.objectCount = objectCount;
    } else {
      result.labels = null;
      result.objectCount = 0;
    }
  }

  private async _showResult(): Promise<void> {
    const result = this._result;
    const show = this._services.showOverlay;
    if (!result || !show) {
      return;
    }
    const path = this._store.state.imagePath;
    await show(path, this._outputName(), result.probability, 'heatmap');
    if (result.labels) {
      await show(path, 'labels', result.labels, 'labels');
    }
  }

  private _outputName(): string {
    return this._store.state.outputId ?? 'output';
  }

  private _result: IWizardResult | null = null;
  private _runChanged = new Signal<this, void>(this);
}
