/**
 * What the model card's buttons do: gather a package's files through the
 * server cache (sha256-verified), test the model in the inference worker,
 * save the package into the workspace, and run it on an image.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';

import type { IInferenceService } from '../../tokens';
import type { IZooFetcher } from '../catalog/fetcher';
import { ZooFetchError } from '../catalog/fetcher';
import type { ICatalogEntry, ITestStatus } from '../../core/catalog/types';
import { packageFiles, testFiles } from '../../core/package/files';
import { sha256Hex } from '../../core/package/sha256';
import {
  isHttpUrl,
  normalizeRelativePath
} from '../../core/package/readers/reader';
import { Transfer, TransferCancelledError } from '../../core/package/transfer';
import type { IFileRef, IModelDescription } from '../../core/spec/types';
import { writeFolder } from '../workspace-files';

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

export { packageFiles, testFiles } from '../../core/package/files';

/**
 * Read files of a package, verifying each sha256 (the server verifies remote
 * files too). Keys are the sources as written in the description. With a
 * `transfer`, progress is reported per file (bytes while the server
 * downloads it) and a cancel stops the server's download.
 */
export async function readPackage(
  fetcher: IZooFetcher,
  entry: ICatalogEntry,
  refs: IFileRef[],
  optional: (ref: IFileRef) => boolean = () => false,
  skipped: string[] = [],
  transfer?: Transfer
): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const count = refs.length + 1;
  let finishedBytes = 0;
  const read = async (
    index: number,
    name: string,
    relative?: string,
    sha256?: string
  ): Promise<Uint8Array> => {
    if (!transfer) {
      return fetcher.read(entry.location, relative, sha256);
    }
    transfer.throwIfCancelled();
    const step = { phase: 'reading' as const, file: name, index, count };
    transfer.report({ ...step, bytesDone: 0, bytesTotal: null, finishedBytes });
    try {
      const bytes = await fetcher.read(entry.location, relative, sha256, {
        signal: transfer.signal,
        onProgress: p => transfer.report({ ...step, ...p, finishedBytes })
      });
      transfer.throwIfCancelled();
      finishedBytes += bytes.length;
      transfer.report({
        ...step,
        bytesDone: bytes.length,
        bytesTotal: bytes.length,
        finishedBytes: finishedBytes - bytes.length
      });
      return bytes;
    } catch (error) {
      transfer.throwIfCancelled();
      throw error;
    }
  };
  const description = descriptionName(entry);
  files[description] = await read(1, description);
  for (const [i, ref] of refs.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = await read(i + 2, ref.source, ref.source, ref.sha256);
    } catch (error) {
      if (error instanceof ZooFetchError && error.isChecksumMismatch) {
        throw new RefusedFileError(ref.source, error.message);
      }
      if (optional(ref) && !(error instanceof TransferCancelledError)) {
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

/** Run the model's own test in the inference worker; a `transfer` reports and cancels. */
export async function testInBrowser(
  service: IInferenceService,
  fetcher: IZooFetcher,
  entry: ICatalogEntry,
  model: IModelDescription,
  transfer?: Transfer
): Promise<ITestStatus> {
  const files = await readPackage(
    fetcher,
    entry,
    testFiles(model).filter(r => !isHttpUrl(r.source)),
    undefined,
    undefined,
    transfer
  );
  transfer?.throwIfCancelled();
  const open = await service.client.open(
    { kind: 'files', files, descriptionName: descriptionName(entry) },
    'auto'
  );
  let stop = () => undefined as void;
  try {
    transfer?.throwIfCancelled();
    const last = transfer?.progress;
    transfer?.report({
      phase: 'testing',
      index: last?.count ?? 1,
      count: last?.count ?? 1,
      bytesDone: 0,
      bytesTotal: null,
      finishedBytes: (last?.finishedBytes ?? 0) + (last?.bytesDone ?? 0)
    });
    const running = service.client.test(open.modelKey);
    stop = transfer?.onCancel(() => running.cancel()) ?? stop;
    let report;
    try {
      report = await running.result;
    } catch (error) {
      transfer?.throwIfCancelled();
      throw error;
    }
    return {
      passed: report.passed,
      maxAbsDiff: Math.max(...report.outputs.map(o => o.maxAbsDiff)),
      backend: report.backend,
      milliseconds: report.milliseconds
    };
  } finally {
    stop();
    void service.client.close(open.modelKey);
  }
}

/**
 * Save the package into `folder` of the workspace. All files are read and
 * verified before anything is written, and the folder appears only once
 * every file is written (see {@link writeFolder}), so a refused file, a
 * failed write or a cancel leaves nothing. Returns the path of the saved
 * description.
 */
export async function downloadPackage(
  contents: Contents.IManager,
  fetcher: IZooFetcher,
  entry: ICatalogEntry,
  model: IModelDescription,
  folder: string,
  skipped: string[] = [],
  transfer?: Transfer
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
    skipped,
    transfer
  );
  const relative: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(files)) {
    relative[name.replace(/^\.\//, '')] = bytes;
  }
  await writeFolder(contents, folder, relative, {
    existing: 'merge',
    transfer
  });
  return `${folder}/${descriptionName(entry)}`;
}

/** The workspace folder a package is saved in. */
export function packageFolder(entry: ICatalogEntry): string {
  const safe = entry.id.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `bioimage-models/${safe}${entry.version ? `_${entry.version.replace(/[^A-Za-z0-9._-]+/g, '_')}` : ''}`;
}
