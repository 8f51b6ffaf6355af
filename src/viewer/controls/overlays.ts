/**
 * Overlay controls: add a second image from a file (labels or heatmap), show,
 * fade, outline, save or remove each overlay, and choose the compare mode.
 */
import type { CompareMode, OverlayKind } from '../model';
import { sourceToTiff, stemOf } from '../save';
import type { IViewerHost } from './types';
import { h, section } from '../../jupyter/dom';

/** The overlays section of the sidebar. */
export class OverlaysPanel {
  readonly node: HTMLElement;

  constructor(private readonly _viewer: IViewerHost) {
    const { trans } = _viewer;
    const { node, body } = section(
      trans.__('Overlays'),
      'jp-BioImage-overlays'
    );
    this.node = node;
    this._list = h('div', { className: 'jp-BioImage-overlayList' });
    this._compare = h('div', { className: 'jp-BioImage-compareRow' });
    this._feedback = h('div', {
      className: 'jp-BioImage-overlayFeedback',
      role: 'status'
    });
    body.append(this._list, this._compare, this._makeForm(), this._feedback);
    this._buildCompare();
  }

  /** Add an overlay from a file path (relative to the image's folder). */
  async addFromFile(path: string, kind: OverlayKind): Promise<void> {
    const { io, model, trans } = this._viewer;
    if (!io) {
      throw new Error(trans.__('This viewer cannot open files.'));
    }
    this._say(trans.__('Opening %1…', path), false);
    try {
      const source = await io.openImage(path);
      await model.addOverlay(source, stemOf(path), kind);
      this._say('', false);
    } catch (e) {
      this._say((e as Error).message, true);
      throw e;
    }
  }

  update(): void {
    const m = this._viewer.model;
    this.node.hidden = m.status !== 'ready';
    this._form.hidden = !this._viewer.io;
    const key = m.overlays.map(o => o.id).join(',');
    if (key !== this._key) {
      this._key = key;
      this._list.replaceChildren(...m.overlays.map(o => this._makeRow(o.id)));
    }
    m.overlays.forEach(o => {
      const row = this._list.querySelector(`[data-overlay="${o.id}"]`);
      const q = <T extends Element>(s: string) => row?.querySelector(s) as T;
      q<HTMLInputElement>('.jp-BioImage-overlayVisible').checked = o.visible;
      q<HTMLInputElement>('.jp-BioImage-overlayOpacity').value = String(
        o.opacity
      );
      const outline = q<HTMLInputElement>('.jp-BioImage-overlayOutline');
      if (outline) {
        outline.checked = o.outline;
      }
    });
    this._compare.hidden = m.overlays.length === 0;
    this._mode.value = m.compareMode;
    this._swipe.hidden = m.compareMode !== 'swipe';
    this._swipe.value = String(m.swipe);
  }

  private _say(text: string, error: boolean): void {
    this._feedback.textContent = text;
    this._feedback.classList.toggle('jp-mod-error', error);
    this._feedback.setAttribute('role', error ? 'alert' : 'status');
  }

  private _makeForm(): HTMLElement {
    const { trans } = this._viewer;
    const path = h('input', {
      type: 'text',
      className: 'jp-BioImage-overlayPath',
      placeholder: trans.__('mask.tif'),
      'aria-label': trans.__('Overlay file, relative to this image')
    });
    const kind = h(
      'select',
      {
        className: 'jp-BioImage-overlayKind',
        'aria-label': trans.__('Overlay type')
      },
      h('option', { value: 'labels', textContent: trans.__('labels') }),
      h('option', { value: 'heatmap', textContent: trans.__('heatmap') })
    );
    const add = h('button', {
      className: 'jp-mod-styled jp-BioImage-overlayAdd',
      type: 'submit',
      textContent: trans.__('Add overlay')
    });
    this._form = h(
      'form',
      { className: 'jp-BioImage-overlayForm' },
      path,
      kind,
      add
    );
    this._form.addEventListener('submit', event => {
      event.preventDefault();
      if (path.value.trim()) {
        this.addFromFile(path.value.trim(), kind.value as OverlayKind).catch(
          () => undefined // shown in the feedback line
        );
      }
    });
    return this._form;
  }

