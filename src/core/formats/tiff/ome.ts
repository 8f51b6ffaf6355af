/**
 * OME-XML (the ImageDescription of an OME-TIFF) read with a streaming XML
 * parser (saxes). Regular expressions over the whole description went
 * quadratic on hostile or merely large headers (a 530 KB description took
 * over a minute); saxes is a linear, event-driven, well-formedness-checking
 * parser that needs no DOM, so it runs in workers and in Node. It expands no
 * DTD entities, so entity-expansion bombs cannot happen.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { IPhysicalSize, IQuantity } from '../types';

/** Largest description parsed as OME-XML (characters); larger ones are ignored with a warning. */
export const MAX_OME_XML_CHARS = 4 * 1024 * 1024;

/** One <TiffData> element: which IFDs hold which planes of an image. */
export interface IOmeTiffData {
  /** First IFD (page) index, default 0. */
  ifd: number;
  /** Number of consecutive IFDs; undefined = "the rest of the image" per the OME schema. */
  planeCount?: number;
  firstZ: number;
  firstC: number;
  firstT: number;
  /** <UUID FileName="…"> when the planes may live in another file of a set. */
  fileName?: string;
  /** The UUID text, compared with the root's UUID to tell "this file" from another. */
  uuid?: string;
}

/** What OME-XML says about one <Image> (series). */
export interface IOmeImage {
  /** The Image's Name attribute ('' if none). */
  name: string;
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
  tiffData: IOmeTiffData[];
}

/** What an OME-XML header says: the first image's fields plus every series. */
export interface IOmeInfo extends IOmeImage {
  /** Number of <Image> elements (series). */
  imageCount: number;
  /** Every <Image> that has a <Pixels> element, in file order (images[0] repeats the fields above). */
  images: IOmeImage[];
  /** UUID attribute of the root <OME> element, if any. */
  uuid?: string;
}

/** Result of reading OME-XML: the info, or a reason it was not used. */
export interface IOmeResult {
  ome?: IOmeInfo;
  /** Why the OME metadata was ignored (too large, not well-formed XML, no Pixels). */
  warning?: string;
}

/** True if the description looks like OME-XML (cheap: looks at the start only). */
export function isOmeXml(description: string): boolean {
  const head = description.slice(0, 4096);
  return /<(?:[\w.-]+:)?OME[\s>]/.test(head);
}

const localName = (name: string): string => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

function positiveInt(s: string | undefined, fallback: number): number {
  const v = s === undefined ? NaN : Number(s);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

function nonNegativeInt(s: string | undefined, fallback: number): number {
  const v = s === undefined ? NaN : Number(s);
  return Number.isInteger(v) && v >= 0 ? v : fallback;
}

function quantity(
  value: string | undefined,
  unit: string | undefined,
  defaultUnit: string
): IQuantity | undefined {
  const v = value === undefined ? NaN : Number(value);
  return Number.isFinite(v) && v > 0
    ? { value: v, unit: unit || defaultUnit }
    : undefined;
}

function imageFromPixels(name: string, p: Record<string, string>): IOmeImage {
  const order = (p.DimensionOrder ?? 'XYZCT').toUpperCase();
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
    name,
    dimensionOrder: /^XY[ZCT]{3}$/.test(order) ? order : 'XYZCT',
    sizes: {
      x: positiveInt(p.SizeX, 1),
      y: positiveInt(p.SizeY, 1),
      z: positiveInt(p.SizeZ, 1),
      c: positiveInt(p.SizeC, 1),
      t: positiveInt(p.SizeT, 1)
    },
    type: p.Type,
    channelNames: [],
    samplesPerPixel: 1,
    physicalSize,
    timeIncrement: quantity(p.TimeIncrement, p.TimeIncrementUnit, 's'),
    tiffData: []
  };
}

/**
 * Parse OME-XML: every <Image> with its <Pixels>, <Channel> and <TiffData>.
 * Linear in the description's length; never throws.
 */
export function readOmeXml(xml: string): IOmeResult {
  if (xml.length > MAX_OME_XML_CHARS) {
    return {
      warning:
        `The OME-XML metadata is ${xml.length} characters long, more than the ` +
        `${MAX_OME_XML_CHARS} the viewer reads; it is ignored and the pages are read as a plain TIFF.`
    };
  }
  const images: IOmeImage[] = [];
  let imageCount = 0;
  let rootUuid: string | undefined;
  // State of the element being read.
  let imageName: string | undefined;
  let image: IOmeImage | undefined;
  let channelCount = 0;
  let tiffData: IOmeTiffData | undefined;
  let inUuid = false;
  let uuidText = '';

  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const a = tag.attributes;
    switch (localName(tag.name)) {
      case 'OME':
        rootUuid = a.UUID;
        break;
      case 'Image':
        imageCount++;
        imageName = a.Name ?? '';
        image = undefined;
        channelCount = 0;
        break;
      case 'Pixels':
        if (imageName !== undefined && image === undefined) {
          image = imageFromPixels(imageName, a);
          images.push(image);
        }
        break;
      case 'Channel':
        if (image) {
          image.channelNames.push(a.Name ?? '');
          if (channelCount++ === 0) {
            image.samplesPerPixel = positiveInt(a.SamplesPerPixel, 1);
          }
        }
        break;
      case 'TiffData':
        if (image) {
          const pc = a.PlaneCount;
          tiffData = {
            ifd: nonNegativeInt(a.IFD, 0),
            // Per the OME schema, an IFD without PlaneCount means one plane, and
            // neither attribute means "all planes from IFD 0".
            planeCount:
              pc !== undefined
                ? nonNegativeInt(pc, 0)
                : a.IFD !== undefined
                  ? 1
                  : undefined,
            firstZ: nonNegativeInt(a.FirstZ, 0),
            firstC: nonNegativeInt(a.FirstC, 0),
            firstT: nonNegativeInt(a.FirstT, 0)
          };
          image.tiffData.push(tiffData);
        }
        break;
      case 'UUID':
        if (tiffData) {
          inUuid = true;
          uuidText = '';
          if (a.FileName !== undefined) {
            tiffData.fileName = a.FileName;
          }
        }
        break;
    }
  });
  parser.on('text', text => {
    if (inUuid) {
      uuidText += text;
    }
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    switch (localName(tag.name)) {
      case 'Image':
        imageName = undefined;
        image = undefined;
        break;
      case 'TiffData':
        tiffData = undefined;
        break;
      case 'UUID':
        if (inUuid && tiffData) {
          tiffData.uuid = uuidText.trim();
        }
        inUuid = false;
        break;
    }
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return {
      warning:
        `The OME-XML metadata is not well-formed XML (${msg}); it is ignored and the ` +
        'pages are read as a plain TIFF.'
    };
  }
  if (images.length === 0) {
    return {
      warning:
        'The OME-XML metadata has no <Image> with <Pixels>; the pages are read as a plain TIFF.'
    };
  }
  for (const im of images) {
    if (!im.channelNames.some(n => n !== '')) {
      im.channelNames = [];
    }
  }
  const ome: IOmeInfo = { ...images[0], imageCount, images };
  if (rootUuid !== undefined) {
    ome.uuid = rootUuid;
  }
  return { ome };
}

/**
 * Parse the OME-XML of an OME-TIFF; undefined if it cannot be used (see
 * `readOmeXml` for the reason).
 */
export function parseOmeXml(xml: string): IOmeInfo | undefined {
  return readOmeXml(xml).ome;
}
