/**
 * GLSL ES 3.00 sources of the WebGL2 renderer: one full-frame triangle, and a
 * fragment shader per texture kind that does what `composeFrame` does in
 * software, pixel for pixel: level per channel (the float32 formula, settled
 * by the exact thresholds of gl-levels.ts), colour from the LUT atlas,
 * saturating additive composite, then every overlay blended "source over"
 * in integer arithmetic.
 */
import { BOUNDARY_MARGIN, valueKey } from '../display/gl-levels';
import {
  type ITextureFormat,
  LEVELS,
  type SamplerKind
} from '../display/gl-params';
import { FLOAT_STEPS } from '../display/render';

/** Most visible channels one draw composites (thresholds: 1 KiB each in a 16 KiB block). */
export const MAX_GL_CHANNELS = 16;

/** Texture units of the three samplers. */
export const UNITS = { planes: 0, luts: 1, overlays: 2 } as const;

/** Name of the uniform block holding the thresholds, and its binding point. */
export const THRESHOLD_BLOCK = 'Thresholds';
export const THRESHOLD_BINDING = 0;

/** The vertex shader: a triangle covering the viewport, no attributes. */
export const VERTEX_SHADER = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
`;

const SAMPLER: Record<SamplerKind, string> = {
  uint: 'usampler2DArray',
  int: 'isampler2DArray',
  float: 'sampler2DArray'
};

/** Integer domain: the texel (plus the type's offset) indexes the table. */
const INTEGER_LEVEL: Record<'uint' | 'int', string> = {
  uint: `int channelLevel(int c, ivec3 at) {
  return levelOf(c, int(texelFetch(uPlanes, at, 0).r));
}`,
  int: `int channelLevel(int c, ivec3 at) {
  return levelOf(c, texelFetch(uPlanes, at, 0).r + uIndexOffset);
}`
};

/** Steps domain: the key of a texel value (see ValueKey), and the value as a float for the guess. */
const STEP_FETCH: Record<SamplerKind, string> = {
  uint: `uint raw = texelFetch(uPlanes, at, 0).r;
  float v = float(raw);
  int key = int(raw ^ 0x80000000u);`,
  int: `int raw = texelFetch(uPlanes, at, 0).r;
  float v = float(raw);
  int key = raw;`,
  float: `float v = texelFetch(uPlanes, at, 0).r;
  int bits = floatBitsToInt(v == 0.0 ? 0.0 : v);
  int key = isnan(v) ? ${valueKey(-Infinity, 'float')} : (bits >= 0 ? bits : bits ^ 0x7fffffff);`
};

/**
 * Steps domain: the step index as the software path computes it (NaN and
 * s ≤ 0 → 0, s ≥ last → last, else round half up), the level guessed from
 * it, checked against the exact key thresholds, searched when wrong.
 */
function stepLevel(kind: SamplerKind): string {
  return `int channelLevel(int c, ivec3 at) {
  ${STEP_FETCH[kind]}
  vec4 steps = uValue[c];
  int top = int(steps.z);
  if (uLevel[c].w > 0.5) {
    return min(searchLevel(c, key), top);
  }
  float s = (v - steps.x) * steps.y;
  int j = (isnan(v) || !(s > 0.0)) ? 0 : (s >= ${FLOAT_STEPS.toFixed(1)} ? ${FLOAT_STEPS} : int(floor(s + 0.5)));
  int k = formulaLevel(c, j);
  if (threshold(c, k) <= key && (k == ${LEVELS - 1} || key < threshold(c, k + 1))) {
    return k;
  }
  return min(searchLevel(c, key), top);
}`;
}

/** The fragment shader for planes of `kind` whose levels come from `domain`. */
export function fragmentShader(
  kind: SamplerKind,
  domain: ITextureFormat['domain']
): string {
  const sampler = SAMPLER[kind];
  const blockVectors = (MAX_GL_CHANNELS * LEVELS) / 4;
  const channelLevel =
    domain === 'integer' && kind !== 'float'
      ? INTEGER_LEVEL[kind]
      : stepLevel(kind);
  return `#version 300 es
