/**
 * Per-channel uniforms of the WebGL2 renderer: what makes the shader give
 * every value exactly the level (colour-map index 0–255) the software path
 * gives it, from a window and gamma alone (no texture to re-upload).
 *
 * The software path computes the level in float64: through `intensityTable`
 * for ≤ 16-bit integers (domain 'integer'), or by quantising the value into
 * FLOAT_STEPS + 1 steps of the window for other data (domain 'steps').
 * The shader computes the same formula in float32 and then settles it with
 * `thresholds`, taken from the software path's own table:
 *
 * - integer domain: thresholds[k] is the smallest table index whose level
 *   is ≥ k. Only where 255·t^γ lies within BOUNDARY_MARGIN of a rounding
 *   boundary (k + 0.5) can float32 round differently; there the shader
 *   compares the index with thresholds[k] and thresholds[k + 1].
 * - steps domain: thresholds[k] is the smallest value *key* (an exact,
 *   order-preserving int32 image of the texel value, see ValueKey) whose
 *   software level is ≥ k. The shader checks its float32 guess against the
 *   two thresholds around it for every pixel and binary-searches when it is
 *   wrong, so float32 rounding of the step index never shows.
 */
import { intensityTable, mapIntensity } from './contrast';
import { type ITextureFormat, LEVELS, type ValueKey } from './gl-params';
import { FLOAT_STEPS, type IChannelDisplay } from './render';

/**
 * Half-width of the band around a rounding boundary (k + 0.5) in which the
 * shader does not trust its float32 level (integer domain) and asks the
 * thresholds instead. float32 errors of 255·t^γ stay below about 1e-3 (a few
 * ulp through pow); outside the band the formula and the thresholds agree.
 */
export const BOUNDARY_MARGIN = 0.01;

/** Smallest and largest int32: "every value" and "no value" thresholds. */
export const INT32_MIN = -0x80000000;
export const INT32_MAX = 0x7fffffff;

/** Uniforms of one visible channel. */
export interface IChannelUniforms {
  /**
   * Steps domain: a texel value v (after its base) is at step
   * round((v − valueMin) · valueScale), clamped to 0…FLOAT_STEPS, NaN → 0.
   * Unused (0) in the integer domain.
   */
  valueMin: number;
  valueScale: number;
  /** The float32 guess on index (or step) u: t = clamp((u − lo) · inv), level ≈ round(255·t^gamma). */
  lo: number;
  inv: number;
  gamma: number;
  /**
   * True when the formula does not describe the table (empty or non-finite
   * window, gamma ≤ 0): the shader then only binary-searches the thresholds.
   */
  searchOnly: boolean;
  /** See the module comment; thresholds[0] is a lower bound of every index or key. */
  thresholds: Int32Array;
  /** Steps domain: the level of the largest key (INT32_MAX may mean "never"). */
  maxLevel: number;
}

/**
 * Thresholds of a level table (one level 0–255 per index), or null when the
 * table is not monotonically non-decreasing (then no threshold list can
 * describe it and the caller must render in software).
 */
export function levelThresholds(table: ArrayLike<number>): Int32Array | null {
  const out = new Int32Array(LEVELS).fill(table.length);
  out[0] = 0;
  let level = 0;
  for (let i = 0; i < table.length; i++) {
    const k = table[i];
    if (k < level) {
      return null;
    }
    for (let m = level + 1; m <= k; m++) {
      out[m] = i;
    }
    level = k;
  }
  return out;
}

/**
 * The level table the software path uses for this channel: intensityTable
 * over all integer values, or mapIntensity at each of the FLOAT_STEPS + 1
 * steps across the window (the same expression as `channelTable`).
 */
