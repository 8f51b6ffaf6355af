/**
 * Draw a channel's histogram (log counts) with its contrast window marked.
 */
import type { IContrast, IHistogram } from '../display';
import { IS_JSDOM } from '../view';

/** Display bins: re-bin a histogram into `n` bins over its data range. */
export function displayBins(h: IHistogram, n: number): Float64Array {
  const out = new Float64Array(n);
  if (h.total === 0 || !(h.max >= h.min)) {
    return out;
  }
  const span = h.max - h.min || 1;
  for (let b = 0; b < h.counts.length; b++) {
    const c = h.counts[b];
    if (c === 0) {
      continue;
    }
    const v = h.start + (b + (h.exact ? 0 : 0.5)) * h.binWidth;
    const k = Math.min(
      n - 1,
      Math.max(0, Math.floor(((v - h.min) / span) * n))
    );
    out[k] += c;
  }
  return out;
}

/** Draw into a canvas using the element's computed theme colours. */
export function drawHistogram(
  canvas: HTMLCanvasElement,
  h: IHistogram | undefined,
  window: IContrast
): void {
  const ctx = IS_JSDOM ? null : canvas.getContext('2d');
  if (!ctx) {
    return;
  }
  const { width: w, height: ht } = canvas;
  const style = getComputedStyle(canvas);
  const fg = style.getPropertyValue('--jp-ui-font-color2').trim() || '#888';
  const accent =
    style.getPropertyValue('--jp-brand-color1').trim() || '#1976d2';
  ctx.clearRect(0, 0, w, ht);
  if (!h || h.total === 0) {
    return;
  }
  const bins = displayBins(h, w);
  let peak = 0;
  bins.forEach(c => (peak = Math.max(peak, Math.log1p(c))));
  ctx.fillStyle = fg;
  bins.forEach((c, x) => {
    const bh = peak > 0 ? (Math.log1p(c) / peak) * ht : 0;
    ctx.fillRect(x, ht - bh, 1, bh);
  });
  const span = h.max - h.min || 1;
  const xOf = (v: number): number => ((v - h.min) / span) * w;
  ctx.strokeStyle = accent;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(xOf(window.min), ht);
  ctx.lineTo(xOf(window.max), 0);
  ctx.stroke();
}
