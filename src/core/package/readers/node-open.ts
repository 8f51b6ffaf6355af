/**
 * Open a model package from a location string in Node (CLI, tests): a
 * folder, a .zip file, a description file, or an http(s) URL of either.
 */
import { readFile, stat } from 'fs/promises';
import * as path from 'path';
import { IModelPackage, loadModelPackage } from '../package';
import { HttpPackageReader } from './http';
import { FolderPackageReader } from './node-folder';
import { isHttpUrl } from './reader';
import { ZipPackageReader } from './zip';

/**
 * Open and validate the model package at `location`.
 *
 * @throws Error when the location does not exist or holds no model description;
 *   DescriptionError when the description is invalid.
 */
export async function openModelPackage(
  location: string
): Promise<IModelPackage> {
  if (isHttpUrl(location)) {
    const url = new URL(location);
    if (url.pathname.toLowerCase().endsWith('.zip')) {
      const response = await fetch(location);
      if (!response.ok) {
        throw new Error(
          `could not download ${location}: HTTP ${response.status} ${response.statusText}`.trim()
        );
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      return loadModelPackage(new ZipPackageReader(bytes, location));
    }
    const name = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    return loadModelPackage(new HttpPackageReader(location), name);
  }
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new Error(
      `'${location}' does not exist; give a model folder, a .zip file, a description file or a URL`
    );
  }
  if (info.isDirectory()) {
    return loadModelPackage(new FolderPackageReader(location));
  }
  if (location.toLowerCase().endsWith('.zip')) {
    const buffer = await readFile(location);
    const bytes = new Uint8Array(
      buffer.buffer,
      buffer.byteOffset,
      buffer.byteLength
    );
    return loadModelPackage(
      new ZipPackageReader(bytes, path.basename(location))
    );
  }
  return loadModelPackage(
    new FolderPackageReader(path.dirname(location)),
    path.basename(location)
  );
}
