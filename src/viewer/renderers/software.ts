/**
 * The software renderer: `composeFrame` on the CPU, shown with putImageData
 * on a 2-D canvas. Always available; the reference the WebGL2 path matches.
 */
import { composeFrame, type IFrame } from '../compose';
import type { ImageModel } from '../model';
import { IS_JSDOM } from '../view';
import { emptyStats, type IViewerRenderer } from './types';

/** Draws frames computed in JavaScript. */
export class SoftwareRenderer implements IViewerRenderer {
  readonly kind = 'software';
  readonly canvas = document.createElement('canvas');
  readonly stats = emptyStats();
  readonly lost = false;

  get isDisposed(): boolean {
    return this._disposed;
  }

  draw(model: ImageModel): { width: number; height: number } | null {
    // The previous frame's buffer is reused: a 2048² frame is 16 MB to allocate and clear.
    const frame = composeFrame(model, this._frame?.data);
    this._frame = frame;
    if (!frame) {
      return null;
    }
    this.canvas.width = frame.width;
    this.canvas.height = frame.height;
    if (!IS_JSDOM && typeof ImageData !== 'undefined') {
      this.canvas
        .getContext('2d')
        ?.putImageData(
          new ImageData(frame.data, frame.width, frame.height),
          0,
          0
        );
    }
    this.stats.draws++;
    return { width: frame.width, height: frame.height };
  }

  readFrame(): IFrame | null {
    return this._frame;
  }

  finish(): void {
    // putImageData has already written the pixels.
  }

  dispose(): void {
    this._disposed = true;
    this._frame = null;
  }

  private _frame: IFrame | null = null;
  private _disposed = false;
}
