/**
 * The wizard plugin: the command that opens a choose → adapt → validate →
 * report panel for an image (from the palette, the file browser's context
 * menu, the viewer's toolbar and the model card), its tracker and layout
 * restorer, and the state database that keeps each panel's choices.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  MainAreaWidget,
  ToolbarButton,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { ReadonlyJSONValue } from '@lumino/coreutils';

import { CommandIDs, PALETTE_CATEGORY } from '../commands';
import type { INDArray } from '../core/tensor/tensor';
import {
  IBioImageTracker,
  type IImageDocument,
  IInferenceService,
  INotebookWriter,
  IZooCatalog,
  VIEWER_FACTORY
} from '../tokens';
import { memorySource } from '../core/formats/planes';
import { requestAPI } from '../jupyter/request';
import { WizardPanel } from './panel';
import { jupyterSessionServices, WizardSession } from './session';
import { initialState, restoreState } from './state';

const PLUGIN_ID = 'jupyterlab-bioimage:wizard';
const IMAGE_FILE = /\.(ome\.)?(tiff?|npy|png|jpe?g)$/i;

/** The extension version, for provenance (from the page's federated extensions). */
/**
 * This extension's version as the page config lists it, or null (a
 * development install may list none; then the server extension's answer is
 * used, and failing both the record says `unknown`, never a made-up 0.0.0).
 */
function pageConfigVersion(): string | null {
  try {
    const el = document.getElementById('jupyter-config-data');
    const config = el ? JSON.parse(el.textContent ?? '{}') : {};
    const ext = (config.federated_extensions ?? []).find(
      (e: { name?: string }) => e.name === 'jupyterlab-bioimage'
    );
    return ext?.version ? String(ext.version) : null;
  } catch {
    return null;
  }
}

