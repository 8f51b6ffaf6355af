/**
 * What the viewer widget needs from a renderer: draw the model's current
 * state into its own canvas, give back the pixels, and say what it is.
 */
import type { IDisposable } from '@lumino/disposable';

import type { IFrame } from '../compose';
import type { ImageModel } from '../model';

/** The two ways of drawing a frame. */
export type RendererKind = 'webgl2' | 'software';

/** The viewer setting: choose automatically, or force one renderer. */
export type RendererPreference = 'auto' | RendererKind;

/** Every preference, in the settings schema's order. */
export const RENDERER_PREFERENCES: readonly RendererPreference[] = [
  'auto',
  'webgl2',
  'software'
];

/** Work a renderer has done since it was created (to check what a redraw costs). */
export interface IRenderStats {
  /** Frames drawn. */
  draws: number;
  /** Channel planes uploaded to textures, and their bytes (WebGL2 only). */
  planeUploads: number;
  planeUploadBytes: number;
  /** Overlay layers uploaded (WebGL2 only). */
  overlayUploads: number;
  /** LUT atlas rows uploaded (WebGL2 only; built-in maps count once at start). */
  lutUploads: number;
}

/** Which renderer draws and why; shown in the status line and data attributes. */
export interface IRenderInfo {
  kind: RendererKind;
  /** Why this renderer: the setting, or why WebGL2 was not used. */
  reason: string;
  /** The GL implementation (unmasked renderer string) when a context was made. */
  glRenderer?: string;
}

/** A renderer owns one canvas and draws whole frames into it. */
export interface IViewerRenderer extends IDisposable {
  readonly kind: RendererKind;
  readonly canvas: HTMLCanvasElement;
  readonly stats: IRenderStats;
  /** True once the renderer can never draw again (a lost WebGL2 context). */
  readonly lost: boolean;
  /**
   * Draw the model's current planes, channels and overlays; returns the frame
   * size, or null when there is nothing to draw yet.
   *
   * @throws RendererUnsupported when this renderer cannot draw this state
   *   (the caller draws it in software instead).
   */
  draw(model: ImageModel): { width: number; height: number } | null;
  /** RGBA of the last frame drawn, row-major from the top (null before the first). */
  readFrame(): IFrame | null;
  /** Block until the last draw has finished (GPU work included): for timing. */
  finish(): void;
}

/** Thrown by a renderer that cannot draw the model's state; carries the reason. */
export class RendererUnsupported extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RendererUnsupported';
  }
}

/** Fresh, zeroed stats. */
export function emptyStats(): IRenderStats {
  return {
    draws: 0,
    planeUploads: 0,
    planeUploadBytes: 0,
    overlayUploads: 0,
    lutUploads: 0
  };
}
