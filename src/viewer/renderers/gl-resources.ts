/**
 * GPU resources of the WebGL2 renderer that outlive a frame: program
 * compilation, the LUT atlas (every colour map one row of an RGBA8UI
 * texture, so a colour-map change is a uniform), and texture allocation.
 */
import { COLORMAP_NAMES, type Colormap, colormapTable } from '../display';
import {
  type ITextureFormat,
  LEVELS,
  type SamplerKind
} from '../display/gl-params';
import {
  fragmentShader,
  THRESHOLD_BINDING,
  THRESHOLD_BLOCK,
  UNITS,
  VERTEX_SHADER
} from './shaders';
import type { IRenderStats } from './types';

/** A linked program and the locations it uses. */
export interface IProgram {
  program: WebGLProgram;
  loc: Record<string, WebGLUniformLocation | null>;
}

const UNIFORMS = [
  'uPlanes',
  'uLuts',
  'uOverlays',
  'uLevel',
  'uValue',
  'uSlot',
  'uChannels',
  'uIndexOffset',
  'uOverlayCount',
  'uFrame'
];

/** Compile and link the program for planes of sampler `kind` and level `domain`. */
export function buildProgram(
  gl: WebGL2RenderingContext,
  kind: SamplerKind,
  domain: ITextureFormat['domain']
): IProgram {
  const program = gl.createProgram();
  if (!program) {
    throw new Error('gl.createProgram() failed');
  }
  const shaders: WebGLShader[] = [];
  for (const [type, source] of [
    [gl.VERTEX_SHADER, VERTEX_SHADER],
    [gl.FRAGMENT_SHADER, fragmentShader(kind, domain)]
  ] as const) {
    const shader = gl.createShader(type);
    if (!shader) {
      throw new Error('gl.createShader() failed');
    }
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
      const log = gl.getShaderInfoLog(shader);
      gl.deleteShader(shader);
      throw new Error(`shader compilation failed: ${log}`);
    }
    gl.attachShader(program, shader);
    shaders.push(shader);
  }
  gl.linkProgram(program);
  shaders.forEach(s => gl.deleteShader(s));
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`program link failed: ${gl.getProgramInfoLog(program)}`);
  }
  const loc: IProgram['loc'] = {};
  for (const name of UNIFORMS) {
    loc[name] = gl.getUniformLocation(program, name);
  }
  gl.useProgram(program);
  gl.uniform1i(loc.uPlanes, UNITS.planes);
  gl.uniform1i(loc.uLuts, UNITS.luts);
  gl.uniform1i(loc.uOverlays, UNITS.overlays);
  gl.uniformBlockBinding(
    program,
    gl.getUniformBlockIndex(program, THRESHOLD_BLOCK),
    THRESHOLD_BINDING
  );
  return { program, loc };
}

/** A texture with nearest sampling and clamped edges (integer textures need NEAREST). */
export function createTexture(
  gl: WebGL2RenderingContext,
  target: number,
  unit: number
): WebGLTexture {
  const tex = gl.createTexture();
  if (!tex) {
    throw new Error('gl.createTexture() failed');
  }
  gl.activeTexture(gl.TEXTURE0 + unit);
  gl.bindTexture(target, tex);
  gl.texParameteri(target, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(target, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texParameteri(target, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(target, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return tex;
}

/** Rows of the LUT atlas; the built-in maps take the first ones. */
const ATLAS_ROWS = 64;

/** Every colour map the viewer has used, one 256-entry RGBA8UI row each. */
export class LutAtlas {
  constructor(
    private readonly _gl: WebGL2RenderingContext,
    private readonly _stats: IRenderStats
  ) {
    const gl = _gl;
    this._texture = createTexture(gl, gl.TEXTURE_2D, UNITS.luts);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8UI, LEVELS, ATLAS_ROWS);
    COLORMAP_NAMES.forEach(name => this.row(name));
    this._fixed = this._rows.size;
  }

  /** The atlas row of a colour map, uploading it the first time it is seen. */
  row(map: Colormap): number {
    const key = typeof map === 'string' ? map : map.join(',');
    const hit = this._rows.get(key);
    if (hit !== undefined) {
      return hit;
    }
    if (this._rows.size >= ATLAS_ROWS) {
      // Full of custom colours: forget them, keep the built-in rows.
      for (const [k, r] of this._rows) {
        if (r >= this._fixed) {
          this._rows.delete(k);
        }
      }
    }
    const row = this._rows.size;
    const rgb = colormapTable(map);
    const rgba = new Uint8Array(LEVELS * 4);
    for (let i = 0; i < LEVELS; i++) {
      rgba[i * 4] = rgb[i * 3];
      rgba[i * 4 + 1] = rgb[i * 3 + 1];
      rgba[i * 4 + 2] = rgb[i * 3 + 2];
      rgba[i * 4 + 3] = 255;
    }
    const gl = this._gl;
    gl.activeTexture(gl.TEXTURE0 + UNITS.luts);
    gl.bindTexture(gl.TEXTURE_2D, this._texture);
    gl.texSubImage2D(
      gl.TEXTURE_2D,
      0,
      0,
      row,
      LEVELS,
      1,
      gl.RGBA_INTEGER,
      gl.UNSIGNED_BYTE,
      rgba
    );
    this._rows.set(key, row);
    this._stats.lutUploads++;
    return row;
  }

  /** Bind the atlas to its texture unit. */
  bind(): void {
    this._gl.activeTexture(this._gl.TEXTURE0 + UNITS.luts);
    this._gl.bindTexture(this._gl.TEXTURE_2D, this._texture);
  }

  dispose(): void {
    this._gl.deleteTexture(this._texture);
  }

  private _texture: WebGLTexture;
  private _rows = new Map<string, number>();
  private _fixed = 0;
}
