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
import type { Drag } from '@lumino/dragdrop';
import type { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { bioimageIcon } from '../jupyter/icons';
import { IServerHealth } from '../jupyter/request';
import type { ModelCatalog } from './catalog/catalog';
import { facetsOf, searchCatalog } from '../core/catalog/search';
import type { ICatalogEntry } from '../core/catalog/types';
import { FilterBar } from './components/filter-bar';
import { ModelList } from './components/model-list';
import { SourceBanners } from './components/source-banners';

/** The mime type of JupyterLab's file browser drags: the dragged paths. */
export const CONTENTS_MIME = 'application/x-jupyter-icontents';

/** Class of the panel while something importable is dragged over it. */
const DROP_CLASS = 'jp-mod-dropTarget';

/** What was dropped onto the sidebar. */
export type ZooDrop =
  /** Files of the workspace, dragged from JupyterLab's file browser. */
  | { kind: 'paths'; paths: string[] }
  /** Files from the computer, dragged from the OS. */
  | { kind: 'files'; files: File[] };

/** Whether a name looks like a zip archive. */
export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name);
}

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
    this._import = new Widget();
    this._import.addClass('jp-BioImage-zooImportStatus');
    this._import.node.setAttribute('role', 'status');
    this._import.node.setAttribute('aria-live', 'polite');
    this._import.hide();
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
      this._import,
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

  /** Emits `.zip` files dropped onto the sidebar (from the file browser or the OS). */
  get zipDropped(): ISignal<this, ZooDrop> {
    return this._zipDropped;
  }

  /**
   * Show how an import went, under the banners: `running`, `ok` or `error`
   * (errors stay until dismissed or replaced).
   */
  showImportStatus(text: string, kind: 'running' | 'ok' | 'error'): void {
    const node = this._import.node;
    node.replaceChildren();
    node.className = `jp-BioImage-zooImportStatus jp-mod-${kind}`;
    const message = document.createElement('span');
    message.className = 'jp-BioImage-zooImportMessage';
    message.textContent = text;
    node.append(message);
    if (kind !== 'running') {
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'jp-Button jp-mod-minimal jp-BioImage-zooImportDismiss';
      close.textContent = '×';
      close.title = this._bioTrans.__('Dismiss');
      close.setAttribute('aria-label', this._bioTrans.__('Dismiss'));
      close.addEventListener('click', () => this._import.hide());
      node.append(close);
    }
    this._import.show();
  }

  /**
   * Drag and drop of zips onto the panel or onto its tab in the side bar
   * (where a file browser drag can reach it while the file browser is the
   * panel shown). Listens on the document and acts only on those targets.
   */
  handleEvent(event: Event): void {
    const where = this._dropZone(event.target);
    switch (event.type) {
      case 'lm-dragenter':
      case 'lm-dragover': {
        const drag = event as Drag.Event;
        if (!where || !this._zipPaths(drag).length) {
          this._highlight(null);
          return;
        }
        drag.preventDefault();
        drag.stopPropagation();
        if (event.type === 'lm-dragover') {
          drag.dropAction = drag.proposedAction;
        }
        this._highlight(where);
        break;
      }
      case 'lm-dragleave':
      case 'dragleave': {
        const related = (event as MouseEvent).relatedTarget;
        if (!this._dropZone(related)) {
          this._highlight(null);
        }
        break;
      }
      case 'lm-drop': {
        const drag = event as Drag.Event;
        this._highlight(null);
        const paths = where ? this._zipPaths(drag) : [];
        if (!paths.length) {
          return;
        }
        drag.preventDefault();
        drag.stopPropagation();
        // Not 'move': the zip stays where it is (its contents are copied).
        drag.dropAction = 'copy';
        this._zipDropped.emit({ kind: 'paths', paths });
        break;
      }
      case 'dragenter':
      case 'dragover': {
        const native = event as DragEvent;
        if (!where || !native.dataTransfer?.types.includes('Files')) {
          return;
        }
        native.preventDefault();
        native.dataTransfer.dropEffect = 'copy';
        this._highlight(where);
        break;
      }
      case 'drop': {
        const native = event as DragEvent;
        this._highlight(null);
        const files = Array.from(native.dataTransfer?.files ?? []);
        if (!where || !files.length) {
          return;
        }
        native.preventDefault();
        native.stopPropagation();
        this._zipDropped.emit({ kind: 'files', files });
        break;
      }
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    for (const type of DROP_EVENTS) {
      document.addEventListener(type, this);
    }
  }

  protected onBeforeDetach(msg: Message): void {
    for (const type of DROP_EVENTS) {
      document.removeEventListener(type, this);
    }
    this._highlight(null);
    super.onBeforeDetach(msg);
  }

  /** The panel's own tab in a side bar, if shown. */
  private _tab(): HTMLElement | null {
    return document.querySelector<HTMLElement>(
      `.jp-SideBar .lm-TabBar-tab[data-id="${this.id}"]`
    );
  }

  /** Whether `target` is the panel (when visible) or its side bar tab. */
  private _dropZone(target: EventTarget | null): 'panel' | 'tab' | null {
    if (!(target instanceof Node)) {
      return null;
    }
    if (this.isVisible && this.node.contains(target)) {
      return 'panel';
    }
    return this._tab()?.contains(target) ? 'tab' : null;
  }

  private _highlight(where: 'panel' | 'tab' | null): void {
    this.toggleClass(DROP_CLASS, where === 'panel');
    const tab = this._tab();
    tab?.classList.toggle(DROP_CLASS, where === 'tab');
  }

  /** The `.zip` paths of a file browser drag (none for any other drag). */
  private _zipPaths(drag: Drag.Event): string[] {
    if (!drag.mimeData.hasData(CONTENTS_MIME)) {
      return [];
    }
    const paths = drag.mimeData.getData(CONTENTS_MIME) as unknown;
    return Array.isArray(paths)
      ? paths.filter((p): p is string => typeof p === 'string' && isZipName(p))
      : [];
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
  private _import: Widget;
  private _list: ModelList;
  private _status: Widget;
  private _opened = new Signal<this, ICatalogEntry>(this);
  private _addSourceRequested = new Signal<this, void>(this);
  private _removeSourceRequested = new Signal<this, string>(this);
  private _zipDropped = new Signal<this, ZooDrop>(this);
}

const DROP_EVENTS = [
  'lm-dragenter',
  'lm-dragleave',
  'lm-dragover',
  'lm-drop',
  'dragenter',
  'dragleave',
  'dragover',
  'drop'
];

/** Options of the panel. */
export namespace ZooPanel {
  export interface IOptions {
    translator?: ITranslator;
    catalog?: ModelCatalog;
  }
}
