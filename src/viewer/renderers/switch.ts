/**
 * Which renderer a viewer draws with, and swapping it: the one the renderer
 * setting asks for (see create.ts and choice.ts), a software renderer kept
 * for the frames WebGL2 cannot draw (RendererUnsupported), and software for
 * good once WebGL2 fails or its context is lost. The viewer is told when the
 * renderer is replaced, to draw again.
 */
import type { IDisposable } from '@lumino/disposable';

import type { ImageModel } from '../model';
import { createRenderer } from './create';
import { SoftwareRenderer } from './software';
import {
  type IRenderInfo,
  type IViewerRenderer,
  type RendererPreference,
  RendererUnsupported
} from './types';

/** The outcome of {@link RendererSwitch.draw}. */
export interface IDrawnFrame {
  /** Size of the frame drawn, or null when there was nothing to draw. */
  size: { width: number; height: number } | null;
  /** The renderer that drew it (its canvas is the one to show). */
  renderer: IViewerRenderer;
  /** Which renderer that is and why. */
  info: IRenderInfo;
}

/** The renderers of one viewer. */
export class RendererSwitch implements IDisposable {
  /**
   * @param preference - the renderer setting to start with.
   * @param onReplaced - called after the renderer is replaced (setting
   *   change, WebGL2 failure or lost context) with the new one.
   */
  constructor(
    preference: RendererPreference,
    private readonly _onReplaced: (
      renderer: IViewerRenderer,
      info: IRenderInfo
    ) => void
  ) {
    this._renderer = this._make(preference);
  }

  /** The renderer that draws the next frame. */
  get current(): IViewerRenderer {
    return this._renderer;
  }

  /** Which renderer {@link current} is and why. */
  get info(): IRenderInfo {
    return this._info;
  }

  /** The renderer setting followed. */
  get preference(): RendererPreference {
    return this._preference;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Follow another renderer setting: a new renderer (nothing when it is the same setting). */
  setPreference(preference: RendererPreference): void {
    if (preference === this._preference) {
      return;
    }
    this._replace(this._make(preference));
  }

  /**
   * Draw `model`. A state WebGL2 cannot draw (RendererUnsupported) is drawn
   * in software this time; any other WebGL2 failure, or a lost context,
   * switches to software for good and draws there.
   */
  draw(model: ImageModel): IDrawnFrame {
    let renderer = this._renderer;
    let info = this._info;
    let size: { width: number; height: number } | null;
    try {
      size = renderer.draw(model);
    } catch (e) {
      if (renderer.kind === 'software') {
        throw e;
      }
      const lost = renderer.lost;
      if (e instanceof RendererUnsupported && !lost) {
        // This state only (e.g. too many visible channels): software this time.
        renderer = this._softwareRenderer();
        info = {
          ...info,
          kind: 'software',
          reason: `${e.message}; drawn in software`
        };
      } else {
        this._useSoftware(
          lost
            ? 'the WebGL2 context was lost'
            : `WebGL2 failed (${(e as Error).message})`
        );
        renderer = this._renderer;
        info = this._info;
      }
      size = renderer.draw(model);
    }
    return { size, renderer, info };
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._renderer.dispose();
    this._software?.dispose();
  }

  /** A renderer for `preference`; a lost WebGL2 context falls back to software. */
  private _make(preference: RendererPreference): IViewerRenderer {
    this._preference = preference;
    const { renderer, info } = createRenderer(preference, reason =>
      this._useSoftware(reason)
    );
    this._info = info;
    return renderer;
  }

  /** Replace the renderer and tell the viewer. */
  private _replace(renderer: IViewerRenderer): void {
    const old = this._renderer;
    this._renderer = renderer;
    if (old !== renderer && old !== this._software) {
      old.dispose();
    }
    if (renderer === this._software) {
      this._software = null;
    }
    this._onReplaced(renderer, this._info);
  }

  /** Draw in software from now on (WebGL2 failed or its context was lost). */
  private _useSoftware(reason: string): void {
    if (this._renderer.kind === 'software') {
      return;
    }
    this._info = {
      kind: 'software',
      reason,
      glRenderer: this._info.glRenderer
    };
    this._replace(this._softwareRenderer());
  }

  /** The software renderer kept for frames the WebGL2 renderer cannot draw. */
  private _softwareRenderer(): IViewerRenderer {
    if (this._renderer.kind === 'software') {
      return this._renderer;
    }
    this._software ??= new SoftwareRenderer();
    return this._software;
  }

  private _preference: RendererPreference = 'auto';
  private _renderer: IViewerRenderer;
  private _info: IRenderInfo = { kind: 'software', reason: '' };
  private _software: IViewerRenderer | null = null;
  private _isDisposed = false;
}

/** The renderer's name in the status line. */
export function rendererLabel(info: IRenderInfo): string {
  return info.kind === 'webgl2' ? 'WebGL2' : 'software';
}
