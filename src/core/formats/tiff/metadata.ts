/**
 * Parsers for the three ImageDescription dialects microscopy TIFFs use to say
 * how their pages form a hyperstack: OME-XML, ImageJ's key=value header and
 * tifffile's JSON "shaped" description. Pure string work (no DOMParser, which
 * does not exist in Node or workers).
 */
import type { IPhysicalSize, IQuantity } from '../types';

/** What an OME-XML header says about the first image (series). */
export interface IOmeInfo {
  /** e.g. 'XYZCT': X fastest, T slowest. */
  dimensionOrder: string;
  sizes: { x: number; y: number; z: number; c: number; t: number };
  /** OME pixel type, e.g. 'uint16', 'float'. */
  type?: string;
  channelNames: string[];
  /** SamplesPerPixel of the first channel (RGB OME files say 3). */
  samplesPerPixel: number;
  physicalSize: IPhysicalSize;
  timeIncrement?: IQuantity;
  /** Number of <Image> elements (series); only the first is decoded. */
  imageCount: number;
}

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

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'"
};

/** Decode XML character and entity references. */
function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, ref: string) => {
    if (ref.startsWith('#x')) {
      return String.fromCodePoint(parseInt(ref.slice(2), 16));
    }
    if (ref.startsWith('#')) {
      return String.fromCodePoint(parseInt(ref.slice(1), 10));
    }
    return ENTITIES[ref] ?? m;
  });
}

/** Attributes of the first start tag named `tag` (namespace prefixes ignored) in `xml`. */
function attributesOf(
  xml: string,
  tag: string
): Record<string, string> | undefined {
  const re = new RegExp(`<(?:[\\w.-]+:)?${tag}\\b([^>]*)>`);
  const m = re.exec(xml);
  return m ? parseAttributes(m[1]) : undefined;
}

function parseAttributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    out[m[1]] = unescapeXml(m[3] ?? m[4] ?? '');
  }
  return out;
}

function positiveInt(s: string | undefined, fallback: number): number {
  const v = s === undefined ? NaN : Number(s);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

function quantity(
  value: string | undefined,
  unit: string | undefined,
  defaultUnit: string
) {
  const v = value === undefined ? NaN : Number(value);
  return Number.isFinite(v) && v > 0
    ? { value: v, unit: unit || defaultUnit }
    : undefined;
}

/** True if the description looks like OME-XML. */
export function isOmeXml(description: string): boolean {
  return (
    /<(?:[\w.-]+:)?OME[\s>]/.test(description.slice(0, 4096)) &&
    /<(?:[\w.-]+:)?Pixels\b/.test(description)
  );
}

/**
 * Parse the first image's <Pixels> and <Channel> elements of an OME-XML
 * description. Returns undefined if there is no Pixels element.
 */
export function parseOmeXml(xml: string): IOmeInfo | undefined {
  const imageStart = xml.search(/<(?:[\w.-]+:)?Image[\s>]/);
  if (imageStart < 0) {
    return undefined;
  }
  // Restrict to the first <Image>…</Image> so later series do not leak in.
  const rest = xml.slice(imageStart);
  const end = rest.search(/<\/(?:[\w.-]+:)?Image>/);
  const image = end >= 0 ? rest.slice(0, end) : rest;
  const p = attributesOf(image, 'Pixels');
  if (!p) {
    return undefined;
  }
  const order = (p.DimensionOrder ?? 'XYZCT').toUpperCase();
  const channelNames: string[] = [];
  let samplesPerPixel = 1;
  const chRe = /<(?:[\w.-]+:)?Channel\b([^>]*)>/g;
  let m: RegExpExecArray | null;
  let first = true;
  while ((m = chRe.exec(image)) !== null) {
    const a = parseAttributes(m[1]);
    channelNames.push(a.Name ?? '');
    if (first) {
      samplesPerPixel = positiveInt(a.SamplesPerPixel, 1);
      first = false;
    }
  }
  const physicalSize: IPhysicalSize = {};
  // OME's default length unit is the micrometre, default time unit the second.
  const x = quantity(p.PhysicalSizeX, p.PhysicalSizeXUnit, 'µm');
  const y = quantity(p.PhysicalSizeY, p.PhysicalSizeYUnit, 'µm');
  const z = quantity(p.PhysicalSizeZ, p.PhysicalSizeZUnit, 'µm');
  if (x) {
    physicalSize.x = x;
  }
  if (y) {
    physicalSize.y = y;
  }
  if (z) {
    physicalSize.z = z;
  }
  return {
    dimensionOrder: /^XY[ZCT]{3}$/.test(order) ? order : 'XYZCT',
    sizes: {
      x: positiveInt(p.SizeX, 1),
      y: positiveInt(p.SizeY, 1),
      z: positiveInt(p.SizeZ, 1),
      c: positiveInt(p.SizeC, 1),
      t: positiveInt(p.SizeT, 1)
    },
    type: p.Type,
    channelNames: channelNames.some(n => n !== '') ? channelNames : [],
    samplesPerPixel,
    physicalSize,
    timeIncrement: quantity(p.TimeIncrement, p.TimeIncrementUnit, 's'),
    imageCount: (xml.match(/<(?:[\w.-]+:)?Image[\s>]/g) ?? []).length
  };
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
