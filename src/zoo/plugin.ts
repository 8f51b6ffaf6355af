/**
 * The model zoo plugin (`jupyterlab-bioimage:zoo`, settings in
 * `schema/zoo.json`, which also declares its file-browser context-menu
 * entry): wiring only. It creates the catalog and the sidebar, then hands
 * them to the parts that do the work:
 *
 * - settings.ts: the settings → catalog settings and import limits; user sources
 * - card/open.ts, card/buttons.ts: model cards in the main area and their buttons
 * - import/flow.ts: the zip-import command and drops on the sidebar
 * - commands.ts: the zoo's other commands and palette items
 * - health.ts: the server extension check at start-up
 * - runnable.ts: where inference can open an entry (for `IZooCatalog`)
 *
 * Like every feature, the zoo imports `core`, `jupyter`, `tokens.ts`,
 * `commands.ts` and its own folder; other features reach it through the
 * `IZooCatalog` token.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import {
  IDefaultFileBrowser,
  IFileBrowserFactory
} from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IInferenceService, IZooCatalog } from '../tokens';
import { ModelCatalog } from './catalog/catalog';
import { ServerZooFetcher } from './catalog/fetcher';
import { cardActions } from './card/buttons';
import { CardOpener } from './card/open';
import { addZooPaletteItems, registerZooCommands } from './commands';
import { checkServer } from './health';
import { ZipImportFlow } from './import/flow';
import { ZooPanel } from './panel';
import { runnableLocation } from './runnable';
import { ZooSettings } from './settings';

export type { ImportZipResult } from './import/flow';

const PLUGIN_ID = 'jupyterlab-bioimage:zoo';

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

    const settings = new ZooSettings(catalog, settingRegistry, PLUGIN_ID);
    const cards = new CardOpener({
      app,
      catalog,
      trans,
      rendermime,
      actions: cardActions(app, catalog, inference, browser, trans)
    });
    panel.opened.connect((_, entry) => cards.open(entry));
    new ZipImportFlow({
      app,
      panel,
      settings,
      trans,
      browser,
      browsers
    }).register();
    registerZooCommands({ app, catalog, panel, settings, cards, trans });
    addZooPaletteItems(palette);

    void app.restored.then(() =>
      Promise.all([checkServer(panel), settings.load()])
    );
    return {
      catalog,
      runnableLocation: entry => runnableLocation(app, catalog, entry),
      openCard: key => {
        const entry = catalog.entry(key);
        if (entry) {
          cards.open(entry);
        }
      }
    };
  }
};
