/**
 * The wizard's small pictures: overlaid histograms (the user's normalised
 * input against the model's test input), a metric against a threshold
 * (plain SVG coloured by JupyterLab's theme variables), and canvas
 * thumbnails of crops and their outputs.
 */
import { toFloat64, type INDArray } from '../core/tensor/tensor';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, String(v));
  }
  return el;
}

/** Value range holding the central 99 % of both samples. */
function commonRange(samples: Float64Array[]): [number, number] {
  const all = samples.flatMap(s => {
    const sorted = Float64Array.from(s).sort();
    if (!sorted.length) {
      return [];
    }
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
    return [at(0.005), at(0.995)];
  });
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  return hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
}

/** Normalised histogram counts (fractions) over `range` with `bins` bins. */
export function histogramFractions(
  values: Float64Array,
  range: [number, number],
  bins: number
): number[] {
  const counts = new Array<number>(bins).fill(0);
  const [lo, hi] = range;
  const scale = bins / (hi - lo);
  for (const v of values) {
    const b = Math.floor((v - lo) * scale);
    if (b >= 0 && b < bins) {
      counts[b]++;
    } else if (v === hi) {
      counts[bins - 1]++;
    }
  }
  const n = values.length || 1;
  return counts.map(c => c / n);
}

/** Overlaid histograms of named samples, with a legend and the value range. */
export function histogramChart(
  series: Array<{ name: string; values: Float64Array; className: string }>,
  label: string
): SVGElement {
  const width = 320;
  const height = 120;
  const bins = 64;
  const range = commonRange(series.map(s => s.values));
  const fractions = series.map(s => histogramFractions(s.values, range, bins));
  const top = Math.max(1e-9, ...fractions.flat());
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height + 30}`,
    class: 'jp-BioImage-chart',
    role: 'img',
    'aria-label': label
  });
  series.forEach((s, k) => {
    const points = fractions[k]
      .map((f, b) => {
        const x = ((b + 0.5) / bins) * width;
        const y = height - (f / top) * (height - 4);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
    root.append(
      svg('polyline', { points, class: `jp-BioImage-series ${s.className}` })
    );
    const legend = svg('text', {
      x: 4 + k * 160,
      y: height + 26,
      class: s.className
    });
    legend.textContent = `■ ${s.name}`;
    root.append(legend);
  });
  for (const [x, v, anchor] of [
    [2, range[0], 'start'],
    [width - 2, range[1], 'end']
  ] as const) {
    const t = svg('text', { x, y: height + 12, 'text-anchor': anchor });
    t.textContent = v.toPrecision(3);
    root.append(t);
  }
  return root;
}

/** A line chart of `y` (0–1) against thresholds, e.g. F1 vs. IoU threshold. */
export function thresholdChart(
  points: Array<{ x: number; y: number }>,
  label: string,
  axes: { x: string; y: string } = { x: 'threshold', y: '' }
): SVGElement {
  const width = 320;
  const height = 120;
  const x0 = Math.min(...points.map(p => p.x));
  const x1 = Math.max(...points.map(p => p.x));
  const px = (x: number) => 30 + ((x - x0) / (x1 - x0 || 1)) * (width - 40);
  const py = (y: number) => height - y * (height - 10);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height + 20}`,
    class: 'jp-BioImage-chart',
    role: 'img',
    'aria-label': label
  });
  root.append(
    svg('polyline', {
      points: points.map(p => `${px(p.x)},${py(p.y)}`).join(' '),
      class: 'jp-BioImage-series jp-mod-user'
    })
  );
  for (const p of points) {
    root.append(
      svg('circle', {
        cx: px(p.x),
        cy: py(p.y),
        r: 2.5,
        class: 'jp-BioImage-point'
      })
    );
  }
  for (const [v, y] of [
    [1, py(1)],
    [0, py(0)]
  ]) {
    const t = svg('text', { x: 2, y: y + 4 });
    t.textContent = String(v);
    root.append(t);
  }
  for (const x of [x0, x1]) {
    const t = svg('text', {
      x: px(x),
      y: height + 14,
      'text-anchor': 'middle'
    });
    t.textContent = x.toFixed(2);
    root.append(t);
  }
  const xTitle = svg('text', {
    x: width / 2 + 10,
    y: height + 14,
    'text-anchor': 'middle'
  });
  xTitle.textContent = axes.x;
  const yTitle = svg('text', { x: 30, y: 10 });
  yTitle.textContent = axes.y;
  root.append(xTitle, yTitle);
  return root;
}

/**
 * A small picture of a (y, x) plane: grey values between its 1st and 99th
 * percentile, or distinct colours for a label image (0 stays black).
 */
export function thumbnail(
  plane: INDArray,
  label: string,
  options: { labels?: boolean; size?: number } = {}
): HTMLCanvasElement {
  const [h, w] = plane.shape.slice(-2);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.className = 'jp-BioImage-thumbnail';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  canvas.title = label;
  const size = options.size ?? 160;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${Math.round((size * h) / w)}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    return canvas;
  }
  const values = toFloat64(plane.data);
  const rgba = new Uint8ClampedArray(w * h * 4);
  if (options.labels) {
    for (let i = 0; i < w * h; i++) {
      const id = values[i];
      // A cheap hash to spread neighbouring ids over the hue circle.
      const hue = (id * 137.508) % 360;
      const [r, g, b] = id === 0 ? [0, 0, 0] : hsl(hue, 0.7, 0.55);
      rgba.set([r, g, b, 255], i * 4);
    }
  } else {
    const sorted = Float64Array.from(values).sort();
    const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
    const hi = sorted[Math.floor(0.99 * (sorted.length - 1))];
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < w * h; i++) {
      const v = (values[i] - lo) * scale;
      rgba.set([v, v, v, 255], i * 4);
    }
  }
  ctx.putImageData(new ImageData(rgba, w, h), 0, 0);
  return canvas;
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
