/**
 * Display math against hand-computed values: contrast mapping, histograms,
 * percentiles, LUTs, composites, label/heatmap overlays and render speed.
 */
import type { INDArray } from '../../core/tensor/tensor';
import {
  addSaturate,
  autoContrast,
  blendOver,
  colormapTable,
  contiguousPlane,
  histogram,
  intensityTable,
  labelColor,
  mapIntensity,
  packRGBA,
  percentileFromHistogram,
  planeView,
  renderComposite,
  renderHeatmap,
  renderLabels
} from '../display';

/** RGBA tuples of a rendered buffer, for readable comparisons. */
const pixels = (rgba: Uint8ClampedArray): number[][] =>
  Array.from({ length: rgba.length / 4 }, (_, i) =>
    Array.from(rgba.subarray(i * 4, i * 4 + 4))
  );

describe('contrast mapping', () => {
  it('maps the window linearly with rounding and clamping', () => {
    const c = { min: 100, max: 300 };
    expect([50, 100, 200, 300, 400].map(v => mapIntensity(v, c))).toEqual([
      0, 0, 128, 255, 255
    ]);
  });

  it('applies gamma to the normalised value', () => {
    // t = 0.5: 0.25·255 = 63.75 → 64; √0.5·255 = 180.31 → 180
    expect(mapIntensity(200, { min: 100, max: 300, gamma: 2 })).toBe(64);
    expect(mapIntensity(200, { min: 100, max: 300, gamma: 0.5 })).toBe(180);
  });

  it('treats an empty window as a step and NaN as black', () => {
    expect(mapIntensity(7, { min: 7, max: 7 })).toBe(0);
    expect(mapIntensity(8, { min: 7, max: 7 })).toBe(255);
    expect(mapIntensity(NaN, { min: 0, max: 1 })).toBe(0);
  });

  it('tables agree with mapIntensity for every entry', () => {
    const windows = [
      { min: 100, max: 300 },
      { min: 99.5, max: 4000.25, gamma: 1.7 },
      { min: -40000, max: -20000 },
      { min: 70000, max: 80000, gamma: 0.4 },
      { min: 7, max: 7 },
      { min: 7.5, max: 2 }
    ];
    for (const [offset, size] of [
      [0, 65536],
      [-32768, 65536],
      [0, 256],
      [-128, 256]
    ]) {
      for (const c of windows) {
        const t = intensityTable(offset, size, c);
        let bad = 0;
        for (let i = 0; i < size; i++) {
          bad += t[i] === mapIntensity(i + offset, c) ? 0 : 1;
        }
        expect(bad).toBe(0);
      }
    }
  });

  it('builds the 65536-entry table for uint16 and the offset table for int16', () => {
    const u = intensityTable(0, 65536, { min: 100, max: 300 });
    expect(u.length).toBe(65536);
    expect([u[99], u[200], u[250], u[65535]]).toEqual([0, 128, 191, 255]);
    const s = intensityTable(-32768, 65536, { min: -100, max: 100 });
    expect(s[32768 - 100]).toBe(0); // value −100
    expect(s[32768 + 50]).toBe(191); // value 50: 0.75·255 = 191.25
  });
});

describe('histogram and percentiles', () => {
  it('counts exact bins for uint16 and int16', () => {
    const h = histogram(Uint16Array.from([0, 0, 5, 65535]));
    expect(h.exact).toBe(true);
    expect([h.counts[0], h.counts[5], h.counts[65535], h.counts[6]]).toEqual([
      2, 1, 1, 0
    ]);
    expect([h.min, h.max, h.total]).toEqual([0, 65535, 4]);
    const s = histogram(Int16Array.from([-32768, -1, 7, 7]));
    expect([s.counts[0], s.counts[32767], s.counts[32775]]).toEqual([1, 1, 2]);
    expect([s.min, s.max]).toEqual([-32768, 7]);
  });

  it('matches numpy.percentile (linear) exactly for integers', () => {
    const h = histogram(Uint16Array.from({ length: 100 }, (_, i) => 100 - i)); // 1…100
    // numpy.percentile(np.arange(1, 101), [0, 25, 50, 100, 0.1]) = 1, 25.75, 50.5, 100, 1.099
    expect(percentileFromHistogram(h, 0)).toBe(1);
    expect(percentileFromHistogram(h, 25)).toBeCloseTo(25.75, 12);
    expect(percentileFromHistogram(h, 50)).toBeCloseTo(50.5, 12);
    expect(percentileFromHistogram(h, 100)).toBe(100);
    expect(percentileFromHistogram(h, 0.1)).toBeCloseTo(1.099, 12);
  });

  it('estimates float percentiles within one bin', () => {
    const f = Float32Array.from({ length: 1000 }, (_, i) => i); // 0…999, NaN ignored below
    const withNaN = new Float32Array(1001);
    withNaN.set(f);
    withNaN[1000] = NaN;
    const h = histogram(withNaN, 4096);
    expect(h.total).toBe(1000);
    expect([h.min, h.max]).toEqual([0, 999]);
    expect(Math.abs(percentileFromHistogram(h, 50) - 499.5)).toBeLessThan(
      999 / 4096
    );
    expect(Math.abs(percentileFromHistogram(h, 99) - 989.01)).toBeLessThan(
      999 / 4096
    );
  });

  it('auto-contrast uses 0.1–99.9 % and falls back to min/max when flat', () => {
    // 998 × 10, one 0, one 255: p0.1 = 0 + 10·0.999 = 9.99; p99.9 = 10 + 245·0.001 = 10.245
    const d = new Uint8Array(1000).fill(10);
    d[17] = 0;
    d[500] = 255;
    const c = autoContrast(d);
    expect(c.min).toBeCloseTo(9.99, 10);
    expect(c.max).toBeCloseTo(10.245, 10);
    expect(autoContrast(new Uint8Array(50).fill(7))).toEqual({
      min: 7,
      max: 7,
      gamma: 1
    });
  });
});

