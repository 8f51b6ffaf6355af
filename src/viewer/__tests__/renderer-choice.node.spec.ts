/**
 * How the viewer picks its renderer from the setting and what a WebGL2
 * probe found.
 */
import {
  chooseRenderer,
  isSoftwareGL,
  parsePreference,
  shortGLName
} from '../renderers/choice';

/** What headless Chromium 156 reports on these machines (with or without --disable-gpu). */
const SWIFTSHADER =
  'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const NVIDIA =
  'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002504) Direct3D11 vs_5_0 ps_5_0, D3D11)';

describe('renderer choice', () => {
  it('recognises CPU rasterisers by their renderer string', () => {
    expect(isSoftwareGL(SWIFTSHADER)).toBe(true);
    expect(isSoftwareGL('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareGL('Mesa/X.org, lavapipe')).toBe(true);
    expect(isSoftwareGL('Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareGL(NVIDIA)).toBe(false);
    expect(isSoftwareGL('Apple M1')).toBe(false);
    expect(isSoftwareGL(undefined)).toBe(false);
    expect(shortGLName(SWIFTSHADER)).toBe('SwiftShader');
    expect(shortGLName('Apple M1')).toBe('Apple M1');
  });

  it('auto: WebGL2 on a GPU, software on a CPU rasteriser or without a context', () => {
    expect(
      chooseRenderer('auto', { available: true, renderer: NVIDIA })
    ).toMatchObject({ kind: 'webgl2', glRenderer: NVIDIA });
    const sw = chooseRenderer('auto', {
      available: true,
      renderer: SWIFTSHADER
    });
    expect(sw.kind).toBe('software');
    expect(sw.reason).toContain('SwiftShader');
    expect(
      chooseRenderer('auto', { available: false, error: 'blocked' })
    ).toMatchObject({
      kind: 'software',
      reason: 'no WebGL2 context (blocked)'
    });
  });

  it('a forced renderer is used, WebGL2 even on SwiftShader, unless no context exists', () => {
    expect(
      chooseRenderer('webgl2', { available: true, renderer: SWIFTSHADER })
    ).toMatchObject({ kind: 'webgl2' });
    expect(
      chooseRenderer('webgl2', { available: false, error: 'no GPU process' })
        .reason
    ).toContain('WebGL2 was asked for');
    expect(
      chooseRenderer('software', { available: true, renderer: NVIDIA }).kind
    ).toBe('software');
    expect(chooseRenderer('software', null).kind).toBe('software');
  });

  it('reads the setting, defaulting to auto', () => {
    expect(parsePreference('webgl2')).toBe('webgl2');
    expect(parsePreference('software')).toBe('software');
    expect(parsePreference('gpu')).toBe('auto');
    expect(parsePreference(undefined)).toBe('auto');
  });
});
