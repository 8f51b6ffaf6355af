import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs, PALETTE_CATEGORY } from '../commands';
import { IServerHealth, requestAPI } from '../server/request';
import { ZooPanel } from './panel';

const PLUGIN_ID = 'jupyterlab-bioimage:zoo';

/**
 * The model zoo sidebar: adds the panel on the left, checks the server
 * extension at start-up, and registers the zoo commands.
 */
export const zooPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The BioImage Model Zoo sidebar.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_bioimage');
    const panel = new ZooPanel({ translator: translator ?? nullTranslator });
    app.shell.add(panel, 'left', { rank: 600, type: 'BioImage Model Zoo' });
    restorer?.add(panel, PLUGIN_ID);

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

    app.commands.addCommand(CommandIDs.openZoo, {
      label: trans.__('Open Model Zoo'),
      caption: trans.__('Show the BioImage Model Zoo sidebar'),
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.checkServer, {
      label: trans.__('Check BioImage Server Extension'),
      execute: () => checkServer()
    });
    for (const command of [CommandIDs.openZoo, CommandIDs.checkServer]) {
      palette?.addItem({ command, category: PALETTE_CATEGORY });
    }

    if (settingRegistry) {
      settingRegistry.load(PLUGIN_ID).catch(reason => {
        console.error(
          'jupyterlab-bioimage: failed to load zoo settings',
          reason
        );
      });
    }
    void app.restored.then(checkServer);
  }
};
