/**
 * Two small SVG charts of the wizard: overlaid histograms (the user's
 * normalised input against the model's test input) and a metric against
 * the IoU threshold. Plain SVG, coloured by JupyterLab's theme variables.
 */
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
  label: string
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
  return root;
}
