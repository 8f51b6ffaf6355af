/**
 * The model card's action bar: the Test / Use / Download / Copy id buttons,
 * with the progress rows of running transfers and the download status line
 * under them. What the buttons actually do is provided by the plugin
 * ({@link ICardActions}, see buttons.ts); this module does the UI around it:
 * disabling a button while it runs, the notifications, and reporting test
 * results to the catalog and the card's test-status line.
 */
import { Clipboard, Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ModelCatalog } from '../catalog/catalog';
import type { ICatalogEntry, ITestStatus } from '../../core/catalog/types';
import type { IModelDescription } from '../../core/spec/types';
import { h } from '../../jupyter/dom';
import { Transfer, TransferCancelledError } from '../../core/package/transfer';
import type { TransferProgressList } from './progress';
import type { TestStatusLine } from './test-status';

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

/** What the action bar works with. */
export interface IActionBarOptions {
  entry: ICatalogEntry;
  model: IModelDescription;
  catalog: ModelCatalog;
  trans: TranslationBundle;
  actions: ICardActions;
  /** The card's test-status line (updated by the Test button). */
  status: TestStatusLine;
  /** The card's progress rows (the bar places their element). */
  progress: TransferProgressList;
}

/** The action bar, its progress rows and its download status line. */
export function actionBar(options: IActionBarOptions): HTMLElement {
  const { entry, model, catalog, trans, actions, status, progress } = options;
  const bar = h('div', { className: 'jp-BioImage-cardActions' });
  const download = h('div', { className: 'jp-BioImage-cardDownloadStatus' });
  download.setAttribute('role', 'status');
  const setDownloadStatus = (text: string, error: boolean) => {
    download.textContent = text;
    download.classList.toggle('jp-mod-error', error);
  };
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
      status.running();
      const transfer = progress.start('test');
      let result: ITestStatus;
      try {
        result = await actions.test(entry, model, transfer);
      } catch (error) {
        if (error instanceof TransferCancelledError || transfer.cancelled) {
          status.cancelled();
          return;
        }
        result = {
          passed: false,
          maxAbsDiff: NaN,
          backend: '',
          milliseconds: 0,
          error: (error as Error).message
        };
      } finally {
        progress.end('test');
      }
      catalog.setTestStatus(entry.key, result);
      status.show(result);
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
      setDownloadStatus('', false);
      const transfer = progress.start('download');
      try {
        const path = await actions.download(entry, model, transfer);
        Notification.update({
          id,
          type: 'success',
          message: trans.__('Saved %1 to %2', entry.name, path),
          autoClose: 8000
        });
        setDownloadStatus(trans.__('Saved to %1', path), false);
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
          setDownloadStatus(message, false);
          return;
        }
        const message = (error as Error).message;
        Notification.update({
          id,
          type: 'error',
          message: trans.__('Download refused: %1', message),
          autoClose: false
        });
        setDownloadStatus(trans.__('Download refused: %1', message), true);
      } finally {
        progress.end('download');
      }
    }
  );
  button(trans.__('Copy id'), 'jp-BioImage-cardCopy', async () => {
    Clipboard.copyToSystem(entry.id);
    Notification.info(trans.__('Copied “%1”', entry.id), { autoClose: 3000 });
  });
  const wrap = h('div');
  wrap.append(bar, progress.node, download);
  return wrap;
}