precision highp float;
precision highp int;
precision highp ${sampler};
precision highp usampler2D;
precision highp usampler2DArray;

uniform ${sampler} uPlanes;
uniform usampler2D uLuts;
uniform usampler2DArray uOverlays;
layout(std140) uniform ${THRESHOLD_BLOCK} {
  ivec4 uThresholds[${blockVectors}];
};
// per visible channel: (lo, inv, gamma, searchOnly) of the level formula
uniform vec4 uLevel[${MAX_GL_CHANNELS}];
// per visible channel, steps domain: (value min, scale, level of the largest key, -)
uniform vec4 uValue[${MAX_GL_CHANNELS}];
// per visible channel: (texture layer, LUT atlas row)
uniform ivec2 uSlot[${MAX_GL_CHANNELS}];
uniform int uChannels;
uniform int uIndexOffset;
uniform int uOverlayCount;
// image width, image height, swipe cut (columns with overlays), side by side (0/1)
uniform ivec4 uFrame;
out vec4 outColor;

int threshold(int c, int k) {
  int i = c * ${LEVELS} + k;
  return uThresholds[i >> 2][i & 3];
}

// The largest level k whose threshold is <= u (thresholds are non-decreasing).
int searchLevel(int c, int u) {
  int k = 0;
  for (int step = ${LEVELS / 2}; step > 0; step >>= 1) {
    if (threshold(c, k + step) <= u) {
      k += step;
    }
  }
  return k;
}

// 255 * clamp((u - lo) * inv)^gamma in float32.
float formulaX(int c, int u) {
  vec4 f = uLevel[c];
  float t = clamp((float(u) - f.x) * f.y, 0.0, 1.0);
  if (f.z != 1.0) {
    t = pow(t, f.z);
  }
  return 255.0 * t;
}

int formulaLevel(int c, int u) {
  return min(int(floor(formulaX(c, u) + 0.5)), ${LEVELS - 1});
}

// Integer domain: the formula, settled by the thresholds near a rounding boundary.
int levelOf(int c, int u) {
  if (uLevel[c].w > 0.5) {
    return searchLevel(c, u);
  }
  float x = formulaX(c, u);
  int k = min(int(floor(x + 0.5)), ${LEVELS - 1});
  if (abs(fract(x) - 0.5) > ${BOUNDARY_MARGIN}) {
    return k;
  }
  // Near a rounding boundary float32 may round the other way than float64.
  if (k > 0 && u < threshold(c, k)) {
    return k - 1;
  }
  if (k < ${LEVELS - 1} && u >= threshold(c, k + 1)) {
    return k + 1;
  }
  return k;
}

${channelLevel}

void main() {
  int col = int(gl_FragCoord.x);
  int row = uFrame.y - 1 - int(gl_FragCoord.y);
  bool withOverlays = col < uFrame.z;
  if (uFrame.w == 1) {
    withOverlays = col >= uFrame.x;
    if (withOverlays) {
      col -= uFrame.x;
    }
  }
  ivec2 p = ivec2(col, row);
  uvec3 sum = uvec3(0u);
  for (int i = 0; i < uChannels; i++) {
    ivec2 slot = uSlot[i];
    int k = channelLevel(i, ivec3(p, slot.x));
    sum += texelFetch(uLuts, ivec2(k, slot.y), 0).rgb;
  }
  uvec3 rgb = min(sum, uvec3(255u));
  if (withOverlays) {
    for (int i = 0; i < uOverlayCount; i++) {
      uvec4 s = texelFetch(uOverlays, ivec3(p, i), 0);
      if (s.a > 0u) {
        // round((s·a + d·(255 − a)) / 255); never a tie, so this is blendOver's result
        rgb = (s.rgb * s.a + rgb * (255u - s.a) + 127u) / 255u;
      }
    }
  }
  outColor = vec4(vec3(rgb) / 255.0, 1.0);
}
`;
}
