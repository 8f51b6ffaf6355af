/**
 * Model packages as folders on disk. The only module of the zoo that imports
 * Node built-ins: use it from the CLI and tests, never in the browser bundle.
 */
import { readdir, readFile } from 'fs/promises';
import * as path from 'path';
import { IPackageReader, normalizeRelativePath } from './reader';

/** Reads files of a package folder. */
export class FolderPackageReader implements IPackageReader {
  private readonly _root: string;

  constructor(root: string) {
    this._root = path.resolve(root);
  }

  describe(): string {
    return this._root;
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          await walk(path.join(dir, entry.name), rel);
        } else if (entry.isFile()) {
          out.push(rel);
        }
      }
    };
    await walk(this._root, '');
    return out.sort();
  }

  async read(relativePath: string): Promise<Uint8Array> {
    const file = path.join(
      this._root,
      ...normalizeRelativePath(relativePath).split('/')
    );
    try {
      const buffer = await readFile(file);
      return new Uint8Array(
        buffer.buffer,
        buffer.byteOffset,
        buffer.byteLength
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(
          `'${relativePath}' is not in ${this._root}; the package is incomplete or the description names the wrong file`
        );
      }
      throw e;
    }
  }
}
