import { JupyterLab } from '@jupyterlab/application';

import plugins from '../../index';
import { CommandIDs } from '../../commands';
import { ZooPanel } from '../panel';

describe('jupyterlab-bioimage plugins', () => {
  it('activate in a real JupyterLab application', async () => {
    const app = new JupyterLab();
    // Observe (not replace) what the plugins add to the shell: LabShell keeps
    // widgets added before the layout is restored out of its areas until then.
    const add = jest.spyOn(app.shell, 'add');
    app.registerPlugins(plugins);
    for (const plugin of plugins) {
      await app.activatePlugin(plugin.id);
      expect(app.isPluginActivated(plugin.id)).toBe(true);
    }
    expect(app.commands.hasCommand(CommandIDs.openZoo)).toBe(true);
    expect(app.commands.hasCommand(CommandIDs.checkServer)).toBe(true);
    expect(app.commands.label(CommandIDs.openZoo)).toBe('Open Model Zoo');

    const left = add.mock.calls.filter(call => call[1] === 'left');
    const zoo = left.map(call => call[0]).find(w => w.id === 'jp-bioimage-zoo');
    expect(zoo).toBeInstanceOf(ZooPanel);
    expect(zoo?.title.caption).toBe('BioImage Model Zoo');
  });

  it('shows a clear message when the server extension cannot be reached', () => {
    const panel = new ZooPanel();
    panel.showHealth(new Error('404 Not Found'));
    const status = panel.node.querySelector('.jp-BioImage-zooStatus');
    expect(status?.classList.contains('jp-mod-error')).toBe(true);
    expect(status?.textContent).toContain('did not answer (404 Not Found)');
    expect(status?.textContent).toContain('Python package installed');
  });

  it('lists the bundled models the server reports', () => {
    const panel = new ZooPanel();
    panel.showHealth({
      status: 'ok',
      version: '0.1.0',
      python: '3.11.7',
      bundled_models: ['bioimage-denoise', 'bioimage-nuclei-seg']
    });
    const names = Array.from(
      panel.node.querySelectorAll('.jp-BioImage-zooItemName')
    ).map(n => n.textContent);
    expect(names).toEqual(['bioimage-denoise', 'bioimage-nuclei-seg']);
    expect(
      panel.node.querySelector('.jp-BioImage-zooStatus')?.textContent
    ).toBe('Server extension 0.1.0 · 2 bundled models');
  });
});
