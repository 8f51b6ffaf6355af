/**
 * The viewer's own toolbar: zoom in/out, fit, 1:1, the zoom level, and
 * saving (view as PNG, image as TIFF).
 */
import { h } from '../jupyter/dom';
import { blobBytes, sourceToTiff, stemOf } from './save';
import type { IViewerToolbarHost } from './controls/types';

/** Toolbar of one viewer. */
export class ViewerToolbar {
  readonly node = h('div', {
    className: 'jp-BioImage-viewerToolbar',
    role: 'toolbar'
  });

  constructor(private readonly _viewer: IViewerToolbarHost) {
    const { trans } = _viewer;
    const button = (
      cls: string,
      text: string,
      label: string,
      action: () => void
    ): HTMLButtonElement => {
      const b = h('button', {
        className: `jp-mod-styled jp-BioImage-tool ${cls}`,
        textContent: text,
        title: label,
        'aria-label': label
      });
      b.addEventListener('click', action);
      return b;
    };
    this._zoom = h('span', { className: 'jp-BioImage-zoomLevel' });
    this._feedback = h('span', {
      className: 'jp-BioImage-toolFeedback',
      role: 'status'
    });
    this._saveButtons = [
      button(
        'jp-BioImage-exportPng',
        trans.__('PNG'),
        trans.__('Save the current view as PNG'),
        () => void this.save('png')
      ),
      button(
        'jp-BioImage-saveTiff',
        trans.__('TIFF'),
        trans.__('Save the image as TIFF'),
        () => void this.save('tiff')
      )
    ];
    this.node.append(
      button('jp-BioImage-zoomOut', '−', trans.__('Zoom out (-)'), () =>
        _viewer.zoomBy(0.8)
      ),
      this._zoom,
      button('jp-BioImage-zoomIn', '+', trans.__('Zoom in (+)'), () =>
        _viewer.zoomBy(1.25)
      ),
      button(
        'jp-BioImage-fit',
        trans.__('Fit'),
        trans.__('Fit to the window (0)'),
        () => _viewer.fit()
      ),
      button('jp-BioImage-actual', '1:1', trans.__('Actual size (1)'), () =>
        _viewer.actualSize()
      ),
      ...this._saveButtons,
      this._feedback
    );
  }

  update(): void {
    const ready = this._viewer.model.status === 'ready';
    this.node.hidden = !ready;
    this._saveButtons.forEach(b => (b.hidden = !this._viewer.io));
  }

  setZoom(scale: number): void {
    this._zoom.textContent = `${Math.round(scale * 100)}%`;
  }

  /** Save the view (PNG) or the image (TIFF) next to the image; the result shows in the toolbar. */
  async save(kind: 'png' | 'tiff'): Promise<void> {
    const { io, model, trans } = this._viewer;
    if (!io || !model.source) {
      return;
    }
    try {
      const stem = stemOf(model.name);
      const saved =
        kind === 'png'
          ? await io.saveFile(
              `${stem}_view.png`,
              await blobBytes(await this._viewer.toPng())
            )
          : await io.saveFile(
              `${stem}_copy.tif`,
              await sourceToTiff(model.source)
            );
      this._feedback.textContent = trans.__('Saved %1', saved);
    } catch (e) {
      this._feedback.textContent = (e as Error).message;
    }
  }

  private _zoom: HTMLElement;
  private _feedback: HTMLElement;
  private _saveButtons: HTMLButtonElement[];
}