export function levelTable(
  format: ITextureFormat,
  d: IChannelDisplay
): Uint8Array {
  if (format.domain === 'integer') {
    return intensityTable(-format.indexOffset, format.domainSize, d);
  }
  const span = d.max > d.min ? d.max - d.min : 1;
  const out = new Uint8Array(FLOAT_STEPS + 1);
  for (let i = 0; i <= FLOAT_STEPS; i++) {
    out[i] = mapIntensity(d.min + (span * i) / FLOAT_STEPS, d);
  }
  return out;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/**
 * The shader's key of a texel value: int32 as is; uint32 with the top bit
 * flipped (so signed comparison orders it); float32 through its bits, with
 * negative floats' magnitude bits flipped, −0 as +0 and NaN as −∞.
 */
export function valueKey(v: number, kind: ValueKey): number {
  if (kind === 'int32') {
    return v | 0;
  }
  if (kind === 'uint32') {
    return (v ^ 0x80000000) | 0;
  }
  f32[0] = Number.isNaN(v) ? -Infinity : v === 0 ? 0 : v;
  const bits = i32[0];
  return bits >= 0 ? bits : bits ^ 0x7fffffff;
}

/** The texel value of a key (inverse of valueKey, NaN keys aside). */
export function keyValue(key: number, kind: ValueKey): number {
  if (kind === 'int32') {
    return key;
  }
  if (kind === 'uint32') {
    return (key ^ 0x80000000) >>> 0;
  }
  i32[0] = key >= 0 ? key : key ^ 0x7fffffff;
  return f32[0];
}

/** The keys of real values: floats from −∞ to +∞ (NaN bit patterns excluded). */
function keyRange(kind: ValueKey): [number, number] {
  return kind === 'float'
    ? [valueKey(-Infinity, kind), valueKey(Infinity, kind)]
    : [INT32_MIN, INT32_MAX];
}

/** Steps domain: thresholds in value keys, and the level of the largest key. */
function stepThresholds(
  format: ITextureFormat,
  d: IChannelDisplay,
  base: number,
  table: Uint8Array
): { thresholds: Int32Array; maxLevel: number } | null {
  const steps = levelThresholds(table);
  if (!steps) {
    return null;
  }
  const span = d.max > d.min ? d.max - d.min : 1;
  const scale = FLOAT_STEPS / span;
  // The software path's level of a texel value (renderChannel's expression).
  const levelOfKey = (key: number): number => {
    const s = (keyValue(key, format.key) + base - d.min) * scale;
    return table[s > 0 ? (s < FLOAT_STEPS ? Math.round(s) : FLOAT_STEPS) : 0];
  };
  const [kmin, kmax] = keyRange(format.key);
  const out = new Int32Array(LEVELS);
  out[0] = INT32_MIN;
  let from = kmin;
  for (let k = 1; k < LEVELS; k++) {
    if (steps[k] === 0) {
      out[k] = INT32_MIN; // every value, NaN (step 0) included
      continue;
    }
    if (steps[k] > FLOAT_STEPS) {
      out[k] = INT32_MAX; // no step reaches k
      continue;
    }
    // the smallest key with level ≥ k (levels never fall as keys grow)
    let a = from;
    let b = kmax + 1;
    while (a < b) {
      const m = Math.floor((a + b) / 2);
      if (levelOfKey(m) >= k) {
        b = m;
      } else {
        a = m + 1;
      }
    }
    out[k] = a > kmax ? INT32_MAX : a;
    from = Math.min(a, kmax);
  }
  return { thresholds: out, maxLevel: levelOfKey(kmax) };
}

/**
 * Uniforms for one channel's window and gamma on data of `format` uploaded
 * relative to `base`; null when the level table is not monotonic.
 */
export function channelUniforms(
  format: ITextureFormat,
  d: IChannelDisplay,
  base = 0
): IChannelUniforms | null {
  const table = levelTable(format, d);
  const gamma = d.gamma ?? 1;
  const regular =
    Number.isFinite(d.min) &&
    Number.isFinite(d.max) &&
    d.max > d.min &&
    gamma > 0 &&
    Number.isFinite(gamma);
  const formula = {
    gamma: regular ? gamma : 1,
    searchOnly: !regular
  };
  if (format.domain === 'integer') {
    const thresholds = levelThresholds(table);
    return thresholds
      ? {
          valueMin: 0,
          valueScale: 0,
          lo: d.min + format.indexOffset,
          inv: regular ? 1 / (d.max - d.min) : 0,
          ...formula,
          thresholds,
          maxLevel: table[table.length - 1]
        }
      : null;
  }
  const steps = stepThresholds(format, d, base, table);
  const span = d.max > d.min ? d.max - d.min : 1;
  return steps
    ? {
        valueMin: d.min - base,
        valueScale: FLOAT_STEPS / span,
        lo: 0,
        inv: 1 / FLOAT_STEPS,
        ...formula,
        ...steps
      }
    : null;
}
