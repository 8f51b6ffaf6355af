/**
 * The settings schemas in `schema/` against the plugins: every schema file
 * belongs to a plugin (`jupyterlab-bioimage:<file name>`), and the context
 * menu entries and keyboard shortcuts they declare (JupyterLab reads them
 * from there, not from code) name commands the activated plugins register.
 */
import { JupyterLab } from '@jupyterlab/application';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import plugins from '../../index';

// As in the zoo's plugin test: jsdom would pick yaml's ES-module build.
jest.mock('yaml', () =>
  jest.requireActual(
    jest
      .requireActual<typeof import('path')>('path')
      .resolve(__dirname, '../../../node_modules/yaml/dist/index.js')
  )
);

interface IMenuEntry {
  command?: string;
  selector: string;
  rank?: number;
  args?: Record<string, unknown>;
}

interface IShortcut {
  command: string;
  keys: string[];
  selector: string;
}

interface ISchema {
  'jupyter.lab.menus'?: { context?: IMenuEntry[] };
  'jupyter.lab.shortcuts'?: IShortcut[];
  properties?: Record<string, unknown>;
}

const SCHEMA_DIR = join(__dirname, '..', '..', '..', 'schema');

function schemas(): Map<string, ISchema> {
  const out = new Map<string, ISchema>();
  for (const file of readdirSync(SCHEMA_DIR).filter(f => f.endsWith('.json'))) {
    out.set(
      file.replace(/\.json$/, ''),
      JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'))
    );
  }
  return out;
}

function contextMenu(name: string): IMenuEntry[] {
  return schemas().get(name)?.['jupyter.lab.menus']?.context ?? [];
}

describe('the settings schemas', () => {
  it('each belong to a plugin of the extension', () => {
    const ids = new Set(plugins.map(p => p.id));
    for (const name of schemas().keys()) {
      expect(ids).toContain(`jupyterlab-bioimage:${name}`);
    }
  });

  it('declare the file-browser context-menu entries of the zoo and the wizard', () => {
    expect(contextMenu('zoo')).toEqual([
      {
        command: 'bioimage:import-model-zip',
        args: { fromBrowser: true },
        selector: '.jp-DirListing-item[data-isdir="false"]',
        rank: 21
      }
    ]);
    // One entry per file type: context-menu selectors cannot contain commas.
    expect(contextMenu('wizard')).toEqual(
      ['bioimage-tiff', 'bioimage-npy', 'tiff', 'png'].map(type => ({
        command: 'bioimage:open-wizard',
        selector: `.jp-DirListing-item[data-file-type="${type}"]`,
        rank: 20
      }))
    );
  });

  it('name only commands the plugins register', async () => {
    const app = new JupyterLab();
    app.registerPlugins(plugins);
    // Activating the wizard activates what it requires (inference, zoo);
    // plugins that need JupyterLab's own services are left out.
    for (const id of [
      'jupyterlab-bioimage:runtime',
      'jupyterlab-bioimage:zoo',
      'jupyterlab-bioimage:viewer',
      'jupyterlab-bioimage:wizard'
    ].filter(id => app.hasPlugin(id))) {
      await app.activatePlugin(id);
    }
    const declared: string[] = [];
    for (const schema of schemas().values()) {
      for (const entry of schema['jupyter.lab.menus']?.context ?? []) {
        if (entry.command) {
          declared.push(entry.command);
        }
      }
      for (const shortcut of schema['jupyter.lab.shortcuts'] ?? []) {
        declared.push(shortcut.command);
      }
    }
    expect(declared.length).toBeGreaterThan(0);
    for (const command of declared) {
      expect(app.commands.hasCommand(command)).toBe(true);
    }
    // The label the zoo's entry shows in the file browser.
    expect(
      app.commands.label('bioimage:import-model-zip', { fromBrowser: true })
    ).toBe('Import as Model Package');
    // Neither the zoo nor the wizard adds a context-menu item in code any more.
    for (const command of [
      'bioimage:import-model-zip',
      'bioimage:open-wizard'
    ]) {
      expect(
        app.contextMenu.menu.items.some(item => item.command === command)
      ).toBe(false);
    }
  });
});
