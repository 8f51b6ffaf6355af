/**
 * Make the renderer a viewer uses: try a WebGL2 context unless the software
 * path is asked for, then decide with `chooseRenderer`.
 */
import { IS_JSDOM } from '../view';
import { chooseRenderer, type IGLProbe, isSoftwareGL } from './choice';
import { SoftwareRenderer } from './software';
import type { IRenderInfo, IViewerRenderer, RendererPreference } from './types';
import { WebGLRenderer } from './webgl';

/** Context attributes: no depth/stencil/antialiasing; the buffer kept for read-back and export. */
const CONTEXT_ATTRIBUTES: WebGLContextAttributes = {
  alpha: false,
  antialias: false,
  depth: false,
  stencil: false,
  premultipliedAlpha: false,
  preserveDrawingBuffer: true,
  powerPreference: 'high-performance'
};

/** UNMASKED_RENDERER_WEBGL of WEBGL_debug_renderer_info. */
const UNMASKED_RENDERER = 0x9246;

/**
 * A CPU-rasteriser probe seen earlier on this page: later 'auto' viewers use
 * it instead of making (and dropping) another context.
 */
let softwareGLProbe: IGLProbe | null = null;

/** The renderer string of a context, unmasked when the browser allows it. */
function rendererName(gl: WebGL2RenderingContext): string {
  const unmasked = gl.getExtension('WEBGL_debug_renderer_info')
    ? (gl.getParameter(UNMASKED_RENDERER) as string | null)
    : null;
  return unmasked || String(gl.getParameter(gl.RENDERER));
}

/** A renderer for `preference` and the decision behind it. */
export function createRenderer(
  preference: RendererPreference,
  onContextLost: (reason: string) => void
): { renderer: IViewerRenderer; info: IRenderInfo } {
  const software = (info: IRenderInfo) => ({
    renderer: new SoftwareRenderer(),
    info
  });
  if (preference === 'software') {
    return software(chooseRenderer(preference, null));
  }
  if (IS_JSDOM || typeof WebGL2RenderingContext === 'undefined') {
    return software(
      chooseRenderer(preference, {
        available: false,
        error: 'this browser has no WebGL2'
      })
    );
  }
  if (preference === 'auto' && softwareGLProbe) {
    return software(chooseRenderer(preference, softwareGLProbe));
  }
  const canvas = document.createElement('canvas');
  let error: string | undefined;
  const onError = (e: Event) => {
    error = (e as WebGLContextEvent).statusMessage || undefined;
  };
  canvas.addEventListener('webglcontextcreationerror', onError);
  let gl: WebGL2RenderingContext | null = null;
  try {
    gl = canvas.getContext('webgl2', {
      ...CONTEXT_ATTRIBUTES,
      failIfMajorPerformanceCaveat: preference === 'auto'
    });
  } catch (e) {
    error = (e as Error).message;
  }
  canvas.removeEventListener('webglcontextcreationerror', onError);
  const probe: IGLProbe = gl
    ? { available: true, renderer: rendererName(gl) }
    : {
        available: false,
        error: error ?? 'getContext("webgl2") returned null'
      };
  const info = chooseRenderer(preference, probe);
  if (info.kind === 'software' || !gl) {
    if (gl && isSoftwareGL(probe.renderer)) {
      softwareGLProbe = probe;
    }
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return software(info);
  }
  try {
    return {
      renderer: new WebGLRenderer(canvas, gl, { onContextLost }),
      info
    };
  } catch (e) {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return software({
      kind: 'software',
      reason: `WebGL2 set-up failed (${(e as Error).message})`,
      glRenderer: probe.renderer
    });
  }
}
