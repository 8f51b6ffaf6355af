import { JupyterLab } from '@jupyterlab/application';

import plugins from '../../index';
import { CommandIDs } from '../../commands';
import { wizardPlugin } from '../plugin';

// As in the zoo's plugin test: jsdom would pick yaml's ES-module build.
jest.mock('yaml', () =>
  jest.requireActual(
    jest
      .requireActual<typeof import('path')>('path')
      .resolve(__dirname, '../../../node_modules/yaml/dist/index.js')
  )
);

describe('the wizard plugin', () => {
  it('activates on the runtime and zoo plugins and registers its entry points', async () => {
    const app = new JupyterLab();
    app.registerPlugins(plugins);
    // Activating it activates what it requires (the inference service and the zoo catalog).
    await app.activatePlugin(wizardPlugin.id);
    expect(app.isPluginActivated(wizardPlugin.id)).toBe(true);
    expect(app.isPluginActivated('jupyterlab-bioimage:zoo')).toBe(true);
    expect(app.commands.hasCommand(CommandIDs.openWizard)).toBe(true);
    expect(app.commands.label(CommandIDs.openWizard)).toBe(
      'Analyse an Image with a Model…'
    );
    expect(
      app.commands.label(CommandIDs.openWizard, { path: 'data/cells.ome.tif' })
    ).toBe('Analyse cells.ome.tif with a Model');
    // "Use this model" on a model card opens the wizard: the zoo looks for this id.
    expect(CommandIDs.openWizard).toBe('bioimage:open-wizard');
  });
});
