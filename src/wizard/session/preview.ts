/**
 * The preview controller: what the model sees before anything runs — the
 * image after the (adjusted) preprocessing next to the model's own test
 * input after the same steps, with the domain-shift report; and the chosen
 * model run on a centred crop with the current settings.
 *
 * May import `src/core`, `src/tokens.ts` and this folder; no DOM, no JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { centreCrop, fixAxes } from '../../core/analysis/arrays';
import { compareWithReference } from '../../core/analysis/domain-shift';
import {
  firstPlaneOf,
  middlePlane,
  modelPixelUm,
  sample
} from '../../core/analysis/planes';
import { imageToInput } from '../../core/inference/axes';
import { runPreprocessing } from '../../core/inference/processing';
import type { IModelDescription } from '../../core/spec/types';
import { readNpy } from '../../core/tensor/npy';
import { toFloat64, type ITensor } from '../../core/tensor/tensor';
import type { ICropPreview, IInputPreview } from '../results';
import type { Activity } from './activity';
import type { ModelChoice } from './choice';
import type { OpenModels } from './open-models';
import { boundaryOf, labelObjects, pickOutput } from './outputs';
import type { ISessionServices } from './services';
import {
  anyChanged,
  INPUT_FIELDS,
  type IStateChange,
  type WizardStateStore
} from './store';

/** The normalised-input preview and the crop preview. */
export class PreviewController {
  constructor(
    private readonly _services: Pick<ISessionServices, 'inference' | 'catalog'>,
    private readonly _store: WizardStateStore,
    private readonly _choice: ModelChoice,
    private readonly _models: OpenModels,
    private readonly _activity: Activity
  ) {
    _store.stateChanged.connect(this._onState, this);
  }

  /** Emitted when a preview is computed or dropped. */
  get previewChanged(): ISignal<this, void> {
    return this._previewChanged;
  }
  /** The normalised input next to the model's test input (dropped when the input changes). */
  get inputPreview(): IInputPreview | null {
    return this._input;
  }
  /** The last crop preview (kept until the next one). */
  get cropPreview(): ICropPreview | null {
    return this._crop;
  }

  /**
   * What the model sees: the image after the (adjusted) preprocessing, next
   * to the model's own test input after the same steps, and the shift report.
   */
  async computePreview(): Promise<void> {
    const model = this._choice.model;
    const entry = this._choice.entry;
    const image = this._choice.image;
    const summary = this._choice.summary;
    if (!model || !entry || !image || !summary) {
      return;
    }
    await this._activity.run('Normalising the input', async () => {
      const descr = {
        ...model.inputs[0],
        processing: this._choice.preprocessing()
      };
      const adjusted: IModelDescription = {
        ...model,
        inputs: [descr, ...model.inputs.slice(1)]
      };
      const { tensor } = imageToInput(image.array, image.axes, descr, {
        channels: this._choice.channelsFed(),
        select: this._choice.selection()
      });
      const user = runPreprocessing(
        adjusted,
        new Map([[descr.id, tensor]])
      ).get(descr.id) as ITensor;
      let reference: ITensor | null = null;
      if (descr.testTensor) {
        const bytes = await this._services.catalog.fetcher.read(
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
      this._input = {
        user: sample(toFloat64(user.data)),
        reference: reference ? sample(toFloat64(reference.data)) : null,
        shift: reference
          ? compareWithReference({
              user: middlePlane(user),
              reference: middlePlane(reference),
              userPixelSizeUm: summary.pixelSizeUm?.x,
              modelPixelSizeUm: modelPixelUm(model),
              // What is fed: one plane of a stack is 2D for a 2D model.
              userDims: usedDims,
              modelDims
            })
          : null
      };
      this._previewChanged.emit();
    });
  }

  /** Run the chosen model on a centred crop, before the full run. */
  async previewCrop(size = 256): Promise<void> {
    await this._activity.run('Preview on a crop', async () => {
      const image = this._choice.requireImage();
      const modelKey = await this._models.open(this._choice.entry);
      const crop = centreCrop(
        fixAxes(
          { array: image.array, axes: [...image.axes.toLowerCase()] },
          this._choice.selection()
        ),
        size
      );
      const running = this._services.inference.predict(
        modelKey,
        [
          {
            array: crop.array,
            axes: crop.axes.join(''),
            channels: this._choice.channelsFed()
          }
        ],
        undefined,
        this._choice.preprocessingOverride()
      );
      const report = await this._activity.track(running, 'Preview on a crop');
      const state = this._store.state;
      const output = pickOutput(report, state);
      this._crop = {
        input: firstPlaneOf(crop),
        output,
        // The same labelling as the full run (the seeded watershed included,
        // with the output's boundary channel), so the crop previews the result.
        labels: this._choice.segmentation
          ? labelObjects(output, state, boundaryOf(report, state)).labels
          : null
      };
      this._previewChanged.emit();
    });
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _onState(_: unknown, change: IStateChange): void {
    if (anyChanged(change, INPUT_FIELDS) && this._input) {
      this._input = null;
      this._previewChanged.emit();
    }
  }

  private _input: IInputPreview | null = null;
  private _crop: ICropPreview | null = null;
  private _previewChanged = new Signal<this, void>(this);
}
