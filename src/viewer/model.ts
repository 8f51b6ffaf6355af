/**
 * `ImageModel`: what the viewer shows and how. It owns the opened image (an
 * `IImageSource`), the position along T and Z, per-channel display settings
 * (colour map, contrast window, gamma, visibility), overlays, and the planes
 * currently loaded; every change is announced through `changed`. It is
 * over 500 lines because it is one state object with one signal: splitting
 * it would split that state.
 */
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { INDArray } from '../core/tensor/tensor';
import type { IImageInfo, IImageSource } from '../core/formats';
import { planeAxes } from '../core/formats/planes';
import {
  autoContrast,
  type Colormap,
  histogram,
  type IChannelDisplay,
  type IHistogram,
  type IPlane,
  planeView
} from './display';

/** Which part of the model changed. */
export type ImageModelChange =
  | 'status'
  | 'image'
  | 'position'
  | 'planes'
  | 'display'
  | 'overlays'
  | 'compare';

/** Loading state of the model. */
export type ImageStatus = 'empty' | 'loading' | 'ready' | 'error';

/** How a second image is drawn over the first. */
export type OverlayKind = 'labels' | 'heatmap';

/** How an overlay is compared with the image. */
export type CompareMode = 'overlay' | 'swipe' | 'side-by-side';

/** Display settings of one channel. */
export interface IChannelState extends IChannelDisplay {
  name: string;
  visible: boolean;
  gamma: number;
}

/** One overlay: a second image layered on the first. */
export interface IOverlay {
  readonly id: number;
  readonly name: string;
  readonly kind: OverlayKind;
  readonly source: IImageSource;
  visible: boolean;
  /** Fill opacity (labels) or maximum opacity (heatmap), 0–1. */
  opacity: number;
  /** Labels: draw outlines at full opacity. */
  outline: boolean;
  /** Heatmap: colour map and value window. */
  colormap: Colormap;
  min: number;
  max: number;
}

/** A problem that stopped the image from showing, for the message panel. */
export interface IImageError {
  kind: string;
  message: string;
}

/** Defaults the model applies when an image is opened. */
export interface IImageModelDefaults {
  /** Auto-contrast percentiles (default 0.1 and 99.9). */
  lowPercentile: number;
  highPercentile: number;
  /** Colour maps for multi-channel images, channel by channel. */
  colormaps: Colormap[];
  /** Colour map of single-channel images. */
  singleColormap: Colormap;
}

/** Default settings (also the schema defaults). */
export const DEFAULT_MODEL_DEFAULTS: IImageModelDefaults = {
  lowPercentile: 0.1,
  highPercentile: 99.9,
  colormaps: ['green', 'magenta', 'cyan', 'yellow', 'red', 'blue'],
  singleColormap: 'grey'
};

/** Number of planes kept in memory for fast scrubbing. */
const PLANE_CACHE_SIZE = 48;

/** The viewer's state. */
export class ImageModel implements IDisposable {
  constructor(defaults: Partial<IImageModelDefaults> = {}) {
    this.defaults = { ...DEFAULT_MODEL_DEFAULTS, ...defaults };
  }

  /** Settings applied when an image is opened. */
  defaults: IImageModelDefaults;

  /** Emits which part changed. */
  get changed(): ISignal<this, ImageModelChange> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  get status(): ImageStatus {
    return this._status;
  }

  get error(): IImageError | null {
    return this._error;
  }

  /** Name of the image (file name or the name given to `show()`). */
  get name(): string {
    return this._name;
  }

  get source(): IImageSource | null {
    return this._source;
  }

  get info(): IImageInfo | null {
    return this._source?.info ?? null;
  }

  /** Image width and height in pixels (0 before an image is set). */
  get width(): number {
    return this._size('X');
  }

  get height(): number {
    return this._size('Y');
  }

  /** Sizes along T, C and Z (1 when the axis is absent). */
  get sizeT(): number {
    return this._size('T') || 1;
  }

  get sizeC(): number {
    return this._size('C') || 1;
  }

  get sizeZ(): number {
    return this._size('Z') || 1;
  }

