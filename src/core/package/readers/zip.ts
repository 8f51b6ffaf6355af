/**
 * Model packages as .zip files (digest section 9), read with fflate.
 */
import { unzipSync } from 'fflate';
import { IPackageReader, normalizeRelativePath } from './reader';

/** One entry of the zip's central directory, as it declares itself. */
export interface IZipEntry {
  /** The name as stored in the zip (may be unsafe: check before use). */
  name: string;
  /** Path inside the package (folder prefix removed); null for folders and ignored entries. */
  path: string | null;
  /** Compressed size in bytes. */
  size: number;
  /** Uncompressed size the entry declares. */
  originalSize: number;
  /** Compression method (0 stored, 8 deflate). */
  compression: number;
}

/** Entries macOS adds to zips it makes (resource forks, Finder data); never part of a package. */
function isJunk(name: string): boolean {
  return /^__MACOSX\//.test(name) || /(^|\/)\.DS_Store$/.test(name);
}

/** Reads files out of an in-memory zip archive, decompressing each on demand. */
export class ZipPackageReader implements IPackageReader {
  private _names: string[] | undefined;
  private _raw: IZipEntry[] | undefined;
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

  /**
   * Every entry of the central directory (folders and ignored ones too),
   * without inflating anything: names and declared sizes, for checks made
   * before any data is decompressed.
   */
  entries(): IZipEntry[] {
    this._entries();
    return this._raw!;
  }

  /**
   * Inflate every file of the package in one pass, by path inside the
   * package. fflate never writes past the size an entry declares, so the
   * memory used is bounded by the declared sizes (check them first).
   */
  readAll(): Record<string, Uint8Array> {
    const wanted = new Set(this._entries());
    const files = unzipSync(this._bytes, { filter: f => wanted.has(f.name) });
    const out: Record<string, Uint8Array> = {};
    for (const [name, data] of Object.entries(files)) {
      out[name.slice(this._prefix.length)] = data;
    }
    return out;
  }

  /** Entry names; a zip whose files all sit in one folder is read from inside that folder. */
  private _entries(): string[] {
    if (this._names === undefined) {
      const raw: IZipEntry[] = [];
      try {
        unzipSync(this._bytes, {
          filter: f => {
            raw.push({
              name: f.name,
              path: null,
              size: f.size,
              originalSize: f.originalSize,
              compression: f.compression
            });
            return false;
          }
        });
      } catch (e) {
        throw new Error(
          `${this._name} is not a readable zip file: ${(e as Error).message}`
        );
      }
      const names = raw
        .map(e => e.name)
        .filter(n => !n.endsWith('/') && !isJunk(n));
      // A package zipped as one folder: its files sit under that folder. Hidden
      // top-level entries (`.gitignore` beside the folder) do not count against it.
      const visible = names.filter(n => !n.startsWith('.'));
      const first = visible[0]?.split('/')[0];
      if (first && visible.every(n => n.startsWith(`${first}/`))) {
        this._prefix = `${first}/`;
      }
      const kept = new Set(names.filter(n => n.startsWith(this._prefix)));
      for (const entry of raw) {
        if (kept.has(entry.name)) {
          entry.path = entry.name.slice(this._prefix.length);
        }
      }
      this._raw = raw;
      this._names = names;
    }
    return this._names.filter(n => n.startsWith(this._prefix));
  }
}
