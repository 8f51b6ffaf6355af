/**
 * The pure half of the WebGL2 renderer: texture formats, texel uploads, and
 * the per-channel uniforms. The shader's arithmetic is replayed here in
 * float32 (Math.fround), with extra error injected, and must give exactly
 * the software path's level for every value of every integer type.
 */
import {
  blendOver,
  channelTable,
  type IChannelDisplay,
  contiguousPlane,
  FLOAT_STEPS,
  intensityTable,
  mapIntensity,
  planeView
} from '../display';
import {
  BOUNDARY_MARGIN,
  channelUniforms,
  type IChannelUniforms,
  INT32_MAX,
  keyValue,
  levelThresholds,
  valueKey
} from '../display/gl-levels';
import {
  frameLayout,
  GL_ENUMS,
  texelData,
  textureFormat,
  type ValueKey
} from '../display/gl-params';
import { fragmentShader, MAX_GL_CHANNELS } from '../renderers/shaders';

const f = Math.fround;

/** The shader's searchLevel. */
function searchLevel(u: number, thr: Int32Array): number {
  let k = 0;
  for (let step = 128; step > 0; step >>= 1) {
    if (thr[k + step] <= u) {
      k += step;
    }
  }
  return k;
}

/**
 * The shader's levelOf in float32; `err` is added to 255·t^γ to stand in for
 * a GPU whose pow or multiply is less accurate than Math.fround's.
 */
function shaderLevel(u: number, c: IChannelUniforms, err = 0): number {
  if (c.searchOnly) {
    return searchLevel(u, c.thresholds);
  }
  let t = f(f(f(u) - f(c.lo)) * f(c.inv));
  t = Math.min(1, Math.max(0, t));
  if (f(c.gamma) !== 1) {
    t = f(Math.pow(t, f(c.gamma)));
  }
  const x = f(f(255 * t) + err);
  const k = Math.min(Math.floor(x + 0.5), 255);
  if (Math.abs(x - Math.floor(x) - 0.5) > BOUNDARY_MARGIN) {
    return k;
  }
  if (k > 0 && u < c.thresholds[k]) {
    return k - 1;
  }
  if (k < 255 && u >= c.thresholds[k + 1]) {
    return k + 1;
  }
  return k;
}

/** The shader's formulaLevel in float32. */
function formulaLevel(u: number, c: IChannelUniforms): number {
  let t = f(f(f(u) - f(c.lo)) * f(c.inv));
  t = Math.min(1, Math.max(0, t));
  if (f(c.gamma) !== 1) {
    t = f(Math.pow(t, f(c.gamma)));
  }
  return Math.min(Math.floor(f(255 * t) + 0.5), 255);
}

/** The shader's steps-domain channelLevel (float32, int32 and uint32 textures). */
function shaderStepLevel(
  v: number,
  c: IChannelUniforms,
  kind: ValueKey
): number {
  const key = valueKey(kind === 'float' ? f(v) : v, kind);
  const top = c.maxLevel;
  if (c.searchOnly) {
    return Math.min(searchLevel(key, c.thresholds), top);
  }
  const x = f(v);
  const s = f(f(x - f(c.valueMin)) * f(c.valueScale));
  const j =
    Number.isNaN(x) || !(s > 0)
      ? 0
      : s >= FLOAT_STEPS
        ? FLOAT_STEPS
        : Math.floor(f(s + 0.5));
  const k = formulaLevel(j, c);
  const thr = c.thresholds;
  if (thr[k] <= key && (k === 255 || key < thr[k + 1])) {
    return k;
  }
  return Math.min(searchLevel(key, thr), top);
}

/** The software path's level of a value in the steps domain (renderChannel's expression). */
function softwareStepLevel(v: number, d: IChannelDisplay): number {
  const span = d.max > d.min ? d.max - d.min : 1;
  const s = (v - d.min) * (FLOAT_STEPS / span);
  const j = s > 0 ? (s < FLOAT_STEPS ? Math.round(s) : FLOAT_STEPS) : 0;
  return mapIntensity(d.min + (span * j) / FLOAT_STEPS, d);
}

