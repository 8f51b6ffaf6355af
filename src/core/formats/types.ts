/**
 * Types shared by the image decoders: what a decoded image looks like and
 * what is known about it before any pixel is read.
 */
import type { DType, INDArray } from '../tensor/tensor';

/** A physical length: value and unit as the file states it (e.g. 0.25 'µm'). */
export interface IQuantity {
  value: number;
  unit: string;
}

/** Pixel / voxel size along the spatial axes, where the file says. */
export interface IPhysicalSize {
  x?: IQuantity;
  y?: IQuantity;
  z?: IQuantity;
}

/** The file format a decoder recognised. */
export type ImageFormat = 'tiff' | 'ome-tiff' | 'imagej-tiff' | 'npy' | 'png';

/**
 * A short, human-readable summary of where the layout and metadata came from,
 * shown in the viewer's info panel.
 */
export interface ISourceSummary {
  format: ImageFormat;
  /** Number of planes (IFDs) in a TIFF; 1 for NPY/PNG. */
  planeCount: number;
  /** TIFF compression name(s) in use, e.g. 'LZW'. */
  compression?: string;
  /** How the axes were decided, e.g. 'OME-XML DimensionOrder XYZCT'. */
  axesSource: string;
  /** First 2000 characters of the TIFF ImageDescription, if any. */
  description?: string;
  /** Non-fatal problems, e.g. pages of a different size that were skipped. */
  warnings: string[];
}

/** One series (OME <Image>) of a multi-series file, as its metadata describes it. */
export interface ISeriesInfo {
  /** Position among the file's series; pass it as `IDecodeOptions.series`. */
  index: number;
  /** The series' name ('' if it has none). */
  name: string;
  /** Shape and axes from the metadata (size-1 axes dropped, samples not split out). */
  shape: number[];
  axes: string;
  /** The metadata's pixel type, e.g. 'uint16'. */
  type?: string;
}

/**
 * A palette (PhotometricInterpretation 3) TIFF's colour map: entry i of each
 * list is the 16-bit red/green/blue of pixel value i. The pixels themselves
 * are the stored indices (often labels or measurements), not colours.
 */
export interface IColormap {
  red: number[];
  green: number[];
  blue: number[];
}

/**
 * Shape, dtype, axes and metadata of an image: everything known from the
 * header, before (or without) reading pixel data.
 */
export interface IImageInfo {
  /** Full array shape, C order, matching `axes` letter by letter. */
  shape: number[];
  dtype: DType;
  /**
   * One letter per dimension from 'TCZYX', in stored order (slowest first),
   * e.g. 'ZYX', 'CYX', 'TCZYX'; RGB samples appear as a trailing 'C' ('YXC').
   */
  axes: string;
  channelNames?: string[];
  physicalSize?: IPhysicalSize;
  /** Time between frames, where the file says. */
  timeIncrement?: IQuantity;
  /** Every series of a file with several (OME-TIFF); `seriesIndex` is the one decoded. */
  series?: ISeriesInfo[];
  seriesIndex?: number;
  /** The colour map of a palette TIFF. */
  colormap?: IColormap;
  source: ISourceSummary;
}

/** A fully decoded image: its info plus the pixel array. */
export interface IDecodedImage extends IImageInfo {
  /** The pixels, C order, shape equal to `shape`. */
  array: INDArray;
}

/** Options for decoding. */
export interface IDecodeOptions {
  /**
   * Largest decoded size in bytes that may be allocated (default 1 GiB).
   * Checked against the header before any pixel buffer is allocated.
   */
  maxBytes?: number;
  /** Explicit axes (e.g. 'CYX'), overriding the guess; NPY only. */
  axes?: string;
  /** Which series (OME <Image>) of a multi-series OME-TIFF to read; default 0. */
  series?: number;
}

/** Index of one plane along the non-YX axes; missing axes default to 0. */
export interface IPlaneIndex {
  t?: number;
  c?: number;
  z?: number;
}

/**
 * An opened image whose planes can be read one at a time, so a large stack
 * never has to be decoded in full.
 */
export interface IImageSource {
  info: IImageInfo;
  /**
   * Number of planes: product of the sizes of all axes except Y, X and a
   * trailing sample axis C.
   */
  planeCount: number;
  /**
   * Read one plane (YX, or YXC for interleaved RGB) by flat index in
   * [0, planeCount) or by (t, c, z).
   */
  readPlane(index: number | IPlaneIndex): Promise<INDArray>;
  /** Read everything (respects the size limit). */
  readAll(): Promise<IDecodedImage>;
}

/** Default decoded-size limit: 1 GiB. */
export const DEFAULT_MAX_BYTES = 1024 ** 3;
