/**
 * The document side of the viewer: `ImageDocument` (a `DocumentWidget` that
 * loads its file into an `ImageModel`) and `ImageViewerFactory`.
 */
import { PathExt } from '@jupyterlab/coreutils';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget
} from '@jupyterlab/docregistry';
import type { Contents } from '@jupyterlab/services';
import type { ITranslator } from '@jupyterlab/translation';

import { DecodeError, formatBytes } from '../core/formats';
import { ContentsViewerIO } from './io';
import { createImageLoader, type IImageLoader } from './loader';
import { ImageModel, type IImageModelDefaults } from './model';
import type { RendererPreference } from './renderers/types';
import { ImageViewer } from './widget';
import { VIEWER_FACTORY } from '../tokens';

/** Name of the widget factory (shown in "Open With"). */
export const FACTORY_NAME = VIEWER_FACTORY;

/** Settings the factory reads each time it opens a file. */
export interface IViewerSettings extends IImageModelDefaults {
  /** Largest decoded image, in bytes. */
  maxBytes: number;
  /** Which renderer new viewers use ('auto' when not set). */
  renderer?: RendererPreference;
}

/** An image file open in the BioImage viewer. */
export class ImageDocument extends DocumentWidget<ImageViewer> {
  constructor(options: ImageDocument.IOptions) {
    super(options);
    this._loader = options.loader;
    this._settings = options.settings;
    this.addClass('jp-BioImage-document');
    void this.context.ready.then(() => {
      void this.load();
      this.context.model.contentChanged.connect(this._onContentChanged, this);
    });
  }

  /** The viewer's state: the image, position, display settings, overlays. */
  get model(): ImageModel {
    return this.content.model;
  }

  /**
   * (Re)load the file into the model; `axes` overrides the axes guess of
   * NPY files. Problems are shown in the viewer, never thrown.
   */
  async load(opts: { axes?: string } = {}): Promise<void> {
    const name = PathExt.basename(this.context.path);
    const model = this.model;
    const { maxBytes } = this._settings();
    model.setLoading(name);
    try {
      const size = this.context.contentsModel?.size;
      if (size !== undefined && size !== null && size > maxBytes) {
        throw new DecodeError(
          'too-large',
          `${name}: the file is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} limit.`
        );
      }
      const source = await this._loader.open(
        { base64: this.context.model.toString() },
        name,
        { maxBytes, ...opts }
      );
      await model.setSource(source, name);
    } catch (e) {
      model.setError(
        {
          kind: (e as DecodeError).kind ?? 'internal',
          message: (e as Error).message ?? String(e)
        },
        name
      );
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    const model = this.model;
    this._loader.dispose();
    super.dispose();
    model.dispose();
  }

  private _onContentChanged(): void {
    // the file changed on disk and was reverted: show the new content
    if (this.model.status !== 'loading') {
      void this.load();
    }
  }

  private _loader: IImageLoader;
  private _settings: () => IViewerSettings;
}

/** The types of ImageDocument. */
export namespace ImageDocument {
  export interface IOptions extends DocumentWidget.IOptions<
    ImageViewer,
    DocumentRegistry.IModel
  > {
    loader: IImageLoader;
    settings: () => IViewerSettings;
  }
}

/** Creates BioImage viewers for image files. */
export class ImageViewerFactory extends ABCWidgetFactory<
  ImageDocument,
  DocumentRegistry.IModel
> {
  constructor(options: ImageViewerFactory.IOptions) {
    super(options);
    this._contents = options.contents;
    this._settings = options.settings;
  }

  protected createNewWidget(
    context: DocumentRegistry.IContext<DocumentRegistry.IModel>
  ): ImageDocument {
    const settings = this._settings;
    const loader = createImageLoader();
    const model = new ImageModel(settings());
    const io = this._contents
      ? new ContentsViewerIO({
          contents: this._contents,
          loader,
          directory: PathExt.dirname(context.path),
          maxBytes: () => settings().maxBytes
        })
      : null;
    let doc: ImageDocument | null = null;
    const content = new ImageViewer({
      model,
      io,
      translator: this.translator,
      renderer: settings().renderer,
      onReopen: opts => void doc?.load(opts)
    });
    doc = new ImageDocument({ context, content, loader, settings });
    return doc;
  }

  private _contents: Contents.IManager | null;
  private _settings: () => IViewerSettings;
}

/** The types of ImageViewerFactory. */
export namespace ImageViewerFactory {
  export interface IOptions extends DocumentRegistry.IWidgetFactoryOptions<ImageDocument> {
    contents: Contents.IManager | null;
    settings: () => IViewerSettings;
    translator?: ITranslator;
  }
}
