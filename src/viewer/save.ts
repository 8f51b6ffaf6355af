/**
 * Saving from the viewer: the current view as PNG, an image or overlay as
 * TIFF with its axes, next to the image.
 */
import { PathExt } from '@jupyterlab/coreutils';

import type { IImageSource } from '../core/formats';
import { encodeTiff } from '../core/formats';

/** File name stem without image extensions: 'a/b.ome.tif' → 'b'. */
export function stemOf(name: string): string {
  return PathExt.basename(name).replace(
    /(\.ome)?\.(tiff?|npy|png|jpe?g)$/i,
    ''
  );
}

/** Encode a whole source as TIFF (ImageJ when the dtype allows, else OME). */
export async function sourceToTiff(source: IImageSource): Promise<Uint8Array> {
  const image = await source.readAll();
  return encodeTiff(image.array, image.axes, {
    physicalSize: image.physicalSize,
    channelNames: image.channelNames,
    timeIncrement: image.timeIncrement
  });
}

/** Bytes of a Blob. */
export async function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}
