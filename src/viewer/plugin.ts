/**
 * The image viewer plugin (`jupyterlab-bioimage:viewer`, settings in
 * `schema/viewer.json`): file types, the widget factory (default for TIFF
 * and NPY, in "Open With" for PNG and JPEG), the tracker and layout restorer,
 * settings, and the renderer for `show()` output; its commands are in
 * commands.ts. The viewer itself: widget.ts (the viewport) with keyboard.ts,
 * export.ts, status-line.ts, renderers/ and the controls (controls/,
 * toolbar.ts); model.ts holds what it shows, loader.ts and the decode worker
 * read files.
 *
 * Like every feature, the viewer imports `core`, `jupyter`, `tokens.ts`,
 * `commands.ts` and its own folder; other features reach it through the
 * `IBioImageTracker` token.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { imageIcon } from '@jupyterlab/ui-components';
import type { IDisposable } from '@lumino/disposable';

import { CommandIDs, PALETTE_CATEGORY } from '../commands';
import { DEFAULT_MAX_BYTES } from '../core/formats';
import type { Colormap } from './display';
import {
  FACTORY_NAME,
  ImageDocument,
  ImageViewerFactory,
  type IViewerSettings
} from './factory';
import { DEFAULT_MODEL_DEFAULTS } from './model';
import { addViewerCommands } from './commands';
import { BIOIMAGE_MIME_TYPE, BioImageMimeRenderer } from './mime';
import { registerViewerBenchmark } from './bench-command';
import { parsePreference } from './renderers/choice';
import { IBioImageTracker } from '../tokens';

const PLUGIN_ID = 'jupyterlab-bioimage:viewer';

/** File types the viewer opens by default. */
const OWN_TYPES = ['bioimage-tiff', 'bioimage-npy'];
/** JupyterLab's own types: TIFF becomes ours, PNG/JPEG stay with core. */
const CORE_TYPES = ['tiff', 'png', 'jpeg'];

/** The BioImage viewer plugin; provides the viewer tracker. */
export const viewerPlugin: JupyterFrontEndPlugin<IBioImageTracker> = {
  id: PLUGIN_ID,
  description:
    'Microscopy image viewer for TIFF/OME-TIFF/NPY files and show() output.',
  autoStart: true,
  provides: IBioImageTracker,
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ISettingRegistry,
    ITranslator,
    IRenderMimeRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    rendermime: IRenderMimeRegistry | null
  ): IBioImageTracker => {
    const tr = translator ?? nullTranslator;
    const trans = tr.load('jupyterlab_bioimage');
    let settings: IViewerSettings = {
      ...DEFAULT_MODEL_DEFAULTS,
      maxBytes: DEFAULT_MAX_BYTES
    };

    const registry = app.docRegistry;
    registry.addFileType({
      name: 'bioimage-tiff',
      displayName: trans.__('TIFF / OME-TIFF image'),
      extensions: ['.tif', '.tiff', '.ome.tif', '.ome.tiff'],
      mimeTypes: ['image/tiff'],
      contentType: 'file',
      fileFormat: 'base64',
      icon: imageIcon
    });
    registry.addFileType({
      name: 'bioimage-npy',
      displayName: trans.__('NumPy array'),
      extensions: ['.npy'],
      mimeTypes: ['application/x-npy'],
      contentType: 'file',
      fileFormat: 'base64',
      icon: imageIcon
    });

    const factory = new ImageViewerFactory({
      name: FACTORY_NAME,
      label: trans.__('BioImage Viewer'),
      modelName: 'base64',
      fileTypes: [...OWN_TYPES, ...CORE_TYPES],
      defaultFor: [...OWN_TYPES, 'tiff'],
      readOnly: true,
      translator: tr,
      contents: app.serviceManager?.contents ?? null,
      settings: () => settings
    });
    let registration: IDisposable = registry.addWidgetFactory(factory);
    // Core's image viewer also claims TIFF; whichever registers last is the
    // default, so re-register once the application has started if needed.
    void app.restored.then(() => {
      if (registry.defaultWidgetFactory('image.tif')?.name !== FACTORY_NAME) {
        registration.dispose();
        registration = registry.addWidgetFactory(factory);
      }
    });

    const tracker = new WidgetTracker<ImageDocument>({
      namespace: 'bioimage-viewer'
    });
    factory.widgetCreated.connect((_, widget) => {
      widget.title.icon = imageIcon;
      widget.context.pathChanged.connect(() => void tracker.save(widget));
      void tracker.add(widget);
    });
    restorer
      ?.restore(tracker, {
        command: 'docmanager:open',
        args: widget => ({ path: widget.context.path, factory: FACTORY_NAME }),
        name: widget => widget.context.path
      })
      .catch(reason =>
        console.warn('bioimage: restoring viewers failed', reason)
      );

    addViewerCommands(app, tracker, trans);
    registerViewerBenchmark(app);
    if (palette) {
      for (const command of [
        CommandIDs.viewerZoomIn,
        CommandIDs.viewerZoomOut,
        CommandIDs.viewerFit,
        CommandIDs.viewerActualSize,
        CommandIDs.viewerNextPlane,
        CommandIDs.viewerPreviousPlane,
        CommandIDs.viewerAutoContrast,
        CommandIDs.viewerExportPng
      ]) {
        palette.addItem({ command, category: PALETTE_CATEGORY });
      }
    }

    rendermime?.addFactory(
      {
        safe: true,
        mimeTypes: [BIOIMAGE_MIME_TYPE],
        defaultRank: 50,
        createRenderer: options =>
          new BioImageMimeRenderer(options, () => settings, tr)
      },
      50
    );

    if (settingRegistry) {
      const apply = (s: ISettingRegistry.ISettings): void => {
        const c = s.composite as Record<string, unknown>;
        settings = {
          maxBytes: Number(c.maxBytes ?? DEFAULT_MAX_BYTES),
          lowPercentile: Number(c.lowPercentile ?? 0.1),
          highPercentile: Number(c.highPercentile ?? 99.9),
          colormaps:
            (c.colormaps as Colormap[]) ?? DEFAULT_MODEL_DEFAULTS.colormaps,
          singleColormap:
            (c.singleColormap as Colormap) ??
            DEFAULT_MODEL_DEFAULTS.singleColormap,
          renderer: parsePreference(c.renderer)
        };
        // Open viewers follow a renderer change at once.
        tracker.forEach(w =>
          w.content.setRendererPreference(settings.renderer ?? 'auto')
        );
      };
      settingRegistry
        .load(PLUGIN_ID)
        .then(s => {
          apply(s);
          s.changed.connect(apply);
        })
        .catch(reason =>
          console.error(
            'jupyterlab-bioimage: failed to load viewer settings',
            reason
          )
        );
    }
    return tracker;
  }
};
