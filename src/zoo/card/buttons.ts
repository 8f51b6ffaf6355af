/**
 * What the model card's buttons do in this application: "Test" runs the
 * model's own test in the inference worker, "Use" opens the wizard (or, with
 * no wizard, asks for an image and predicts on it), "Download" saves the
 * package to the workspace. Buttons whose service is missing are left out.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog } from '@jupyterlab/apputils';
import type { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import type { TranslationBundle } from '@jupyterlab/translation';

import { CommandIDs } from '../../commands';
import type { IInferenceService } from '../../tokens';
import type { ModelCatalog } from '../catalog/catalog';
import { runnableLocation } from '../runnable';
import { downloadPackage, packageFolder, testInBrowser } from './actions';
import type { ICardActions } from './card';

/** The card actions of this application. */
export function cardActions(
  app: JupyterFrontEnd,
  catalog: ModelCatalog,
  inference: IInferenceService | null,
  browser: IDefaultFileBrowser | null,
  trans: TranslationBundle
): ICardActions {
  return {
    test: inference
      ? (entry, model, transfer) =>
          testInBrowser(inference, catalog.fetcher, entry, model, transfer)
      : undefined,
    use: inference
      ? async entry => {
          if (app.commands.hasCommand(CommandIDs.openWizard)) {
            await app.commands.execute(CommandIDs.openWizard, {
              modelKey: entry.key
            });
            return;
          }
          const model = await runnableLocation(app, catalog, entry);
          const selected = browser?.selectedItems().next();
          const guess =
            selected && !selected.done && selected.value.type !== 'directory'
              ? selected.value.path
              : '';
          const answer = await InputDialog.getText({
            title: trans.__('Run %1 on which image?', entry.name),
            label: trans.__('Image file in the workspace (TIFF, PNG, NPY)'),
            text: guess,
            placeholder: 'images/cells.tif'
          });
          if (!answer.button.accept || !answer.value) {
            return;
          }
          await app.commands.execute(CommandIDs.predictFile, {
            model,
            image: answer.value
          });
        }
      : undefined,
    download: async (entry, model, transfer) => {
      const skipped: string[] = [];
      const path = await downloadPackage(
        app.serviceManager.contents,
        catalog.fetcher,
        entry,
        model,
        packageFolder(entry),
        skipped,
        transfer
      );
      return skipped.length
        ? trans.__('%1 (unavailable, skipped: %2)', path, skipped.join(', '))
        : path;
    }
  };
}
