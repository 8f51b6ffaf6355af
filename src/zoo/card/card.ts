/**
 * The model card, opened in the main area from the zoo sidebar: everything a
 * user needs to decide whether a model fits their images and to use it
 * correctly. The documentation is markdown from an untrusted source and goes
 * through JupyterLab's sanitizing markdown renderer.
 */
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { ModelCatalog } from '../catalog/catalog';
import type { ICatalogEntry, ITestStatus } from '../../core/catalog/types';
import { h } from '../../jupyter/dom';
import { citations, link, people, section, tensor, weights } from './sections';
import type { IModelDescription } from '../../core/spec/types';
import { isHttpUrl } from '../../core/package/readers/reader';
import {
  BLOCKED_CLASS,
  foreignResources,
  IDocumentationUrls,
  REMOTE_IMAGE_CLASS,
  rewriteDocumentationHtml
} from './docs-html';
import {
  formatBytes,
  fractionDone,
  ITransferProgress,
  Transfer,
  TransferCancelledError
} from '../../core/package/transfer';

const CARD_CLASS = 'jp-BioImage-modelCard';

/**
 * Actions the card's buttons run (provided by the plugin). `test` and
 * `download` get a transfer to report progress on and to watch for Cancel;
 * once cancelled they reject with {@link TransferCancelledError}.
 */
export interface ICardActions {
  test?: (
    entry: ICatalogEntry,
    model: IModelDescription,
    transfer: Transfer
  ) => Promise<ITestStatus>;
  use?: (entry: ICatalogEntry, model: IModelDescription) => Promise<void>;
  download?: (
    entry: ICatalogEntry,
    model: IModelDescription,
    transfer: Transfer
  ) => Promise<string>;
}

/** The model card widget. */
export class ModelCard extends Widget {
  constructor(options: ModelCard.IOptions) {
    super();
    this._options = options;
    const { entry, trans } = options;
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
    for (const { transfer } of this._transfers.values()) {
      transfer.cancel();
    }
    super.dispose();
  }

  /** Resolves when the documentation has been rendered (or failed). */
  get documentationReady(): Promise<void> {
    return this._docs;
  }

  private _render(): void {
    const { entry, model, trans, catalog } = this._options;
    const node = this.node;
    const header = h('header', { className: 'jp-BioImage-cardHeader' });
    header.append(h('h1', { textContent: entry.name }));
    const idLine = h('p', { className: 'jp-BioImage-cardId' });
    idLine.append(h('code', { textContent: entry.id }));
    if (entry.version) {
      idLine.append(` · ${trans.__('version %1', entry.version)}`);
    }
    if (model.version && model.version !== entry.version) {
      idLine.append(` · ${trans.__('release %1', model.version)}`);
    }
    idLine.append(` · ${trans.__('format %1', model.formatVersion)}`);
    header.append(idLine);
    header.append(
      h('p', {
        className: 'jp-BioImage-cardDescription',
        textContent: model.description
      })
    );
    header.append(this._actions());
    this._status = h('div', { className: 'jp-BioImage-cardTestStatus' });
    this._status.setAttribute('role', 'status');
    this._status.setAttribute('aria-live', 'polite');
    header.append(this._status);
    const known = catalog.testStatus(entry.key);
    if (known) {
      this._showTest(known);
    }
    node.append(header);

    if (model.covers.length) {
      const covers = h('div', { className: 'jp-BioImage-cardCovers' });
      for (const cover of model.covers.slice(0, 4)) {
        try {
          const img = h('img');
          img.alt = trans.__('Cover image of %1', entry.name);
          img.loading = 'lazy';
          img.src = catalog.fetcher.displayUrl(entry.location, cover);
          img.addEventListener('error', () => img.remove());
          covers.append(img);
        } catch {
          // A cover path leaving the package is ignored.
        }
      }
      node.append(covers);
    }

    const facts = h('dl', { className: 'jp-BioImage-cardFacts' });
    const fact = (term: string, value: Node | string) => {
      facts.append(h('dt', { textContent: term }));
      const dd = h('dd');
      dd.append(value);
      facts.append(dd);
    };
    fact(trans.__('License'), model.license ?? trans.__('not given'));
    if (entry.versions.length) {
      fact(
        trans.__('Versions'),
        entry.versions
          .map(
            v =>
              `${v.version}${v.createdAt ? ` (${v.createdAt.slice(0, 10)})` : ''}${v.comment ? ` — ${v.comment}` : ''}`
          )
          .join('; ')
      );
    }
    if (model.tags.length) {
      fact(trans.__('Tags'), model.tags.join(', '));
    }
    const training = model.trainingData;
    if (training) {
      const tid = typeof training.id === 'string' ? training.id : '';
      const source = typeof training.source === 'string' ? training.source : '';
      fact(
        trans.__('Training data'),
        source && isHttpUrl(source)
          ? link(source, tid || source)
          : tid
            ? link(
                `https://bioimage.io/#/artifacts/${tid.replace(/^bioimage-io\//, '')}`,
                tid
              )
            : trans.__('described in the description')
      );
    }
    if (model.gitRepo) {
      fact(trans.__('Source code'), link(model.gitRepo, model.gitRepo));
    }
    fact(trans.__('Source'), entry.origin.label);
    node.append(facts);

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
    this._docs = this._renderDocs(docs);
  }

