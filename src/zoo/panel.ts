/**
 * The zoo sidebar: search and filters, banners for unreachable sources and
 * unreadable entries, the virtualised model list, and a status line with the
 * server extension's version.
 */
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import {
  addIcon,
  refreshIcon,
  SidePanel,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { bioimageIcon } from '../icons';
import { IServerHealth } from '../server/request';
import type { ModelCatalog } from './catalog';
import { facetsOf, searchCatalog } from './catalog-search';
import type { ICatalogEntry } from './catalog-types';
import { FilterBar } from './components/filter-bar';
import { ModelList } from './components/model-list';
import { SourceBanners } from './components/source-banners';

/** The left sidebar panel: home of the model zoo browser. */
export class ZooPanel extends SidePanel {
  constructor(options: ZooPanel.IOptions = {}) {
    const translator = options.translator ?? nullTranslator;
    super({ translator });
    const trans = translator.load('jupyterlab_bioimage');
    this._bioTrans = trans;
    this.id = 'jp-bioimage-zoo';
    this.addClass('jp-BioImage-zooPanel');
    this.title.icon = bioimageIcon;
    this.title.caption = trans.__('BioImage Model Zoo');
    this.node.setAttribute('aria-label', trans.__('BioImage Model Zoo'));

    this.toolbar.addItem(
      'add-source',
      new ToolbarButton({
        icon: addIcon,
        tooltip: trans.__(
          'Add a model source (index, description URL or workspace folder)'
        ),
        onClick: () => this._addSourceRequested.emit()
      })
    );
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Reload all model sources'),
        onClick: () => void this._catalog?.reload()
      })
    );

    const body = new Panel();
    body.addClass('jp-BioImage-zooBody');
    this._filters = new FilterBar(trans);
    this._banners = new SourceBanners({
      trans,
      onRetry: id => void this._catalog?.reload(id),
      onRemove: id => this._removeSourceRequested.emit(id)
    });
    this._count = new Widget();
    this._count.addClass('jp-BioImage-zooCount');
    this._list = new ModelList({
      trans,
      testStatus: key => this._catalog?.testStatus(key)
    });
    this._status = new Widget();
    this._status.addClass('jp-BioImage-zooStatus');
    this._status.node.setAttribute('role', 'status');
    this._status.node.textContent = trans.__('Connecting to the server…');
    for (const w of [
      this._filters,
      this._banners,
      this._count,
      this._list,
      this._status
    ]) {
      body.addWidget(w);
    }
    this.addWidget(body);

    this._filters.queryChanged.connect(() => this._search(), this);
    this._list.opened.connect((_, entry) => this._opened.emit(entry), this);
    if (options.catalog) {
      this.catalog = options.catalog;
    }
  }

  /** The catalog shown. */
  get catalog(): ModelCatalog | null {
    return this._catalog;
  }

  set catalog(catalog: ModelCatalog | null) {
    this._catalog?.changed.disconnect(this._onChanged, this);
    this._catalog = catalog;
    catalog?.changed.connect(this._onChanged, this);
    this._onChanged();
  }

  /** Emits the entry the user opened. */
  get opened(): ISignal<this, ICatalogEntry> {
    return this._opened;
  }

  /** Emits when the user asks to add a source. */
  get addSourceRequested(): ISignal<this, void> {
    return this._addSourceRequested;
  }

  /** Emits the id of a user source to remove. */
  get removeSourceRequested(): ISignal<this, string> {
    return this._removeSourceRequested;
  }

  /** The list (for tests and keyboard focus). */
  get list(): ModelList {
    return this._list;
  }

  /** The search and filter controls. */
  get filters(): FilterBar {
    return this._filters;
  }

  /** Show what the server extension reported (or why it could not). */
  showHealth(health: IServerHealth | Error): void {
    const status = this._status.node;
    if (health instanceof Error) {
      status.classList.add('jp-mod-error');
      status.textContent = this._bioTrans.__(
        'The jupyterlab-bioimage server extension did not answer (%1). Is the Python package installed in the environment running JupyterLab?',
        health.message
      );
      return;
    }
    status.classList.remove('jp-mod-error');
    status.textContent = this._bioTrans.__(
      'Server extension %1 · %2 bundled models',
      health.version,
      health.bundled_models.length
    );
  }

  private _onChanged(): void {
    const catalog = this._catalog;
    if (!catalog) {
      return;
    }
    this._filters.setFacets(facetsOf(catalog.entries));
    this._banners.render(catalog.sources, catalog.failures);
    this._search();
  }

  private _search(): void {
    const entries = this._catalog?.entries ?? [];
    const found = searchCatalog(entries, this._filters.query);
    this._list.items = found;
    this._count.node.textContent =
      found.length === entries.length
        ? this._bioTrans._n('%1 model', '%1 models', entries.length)
        : this._bioTrans.__('%1 of %2 models', found.length, entries.length);
  }

  private _bioTrans: TranslationBundle;
  private _catalog: ModelCatalog | null = null;
  private _filters: FilterBar;
  private _banners: SourceBanners;
  private _count: Widget;
  private _list: ModelList;
  private _status: Widget;
  private _opened = new Signal<this, ICatalogEntry>(this);
  private _addSourceRequested = new Signal<this, void>(this);
  private _removeSourceRequested = new Signal<this, string>(this);
}

/** Options of the panel. */
export namespace ZooPanel {
  export interface IOptions {
    translator?: ITranslator;
    catalog?: ModelCatalog;
  }
}
