/**
 * Parsers for two of the ImageDescription dialects microscopy TIFFs use to say
 * how their pages form a hyperstack: ImageJ's key=value header and tifffile's
 * JSON "shaped" description (OME-XML is in ome.ts). Pure string work, linear
 * in the description's length.
 */

/** What an ImageJ hyperstack header says. */
export interface IImageJInfo {
  images: number;
  channels: number;
  slices: number;
  frames: number;
  unit?: string;
  /** Z step in `unit`. */
  spacing?: number;
  /** Frame interval in seconds. */
  finterval?: number;
}

/** tifffile's `{"shape": [...], "axes": "..."}` description. */
export interface IShapedInfo {
  shape: number[];
  axes?: string;
}

function positiveInt(s: string | undefined, fallback: number): number {
  const v = s === undefined ? NaN : Number(s);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** True if the description is an ImageJ header. */
export function isImageJ(description: string): boolean {
  return description.startsWith('ImageJ=');
}

/** ImageJ writes µ as the Java escape '\u00B5'; also accept 'micron'. */
function normaliseUnit(unit: string): string {
  const u = unit.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16))
  );
  return u === 'micron' || u === 'um' || u === 'microns' ? 'µm' : u;
}

/** Parse an ImageJ 'key=value' header; counts default to 1. */
export function parseImageJ(description: string): IImageJInfo {
  const kv = new Map<string, string>();
  for (const line of description.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) {
      kv.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    }
  }
  const num = (k: string): number | undefined => {
    const v = Number(kv.get(k));
    return kv.has(k) && Number.isFinite(v) ? v : undefined;
  };
  const channels = positiveInt(kv.get('channels'), 1);
  const slices = positiveInt(kv.get('slices'), 1);
  const frames = positiveInt(kv.get('frames'), 1);
  const info: IImageJInfo = {
    images: positiveInt(kv.get('images'), channels * slices * frames),
    channels,
    slices,
    frames
  };
  const unit = kv.get('unit');
  if (unit) {
    info.unit = normaliseUnit(unit);
  }
  const spacing = num('spacing');
  if (spacing !== undefined && spacing > 0) {
    info.spacing = spacing;
  }
  const finterval = num('finterval');
  if (finterval !== undefined && finterval > 0) {
    info.finterval = finterval;
  }
  return info;
}

/** Parse tifffile's JSON shaped description; undefined if it is not one. */
export function parseShaped(description: string): IShapedInfo | undefined {
  const d = description.trim();
  if (!d.startsWith('{') || !d.includes('"shape"')) {
    return undefined;
  }
  try {
    const v = JSON.parse(d) as { shape?: unknown; axes?: unknown };
    if (
      !Array.isArray(v.shape) ||
      !v.shape.every(s => Number.isInteger(s) && (s as number) >= 0)
    ) {
      return undefined;
    }
    const info: IShapedInfo = { shape: v.shape as number[] };
    if (typeof v.axes === 'string' && v.axes.length === v.shape.length) {
      info.axes = v.axes.toUpperCase();
    }
    return info;
  } catch {
    return undefined;
  }
}

/**
 * Map arbitrary axis letters (tifffile uses S, I, Q, ... as well) onto
 * 'TCZYX': S (samples) → C, other unknown letters take the first free one of
 * Z, T, C. Returns undefined if that cannot give distinct letters incl. Y, X.
 */
export function normaliseAxes(axes: string): string | undefined {
  const letters = axes.toUpperCase().split('');
  const used = new Set<string>();
  const out: (string | undefined)[] = letters.map(l => {
    const mapped = l === 'S' ? 'C' : l;
    if ('TCZYX'.includes(mapped) && !used.has(mapped)) {
      used.add(mapped);
      return mapped;
    }
    return undefined;
  });
  for (let i = 0; i < out.length; i++) {
    if (out[i] === undefined) {
      const free = ['Z', 'T', 'C'].find(l => !used.has(l));
      if (!free) {
        return undefined;
      }
      used.add(free);
      out[i] = free;
    }
  }
  const s = out.join('');
  return used.has('Y') && used.has('X') ? s : undefined;
}

/**
 * Axes for `n` leading (non-YX) dimensions when nothing says what they are:
 * the innermost is Z, then C, then T (the OME/bioimage.io 'TCZYX' order);
 * e.g. 1 → 'Z', 2 → 'CZ', 3 → 'TCZ'. Returns undefined for n > 3.
 */
export function guessLeadingAxes(n: number): string | undefined {
  return n <= 3 ? 'TCZ'.slice(3 - n) : undefined;
}
