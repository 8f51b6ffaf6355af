/**
 * Messages between the viewer and its decoding worker. Types only, so both
 * sides can import this file without pulling in any code.
 */
import type { INDArray } from '../core/tensor/tensor';
import type { DecodeErrorKind } from '../core/formats/errors';
import type {
  IDecodedImage,
  IDecodeOptions,
  IImageInfo,
  IPlaneIndex
} from '../core/formats/types';

/** A request to the decoding worker; `id` pairs it with its response. */
export type DecodeRequest =
  | {
      type: 'open';
      id: number;
      /** Handle the main thread uses for later plane reads. */
      source: number;
      name: string;
      /** The file, either as bytes or as the contents API's base64 string. */
      bytes?: Uint8Array;
      base64?: string;
      opts: IDecodeOptions;
    }
  | { type: 'plane'; id: number; source: number; index: number | IPlaneIndex }
  | { type: 'all'; id: number; source: number }
  | { type: 'close'; id: number; source: number };

/** The worker's answer to one request. */
export type DecodeResponse =
  | { id: number; ok: true; info: IImageInfo; planeCount: number }
  | { id: number; ok: true; plane: INDArray }
  | { id: number; ok: true; image: IDecodedImage }
  | { id: number; ok: true }
  | {
      id: number;
      ok: false;
      kind: DecodeErrorKind | 'internal';
      message: string;
    };
