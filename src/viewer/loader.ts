/**
 * Opens image files for the viewer. In a browser the work happens in a
 * module Web Worker (base64 decoding, TIFF parsing, decompression), and each
 * plane is read on request; in jsdom tests it falls back to the main thread.
 * JPEG, which our decoder leaves to the browser, is decoded with
 * `createImageBitmap`.
 */
import type { IDisposable } from '@lumino/disposable';

import type { INDArray } from '../core/tensor/tensor';
import { base64ToBytes } from '../core/formats/base64';
import * as workerFactory from './create-worker';
import {
  DecodeError,
  detectImageKind,
  type IDecodedImage,
  type IDecodeOptions,
  type IImageInfo,
  type IImageSource,
  type IPlaneIndex,
  openImage
} from '../core/formats';
import { memorySource } from '../core/formats/planes';
import type { DecodeRequest, DecodeResponse } from './decode-protocol';

/** A file's contents: raw bytes or the contents API's base64 string. */
export interface IFileInput {
  bytes?: Uint8Array;
  base64?: string;
}

/** Something that turns files into plane-readable image sources. */
export interface IImageLoader extends IDisposable {
  /** True when decoding runs in a Web Worker. */
  readonly offThread: boolean;
  /**
   * Open a file.
   *
   * @throws DecodeError with a user-facing message.
   */
  open(
    input: IFileInput,
    name: string,
    opts?: IDecodeOptions
  ): Promise<IImageSource>;
}

/** How long opening a file may take before the worker is stopped. */
const OPEN_TIMEOUT_MS = 120_000;

/** Create the best loader for this environment. */
export function createImageLoader(): IImageLoader {
  const factory = (workerFactory as { createDecodeWorker?: () => Worker })
    .createDecodeWorker;
  if (typeof Worker !== 'undefined' && typeof factory === 'function') {
    return new WorkerImageLoader(factory);
  }
  return new MainThreadImageLoader();
}

/** Bytes of a file input. */
function bytesOf(input: IFileInput): Uint8Array {
  return input.bytes ?? base64ToBytes(input.base64 ?? '');
}

/** First bytes of a file input, enough to recognise its format. */
function headOf(input: IFileInput): Uint8Array {
  if (input.bytes) {
    return input.bytes.subarray(0, 16);
  }
  return base64ToBytes((input.base64 ?? '').slice(0, 24));
}

/** Decode a JPEG with the browser into an RGB 'YXC' uint8 image. */
async function decodeJpeg(
  bytes: Uint8Array,
  name: string
): Promise<IImageSource> {
  if (typeof createImageBitmap === 'undefined') {
    throw new DecodeError(
      'unsupported-format',
      `${name}: this browser cannot decode JPEG images.`
    );
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(
      new Blob([bytes as BlobPart], { type: 'image/jpeg' })
    );
  } catch {
    throw new DecodeError(
      'corrupt',
      `${name}: the browser could not decode this JPEG; it may be damaged or truncated.`
    );
  }
  const { width, height } = bitmap;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    throw new DecodeError('unsupported-format', `${name}: no 2-D canvas.`);
  }
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  const image: IDecodedImage = {
    shape: [height, width, 3],
    dtype: 'uint8',
    axes: 'YXC',
    array: { dtype: 'uint8', shape: [height, width, 3], data: rgb },
    source: {
      format: 'png',
      planeCount: 1,
      axesSource: 'JPEG decoded by the browser (RGB)',
      warnings: []
    }
  };
  return memorySource(image);
}

/** Decodes on the calling thread (tests, or browsers without workers). */
export class MainThreadImageLoader implements IImageLoader {
  readonly offThread = false;
  isDisposed = false;

  async open(
    input: IFileInput,
    name: string,
    opts: IDecodeOptions = {}
  ): Promise<IImageSource> {
    const bytes = bytesOf(input);
    if (detectImageKind(bytes.subarray(0, 16), name) === 'jpeg') {
      return decodeJpeg(bytes, name);
    }
    return openImage(bytes, name, opts);
  }

