/**
 * The search box, filters and sort order above the model list. Emits the
 * query on every change; the panel runs the (pure) search.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { emptyQuery, IFacets, ISearchQuery } from '../../core/catalog/search';
import type { ZooTask } from '../../core/catalog/types';
import { taskLabel } from './model-list';

type Option = [value: string, label: string];

function select(
  label: string,
  className: string,
  options: Option[]
): HTMLSelectElement {
  const el = document.createElement('select');
  el.className = `jp-BioImage-zooFilter ${className}`;
  el.setAttribute('aria-label', label);
  el.title = label;
  setOptions(el, options);
  return el;
}

function setOptions(el: HTMLSelectElement, options: Option[]): void {
  const value = el.value;
  el.replaceChildren(
    ...options.map(([v, text]) => {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = text;
      return o;
    })
  );
  if (options.some(([v]) => v === value)) {
    el.value = value;
  }
}

/** Search and filter controls. */
export class FilterBar extends Widget {
  constructor(trans: TranslationBundle) {
    super();
    this._trans = trans;
    this.addClass('jp-BioImage-zooFilters');
    this.node.setAttribute('role', 'search');

    this._search = document.createElement('input');
    this._search.type = 'search';
    this._search.className = 'jp-BioImage-zooSearch jp-mod-styled';
    this._search.placeholder = trans.__('Search models, tags, authors…');
    this._search.setAttribute('aria-label', trans.__('Search models'));

    this._task = select(trans.__('Task'), 'jp-mod-task', []);
    this._dims = select(trans.__('Dimensionality'), 'jp-mod-dims', [
      ['', trans.__('2D and 3D')],
      ['2D', '2D'],
      ['3D', '3D']
    ]);
    this._channels = select(trans.__('Input channels'), 'jp-mod-channels', [
      ['', trans.__('Any channels')],
      ['1', trans.__('1 channel')],
      ['2', trans.__('2 channels')],
      ['3', trans.__('3 channels')],
      ['4+', trans.__('4+ channels')]
    ]);
    this._modality = select(trans.__('Modality'), 'jp-mod-modality', []);
    this._license = select(trans.__('License'), 'jp-mod-license', []);
    this._sort = select(trans.__('Sort by'), 'jp-mod-sort', [
      ['name', trans.__('Sort: name')],
      ['date', trans.__('Sort: newest')]
    ]);
    const browserLabel = document.createElement('label');
    browserLabel.className = 'jp-BioImage-zooBrowserOnly';
    this._browser = document.createElement('input');
    this._browser.type = 'checkbox';
    browserLabel.append(
      this._browser,
      document.createTextNode(trans.__('Runs in browser'))
    );
    browserLabel.title = trans.__('Only models with ONNX weights');

    const row = document.createElement('div');
    row.className = 'jp-BioImage-zooFilterRow';
    row.append(
      this._task,
      this._dims,
      this._channels,
      this._modality,
      this._license,
      this._sort,
      browserLabel
    );
    this.node.append(this._search, row);
    this.setFacets({
      tasks: new Map(),
      modalities: new Map(),
      licenses: new Map()
    });

    this._search.addEventListener('input', () => this._emit());
    for (const el of [
      this._task,
      this._dims,
      this._channels,
      this._modality,
      this._license,
      this._sort,
      this._browser
    ]) {
      el.addEventListener('change', () => this._emit());
    }
  }

  /** Fires with the new query after any change. */
  get queryChanged(): ISignal<this, ISearchQuery> {
    return this._queryChanged;
  }

  /** The current query. */
  get query(): ISearchQuery {
    return {
      ...emptyQuery(),
      text: this._search.value,
      tasks: this._task.value ? [this._task.value as ZooTask] : [],
      dims: this._dims.value as ISearchQuery['dims'],
      channels: this._channels.value as ISearchQuery['channels'],
      modality: this._modality.value,
      license: this._license.value,
      runsInBrowser: this._browser.checked,
      sort: this._sort.value === 'date' ? 'date' : 'name'
    };
  }

  /** Offer the values found in the catalog (with counts). */
  setFacets(facets: IFacets): void {
    const trans = this._trans;
    const counted = <K extends string>(
      map: Map<K, number>,
      label: (k: K) => string
    ): Option[] =>
      Array.from(map.entries())
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => [k, `${label(k)} (${n})`]);
    setOptions(this._task, [
      ['', trans.__('All tasks')],
      ...counted(facets.tasks, t => taskLabel(t, trans))
    ]);
    setOptions(this._modality, [
      ['', trans.__('All modalities')],
      ...counted(facets.modalities, m => m)
    ]);
    setOptions(this._license, [
      ['', trans.__('All licenses')],
      ...counted(facets.licenses, l => l)
    ]);
  }

  /** Focus the search box. */
  focusSearch(): void {
    this._search.focus();
  }

  private _emit(): void {
    this._queryChanged.emit(this.query);
  }

  private _trans: TranslationBundle;
  private _search: HTMLInputElement;
  private _task: HTMLSelectElement;
  private _dims: HTMLSelectElement;
  private _channels: HTMLSelectElement;
  private _modality: HTMLSelectElement;
  private _license: HTMLSelectElement;
  private _sort: HTMLSelectElement;
  private _browser: HTMLInputElement;
  private _queryChanged = new Signal<this, ISearchQuery>(this);
}
