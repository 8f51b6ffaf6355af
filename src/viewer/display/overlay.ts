/**
 * Overlays drawn on top of the image: instance labels (a stable, distinct
 * colour per label id, optional outlines) and probability heatmaps. Both
 * return RGBA with alpha, to be drawn over the composite (canvas
 * drawImage) or merged with `blendOver`.
 */
import type { IContrast } from './contrast';
import { mapIntensity } from './contrast';
import { type Colormap, colormapTable, packRGBA } from './lut';
import type { IPlane } from './render';

/** Options for {@link renderLabels}. */
export interface ILabelOptions {
  /** Fill opacity 0–1 (default 0.5); 0 with `outline` draws outlines only. */
  opacity?: number;
  /** Draw label borders at full opacity (default false). */
  outline?: boolean;
}

/** Options for {@link renderHeatmap}. */
export interface IHeatmapOptions {
  colormap?: Colormap;
  /** Value window (default 0–1, i.e. probabilities). */
  min?: number;
  max?: number;
  /** Maximum opacity 0–1 (default 0.5); each pixel's alpha scales with its value. */
  opacity?: number;
  /** Values below this are fully transparent (default: min). */
  threshold?: number;
}

/** 32-bit integer hash (a xorshift-multiply finaliser) for spreading label ids. */
function hash32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Colour of a label id: hue from a hash of the id (so neighbours with
 * consecutive ids differ), saturation 0.65–1, value 0.8–1 (never dark, so
 * labels stay visible on dark images). Deterministic across sessions.
 */
export function labelColor(id: number): [number, number, number] {
  const h = hash32(id);
  const hue = (h & 0xffff) / 0x10000;
  const sat = 0.65 + (((h >>> 16) & 0xff) / 255) * 0.35;
  const val = 0.8 + (((h >>> 24) & 0xff) / 255) * 0.2;
  // HSV → RGB
  const i = Math.floor(hue * 6);
  const f = hue * 6 - i;
  const p = val * (1 - sat);
  const q = val * (1 - f * sat);
  const t = val * (1 - (1 - f) * sat);
  const [r, g, b] = [
    [val, t, p],
    [q, val, p],
    [p, val, t],
    [p, q, val],
    [t, p, val],
    [val, p, q]
  ][i % 6];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/**
 * Colour a label plane: 0 is background (transparent), every other id gets
 * `labelColor(id)`. A pixel is an outline pixel if one of its 4 neighbours
 * inside the image has a different label.
 */
export function renderLabels(
  plane: IPlane,
  opts: ILabelOptions = {}
): Uint8ClampedArray {
  const {
    width: w,
    height: h,
    data,
    offset,
    rowStride: rs,
    pixelStride: ps
  } = plane;
  const fillA = Math.round(255 * Math.min(1, Math.max(0, opts.opacity ?? 0.5)));
  const out = new Uint8ClampedArray(w * h * 4);
  const out32 = new Uint32Array(out.buffer);
  const src = data as unknown as ArrayLike<number | bigint>;
  const colors = new Map<number, [number, number, number]>();
  const at = (y: number, x: number): number =>
    Number(src[offset + y * rs + x * ps]);
  let i = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      const id = at(y, x);
      if (id === 0) {
        continue;
      }
      let c = colors.get(id);
      if (!c) {
        c = labelColor(id);
        colors.set(id, c);
      }
      const edge =
        opts.outline === true &&
        ((x > 0 && at(y, x - 1) !== id) ||
          (x < w - 1 && at(y, x + 1) !== id) ||
          (y > 0 && at(y - 1, x) !== id) ||
          (y < h - 1 && at(y + 1, x) !== id));
      const a = edge ? 255 : fillA;
      if (a > 0) {
        out32[i] = packRGBA(c[0], c[1], c[2], a);
      }
    }
  }
  return out;
}

/**
 * Probability (or any scalar) heatmap: colour from `colormap` over the
 * min–max window, alpha = opacity · normalised value, transparent below
 * `threshold`.
 */
export function renderHeatmap(
  plane: IPlane,
  opts: IHeatmapOptions = {}
): Uint8ClampedArray {
  const {
    width: w,
    height: h,
    data,
    offset,
    rowStride: rs,
    pixelStride: ps
  } = plane;
  const contrast: IContrast = {
    min: opts.min ?? 0,
    max: opts.max ?? 1,
    gamma: 1
  };
  const threshold = opts.threshold ?? contrast.min;
  const opacity = Math.min(1, Math.max(0, opts.opacity ?? 0.5));
  const cmap = colormapTable(opts.colormap ?? 'fire');
  const out = new Uint8ClampedArray(w * h * 4);
  const src = data as unknown as ArrayLike<number | bigint>;
  let o = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++, o += 4) {
      const v = Number(src[offset + y * rs + x * ps]);
      if (!(v >= threshold)) {
        continue; // also skips NaN
      }
      const k = mapIntensity(v, contrast);
      out[o] = cmap[k * 3];
      out[o + 1] = cmap[k * 3 + 1];
      out[o + 2] = cmap[k * 3 + 2];
      out[o + 3] = Math.round(k * opacity);
    }
  }
  return out;
}

/**
 * Alpha-composite `src` over the opaque `dst` in place ("source over"):
 * dst = src·α + dst·(1 − α), per channel, rounded.
 */
export function blendOver(
  dst: Uint8ClampedArray,
  src: Uint8ClampedArray
): Uint8ClampedArray {
  if (dst.length !== src.length) {
    throw new RangeError('blendOver: images differ in size');
  }
  for (let i = 0; i < dst.length; i += 4) {
    const a = src[i + 3];
    if (a === 0) {
      continue;
    }
    const f = a / 255;
    dst[i] = src[i] * f + dst[i] * (1 - f);
    dst[i + 1] = src[i + 1] * f + dst[i + 1] * (1 - f);
    dst[i + 2] = src[i + 2] * f + dst[i + 2] * (1 - f);
    dst[i + 3] = 255;
  }
  return dst;
}
