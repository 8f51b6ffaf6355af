/**
 * Renders `show(array)` output from the kernel: a MIME bundle
 * (`application/vnd.bioimage.array+json`) with dtype, shape, axes and the
 * base64 little-endian C-order data, shown in the same viewer as files.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { type ITranslator, nullTranslator } from '@jupyterlab/translation';
import { PanelLayout, Widget } from '@lumino/widgets';

import {
  allocate,
  BYTES_PER_ELEMENT,
  DTYPES,
  type DType,
  type INDArray
} from '../core/tensor/tensor';
import { base64ToBytes } from '../core/formats/base64';
import { type IDecodedImage, normaliseAxes } from '../core/formats';
import { memorySource } from '../core/formats/planes';
import {
  ImageModel,
  type IImageModelDefaults,
  type OverlayKind
} from './model';
import type { RendererPreference } from './renderers/types';
import { ImageViewer } from './widget';

/** The MIME type written by `jupyterlab_bioimage.show`. */
export const BIOIMAGE_MIME_TYPE = 'application/vnd.bioimage.array+json';

/** One array in the bundle. */
export interface IArrayPayload {
  dtype: DType;
  shape: number[];
  axes: string;
  /** base64 of the little-endian, C-order bytes */
  data: string;
}

/** The bundle's JSON. */
export interface IShowPayload extends IArrayPayload {
  name?: string;
  /** Pixel size, e.g. {x: [0.5, 'µm'], y: [0.5, 'µm']}. */
  physical_size?: Record<string, [number, string]>;
  overlays?: (IArrayPayload & { name: string; kind: OverlayKind })[];
}

/** Element types the viewer draws (no 64-bit integers). */
const VIEWER_DTYPES = new Set<string>(
  DTYPES.filter(d => d !== 'uint64' && d !== 'int64')
);

/**
 * Rebuild an array from the payload.
 *
 * @throws Error with a user-facing message for bad payloads.
 */
export function arrayFromPayload(p: IArrayPayload): INDArray {
  if (!VIEWER_DTYPES.has(p.dtype)) {
    throw new Error(`show(): dtype ${p.dtype} is not supported by the viewer.`);
  }
  const item = BYTES_PER_ELEMENT[p.dtype];
  const bytes = base64ToBytes(p.data);
  const n = p.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n * item) {
    throw new Error(
      `show(): got ${bytes.length} bytes for shape [${p.shape.join(', ')}] ${p.dtype} (need ${n * item}).`
    );
  }
  const dtype: DType = p.dtype === 'bool' ? 'uint8' : p.dtype;
  const data = allocate(dtype, n);
  new Uint8Array(data.buffer).set(bytes);
  return { dtype, shape: p.shape.slice(), data };
}

/** A decoded image from a payload (axes checked). */
export function imageFromPayload(
  p: IShowPayload | IArrayPayload
): IDecodedImage {
  const axes = normaliseAxes(p.axes ?? '');
  if (
    !axes ||
    axes.length !== p.shape.length ||
    axes !== p.axes.toUpperCase()
  ) {
    throw new Error(
      `show(): axes '${p.axes}' do not fit shape [${p.shape.join(', ')}]; give one letter from TCZYX per dimension.`
    );
  }
  const array = arrayFromPayload(p);
  const physical = (p as IShowPayload).physical_size;
  const q = (k: string) =>
    physical?.[k] ? { value: physical[k][0], unit: physical[k][1] } : undefined;
  return {
    shape: array.shape,
    dtype: array.dtype,
    axes,
    array,
    physicalSize: physical ? { x: q('x'), y: q('y'), z: q('z') } : undefined,
    source: {
      format: 'npy',
      planeCount: 1,
      axesSource: 'show()',
      warnings: []
    }
  };
}

/** The output-area renderer. */
export class BioImageMimeRenderer
  extends Widget
  implements IRenderMime.IRenderer
{
  constructor(
    options: IRenderMime.IRendererOptions,
    defaults: () => Partial<IImageModelDefaults> & {
      renderer?: RendererPreference;
    },
    translator: ITranslator = nullTranslator
  ) {
    super();
    this.addClass('jp-BioImage-mimeViewer');
    this._mimeType = options.mimeType;
    const settings = defaults();
    this.model = new ImageModel(settings);
    this.viewer = new ImageViewer({
      model: this.model,
      translator,
      renderer: settings.renderer
    });
    const layout = new PanelLayout();
    layout.addWidget(this.viewer);
    this.layout = layout;
  }

  readonly model: ImageModel;
  readonly viewer: ImageViewer;

  async renderModel(mime: IRenderMime.IMimeModel): Promise<void> {
    const p = mime.data[this._mimeType] as unknown as IShowPayload;
    const name = p?.name || 'array';
    try {
      const image = imageFromPayload(p);
      await this.model.setSource(memorySource(image), name);
      for (const o of p.overlays ?? []) {
        await this.model.addOverlay(
          memorySource(imageFromPayload(o)),
          o.name,
          o.kind
        );
      }
    } catch (e) {
      this.model.setError(
        { kind: 'bad-argument', message: (e as Error).message },
        name
      );
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose();
    this.model.dispose();
  }

  private _mimeType: string;
}