  get t(): number {
    return this._t;
  }

  get z(): number {
    return this._z;
  }

  get channels(): readonly IChannelState[] {
    return this._channels;
  }

  get overlays(): readonly IOverlay[] {
    return this._overlays;
  }

  get compareMode(): CompareMode {
    return this._compare;
  }

  /** Swipe position, 0–1 of the width (overlay shown left of it). */
  get swipe(): number {
    return this._swipe;
  }

  /** Raw planes of the current (t, z), one per channel (YX each), or null. */
  get planes(): IPlane[] | null {
    return this._planes;
  }

  /** Planes of the visible overlays at the current (t, z), by overlay id. */
  get overlayPlanes(): ReadonlyMap<number, IPlane> {
    return this._overlayPlanes;
  }

  /** Histograms of the current planes, one per channel. */
  get histograms(): IHistogram[] {
    return this._histograms;
  }

  /** Resolves when the planes of the current position are loaded. */
  get loaded(): Promise<void> {
    return this._loading;
  }

  /** Show that a file is being opened. */
  setLoading(name: string): void {
    this._name = name;
    this._status = 'loading';
    this._error = null;
    this._changed.emit('status');
  }

  /** Show a problem instead of the image. */
  setError(error: IImageError, name?: string): void {
    this._name = name ?? this._name;
    this._status = 'error';
    this._error = error;
    this._changed.emit('status');
  }

  /**
   * Show an opened image: resets the position (middle of Z), channel settings
   * (auto-contrast per channel on the first planes) and overlays.
   */
  async setSource(source: IImageSource, name: string): Promise<void> {
    this._source = source;
    this._name = name;
    this._cache.clear();
    this._overlays = [];
    this._t = 0;
    this._z = Math.floor(
      (source.info.axes.includes('Z') ? this._size('Z') : 1) / 2
    );
    const n = this.sizeC;
    const names = source.info.channelNames ?? [];
    this._channels = Array.from({ length: n }, (_, c) => ({
      name: names[c] ?? (n > 1 ? `C${c}` : 'intensity'),
      colormap:
        n === 1
          ? this.defaults.singleColormap
          : n === 3 && source.info.axes.endsWith('YXC')
            ? (['red', 'green', 'blue'] as Colormap[])[c]
            : this.defaults.colormaps[c % this.defaults.colormaps.length],
      visible: true,
      min: 0,
      max: 1,
      gamma: 1
    }));
    this._error = null;
    this._planes = null;
    // Errors here (e.g. a damaged plane) propagate to the caller.
    const load = this._doLoad(++this._ticket);
    this._loading = load.catch(() => undefined);
    await load;
    this._channels.forEach((_, c) => this._autoContrast(c));
    this._status = 'ready';
    this._changed.emit('image');
  }

  /** Move to another (t, z); values are clamped. Planes load asynchronously. */
  setPosition(pos: { t?: number; z?: number }): Promise<void> {
    const t = clamp(Math.round(pos.t ?? this._t), 0, this.sizeT - 1);
    const z = clamp(Math.round(pos.z ?? this._z), 0, this.sizeZ - 1);
    if (t === this._t && z === this._z) {
      return this._loading;
    }
    this._t = t;
    this._z = z;
    this._changed.emit('position');
    return this._loadPlanes();
  }

  /** Change a channel's display settings. */
  setChannel(c: number, patch: Partial<IChannelState>): void {
    const ch = this._channels[c];
    if (!ch) {
      throw new RangeError(`no channel ${c}`);
    }
    Object.assign(ch, patch);
    this._changed.emit('display');
  }

  /**
   * Percentile auto-contrast of channel `c` (all channels when omitted) on the
   * current plane, with the model's percentiles.
   */
  autoContrast(c?: number): void {
    if (c === undefined) {
      this._channels.forEach((_, k) => this._autoContrast(k));
    } else {
      this._autoContrast(c);
    }
    this._changed.emit('display');
  }

