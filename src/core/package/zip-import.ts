/**
 * Checking a `.zip` model package before it is imported into the workspace.
 * Everything is decided in memory, before a single file is written: entry
 * names that would leave the package folder, archives that unpack to absurd
 * sizes (zip bombs), a missing or invalid description, files missing from the
 * zip, and every sha256 the description lists. Pure TypeScript (no
 * JupyterLab imports), so jest runs it under Node.
 */
import { parseDescription } from '../spec/description';
import { findDescriptionName } from './package';
import { packageFiles, testFiles } from './files';
import { sha256Hex } from './sha256';
import { isHttpUrl, normalizeRelativePath } from './readers/reader';
import { IZipEntry, ZipPackageReader } from './readers/zip';
import { formatBytes } from './transfer';
import type { IModelDescription } from '../spec/types';

/** Limits of an import. */
export interface IZipImportLimits {
  /** Most bytes the package may unpack to (the sum its entries declare), and the largest zip file. */
  maxTotalBytes: number;
  /** Most entries (files and folders) in the zip. */
  maxEntries: number;
}

/** 1 GiB and 10 000 entries: far above any bioimage.io package, far below a zip bomb. */
export const DEFAULT_ZIP_LIMITS: IZipImportLimits = {
  maxTotalBytes: 1024 ** 3,
  maxEntries: 10000
};

/** What is wrong with a zip that cannot be imported. */
export type ZipImportProblem =
  | 'not-zip'
  | 'unsafe-path'
  | 'too-large'
  | 'too-many-files'
  | 'unsupported'
  | 'damaged'
  | 'no-description'
  | 'invalid-description'
  | 'not-a-model'
  | 'missing-file'
  | 'checksum';

/** A zip refused by the checks; `message` says what is wrong and what to do. */
export class ZipImportError extends Error {
  constructor(
    readonly problem: ZipImportProblem,
    message: string,
    readonly details: {
      file?: string;
      expected?: string;
      actual?: string;
      bytes?: number;
    } = {}
  ) {
    super(message);
    this.name = 'ZipImportError';
  }
}

/** A zip that passed every check, unpacked in memory. */
export interface IZipModelPackage {
  model: IModelDescription;
  /** The description's path inside the package (top level). */
  descriptionName: string;
  /** Every file of the package by path inside it (a single top folder and macOS junk removed). */
  files: Record<string, Uint8Array>;
  /** Sum of the file sizes. */
  totalBytes: number;
  /** Files whose sha256 matched the one in the description. */
  verified: string[];
  /** Non-fatal findings (e.g. a cover the description names is not in the zip). */
  warnings: string[];
  /** A safe folder name for the package: its id, else its name. */
  folderName: string;
}

const NOTHING = 'Nothing was written.';

/** Why an entry name is unsafe to extract, or null when it is fine. */
export function unsafeEntryReason(name: string): string | null {
  if (name.includes('\0')) {
    return 'contains a NUL character';
  }
  if (/^[/\\]/.test(name) || /^[A-Za-z]:/.test(name)) {
    return 'is an absolute path';
  }
  if (name.split(/[/\\]/).some(part => part === '..')) {
    return "climbs out of the package with '..'";
  }
  return null;
}

/** Whether a package path is hidden: one of its parts starts with a dot (`.git/config`, `a/.keep`). */
export function isHiddenPath(path: string): boolean {
  return path.split('/').some(part => part.startsWith('.'));
}

/** A folder name for the package: letters, digits, `.`, `_` and `-` only. */
export function safeFolderName(model: IModelDescription): string {
  const raw = (model.id || model.name || 'model').trim();
  const safe = raw
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 80)
    .replace(/[._-]+$/, '');
  return safe || 'model';
}

/**
 * Check and unpack a model package zip in memory.
 *
 * @param bytes the zip file.
 * @param name its file name, for messages.
 * @throws ZipImportError when anything is wrong; nothing has been written then.
 */
