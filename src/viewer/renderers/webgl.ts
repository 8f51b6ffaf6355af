/**
 * The WebGL2 renderer. Channel planes live in one 2-D array texture (a layer
 * per channel, uploaded when the plane first becomes visible and never again
 * until the planes change); overlays, rendered by the software overlay code,
 * in another (re-uploaded only when an overlay or its plane changes). A
 * contrast, gamma, colour-map or visibility change only sets uniforms and
 * the threshold uniform block, then draws one triangle. Its GL resources
 * are in gl-resources.ts and its shaders in shaders.ts; what is left (over
 * 400 lines) is one thing, the renderer's draw and upload path.
 */
import type { IFrame } from '../compose';
import { renderOverlay } from '../compose';
import type { IPlane } from '../display';
import { channelUniforms, type IChannelUniforms } from '../display/gl-levels';
import {
  frameLayout,
  type ITextureFormat,
  LEVELS,
  texelData,
  textureFormat
} from '../display/gl-params';
import type { ImageModel, IOverlay } from '../model';
import {
  buildProgram,
  createTexture,
  type IProgram,
  LutAtlas
} from './gl-resources';
import { MAX_GL_CHANNELS, THRESHOLD_BINDING, UNITS } from './shaders';
import { emptyStats, type IViewerRenderer, RendererUnsupported } from './types';

/** What is in one layer of the plane texture. */
interface ILayer {
  plane: IPlane;
  base: number;
}

/** What is in one layer of the overlay texture. */
interface IOverlayLayer {
  id: number;
  plane: IPlane;
  key: string;
}

/** Options of the WebGL2 renderer. */
export interface IWebGLRendererOptions {
  /** Called once when the context is lost; the renderer is unusable after it. */
  onContextLost: (reason: string) => void;
}

/** Draws frames with a WebGL2 context. */
export class WebGLRenderer implements IViewerRenderer {
  readonly kind = 'webgl2';
  readonly stats = emptyStats();