describe('colour maps', () => {
  const rgb = (
    name: Parameters<typeof colormapTable>[0],
    i: number
  ): number[] => Array.from(colormapTable(name).subarray(i * 3, i * 3 + 3));
  it('single-hue ramps from black', () => {
    expect(rgb('grey', 128)).toEqual([128, 128, 128]);
    expect(rgb('green', 255)).toEqual([0, 255, 0]);
    expect(rgb('magenta', 100)).toEqual([100, 0, 100]);
    expect(rgb('cyan', 0)).toEqual([0, 0, 0]);
    expect(rgb('yellow', 51)).toEqual([51, 51, 0]);
    expect(rgb([200, 100, 0], 51)).toEqual([40, 20, 0]);
  });
  it('fire and heatmap control points and monotone luminance of fire', () => {
    expect(rgb('fire', 0)).toEqual([0, 0, 0]);
    // i = 64 → t = 0.25098, just past the (0.25: 110, 0, 140) control point
    expect(rgb('fire', 64)).toEqual([110, 0, 140]);
    expect(rgb('fire', 255)).toEqual([255, 255, 255]);
    expect(rgb('heatmap', 255)).toEqual([255, 0, 0]);
    expect(rgb('heatmap', 0)).toEqual([0, 0, 128]);
    const lum = (i: number): number => {
      const [r, g, b] = rgb('fire', i);
      return 0.299 * r + 0.587 * g + 0.114 * b;
    };
    let dips = 0;
    for (let i = 1; i < 256; i++) {
      // allow rounding noise of half a grey level
      dips += lum(i) < lum(i - 1) - 0.5 ? 1 : 0;
    }
    expect(dips).toBe(0);
  });
});

