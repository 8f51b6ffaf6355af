/**
 * Plane addressing shared by all image sources: a plane is the YX image (plus a
 * trailing sample/channel axis for interleaved RGB) at one position of the
 * remaining ("leading") axes.
 */
import { allocate, type INDArray, sizeOf, stridesOf } from '../tensor/tensor';
import { DecodeError } from './errors';
import type {
  IDecodedImage,
  IImageInfo,
  IImageSource,
  IPlaneIndex
} from './types';

/**
 * Split axes into the plane part and the leading part. The plane is 'YX', or
 * 'YXC' when C directly follows X (interleaved samples); everything else leads.
 */
export function planeAxes(axes: string): { plane: string; leading: string } {
  const plane = axes.endsWith('YXC') ? 'YXC' : 'YX';
  return {
    plane,
    leading: axes
      .split('')
      .filter(l => !plane.includes(l))
      .join('')
  };
}

/** Sizes of the leading axes of an image, in axes order. */
function leadingSizes(info: IImageInfo): { letters: string; sizes: number[] } {
  const { leading } = planeAxes(info.axes);
  return {
    letters: leading,
    sizes: leading.split('').map(l => info.shape[info.axes.indexOf(l)])
  };
}

/** Number of planes of an image. */
export function planeCountOf(info: IImageInfo): number {
  return sizeOf(leadingSizes(info).sizes);
}

/**
 * Flat plane index (C order over the leading axes) of a (t, c, z) position,
 * or the given number after a bounds check.
 */
export function planeIndexOf(
  info: IImageInfo,
  index: number | IPlaneIndex
): number {
  const { letters, sizes } = leadingSizes(info);
  const count = sizeOf(sizes);
  let flat = 0;
  if (typeof index === 'number') {
    flat = index;
  } else {
    const strides = stridesOf(sizes);
    const pos: Record<string, number | undefined> = {
      T: index.t,
      C: index.c,
      Z: index.z
    };
    letters.split('').forEach((l, k) => {
      const v = pos[l] ?? 0;
      if (!Number.isInteger(v) || v < 0 || v >= sizes[k]) {
        throw new DecodeError(
          'bad-argument',
          `${l.toLowerCase()}=${v} is outside 0…${sizes[k] - 1}.`
        );
      }
      flat += v * strides[k];
    });
  }
  if (!Number.isInteger(flat) || flat < 0 || flat >= count) {
    throw new DecodeError(
      'bad-argument',
      `Plane ${flat} is outside 0…${count - 1}.`
    );
  }
  return flat;
}

/**
 * Copy one plane out of an in-memory array whose axes may be in any order
 * (e.g. NPY 'YXZ'): the result has the axes of `planeAxes(axes).plane`.
 */
export function extractPlane(
  array: INDArray,
  axes: string,
  flat: number
): INDArray {
  const { plane, leading } = planeAxes(axes);
  const strides = stridesOf(array.shape);
  const leadSizes = leading.split('').map(l => array.shape[axes.indexOf(l)]);
  const leadStrides = stridesOf(leadSizes);
  let base = 0;
  leading.split('').forEach((l, k) => {
    const i = Math.floor(flat / leadStrides[k]) % leadSizes[k];
    base += i * strides[axes.indexOf(l)];
  });
  const outShape = plane.split('').map(l => array.shape[axes.indexOf(l)]);
  const ys = strides[axes.indexOf('Y')];
  const xs = strides[axes.indexOf('X')];
  const h = outShape[0];
  const w = outShape[1];
  const ns = plane.length === 3 ? outShape[2] : 1;
  const cs = plane.length === 3 ? strides[axes.indexOf('C')] : 0;
  const src = array.data;
  const out = allocate(array.dtype, h * w * ns);
  // Contiguous fast path: the plane is the array's innermost block.
  if (xs === ns && ys === w * ns && (ns === 1 || cs === 1)) {
    out.set(src.subarray(base, base + out.length) as never);
    return { dtype: array.dtype, shape: outShape, data: out };
  }
  const dst = out as unknown as { [i: number]: number | bigint };
  const s = src as unknown as { [i: number]: number | bigint };
  let o = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = base + y * ys + x * xs;
      for (let c = 0; c < ns; c++) {
        dst[o++] = s[p + c * cs];
      }
    }
  }
  return { dtype: array.dtype, shape: outShape, data: out };
}

/** An image source over an array already in memory (NPY, PNG). */
export function memorySource(image: IDecodedImage): IImageSource {
  const info: IImageInfo = { ...image };
  delete (info as Partial<IDecodedImage>).array;
  return {
    info,
    planeCount: planeCountOf(image),
    readPlane: async index =>
      extractPlane(image.array, image.axes, planeIndexOf(image, index)),
    readAll: async () => image
  };
}