  /**
   * Layer a second image over this one. Its Y and X sizes must match; Z and T
   * follow the image's position (clamped), channel 0 is shown.
   *
   * @throws RangeError if the sizes do not match.
   */
  async addOverlay(
    source: IImageSource,
    name: string,
    kind: OverlayKind,
    opts: Partial<Omit<IOverlay, 'id' | 'name' | 'kind' | 'source'>> = {}
  ): Promise<IOverlay> {
    const { info } = source;
    const h = info.shape[info.axes.indexOf('Y')];
    const w = info.shape[info.axes.indexOf('X')];
    if (h !== this.height || w !== this.width) {
      throw new RangeError(
        `${name} is ${w}×${h} pixels but the image is ${this.width}×${this.height}; an overlay must have the same width and height.`
      );
    }
    const overlay: IOverlay = {
      id: ++this._overlayIds,
      name,
      kind,
      source,
      visible: true,
      opacity: 0.5,
      outline: false,
      colormap: 'fire',
      min: 0,
      max: 1,
      ...opts
    };
    if (kind === 'heatmap' && opts.max === undefined) {
      // probabilities stay 0–1; anything else gets its own range
      const plane = await this._readOverlayPlane(overlay);
      const h2 = histogram(plane.data);
      if (h2.min < 0 || h2.max > 1) {
        overlay.min = h2.min;
        overlay.max = h2.max;
      }
    }
    this._overlays = [...this._overlays, overlay];
    await this._loadPlanes();
    this._changed.emit('overlays');
    return overlay;
  }

  /** Change an overlay's display settings. */
  setOverlay(
    id: number,
    patch: Partial<Omit<IOverlay, 'id' | 'name' | 'kind' | 'source'>>
  ): void {
    const overlay = this._overlays.find(o => o.id === id);
    if (!overlay) {
      throw new RangeError(`no overlay ${id}`);
    }
    Object.assign(overlay, patch);
    this._changed.emit('overlays');
  }

  /** Remove an overlay. */
  removeOverlay(id: number): void {
    this._overlays = this._overlays.filter(o => o.id !== id);
    this._overlayPlanes.delete(id);
    this._changed.emit('overlays');
  }

  /** Choose how overlays are compared with the image. */
  setCompare(mode: CompareMode, swipe = this._swipe): void {
    this._compare = mode;
    this._swipe = clamp(swipe, 0, 1);
    this._changed.emit('compare');
  }

  /** Raw values of every channel (then every overlay) at pixel (x, y). */
  valuesAt(x: number, y: number): { channels: number[]; overlays: number[] } {
    const at = (p: IPlane): number =>
      Number(p.data[p.offset + y * p.rowStride + x * p.pixelStride]);
    const inside = x >= 0 && y >= 0 && x < this.width && y < this.height;
    if (!inside || !this._planes) {
      return { channels: [], overlays: [] };
    }
    return {
      channels: this._planes.map(at),
      overlays: this._overlays.map(o => {
        const p = this._overlayPlanes.get(o.id);
        return p ? at(p) : NaN;
      })
    };
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._cache.clear();
    Signal.clearData(this);
  }

  private _size(letter: string): number {
    const info = this._source?.info;
    if (!info) {
      return 0;
    }
    const i = info.axes.indexOf(letter);
    return i < 0 ? 0 : info.shape[i];
  }

  private _autoContrast(c: number): void {
    const h = this._histograms[c];
    if (!h || h.total === 0) {
      return;
    }
    const { min, max } = autoContrast(
      h,
      this.defaults.lowPercentile,
      this.defaults.highPercentile
    );
    Object.assign(this._channels[c], { min, max });
  }

  /** Load the planes of the current position; stale loads are dropped. */
  private _loadPlanes(): Promise<void> {
    const ticket = ++this._ticket;
    this._loading = this._doLoad(ticket).catch(reason => {
      if (ticket === this._ticket) {
        this.setError({
          kind: (reason as { kind?: string }).kind ?? 'internal',
          message: (reason as Error).message ?? String(reason)
        });
      }
    });
    return this._loading;
  }

