/**
 * Colour look-up tables: a name → 256 RGB entries. Single-colour LUTs ramp
 * from black to the colour (for additive multi-channel composites); 'fire' and
 * 'heatmap' are multi-hue ramps for single-channel intensity and probability
 * maps. Control points are our own choice.
 */

/** Names of the built-in colour maps. */
export type ColormapName =
  | 'grey'
  | 'red'
  | 'green'
  | 'blue'
  | 'cyan'
  | 'magenta'
  | 'yellow'
  | 'fire'
  | 'heatmap';

/** A colour map: a built-in name or a custom RGB end colour (black → colour). */
export type Colormap = ColormapName | [number, number, number];

/** End colours of the single-hue LUTs. */
const SOLID: Record<string, [number, number, number]> = {
  grey: [255, 255, 255],
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
  cyan: [0, 255, 255],
  magenta: [255, 0, 255],
  yellow: [255, 255, 0]
};

/** Piecewise-linear control points [position 0..1, r, g, b]. */
const RAMPS: Record<string, [number, number, number, number][]> = {
  // black → dark purple → red → orange → yellow → white
  fire: [
    [0, 0, 0, 0],
    [0.25, 110, 0, 140],
    [0.5, 230, 30, 30],
    [0.7, 255, 140, 0],
    [0.87, 255, 230, 40],
    [1, 255, 255, 255]
  ],
  // dark blue → blue → cyan → green → yellow → red
  heatmap: [
    [0, 0, 0, 128],
    [0.15, 0, 0, 255],
    [0.38, 0, 255, 255],
    [0.55, 0, 255, 0],
    [0.75, 255, 255, 0],
    [1, 255, 0, 0]
  ]
};

/** All built-in colour map names, for menus. */
export const COLORMAP_NAMES: ColormapName[] = [
  'grey',
  'green',
  'magenta',
  'cyan',
  'yellow',
  'red',
  'blue',
  'fire',
  'heatmap'
];

const cache = new Map<string, Uint8Array>();

/**
 * The colour map as 256 × RGB bytes (entry i = colour for intensity i/255).
 * Tables are cached; do not modify the result.
 */
export function colormapTable(map: Colormap): Uint8Array {
  const key = typeof map === 'string' ? map : map.join(',');
  const hit = cache.get(key);
  if (hit) {
    return hit;
  }
  const out = new Uint8Array(256 * 3);
  const solid = typeof map === 'string' ? SOLID[map] : map;
  if (solid) {
    for (let i = 0; i < 256; i++) {
      for (let k = 0; k < 3; k++) {
        out[i * 3 + k] = Math.round((solid[k] * i) / 255);
      }
    }
  } else {
    const pts = RAMPS[map as string];
    if (!pts) {
      throw new RangeError(`Unknown colour map '${String(map)}'.`);
    }
    for (let i = 0; i < 256; i++) {
      const t = i / 255;
      let j = 1;
      while (j < pts.length - 1 && pts[j][0] < t) {
        j++;
      }
      const [t0, ...c0] = pts[j - 1];
      const [t1, ...c1] = pts[j];
      const f = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
      for (let k = 0; k < 3; k++) {
        out[i * 3 + k] = Math.round(c0[k] + (c1[k] - c0[k]) * f);
      }
    }
  }
  cache.set(key, out);
  return out;
}

/** True if this machine stores a Uint32 with its lowest byte first (every current one). */
export const LITTLE_ENDIAN =
  new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Pack RGBA into the Uint32 whose bytes, viewed through a Uint8ClampedArray
 * of the same buffer, read r, g, b, a (as canvas ImageData expects).
 */
export function packRGBA(r: number, g: number, b: number, a = 255): number {
  return LITTLE_ENDIAN
    ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}