export async function readModelZip(
  bytes: Uint8Array,
  name: string,
  limits: IZipImportLimits = DEFAULT_ZIP_LIMITS
): Promise<IZipModelPackage> {
  if (bytes.length > limits.maxTotalBytes) {
    throw tooLarge(name, bytes.length, limits, 'The zip file itself is');
  }
  const reader = new ZipPackageReader(bytes, name);
  let entries: IZipEntry[];
  try {
    entries = reader.entries();
  } catch (error) {
    throw new ZipImportError(
      'not-zip',
      `${name} is not a readable zip file (${(error as Error).message.replace(/^.*not a readable zip file: /, '')}). ` +
        'Pick a model package zip, e.g. one downloaded from bioimage.io (it holds rdf.yaml or bioimageio.yaml and the files it names). ' +
        NOTHING
    );
  }

  // 1. Names and sizes, from the central directory, before inflating anything.
  if (entries.length > limits.maxEntries) {
    throw new ZipImportError(
      'too-many-files',
      `Refused ${name}: it has ${entries.length} entries, more than the import limit of ${limits.maxEntries}. ` +
        'A model package has a few dozen files; this zip is damaged or is not a model package. ' +
        NOTHING
    );
  }
  for (const entry of entries) {
    const reason = unsafeEntryReason(entry.name);
    if (reason) {
      throw new ZipImportError(
        'unsafe-path',
        `Refused ${name}: the entry '${entry.name}' ${reason}, so it would be written outside the package folder (path traversal). ` +
          'Only import zips from sources you trust; a genuine package has paths such as weights.onnx. ' +
          NOTHING,
        { file: entry.name }
      );
    }
  }
  const files = entries.filter(e => e.path !== null);
  let declared = 0;
  for (const entry of files) {
    if (entry.compression !== 0 && entry.compression !== 8) {
      throw new ZipImportError(
        'unsupported',
        `${name}: '${entry.path}' uses zip compression method ${entry.compression}, which cannot be read here. ` +
          'Re-create the zip with standard (deflate) compression, or unpack it and add the folder as a source. ' +
          NOTHING,
        { file: entry.path! }
      );
    }
    if (entry.compression === 0 && entry.size !== entry.originalSize) {
      throw damaged(name, entry.path!, 'its stored and declared sizes differ');
    }
    declared += entry.originalSize;
  }
  if (declared > limits.maxTotalBytes) {
    throw tooLarge(name, declared, limits, 'It would unpack to');
  }

  // 2. The description.
  const names = files.map(e => e.path!);
  const descriptionName = findDescriptionName(names);
  if (!descriptionName) {
    const shown = names.slice(0, 8).join(', ');
    throw new ZipImportError(
      'no-description',
      `${name} holds no model description: expected rdf.yaml, bioimageio.yaml or a file ending in .bioimageio.yaml at its top level ` +
        `(found: ${shown || 'no files'}${names.length > 8 ? ', …' : ''}). ` +
        'Zip the package folder itself, with the description next to the weights. ' +
        NOTHING
    );
  }

  // 3. Inflate; every file must have the size it declared.
  let contents: Record<string, Uint8Array>;
  try {
    contents = reader.readAll();
  } catch (error) {
    throw damaged(name, '', (error as Error).message);
  }
  for (const entry of files) {
    const data = contents[entry.path!];
    if (!data || data.length !== entry.originalSize) {
      throw damaged(
        name,
        entry.path!,
        `it unpacked to ${data?.length ?? 0} bytes instead of the ${entry.originalSize} it declares`
      );
    }
  }

  let model: IModelDescription;
  try {
    const text = new TextDecoder('utf-8').decode(contents[descriptionName]);
    const parsed = parseDescription(text, {
      source: `${name}: ${descriptionName}`
    });
    if (parsed.kind !== 'model') {
      throw new ZipImportError(
        'not-a-model',
        `${descriptionName} in ${name} describes a ${parsed.resource.type}, not a model; only model packages can be imported into the zoo. ` +
          NOTHING
      );
    }
    model = parsed.model;
  } catch (error) {
    if (error instanceof ZipImportError) {
      throw error;
    }
    throw new ZipImportError(
      'invalid-description',
      `${descriptionName} in ${name} is not a valid model description: ${(error as Error).message}. ` +
        'Fix the description (or export the package again) and retry. ' +
        NOTHING
    );
  }

  // 4. Every file the description names stays inside the package; the ones
  // a run and its test need must be there; every file there with a sha256
  // must match it. Other missing files (weights in another format, covers)
  // are reported, as the card's download skips them.
  const required = new Set(testFiles(model).map(r => r.source));
  if (model.documentation) {
    required.add(model.documentation);
  }
  const verified: string[] = [];
  const warnings: string[] = [];
  const missing = new Set<string>();
  for (const ref of packageFiles(model)) {
    if (isHttpUrl(ref.source)) {
      continue;
    }
    let path: string;
    try {
      path = normalizeRelativePath(ref.source);
    } catch (error) {
      throw new ZipImportError(
        'unsafe-path',
        `Refused ${name}: ${descriptionName} names the file ${(error as Error).message}. ${NOTHING}`,
        { file: ref.source }
      );
    }
    const data = contents[path];
    if (!data) {
      if (required.has(ref.source)) {
        throw new ZipImportError(
          'missing-file',
          `${name} is incomplete: ${descriptionName} lists '${ref.source}', which is not in the zip. ` +
            'Download the complete package again. ' +
            NOTHING,
          { file: ref.source }
        );
      }
      missing.add(ref.source);
      warnings.push(
        `${descriptionName} names '${ref.source}', which is not in the zip`
      );
      continue;
    }
    if (ref.sha256) {
      const expected = ref.sha256.toLowerCase();
      const actual = await sha256Hex(data);
      if (actual !== expected) {
        throw new ZipImportError(
          'checksum',
          `Refused ${name}: '${ref.source}' does not match the sha256 in ${descriptionName} ` +
            `(expected ${expected}, got ${actual}). The file was changed or damaged after the package was made. ` +
            'Download the package again from its source. ' +
            NOTHING,
          { file: ref.source, expected, actual }
        );
      }
      verified.push(path);
    }
  }
  if (
    model.weights.length &&
    model.weights.every(w => !isHttpUrl(w.source) && missing.has(w.source))
  ) {
    throw new ZipImportError(
      'missing-file',
      `${name} is incomplete: none of the weights files ${descriptionName} lists ` +
        `(${model.weights.map(w => w.source).join(', ')}) is in the zip. Download the complete package again. ` +
        NOTHING,
      { file: model.weights[0].source }
    );
  }

  // 5. Hidden files (a path part starting with '.': .gitignore, .ipynb_checkpoints/,
  // .git/...) are not part of a model unless the description names them, and
  // Jupyter refuses to write them into the workspace: skipped with a note.
  const referenced = new Set<string>([descriptionName]);
  for (const ref of packageFiles(model)) {
    if (!isHttpUrl(ref.source)) {
      referenced.add(normalizeRelativePath(ref.source));
    }
  }
  const hidden = Object.keys(contents).filter(isHiddenPath);
  const skipped = hidden.filter(path => !referenced.has(path)).sort();
  for (const path of skipped) {
    delete contents[path];
  }
  if (skipped.length) {
    const shown = skipped.slice(0, 5).join(', ');
    warnings.push(
      `skipped ${skipped.length} hidden file${skipped.length === 1 ? '' : 's'} that ${descriptionName} does not name ` +
        `(${shown}${skipped.length > 5 ? ', …' : ''}): they are not part of the model, and Jupyter does not write hidden files`
    );
  }
  const kept = hidden.filter(path => referenced.has(path));
  if (kept.length) {
    warnings.push(
      `${descriptionName} names the hidden file${kept.length === 1 ? '' : 's'} ${kept.join(', ')}; ` +
        'if writing fails, start Jupyter with --ContentsManager.allow_hidden=True or rename the file in the package'
    );
  }

  const totalBytes = Object.values(contents).reduce((n, b) => n + b.length, 0);
  return {
    model,
    descriptionName,
    files: contents,
    totalBytes,
    verified,
    warnings,
    folderName: safeFolderName(model)
  };
}

function tooLarge(
  name: string,
  bytes: number,
  limits: IZipImportLimits,
  what: string
): ZipImportError {
  return new ZipImportError(
    'too-large',
    `Refused ${name}: ${what} ${formatBytes(bytes)}, more than the import limit of ${formatBytes(limits.maxTotalBytes)} ` +
      '(a damaged zip, or a zip bomb). If the package really is that large, raise the setting ' +
      "'Largest model zip to import', or unpack it yourself and add the folder as a source. " +
      NOTHING,
    { bytes }
  );
}

function damaged(name: string, file: string, why: string): ZipImportError {
  return new ZipImportError(
    'damaged',
    `${name} is damaged${file ? `: '${file}' ${why}` : ` (${why})`}. Download the package again. ${NOTHING}`,
    file ? { file } : {}
  );
}
