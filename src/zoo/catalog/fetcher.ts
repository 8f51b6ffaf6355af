/**
 * How the catalog reads files. Every remote request goes through the server
 * extension's download cache (`/bioimage/proxy`, `/bioimage/cache/fetch`):
 * the browser never contacts remote hosts itself. The bundled zoo comes from
 * `/bioimage/bundled/`, workspace packages from the contents API.
 *
 * No URL built here carries the Jupyter token. `fetch()` calls go through
 * `ServerConnection.makeRequest`, which sends it in the `Authorization`
 * header; `<img src>` URLs are authenticated by Jupyter's login cookie, which
 * the browser sends with every same-origin request (the page itself was
 * opened with it), and the proxy accepts them because they are same-origin
 * (`Sec-Fetch-Site`). A token in a URL would leak into the Referer of pages
 * the image links to, server logs and browser history.
 */
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';

import { readFileBytes } from '../../jupyter/files';
import type { PackageLocation } from '../../core/catalog/types';
import { HttpPackageReader } from '../../core/package/readers/http';
import {
  isHttpUrl,
  normalizeRelativePath
} from '../../core/package/readers/reader';
import { newDownloadId } from '../../core/package/transfer';

/** How often download progress is asked for, and a cancel retried. */
const POLL_MS = 250;
/** A cancel is retried this often while the request has not reached the server. */
const CANCEL_TRIES = 20;

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** A failed read, with the server's reason (e.g. `sha256 mismatch`) and HTTP status. */
export class ZooFetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string
  ) {
    super(message);
    this.name = 'ZooFetchError';
  }

  /** The server refused the bytes because they do not match the expected sha256. */
  get isChecksumMismatch(): boolean {
    return this.status === 422 || /sha256/i.test(this.reason);
  }

  /** The download was cancelled (by this tab or another). */
  get isCancelled(): boolean {
    return this.reason === 'cancelled';
  }
}

/** How far a server download is (`GET /bioimage/cache/downloads/<id>`). */
export interface IDownloadProgress {
  bytesDone: number;
  /** From Content-Length; null when the remote does not say. */
  bytesTotal: number | null;
}

/** Options of {@link IZooFetcher.read}. */
export interface IReadOptions {
  /**
   * When aborted, the server's download of this file is cancelled (it keeps
   * nothing) and the read rejects.
   */
  signal?: AbortSignal;
  /** Bytes received so far of a file the server is downloading. */
  onProgress?: (progress: IDownloadProgress) => void;
}

/** The bundled zoo's `index.json` (only the fields the catalog uses). */
export interface IBundledIndex {
  models: Array<{ id: string; rdf: string; rdf_sha256?: string }>;
}

/** File access for the catalog and the model card; a fake replaces it in tests. */
export interface IZooFetcher {
  /** The bundled zoo's index. */
  bundledIndex(): Promise<IBundledIndex>;
  /** A mutable remote file (a collection index), refreshed; `warning` when a stale cached copy was served. */
  fetchIndex(url: string): Promise<{ text: string; warning?: string }>;
  /** Bytes of a package file, `relative` to the description (the description itself when omitted). */
  read(
    location: PackageLocation,
    relative?: string,
    sha256?: string,
    options?: IReadOptions
  ): Promise<Uint8Array>;
  /** A URL an `<img>` or link can use for a package file. */
  displayUrl(location: PackageLocation, relative: string): string;
  /** The absolute location (URL or path) of a package file, for messages. */
  resolve(location: PackageLocation, relative: string): string;
  /** Names of the files next to a workspace description (for finding it in a folder). */
  listWorkspace?(folder: string): Promise<string[]>;
}

/** Resolve `relative` against a description location. */
export function resolveIn(location: PackageLocation, relative: string): string {
  switch (location.kind) {
    case 'remote':
      return new HttpPackageReader(location.url).resolve(relative);
    case 'bundled':
    case 'workspace': {
      if (isHttpUrl(relative)) {
        return relative;
      }
      const dir = PathExt.dirname(location.path);
      const rel = normalizeRelativePath(relative);
      return dir ? `${dir}/${rel}` : rel;
    }
  }
}

/** The fetcher backed by the Jupyter server. */
export class ServerZooFetcher implements IZooFetcher {
  constructor(private readonly _contents?: Contents.IManager) {
    this._settings = ServerConnection.makeSettings();
  }

  async bundledIndex(): Promise<IBundledIndex> {
    const bytes = await this._get(this._api('bundled/index.json'));
    return JSON.parse(new TextDecoder().decode(bytes)) as IBundledIndex;
  }

  async fetchIndex(url: string): Promise<{ text: string; warning?: string }> {
    const init: RequestInit = {
      method: 'POST',
      body: JSON.stringify({ url, refresh: true, file_name: 'index.json' })
    };
    const answer = JSON.parse(
      new TextDecoder().decode(await this._get(this._api('cache/fetch'), init))
    ) as { file_url: string; warning?: string | null };
    // `file_url` is an absolute path that already includes the base URL.
    const absolute = new URL(answer.file_url, this._settings.baseUrl).href;
    const text = new TextDecoder().decode(await this._get(absolute));
    return { text, warning: answer.warning ?? undefined };
  }