  constructor(
    readonly canvas: HTMLCanvasElement,
    gl: WebGL2RenderingContext,
    options: IWebGLRendererOptions
  ) {
    this._gl = gl;
    this._onLost = options.onContextLost;
    canvas.addEventListener('webglcontextlost', this._contextLost);
    this._maxTexture = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
    this._maxLayers = gl.getParameter(gl.MAX_ARRAY_TEXTURE_LAYERS) as number;
    const dims = gl.getParameter(gl.MAX_VIEWPORT_DIMS) as Int32Array;
    this._maxViewport = Math.min(dims[0], dims[1]);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
    this._vao = gl.createVertexArray();
    gl.bindVertexArray(this._vao);
    this._ubo = gl.createBuffer();
    gl.bindBuffer(gl.UNIFORM_BUFFER, this._ubo);
    gl.bufferData(
      gl.UNIFORM_BUFFER,
      this._thresholds.byteLength,
      gl.DYNAMIC_DRAW
    );
    gl.bindBufferBase(gl.UNIFORM_BUFFER, THRESHOLD_BINDING, this._ubo);
    this._luts = new LutAtlas(gl, this.stats);
    this._overlayTexture = this._allocOverlays(1, 1, 1);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** True once the context was lost; nothing can be drawn after that. */
  get lost(): boolean {
    return this._lost || this._gl.isContextLost();
  }

  draw(model: ImageModel): { width: number; height: number } | null {
    const gl = this._gl;
    if (this._lost || gl.isContextLost()) {
      throw new RendererUnsupported('the WebGL2 context was lost');
    }
    const planes = model.planes;
    if (!planes || planes.length === 0) {
      return null;
    }
    const { width, height } = planes[0];
    if (width > this._maxTexture || height > this._maxTexture) {
      throw new RendererUnsupported(
        `the image is ${width}×${height} pixels, more than this GPU's ${this._maxTexture}-pixel texture limit`
      );
    }
    const visible = model.channels
      .map((d, c) => c)
      .filter(c => model.channels[c].visible !== false && planes[c]);
    if (visible.length > MAX_GL_CHANNELS) {
      throw new RendererUnsupported(
        `${visible.length} visible channels, more than ${MAX_GL_CHANNELS} in one WebGL2 pass`
      );
    }
    const format = textureFormat(planes[0].data);
    if (planes.some(p => p.data.constructor !== planes[0].data.constructor)) {
      throw new RendererUnsupported('channels of different element types');
    }
    if (planes.length > this._maxLayers) {
      throw new RendererUnsupported(
        `more channels than texture layers (${this._maxLayers})`
      );
    }
    const overlays = model.overlays
      .filter(o => o.visible && model.overlayPlanes.get(o.id))
      .map(o => ({ o, plane: model.overlayPlanes.get(o.id)! }));
    const layout = frameLayout(
      width,
      model.compareMode,
      model.swipe,
      overlays.length
    );
    if (layout.width > this._maxViewport || height > this._maxViewport) {
      throw new RendererUnsupported(
        `a ${layout.width}×${height} frame exceeds the GPU's viewport limit`
      );
    }

    // Uniforms first: a state the shader cannot express must not upload anything.
    const slots = visible.map(c => {
      const d = model.channels[c];
      const u = this._uniformsFor(c, format, d);
      if (!u) {
        throw new RendererUnsupported(
          `channel ${c}'s window and gamma give a non-monotonic mapping`
        );
      }
      return { c, u, lutRow: this._luts.row(d.colormap) };
    });

    this._ensurePlaneTexture(width, height, planes.length, format);
    for (const { c } of slots) {
      this._uploadLayer(c, planes[c], format);
    }
    this._ensureOverlays(overlays, width, height);
    if (gl.getError() === gl.OUT_OF_MEMORY) {
      throw new RendererUnsupported('the GPU is out of memory for this image');
    }
    // Uniforms are computed against each layer's base, known after upload.
    slots.forEach(s => {
      s.u = this._uniformsFor(s.c, format, model.channels[s.c])!;
    });

    if (this.canvas.width !== layout.width || this.canvas.height !== height) {
      this.canvas.width = layout.width;
      this.canvas.height = height;
    }
    if (
      gl.drawingBufferWidth !== layout.width ||
      gl.drawingBufferHeight !== height
    ) {
      throw new RendererUnsupported(
        `the browser gave a ${gl.drawingBufferWidth}×${gl.drawingBufferHeight} drawing buffer for a ${layout.width}×${height} frame`
      );
    }

    const prog = this._program(format);
    gl.useProgram(prog.program);
    const level = new Float32Array(MAX_GL_CHANNELS * 4);
    const value = new Float32Array(MAX_GL_CHANNELS * 4);
    const slot = new Int32Array(MAX_GL_CHANNELS * 2);
    slots.forEach(({ c, u, lutRow }, i) => {
      level.set([u.lo, u.inv, u.gamma, u.searchOnly ? 1 : 0], i * 4);
      value.set([u.valueMin, u.valueScale, u.maxLevel, 0], i * 4);
      slot.set([c, lutRow], i * 2);
      this._thresholds.set(u.thresholds, i * LEVELS);
    });
    gl.bindBuffer(gl.UNIFORM_BUFFER, this._ubo);
    gl.bufferSubData(
      gl.UNIFORM_BUFFER,
      0,
      this._thresholds,
      0,
      Math.max(1, slots.length) * LEVELS
    );
    const loc = prog.loc;
    gl.uniform4fv(loc.uLevel, level);
    gl.uniform4fv(loc.uValue, value);
    gl.uniform2iv(loc.uSlot, slot);
    gl.uniform1i(loc.uChannels, slots.length);
    gl.uniform1i(loc.uIndexOffset, format.indexOffset);
    gl.uniform1i(loc.uOverlayCount, overlays.length);
    gl.uniform4i(
      loc.uFrame,
      width,
      height,
      layout.cut,
      layout.sideBySide ? 1 : 0
    );
    this._bind(UNITS.planes, gl.TEXTURE_2D_ARRAY, this._planeTexture);
    this._bind(UNITS.overlays, gl.TEXTURE_2D_ARRAY, this._overlayTexture);
    this._luts.bind();
    gl.viewport(0, 0, layout.width, height);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    this._frame = null;
    this._drawn = true;
    this.stats.draws++;
    return { width: layout.width, height };
  }

  readFrame(): IFrame | null {
    if (!this._drawn || this._lost) {
      return null;
    }
    if (!this._frame) {
      const gl = this._gl;
      const { width, height } = this.canvas;
      const raw = new Uint8Array(width * height * 4);
      gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, raw);
      // GL rows start at the bottom; frames start at the top.
      const data = new Uint8ClampedArray(raw.length);
      const row = width * 4;
      for (let y = 0; y < height; y++) {
        data.set(
          raw.subarray((height - 1 - y) * row, (height - y) * row),
          y * row
        );
      }
      this._frame = { width, height, data };
    }
    return this._frame;
  }

