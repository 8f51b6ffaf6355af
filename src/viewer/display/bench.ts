/**
 * A benchmark hook: time how long a contrast change takes to re-render a
 * square uint16 plane (table rebuild + render), as the viewer does on every
 * slider move.
 */
import { autoContrast, histogram } from './contrast';
import {
  contiguousPlane,
  type IChannelDisplay,
  renderComposite
} from './render';

/** Result of {@link benchmarkRender}; times in milliseconds. */
export interface IRenderBenchmark {
  size: number;
  channels: number;
  iterations: number;
  /** Histogram + percentile auto-contrast of one plane (once). */
  autoContrastMs: number;
  /** Median time of one re-render after a contrast change. */
  medianRenderMs: number;
  /** Fastest re-render. */
  minRenderMs: number;
  /**
   * Fastest plain pass over the same pixels (grey value copied into every
   * byte, no table): the memory-bound floor on this machine, to judge the
   * render time against when the machine is loaded.
   */
  baselineMs: number;
}

/** Copy a uint16 plane into packed grey RGBA without any table: the floor. */
function baselinePass(src: Uint16Array, out: Uint32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = (src[i] >>> 4) * 0x010101 + 0xff000000;
  }
}

/**
 * A deterministic pseudo-random size×size uint16 plane of 12-bit,
 * camera-like values (the benchmarks' test image).
 */
export function benchmarkPlaneData(size: number, seed = 0): Uint16Array {
  const n = size * size;
  const data = new Uint16Array(n);
  let s = 12345 + seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 20;
  }
  return data;
}

/**
 * Render `iterations` times with a different window each time and report the
 * median. Data is a deterministic pseudo-random uint16 plane per channel.
 */
export function benchmarkRender(
  size = 2048,
  channels = 1,
  iterations = 15
): IRenderBenchmark {
  const n = size * size;
  const planes = Array.from({ length: channels }, (_, c) =>
    contiguousPlane(benchmarkPlaneData(size, c), size, size)
  );
  const t0 = performance.now();
  const auto = autoContrast(histogram(planes[0].data), 0.1, 99.9);
  const autoContrastMs = performance.now() - t0;
  const colors = ['green', 'magenta', 'cyan', 'yellow'] as const;
  const out = new Uint8ClampedArray(n * 4);
  const times: number[] = [];
  for (let k = 0; k < iterations; k++) {
    const displays: IChannelDisplay[] = planes.map((_, c) => ({
      min: auto.min + k,
      max: auto.max - k,
      gamma: 1 + k / 20,
      colormap: channels === 1 ? 'grey' : colors[c % colors.length]
    }));
    const t = performance.now();
    renderComposite(planes, displays, out);
    times.push(performance.now() - t);
  }
  const base: number[] = [];
  const out32 = new Uint32Array(out.buffer);
  for (let k = 0; k < iterations; k++) {
    const t = performance.now();
    baselinePass(planes[0].data as Uint16Array, out32);
    base.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    size,
    channels,
    iterations,
    autoContrastMs,
    medianRenderMs: times[Math.floor(times.length / 2)],
    minRenderMs: times[0],
    baselineMs: Math.min(...base)
  };
}
