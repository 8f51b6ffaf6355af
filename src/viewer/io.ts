/**
 * File access for the viewer: open other images (overlays) and save results
 * next to the image, through the Jupyter contents API.
 */
import { PathExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';

import { bytesToBase64 } from '../core/formats/base64';
import type { IImageSource } from '../core/formats';
import type { IImageLoader } from './loader';

/** What a viewer needs to read and write files. */
export interface IViewerIO {
  /** Folder that relative paths are resolved against and results saved into. */
  readonly directory: string;
  /** Open an image file (path relative to `directory` unless it starts with '/'). */
  openImage(path: string, opts?: { axes?: string }): Promise<IImageSource>;
  /** Save bytes as a file; returns the server path written. */
  saveFile(path: string, bytes: Uint8Array): Promise<string>;
}

/** Options of {@link ContentsViewerIO}. */
export interface IContentsViewerIOOptions {
  contents: Contents.IManager;
  loader: IImageLoader;
  directory: string;
  /** Decoded-size cap in bytes. */
  maxBytes: () => number;
}

/** `IViewerIO` over the Jupyter contents manager. */
export class ContentsViewerIO implements IViewerIO {
  constructor(private readonly _opts: IContentsViewerIOOptions) {}

  get directory(): string {
    return this._opts.directory;
  }

  /** Server path of a user-given path. */
  resolve(path: string): string {
    return path.startsWith('/')
      ? PathExt.normalize(path.slice(1))
      : PathExt.join(this._opts.directory, path);
  }

  async openImage(
    path: string,
    opts: { axes?: string } = {}
  ): Promise<IImageSource> {
    const full = this.resolve(path);
    const model = await this._opts.contents.get(full, {
      type: 'file',
      format: 'base64',
      content: true
    });
    return this._opts.loader.open(
      { base64: model.content as string },
      PathExt.basename(full),
      { maxBytes: this._opts.maxBytes(), ...opts }
    );
  }

  async saveFile(path: string, bytes: Uint8Array): Promise<string> {
    const full = this.resolve(path);
    await this._opts.contents.save(full, {
      type: 'file',
      format: 'base64',
      content: bytesToBase64(bytes)
    });
    return full;
  }
}
