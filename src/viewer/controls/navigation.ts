/**
 * Sliders for Z and T, with a label showing the current plane.
 */
import type { IViewerHost } from './types';
import { h, section } from '../../jupyter/dom';

/** One labelled axis slider. */
interface IAxisSlider {
  row: HTMLElement;
  input: HTMLInputElement;
  label: HTMLElement;
}

/** The navigation section of the sidebar. */
export class NavigationPanel {
  readonly node: HTMLElement;

  constructor(private readonly _viewer: IViewerHost) {
    const { trans } = _viewer;
    const { node, body } = section(
      trans.__('Navigation'),
      'jp-BioImage-navigation'
    );
    this.node = node;
    this._z = this._slider('z', trans.__('Z plane'));
    this._t = this._slider('t', trans.__('Time point'));
    body.append(this._z.row, this._t.row);
  }

  /** The Z slider (for tests and keyboard users). */
  get zSlider(): HTMLInputElement {
    return this._z.input;
  }

  get tSlider(): HTMLInputElement {
    return this._t.input;
  }

  update(): void {
    const m = this._viewer.model;
    const ready = m.status === 'ready';
    this.node.hidden = !ready || (m.sizeZ <= 1 && m.sizeT <= 1);
    this._set(this._z, m.z, m.sizeZ, 'z');
    this._set(this._t, m.t, m.sizeT, 't');
  }

  private _set(s: IAxisSlider, v: number, n: number, name: string): void {
    s.row.hidden = n <= 1;
    s.input.max = String(Math.max(0, n - 1));
    if (document.activeElement !== s.input || s.input.value !== String(v)) {
      s.input.value = String(v);
    }
    s.label.textContent = `${name} ${v + 1} / ${n}`;
    s.input.setAttribute('aria-valuetext', `${name} ${v + 1} of ${n}`);
  }

  private _slider(axis: 'z' | 't', title: string): IAxisSlider {
    const input = h('input', {
      type: 'range',
      min: 0,
      max: 0,
      step: 1,
      className: `jp-BioImage-slider jp-BioImage-${axis}Slider`,
      'aria-label': title
    });
    const label = h('span', {
      className: `jp-BioImage-sliderLabel jp-BioImage-${axis}Label`
    });
    input.addEventListener('input', () => {
      void this._viewer.model.setPosition({ [axis]: Number(input.value) });
    });
    const row = h('div', { className: 'jp-BioImage-sliderRow' }, label, input);
    return { row, input, label };
  }

  private _z: IAxisSlider;
  private _t: IAxisSlider;
}
