/**
 * Model packages served over HTTP(S), e.g. the bioimage.io artifact files
 * endpoint, read with the global `fetch`.
 */
import { IPackageReader, isHttpUrl } from './reader';

/** The `fetch` signature this reader needs (injectable for tests and proxies). */
export type FetchFunction = (url: string) => Promise<Response>;

/** Reads files relative to the URL of a description. */
export class HttpPackageReader implements IPackageReader {
  private readonly _base: URL;

  /**
   * @param descriptionUrl URL of the description file (rdf.yaml, ...).
   * @param _fetch the fetch to use; the global one by default.
   */
  constructor(
    descriptionUrl: string,
    private readonly _fetch: FetchFunction = url => fetch(url)
  ) {
    this._base = new URL(descriptionUrl);
  }

  describe(): string {
    return this._base.href;
  }

  /** Only the description itself: HTTP servers cannot be listed. */
  async list(): Promise<string[]> {
    const name = decodeURIComponent(this._base.pathname.split('/').pop() ?? '');
    return name ? [name] : [];
  }

  /** The URL a source resolves to. */
  resolve(source: string): string {
    if (isHttpUrl(source)) {
      return source;
    }
    const url = new URL(source, this._base);
    // Hosts like hypha select the package version with a query (`?version=v0`);
    // files of the same package must be fetched with the same one.
    if (!url.search && this._base.search && url.origin === this._base.origin) {
      url.search = this._base.search;
    }
    return url.href;
  }

  async read(relativePath: string): Promise<Uint8Array> {
    const url = this.resolve(relativePath);
    let response: Response;
    try {
      response = await this._fetch(url);
    } catch (e) {
      throw new Error(
        `could not download ${url}: ${(e as Error).message}; check the network connection`
      );
    }
    if (!response.ok) {
      throw new Error(
        `could not download ${url}: HTTP ${response.status} ${response.statusText}`.trim()
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  }
}