  async read(
    location: PackageLocation,
    relative?: string,
    sha256?: string,
    options: IReadOptions = {}
  ): Promise<Uint8Array> {
    const target =
      relative === undefined ? undefined : this.resolve(location, relative);
    switch (location.kind) {
      case 'remote':
        return this._download(
          target ?? location.url,
          relative === undefined ? location.sha256 : sha256,
          options
        );
      case 'bundled':
        if (target && isHttpUrl(target)) {
          return this._download(target, sha256, options);
        }
        return this._get(this._bundledUrl(target ?? location.path));
      case 'workspace':
        if (target && isHttpUrl(target)) {
          return this._download(target, sha256, options);
        }
        if (!this._contents) {
          throw new Error(
            'workspace files cannot be read here (no contents manager)'
          );
        }
        return readFileBytes(this._contents, target ?? location.path);
    }
  }

  displayUrl(location: PackageLocation, relative: string): string {
    const target = this.resolve(location, relative);
    if (isHttpUrl(target)) {
      return this._proxyUrl(target);
    }
    if (location.kind === 'bundled') {
      return this._bundledUrl(target);
    }
    const path = target.split('/').map(encodeURIComponent).join('/');
    return URLExt.join(this._settings.baseUrl, 'files', path);
  }

  resolve(location: PackageLocation, relative: string): string {
    return resolveIn(location, relative);
  }

  async listWorkspace(folder: string): Promise<string[]> {
    if (!this._contents) {
      return [];
    }
    const model = await this._contents.get(folder, { content: true });
    return ((model.content ?? []) as Contents.IModel[])
      .filter(m => m.type !== 'directory')
      .map(m => m.name);
  }

  /** Progress of a server download, or null when it is not (or no longer) in flight. */
  async downloadProgress(
    downloadId: string
  ): Promise<IDownloadProgress | null> {
    const url = this._api(`cache/downloads/${encodeURIComponent(downloadId)}`);
    const response = await ServerConnection.makeRequest(
      url,
      { method: 'GET' },
      this._settings
    );
    if (!response.ok) {
      return null;
    }
    const body = (await response.json()) as {
      bytes_done?: number;
      bytes_total?: number | null;
    };
    return {
      bytesDone: body.bytes_done ?? 0,
      bytesTotal: body.bytes_total ?? null
    };
  }

  /** Cancel a server download; false when the server does not know it (not started, or finished). */
  async cancelDownload(downloadId: string): Promise<boolean> {
    const url = this._api(`cache/downloads/${encodeURIComponent(downloadId)}`);
    const response = await ServerConnection.makeRequest(
      url,
      { method: 'DELETE' },
      this._settings
    );
    return response.ok;
  }

  /**
   * A remote file through the proxy, with a download id when the caller
   * follows progress or may cancel: progress is polled from the server, and
   * an abort cancels the server's download (which then answers 409, and
   * keeps nothing). The request itself is not aborted first, so the server
   * always hears the cancel before the connection goes.
   */
  private async _download(
    url: string,
    sha256: string | undefined,
    options: IReadOptions
  ): Promise<Uint8Array> {
    const { signal, onProgress } = options;
    if (!signal && !onProgress) {
      return this._get(this._proxyUrl(url, sha256));
    }
    signal?.throwIfAborted();
    const downloadId = newDownloadId();
    let pending = true;
    const local = new AbortController();
    const poll = async () => {
      while (pending && onProgress) {
        await sleep(POLL_MS);
        const progress = await this.downloadProgress(downloadId).catch(
          () => null
        );
        if (pending && progress) {
          onProgress(progress);
        }
      }
    };
    const cancel = async () => {
      // The proxy request may not have reached the server yet: retry a while.
      for (let i = 0; pending && i < CANCEL_TRIES; i++) {
        if (await this.cancelDownload(downloadId).catch(() => false)) {
          return;
        }
        await sleep(POLL_MS);
      }
      if (pending) {
        local.abort();
      }
    };
    const onAbort = () => void cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    void poll();
    try {
      return await this._get(this._proxyUrl(url, sha256, downloadId), {
        signal: local.signal
      });
    } catch (error) {
      if (signal?.aborted) {
        throw signal.reason ?? error;
      }
      throw error;
    } finally {
      pending = false;
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private _api(path: string): string {
    return URLExt.join(this._settings.baseUrl, 'bioimage', path);
  }

  private _bundledUrl(path: string): string {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return this._api(`bundled/${encoded}`);
  }

  private _proxyUrl(url: string, sha256?: string, downloadId?: string): string {
    const query: Record<string, string> = { url };
    if (sha256) {
      query.sha256 = sha256;
    }
    if (downloadId) {
      query.download_id = downloadId;
    }
    return this._api('proxy') + URLExt.objectToQueryString(query);
  }

  private async _get(url: string, init: RequestInit = {}): Promise<Uint8Array> {
    let response: Response;
    try {
      // Not `no-store`: JupyterLab would append a cache-busting query
      // parameter, which the proxy refuses as an unknown field. The server's
      // Cache-Control headers decide (cached files are content-addressed).
      response = await ServerConnection.makeRequest(
        url,
        { cache: 'default', ...init },
        this._settings
      );
    } catch (error) {
      throw new ZooFetchError(
        `the Jupyter server could not be reached (${(error as Error).message})`,
        0,
        'network'
      );
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) {
      let message = `HTTP ${response.status} ${response.statusText}`.trim();
      let reason = '';
      try {
        const body = JSON.parse(new TextDecoder().decode(bytes));
        message = body.message ?? message;
        reason = body.reason ?? '';
      } catch {
        // Not JSON: keep the status line.
      }
      throw new ZooFetchError(message, response.status, reason);
    }
    return bytes;
  }

  private _settings: ServerConnection.ISettings;
}
