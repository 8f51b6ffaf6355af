/**
 * Zoom and pan maths of the viewport: screen = image · scale + translation.
 */

/** True in jsdom, which has no canvas 2-D context. */
export const IS_JSDOM =
  typeof navigator !== 'undefined' && /jsdom/i.test(navigator.userAgent);

/** Zoom limits. */
const MIN_SCALE = 1 / 64;
const MAX_SCALE = 64;

/** A 2-D scale-and-translate transform from image to viewport pixels. */
export class ViewTransform {
  scale = 1;
  tx = 0;
  ty = 0;

  /** Image coordinates of a viewport point. */
  toImage(px: number, py: number): [number, number] {
    return [(px - this.tx) / this.scale, (py - this.ty) / this.scale];
  }

  /** Multiply the zoom, keeping viewport point (cx, cy) fixed. */
  zoomAt(factor: number, cx: number, cy: number): void {
    const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    const [ix, iy] = this.toImage(cx, cy);
    this.scale = s;
    this.tx = cx - ix * s;
    this.ty = cy - iy * s;
  }

  panBy(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
  }

  /** Fit a w×h image into a vw×vh viewport, centred. */
  fit(w: number, h: number, vw: number, vh: number): void {
    const s = vw > 0 && vh > 0 ? Math.min(vw / w, vh / h) : 1;
    this.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));
    this.center(w, h, vw, vh);
  }

  /** One image pixel per CSS pixel, centred. */
  actual(w: number, h: number, vw: number, vh: number): void {
    this.scale = 1;
    this.center(w, h, vw, vh);
  }

  center(w: number, h: number, vw: number, vh: number): void {
    this.tx = (vw - w * this.scale) / 2;
    this.ty = (vh - h * this.scale) / 2;
  }
}

/**
 * A "nice" scale bar (1, 2 or 5 × 10^k physical units) about a fifth of the
 * viewport wide.
 *
 * @param pixelSize physical size of one image pixel
 * @param scale screen pixels per image pixel
 * @param viewportWidth in screen pixels
 */
export function scaleBarLength(
  pixelSize: number,
  scale: number,
  viewportWidth: number
): { length: number; pixels: number } | null {
  if (!(pixelSize > 0) || !(scale > 0) || !(viewportWidth > 0)) {
    return null;
  }
  const target = (viewportWidth / 5 / scale) * pixelSize;
  const pow = Math.pow(10, Math.floor(Math.log10(target)));
  const length = [5, 2, 1].map(m => m * pow).find(l => l <= target) ?? pow;
  return { length, pixels: (length / pixelSize) * scale };
}

/** Short number formatting for the status line. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) {
    return String(v);
  }
  if (Number.isInteger(v)) {
    return String(v);
  }
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.01
    ? v.toPrecision(4)
    : String(Number(v.toFixed(3)));
}
