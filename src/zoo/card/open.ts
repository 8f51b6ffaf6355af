/**
 * Opening model cards in the main area: one card per catalog entry, brought
 * to the front when it is already open. Cards are not restored with the
 * layout (their entry may not be in the catalog after a reload).
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ICatalogEntry } from '../../core/catalog/types';
import type { ModelCatalog } from '../catalog/catalog';
import { type ICardActions, ModelCard } from './card';

const CARD_WIDGET_CLASS = 'jp-BioImage-modelCardWidget';

/** Opens (or shows again) the card of a catalog entry. */
export class CardOpener {
  constructor(private readonly _options: CardOpener.IOptions) {}

  /**
   * Show the card of `entry`; null when its description is not loaded (no
   * card can be built yet).
   */
  open(entry: ICatalogEntry): MainAreaWidget<ModelCard> | null {
    const { app, catalog, trans, rendermime, actions } = this._options;
    const existing = this._cards.get(entry.key);
    if (existing && !existing.isDisposed) {
      app.shell.activateById(existing.id);
      return existing;
    }
    const model = catalog.model(entry.key);
    if (!model) {
      return null;
    }
    const content = new ModelCard({
      entry,
      model,
      catalog,
      trans,
      rendermime,
      actions
    });
    const widget = new MainAreaWidget({ content });
    widget.id = content.id;
    widget.title.label = entry.name;
    widget.title.caption = content.title.caption;
    widget.addClass(CARD_WIDGET_CLASS);
    this._cards.set(entry.key, widget);
    widget.disposed.connect(() => this._cards.delete(entry.key));
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    return widget;
  }

  private _cards = new Map<string, MainAreaWidget<ModelCard>>();
}

/** The card opener's types. */
export namespace CardOpener {
  export interface IOptions {
    app: JupyterFrontEnd;
    catalog: ModelCatalog;
    trans: TranslationBundle;
    rendermime: IRenderMimeRegistry | null;
    actions: ICardActions;
  }
}
