/**
 * The zip-import flow as the user sees it: the `bioimage:import-model-zip`
 * command (a path, the zip selected in the file browser, or a file dialog),
 * zips dropped on the zoo sidebar, the progress and outcome in the sidebar
 * and a notification, and the imported folder added as a zoo source. The
 * checking and unpacking itself is in ./workspace.ts.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import {
  type FileBrowser,
  FileDialog,
  type IDefaultFileBrowser,
  type IFileBrowserFactory
} from '@jupyterlab/filebrowser';
import type { TranslationBundle } from '@jupyterlab/translation';

import { CommandIDs } from '../../commands';
import { formatBytes } from '../../core/package/transfer';
import { isZipName, type ZooDrop, type ZooPanel } from '../panel';
import type { ZooSettings } from '../settings';
import {
  type IImportedPackage,
  importModelZip,
  sourceName,
  type ZipSource
} from './workspace';

/** What {@link CommandIDs.importModelZip} resolves to. */
export type ImportZipResult =
  | {
      ok: true;
      folder: string;
      description: string;
      name: string;
      reused: boolean;
      listed: boolean;
    }
  | { ok: false; error: string };

/** Imports zips into the workspace and reports on them. */
export class ZipImportFlow {
  constructor(private readonly _options: ZipImportFlow.IOptions) {}

  /** Register the import command; zips dropped on the panel are imported too. */
  register(): void {
    const { app, panel, trans } = this._options;
    panel.zipDropped.connect((_, drop) => void this._onDrop(drop));
    app.commands.addCommand(CommandIDs.importModelZip, {
      label: args =>
        typeof args.path === 'string' && args.path
          ? trans.__(
              'Import Model Package %1',
              PathExt.basename(String(args.path))
            )
          : args.fromBrowser
            ? trans.__('Import as Model Package')
            : trans.__('Import Model Package (.zip)…'),
      caption: trans.__(
        'Check a .zip model package (paths, size, every sha256), unpack it into bioimage-models/ and list it in the model zoo'
      ),
      isVisible: args => !args.fromBrowser || this._selectedZip() !== null,
      execute: async args => {
        let path = typeof args.path === 'string' ? args.path : '';
        if (!path && args.fromBrowser) {
          path = this._selectedZip() ?? '';
        }
        if (!path) {
          const picked = await this._askForZip();
          if (picked === null) {
            return null;
          }
          path = picked;
        }
        return this.importZip({ kind: 'path', path });
      }
    });
  }

  /** Import one zip and add it as a source; reports in the sidebar and a notification. */
  async importZip(source: ZipSource): Promise<ImportZipResult> {
    const { app, panel, settings, trans } = this._options;
    const label = sourceName(source);
    panel.showImportStatus(trans.__('Importing %1…', label), 'running');
    const note = Notification.emit(
      trans.__('Importing %1…', label),
      'in-progress',
      { autoClose: false }
    );
    try {
      const result = await importModelZip(app.serviceManager.contents, source, {
        limits: settings.importLimits
      });
      const state = await settings.addFolderSource(result.folder);
      const listed = state?.state === 'ready';
      const message = this._describe(result, listed);
      panel.showImportStatus(message, listed ? 'ok' : 'error');
      Notification.update({
        id: note,
        type: listed ? 'success' : 'warning',
        message,
        autoClose: 8000
      });
      return {
        ok: true,
        folder: result.folder,
        description: result.description,
        name: result.model.name,
        reused: result.reused,
        listed
      };
    } catch (error) {
      const message = trans.__('Import refused: %1', (error as Error).message);
      panel.showImportStatus(message, 'error');
      Notification.update({
        id: note,
        type: 'error',
        message,
        autoClose: false
      });
      return { ok: false, error: (error as Error).message };
    }
  }

  /** Zips dropped on the sidebar (or its tab), one after the other. */
  private async _onDrop(drop: ZooDrop): Promise<void> {
    const { app, panel, trans } = this._options;
    // Dropped on the tab: show the panel, where the outcome is reported.
    app.shell.activateById(panel.id);
    const sources: ZipSource[] =
      drop.kind === 'paths'
        ? drop.paths.map(path => ({ kind: 'path', path }))
        : drop.files.map(file => ({ kind: 'file', file, name: file.name }));
    const other = sources.filter(s => !isZipName(sourceName(s)));
    if (other.length) {
      panel.showImportStatus(
        trans.__(
          'Only .zip model packages can be dropped here; %1 is not one. To add a package folder, use the + button.',
          other.map(sourceName).join(', ')
        ),
        'error'
      );
    }
    for (const source of sources.filter(s => isZipName(sourceName(s)))) {
      await this.importZip(source);
    }
  }

  /** The zip path picked in a file dialog (or typed, without a file browser); null if cancelled. */
  private async _askForZip(): Promise<string | null> {
    const { trans } = this._options;
    const manager = this._currentBrowser()?.model.manager;
    if (!manager) {
      const answer = await InputDialog.getText({
        title: trans.__('Import which model package?'),
        label: trans.__('Path of a .zip file in the workspace'),
        placeholder: 'downloads/model.zip'
      });
      if (!answer.button.accept || !answer.value) {
        return null;
      }
      return answer.value.trim();
    }
    const picked = await FileDialog.getOpenFiles({
      manager,
      title: trans.__('Import a model package (.zip)'),
      filter: model =>
        model.type === 'directory' || isZipName(model.name) ? {} : null
    });
    const file = picked.value?.find(m => m.type !== 'directory');
    if (!picked.button.accept || !file) {
      return null;
    }
    return file.path;
  }

  /** The browser whose context menu or selection is meant. */
  private _currentBrowser(): FileBrowser | null {
    const { browser, browsers } = this._options;
    return browsers?.tracker.currentWidget ?? browser ?? null;
  }

  /** The path of the one zip selected in the file browser, or null. */
  private _selectedZip(): string | null {
    const items = Array.from(this._currentBrowser()?.selectedItems() ?? []);
    return items.length === 1 &&
      items[0].type !== 'directory' &&
      isZipName(items[0].name)
      ? items[0].path
      : null;
  }

  /** The outcome of an import, in one paragraph. */
  private _describe(result: IImportedPackage, listed: boolean): string {
    const { trans } = this._options;
    const name = result.model.name;
    const where = result.reused
      ? trans.__(
          '%1 is already in %2 (the same files); nothing was written.',
          name,
          result.folder
        )
      : trans.__(
          'Imported %1 into %2: %3 files, %4, %5 sha256 verified.',
          name,
          result.folder,
          result.files,
          formatBytes(result.bytes),
          result.verified
        );
    const skipped = result.skipped.length
      ? ' ' +
        trans.__(
          '%1 already holds another package and was left as it is.',
          result.skipped.join(', ')
        )
      : '';
    const shown = listed
      ? ' ' + trans.__('It is listed in the model zoo.')
      : ' ' +
        trans.__(
          'It was added as a source, but the zoo could not list it yet.'
        );
    return `${where}${skipped}${shown}`;
  }
}

/** The import flow's types. */
export namespace ZipImportFlow {
  export interface IOptions {
    app: JupyterFrontEnd;
    panel: ZooPanel;
    settings: ZooSettings;
    trans: TranslationBundle;
    /** The default file browser (its selection, its contents for the dialog). */
    browser: IDefaultFileBrowser | null;
    /** Every file browser: the one whose context menu was opened is meant. */
    browsers: IFileBrowserFactory | null;
  }
}
