/**
 * The notebook plugin: provides {@link INotebookWriter} and the command
 * `bioimage:insert-analysis-cells` (args: `record`, an IRunRecord, plus
 * optional `style`, `includeBatch`, `target`).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs, PALETTE_CATEGORY } from '../commands';
import type { CodeStyle, IRunRecord } from './codegen/cells';
import { IInsertResult, INotebookWriter } from '../tokens';
import { NotebookWriter } from './writer';

function parseArgs(args: ReadonlyPartialJSONObject): {
  record: IRunRecord;
  style?: CodeStyle;
  includeBatch?: boolean;
  includeFineTune?: boolean;
  target?: 'active' | 'new';
} {
  const raw = args.record;
  const record = (typeof raw === 'string'
    ? JSON.parse(raw)
    : raw) as unknown as IRunRecord;
  const style =
    args.style === 'numpy'
      ? 'numpy'
      : args.style === 'core'
        ? 'core'
        : undefined;
  const target =
    args.target === 'new'
      ? 'new'
      : args.target === 'active'
        ? 'active'
        : undefined;
  return {
    record,
    style,
    includeBatch: args.includeBatch === true,
    includeFineTune: args.includeFineTune === true,
    target
  };
}

/** Provides the notebook writer and its command. */
export const notebookPlugin: JupyterFrontEndPlugin<INotebookWriter> = {
  id: 'jupyterlab-bioimage:notebook',
  description: 'Inserts code cells that redo a browser analysis in the kernel.',
  autoStart: true,
  provides: INotebookWriter,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ): INotebookWriter => {
    const writer = new NotebookWriter({
      tracker,
      contents: app.serviceManager.contents,
      open: path => app.commands.execute('docmanager:open', { path })
    });
    app.commands.addCommand(CommandIDs.insertAnalysisCells, {
      label: 'Insert Analysis Code Cells (BioImage)',
      caption:
        'Insert cells that redo the last analysis in the Python kernel, with provenance',
      // Needs a run record: enabled when one is given (the wizard passes it).
      isEnabled: args => args.record !== undefined,
      execute: async args => {
        try {
          const { record, ...options } = parseArgs(args);
          const result: IInsertResult = await writer.insert(record, options);
          return result;
        } catch (err) {
          await showErrorMessage(
            'Could not insert the analysis cells',
            err instanceof Error ? err.message : String(err)
          );
          return null;
        }
      }
    });
    palette?.addItem({
      command: CommandIDs.insertAnalysisCells,
      category: PALETTE_CATEGORY
    });
    return writer;
  }
};
