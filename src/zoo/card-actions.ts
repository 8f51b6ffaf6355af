/**
 * What the model card's buttons do: gather a package's files through the
 * server cache (sha256-verified), test the model in the inference worker,
 * save the package into the workspace, and run it on an image.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';

import type { IInferenceService } from '../tokens';
import { runsInBrowserStatic } from './browser-support';
import type { IZooFetcher } from './catalog-sources/fetcher';
import { ZooFetchError } from './catalog-sources/fetcher';
import type { ICatalogEntry, ITestStatus } from './catalog-types';
import { sha256Hex } from './sha256';
import { isHttpUrl, normalizeRelativePath } from './sources/reader';
import type { IFileRef, IModelDescription } from './types';

/** A file refused because its bytes do not match the sha256 the description lists. */
export class RefusedFileError extends Error {
  constructor(
    readonly file: string,
    detail: string
  ) {
    super(
      `Refused '${file}': its sha256 does not match the one in the description (${detail}). ` +
        'The file was changed or damaged after the model was published; nothing was saved.'
    );
    this.name = 'RefusedFileError';
  }
}

/** The description's file name (e.g. `rdf.yaml`). */
export function descriptionName(entry: ICatalogEntry): string {
  const loc = entry.location;
  const raw = loc.kind === 'remote' ? new URL(loc.url).pathname : loc.path;
  return decodeURIComponent(PathExt.basename(raw)) || 'rdf.yaml';
}

/** Files a test needs: ONNX weights (+ external data) and the test tensors. */
export function testFiles(model: IModelDescription): IFileRef[] {
  const onnx = runsInBrowserStatic(model).onnx;
  const refs: IFileRef[] = [];
  if (onnx) {
    refs.push(onnx);
    if (onnx.externalData) {
      refs.push(onnx.externalData);
    }
  }
  for (const t of [...model.inputs, ...model.outputs]) {
    if (t.testTensor) {
      refs.push(t.testTensor);
    }
  }
  return refs;
}

/** Every file of the package: weights, tensors, covers, documentation, attachments. */
export function packageFiles(model: IModelDescription): IFileRef[] {
  const refs: IFileRef[] = [...model.weights];
  for (const w of model.weights) {
    if (w.externalData) {
      refs.push(w.externalData);
    }
  }
  for (const t of [...model.inputs, ...model.outputs]) {
    for (const ref of [t.testTensor, t.sampleTensor]) {
      if (ref) {
        refs.push(ref);
      }
    }
  }
  refs.push(...model.attachments);
  for (const source of [...model.covers, model.documentation]) {
    if (source) {
      refs.push({ source });
    }
  }
  const seen = new Set<string>();
  return refs.filter(r => !seen.has(r.source) && (seen.add(r.source), true));
}

/**
 * Read files of a package, verifying each sha256 (the server verifies remote
 * files too). Keys are the sources as written in the description.
 */
export async function readPackage(
  fetcher: IZooFetcher,
  entry: ICatalogEntry,
  refs: IFileRef[],
  optional: (ref: IFileRef) => boolean = () => false,
  skipped: string[] = []
): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  files[descriptionName(entry)] = await fetcher.read(entry.location);
  for (const ref of refs) {
    let bytes: Uint8Array;
    try {
      bytes = await fetcher.read(entry.location, ref.source, ref.sha256);
    } catch (error) {
      if (error instanceof ZooFetchError && error.isChecksumMismatch) {
        throw new RefusedFileError(ref.source, error.message);
      }
      if (optional(ref)) {
        skipped.push(ref.source);
        continue;
      }
      throw error;
    }
    if (ref.sha256) {
      const actual = await sha256Hex(bytes);
      if (actual !== ref.sha256.toLowerCase()) {
        throw new RefusedFileError(
          ref.source,
          `expected ${ref.sha256}, got ${actual}`
        );
      }
    }
    files[normalizeRelativePath(ref.source)] = bytes;
  }
  return files;
}

/** Run the model's own test in the inference worker. */
export async function testInBrowser(
  service: IInferenceService,
  fetcher: IZooFetcher,
  entry: ICatalogEntry,
  model: IModelDescription
): Promise<ITestStatus> {
  const files = await readPackage(
    fetcher,
    entry,
    testFiles(model).filter(r => !isHttpUrl(r.source))
  );
  const open = await service.client.open(
    { kind: 'files', files, descriptionName: descriptionName(entry) },
    'auto'
  );
  try {
    const report = await service.client.test(open.modelKey).result;
    return {
      passed: report.passed,
      maxAbsDiff: Math.max(...report.outputs.map(o => o.maxAbsDiff)),
      backend: report.backend,
      milliseconds: report.milliseconds
    };
  } finally {
    void service.client.close(open.modelKey);
  }
}

/** Save bytes as a file of the Jupyter file tree (base64 through the contents API). */
async function saveBytes(
  contents: Contents.IManager,
  path: string,
  bytes: Uint8Array
): Promise<void> {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  await contents.save(path, {
    type: 'file',
    format: 'base64',
    content: btoa(binary)
  });
}

/** Create `path` and its parents in the file tree (existing folders are fine). */
async function ensureFolder(
  contents: Contents.IManager,
  path: string
): Promise<void> {
  let current = '';
  for (const part of path.split('/').filter(Boolean)) {
    current = current ? `${current}/${part}` : part;
    try {
      await contents.get(current, { content: false });
    } catch {
      await contents.save(current, { type: 'directory' });
    }
  }
}

/**
 * Save the package into `folder` of the workspace. All files are read and
 * verified before anything is written, so a refused file saves nothing.
 * Returns the path of the saved description.
 */
export async function downloadPackage(
  contents: Contents.IManager,
  fetcher: IZooFetcher,
  entry: ICatalogEntry,
  model: IModelDescription,
  folder: string,
  skipped: string[] = []
): Promise<string> {
  const refs = packageFiles(model).filter(r => !isHttpUrl(r.source));
  // Weights in other formats than ONNX and covers are nice to have: a missing
  // one is skipped (and reported); a file that does not match its sha256 never is.
  const needed = new Set(testFiles(model).map(r => r.source));
  if (model.documentation) {
    needed.add(model.documentation);
  }
  const files = await readPackage(
    fetcher,
    entry,
    refs,
    r => !needed.has(r.source),
    skipped
  );
  await ensureFolder(contents, folder);
  for (const [name, bytes] of Object.entries(files)) {
    const path = `${folder}/${name.replace(/^\.\//, '')}`;
    await ensureFolder(contents, PathExt.dirname(path));
    await saveBytes(contents, path, bytes);
  }
  return `${folder}/${descriptionName(entry)}`;
}

/** The workspace folder a package is saved in. */
export function packageFolder(entry: ICatalogEntry): string {
  const safe = entry.id.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `bioimage-models/${safe}${entry.version ? `_${entry.version.replace(/[^A-Za-z0-9._-]+/g, '_')}` : ''}`;
}