/** A deterministic generator in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

const WINDOWS: IChannelDisplay[] = [
  // 255·(v − 120)/100 hits k + 0.5 exactly every 10 values: the hard case
  { min: 120, max: 220, colormap: 'grey' },
  { min: 0, max: 65535, colormap: 'grey' },
  { min: 99.5, max: 4000.25, gamma: 1.7, colormap: 'grey' },
  { min: 100, max: 300, gamma: 0.5, colormap: 'grey' },
  { min: 1000, max: 1003, colormap: 'grey' },
  { min: 104, max: 375, gamma: 2.35, colormap: 'grey' },
  { min: -40000, max: -20000, colormap: 'grey' },
  { min: -100, max: 100, gamma: 0.3, colormap: 'grey' },
  { min: 7, max: 7, colormap: 'grey' },
  { min: 7.5, max: 2, colormap: 'grey' },
  { min: 10.2, max: 10.245, colormap: 'grey' },
  { min: NaN, max: 100, colormap: 'grey' }
];

const INTEGER_KINDS = [
  Uint8Array.from([0]),
  Int8Array.from([0]),
  Uint16Array.from([0]),
  Int16Array.from([0])
];

describe('texture formats', () => {
  it('keeps ≤ 16-bit integers exact in integer textures and the rest in R32F', () => {
    const E = GL_ENUMS;
    const cases: [ArrayBufferView, number, number, string, number][] = [
      [new Uint8Array(1), E.R8UI, E.UNSIGNED_BYTE, 'uint', 0],
      [new Int8Array(1), E.R8I, E.BYTE, 'int', 128],
      [new Uint16Array(1), E.R16UI, E.UNSIGNED_SHORT, 'uint', 0],
      [new Int16Array(1), E.R16I, E.SHORT, 'int', 32768],
      [new Float32Array(1), E.R32F, E.FLOAT, 'float', 0],
      [new Int32Array(1), E.R32I, E.INT, 'int', 0],
      [new Uint32Array(1), E.R32UI, E.UNSIGNED_INT, 'uint', 0],
      [new Float64Array(1), E.R32F, E.FLOAT, 'float', 0]
    ];
    for (const [data, internal, type, sampler, offset] of cases) {
      const t = textureFormat(data as Uint8Array);
      expect([t.internalFormat, t.type, t.sampler, t.indexOffset]).toEqual([
        internal,
        type,
        sampler,
        offset
      ]);
    }
    expect(textureFormat(new Uint16Array(1))).toMatchObject({
      domain: 'integer',
      domainSize: 65536,
      converted: false,
      format: E.RED_INTEGER
    });
    expect(textureFormat(new Float32Array(1))).toMatchObject({
      domain: 'steps',
      domainSize: FLOAT_STEPS + 1,
      converted: false,
      format: E.RED
    });
    expect(textureFormat(new Uint32Array(1)).converted).toBe(false);
    expect(textureFormat(new BigInt64Array(1)).converted).toBe(true);
  });

  it('uploads contiguous planes without a copy and copies strided ones', () => {
    // ZYX stack: plane z=1 is a view into the middle of the buffer
    const stack = new Uint16Array(3 * 4 * 5).map((_, i) => i);
    const plane = planeView(
      { dtype: 'uint16', shape: [3, 4, 5], data: stack },
      'ZYX',
      { z: 1 }
    );
    const t = texelData(plane, textureFormat(stack));
    expect(t.zeroCopy).toBe(true);
    expect(t.data.buffer).toBe(stack.buffer);
    expect(Array.from(t.data)).toEqual(
      Array.from({ length: 20 }, (_, i) => 20 + i)
    );
    // YXC: channel 2 of an RGB image, every third byte
    const rgb = new Uint8Array(2 * 3 * 3).map((_, i) => i);
    const g = planeView(
      { dtype: 'uint8', shape: [2, 3, 3], data: rgb },
      'YXC',
      { c: 2 }
    );
    const tg = texelData(g, textureFormat(rgb));
    expect(tg.zeroCopy).toBe(false);
    expect(Array.from(tg.data)).toEqual([2, 5, 8, 11, 14, 17]);
  });

  it('converts float64 and 64-bit integers to float32 relative to their minimum', () => {
    const big = Float64Array.from([
      2_000_000_001, 2_000_000_003, 2_000_000_002, 2_000_000_000
    ]);
    const t = texelData(contiguousPlane(big, 2, 2), textureFormat(big));
    expect(t.base).toBe(2_000_000_000);
    // float32 keeps these exactly only because the base was taken off
    expect(Array.from(t.data)).toEqual([1, 3, 2, 0]);
    const int32 = Int32Array.from([7, -7]);
    expect(
      texelData(contiguousPlane(int32, 2, 1), textureFormat(int32)).zeroCopy
    ).toBe(true);
    const wide = BigInt64Array.from([5n, -3n, 9n, 0n]);
    const tw = texelData(contiguousPlane(wide, 2, 2), textureFormat(wide));
    expect([tw.base, ...Array.from(tw.data)]).toEqual([-3, 8, 0, 12, 3]);
    const withNaN = Float64Array.from([NaN, -Infinity, 4, 6]);
    const tn = texelData(
      contiguousPlane(withNaN, 2, 2),
      textureFormat(withNaN)
    );
    expect(tn.base).toBe(4);
    expect(Number.isNaN(tn.data[0])).toBe(true);
    expect(Array.from(tn.data.subarray(1))).toEqual([-Infinity, 0, 2]);
  });
});

describe('thresholds', () => {
  it('list the first index of every level of a monotonic table', () => {
    const thr = levelThresholds(Uint8Array.from([0, 0, 2, 2, 255]))!;
    expect(Array.from(thr.subarray(0, 4))).toEqual([0, 2, 2, 4]);
    expect(thr[255]).toBe(4);
    expect(levelThresholds(Uint8Array.from([0, 0, 0]))![1]).toBe(3); // never reached
    expect(levelThresholds(Uint8Array.from([0, 5, 4]))).toBeNull();
  });

  it('a contrast change is only uniforms: 256 thresholds and four numbers', () => {
    const u = channelUniforms(textureFormat(new Uint16Array(1)), WINDOWS[0])!;
    expect(u.thresholds.length).toBe(256);
    expect([u.lo, u.inv, u.gamma, u.searchOnly]).toEqual([120, 0.01, 1, false]);
    // the block holds MAX_GL_CHANNELS channels of 256 ints in 16 KiB, WebGL2's minimum
    expect(MAX_GL_CHANNELS * 256 * 4).toBeLessThanOrEqual(16384);
  });
});

describe("the shader's level equals the software path's", () => {
  it('for every value of every ≤ 16-bit integer type and window', () => {
    for (const kind of INTEGER_KINDS) {
      const format = textureFormat(kind);
      for (const d of WINDOWS) {
        const u = channelUniforms(format, d)!;
        const table = intensityTable(-format.indexOffset, format.domainSize, d);
        let bad = 0;
        for (let i = 0; i < format.domainSize; i++) {
          bad += shaderLevel(i, u) === table[i] ? 0 : 1;
        }
        expect({ d, kind: kind.constructor.name, bad }).toEqual({
          d,
          kind: kind.constructor.name,
          bad: 0
        });
      }
    }
  });

  it('even when the GPU adds up to half the margin of error', () => {
    const format = textureFormat(new Uint16Array(1));
    for (const d of WINDOWS.slice(0, 6)) {
      const u = channelUniforms(format, d)!;
      const table = intensityTable(0, 65536, d);
      for (const err of [BOUNDARY_MARGIN / 2, -BOUNDARY_MARGIN / 2]) {
        let bad = 0;
        for (let i = 0; i < 65536; i++) {
          bad += shaderLevel(i, u, err) === table[i] ? 0 : 1;
        }
        expect(bad).toBe(0);
      }
    }
  });

  it('without the thresholds, float32 alone gets ties wrong (why they exist)', () => {
    // v = 130 in 120–220: 255·0.1 = 25.5 → 26 in float64; float32 multiplies by 1/100
    const u = channelUniforms(textureFormat(new Uint16Array(1)), WINDOWS[0])!;
    const x = f(255 * f(f(130 - 120) * f(u.inv)));
    expect(Math.floor(x + 0.5)).toBe(25);
    expect(mapIntensity(130, WINDOWS[0])).toBe(26);
    expect(shaderLevel(130, u)).toBe(26);
  });

  it('for float32 data, exactly: keys and thresholds absorb float32 rounding', () => {
    const rand = random(7);
    const data = Float32Array.from({ length: 100_000 }, () =>
      f(rand() * 5000 - 500)
    );
    data.set([NaN, Infinity, -Infinity, 0, -0, 1e-42, -1e-42, 3e38, -3e38]);
    const format = textureFormat(data);
    for (const d of [
      { min: 0, max: 4000, colormap: 'grey' as const },
      { min: 12.5, max: 1234.75, gamma: 0.7, colormap: 'grey' as const },
      { min: 12.5, max: 1234.75, colormap: 'grey' as const },
      { min: -0.001, max: 0.001, gamma: 2.2, colormap: 'grey' as const },
      { min: 300, max: 300, colormap: 'grey' as const },
      { min: NaN, max: 3, colormap: 'grey' as const }
    ]) {
      const u = channelUniforms(format, d)!;
      // and the float32 values closest to every half step of this window,
      // where float32 and float64 round the step index differently
      const span = d.max > d.min ? d.max - d.min : 1;
      const near: number[] = [];
      for (let j = 0; j < FLOAT_STEPS; j++) {
        const key = valueKey(
          f(d.min + ((j + 0.5) * span) / FLOAT_STEPS),
          'float'
        );
        for (let e = -3; e <= 3; e++) {
          near.push(keyValue(key + e, 'float'));
        }
      }
      let bad = 0;
      for (const v of [...data, ...near]) {
        bad +=
          shaderStepLevel(v, u, 'float') === softwareStepLevel(v, d) ? 0 : 1;
      }
      expect({ d, bad }).toEqual({ d, bad: 0 });
    }
  });

  it('for 32-bit integers, exactly, up to the ends of their range', () => {
    const rand = random(3);
    const cases: [Int32Array | Uint32Array, ValueKey, IChannelDisplay[]][] = [
      [
        Int32Array.from({ length: 50_000 }, (_, i) =>
          i < 4
            ? [-(2 ** 31), 2 ** 31 - 1, 0, -1][i]
            : Math.floor(rand() * 2 ** 32) - 2 ** 31
        ),
        'int32',
        [
          { min: -1e9, max: 1e9, colormap: 'grey' },
          { min: 1000, max: 1100, colormap: 'grey' },
          { min: -3e9, max: 3e9, gamma: 0.5, colormap: 'grey' },
          { min: 5, max: 5, colormap: 'grey' }
        ]
      ],
      [
        Uint32Array.from({ length: 50_000 }, (_, i) =>
          i < 3 ? [0, 2 ** 32 - 1, 2 ** 31][i] : Math.floor(rand() * 2 ** 32)
        ),
        'uint32',
        [
          { min: 0, max: 2 ** 32 - 1, colormap: 'grey' },
          { min: -100, max: 1000, colormap: 'grey' }, // level of 0 is already > 0
          { min: 1e9, max: 6e9, gamma: 1.3, colormap: 'grey' }, // the top levels are never reached
          { min: 2 ** 32 - 2, max: 2 ** 32 - 1, colormap: 'grey' }
        ]
      ]
    ];
    for (const [data, kind, windows] of cases) {
      const format = textureFormat(data);
      expect(format.key).toBe(kind);
      for (const d of windows) {
        const u = channelUniforms(format, d)!;
        let bad = 0;
        for (let i = 0; i < data.length; i++) {
          bad +=
            shaderStepLevel(data[i], u, kind) === softwareStepLevel(data[i], d)
              ? 0
              : 1;
        }
        expect({ kind, d, bad }).toEqual({ kind, d, bad: 0 });
      }
    }
  });

  it('for float64 (uploaded as float32 relative to its minimum), within one level', () => {
    const rand = random(11);
    const data = Float64Array.from(
      { length: 50_000 },
      () => 3e9 + rand() * 8e8
    );
    const plane = contiguousPlane(data, 50_000, 1);
    const format = textureFormat(data);
    const texels = texelData(plane, format);
    const d: IChannelDisplay = { min: 3.1e9, max: 3.5e9, colormap: 'grey' };
    const u = channelUniforms(format, d, texels.base)!;
    let worst = 0;
    let differ = 0;
    for (let i = 0; i < data.length; i++) {
      const diff = Math.abs(
        shaderStepLevel(texels.data[i], u, 'float') -
          softwareStepLevel(data[i], d)
      );
      worst = Math.max(worst, diff);
      differ += diff ? 1 : 0;
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(differ).toBeLessThan(data.length * 1e-3);
  });

  it('float keys order every float32 like the values, and invert', () => {
    const values = [-Infinity, -3e38, -1, -1e-42, 0, 1e-42, 1, 3e38, Infinity];
    const keys = values.map(v => valueKey(v, 'float'));
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
    expect(values.map((v, i) => keyValue(keys[i], 'float'))).toEqual(
      values.map(f)
    );
    expect(valueKey(-0, 'float')).toBe(valueKey(0, 'float'));
    expect(valueKey(NaN, 'float')).toBe(valueKey(-Infinity, 'float'));
    expect(valueKey(2 ** 32 - 1, 'uint32')).toBe(INT32_MAX);
    expect(keyValue(valueKey(123456789, 'uint32'), 'uint32')).toBe(123456789);
  });

  it('uses the same steps as channelTable for float data', () => {
    const data = Float32Array.from([0, 100, 200]);
    const d: IChannelDisplay = { min: 10, max: 190, colormap: 'grey' };
    const t = channelTable(data, d);
    const u = channelUniforms(textureFormat(data), d)!;
    expect(u.valueScale).toBeCloseTo(t.scale, 12);
    expect(u.valueMin).toBe(t.offset);
  });
});

describe('overlay blending', () => {
  it("the shader's integer blend equals blendOver for every alpha and backdrop", () => {
    let bad = 0;
    const dst = new Uint8ClampedArray(256 * 4);
    const src = new Uint8ClampedArray(256 * 4);
    const colours = [...Array.from({ length: 52 }, (_, i) => i * 5), 254];
    for (let a = 1; a < 256; a++) {
      for (const s of colours) {
        for (let d = 0; d < 256; d++) {
          dst.fill(d, d * 4, d * 4 + 4);
          src[d * 4] = s;
          src[d * 4 + 3] = a;
        }
        blendOver(dst, src);
        for (let d = 0; d < 256; d++) {
          const gl = Math.floor((s * a + d * (255 - a) + 127) / 255);
          bad += dst[d * 4] === gl ? 0 : 1;
        }
      }
    }
    expect(bad).toBe(0);
  });

  it('lays out swipe and side by side as composeFrame does', () => {
    expect(frameLayout(100, 'overlay', 0.3, 2)).toEqual({
      width: 100,
      cut: 100,
      sideBySide: false
    });
    expect(frameLayout(100, 'swipe', 0.304, 1)).toEqual({
      width: 100,
      cut: 30,
      sideBySide: false
    });
    expect(frameLayout(100, 'side-by-side', 0.5, 1)).toEqual({
      width: 200,
      cut: 100,
      sideBySide: true
    });
    // no visible overlay: never doubled
    expect(frameLayout(100, 'side-by-side', 0.5, 0).width).toBe(100);
  });
});

describe('shader sources', () => {
  it('one variant per sampler kind, with the constants of the pure half', () => {
    expect(fragmentShader('uint', 'integer')).toContain(
      'uniform usampler2DArray uPlanes'
    );
    expect(fragmentShader('int', 'integer')).toContain('+ uIndexOffset');
    expect(fragmentShader('int', 'steps')).toContain('int key = raw;');
    expect(fragmentShader('uint', 'steps')).toContain('raw ^ 0x80000000u');
    expect(fragmentShader('float', 'steps')).toContain(
      `isnan(v) ? ${valueKey(-Infinity, 'float')}`
    );
    expect(fragmentShader('uint', 'integer')).toContain(`> ${BOUNDARY_MARGIN}`);
    expect(fragmentShader('uint', 'integer')).toContain(
      `ivec4 uThresholds[${(MAX_GL_CHANNELS * 256) / 4}]`
    );
  });
});
