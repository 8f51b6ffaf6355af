/**
 * The viewer's public token: the tracker of open image viewers, so other
 * features (the wizard) can find the current image.
 */
import type { IWidgetTracker } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';

import type { ImageDocument } from './factory';

/** Tracks the open BioImage viewers; `currentWidget` is the current image. */
export type IBioImageTracker = IWidgetTracker<ImageDocument>;

/** The token of the viewer tracker. */
export const IBioImageTracker = new Token<IBioImageTracker>(
  'jupyterlab-bioimage:IBioImageTracker',
  'Tracks the open BioImage image viewers (model, source and current plane of each).'
);
