/**
 * Loading a model package: find its description, parse it, and read the files
 * it references with their sha256 verified. Pure TypeScript (browser-safe);
 * see sources/node-open.ts for opening folders, zips and URLs from Node.
 */
import type { INDArray } from '../tensor/tensor';
import { readNpy } from '../tensor/npy';
import { parseDescription } from '../spec/description';
import type { IFileRef, IModelDescription } from '../spec/types';
import { IPackageReader, isHttpUrl } from './readers/reader';
import { sha256Hex } from './sha256';

import { HttpPackageReader } from './readers/http';

export type { IPackageReader } from './readers/reader';
export { ZipPackageReader } from './readers/zip';
export { HttpPackageReader } from './readers/http';

/** A file's bytes did not match the sha256 in the description. */
export class ChecksumError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
    where: string
  ) {
    super(
      `sha256 mismatch for '${file}' in ${where}: expected ${expected}, got ${actual}. ` +
        'The file is damaged or was changed after the description was written; ' +
        'download the model again, or ask its maintainers to update the hash.'
    );
    this.name = 'ChecksumError';
  }
}

/** A loaded model package. */
export interface IModelPackage {
  model: IModelDescription;
  /** The description's file name inside the package. */
  descriptionName: string;
  reader: IPackageReader;
  /** Read a referenced file; throws {@link ChecksumError} when its sha256 does not match. */
  readFile(ref: IFileRef): Promise<Uint8Array>;
  /** Read a referenced `.npy` tensor (test tensors), verified like {@link readFile}. */
  readTensor(ref: IFileRef): Promise<INDArray>;
}

/** Options of {@link loadModelPackage}. */
export interface ILoadOptions {
  /** Fetch for sources that are absolute URLs when the reader is a folder or zip. */
  fetch?: (url: string) => Promise<Response>;
}

export { sha256Hex } from './sha256';

const EXACT_NAMES = ['rdf.yaml', 'bioimageio.yaml', 'model.yaml'];
const SUFFIXES = ['.rdf.yaml', '.bioimageio.yaml', '.model.yaml'];

/**
 * The description among `names`, by the spec's priority: rdf.yaml,
 * bioimageio.yaml, model.yaml, then *.rdf.yaml, *.bioimageio.yaml,
 * *.model.yaml; alphabetical within each. Only top-level files count.
 */
export function findDescriptionName(names: string[]): string | undefined {
  const top = names.filter(n => !n.includes('/')).sort();
  for (const exact of EXACT_NAMES) {
    if (top.includes(exact)) {
      return exact;
    }
  }
  for (const suffix of SUFFIXES) {
    const match = top.find(n => n.endsWith(suffix));
    if (match) {
      return match;
    }
  }
  return undefined;
}

/**
 * Find, parse and validate the model description of a package.
 *
 * @param descriptionName the description file to use instead of searching for one.
 * @throws DescriptionError for invalid descriptions; Error when there is none,
 *   or when it describes something other than a model.
 */
export async function loadModelPackage(
  reader: IPackageReader,
  descriptionName?: string,
  opts: ILoadOptions = {}
): Promise<IModelPackage> {
  const where = reader.describe();
  const names = descriptionName === undefined ? await reader.list() : [];
  const name = descriptionName ?? findDescriptionName(names);
  if (!name) {
    throw new Error(
      `no model description in ${where}; expected rdf.yaml, bioimageio.yaml, model.yaml ` +
        `or a file ending in .rdf.yaml/.bioimageio.yaml/.model.yaml (found: ${names.join(', ') || 'no files'})`
    );
  }
  const text = new TextDecoder('utf-8').decode(await reader.read(name));
  const parsed = parseDescription(text, { source: `${where}: ${name}` });
  if (parsed.kind !== 'model') {
    throw new Error(
      `${name} in ${where} describes a ${parsed.resource.type}, not a model`
    );
  }
  const fetchRemote = opts.fetch ?? ((url: string) => fetch(url));

  const readRaw = async (source: string): Promise<Uint8Array> => {
    // The HTTP reader resolves absolute URLs itself; folders and zips cannot.
    if (!isHttpUrl(source) || reader instanceof HttpPackageReader) {
      return reader.read(source);
    }
    const response = await fetchRemote(source);
    if (!response.ok) {
      throw new Error(
        `could not download ${source}: HTTP ${response.status} ${response.statusText}`.trim()
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  };

  const readFile = async (ref: IFileRef): Promise<Uint8Array> => {
    const bytes = await readRaw(ref.source);
    if (ref.sha256) {
      const actual = await sha256Hex(bytes);
      if (actual !== ref.sha256.toLowerCase()) {
        throw new ChecksumError(
          ref.source,
          ref.sha256.toLowerCase(),
          actual,
          where
        );
      }
    }
    return bytes;
  };

  const readTensor = async (ref: IFileRef): Promise<INDArray> => {
    const bytes = await readFile(ref);
    try {
      return readNpy(bytes);
    } catch (e) {
      throw new Error(
        `cannot read tensor '${ref.source}' from ${where}: ${(e as Error).message}`
      );
    }
  };

  return {
    model: parsed.model,
    descriptionName: name,
    reader,
    readFile,
    readTensor
  };
}
