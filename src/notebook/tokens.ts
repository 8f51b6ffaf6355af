/**
 * The notebook writer token: other features (wizard, model card) turn a
 * browser run into reproducible code cells through it.
 */
import { Token } from '@lumino/coreutils';

import type { CodeStyle, IRunRecord } from './codegen/cells';
import type { IFineTuneOptions } from './codegen/finetune';

/** Where and how to insert the generated cells. */
export interface IInsertOptions {
  /** Default `core`. */
  style?: CodeStyle;
  /** Add the Dask batch cell. */
  includeBatch?: boolean;
  /** Add the PyTorch fine-tuning cells (needs a ground truth or target paths). */
  includeFineTune?: boolean;
  /**
   * Options of the fine-tuning cells. Its paths are written as given
   * (relative to the notebook's directory or absolute), not rewritten like
   * the record's.
   */
  fineTune?: IFineTuneOptions;
  /**
   * `active`: below the active cell of the current notebook (default when
   * one is open); `new`: a new notebook next to the image.
   */
  target?: 'active' | 'new';
  /**
   * Paths in the record (image, ground truth, local model) are relative to
   * the server root, as the browser sees them (default true); they are
   * rewritten relative to the notebook's directory, where the kernel runs.
   */
  serverRootPaths?: boolean;
}

/** What was inserted. */
export interface IInsertResult {
  /** Server path of the notebook the cells went into. */
  path: string;
  /** Index of the first inserted cell. */
  index: number;
  count: number;
}

/** Inserts the generated analysis cells into notebooks. */
export interface INotebookWriter {
  /**
   * Generate and insert the cells for `record` as one undoable step.
   * Everything is validated first: on any error nothing is inserted.
   */
  insert(record: IRunRecord, options?: IInsertOptions): Promise<IInsertResult>;
}

export const INotebookWriter = new Token<INotebookWriter>(
  'jupyterlab-bioimage:INotebookWriter',
  'Inserts code cells that redo a browser analysis in the Python kernel.'
);
