/**
 * NotebookWriter: puts the generated cells into the active notebook (below
 * the active cell, one shared-model transaction = one undo step) or into a
 * new notebook next to the image. Cells are generated and checked before
 * anything is touched, so an error inserts nothing.
 */
import { PathExt } from '@jupyterlab/coreutils';
import type { INotebookModel, INotebookTracker } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';

import {
  generateCells,
  IGeneratedCell,
  IRunRecord,
  RunRecordError,
  toNotebookJSON,
  validateRunRecord
} from './codegen/cells';
import type { IInsertOptions, IInsertResult, INotebookWriter } from '../tokens';

/** Is `source` a local path (not a URL, not `bundled:…`, not a bare bioimage.io id)? */
function isLocalPath(source: string): boolean {
  return (
    !source.includes('://') &&
    !source.startsWith('bundled:') &&
    source.includes('/')
  );
}

/** `path` (server-root relative) relative to directory `dir`. */
function relativeTo(dir: string, path: string): string {
  if (path.startsWith('/')) {
    return path;
  }
  const rel = PathExt.relative(dir || '/', PathExt.normalize(path));
  return rel || '.';
}

/**
 * A copy of `record` whose server-root paths are relative to `notebookDir`.
 */
export function relocateRecord(
  record: IRunRecord,
  notebookDir: string
): IRunRecord {
  const r: IRunRecord = JSON.parse(JSON.stringify(record));
  r.image.path = relativeTo(notebookDir, r.image.path);
  if (r.metrics.groundTruthPath) {
    r.metrics.groundTruthPath = relativeTo(
      notebookDir,
      r.metrics.groundTruthPath
    );
  }
  if (isLocalPath(r.model.source)) {
    r.model.source = relativeTo(notebookDir, r.model.source);
  }
  return r;
}

/**
 * Insert `cells` into `model` at `index` in one transaction (one undo
 * step). Returns the number of cells inserted.
 */
export function insertCellsInto(
  model: INotebookModel,
  index: number,
  cells: IGeneratedCell[]
): number {
  const shared = model.sharedModel;
  const at = Math.max(0, Math.min(index, shared.cells.length));
  const undo = (
    shared as unknown as { undoManager?: { stopCapturing(): void } | null }
  ).undoManager;
  // Keep the insertion apart from earlier and later edits in the undo stack.
  undo?.stopCapturing();
  shared.transact(() => {
    shared.insertCells(
      at,
      cells.map(c => ({
        cell_type: c.cell_type,
        source: c.source,
        metadata: JSON.parse(JSON.stringify(c.metadata))
      }))
    );
  });
  undo?.stopCapturing();
  return cells.length;
}

/** Options of {@link NotebookWriter}. */
export interface INotebookWriterOptions {
  tracker: INotebookTracker;
  /** Used to create new notebooks. */
  contents?: Contents.IManager | null;
  /** Opens a created notebook (e.g. the `docmanager:open` command). */
  open?: (path: string) => unknown;
}

/** Inserts generated analysis cells; see {@link INotebookWriter}. */
export class NotebookWriter implements INotebookWriter {
  constructor(private readonly _options: INotebookWriterOptions) {}

  async insert(
    record: IRunRecord,
    options: IInsertOptions = {}
  ): Promise<IInsertResult> {
    const problems = validateRunRecord(record);
    if (problems.length) {
      throw new RunRecordError(problems);
    }
    const panel = this._options.tracker.currentWidget;
    const target = options.target ?? (panel ? 'active' : 'new');
    if (target === 'active') {
      if (!panel?.content.model) {
        throw new Error(
          'no active notebook: open one or choose a new notebook'
        );
      }
      const path = panel.context.path;
      const cells = this._cells(record, PathExt.dirname(path), options);
      const notebook = panel.content;
      const index = notebook.activeCellIndex + 1;
      const count = insertCellsInto(notebook.model!, index, cells);
      notebook.activeCellIndex = index;
      return { path, index, count };
    }
    const contents = this._options.contents;
    if (!contents) {
      throw new Error('cannot create a notebook: no contents manager');
    }
    const dir = PathExt.dirname(record.image.path);
    const cells = this._cells(record, dir, options);
    const model = await contents.newUntitled({ path: dir, type: 'notebook' });
    await contents.save(model.path, {
      type: 'notebook',
      format: 'json',
      content: toNotebookJSON(cells)
    });
    await this._options.open?.(model.path);
    return { path: model.path, index: 0, count: cells.length };
  }

  private _cells(
    record: IRunRecord,
    notebookDir: string,
    options: IInsertOptions
  ): IGeneratedCell[] {
    const r =
      options.serverRootPaths === false
        ? record
        : relocateRecord(record, notebookDir);
    return generateCells(r, {
      style: options.style,
      includeBatch: options.includeBatch,
      includeFineTune: options.includeFineTune,
      fineTune: options.fineTune
    });
  }
}
