/**
 * The message shown instead of the image while it loads or when it cannot be
 * shown: what is wrong and what the user can do.
 */
import type { IViewerHost } from './types';
import { h } from '../../jupyter/dom';

/** The loading / error panel over the viewport. */
export class MessagePanel {
  readonly node = h('div', { className: 'jp-BioImage-message' });

  constructor(
    private readonly _viewer: IViewerHost,
    private readonly _onReopen?: (opts: { axes?: string }) => void
  ) {}

  update(): void {
    const { model, trans } = this._viewer;
    const key = `${model.status}:${model.error?.message ?? ''}:${model.name}`;
    if (key === this._key) {
      return;
    }
    this._key = key;
    this.node.replaceChildren();
    this.node.hidden = model.status === 'ready';
    this.node.classList.toggle('jp-mod-error', model.status === 'error');
    if (model.status === 'loading') {
      this.node.setAttribute('role', 'status');
      this.node.append(
        h('p', { textContent: trans.__('Opening %1…', model.name) })
      );
      return;
    }
    if (model.status !== 'error' || !model.error) {
      return;
    }
    const { kind, message } = model.error;
    this.node.setAttribute('role', 'alert');
    this.node.append(
      h('h2', {
        className: 'jp-BioImage-messageTitle',
        textContent: trans.__('Cannot display %1', model.name)
      }),
      h('p', { className: 'jp-BioImage-messageText', textContent: message })
    );
    const hint = this._hint(kind);
    if (hint) {
      this.node.append(
        h('p', { className: 'jp-BioImage-messageHint', textContent: hint })
      );
    }
    if (
      this._onReopen &&
      /\.npy$/i.test(model.name) &&
      (kind === 'unsupported-layout' || kind === 'bad-argument')
    ) {
      this.node.append(this._axesForm());
    }
  }

  /** What the user can do about each kind of problem. */
  private _hint(kind: string): string {
    const { trans } = this._viewer;
    switch (kind) {
      case 'too-large':
        return trans.__(
          'Raise "Largest image to open" in Settings → Settings Editor → BioImage Viewer, or open a cropped or downsampled copy.'
        );
      case 'truncated':
      case 'corrupt':
        return trans.__(
          'The file looks damaged or incomplete: copy or download it again, or re-save it from the program that made it.'
        );
      case 'unsupported-compression':
        return trans.__(
          'Re-save the image without compression, or with LZW, Deflate or PackBits (e.g. tifffile.imwrite(..., compression="zlib")).'
        );
      case 'unsupported-format':
      case 'unsupported-layout':
        return trans.__(
          'Convert the image to TIFF or NPY (e.g. with tifffile or numpy.save), or give its axes below if it is an NPY file.'
        );
      default:
        return '';
    }
  }

  private _axesForm(): HTMLElement {
    const { trans } = this._viewer;
    const input = h('input', {
      type: 'text',
      className: 'jp-BioImage-axesInput',
      placeholder: 'e.g. CZYX',
      'aria-label': trans.__('Axes of the array, one letter per dimension')
    });
    const button = h('button', {
      className: 'jp-mod-styled jp-mod-accept',
      textContent: trans.__('Open with these axes')
    });
    const form = h(
      'form',
      { className: 'jp-BioImage-axesForm' },
      h('label', { textContent: trans.__('Axes (letters from TCZYX):') }),
      input,
      button
    );
    form.addEventListener('submit', event => {
      event.preventDefault();
      const axes = input.value.trim().toUpperCase();
      if (axes) {
        this._onReopen?.({ axes });
      }
    });
    return form;
  }

  private _key = '';
}
