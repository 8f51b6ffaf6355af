/**
 * Banners above the list: sources that could not be read (with the reason
 * and Retry), progress while descriptions arrive, and the count of entries
 * that could not be read, with details.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { ICatalogFailure } from '../../core/catalog/types';
import type { ISourceState } from '../catalog/catalog';

/** The banners widget; `update(...)` redraws it. */
export class SourceBanners extends Widget {
  constructor(options: SourceBanners.IOptions) {
    super();
    this._options = options;
    this.addClass('jp-BioImage-zooBanners');
    this._live = document.createElement('div');
    this._live.className = 'jp-BioImage-zooProgress';
    this._live.setAttribute('role', 'status');
    this._live.setAttribute('aria-live', 'polite');
    this._alerts = document.createElement('div');
    this._details = document.createElement('div');
    this.node.append(this._alerts, this._live, this._details);
  }

  /** Show the current state of the sources and the failures. */
  render(
    sources: readonly ISourceState[],
    failures: readonly ICatalogFailure[]
  ): void {
    const trans = this._options.trans;
    const alerts: HTMLElement[] = [];
    for (const source of sources) {
      if (source.state === 'error' || source.warning) {
        const banner = document.createElement('div');
        const error = source.state === 'error';
        banner.className = `jp-BioImage-zooBanner ${error ? 'jp-mod-error' : 'jp-mod-warning'}`;
        banner.setAttribute('role', error ? 'alert' : 'status');
        banner.dataset.source = source.id;
        const text = document.createElement('span');
        text.textContent = error
          ? source.kind === 'bundled'
            ? trans.__(
                'Could not read the bundled models: %1',
                source.error ?? ''
              )
            : trans.__(
                'Could not read %1: %2. The bundled models still work.',
                source.label,
                (source.error ?? '').replace(/\.+$/, '')
              )
          : trans.__('%1: %2', source.label, source.warning ?? '');
        banner.appendChild(text);
        const retry = document.createElement('button');
        retry.className =
          'jp-Button jp-mod-styled jp-mod-reject jp-BioImage-zooRetry';
        retry.textContent = trans.__('Retry');
        retry.addEventListener('click', () => this._options.onRetry(source.id));
        banner.appendChild(retry);
        if (source.user) {
          const remove = document.createElement('button');
          remove.className = 'jp-Button jp-mod-styled jp-mod-reject';
          remove.textContent = trans.__('Remove source');
          remove.addEventListener('click', () =>
            this._options.onRemove(source.id)
          );
          banner.appendChild(remove);
        }
        alerts.push(banner);
      }
    }
    this._alerts.replaceChildren(...alerts);

    const loading = sources.filter(s => s.state === 'loading');
    this._live.textContent = loading
      .map(s =>
        s.total
          ? trans.__(
              'Reading %1: %2 of %3 descriptions…',
              s.label,
              s.loaded,
              s.total
            )
          : trans.__('Reading %1…', s.label)
      )
      .join(' ');
    this._live.hidden = loading.length === 0;

    if (failures.length === 0) {
      this._details.replaceChildren();
      this._open = false;
      return;
    }
    const details = document.createElement('details');
    details.className = 'jp-BioImage-zooFailures';
    details.open = this._open;
    details.addEventListener('toggle', () => (this._open = details.open));
    const summary = document.createElement('summary');
    summary.textContent = trans._n(
      '%1 entry could not be read — details',
      '%1 entries could not be read — details',
      failures.length
    );
    const list = document.createElement('ul');
    for (const f of failures) {
      const item = document.createElement('li');
      const what = document.createElement('strong');
      what.textContent = f.what;
      item.append(what, document.createTextNode(`: ${f.reason}`));
      list.appendChild(item);
    }
    details.append(summary, list);
    this._details.replaceChildren(details);
  }

  private _options: SourceBanners.IOptions;
  private _live: HTMLDivElement;
  private _alerts: HTMLDivElement;
  private _details: HTMLDivElement;
  private _open = false;
}

/** Options of the banners. */
export namespace SourceBanners {
  export interface IOptions {
    trans: TranslationBundle;
    onRetry: (sourceId: string) => void;
    onRemove: (sourceId: string) => void;
  }
}