export const wizardPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Choose, adapt and validate a model on your image, then write reproducible code cells.',
  autoStart: true,
  requires: [IInferenceService, IZooCatalog],
  optional: [
    IBioImageTracker,
    INotebookWriter,
    ICommandPalette,
    ILayoutRestorer,
    IStateDB,
    ITranslator,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    inference: IInferenceService,
    zoo: IZooCatalog,
    viewers: IBioImageTracker | null,
    writer: INotebookWriter | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    stateDB: IStateDB | null,
    translator: ITranslator | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_bioimage');
    // The server extension's version, for run records when the page config
    // lists none (asked once; no answer leaves `unknown`).
    let serverVersion: string | null = null;
    void requestAPI<{ version?: string }>('health')
      .then(health => {
        serverVersion = health.version ? String(health.version) : null;
      })
      .catch(() => undefined);
    const tracker = new WidgetTracker<MainAreaWidget<WizardPanel>>({
      namespace: 'bioimage-wizard'
    });
    const paths = new WeakMap<MainAreaWidget<WizardPanel>, string>();
    const stateKey = (path: string) => `${PLUGIN_ID}:${path}`;

    const selectedFile = (): string | null => {
      const item = browser?.selectedItems().next();
      return item && !item.done && item.value.type !== 'directory'
        ? item.value.path
        : null;
    };

    /** The viewer of `path`, opened (and loaded) when it is not open yet. */
    const viewerFor = async (path: string): Promise<IImageDocument | null> => {
      let doc = viewers?.find(w => w.context.path === path) ?? null;
      if (!doc) {
        const opened = await app.commands.execute('docmanager:open', {
          path,
          factory: VIEWER_FACTORY,
          options: { mode: 'split-left' }
        });
        doc = (opened as IImageDocument | undefined) ?? null;
      }
      if (doc) {
        await doc.context.ready;
        await doc.model.loaded;
      }
      return doc;
    };

    const showOverlay = async (
      path: string,
      name: string,
      array: INDArray,
      kind: 'labels' | 'heatmap'
    ): Promise<void> => {
      const doc = await viewerFor(path);
      if (!doc) {
        return;
      }
      const model = doc.model;
      for (const o of model.overlays.filter(o => o.name === name)) {
        model.removeOverlay(o.id);
      }
      const axes = array.shape.length === 3 ? 'ZYX' : 'YX';
      await model.addOverlay(
        memorySource({
          shape: [...array.shape],
          dtype: array.dtype,
          axes,
          array,
          source: {
            format: 'npy',
            planeCount: axes === 'ZYX' ? array.shape[0] : 1,
            axesSource: 'model output',
            warnings: []
          }
        }),
        name,
        kind,
        kind === 'labels' ? { outline: true, opacity: 0.35 } : { opacity: 0.6 }
      );
    };

    const open = async (path: string, modelKey?: string) => {
      const existing = tracker.find(w => paths.get(w) === path);
      if (existing) {
        if (modelKey) {
          existing.content.session.chooseModel(modelKey);
        }
        app.shell.activateById(existing.id);
        return existing;
      }
      const saved = stateDB ? await stateDB.fetch(stateKey(path)) : undefined;
      const state = restoreState(saved) ?? initialState(path);
      const session = new WizardSession(
        jupyterSessionServices({
          contents: app.serviceManager.contents,
          serviceManager: app.serviceManager,
          inference,
          zoo,
          showOverlay,
          // The choices (not the results), at most every half second.
          saveState: stateDB
            ? s =>
                void stateDB.save(
                  stateKey(path),
                  s as unknown as ReadonlyJSONValue
                )
            : undefined,
          extensionVersion: pageConfigVersion() ?? serverVersion ?? 'unknown'
        }),
        state
      );
      const content = new WizardPanel({
        session,
        trans,
        openCard: key => zoo.openCard(key),
        selectedFile,
        insertCells: async () => {
          if (!writer) {
            throw new Error(trans.__('the notebook feature is not available'));
          }
          const result = await writer.insert(await session.notebookRecord(), {
            style: session.state.style,
            includeBatch: session.state.includeBatch,
            includeFineTune:
              session.state.includeFineTune && session.canFineTune()
          });
          return trans.__(
            'Inserted %1 cells into %2 (one undo removes them).',
            result.count,
            result.path
          );
        }
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `bioimage-wizard-${encodeURIComponent(path)}`;
      widget.title.label = trans.__('Analyse %1', PathExt.basename(path));
      widget.title.caption = trans.__(
        'Choose, adapt and validate a model on %1',
        path
      );
      widget.title.closable = true;
      widget.addClass('jp-BioImage-wizardWidget');
      paths.set(widget, path);
      widget.disposed.connect(() => session.dispose());
      const viewer = viewers?.find(w => w.context.path === path);
      app.shell.add(
        widget,
        'main',
        viewer ? { mode: 'split-right', ref: viewer.id } : undefined
      );
      void tracker.add(widget);
      app.shell.activateById(widget.id);
      // Not awaited: the layout restorer waits for this command, and the
      // panel shows its own progress while the image is read.
      void session.loadImage().then(() => {
        if (modelKey) {
          session.chooseModel(modelKey);
        }
      });
      return widget;
    };

    app.commands.addCommand(CommandIDs.openWizard, {
      label: args =>
        args.path
          ? trans.__(
              'Analyse %1 with a Model',
              PathExt.basename(String(args.path))
            )
          : trans.__('Analyse an Image with a Model…'),
      caption: trans.__(
        'Choose a model that fits the image, adapt it, validate the result and write reproducible code cells'
      ),
      execute: async args => {
        const modelKey =
          typeof args.modelKey === 'string' ? args.modelKey : undefined;
        let path = typeof args.path === 'string' ? args.path : '';
        if (!path) {
          const current = viewers?.currentWidget;
          path =
            (current && app.shell.currentWidget === current
              ? current.context.path
              : '') ||
            (selectedFile() ?? '');
        }
        if (!path || !IMAGE_FILE.test(path)) {
          const answer = await InputDialog.getText({
            title: trans.__('Analyse which image?'),
            label: trans.__('Image file in the workspace (TIFF, NPY, PNG)'),
            text: path && IMAGE_FILE.test(path) ? path : '',
            placeholder: 'images/cells.tif'
          });
          if (!answer.button.accept || !answer.value) {
            return null;
          }
          path = answer.value.trim();
        }
        const widget = await open(path, modelKey);
        return widget.id;
      }
    });
    palette?.addItem({
      command: CommandIDs.openWizard,
      category: PALETTE_CATEGORY
    });
    // Its file-browser context-menu entries are declared in schema/wizard.json.

    const addToolbarButton = (doc: IImageDocument) => {
      doc.toolbar.addItem(
        'bioimage-analyse',
        new ToolbarButton({
          className: 'jp-BioImage-analyseButton',
          label: trans.__('Analyse with a model'),
          tooltip: trans.__(
            'Open the choose → adapt → validate wizard for this image'
          ),
          onClick: () =>
            void app.commands.execute(CommandIDs.openWizard, {
              path: doc.context.path
            })
        })
      );
    };
    viewers?.forEach(addToolbarButton);
    viewers?.widgetAdded.connect((_, doc) => addToolbarButton(doc));

    restorer
      ?.restore(tracker, {
        command: CommandIDs.openWizard,
        args: w => ({ path: paths.get(w) ?? '' }),
        name: w => paths.get(w) ?? w.id
      })
      .catch(reason =>
        console.warn('jupyterlab-bioimage: restoring wizards failed', reason)
      );
  }
};
