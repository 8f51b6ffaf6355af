/**
 * What the viewer's controls (the sidebar sections, the message panel and
 * the toolbar) need from the viewer they sit in. They get this interface,
 * not the widget class, so that the widget can build them without an
 * import circle.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IViewerIO } from '../io';
import type { ImageModel } from '../model';

/** The viewer as its sidebar controls and message panel see it. */
export interface IViewerHost {
  /** The state shown (and changed by the controls). */
  readonly model: ImageModel;
  /** File access (overlays from files, saving), if available. */
  readonly io: IViewerIO | null;
  /** Translation bundle of the extension. */
  readonly trans: TranslationBundle;
}

/** The viewer as its toolbar sees it: zoom and the frame to export too. */
export interface IViewerToolbarHost extends IViewerHost {
  /** Zoom by a factor around the centre of the viewport. */
  zoomBy(factor: number): void;
  /** Fit the image into the viewport. */
  fit(): void;
  /** Show the image at one image pixel per screen pixel. */
  actualSize(): void;
  /** The current frame as a PNG. */
  toPng(): Promise<Blob>;
}
