/**
 * Which renderer a viewer uses (pure: the browser probe is passed in).
 *
 * 'auto' takes WebGL2 when a context can be made on a real GPU. A context
 * whose (unmasked) renderer string names a CPU rasteriser — SwiftShader,
 * llvmpipe, softpipe, lavapipe, Microsoft Basic Render, Apple Software
 * Renderer — is not used automatically: the same per-pixel work runs on
 * the CPU there, slower than the table-driven software path. Reading that
 * string costs one getParameter on the context the viewer makes anyway.
 * `failIfMajorPerformanceCaveat` is passed too, but Chromium does not
 * refuse SwiftShader with it, so the string is what decides.
 */
import type { IRenderInfo, RendererPreference } from './types';

/** What trying to make a WebGL2 context found. */
export interface IGLProbe {
  /** A context was made. */
  available: boolean;
  /** Its renderer string (unmasked when the browser allows), when made. */
  renderer?: string;
  /** Why none was made. */
  error?: string;
}

const SOFTWARE_GL =
  /swiftshader|llvmpipe|softpipe|lavapipe|software rasterizer|microsoft basic render|apple software renderer/i;

/** True when a GL renderer string names a CPU (software) rasteriser. */
export function isSoftwareGL(renderer: string | undefined): boolean {
  return SOFTWARE_GL.test(renderer ?? '');
}

/** A short name of a GL renderer string for messages ("SwiftShader", or the string). */
export function shortGLName(renderer: string | undefined): string {
  const m = SOFTWARE_GL.exec(renderer ?? '');
  if (m) {
    return /swiftshader/i.test(m[0]) ? 'SwiftShader' : m[0];
  }
  return renderer || 'unknown GPU';
}

/**
 * The renderer for a preference and a probe (null: not probed because the
 * preference is 'software' or the environment has no WebGL at all).
 */
export function chooseRenderer(
  preference: RendererPreference,
  probe: IGLProbe | null
): IRenderInfo {
  const gl = probe?.renderer;
  if (preference === 'software') {
    return { kind: 'software', reason: 'set in the viewer settings' };
  }
  if (!probe || !probe.available) {
    const why = probe?.error ?? 'WebGL2 is not available here';
    return {
      kind: 'software',
      reason:
        preference === 'webgl2'
          ? `WebGL2 was asked for, but no context could be made (${why})`
          : `no WebGL2 context (${why})`
    };
  }
  if (preference === 'webgl2') {
    return {
      kind: 'webgl2',
      reason: `set in the viewer settings; ${shortGLName(gl)}`,
      glRenderer: gl
    };
  }
  if (isSoftwareGL(gl)) {
    return {
      kind: 'software',
      reason: `WebGL2 is a CPU rasteriser here (${shortGLName(gl)}), not used automatically`,
      glRenderer: gl
    };
  }
  return { kind: 'webgl2', reason: `GPU: ${gl}`, glRenderer: gl };
}

/** A preference read from settings; anything unknown becomes 'auto'. */
export function parsePreference(value: unknown): RendererPreference {
  return value === 'webgl2' || value === 'software' ? value : 'auto';
}
