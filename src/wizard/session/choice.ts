/**
 * The image and the model chosen for it: the decoded image and its summary,
 * every catalog model ranked by fit (re-ranked when the catalog or the
 * wanted task changes), the chosen entry and model, how the image maps onto
 * its input, and the model's documented intended use and limitations.
 *
 * May import `src/core`, `src/tokens.ts` and this folder; no DOM, no JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { rankModels, type IModelFit } from '../../core/analysis/fit';
import {
  summariseImage,
  type IImageSummary
} from '../../core/analysis/image-summary';
import {
  documentedLimitations,
  type IDocumentedSection
} from '../../core/analysis/limitations';
import type { ICatalogEntry } from '../../core/catalog/types';
import { decodeImage, type IDecodedImage } from '../../core/formats';
import type { IModelDescription, IProcessingStep } from '../../core/spec/types';
import type { Activity } from './activity';
import {
  channelsFedOf,
  preprocessingOf,
  rescaleOf,
  selectionOf,
  type IMappingInputs,
  type IRescale
} from './input-mapping';
import { basename } from './paths';
import type { ISessionServices } from './services';
import type { IStateChange, WizardStateStore } from './store';

/** The image, the ranked models and the chosen one. */
export class ModelChoice {
  constructor(
    private readonly _services: Pick<ISessionServices, 'files' | 'catalog'>,
    private readonly _store: WizardStateStore,
    private readonly _activity: Activity
  ) {
    const catalog = _services.catalog;
    catalog.changed.connect(this._onCatalog, this);
    catalog.testStatusChanged.connect(this._onCatalog, this);
    _store.stateChanged.connect(this._onState, this);
  }

  /** Emitted when the image, the ranking, the list length or the limitations change. */
  get choiceChanged(): ISignal<this, void> {
    return this._choiceChanged;
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
    const key = this._store.state.modelKey;
    return key ? this._services.catalog.entry(key) : undefined;
  }
  get model(): IModelDescription | undefined {
    const key = this._store.state.modelKey;
    return key ? this._services.catalog.model(key) : undefined;
  }
  get fit(): IModelFit | undefined {
    return this._fits.find(f => f.key === this._store.state.modelKey);
  }
  /** Whether the chosen model is a segmentation model (labels are derived). */
  get segmentation(): boolean {
    return this.entry?.tasks.includes('segmentation') ?? false;
  }
  /** List every ranked model, not only the best (a view choice, not kept). */
  get showAllModels(): boolean {
    return this._showAll;
  }
  setShowAllModels(all: boolean): void {
    this._showAll = all;
    this._choiceChanged.emit();
  }

  /** Read and decode the image, summarise it and rank the models. */
  async loadImage(): Promise<void> {
    await this._activity.run('Reading the image', async () => {
      const path = this._store.state.imagePath;
      const bytes = await this._services.files.readFileBytes(path);
      this._image = await decodeImage(bytes, basename(path));
      this._summary = summariseImage(
        this._image,
        this._image.array,
        basename(path)
      );
      this._rank();
      this._choiceChanged.emit();
    });
  }

  /** Choose a model: take the fit's suggested channels and plane. */
  chooseModel(key: string): void {
    const fit = this._fits.find(f => f.key === key);
    const model = this._services.catalog.model(key);
    this._store.update({
      modelKey: key,
      channels: fit?.channels ?? null,
      zPlane: fit?.select?.z ?? null,
      percentiles: null,
      outputId: model?.outputs[0]?.id ?? null,
      outputChannel: 0,
      step: 'adapt'
    });
  }

  /** The image, throwing when it is not loaded yet. */
  requireImage(): IDecodedImage {
    if (!this._image) {
      throw new Error('the image is not loaded');
    }
    return this._image;
  }

  /** The preprocessing to run: the model's, with the user's percentiles. */
  preprocessing(): IProcessingStep[] {
    return preprocessingOf(this._mapping());
  }
  /** Image channels fed along the model's channel axis (undefined: all, or none). */
  channelsFed(): number[] | undefined {
    return channelsFedOf(this._mapping());
  }
  /** The resampling to the model's pixel size, when asked for and needed. */
  rescaleSize(): IRescale | null {
    return rescaleOf(this._mapping());
  }
  /** Axes of the image fixed to one index for the model (z for a 2D model, t). */
  selection(): Record<string, number> {
    return selectionOf(this._mapping());
  }
  /** The user's preprocessing for the worker, or null for the model's own. */
  preprocessingOverride(): Array<IProcessingStep[] | null> {
    return [this._store.state.percentiles ? this.preprocessing() : null];
  }

  /** The model's documented intended use and limitations (loaded on demand). */
  get limitations(): readonly IDocumentedSection[] | null {
    return this._limitations?.key === this._store.state.modelKey
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
    const key = this._store.state.modelKey;
    if (!entry || !model || !key || this._limitations?.key === key) {
      return;
    }
    let sections: IDocumentedSection[] = [];
    if (model.documentation) {
      try {
        const bytes = await this._services.catalog.fetcher.read(
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
    this._choiceChanged.emit();
  }

  dispose(): void {
    this._services.catalog.changed.disconnect(this._onCatalog, this);
    this._services.catalog.testStatusChanged.disconnect(this._onCatalog, this);
    Signal.clearData(this);
  }

  private _mapping(): IMappingInputs {
    return {
      state: this._store.state,
      model: this.model,
      summary: this._summary,
      fit: this.fit
    };
  }

  private _onState(_: unknown, change: IStateChange): void {
    if (change.changed.has('wantedTask')) {
      this._rank();
      this._choiceChanged.emit();
    }
  }

  private _onCatalog(): void {
    if (this._summary) {
      this._rank();
      this._choiceChanged.emit();
    }
  }

  private _rank(): void {
    const catalog = this._services.catalog;
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
      this._store.state.wantedTask || undefined
    );
  }

  private _image: IDecodedImage | null = null;
  private _summary: IImageSummary | null = null;
  private _fits: IModelFit[] = [];
  private _showAll = false;
  private _limitations: {
    key: string;
    sections: IDocumentedSection[];
  } | null = null;
  private _choiceChanged = new Signal<this, void>(this);
}
