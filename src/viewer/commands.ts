/**
 * The viewer's commands (zoom, fit, actual size, planes, auto-contrast, PNG
 * export, overlays, open): they act on the current viewer and are enabled
 * only while a viewer is the current widget, as in JupyterLab's own image
 * viewer.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { WidgetTracker } from '@jupyterlab/apputils';
import type { ITranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import { FACTORY_NAME, type ImageDocument } from './factory';
import type { OverlayKind } from './model';

/** Register the viewer commands, enabled when a viewer is the current widget. */
export function addViewerCommands(
  app: JupyterFrontEnd,
  tracker: WidgetTracker<ImageDocument>,
  trans: ReturnType<ITranslator['load']>
): void {
  const { commands, shell } = app;
  const current = (): ImageDocument | null => {
    const w = tracker.currentWidget;
    return w && w === shell.currentWidget ? w : null;
  };
  const isEnabled = (): boolean => current() !== null;
  const viewerCommand = (
    id: string,
    label: string,
    run: (w: ImageDocument) => unknown
  ): void => {
    commands.addCommand(id, {
      label,
      isEnabled,
      execute: () => {
        const w = current() ?? tracker.currentWidget;
        return w ? run(w) : undefined;
      }
    });
  };
  viewerCommand(
    CommandIDs.viewerZoomIn,
    trans.__('Zoom In (BioImage Viewer)'),
    w => w.content.zoomBy(1.25)
  );
  viewerCommand(
    CommandIDs.viewerZoomOut,
    trans.__('Zoom Out (BioImage Viewer)'),
    w => w.content.zoomBy(0.8)
  );
  viewerCommand(CommandIDs.viewerFit, trans.__('Fit Image to Window'), w =>
    w.content.fit()
  );
  viewerCommand(
    CommandIDs.viewerActualSize,
    trans.__('Show Image at Actual Size'),
    w => w.content.actualSize()
  );
  viewerCommand(CommandIDs.viewerNextPlane, trans.__('Next Z Plane'), w =>
    w.content.step('z', 1)
  );
  viewerCommand(
    CommandIDs.viewerPreviousPlane,
    trans.__('Previous Z Plane'),
    w => w.content.step('z', -1)
  );
  viewerCommand(
    CommandIDs.viewerAutoContrast,
    trans.__('Auto-Contrast All Channels'),
    w => w.model.autoContrast()
  );
  viewerCommand(CommandIDs.viewerExportPng, trans.__('Save View as PNG'), w =>
    w.content.toolbar.save('png')
  );
  commands.addCommand(CommandIDs.viewerAddOverlay, {
    label: trans.__('Add Overlay to Image'),
    isEnabled: () => tracker.currentWidget !== null,
    execute: args => {
      const w = tracker.currentWidget;
      if (!w) {
        return;
      }
      const kind = (args.kind as OverlayKind) ?? 'labels';
      return w.content.overlaysPanel.addFromFile(String(args.path), kind);
    }
  });
  commands.addCommand(CommandIDs.viewerOpen, {
    label: trans.__('Open in BioImage Viewer'),
    execute: args =>
      commands.execute('docmanager:open', {
        path: String(args.path),
        factory: FACTORY_NAME
      })
  });
  tracker.currentChanged.connect(() => commands.notifyCommandChanged());
  shell.currentChanged?.connect(() => commands.notifyCommandChanged());
}
