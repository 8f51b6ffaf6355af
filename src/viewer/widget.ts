/**
 * The image viewer widget: a canvas in a pannable, zoomable viewport, the
 * controls beside it, and a status line with the pixel under the cursor.
 * It draws only in `onUpdateRequest`, from the `ImageModel`, through the
 * renderer that renderers/switch.ts picks (WebGL2 or software, see
 * renderers/choice.ts); the renderer in use is in `data-renderer` and the
 * status line. Its keys are in keyboard.ts, the PNG export in export.ts;
 * the controls (controls/, toolbar.ts) see it through controls/types.ts.
 * What is left (about 480 lines) is one thing: the viewport, its pan, zoom
 * and fit, and drawing into it.
 */
import {
  type ITranslator,
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import type { IFrame } from './compose';
import { ChannelsPanel } from './controls/channels';
import type { IViewerToolbarHost } from './controls/types';
import { MessagePanel } from './controls/message';
import { NavigationPanel } from './controls/navigation';
import { OverlaysPanel } from './controls/overlays';
import type { IViewerIO } from './io';
import type { ImageModel, ImageModelChange } from './model';
import { frameToPng } from './export';
import { handleViewerKey, type IKeyboardTarget } from './keyboard';
import { rendererLabel, RendererSwitch } from './renderers/switch';
import type {
  IRenderInfo,
  IViewerRenderer,
  RendererPreference
} from './renderers/types';
import { describePixel, imageSummary } from './status-line';
import { fmt, scaleBarLength, ViewTransform } from './view';
import { ViewerToolbar } from './toolbar';

const VIEWER_CLASS = 'jp-BioImage-viewer';
const VIEWPORT_CLASS = 'jp-BioImage-viewport';
const STAGE_CLASS = 'jp-BioImage-stage';
const CANVAS_CLASS = 'jp-BioImage-canvas';
const SIDEBAR_CLASS = 'jp-BioImage-sidebar';
const STATUS_CLASS = 'jp-BioImage-status';
const SCALEBAR_CLASS = 'jp-BioImage-scalebar';

/** The viewer widget. */
export class ImageViewer
  extends Widget
  implements IViewerToolbarHost, IKeyboardTarget
{
  constructor(options: ImageViewer.IOptions) {
    super();
    this.model = options.model;
    this.io = options.io ?? null;
    this.translator = options.translator ?? nullTranslator;
    this._trans = this.translator.load('jupyterlab_bioimage');
    const trans = this._trans;
    this.addClass(VIEWER_CLASS);
    this.node.tabIndex = 0;
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('Image viewer'));

    this.toolbar = new ViewerToolbar(this);
    this._viewport.className = VIEWPORT_CLASS;
    this._stage.className = STAGE_CLASS;
    this._renderers = new RendererSwitch(
      options.renderer ?? 'auto',
      (renderer, info) => this._onRendererReplaced(renderer, info)
    );
    this._shown = this._renderers.current;
    this._stage.appendChild(this._decorate(this._shown.canvas));
    this._show(this._shown, this._renderers.info);
    this._scalebar.className = SCALEBAR_CLASS;
    this._scalebar.hidden = true;
    this.messages = new MessagePanel(this, options.onReopen);
    this._viewport.append(this._stage, this._scalebar, this.messages.node);

    this.navigation = new NavigationPanel(this);
    this.channelsPanel = new ChannelsPanel(this);
    this.overlaysPanel = new OverlaysPanel(this);
    const sidebar = document.createElement('div');
    sidebar.className = SIDEBAR_CLASS;
    sidebar.append(
      this.navigation.node,
      this.channelsPanel.node,
      this.overlaysPanel.node
    );
    const body = document.createElement('div');
    body.className = 'jp-BioImage-viewerBody';
    body.append(this._viewport, sidebar);
    this._status.className = STATUS_CLASS;
    this.node.append(this.toolbar.node, body, this._status);

    this.model.changed.connect(this._onModelChanged, this);
    this.update();
  }

  /** The state shown. */
  readonly model: ImageModel;
  /** File access (overlays from files, saving), if available. */
  readonly io: IViewerIO | null;
  readonly translator: ITranslator;
  /** The canvas holding the rendered frame at image resolution (the renderer's own). */
  get canvas(): HTMLCanvasElement {
    return this._shown.canvas;
  }
  readonly toolbar: ViewerToolbar;
  readonly navigation: NavigationPanel;
  readonly channelsPanel: ChannelsPanel;
  readonly overlaysPanel: OverlaysPanel;
  readonly messages: MessagePanel;
  /** Zoom and pan of the canvas in the viewport. */
  readonly view = new ViewTransform();

  /** Translation bundle of the extension. */
  get trans(): TranslationBundle {
    return this._trans;
  }

  /** The renderer that drew the last frame. */
  get renderer(): IViewerRenderer {
    return this._shown;
  }

  /** Which renderer draws and why (also in `data-renderer` and the status line). */
  get renderInfo(): IRenderInfo {
    return this._shownInfo;
  }

  /** The renderer setting this viewer follows. */
  get rendererPreference(): RendererPreference {
    return this._renderers.preference;
  }

  /** Follow another renderer setting: a new renderer, and the frame drawn again. */
  setRendererPreference(preference: RendererPreference): void {
    this._renderers.setPreference(preference);
  }

  /** The last frame drawn (RGBA at image resolution, read back from the GPU for WebGL2), or null. */
  get frame(): IFrame | null {
    return this._frameSize ? this._shown.readFrame() : null;
  }

  /** Zoom by a factor around a viewport point (default: the centre). */
  zoomBy(factor: number, cx?: number, cy?: number): void {
    const { width, height } = this._viewportSize();
    this.view.zoomAt(factor, cx ?? width / 2, cy ?? height / 2);
    this._applyTransform();
  }

  /** Fit the image into the viewport. */
  fit(): void {
    const { width, height } = this._viewportSize();
    if (this._frameSize) {
      this.view.fit(
        this._frameSize.width,
        this._frameSize.height,
        width,
        height
      );
    }
    this._fitted = true;
    this._applyTransform();
  }

  /** Show the image at one image pixel per screen pixel, centred. */
  actualSize(): void {
    const { width, height } = this._viewportSize();
    if (this._frameSize) {
      this.view.actual(
        this._frameSize.width,
        this._frameSize.height,
        width,
        height
      );
    }
    this._fitted = false;
    this._applyTransform();
  }

  /** Step through Z (or T when the image has no Z). */
  step(axis: 'z' | 't', delta: number): void {
    const m = this.model;
    if (axis === 'z') {
      void m.setPosition({ z: m.z + delta });
    } else {
      void m.setPosition({ t: m.t + delta });
    }
  }

  /** The current frame as a PNG. */
  async toPng(): Promise<Blob> {
    return frameToPng(this.frame, this._trans);
  }

  /** Describe the pixel at viewport point (px, py) in the status line. */
  describePixel(px: number, py: number): string {
    const [fx, fy] = this.view.toImage(px, py);
    return describePixel(
      this.model,
      fx,
      fy,
      this._frameSize?.width,
      this._trans
    );
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
      case 'wheel':
        this._onWheel(event as WheelEvent);
        break;
      case 'pointerdown':
        this._onPointerDown(event as PointerEvent);
        break;
      case 'pointermove':
        this._onPointerMove(event as PointerEvent);
        break;
      case 'pointerup':
      case 'pointercancel':
        this._drag = null;
        break;
      case 'pointerleave':
        this._status.textContent = this._summary();
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('keydown', this);
    this._viewport.addEventListener('wheel', this, { passive: false });
    this._viewport.addEventListener('pointerdown', this);
    this._viewport.addEventListener('pointermove', this);
    this._viewport.addEventListener('pointerup', this);
    this._viewport.addEventListener('pointercancel', this);
    this._viewport.addEventListener('pointerleave', this);
    this.update();
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('keydown', this);
    this._viewport.removeEventListener('wheel', this);
    this._viewport.removeEventListener('pointerdown', this);
    this._viewport.removeEventListener('pointermove', this);
    this._viewport.removeEventListener('pointerup', this);
    this._viewport.removeEventListener('pointercancel', this);
    this._viewport.removeEventListener('pointerleave', this);
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    if (this._fitted) {
      this.fit();
    } else {
      this._applyTransform();
    }
  }

  protected onActivateRequest(msg: Message): void {
    this.node.focus();
  }

  /** Draw: controls, then (when the model changed) the frame. */
  protected onUpdateRequest(msg: Message): void {
    const m = this.model;
    this.messages.update();
    this.toolbar.update();
    this.navigation.update();
    this.channelsPanel.update();
    this.overlaysPanel.update();
    this.node.dataset.status = m.status;
    if (m.status !== 'ready') {
      this._stage.hidden = true;
      this._status.textContent =
        m.status === 'loading' ? this._trans.__('Loading %1…', m.name) : '';
      return;
    }
    this._stage.hidden = false;
    if (this._dirty) {
      this._dirty = false;
      this._draw();
    }
    this._status.textContent = this._summary();
    this._applyTransform();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.changed.disconnect(this._onModelChanged, this);
    this._renderers.dispose();
    super.dispose();
  }

  private _onModelChanged(_: ImageModel, change: ImageModelChange): void {
    if (change !== 'position') {
      this._dirty = true;
    }
    if (change === 'image') {
      this._fitted = true;
      this._needsFit = true;
    }
    this.update();
  }

  private _draw(): void {
    const model = this.model;
    const { size, renderer, info } = this._renderers.draw(model);
    this._show(renderer, info);
    const sizeChanged =
      size?.width !== this._frameSize?.width ||
      size?.height !== this._frameSize?.height;
    this._frameSize = size;
    if (!size) {
      return;
    }
    const canvas = renderer.canvas;
    canvas.dataset.z = String(model.z);
    canvas.setAttribute(
      'aria-label',
      this._trans.__('%1, plane z=%2 t=%3', model.name, model.z, model.t)
    );
    if (this._needsFit || (sizeChanged && this._fitted)) {
      this._needsFit = false;
      this.fit();
    }
  }

  /** A new renderer (setting change, lost context): its canvas is shown with the next frame drawn. */
  private _onRendererReplaced(
    renderer: IViewerRenderer,
    info: IRenderInfo
  ): void {
    // The canvas changes with the next frame drawn (or now, with none to draw).
    if (this.model.status !== 'ready') {
      this._show(renderer, info);
    }
    this._dirty = true;
    this.update();
  }

  /** Put the renderer's canvas on the stage and say which renderer it is. */
  private _show(renderer: IViewerRenderer, info: IRenderInfo): void {
    if (renderer !== this._shown) {
      const old = this._shown.canvas;
      const canvas = this._decorate(renderer.canvas);
      canvas.dataset.z = old.dataset.z ?? '';
      canvas.setAttribute('aria-label', old.getAttribute('aria-label') ?? '');
      old.replaceWith(canvas);
      this._shown = renderer;
    }
    this._shownInfo = info;
    renderer.canvas.dataset.renderer = renderer.kind;
    this.node.dataset.renderer = info.kind;
    this.node.dataset.rendererReason = info.reason;
    this._status.title = this._trans.__(
      'Renderer: %1 (%2)',
      rendererLabel(info),
      info.reason
    );
  }

  /** Class and role of the viewer's canvas. */
  private _decorate(canvas: HTMLCanvasElement): HTMLCanvasElement {
    canvas.className = CANVAS_CLASS;
    canvas.setAttribute('role', 'img');
    return canvas;
  }

  private _applyTransform(): void {
    const v = this.view;
    this._stage.style.transform = `translate(${v.tx}px, ${v.ty}px) scale(${v.scale})`;
    this._stage.style.width = `${this.canvas.width}px`;
    this._stage.style.height = `${this.canvas.height}px`;
    this.toolbar.setZoom(v.scale);
    const ps = this.model.info?.physicalSize?.x;
    const { width } = this._viewportSize();
    const bar = ps && width ? scaleBarLength(ps.value, v.scale, width) : null;
    this._scalebar.hidden = !bar;
    if (bar && ps) {
      this._scalebar.style.width = `${bar.pixels}px`;
      this._scalebar.textContent = `${fmt(bar.length)} ${ps.unit}`;
    }
  }

  private _summary(): string {
    return imageSummary(this.model, this._shownInfo);
  }

  private _viewportSize(): { width: number; height: number } {
    return {
      width: this._viewport.clientWidth,
      height: this._viewport.clientHeight
    };
  }

  private _onKeyDown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (target !== this.node && !this._viewport.contains(target)) {
      return; // keys typed into the controls stay there
    }
    if (handleViewerKey(event.key, this)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  private _onWheel(event: WheelEvent): void {
    event.preventDefault();
    const rect = this._viewport.getBoundingClientRect();
    this._fitted = false;
    this.zoomBy(
      Math.exp(-event.deltaY * 0.002),
      event.clientX - rect.left,
      event.clientY - rect.top
    );
  }

  private _onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) {
      return;
    }
    this.node.focus();
    this._drag = { x: event.clientX, y: event.clientY };
    this._viewport.setPointerCapture?.(event.pointerId);
  }

  private _onPointerMove(event: PointerEvent): void {
    if (this._drag) {
      this.view.panBy(
        event.clientX - this._drag.x,
        event.clientY - this._drag.y
      );
      this._drag = { x: event.clientX, y: event.clientY };
      this._fitted = false;
      this._applyTransform();
    }
    const rect = this._viewport.getBoundingClientRect();
    const text = this.describePixel(
      event.clientX - rect.left,
      event.clientY - rect.top
    );
    this._status.textContent = text || this._summary();
  }

  private _trans: TranslationBundle;
  private _viewport = document.createElement('div');
  private _stage = document.createElement('div');
  private _scalebar = document.createElement('div');
  private _status = document.createElement('div');
  private _frameSize: { width: number; height: number } | null = null;
  private _renderers: RendererSwitch;
  private _shown: IViewerRenderer;
  private _shownInfo: IRenderInfo = { kind: 'software', reason: '' };
  private _dirty = true;
  private _fitted = true;
  private _needsFit = true;
  private _drag: { x: number; y: number } | null = null;
}

/** The viewer widget's types. */
export namespace ImageViewer {
  export interface IOptions {
    model: ImageModel;
    io?: IViewerIO | null;
    translator?: ITranslator;
    /** Reopen the file with other options (NPY axes); shown in the message panel. */
    onReopen?: (opts: { axes?: string }) => void;
    /** Renderer setting (default 'auto'). */
    renderer?: RendererPreference;
  }
}