  finish(): void {
    if (!this._lost) {
      // Reading one pixel waits for every queued command (gl.finish may not).
      this._gl.readPixels(
        0,
        0,
        1,
        1,
        this._gl.RGBA,
        this._gl.UNSIGNED_BYTE,
        this._pixel
      );
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.canvas.removeEventListener('webglcontextlost', this._contextLost);
    const gl = this._gl;
    if (!gl.isContextLost()) {
      this._luts.dispose();
      gl.deleteTexture(this._planeTexture);
      gl.deleteTexture(this._overlayTexture);
      gl.deleteBuffer(this._ubo);
      gl.deleteVertexArray(this._vao);
      this._programs.forEach(p => gl.deleteProgram(p.program));
      // Give the context back now: browsers cap live contexts per page.
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
    this._frame = null;
  }

  private _contextLost = (event: Event): void => {
    event.preventDefault();
    if (this._lost) {
      return;
    }
    this._lost = true;
    this._onLost('the WebGL2 context was lost');
  };

  private _bind(unit: number, target: number, tex: WebGLTexture | null): void {
    this._gl.activeTexture(this._gl.TEXTURE0 + unit);
    this._gl.bindTexture(target, tex);
  }

  private _program(format: ITextureFormat): IProgram {
    const key = `${format.sampler}:${format.domain}`;
    let p = this._programs.get(key);
    if (!p) {
      p = buildProgram(this._gl, format.sampler, format.domain);
      this._programs.set(key, p);
    }
    return p;
  }

  /** Channel c's uniforms, recomputed only when its window, gamma or data base change. */
  private _uniformsFor(
    c: number,
    format: ITextureFormat,
    d: ImageModel['channels'][number]
  ): IChannelUniforms | null {
    const base = this._layers[c]?.base ?? 0;
    const key = `${format.internalFormat}:${base}:${d.min}:${d.max}:${d.gamma}`;
    const hit = this._uniformCache.get(c);
    if (hit && hit.key === key) {
      return hit.value;
    }
    const value = channelUniforms(format, d, base);
    this._uniformCache.set(c, { key, value });
    return value;
  }

  private _ensurePlaneTexture(
    width: number,
    height: number,
    layers: number,
    format: ITextureFormat
  ): void {
    const key = `${width}x${height}x${layers}:${format.internalFormat}`;
    if (key === this._planeKey && this._planeTexture) {
      return;
    }
    const gl = this._gl;
    if (this._planeTexture) {
      gl.deleteTexture(this._planeTexture);
    }
    this._planeTexture = createTexture(gl, gl.TEXTURE_2D_ARRAY, UNITS.planes);
    gl.texStorage3D(
      gl.TEXTURE_2D_ARRAY,
      1,
      format.internalFormat,
      width,
      height,
      layers
    );
    this._planeKey = key;
    this._layers = [];
    this._uniformCache.clear();
  }

  /** Upload channel c's plane unless that very plane is already in its layer. */
  private _uploadLayer(c: number, plane: IPlane, format: ITextureFormat): void {
    const have = this._layers[c]?.plane;
    if (
      have &&
      have.data === plane.data &&
      have.offset === plane.offset &&
      have.rowStride === plane.rowStride &&
      have.pixelStride === plane.pixelStride
    ) {
      return;
    }
    const gl = this._gl;
    const texels = texelData(plane, format);
    gl.activeTexture(gl.TEXTURE0 + UNITS.planes);
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this._planeTexture);
    gl.texSubImage3D(
      gl.TEXTURE_2D_ARRAY,
      0,
      0,
      0,
      c,
      plane.width,
      plane.height,
      1,
      format.format,
      format.type,
      texels.data
    );
    this._layers[c] = { plane, base: texels.base };
    this.stats.planeUploads++;
    this.stats.planeUploadBytes +=
      plane.width * plane.height * format.bytesPerTexel;
  }

  private _allocOverlays(
    width: number,
    height: number,
    layers: number
  ): WebGLTexture {
    const gl = this._gl;
    const tex = createTexture(gl, gl.TEXTURE_2D_ARRAY, UNITS.overlays);
    gl.texStorage3D(gl.TEXTURE_2D_ARRAY, 1, gl.RGBA8UI, width, height, layers);
    return tex;
  }

  /** Overlay layers: re-rendered (in software) and uploaded only when they change. */
  private _ensureOverlays(
    list: { o: IOverlay; plane: IPlane }[],
    width: number,
    height: number
  ): void {
    const gl = this._gl;
    const key = `${width}x${height}x${list.length}`;
    if (key !== this._overlayKey) {
      gl.deleteTexture(this._overlayTexture);
      this._overlayTexture = this._allocOverlays(
        list.length ? width : 1,
        list.length ? height : 1,
        Math.max(1, list.length)
      );
      this._overlayKey = key;
      this._overlayLayers = [];
    }
    list.forEach(({ o, plane }, i) => {
      const k = JSON.stringify([
        o.kind,
        o.opacity,
        o.outline,
        o.colormap,
        o.min,
        o.max
      ]);
      const have = this._overlayLayers[i];
      if (have && have.id === o.id && have.plane === plane && have.key === k) {
        return;
      }
      const rgba = renderOverlay(o, plane);
      gl.activeTexture(gl.TEXTURE0 + UNITS.overlays);
      gl.bindTexture(gl.TEXTURE_2D_ARRAY, this._overlayTexture);
      gl.texSubImage3D(
        gl.TEXTURE_2D_ARRAY,
        0,
        0,
        0,
        i,
        width,
        height,
        1,
        gl.RGBA_INTEGER,
        gl.UNSIGNED_BYTE,
        new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length)
      );
      this._overlayLayers[i] = { id: o.id, plane, key: k };
      this.stats.overlayUploads++;
    });
  }

  private _gl: WebGL2RenderingContext;
  private _onLost: (reason: string) => void;
  private _lost = false;
  private _disposed = false;
  private _drawn = false;
  private _maxTexture: number;
  private _maxLayers: number;
  private _maxViewport: number;
  private _vao: WebGLVertexArrayObject | null;
  private _ubo: WebGLBuffer | null;
  private _thresholds = new Int32Array(MAX_GL_CHANNELS * LEVELS);
  private _luts: LutAtlas;
  private _programs = new Map<string, IProgram>();
  private _planeTexture: WebGLTexture | null = null;
  private _planeKey = '';
  private _layers: (ILayer | undefined)[] = [];
  private _uniformCache = new Map<
    number,
    { key: string; value: IChannelUniforms | null }
  >();
  private _overlayTexture: WebGLTexture;
  private _overlayKey = '';
  private _overlayLayers: IOverlayLayer[] = [];
  private _frame: IFrame | null = null;
  private _pixel = new Uint8Array(4);
}
