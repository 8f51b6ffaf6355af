/**
 * Where the files of a model package come from: a folder, a zip file or a
 * web server. Pure TypeScript (no Node imports) so the browser can use it.
 */

/** Read access to the files of one package (the description and what it references). */
export interface IPackageReader {
  /** Where the package comes from, for messages, e.g. `model.zip` or a URL. */
  describe(): string;
  /** The bytes of a file, by path relative to the description (or an absolute URL where supported). */
  read(relativePath: string): Promise<Uint8Array>;
  /** Relative paths of the files the reader can see (for HTTP: only the description). */
  list(): Promise<string[]>;
}

/** Whether a source is an absolute http(s) URL rather than a package-relative path. */
export function isHttpUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * Normalise a package-relative path (`./a/../b.npy` → `b.npy`) and refuse paths
 * that leave the package: descriptions are untrusted input.
 */
export function normalizeRelativePath(relativePath: string): string {
  if (
    /^[a-z][a-z0-9+.-]*:/i.test(relativePath) ||
    relativePath.startsWith('/') ||
    relativePath.startsWith('\\')
  ) {
    throw new Error(
      `'${relativePath}' is not a path relative to the package; expected something like 'weights.onnx'`
    );
  }
  const parts: string[] = [];
  for (const part of relativePath.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      if (parts.length === 0) {
        throw new Error(
          `'${relativePath}' points outside the package; only files inside it can be read`
        );
      }
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  if (parts.length === 0) {
    throw new Error(`'${relativePath}' does not name a file`);
  }
  return parts.join('/');
}