describe('composite rendering', () => {
  it('saturating byte add equals the per-byte reference', () => {
    expect(addSaturate(packRGBA(200, 100, 0), packRGBA(100, 100, 255))).toBe(
      packRGBA(255, 200, 255)
    );
    let s = 1;
    const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
    for (let k = 0; k < 2000; k++) {
      const a = rnd();
      const b = rnd();
      const ref = [0, 8, 16, 24].reduce(
        (acc, sh) =>
          acc +
          Math.min(255, ((a >>> sh) & 255) + ((b >>> sh) & 255)) * 2 ** sh,
        0
      );
      expect(addSaturate(a, b)).toBe(ref);
    }
  });

  it('adds a green and a magenta uint16 channel', () => {
    const a = contiguousPlane(Uint16Array.from([0, 100, 200, 300]), 2, 2);
    const b = contiguousPlane(Uint16Array.from([300, 200, 100, 0]), 2, 2);
    const out = renderComposite(
      [a, b],
      [
        { min: 100, max: 300, colormap: 'green' },
        { min: 100, max: 300, colormap: 'magenta' }
      ]
    );
    // A → [0, 0, 128, 255] in green, B → [255, 128, 0, 0] in magenta
    expect(pixels(out)).toEqual([
      [255, 0, 255, 255],
      [128, 0, 128, 255],
      [0, 128, 0, 255],
      [0, 255, 0, 255]
    ]);
  });

  it('saturates, skips hidden channels and reuses the output buffer', () => {
    const a = contiguousPlane(Uint8Array.from([200, 10]), 2, 1);
    const g = { min: 0, max: 255, colormap: 'grey' as const };
    const out = new Uint8ClampedArray(8);
    renderComposite([a, a], [g, g], out);
    expect(pixels(out)).toEqual([
      [255, 255, 255, 255],
      [20, 20, 20, 255]
    ]);
    renderComposite([a, a], [g, { ...g, visible: false }], out);
    expect(pixels(out)).toEqual([
      [200, 200, 200, 255],
      [10, 10, 10, 255]
    ]);
  });

  it('renders int16, float32 (with NaN) and strided channel-last planes', () => {
    const i16 = contiguousPlane(Int16Array.from([-100, 0, 100, 50]), 4, 1);
    expect(
      pixels(
        renderComposite([i16], [{ min: -100, max: 100, colormap: 'red' }])
      ).map(p => p[0])
    ).toEqual([0, 128, 255, 191]);
    const f = contiguousPlane(Float32Array.from([0, 0.5, 1, NaN, -3, 9]), 6, 1);
    expect(
      pixels(renderComposite([f], [{ min: 0, max: 1, colormap: 'grey' }])).map(
        p => p[1]
      )
    ).toEqual([0, 128, 255, 0, 0, 255]);
    // YXC array 2×2×3: channel 2 of pixel (y, x) = (y·2 + x)·3 + 2
    const yxc: INDArray = {
      dtype: 'uint8',
      shape: [2, 2, 3],
      data: Uint8Array.from({ length: 12 }, (_, i) => i * 10)
    };
    const view = planeView(yxc, 'YXC', { c: 2 });
    expect(
      pixels(
        renderComposite([view], [{ min: 0, max: 255, colormap: 'blue' }])
      ).map(p => p[2])
    ).toEqual([20, 50, 80, 110]);
  });

  it('planeView addresses (t, c, z) of a TCZYX array without copying', () => {
    const arr: INDArray = {
      dtype: 'float32',
      shape: [2, 2, 3, 4, 5],
      data: Float32Array.from({ length: 240 }, (_, i) => i)
    };
    const v = planeView(arr, 'TCZYX', { t: 1, c: 0, z: 2 });
    expect(v.data).toBe(arr.data);
    expect([v.offset, v.width, v.height, v.rowStride, v.pixelStride]).toEqual([
      160, 5, 4, 5, 1
    ]);
    expect(() => planeView(arr, 'TCZYX', { z: 3 })).toThrow(
      /z=3 is outside 0…2/
    );
  });
});

describe('label and heatmap overlays', () => {
  it('gives distinct, bright, stable colours', () => {
    const seen = new Set<string>();
    for (let id = 1; id <= 300; id++) {
      const c = labelColor(id);
      expect(Math.max(...c)).toBeGreaterThanOrEqual(204); // value ≥ 0.8
      seen.add(c.join());
    }
    expect(seen.size).toBe(300);
    expect(labelColor(42)).toEqual(labelColor(42));
  });

  it('fills labels with opacity and draws outlines', () => {
    // 5×5, a 3×3 block of label 7 in the middle
    const d = new Uint16Array(25);
    for (const y of [1, 2, 3]) {
      for (const x of [1, 2, 3]) {
        d[y * 5 + x] = 7;
      }
    }
    const [r, g, b] = labelColor(7);
    const fill = pixels(
      renderLabels(contiguousPlane(d, 5, 5), { opacity: 0.5 })
    );
    expect(fill[0]).toEqual([0, 0, 0, 0]);
    expect(fill[12]).toEqual([r, g, b, 128]);
    expect(fill[6]).toEqual([r, g, b, 128]);
    const outl = pixels(
      renderLabels(contiguousPlane(d, 5, 5), { opacity: 0, outline: true })
    );
    expect(outl[12]).toEqual([0, 0, 0, 0]); // interior: no fill
    expect(outl[6]).toEqual([r, g, b, 255]); // ring pixel
    expect(outl.filter(p => p[3] === 255).length).toBe(8);
  });

  it('renders a probability heatmap with threshold and opacity', () => {
    const p = contiguousPlane(Float32Array.from([0, 0.25, 0.5, 1]), 4, 1);
    const out = pixels(
      renderHeatmap(p, { colormap: 'grey', opacity: 0.8, threshold: 0.3 })
    );
    expect(out).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [128, 128, 128, 102], // 128·0.8 = 102.4
      [255, 255, 255, 204]
    ]);
  });

  it('blends an overlay over an opaque image', () => {
    const dst = Uint8ClampedArray.from([100, 100, 100, 255, 10, 20, 30, 255]);
    blendOver(dst, Uint8ClampedArray.from([200, 0, 0, 128, 255, 255, 255, 0]));
    // (200·128 + 100·127)/255 = 150.2; 100·127/255 = 49.8
    expect(Array.from(dst)).toEqual([150, 50, 50, 255, 10, 20, 30, 255]);
  });
});