  private _makeRow(id: number): HTMLElement {
    const { model, trans, io } = this._viewer;
    const o = model.overlays.find(x => x.id === id)!;
    const visible = h('input', {
      type: 'checkbox',
      className: 'jp-BioImage-overlayVisible',
      'aria-label': trans.__('Show overlay %1', o.name)
    });
    visible.addEventListener('change', () =>
      model.setOverlay(id, { visible: visible.checked })
    );
    const opacity = h('input', {
      type: 'range',
      min: 0,
      max: 1,
      step: 0.05,
      className: 'jp-BioImage-overlayOpacity',
      'aria-label': trans.__('Opacity of %1', o.name)
    });
    opacity.addEventListener('input', () =>
      model.setOverlay(id, { opacity: Number(opacity.value) })
    );
    const row = h(
      'div',
      { className: 'jp-BioImage-overlay', 'data-overlay': id },
      h(
        'label',
        { className: 'jp-BioImage-overlayName' },
        visible,
        ` ${o.name} (${o.kind === 'labels' ? trans.__('labels') : trans.__('heatmap')})`
      ),
      opacity
    );
    if (o.kind === 'labels') {
      const outline = h('input', {
        type: 'checkbox',
        className: 'jp-BioImage-overlayOutline'
      });
      outline.addEventListener('change', () =>
        model.setOverlay(id, { outline: outline.checked })
      );
      row.append(h('label', {}, outline, ` ${trans.__('outlines')}`));
    }
    if (io) {
      const save = h('button', {
        className: 'jp-mod-styled jp-BioImage-overlaySave',
        textContent: trans.__('Save TIFF'),
        title: trans.__('Save this overlay as a TIFF next to the image')
      });
      save.addEventListener('click', async () => {
        try {
          const bytes = await sourceToTiff(o.source);
          const name = `${stemOf(model.name)}_${o.name}.tif`;
          const saved = await io.saveFile(name, bytes);
          this._say(trans.__('Saved %1', saved), false);
        } catch (e) {
          this._say((e as Error).message, true);
        }
      });
      row.append(save);
    }
    const remove = h('button', {
      className: 'jp-mod-styled jp-BioImage-overlayRemove',
      textContent: '×',
      'aria-label': trans.__('Remove overlay %1', o.name)
    });
    remove.addEventListener('click', () => model.removeOverlay(id));
    row.append(remove);
    return row;
  }

  private _buildCompare(): void {
    const { trans, model } = this._viewer;
    this._mode = h(
      'select',
      {
        className: 'jp-BioImage-compareMode',
        'aria-label': trans.__('Compare mode')
      },
      h('option', { value: 'overlay', textContent: trans.__('overlay') }),
      h('option', { value: 'swipe', textContent: trans.__('swipe') }),
      h('option', {
        value: 'side-by-side',
        textContent: trans.__('side by side')
      })
    );
    this._mode.addEventListener('change', () =>
      model.setCompare(this._mode.value as CompareMode)
    );
    this._swipe = h('input', {
      type: 'range',
      min: 0,
      max: 1,
      step: 0.01,
      className: 'jp-BioImage-swipe',
      'aria-label': trans.__('Swipe position')
    });
    this._swipe.addEventListener('input', () =>
      model.setCompare('swipe', Number(this._swipe.value))
    );
    this._compare.append(
      h('label', {}, trans.__('Compare'), ' ', this._mode),
      this._swipe
    );
  }

  private _list: HTMLElement;
  private _compare: HTMLElement;
  private _feedback: HTMLElement;
  private _form!: HTMLFormElement;
  private _mode!: HTMLSelectElement;
  private _swipe!: HTMLInputElement;
  private _key = '';
}
