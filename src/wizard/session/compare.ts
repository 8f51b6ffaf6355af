/**
 * The compare controller: the label-free comparison of the top candidates
 * in Choose. Each runnable top model runs on a centred crop and on 3
 * flips/rotations of it; how much the de-augmented outputs agree hints at
 * which model is stable on these data.
 *
 * May import `src/core`, `src/tokens.ts` and this folder; no DOM, no JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { centreCrop, fixAxes } from '../../core/analysis/arrays';
import {
  CROP_TRANSFORMS,
  firstPlane,
  firstPlaneOf,
  selectionFor
} from '../../core/analysis/planes';
import {
  applyPlaneTransform,
  consistencyScore,
  invertPlaneTransform
} from '../../core/metrics';
import type { INDArray } from '../../core/tensor/tensor';
import type { ICandidatePreview } from '../results';
import type { Activity } from './activity';
import type { ModelChoice } from './choice';
import type { OpenModels } from './open-models';
import type { ISessionServices } from './services';
import type { WizardStateStore } from './store';

/** The comparison of the top models on a crop. */
export class CompareController {
  constructor(
    private readonly _services: Pick<ISessionServices, 'inference' | 'catalog'>,
    private readonly _store: WizardStateStore,
    private readonly _choice: ModelChoice,
    private readonly _models: OpenModels,
    private readonly _activity: Activity
  ) {}

  /** Emitted when a comparison is done. */
  get compareChanged(): ISignal<this, void> {
    return this._compareChanged;
  }
  /** The last comparison (kept until the next one). */
  get comparison(): readonly ICandidatePreview[] | null {
    return this._comparison;
  }

  /** Compare the best `count` runnable models on a centred `size` crop. */
  async compareCandidates(count = 3, size = 256): Promise<void> {
    await this._activity.run('Comparing the top models', async () => {
      const image = this._choice.requireImage();
      const picks = this._choice.fits.filter(f => f.runnable).slice(0, count);
      const previews: ICandidatePreview[] = [];
      for (const fit of picks) {
        const entry = this._services.catalog.entry(fit.key);
        if (!entry) {
          continue;
        }
        const modelKey = await this._models.open(entry);
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
          const running = this._services.inference.predict(modelKey, [
            {
              array: applyPlaneTransform(crop.array, t),
              axes: crop.axes.join(''),
              channels:
                fit.channels && !('c' in select) ? fit.channels : undefined
            }
          ]);
          const report = await this._activity.track(running, fit.name);
          outputs.push(invertPlaneTransform(firstPlane(report), t));
        }
        previews.push({
          key: fit.key,
          name: fit.name,
          input: firstPlaneOf(crop),
          output: outputs[0],
          consistency: consistencyScore(outputs, this._store.state.threshold),
          segmentation: entry.tasks.includes('segmentation')
        });
      }
      this._comparison = previews;
      this._compareChanged.emit();
    });
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _comparison: ICandidatePreview[] | null = null;
  private _compareChanged = new Signal<this, void>(this);
}
