/**
 * The model card, opened in the main area from the zoo sidebar: everything a
 * user needs to decide whether a model fits their images and to use it
 * correctly. This module is the widget itself, which puts the parts together
 * in their order; the parts live beside it:
 * - overview.ts: the identity line, cover images and facts list;
 * - action-bar.ts: the buttons (and {@link ICardActions}, what they run);
 * - progress.ts: the progress rows of running transfers, with Cancel;
 * - test-status.ts: the line saying how the last test went;
 * - sections.ts: authors, citations, tensors, weights;
 * - documentation.ts: the documentation, markdown from an untrusted source,
 *   through JupyterLab's sanitizing markdown renderer (and docs-html.ts).
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { ModelCatalog } from '../catalog/catalog';
import type { ICatalogEntry } from '../../core/catalog/types';
import { h } from '../../jupyter/dom';
import { citations, people, section, tensor, weights } from './sections';
import type { IModelDescription } from '../../core/spec/types';
import { actionBar, type ICardActions } from './action-bar';
import { renderDocumentation } from './documentation';
import { coverImages, factList, identityLine } from './overview';
import { TransferProgressList } from './progress';
import { TestStatusLine } from './test-status';

export type { ICardActions } from './action-bar';

const CARD_CLASS = 'jp-BioImage-modelCard';

/** The model card widget. */
export class ModelCard extends Widget {
  constructor(options: ModelCard.IOptions) {
    super();
    this._options = options;
    const { entry, trans } = options;
    this._status = new TestStatusLine(trans);
    this._progress = new TransferProgressList(trans);
    this.addClass(CARD_CLASS);
    this.id = `jp-bioimage-card-${entry.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    this.title.label = entry.name;
    this.title.caption = trans.__('Model card: %1', entry.name);
    this.title.closable = true;
    this.node.tabIndex = -1;
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this.title.caption);
    this._render();
  }

  /** The entry shown. */
  get entry(): ICatalogEntry {
    return this._options.entry;
  }

  /** Closing the card cancels its running downloads. */
  dispose(): void {
    this._progress.cancelAll();
    super.dispose();
  }

  /** Resolves when the documentation has been rendered (or failed). */
  get documentationReady(): Promise<void> {
    return this._docs;
  }

  private _render(): void {
    const { entry, model, trans, catalog, rendermime, actions } = this._options;
    const node = this.node;
    const header = h('header', { className: 'jp-BioImage-cardHeader' });
    header.append(h('h1', { textContent: entry.name }));
    header.append(identityLine(entry, model, trans));
    header.append(
      h('p', {
        className: 'jp-BioImage-cardDescription',
        textContent: model.description
      })
    );
    header.append(
      actionBar({
        entry,
        model,
        catalog,
        trans,
        actions,
        status: this._status,
        progress: this._progress
      })
    );
    header.append(this._status.node);
    const known = catalog.testStatus(entry.key);
    if (known) {
      this._status.show(known);
    }
    node.append(header);

    const covers = coverImages(entry, model, catalog.fetcher, trans);
    if (covers) {
      node.append(covers);
    }
    node.append(factList(entry, model, trans));

    if (model.authors.length) {
      node.append(
        section(trans.__('Authors'), 'jp-mod-authors', people(model.authors))
      );
    }
    if (model.maintainers.length) {
      node.append(
        section(
          trans.__('Maintainers'),
          'jp-mod-maintainers',
          people(model.maintainers)
        )
      );
    }
    if (model.cite.length) {
      node.append(
        section(trans.__('Citations'), 'jp-mod-cite', citations(model))
      );
    }
    const io = h('div');
    model.inputs.forEach(t => io.append(tensor(t, 'input', trans)));
    model.outputs.forEach(t => io.append(tensor(t, 'output', trans)));
    node.append(section(trans.__('Inputs and outputs'), 'jp-mod-tensors', io));
    node.append(
      section(trans.__('Weights'), 'jp-mod-weights', weights(model, trans))
    );

    const docs = h('div', { className: 'jp-BioImage-cardDocs' });
    node.append(section(trans.__('Documentation'), 'jp-mod-docs', docs));
    this._docs = renderDocumentation(docs, {
      entry,
      model,
      trans,
      fetcher: catalog.fetcher,
      rendermime
    });
  }

  private _options: ModelCard.IOptions;
  private _status: TestStatusLine;
  private _progress: TransferProgressList;
  private _docs: Promise<void> = Promise.resolve();
}

/** Options of the card. */
export namespace ModelCard {
  export interface IOptions {
    entry: ICatalogEntry;
    model: IModelDescription;
    catalog: ModelCatalog;
    trans: TranslationBundle;
    rendermime: IRenderMimeRegistry | null;
    actions: ICardActions;
  }
}
