import { JupyterLab } from '@jupyterlab/application';

import plugins from '../../index';
import { CommandIDs } from '../../commands';
import { ModelCatalog } from '../catalog/catalog';
import type { PackageLocation } from '../../core/catalog/types';
import { ZooPanel } from '../panel';

// jsdom resolves `yaml` to its ES-module browser build, which this jest
// project does not transform; the CommonJS build is the same parser.
jest.mock('yaml', () =>
  jest.requireActual(
    jest
      .requireActual<typeof import('path')>('path')
      .resolve(__dirname, '../../../node_modules/yaml/dist/index.js')
  )
);

describe('jupyterlab-bioimage plugins', () => {
  it('activate in a real JupyterLab application', async () => {
    const app = new JupyterLab();
    // Observe (not replace) what the plugins add to the shell: LabShell keeps
    // widgets added before the layout is restored out of its areas until then.
    const add = jest.spyOn(app.shell, 'add');
    app.registerPlugins(plugins);
    // This bare application has none of JupyterLab's own plugins, so plugins
    // that require core tokens (e.g. INotebookTracker) are tested elsewhere.
    for (const plugin of plugins.filter(p => !p.requires?.length)) {
      await app.activatePlugin(plugin.id);
      expect(app.isPluginActivated(plugin.id)).toBe(true);
    }
    expect(app.commands.hasCommand(CommandIDs.openZoo)).toBe(true);
    expect(app.commands.hasCommand(CommandIDs.checkServer)).toBe(true);
    expect(app.commands.label(CommandIDs.openZoo)).toBe('Open Model Zoo');
    expect(app.commands.hasCommand('bioimage:import-model-zip')).toBe(true);
    expect(app.commands.label('bioimage:import-model-zip')).toBe(
      'Import Model Package (.zip)…'
    );
    expect(
      app.commands.label('bioimage:import-model-zip', { path: 'in/unet.zip' })
    ).toBe('Import Model Package unet.zip');

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

  it('reports the server version and the number of bundled models', () => {
    const panel = new ZooPanel();
    panel.showHealth({
      status: 'ok',
      version: '0.1.0',
      python: '3.11.7',
      bundled_models: ['bioimage-denoise', 'bioimage-nuclei-seg']
    });
    expect(
      panel.node.querySelector('.jp-BioImage-zooStatus')?.textContent
    ).toBe('Server extension 0.1.0 · 2 bundled models');
  });

  it('lists the catalog, filters it, and shows why a source failed', async () => {
    const rdf = (name: string, tags: string[]) =>
      [
        'type: model',
        'format_version: 0.4.10',
        `name: ${name}`,
        `description: ${name} description`,
        `tags: [${tags.join(', ')}]`,
        'authors: [{name: Jane Doe}]',
        'cite: [{text: paper, doi: 10.1000/x}]',
        'license: MIT',
        "timestamp: '2024-01-01T00:00:00'",
        'documentation: README.md',
        'inputs: [{name: raw, axes: bcyx, data_type: float32, shape: [1, 1, 64, 64]}]',
        'outputs: [{name: out, axes: bcyx, data_type: float32, shape: [1, 1, 64, 64]}]',
        'weights: {onnx: {source: weights.onnx}}',
        'test_inputs: [in.npy]',
        'test_outputs: [out.npy]',
        ''
      ].join('\n');
    const files: Record<string, string> = {
      'a/rdf.yaml': rdf('Nuclei Segmenter', ['segmentation', 'nuclei']),
      'b/rdf.yaml': rdf('Denoiser', ['denoising'])
    };
    const fetcher = {
      bundledIndex: async () => ({
        models: [
          { id: 'a', rdf: 'a/rdf.yaml' },
          { id: 'b', rdf: 'b/rdf.yaml' },
          { id: 'broken', rdf: 'broken/rdf.yaml' }
        ]
      }),
      fetchIndex: async () => {
        throw new Error('connection refused');
      },
      read: async (location: PackageLocation) => {
        const text = files['path' in location ? location.path : ''];
        if (text === undefined) {
          throw new Error('HTTP 404');
        }
        return new TextEncoder().encode(text);
      },
      displayUrl: (_: unknown, rel: string) => rel,
      resolve: (_: unknown, rel: string) => rel
    };
    const catalog = new ModelCatalog({ fetcher, throttleMs: 0 });
    const panel = new ZooPanel({ catalog });
    await catalog.configure({
      indexUrl: 'http://mirror.test/index.json',
      offline: false,
      userSources: [],
      concurrency: 2
    });
    await new Promise(resolve => setTimeout(resolve, 20));
    const names = () =>
      Array.from(panel.node.querySelectorAll('.jp-BioImage-zooItemName')).map(
        n => n.textContent
      );
    expect(catalog.failures.map(f => f.reason)).toEqual(['HTTP 404']);
    expect(names()).toEqual(['Denoiser', 'Nuclei Segmenter']);
    expect(
      panel.node.querySelector('.jp-BioImage-zooFailures summary')?.textContent
    ).toBe('1 entry could not be read — details');
    const banner = panel.node.querySelector(
      '.jp-BioImage-zooBanner.jp-mod-error'
    );
    expect(banner?.textContent).toContain('connection refused');
    expect(banner?.textContent).toContain('bundled models still work');
    expect(banner?.getAttribute('role')).toBe('alert');

    const search = panel.node.querySelector<HTMLInputElement>(
      '.jp-BioImage-zooSearch'
    )!;
    search.value = 'nuclei';
    search.dispatchEvent(new Event('input'));
    expect(names()).toEqual(['Nuclei Segmenter']);
    search.value = '';
    search.dispatchEvent(new Event('input'));
    const task = panel.node.querySelector<HTMLSelectElement>(
      '.jp-BioImage-zooFilter.jp-mod-task'
    )!;
    task.value = 'restoration';
    task.dispatchEvent(new Event('change'));
    expect(names()).toEqual(['Denoiser']);

    const row = panel.node.querySelector('.jp-BioImage-zooItem');
    expect(row?.getAttribute('role')).toBe('option');
    expect(row?.getAttribute('aria-label')).toContain('Denoiser');
    catalog.dispose();
  });
});
