/**
 * NotebookWriter on a real NotebookModel: N cells with provenance inserted
 * below the active cell in one undo step; invalid records insert nothing.
 */
import { NotebookModel } from '@jupyterlab/notebook';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { generateCells, IRunRecord } from '../codegen/cells';
import { insertCellsInto, NotebookWriter, relocateRecord } from '../writer';

const SHA = '85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088';

function record(): IRunRecord {
  return {
    model: {
      source: 'models/unet/bioimageio.yaml',
      id: 'unet"""\nx',
      version: '1',
      name: 'UNet',
      weightsSha256: SHA,
      inputId: 'raw',
      inputAxes: ['batch', 'channel', 'y', 'x'],
      outputId: 'probability',
      outputAxes: ['batch', 'channel', 'y', 'x'],
      preprocessing: [
        { id: 'zero_mean_unit_variance', kwargs: { axes: ['x', 'y'] } }
      ],
      postprocessing: [{ id: 'sigmoid', kwargs: {} }]
    },
    image: { path: 'data/img.tif', axes: 'YX' },
    tiling: null,
    postprocessing: { threshold: 0.5 },
    metrics: { requested: [], values: {} },
    backend: 'wasm',
    extensionVersion: '0.1.0',
    timestamp: '2026-01-01T00:00:00Z'
  };
}

function notebookModel(): NotebookModel {
  const model = new NotebookModel();
  model.sharedModel.insertCells(0, [
    { cell_type: 'code', source: 'a = 1' },
    { cell_type: 'markdown', source: 'text' }
  ]);
  model.sharedModel.clearUndoHistory();
  return model;
}

/** A tracker whose current widget is a notebook at `path` over `model`. */
function tracker(model: NotebookModel, path: string, active = 0) {
  const content = { model, activeCellIndex: active };
  return {
    currentWidget: { content, context: { path } }
  } as unknown as INotebookTracker;
}

describe('insertCellsInto', () => {
  it('inserts all cells in one undo step', () => {
    const model = notebookModel();
    const cells = generateCells(record());
    const n = insertCellsInto(model, 1, cells);
    expect(n).toBe(cells.length);
    expect(model.cells.length).toBe(2 + cells.length);
    const first = model.cells.get(1);
    expect(first.sharedModel.source).toBe(cells[0].source);
    expect(
      (first.getMetadata('bioimage') as { weightsSha256: string }).weightsSha256
    ).toBe(SHA);
    expect(model.cells.get(2 + cells.length - 1).sharedModel.source).toBe(
      'text'
    );
    expect(model.sharedModel.canUndo()).toBe(true);
    model.sharedModel.undo();
    expect(model.cells.length).toBe(2);
    expect(model.cells.get(0).sharedModel.source).toBe('a = 1');
    expect(model.cells.get(1).sharedModel.source).toBe('text');
    model.sharedModel.redo();
    expect(model.cells.length).toBe(2 + cells.length);
  });
});

describe('NotebookWriter', () => {
  it('inserts below the active cell with paths relative to the notebook', async () => {
    const model = notebookModel();
    const t = tracker(model, 'analysis/nb.ipynb', 0);
    const writer = new NotebookWriter({ tracker: t });
    const result = await writer.insert(record(), { style: 'numpy' });
    expect(result.index).toBe(1);
    expect(result.path).toBe('analysis/nb.ipynb');
    expect(model.cells.length).toBe(2 + result.count);
    expect(t.currentWidget!.content.activeCellIndex).toBe(1);
    const params = model.cells.get(2).sharedModel.source;
    expect(params).toContain('IMAGE_PATH = "../data/img.tif"');
    expect(params).toContain('MODEL_SOURCE = "../models/unet/bioimageio.yaml"');
    for (let i = 1; i <= result.count; i++) {
      const meta = model.cells.get(i).getMetadata('bioimage') as {
        style: string;
        modelId: string;
      };
      expect(meta.style).toBe('numpy');
      expect(meta.modelId).toBe('unet"""\nx');
    }
  });

  it('inserts nothing for an invalid record', async () => {
    const model = notebookModel();
    const writer = new NotebookWriter({ tracker: tracker(model, 'nb.ipynb') });
    const bad = record();
    bad.model.weightsSha256 = 'not-a-hash';
    await expect(writer.insert(bad)).rejects.toThrow(/weightsSha256/);
    const bad2 = record();
    bad2.model.preprocessing = [
      { id: 'zero_mean_unit_variance', kwargs: { axes: ['q'] } }
    ];
    // Fails during generation (unknown axis), after validation: still nothing.
    await expect(writer.insert(bad2, { style: 'numpy' })).rejects.toThrow(
      /not an axis/
    );
    expect(model.cells.length).toBe(2);
    expect(model.sharedModel.canUndo()).toBe(false);
  });

  it('creates a new notebook next to the image', async () => {
    const saved: { path: string; content: unknown }[] = [];
    const contents = {
      newUntitled: async (o: { path: string }) => ({
        path: `${o.path}/Untitled.ipynb`
      }),
      save: async (path: string, m: { content: unknown }) => {
        saved.push({ path, content: m.content });
      }
    };
    const opened: string[] = [];
    const writer = new NotebookWriter({
      tracker: { currentWidget: null } as unknown as INotebookTracker,
      contents: contents as never,
      open: p => opened.push(p)
    });
    const result = await writer.insert(record());
    expect(result.path).toBe('data/Untitled.ipynb');
    expect(opened).toEqual(['data/Untitled.ipynb']);
    const nb = saved[0].content as { cells: { source: string }[] };
    expect(nb.cells.length).toBe(result.count);
    expect(nb.cells[1].source).toContain('IMAGE_PATH = "img.tif"');
  });

  it('relocates only local paths', () => {
    const r = record();
    r.model.source = 'affable-shark';
    expect(relocateRecord(r, 'a/b').model.source).toBe('affable-shark');
    r.model.source = 'https://x.org/m/rdf.yaml';
    expect(relocateRecord(r, 'a/b').model.source).toBe(r.model.source);
  });
});
