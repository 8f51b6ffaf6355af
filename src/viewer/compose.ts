/**
 * Turns the model's current planes and settings into one RGBA frame
 * (software rendering with the display module): the channel composite, then
 * each visible overlay blended on top, as a plain overlay, a swipe or side by
 * side.
 */
import {
  blendOver,
  type IPlane,
  renderComposite,
  renderHeatmap,
  renderLabels
} from './display';
import type { ImageModel, IOverlay } from './model';

/** An RGBA frame, row-major, 4 bytes per pixel. */
export interface IFrame {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** RGBA (with alpha) of one overlay plane. */
export function renderOverlay(o: IOverlay, plane: IPlane): Uint8ClampedArray {
  return o.kind === 'labels'
    ? renderLabels(plane, { opacity: o.opacity, outline: o.outline })
    : renderHeatmap(plane, {
        colormap: o.colormap,
        min: o.min,
        max: o.max,
        opacity: o.opacity
      });
}

/**
 * The frame the viewer shows for the model's current state, or null before
 * planes are loaded. `reuse` (the previous frame's pixels) is overwritten
 * instead of allocating when it has the image's size.
 */
export function composeFrame(
  model: ImageModel,
  reuse?: Uint8ClampedArray
): IFrame | null {
  const planes = model.planes;
  if (!planes || planes.length === 0) {
    return null;
  }
  const { width, height } = planes[0];
  const base = renderComposite(
    planes,
    [...model.channels],
    reuse?.length === width * height * 4 ? reuse : undefined
  );
  const layers: Uint8ClampedArray[] = [];
  for (const o of model.overlays) {
    const plane = model.overlayPlanes.get(o.id);
    if (o.visible && plane) {
      layers.push(renderOverlay(o, plane));
    }
  }
  const mode = model.compareMode;
  if (layers.length === 0 || mode === 'overlay') {
    layers.forEach(l => blendOver(base, l));
    return { width, height, data: base };
  }
  if (mode === 'swipe') {
    const cut = Math.round(model.swipe * width);
    for (const l of layers) {
      for (let y = 0; y < height; y++) {
        l.fill(0, (y * width + cut) * 4, (y + 1) * width * 4);
      }
      blendOver(base, l);
    }
    return { width, height, data: base };
  }
  // side by side: the image alone on the left, with overlays on the right
  const right = new Uint8ClampedArray(base);
  layers.forEach(l => blendOver(right, l));
  const data = new Uint8ClampedArray(width * 2 * height * 4);
  for (let y = 0; y < height; y++) {
    data.set(base.subarray(y * width * 4, (y + 1) * width * 4), y * width * 8);
    data.set(
      right.subarray(y * width * 4, (y + 1) * width * 4),
      y * width * 8 + width * 4
    );
  }
  return { width: width * 2, height, data };
}
