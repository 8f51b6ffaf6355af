/**
 * Writing a whole package folder into the Jupyter file tree so that a failure
 * or a cancel leaves nothing behind: files go into a staging folder next to
 * the target, which is renamed into place only when every file is written.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';

import { Transfer } from '../core/package/transfer';

/** Bytes per request of a chunked save (the server appends chunks). */
const CHUNK_BYTES = 4 * 1024 * 1024;

function base64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}

/**
 * Save bytes as a file (base64 through the contents API). Large files are
 * sent in chunks, which the Jupyter server appends (its large-file manager).
 */
export async function saveBytes(
  contents: Contents.IManager,
  path: string,
  bytes: Uint8Array,
  chunkBytes = CHUNK_BYTES
): Promise<void> {
  if (bytes.length <= chunkBytes) {
    await contents.save(path, {
      type: 'file',
      format: 'base64',
      content: base64(bytes)
    });
    return;
  }
  for (let start = 0, chunk = 1; start < bytes.length; chunk++) {
    const end = Math.min(bytes.length, start + chunkBytes);
    await contents.save(path, {
      type: 'file',
      format: 'base64',
      content: base64(bytes.subarray(start, end)),
      chunk: end >= bytes.length ? -1 : chunk
    });
    start = end;
  }
}

/** The model at `path` (without content), or null when there is nothing there. */
export async function stat(
  contents: Contents.IManager,
  path: string
): Promise<Contents.IModel | null> {
  try {
    return await contents.get(path, { content: false });
  } catch (error) {
    const status = (error as { response?: { status?: number } }).response
      ?.status;
    if (status === 404) {
      return null;
    }
    throw error;
  }
}

/** Create `path` and its parents (existing folders are fine); returns the folders created. */
export async function ensureFolder(
  contents: Contents.IManager,
  path: string
): Promise<string[]> {
  const created: string[] = [];
  let current = '';
  for (const part of path.split('/').filter(Boolean)) {
    current = current ? `${current}/${part}` : part;
    const found = await stat(contents, current);
    if (!found) {
      await contents.save(current, { type: 'directory' });
      created.push(current);
    } else if (found.type !== 'directory') {
      throw new Error(
        `'${current}' is a file, so the folder '${path}' cannot be created there`
      );
    }
  }
  return created;
}

/** Delete the folders `created` (deepest first) that are still empty. */
async function removeEmptyFolders(
  contents: Contents.IManager,
  created: string[]
): Promise<void> {
  for (const dir of [...created].reverse()) {
    try {
      const model = await contents.get(dir, { content: true });
      if (((model.content ?? []) as Contents.IModel[]).length === 0) {
        await contents.delete(dir);
      }
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

/** Every file under `folder`, by path relative to it, with its size. */
export async function listTree(
  contents: Contents.IManager,
  folder: string
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const walk = async (dir: string, prefix: string) => {
    const model = await contents.get(dir, { content: true });
    for (const item of (model.content ?? []) as Contents.IModel[]) {
      const rel = prefix ? `${prefix}/${item.name}` : item.name;
      if (item.type === 'directory') {
        await walk(`${dir}/${item.name}`, rel);
      } else {
        out.set(rel, item.size ?? -1);
      }
    }
  };
  await walk(folder, '');
  return out;
}

/**
 * Delete a folder and everything in it: files first, then the folders from
 * the deepest up (the server refuses to delete non-empty folders unless it
 * sends them to the trash). Best effort; returns what could not be deleted.
 */
export async function removeTree(
  contents: Contents.IManager,
  folder: string
): Promise<string[]> {
  const failed: string[] = [];
  const dirs: string[] = [];
  const walk = async (dir: string) => {
    dirs.push(dir);
    let model: Contents.IModel;
    try {
      model = await contents.get(dir, { content: true });
    } catch {
      return;
    }
    for (const item of (model.content ?? []) as Contents.IModel[]) {
      const path = `${dir}/${item.name}`;
      if (item.type === 'directory') {
        await walk(path);
      } else {
        await contents.delete(path).catch(() => failed.push(path));
      }
    }
  };
  await walk(folder);
  for (const dir of dirs.reverse()) {
    await contents.delete(dir).catch(() => failed.push(dir));
  }
  return failed;
}

function randomTag(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Options of {@link writeFolder}. */
export interface IWriteFolderOptions {
  /**
   * When the folder exists: `error` (the default) leaves it alone and fails;
   * `merge` moves each complete file into it, replacing files of the same
   * name and keeping any other file the user put there.
   */
  existing?: 'error' | 'merge';
  /** Cancelled between files; reports the `saving` phase. */
  transfer?: Transfer;
}

/**
 * Write `files` (path inside the folder → bytes) as the folder `folder`.
 * Everything goes into `<folder>.partial-<tag>` first; only when every file
 * is written is the copy renamed to `folder` (or, when merging into an
 * existing folder, each complete file moved into it). On a failure or a
 * cancel before that, the staging folder is removed: nothing half-written
 * stays, and the target is untouched.
 */
export async function writeFolder(
  contents: Contents.IManager,
  folder: string,
  files: Record<string, Uint8Array>,
  options: IWriteFolderOptions = {}
): Promise<void> {
  const { transfer } = options;
  const parent = PathExt.dirname(folder);
  const created = parent ? await ensureFolder(contents, parent) : [];
  // Not a dot-folder: the Jupyter server refuses to create hidden files.
  const staging = `${folder}.partial-${randomTag()}`;
  const entries = Object.entries(files);
  let existing: Contents.IModel | null;
  try {
    await contents.save(staging, { type: 'directory' });
    let finished = 0;
    for (const [index, [name, bytes]] of entries.entries()) {
      transfer?.throwIfCancelled();
      transfer?.report({
        phase: 'saving',
        file: name,
        index: index + 1,
        count: entries.length,
        bytesDone: 0,
        bytesTotal: bytes.length,
        finishedBytes: finished
      });
      const path = `${staging}/${name}`;
      const dir = PathExt.dirname(path);
      if (dir !== staging) {
        await ensureFolder(contents, dir);
      }
      await saveBytes(contents, path, bytes);
      finished += bytes.length;
    }
    transfer?.throwIfCancelled();
    existing = await stat(contents, folder);
    if (existing && options.existing !== 'merge') {
      throw new Error(
        `'${folder}' already exists; it was left as it is and nothing was written`
      );
    }
    if (!existing) {
      await contents.rename(staging, folder);
      return;
    }
    if (existing.type !== 'directory') {
      throw new Error(
        `'${folder}' is a file, so the package cannot be saved there; nothing was written`
      );
    }
  } catch (error) {
    await removeTree(contents, staging);
    await removeEmptyFolders(contents, created);
    throw error;
  }
  // Merging: every file is complete in the staging folder; move them over.
  try {
    for (const [name] of entries) {
      const target = `${folder}/${name}`;
      const dir = PathExt.dirname(target);
      if (dir !== folder) {
        await ensureFolder(contents, dir);
      }
      // The old file is moved aside, not deleted, until the new one is in place.
      const backup = (await stat(contents, target))
        ? `${target}.old-${randomTag()}`
        : null;
      if (backup) {
        await contents.rename(target, backup);
      }
      try {
        await contents.rename(`${staging}/${name}`, target);
      } catch (error) {
        if (backup) {
          await contents.rename(backup, target).catch(() => undefined);
        }
        throw error;
      }
      if (backup) {
        await contents.delete(backup).catch(() => undefined);
      }
    }
  } finally {
    await removeTree(contents, staging);
  }
}
