/**
 * PNG export of what the viewer shows: the last frame drawn (RGBA at image
 * resolution, composed and coloured as on screen), encoded by the browser.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IFrame } from './compose';

/** `frame` as a PNG; fails when nothing is drawn yet or there is no 2-D canvas. */
export async function frameToPng(
  frame: IFrame | null,
  trans: TranslationBundle
): Promise<Blob> {
  if (!frame) {
    throw new Error(trans.__('Nothing to export yet.'));
  }
  const canvas = document.createElement('canvas');
  canvas.width = frame.width;
  canvas.height = frame.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    throw new Error(trans.__('This browser has no 2-D canvas.'));
  }
  ctx.putImageData(
    new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height),
    0,
    0
  );
  return new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      b => (b ? resolve(b) : reject(new Error('PNG encoding failed'))),
      'image/png'
    )
  );
}
