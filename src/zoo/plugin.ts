import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  MainAreaWidget,
  Notification
} from '@jupyterlab/apputils';
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import {
  FileBrowser,
  FileDialog,
  IDefaultFileBrowser,
  IFileBrowserFactory
} from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ServerConnection } from '@jupyterlab/services';

import { CommandIDs, PALETTE_CATEGORY } from '../commands';
import { IServerHealth, requestAPI } from '../jupyter/request';
import { IInferenceService } from '../tokens';
import { ICatalogSettings, IUserSource, ModelCatalog } from './catalog/catalog';
import { ServerZooFetcher } from './catalog/fetcher';
import type { ICatalogEntry } from '../core/catalog/types';
import { ICardActions, ModelCard } from './card/card';
import { downloadPackage, packageFolder, testInBrowser } from './card/actions';
import { isZipName, ZooDrop, ZooPanel } from './panel';
import { IZooCatalog } from '../tokens';
import {
  DEFAULT_ZIP_LIMITS,
  IZipImportLimits
} from '../core/package/zip-import';
import {
  IImportedPackage,
  importModelZip,
  sourceName,
  ZipSource
} from './import/workspace';
import { formatBytes } from '../core/package/transfer';

const PLUGIN_ID = 'jupyterlab-bioimage:zoo';

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

/** The default settings, used when the setting registry is not available. */
const DEFAULTS: ICatalogSettings = {
  indexUrl: 'https://bioimage-io.github.io/collection/index.json',
  offline: false,
  userSources: [],
  concurrency: 6
};

function readImportLimits(
  setting: ISettingRegistry.ISettings
): IZipImportLimits {
  const max = setting.get('maxImportBytes').composite;
  return {
    ...DEFAULT_ZIP_LIMITS,
    maxTotalBytes:
      typeof max === 'number' && max > 0
        ? max
        : DEFAULT_ZIP_LIMITS.maxTotalBytes
  };
}

function readSettings(setting: ISettingRegistry.ISettings): ICatalogSettings {
  const get = <T>(key: string, fallback: T) =>
    (setting.get(key).composite as T | undefined) ?? fallback;
  const sources = get<IUserSource[]>('userSources', []);
  return {
    indexUrl: get('collectionIndexUrl', DEFAULTS.indexUrl),
    offline: get('offline', false),
    concurrency: Math.max(1, Math.min(32, get('concurrency', 6))),
    userSources: Array.isArray(sources)
      ? sources.filter(
          s =>
            s &&
            typeof s.location === 'string' &&
            ['index', 'description', 'folder'].includes(s.kind)
        )
      : []
  };
}

/** The description URL the inference commands can fetch (bundled, workspace or saved copy). */
async function runnableLocation(
  app: JupyterFrontEnd,
  catalog: ModelCatalog,
  entry: ICatalogEntry
): Promise<string> {
  const loc = entry.location;
  if (loc.kind === 'workspace') {
    return loc.path;
  }
  if (loc.kind === 'bundled') {
    const settings = ServerConnection.makeSettings();
    const path = loc.path.split('/').map(encodeURIComponent).join('/');
    let url = URLExt.join(settings.baseUrl, 'bioimage', 'bundled', path);
    if (settings.token) {
      // Same-origin files of the package inherit this query (see HttpPackageReader.resolve).
      url += `?token=${encodeURIComponent(settings.token)}`;
    }
    return new URL(url, window.location.href).href;
  }
  // Remote packages are saved to the workspace first (verified), then run from there.
  const model = catalog.model(entry.key);
  if (!model) {
    throw new Error(`the description of ${entry.id} is not loaded`);
  }
  return downloadPackage(
    app.serviceManager.contents,
    catalog.fetcher,
    entry,
    model,
    packageFolder(entry)
  );
}

function cardActions(
  app: JupyterFrontEnd,
  catalog: ModelCatalog,
  inference: IInferenceService | null,
  browser: IDefaultFileBrowser | null,
  trans: TranslationBundle
): ICardActions {
  return {
    test: inference
      ? (entry, model, transfer) =>
          testInBrowser(inference, catalog.fetcher, entry, model, transfer)
      : undefined,
    use: inference
      ? async entry => {
          if (app.commands.hasCommand(CommandIDs.openWizard)) {
            await app.commands.execute(CommandIDs.openWizard, {
              modelKey: entry.key
            });
            return;
          }
          const model = await runnableLocation(app, catalog, entry);
          const selected = browser?.selectedItems().next();
          const guess =
            selected && !selected.done && selected.value.type !== 'directory'
              ? selected.value.path
              : '';
          const answer = await InputDialog.getText({
            title: trans.__('Run %1 on which image?', entry.name),
            label: trans.__('Image file in the workspace (TIFF, PNG, NPY)'),
            text: guess,
            placeholder: 'images/cells.tif'
          });
          if (!answer.button.accept || !answer.value) {
            return;
          }
          await app.commands.execute(CommandIDs.predictFile, {
            model,
            image: answer.value
          });
        }
      : undefined,
    download: async (entry, model, transfer) => {
      const skipped: string[] = [];
      const path = await downloadPackage(
        app.serviceManager.contents,
        catalog.fetcher,
        entry,
        model,
        packageFolder(entry),
        skipped,
        transfer
      );
      return skipped.length
        ? trans.__('%1 (unavailable, skipped: %2)', path, skipped.join(', '))
        : path;
    }
  };
}