  dispose(): void {
    this.isDisposed = true;
  }
}

/** A pending request to the worker. */
interface IPending {
  resolve(value: DecodeResponse): void;
  reject(reason: Error): void;
}

/** Decodes in a module Web Worker; planes are read from it on demand. */
export class WorkerImageLoader implements IImageLoader {
  readonly offThread = true;

  constructor(private readonly _factory: () => Worker) {}

  get isDisposed(): boolean {
    return this._disposed;
  }

  async open(
    input: IFileInput,
    name: string,
    opts: IDecodeOptions = {}
  ): Promise<IImageSource> {
    if (detectImageKind(headOf(input), name) === 'jpeg') {
      return decodeJpeg(bytesOf(input), name);
    }
    const handle = ++this._handles;
    const timer = setTimeout(() => {
      this._restart(
        new DecodeError(
          'corrupt',
          `${name}: decoding took longer than ${OPEN_TIMEOUT_MS / 1000} s and was stopped; ` +
            'the file may be damaged, or too large for this browser.'
        )
      );
    }, OPEN_TIMEOUT_MS);
    try {
      const res = (await this._request(
        {
          type: 'open',
          id: 0,
          source: handle,
          name,
          bytes: input.bytes,
          base64: input.bytes ? undefined : input.base64,
          opts
        },
        input.bytes ? [input.bytes.buffer as ArrayBuffer] : []
      )) as { info: IImageInfo; planeCount: number };
      return this._source(handle, res.info, res.planeCount);
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._restart(new Error('The image viewer was closed.'));
  }

  /** A main-thread proxy for a source that lives in the worker. */
  private _source(
    handle: number,
    info: IImageInfo,
    planeCount: number
  ): IImageSource {
    const worker = this._worker;
    const check = (): void => {
      if (this._worker !== worker) {
        throw new DecodeError(
          'bad-argument',
          'The image decoder was restarted; reopen the image.'
        );
      }
    };
    return {
      info,
      planeCount,
      readPlane: async (index: number | IPlaneIndex) => {
        check();
        const res = await this._request({
          type: 'plane',
          id: 0,
          source: handle,
          index
        });
        return (res as { plane: INDArray }).plane;
      },
      readAll: async () => {
        check();
        const res = await this._request({ type: 'all', id: 0, source: handle });
        return (res as { image: IDecodedImage }).image;
      }
    };
  }

  private _request(
    req: DecodeRequest,
    transfer: Transferable[] = []
  ): Promise<DecodeResponse> {
    if (this._disposed) {
      return Promise.reject(new Error('The image loader is disposed.'));
    }
    const worker = this._ensureWorker();
    const id = ++this._ids;
    return new Promise<DecodeResponse>((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id }, transfer);
    });
  }

  private _ensureWorker(): Worker {
    if (!this._worker) {
      const worker = this._factory();
      worker.onmessage = (event: MessageEvent<DecodeResponse>) => {
        const res = event.data;
        const pending = this._pending.get(res.id);
        if (!pending) {
          return;
        }
        this._pending.delete(res.id);
        if (res.ok) {
          pending.resolve(res);
        } else if (res.kind === 'internal') {
          pending.reject(new Error(res.message));
        } else {
          pending.reject(new DecodeError(res.kind, res.message));
        }
      };
      worker.onerror = event => {
        event.preventDefault();
        this._restart(
          new Error(
            `The image decoder stopped unexpectedly (${event.message || 'out of memory?'}).`
          )
        );
      };
      this._worker = worker;
    }
    return this._worker;
  }

  /** Stop the worker and fail every pending request with `reason`. */
  private _restart(reason: Error): void {
    this._worker?.terminate();
    this._worker = null;
    const pending = [...this._pending.values()];
    this._pending.clear();
    pending.forEach(p => p.reject(reason));
  }

  private _worker: Worker | null = null;
  private _pending = new Map<number, IPending>();
  private _ids = 0;
  private _handles = 0;
  private _disposed = false;
}
