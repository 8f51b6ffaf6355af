/**
 * Per-channel display controls: visibility, colour map, contrast window
 * (min/max), gamma, percentile auto-contrast, and a histogram with the window.
 */
import { COLORMAP_NAMES, type Colormap } from '../display';
import { fmt } from '../view';
import type { IViewerHost } from './types';
import { h, section } from '../../jupyter/dom';
import { drawHistogram } from './histogram';

/** Controls of one channel. */
interface IChannelRow {
  node: HTMLElement;
  visible: HTMLInputElement;
  colormap: HTMLSelectElement;
  min: HTMLInputElement;
  max: HTMLInputElement;
  gamma: HTMLInputElement;
  histogram: HTMLCanvasElement;
  range: HTMLElement;
}

/** The channels section of the sidebar. */
export class ChannelsPanel {
  readonly node: HTMLElement;

  constructor(private readonly _viewer: IViewerHost) {
    const { node, body } = section(
      _viewer.trans.__('Channels'),
      'jp-BioImage-channels'
    );
    this.node = node;
    this._body = body;
  }

  /** The controls of channel c. */
  row(c: number): IChannelRow | undefined {
    return this._rows[c];
  }

  update(): void {
    const m = this._viewer.model;
    this.node.hidden = m.status !== 'ready';
    if (m.status !== 'ready') {
      return;
    }
    const key = `${m.name}:${m.info?.shape.join(',')}:${m.channels.length}`;
    if (key !== this._key) {
      this._key = key;
      this._rows = m.channels.map((_, c) => this._makeRow(c));
      this._body.replaceChildren(...this._rows.map(r => r.node));
    }
    m.channels.forEach((ch, c) => {
      const r = this._rows[c];
      r.visible.checked = ch.visible;
      r.colormap.value = typeof ch.colormap === 'string' ? ch.colormap : 'grey';
      setUnlessFocused(r.min, fmt(ch.min));
      setUnlessFocused(r.max, fmt(ch.max));
      setUnlessFocused(r.gamma, fmt(ch.gamma));
      const hist = m.histograms[c];
      r.range.textContent = hist
        ? this._viewer.trans.__(
            'plane range %1 – %2',
            fmt(hist.min),
            fmt(hist.max)
          )
        : '';
      drawHistogram(r.histogram, hist, ch);
    });
  }

  private _makeRow(c: number): IChannelRow {
    const { trans, model } = this._viewer;
    const name = model.channels[c].name;
    const visible = h('input', {
      type: 'checkbox',
      className: 'jp-BioImage-channelVisible',
      'aria-label': trans.__('Show channel %1', name)
    });
    visible.addEventListener('change', () =>
      model.setChannel(c, { visible: visible.checked })
    );
    const colormap = h('select', {
      className: 'jp-BioImage-channelColormap',
      'aria-label': trans.__('Colour of channel %1', name)
    });
    for (const cm of COLORMAP_NAMES) {
      colormap.append(h('option', { value: cm, textContent: cm }));
    }
    colormap.addEventListener('change', () =>
      model.setChannel(c, { colormap: colormap.value as Colormap })
    );
    const num = (cls: string, label: string, step = 'any'): HTMLInputElement =>
      h('input', {
        type: 'number',
        step,
        className: `jp-BioImage-number ${cls}`,
        'aria-label': label
      });
    const min = num(
      'jp-BioImage-contrastMin',
      trans.__('Minimum of channel %1', name)
    );
    const max = num(
      'jp-BioImage-contrastMax',
      trans.__('Maximum of channel %1', name)
    );
    const gamma = num(
      'jp-BioImage-gamma',
      trans.__('Gamma of channel %1', name),
      '0.05'
    );
    gamma.min = '0.05';
    const commit = (): void => {
      const lo = Number(min.value);
      const hi = Number(max.value);
      const g = Number(gamma.value);
      if (Number.isFinite(lo) && Number.isFinite(hi) && g > 0) {
        model.setChannel(c, { min: lo, max: hi, gamma: g });
      }
    };
    for (const input of [min, max, gamma]) {
      input.addEventListener('change', commit);
    }
    const auto = h('button', {
      className: 'jp-mod-styled jp-BioImage-autoContrast',
      textContent: trans.__('Auto'),
      title: trans.__(
        'Set the window to the %1–%2 percentiles of this plane',
        model.defaults.lowPercentile,
        model.defaults.highPercentile
      )
    });
    auto.addEventListener('click', () => model.autoContrast(c));
    const histogram = h('canvas', {
      className: 'jp-BioImage-histogram',
      width: 200,
      height: 48,
      role: 'img',
      'aria-label': trans.__('Histogram of channel %1', name)
    });
    const range = h('div', { className: 'jp-BioImage-histRange' });
    const node = h(
      'div',
      { className: 'jp-BioImage-channel', 'data-channel': c },
      h(
        'div',
        { className: 'jp-BioImage-channelHeader' },
        h('label', {}, visible, ` ${name}`),
        colormap
      ),
      histogram,
      range,
      h(
        'div',
        { className: 'jp-BioImage-contrastRow' },
        h('label', {}, trans.__('min'), min),
        h('label', {}, trans.__('max'), max),
        h('label', {}, trans.__('γ'), gamma),
        auto
      )
    );
    return { node, visible, colormap, min, max, gamma, histogram, range };
  }

  private _body: HTMLElement;
  private _rows: IChannelRow[] = [];
  private _key = '';
}

/** Update an input unless the user is typing in it. */
function setUnlessFocused(input: HTMLInputElement, value: string): void {
  if (document.activeElement !== input) {
    input.value = value;
  }
}