/**
 * The model zoo sidebar: adds the panel on the left, loads the catalog from
 * the bundled zoo, the live index and user sources, opens model cards, and
 * checks the server extension at start-up.
 */
export const zooPlugin: JupyterFrontEndPlugin<IZooCatalog> = {
  id: PLUGIN_ID,
  description: 'The BioImage Model Zoo sidebar.',
  autoStart: true,
  provides: IZooCatalog,
  optional: [
    ICommandPalette,
    ILayoutRestorer,
    ISettingRegistry,
    ITranslator,
    IInferenceService,
    IRenderMimeRegistry,
    IDefaultFileBrowser,
    IFileBrowserFactory
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    inference: IInferenceService | null,
    rendermime: IRenderMimeRegistry | null,
    browser: IDefaultFileBrowser | null,
    browsers: IFileBrowserFactory | null
  ): IZooCatalog => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_bioimage');
    const catalog = new ModelCatalog({
      fetcher: new ServerZooFetcher(app.serviceManager.contents)
    });
    const panel = new ZooPanel({
      translator: translator ?? nullTranslator,
      catalog
    });
    app.shell.add(panel, 'left', { rank: 600, type: 'BioImage Model Zoo' });
    restorer?.add(panel, PLUGIN_ID);
    const actions = cardActions(app, catalog, inference, browser, trans);
    const cards = new Map<string, MainAreaWidget<ModelCard>>();
    let setting: ISettingRegistry.ISettings | null = null;
    let importLimits = DEFAULT_ZIP_LIMITS;

    const checkServer = async (): Promise<IServerHealth | Error> => {
      try {
        const health = await requestAPI<IServerHealth>('health');
        panel.showHealth(health);
        return health;
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        console.error(
          'jupyterlab-bioimage: server extension check failed',
          err
        );
        panel.showHealth(err);
        return err;
      }
    };

    const openCard = (entry: ICatalogEntry) => {
      const existing = cards.get(entry.key);
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
      widget.addClass('jp-BioImage-modelCardWidget');
      cards.set(entry.key, widget);
      widget.disposed.connect(() => cards.delete(entry.key));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    };
    panel.opened.connect((_, entry) => openCard(entry));

    const saveSources = async (sources: IUserSource[]) => {
      if (!setting) {
        await catalog.configure({ ...catalog.settings, userSources: sources });
        return;
      }
      await setting.set(
        'userSources',
        sources.map(s => ({ kind: s.kind, location: s.location }))
      );
    };

    /** Resolves once the source with `id` has been read (or after `timeoutMs`). */
    const sourceLoaded = async (id: string, timeoutMs = 30000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const state = catalog.sources.find(s => s.id === id);
        if ((state && state.state !== 'loading') || Date.now() > until) {
          return state;
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    };

    const addFolderSource = async (folder: string) => {
      const sources = catalog.settings.userSources.filter(
        s => !(s.kind === 'folder' && s.location === folder)
      );
      await saveSources([...sources, { kind: 'folder', location: folder }]);
      return sourceLoaded(`folder:${folder}`);
    };

    /** The browser whose context menu or selection is meant. */
    const currentBrowser = (): FileBrowser | null =>
      browsers?.tracker.currentWidget ?? browser ?? null;

    const selectedZip = (): string | null => {
      const items = Array.from(currentBrowser()?.selectedItems() ?? []);
      return items.length === 1 &&
        items[0].type !== 'directory' &&
        isZipName(items[0].name)
        ? items[0].path
        : null;
    };

    const describeImport = (
      result: IImportedPackage,
      listed: boolean
    ): string => {
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
    };

    /** Import one zip and add it as a source; reports in the sidebar and a notification. */
    const importZip = async (source: ZipSource): Promise<ImportZipResult> => {
      const label = sourceName(source);
      panel.showImportStatus(trans.__('Importing %1…', label), 'running');
      const note = Notification.emit(
        trans.__('Importing %1…', label),
        'in-progress',
        { autoClose: false }
      );
      try {
        const result = await importModelZip(
          app.serviceManager.contents,
          source,
          { limits: importLimits }
        );
        const state = await addFolderSource(result.folder);
        const listed = state?.state === 'ready';
        const message = describeImport(result, listed);
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
        const message = trans.__(
          'Import refused: %1',
          (error as Error).message
        );
        panel.showImportStatus(message, 'error');
        Notification.update({
          id: note,
          type: 'error',
          message,
          autoClose: false
        });
        return { ok: false, error: (error as Error).message };
      }
    };

    const onDrop = async (drop: ZooDrop) => {
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
        await importZip(source);
      }
    };
    panel.zipDropped.connect((_, drop) => void onDrop(drop));

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
      isVisible: args => !args.fromBrowser || selectedZip() !== null,
      execute: async args => {
        let path = typeof args.path === 'string' ? args.path : '';
        if (!path && args.fromBrowser) {
          path = selectedZip() ?? '';
        }
        if (!path) {
          const manager = currentBrowser()?.model.manager;
          if (!manager) {
            const answer = await InputDialog.getText({
              title: trans.__('Import which model package?'),
              label: trans.__('Path of a .zip file in the workspace'),
              placeholder: 'downloads/model.zip'
            });
            if (!answer.button.accept || !answer.value) {
              return null;
            }
            path = answer.value.trim();
          } else {
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
            path = file.path;
          }
        }
        return importZip({ kind: 'path', path });
      }
    });
    app.contextMenu.addItem({
      command: CommandIDs.importModelZip,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      args: { fromBrowser: true },
      rank: 21
    });

    app.commands.addCommand(CommandIDs.openZoo, {
      label: trans.__('Open Model Zoo'),
      caption: trans.__('Show the BioImage Model Zoo sidebar'),
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.checkServer, {
      label: trans.__('Check BioImage Server Extension'),
      execute: () => checkServer()
    });
    app.commands.addCommand(CommandIDs.openModelCard, {
      label: trans.__('Open Model Card'),
      execute: args => {
        const key = typeof args.key === 'string' ? args.key : '';
        const id = typeof args.id === 'string' ? args.id : '';
        const entry =
          catalog.entry(key) ?? catalog.entries.find(e => e.id === id);
        if (!entry) {
          throw new Error(`no model '${key || id}' in the zoo catalog`);
        }
        const widget = openCard(entry);
        return widget ? widget.id : null;
      }
    });
    app.commands.addCommand(CommandIDs.addZooSource, {
      label: trans.__('Add Model Zoo Source…'),
      caption: trans.__(
        'Another collection index, a description URL or a workspace folder'
      ),
      execute: async args => {
        let kind = typeof args.kind === 'string' ? args.kind : '';
        let location = typeof args.location === 'string' ? args.location : '';
        const kinds: Record<string, IUserSource['kind']> = {
          [trans.__('A collection index (index.json URL)')]: 'index',
          [trans.__('One model description (rdf.yaml URL)')]: 'description',
          [trans.__('A workspace folder holding a model package')]: 'folder'
        };
        if (!kind) {
          const choice = await InputDialog.getItem({
            title: trans.__('Add a model source'),
            items: Object.keys(kinds)
          });
          if (!choice.button.accept || !choice.value) {
            return;
          }
          kind = kinds[choice.value];
        }
        if (!location) {
          const answer = await InputDialog.getText({
            title:
              kind === 'folder'
                ? trans.__('Folder (path in the file browser)')
                : trans.__('URL'),
            placeholder: kind === 'folder' ? 'models/my-model' : 'https://…'
          });
          if (!answer.button.accept || !answer.value) {
            return;
          }
          location = answer.value.trim();
        }
        if (kind !== 'index' && kind !== 'description' && kind !== 'folder') {
          throw new Error(`unknown source kind '${kind}'`);
        }
        const sources = catalog.settings.userSources.filter(
          s => !(s.kind === kind && s.location === location)
        );
        await saveSources([...sources, { kind, location }]);
      }
    });
    app.commands.addCommand(CommandIDs.reloadZoo, {
      label: trans.__('Reload Model Zoo'),
      execute: () => catalog.reload()
    });
    panel.addSourceRequested.connect(
      () => void app.commands.execute(CommandIDs.addZooSource)
    );
    panel.removeSourceRequested.connect((_, id) => {
      const sources = catalog.settings.userSources.filter(
        s => `${s.kind}:${s.location}` !== id
      );
      void saveSources(sources);
    });
    for (const command of [
      CommandIDs.openZoo,
      CommandIDs.checkServer,
      CommandIDs.addZooSource,
      CommandIDs.importModelZip,
      CommandIDs.reloadZoo
    ]) {
      palette?.addItem({ command, category: PALETTE_CATEGORY });
    }

    const start = async () => {
      if (settingRegistry) {
        try {
          setting = await settingRegistry.load(PLUGIN_ID);
          setting.changed.connect(s => {
            importLimits = readImportLimits(s);
            void catalog.configure(readSettings(s));
          });
          importLimits = readImportLimits(setting);
          await catalog.configure(readSettings(setting));
          return;
        } catch (reason) {
          console.error(
            'jupyterlab-bioimage: failed to load zoo settings',
            reason
          );
        }
      }
      await catalog.configure(DEFAULTS);
    };
    void app.restored.then(() => Promise.all([checkServer(), start()]));
    return {
      catalog,
      runnableLocation: entry => runnableLocation(app, catalog, entry),
      openCard: key => {
        const entry = catalog.entry(key);
        if (entry) {
          openCard(entry);
        }
      }
    };
  }
};