  private async _doLoad(ticket: number): Promise<void> {
    const source = this._source;
    if (!source) {
      return;
    }
    const { plane: planeLetters } = planeAxes(source.info.axes);
    const t = this._t;
    const z = this._z;
    let planes: IPlane[];
    if (planeLetters === 'YXC') {
      const arr = await this._read(source, 0, { t, z });
      planes = Array.from({ length: this.sizeC }, (_, c) =>
        planeView(arr, 'YXC', { c })
      );
    } else {
      const arrays = await Promise.all(
        Array.from({ length: this.sizeC }, (_, c) =>
          this._read(source, 0, { t, c, z })
        )
      );
      planes = arrays.map(a => planeView(a, 'YX'));
    }
    const overlayPlanes = new Map<number, IPlane>();
    for (const o of this._overlays) {
      overlayPlanes.set(o.id, await this._readOverlayPlane(o));
    }
    if (ticket !== this._ticket || this._disposed) {
      return;
    }
    this._planes = planes;
    this._overlayPlanes = overlayPlanes;
    this._histograms = planes.map(p => histogram(copyPlane(p)));
    this._changed.emit('planes');
  }

  /** The overlay's plane at the image's (t, z), clamped to its own sizes. */
  private async _readOverlayPlane(o: IOverlay): Promise<IPlane> {
    const { axes, shape } = o.source.info;
    const size = (l: string): number =>
      axes.includes(l) ? shape[axes.indexOf(l)] : 1;
    const pos = {
      t: Math.min(this._t, size('T') - 1),
      z: Math.min(this._z, size('Z') - 1),
      c: 0
    };
    const arr = await this._read(o.source, o.id, pos);
    return planeView(arr, planeAxes(axes).plane, { c: 0 });
  }

  /** Read a plane through the cache. */
  private async _read(
    source: IImageSource,
    owner: number,
    pos: { t: number; c?: number; z: number }
  ): Promise<INDArray> {
    const key = `${owner}:${pos.t}:${pos.c ?? 0}:${pos.z}`;
    const hit = this._cache.get(key);
    if (hit) {
      this._cache.delete(key);
      this._cache.set(key, hit);
      return hit;
    }
    const { axes } = source.info;
    const index = {
      t: axes.includes('T') ? pos.t : undefined,
      z: axes.includes('Z') ? pos.z : undefined,
      c: planeAxes(axes).leading.includes('C') ? pos.c : undefined
    };
    const promise = source.readPlane(index);
    this._cache.set(key, promise);
    if (this._cache.size > PLANE_CACHE_SIZE) {
      this._cache.delete(this._cache.keys().next().value as string);
    }
    try {
      return await promise;
    } catch (e) {
      this._cache.delete(key);
      throw e;
    }
  }

  private _changed = new Signal<this, ImageModelChange>(this);
  private _disposed = false;
  private _status: ImageStatus = 'empty';
  private _error: IImageError | null = null;
  private _name = '';
  private _source: IImageSource | null = null;
  private _t = 0;
  private _z = 0;
  private _channels: IChannelState[] = [];
  private _overlays: IOverlay[] = [];
  private _overlayIds = 0;
  private _compare: CompareMode = 'overlay';
  private _swipe = 0.5;
  private _planes: IPlane[] | null = null;
  private _overlayPlanes = new Map<number, IPlane>();
  private _histograms: IHistogram[] = [];
  private _cache = new Map<string, Promise<INDArray> | INDArray>();
  private _ticket = 0;
  private _loading: Promise<void> = Promise.resolve();
}

/** Clamp v to [lo, hi]. */
function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** A plane's values as a contiguous typed array (no copy when already so). */
function copyPlane(p: IPlane): IPlane['data'] {
  const n = p.width * p.height;
  if (p.pixelStride === 1 && p.rowStride === p.width) {
    return p.data.subarray(p.offset, p.offset + n) as IPlane['data'];
  }
  const Ctor = p.data.constructor as new (n: number) => IPlane['data'];
  const out = new Ctor(n) as unknown as { [i: number]: number | bigint };
  const src = p.data as unknown as { [i: number]: number | bigint };
  let i = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      out[i++] = src[p.offset + y * p.rowStride + x * p.pixelStride];
    }
  }
  return out as unknown as IPlane['data'];
}