  private _actions(): HTMLElement {
    const { entry, model, trans, actions } = this._options;
    const bar = h('div', { className: 'jp-BioImage-cardActions' });
    const button = (
      label: string,
      className: string,
      onClick: (b: HTMLButtonElement) => Promise<void>,
      disabledReason?: string
    ) => {
      const b = h('button', {
        className: `jp-Button jp-mod-styled ${className}`,
        textContent: label
      });
      b.type = 'button';
      if (disabledReason) {
        b.disabled = true;
        b.title = disabledReason;
      }
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          await onClick(b);
        } finally {
          b.disabled = false;
        }
      });
      bar.append(b);
      return b;
    };
    const noOnnx = entry.runsInBrowser
      ? undefined
      : trans.__(
          'This model has no ONNX weights, so it cannot run in the browser.'
        );
    button(
      trans.__('Test in this browser'),
      'jp-mod-accept jp-BioImage-cardTest',
      async () => {
        if (!actions.test) {
          return;
        }
        this._status.className = 'jp-BioImage-cardTestStatus jp-mod-running';
        this._status.textContent = trans.__(
          'Testing: reproducing the test outputs from the test inputs…'
        );
        const transfer = this._startTransfer('test');
        let status: ITestStatus;
        try {
          status = await actions.test(entry, model, transfer);
        } catch (error) {
          if (error instanceof TransferCancelledError || transfer.cancelled) {
            this._status.className =
              'jp-BioImage-cardTestStatus jp-mod-cancelled';
            this._status.textContent = trans.__(
              'Test cancelled: unfinished downloads were stopped and nothing was kept.'
            );
            return;
          }
          status = {
            passed: false,
            maxAbsDiff: NaN,
            backend: '',
            milliseconds: 0,
            error: (error as Error).message
          };
        } finally {
          this._endTransfer('test');
        }
        this._options.catalog.setTestStatus(entry.key, status);
        this._showTest(status);
      },
      actions.test ? noOnnx : trans.__('Inference is not available.')
    );
    button(
      trans.__('Use this model'),
      'jp-BioImage-cardUse',
      async () => {
        try {
          await actions.use?.(entry, model);
        } catch (error) {
          Notification.error((error as Error).message, { autoClose: false });
        }
      },
      actions.use ? noOnnx : trans.__('Inference is not available.')
    );
    button(
      trans.__('Download package to the workspace'),
      'jp-BioImage-cardDownload',
      async () => {
        if (!actions.download) {
          return;
        }
        const id = Notification.emit(
          trans.__('Downloading %1…', entry.name),
          'in-progress',
          { autoClose: false }
        );
        this._setDownloadStatus('', false);
        const transfer = this._startTransfer('download');
        try {
          const path = await actions.download(entry, model, transfer);
          Notification.update({
            id,
            type: 'success',
            message: trans.__('Saved %1 to %2', entry.name, path),
            autoClose: 8000
          });
          this._setDownloadStatus(trans.__('Saved to %1', path), false);
        } catch (error) {
          if (error instanceof TransferCancelledError || transfer.cancelled) {
            const message = trans.__(
              'Download cancelled: nothing was saved, and the server kept no part of it.'
            );
            Notification.update({
              id,
              type: 'info',
              message,
              autoClose: 5000
            });
            this._setDownloadStatus(message, false);
            return;
          }
          const message = (error as Error).message;
          Notification.update({
            id,
            type: 'error',
            message: trans.__('Download refused: %1', message),
            autoClose: false
          });
          this._setDownloadStatus(
            trans.__('Download refused: %1', message),
            true
          );
        } finally {
          this._endTransfer('download');
        }
      }
    );
    button(trans.__('Copy id'), 'jp-BioImage-cardCopy', async () => {
      Clipboard.copyToSystem(entry.id);
      Notification.info(trans.__('Copied “%1”', entry.id), { autoClose: 3000 });
    });
    this._download = h('div', { className: 'jp-BioImage-cardDownloadStatus' });
    this._download.setAttribute('role', 'status');
    this._progress = h('div', { className: 'jp-BioImage-cardProgressList' });
    const wrap = h('div');
    wrap.append(bar, this._progress, this._download);
    return wrap;
  }

  /** A progress row with a Cancel button for one running transfer. */
  private _startTransfer(task: 'test' | 'download'): Transfer {
    const trans = this._options.trans;
    this._endTransfer(task);
    const row = h('div', { className: 'jp-BioImage-cardProgress' });
    row.dataset.task = task;
    row.setAttribute('role', 'status');
    row.setAttribute('aria-live', 'polite');
    const text = h('span', {
      className: 'jp-BioImage-cardProgressText',
      textContent:
        task === 'test'
          ? trans.__('Test: starting…')
          : trans.__('Download: starting…')
    });
    const bar = h('progress', { className: 'jp-BioImage-cardProgressBar' });
    bar.max = 1;
    bar.removeAttribute('value');
    const cancel = h('button', {
      className: 'jp-Button jp-mod-styled jp-mod-reject jp-BioImage-cardCancel',
      textContent: trans.__('Cancel')
    });
    cancel.type = 'button';
    cancel.title =
      task === 'test'
        ? trans.__('Stop the test and its downloads')
        : trans.__('Stop the download; nothing is saved');
    const transfer = new Transfer(p => {
      text.textContent = this._describeProgress(task, p);
      const fraction = fractionDone(p);
      if (fraction === null) {
        bar.removeAttribute('value');
      } else {
        bar.value = fraction;
      }
      row.dataset.phase = p.phase;
    });
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      text.textContent = trans.__('Cancelling…');
      transfer.cancel();
    });
    row.append(text, bar, cancel);
    this._progress.append(row);
    this._transfers.set(task, { transfer, row });
    return transfer;
  }

  private _endTransfer(task: 'test' | 'download'): void {
    this._transfers.get(task)?.row.remove();
    this._transfers.delete(task);
  }

  private _describeProgress(
    task: 'test' | 'download',
    p: ITransferProgress
  ): string {
    const trans = this._options.trans;
    if (p.phase === 'testing') {
      return trans.__('Test: running the model on its test inputs…');
    }
    const verb =
      p.phase === 'saving'
        ? trans.__('Saving')
        : task === 'test'
          ? trans.__('Test: downloading')
          : trans.__('Downloading');
    const bytes =
      p.phase === 'saving'
        ? formatBytes(p.bytesTotal ?? 0)
        : p.bytesTotal !== null
          ? trans.__(
              '%1 of %2',
              formatBytes(p.bytesDone),
              formatBytes(p.bytesTotal)
            )
          : formatBytes(p.bytesDone);
    return trans.__(
      '%1 file %2 of %3 · %4 · %5',
      verb,
      p.index,
      p.count,
      p.file ?? '',
      bytes
    );
  }

  private _setDownloadStatus(text: string, error: boolean): void {
    this._download.textContent = text;
    this._download.classList.toggle('jp-mod-error', error);
  }

  private _showTest(status: ITestStatus): void {
    const trans = this._options.trans;
    this._status.className = `jp-BioImage-cardTestStatus ${status.passed ? 'jp-mod-pass' : 'jp-mod-fail'}`;
    this._status.textContent = status.error
      ? trans.__('Test could not run: %1', status.error)
      : status.passed
        ? trans.__(
            'Test passed: max abs diff %1 · backend %2 · %3 ms',
            status.maxAbsDiff.toExponential(2),
            status.backend,
            Math.round(status.milliseconds)
          )
        : trans.__(
            'Test FAILED: max abs diff %1 · backend %2 · %3 ms',
            status.maxAbsDiff.toExponential(2),
            status.backend,
            Math.round(status.milliseconds)
          );
  }

  private async _renderDocs(host: HTMLElement): Promise<void> {
    const { entry, model, trans, catalog, rendermime } = this._options;
    if (!model.documentation) {
      host.textContent = trans.__('This model has no documentation.');
      return;
    }
    host.textContent = trans.__('Loading documentation…');
    try {
      const bytes = await catalog.fetcher.read(
        entry.location,
        model.documentation
      );
      const markdown = new TextDecoder('utf-8').decode(bytes);
      if (!rendermime) {
        const pre = h('pre', { textContent: markdown });
        host.replaceChildren(pre);
        return;
      }
      const fetcher = catalog.fetcher;
      const resolver: IRenderMime.IResolver = {
        // Only package-relative links are resolved (through the server cache).
        isLocal: (url: string) => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(url),
        resolveUrl: async (url: string) => url,
        getDownloadUrl: async (url: string) =>
          fetcher.displayUrl(entry.location, url)
      };
      // Images and media load only from the Jupyter server: package files,
      // and remote files through its proxy (see docs-html.ts).
      const urls: IDocumentationUrls = {
        packageFile: relative => fetcher.displayUrl(entry.location, relative),
        proxy: url => fetcher.displayUrl(entry.location, url)
      };
      const base = rendermime.sanitizer;
      let refused: string[] = [];
      const sanitizer: IRenderMime.ISanitizer = {
        allowNamedProperties: base.allowNamedProperties,
        getAutolink: () => base.getAutolink?.() ?? true,
        sanitize: (dirty, options) => {
          const clean = base.sanitize(
            rewriteDocumentationHtml(dirty, urls),
            options
          );
          refused = foreignResources(clean, window.location.origin);
          return refused.length ? '' : clean;
        }
      };
      const clone = rendermime.clone({ resolver, sanitizer });
      const renderer = clone.createRenderer('text/markdown');
      // Untrusted: the renderer sanitizes the HTML (no scripts, no event handlers).
      await renderer.renderModel(
        new MimeModel({ data: { 'text/markdown': markdown }, trusted: false })
      );
      if (refused.length) {
        host.textContent = trans.__(
          'The documentation is not shown: it would make the browser load %1 from another site.',
          refused.slice(0, 3).join(', ')
        );
        return;
      }
      for (const img of Array.from(
        renderer.node.querySelectorAll<HTMLImageElement>(
          `img.${REMOTE_IMAGE_CLASS}`
        )
      )) {
        img.referrerPolicy = 'no-referrer';
        const blocked = () => {
          const span = h('span', {
            className: BLOCKED_CLASS,
            textContent: trans.__(
              '[image not available: %1]',
              img.alt || img.title || ''
            )
          });
          span.title = trans.__(
            'The Jupyter server did not fetch this image (not reachable, or not allowed by c.BioImageCache.allowed_hosts).'
          );
          img.replaceWith(span);
        };
        img.addEventListener('error', blocked, { once: true });
        if (img.complete && img.naturalWidth === 0 && img.getAttribute('src')) {
          blocked(); // failed before the listener was attached
        }
      }
      host.replaceChildren(renderer.node);
    } catch (error) {
      host.textContent = trans.__(
        'The documentation could not be loaded: %1',
        (error as Error).message
      );
    }
  }

  private _options: ModelCard.IOptions;
  private _status!: HTMLElement;
  private _download!: HTMLElement;
  private _progress!: HTMLElement;
  private _transfers = new Map<
    'test' | 'download',
    { transfer: Transfer; row: HTMLElement }
  >();
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
