/**
 * The viewer's decoding worker: parses image files and reads planes off the
 * main thread, so a large or hostile file never blocks the page. It imports
 * only the pure decoder (never @jupyterlab/* or @lumino/*).
 */
import { base64ToBytes } from '../core/formats/base64';
import type { DecodeRequest, DecodeResponse } from './decode-protocol';
import { DecodeError, type IImageSource, openImage } from '../core/formats';

const sources = new Map<number, IImageSource>();

interface IWorkerScope {
  postMessage(message: DecodeResponse, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
}

const scope = self as unknown as IWorkerScope;

/** Answer one request. */
async function handle(req: DecodeRequest): Promise<void> {
  try {
    switch (req.type) {
      case 'open': {
        const bytes = req.bytes ?? base64ToBytes(req.base64 ?? '');
        const source = await openImage(bytes, req.name, req.opts);
        sources.set(req.source, source);
        scope.postMessage({
          id: req.id,
          ok: true,
          info: source.info,
          planeCount: source.planeCount
        });
        return;
      }
      case 'plane': {
        const plane = await sourceOf(req.source).readPlane(req.index);
        const buffer = plane.data.buffer as ArrayBuffer;
        // Transfer only buffers that hold just this plane (a copy otherwise).
        const whole = plane.data.byteLength === buffer.byteLength;
        scope.postMessage(
          { id: req.id, ok: true, plane },
          whole ? [buffer] : []
        );
        return;
      }
      case 'all': {
        const image = await sourceOf(req.source).readAll();
        scope.postMessage({ id: req.id, ok: true, image });
        return;
      }
      case 'close':
        sources.delete(req.source);
        scope.postMessage({ id: req.id, ok: true });
        return;
    }
  } catch (e) {
    const err = e as Error;
    scope.postMessage({
      id: req.id,
      ok: false,
      kind: e instanceof DecodeError ? e.kind : 'internal',
      message: err?.message ?? String(e)
    });
  }
}

/** The open source with this handle. */
function sourceOf(handle: number): IImageSource {
  const source = sources.get(handle);
  if (!source) {
    throw new DecodeError('bad-argument', 'The image was closed.');
  }
  return source;
}

scope.onmessage = event => {
  void handle(event.data);
};
