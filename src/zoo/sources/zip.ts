/**
 * Model packages as .zip files (digest section 9), read with fflate.
 */
import { unzipSync } from 'fflate';
import { IPackageReader, normalizeRelativePath } from './reader';

/** Reads files out of an in-memory zip archive, decompressing each on demand. */
export class ZipPackageReader implements IPackageReader {
  private _names: string[] | undefined;
  private _prefix = '';

  /**
   * @param bytes the zip file.
   * @param name how to call it in messages, e.g. its file name.
   */
  constructor(
    private readonly _bytes: Uint8Array,
    private readonly _name = 'package.zip'
  ) {}

  describe(): string {
    return this._name;
  }

  async list(): Promise<string[]> {
    return this._entries().map(n => n.slice(this._prefix.length));
  }

  async read(relativePath: string): Promise<Uint8Array> {
    // Listing first sets the folder prefix of nested zips.
    this._entries();
    const wanted = this._prefix + normalizeRelativePath(relativePath);
    // The filter sees every entry's name but only the matching one is inflated.
    const files = unzipSync(this._bytes, { filter: f => f.name === wanted });
    const data = files[wanted];
    if (!data) {
      throw new Error(
        `'${relativePath}' is not in ${this._name}; the package is incomplete or the description names the wrong file`
      );
    }
    return data;
  }

  /** Entry names; a zip whose files all sit in one folder is read from inside that folder. */
  private _entries(): string[] {
    if (this._names === undefined) {
      const names: string[] = [];
      try {
        unzipSync(this._bytes, {
          filter: f => {
            if (!f.name.endsWith('/')) {
              names.push(f.name);
            }
            return false;
          }
        });
      } catch (e) {
        throw new Error(
          `${this._name} is not a readable zip file: ${(e as Error).message}`
        );
      }
      const first = names[0]?.split('/')[0];
      if (first && names.every(n => n.startsWith(`${first}/`))) {
        this._prefix = `${first}/`;
      }
      this._names = names;
    }
    return this._names.filter(n => n.startsWith(this._prefix));
  }
}
