/**
 * A model package held in memory, e.g. files read through the Jupyter
 * contents API or unpacked by the main thread. Pure TypeScript.
 */
import { IPackageReader, normalizeRelativePath } from './reader';

/** Reads files from a name → bytes record. */
export class MemoryPackageReader implements IPackageReader {
  constructor(
    private readonly _files: Record<string, Uint8Array>,
    private readonly _label = 'the uploaded package'
  ) {}

  describe(): string {
    return this._label;
  }

  async list(): Promise<string[]> {
    return Object.keys(this._files);
  }

  async read(relativePath: string): Promise<Uint8Array> {
    const name = normalizeRelativePath(relativePath);
    const bytes = this._files[name];
    if (!bytes) {
      throw new Error(`'${name}' is not in ${this._label}`);
    }
    return bytes;
  }
}
