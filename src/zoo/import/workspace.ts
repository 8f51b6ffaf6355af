/**
 * Importing a `.zip` model package into the workspace: read the zip (a
 * workspace file or a file dropped from the computer), check it completely
 * in memory (zip-import.ts), then write it as a folder under
 * `bioimage-models/` in one step (workspace-files.ts). A folder that already
 * holds a different package is never overwritten: the next free name is used.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';

import { readFileBytes } from '../../jupyter/files';
import type { IModelDescription } from '../../core/spec/types';
import { formatBytes } from '../../core/package/transfer';
import { listTree, stat, writeFolder } from '../workspace-files';
import {
  DEFAULT_ZIP_LIMITS,
  IZipImportLimits,
  IZipModelPackage,
  readModelZip,
  ZipImportError
} from '../../core/package/zip-import';

/** Where the zip comes from. */
export type ZipSource =
  { kind: 'path'; path: string } | { kind: 'file'; file: Blob; name: string };

/** An imported package. */
export interface IImportedPackage {
  /** The workspace folder holding it (the user source to add). */
  folder: string;
  /** Path of its description. */
  description: string;
  model: IModelDescription;
  /** The folder already held this very package: nothing was written. */
  reused: boolean;
  /** Folders that were skipped because they hold another package. */
  skipped: string[];
  /** Files written (0 when reused) and their total size. */
  files: number;
  bytes: number;
  /** Files whose sha256 was verified. */
  verified: number;
  warnings: string[];
}

/** Options of {@link importModelZip}. */
export interface IImportOptions {
  /** Folder the packages go in. */
  root?: string;
  limits?: IZipImportLimits;
}

/** Default folder of imported (and downloaded) packages. */
export const PACKAGES_ROOT = 'bioimage-models';

/** The display name of a source. */
export function sourceName(source: ZipSource): string {
  return source.kind === 'path' ? PathExt.basename(source.path) : source.name;
}

async function readSource(
  contents: Contents.IManager,
  source: ZipSource,
  limits: IZipImportLimits
): Promise<Uint8Array> {
  const name = sourceName(source);
  const size =
    source.kind === 'file'
      ? source.file.size
      : await (async () => {
          const model = await stat(contents, source.path);
          if (!model) {
            throw new ZipImportError(
              'not-zip',
              `${source.path} does not exist (any more). Nothing was written.`
            );
          }
          if (model.type === 'directory') {
            throw new ZipImportError(
              'not-zip',
              `${source.path} is a folder, not a zip file. Add it with "Add Model Zoo Source…" (a workspace folder) instead. Nothing was written.`
            );
          }
          return model.size ?? 0;
        })();
  if (size > limits.maxTotalBytes) {
    throw new ZipImportError(
      'too-large',
      `Refused ${name}: the zip file is ${formatBytes(size)}, more than the import limit of ${formatBytes(limits.maxTotalBytes)}. ` +
        "Raise the setting 'Largest model zip to import', or unpack it yourself and add the folder as a source. Nothing was written.",
      { bytes: size }
    );
  }
  if (source.kind === 'file') {
    return new Uint8Array(await source.file.arrayBuffer());
  }
  return readFileBytes(contents, source.path);
}

/** Whether `folder` already holds exactly these files with this description. */
async function holdsSamePackage(
  contents: Contents.IManager,
  folder: string,
  pkg: IZipModelPackage
): Promise<boolean> {
  const existing = await listTree(contents, folder);
  const names = Object.keys(pkg.files);
  if (
    existing.size !== names.length ||
    names.some(n => existing.get(n) !== pkg.files[n].length)
  ) {
    return false;
  }
  const theirs = await readFileBytes(
    contents,
    `${folder}/${pkg.descriptionName}`
  );
  const ours = pkg.files[pkg.descriptionName];
  return theirs.length === ours.length && theirs.every((b, i) => b === ours[i]);
}

/**
 * Check a zip model package and write it into `<root>/<id or name>/`.
 * Throws {@link ZipImportError} (or an error of the file system) with a
 * message for the user; nothing is left in the workspace then.
 */
export async function importModelZip(
  contents: Contents.IManager,
  source: ZipSource,
  options: IImportOptions = {}
): Promise<IImportedPackage> {
  const limits = options.limits ?? DEFAULT_ZIP_LIMITS;
  const root = (options.root ?? PACKAGES_ROOT).replace(/^\/+|\/+$/g, '');
  const name = sourceName(source);
  const bytes = await readSource(contents, source, limits);
  const pkg = await readModelZip(bytes, name, limits);

  const base = root ? `${root}/${pkg.folderName}` : pkg.folderName;
  const skipped: string[] = [];
  for (let n = 1; n <= 100; n++) {
    const folder = n === 1 ? base : `${base}-${n}`;
    const found = await stat(contents, folder);
    const result = {
      folder,
      description: `${folder}/${pkg.descriptionName}`,
      model: pkg.model,
      skipped,
      verified: pkg.verified.length,
      warnings: pkg.warnings
    };
    if (!found) {
      try {
        await writeFolder(contents, folder, pkg.files);
      } catch (error) {
        throw new Error(
          `Could not write ${name} into ${folder}: ${(error as Error).message}. Nothing was kept.`
        );
      }
      return {
        ...result,
        reused: false,
        files: Object.keys(pkg.files).length,
        bytes: pkg.totalBytes
      };
    }
    if (
      found.type === 'directory' &&
      (await holdsSamePackage(contents, folder, pkg))
    ) {
      return { ...result, reused: true, files: 0, bytes: 0 };
    }
    skipped.push(folder);
  }
  throw new Error(
    `Could not import ${name}: ${base} and the next 99 folder names are all taken by other packages. Nothing was written.`
  );
}
