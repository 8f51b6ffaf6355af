/**
 * The texts of the viewer's status line: the pixel under the cursor (its
 * position, plane, physical position, channel and overlay values) and, away
 * from the image, a summary of the image and the renderer in use.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ImageModel } from './model';
import { rendererLabel } from './renderers/switch';
import type { IRenderInfo } from './renderers/types';
import { fmt } from './view';

/**
 * The pixel at image point (fx, fy) of a frame `frameWidth` wide, or '' off
 * the image. A side-by-side frame (twice the image width) shows the same
 * pixels in its right half.
 */
export function describePixel(
  model: ImageModel,
  fx: number,
  fy: number,
  frameWidth: number | undefined,
  trans: TranslationBundle
): string {
  const m = model;
  let x = Math.floor(fx);
  const y = Math.floor(fy);
  if (frameWidth === m.width * 2 && x >= m.width) {
    x -= m.width; // side by side: right half shows the same pixels
  }
  const values = m.valuesAt(x, y);
  if (values.channels.length === 0) {
    return '';
  }
  const parts = [`x=${x} y=${y}`];
  if (m.sizeZ > 1) {
    parts.push(`z=${m.z}`);
  }
  if (m.sizeT > 1) {
    parts.push(`t=${m.t}`);
  }
  const ps = m.info?.physicalSize;
  if (ps?.x && ps?.y) {
    parts.push(
      `(${fmt(x * ps.x.value)} ${ps.x.unit}, ${fmt(y * ps.y.value)} ${ps.y.unit})`
    );
  }
  const chans = values.channels.map((v, c) =>
    values.channels.length > 1 ? `${m.channels[c].name}: ${fmt(v)}` : fmt(v)
  );
  parts.push(trans.__('value %1', chans.join(', ')));
  m.overlays.forEach((o, k) =>
    parts.push(`${o.name}: ${fmt(values.overlays[k])}`)
  );
  return parts.join('  ');
}

/** Name, axes, shape and dtype of the image and the renderer; '' until it is ready. */
export function imageSummary(model: ImageModel, info: IRenderInfo): string {
  const m = model;
  if (m.status !== 'ready' || !m.info) {
    return '';
  }
  const { shape, axes, dtype } = m.info;
  return `${m.name}  ${axes} [${shape.join(' × ')}] ${dtype}  ·  ${rendererLabel(info)}`;
}
