import { expect, galata, test } from './helpers/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { FIXTURES, PYTHON } from './helpers/fixtures';
import {
  canvasPixels,
  compareFrames,
  IPixels,
  nextFrames,
  renderState,
  setRendererSetting,
  ViewerHelper,
  ViewerSelectors
} from './helpers/viewer-helper';

/**
 * The WebGL2 renderer against the software one, pixel for pixel, on the
 * stardist fixtures. This browser (headless Chromium, --disable-gpu, no GPU)
 * still makes WebGL2 contexts: ANGLE on SwiftShader's Vulkan, a CPU
 * rasteriser. So the GL path really runs here, and 'auto' must not pick it.
 *
 * Tolerance: ±1 per 8-bit channel over the whole frame. The renderer is
 * built to be exact (integer textures, the software levels' own thresholds
 * near rounding boundaries, integer blending), so any difference at all is
 * reported; ±1 is the budget for what the GL specification leaves to the
 * implementation (float → unorm8 conversion of k/255 and float32 arithmetic
 * for float images), never enough to hide a wrong level in a steep LUT.
 */
const STARDIST = path.join(FIXTURES, 'images', 'stardist');
const TOLERANCE = 1;

async function upload(request: any, tmpPath: string, names: string[]): Promise<void> {
  const contents = galata.newContentsHelper(request);
  for (const name of names) {
    await contents.uploadFile(path.join(STARDIST, name), `${tmpPath}/${name}`);
  }
}

/** Draw the current state with `kind`, wait for the frame, read it back. */
async function frameWith(page: any, viewer: any, kind: 'webgl2' | 'software'): Promise<IPixels> {
  await setRendererSetting(page, kind);
  await expect(viewer).toHaveAttribute('data-renderer', kind);
  await nextFrames(page);
  return canvasPixels(viewer);
}

/** The same state drawn by both renderers must agree within TOLERANCE. */
async function expectRenderersAgree(page: any, viewer: any, what: string): Promise<IPixels> {
  const gl = await frameWith(page, viewer, 'webgl2');
  const state = await renderState(page);
  expect(state.kind, what).toBe('webgl2');
  const sw = await frameWith(page, viewer, 'software');
  const diff = compareFrames(gl, sw);
  test.info().annotations.push({
    type: 'pixels',
    description: `${what}: ${diff.pixels} pixels, ${diff.differing} differ, max |Δ| ${diff.maxDiff}`
  });
  expect(diff.maxDiff, `${what}: max |WebGL2 − software| per channel`).toBeLessThanOrEqual(TOLERANCE);
  // Not a blank frame: the comparison compares something.
  expect(gl.data.some((v, i) => i % 4 !== 3 && v > 0), `${what}: frame has content`).toBe(true);
  await setRendererSetting(page, 'webgl2');
  await expect(viewer).toHaveAttribute('data-renderer', 'webgl2');
  return gl;
}

async function setContrast(viewer: any, min: number, max: number, gamma: number): Promise<void> {
  await viewer.locator('.jp-BioImage-contrastMin').fill(String(min));
  await viewer.locator('.jp-BioImage-contrastMax').fill(String(max));
  await viewer.locator('.jp-BioImage-gamma').fill(String(gamma));
  await viewer.locator('.jp-BioImage-gamma').press('Enter');
  await viewer.locator('.jp-BioImage-gamma').blur();
}

test.describe('WebGL2 renderer', () => {
  test.use({ autoGoto: true });

  test('this browser offers WebGL2 only through SwiftShader, so auto draws in software', async ({
    page,
    request,
    tmpPath
  }) => {
    const probe = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl
        ? { context: true, renderer: ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER) }
        : { context: false, renderer: null };
    });
    test.info().annotations.push({ type: 'webgl2', description: JSON.stringify(probe) });
    expect(probe.context).toBe(true);
    expect(probe.renderer).toMatch(/SwiftShader/);

    await upload(request, tmpPath, ['img2d.tif']);
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    const viewer = await helper.openByDoubleClick('img2d.tif');
    await helper.waitReady(viewer);
    await expect(viewer).toHaveAttribute('data-renderer', 'software');
    await expect(viewer).toHaveAttribute('data-renderer-reason', /SwiftShader/);
    await expect(viewer.locator(ViewerSelectors.status)).toContainText('· software');
  });

  for (const [image, mask, window] of [
    ['img2d.tif', 'mask2d.tif', { min: 20, max: 120, gamma: 0.6 }],
    ['img3d.tif', 'mask3d.tif', { min: 120, max: 220, gamma: 1.8 }]
  ] as const) {
    test(`${image}: WebGL2 and software agree on every pixel (±${TOLERANCE})`, async ({
      page,
      request,
      tmpPath
    }) => {
      test.setTimeout(180_000);
      await upload(request, tmpPath, [image, mask]);
      await setRendererSetting(page, 'webgl2');
      await page.filebrowser.openDirectory(tmpPath);
      const helper = new ViewerHelper(page);
      const viewer = await helper.openByDoubleClick(image);
      await helper.waitReady(viewer);
      await expect(viewer).toHaveAttribute('data-renderer', 'webgl2');
      await expect(viewer.locator(ViewerSelectors.status)).toContainText('· WebGL2');

      await expectRenderersAgree(page, viewer, 'auto-contrast');
      // 255·(v − min)/100 lands exactly on k + 0.5 every 10 values: float32 alone would round some wrong.
      await setContrast(viewer, window.min, window.max, 1);
      await expectRenderersAgree(page, viewer, `contrast ${window.min}–${window.max}`);
      // The steepest map on that window: a level off by one differs by up to 6 here.
      await viewer.locator('.jp-BioImage-channelColormap').selectOption('heatmap');
      await expectRenderersAgree(page, viewer, 'colour map heatmap');
      await setContrast(viewer, window.min, window.max, window.gamma);
      await expectRenderersAgree(page, viewer, `gamma ${window.gamma}`);
      await viewer.locator('.jp-BioImage-channelColormap').selectOption('fire');
      await expectRenderersAgree(page, viewer, 'colour map fire');

      // Overlays: labels with outlines, then the mask again as a heatmap on top.
      await viewer.locator('.jp-BioImage-overlayPath').fill(mask);
      await viewer.locator('.jp-BioImage-overlayKind').selectOption('labels');
      await viewer.locator('.jp-BioImage-overlayAdd').click();
      await expect(viewer.locator('.jp-BioImage-overlay')).toHaveCount(1);
      await viewer.locator('.jp-BioImage-overlayOutline').check();
      await expectRenderersAgree(page, viewer, 'label overlay with outlines');
      await viewer.locator('.jp-BioImage-overlayPath').fill(mask);
      await viewer.locator('.jp-BioImage-overlayKind').selectOption('heatmap');
      await viewer.locator('.jp-BioImage-overlayAdd').click();
      await expect(viewer.locator('.jp-BioImage-overlay')).toHaveCount(2);
      await viewer.locator('.jp-BioImage-overlayOpacity').nth(1).fill('0.7');
      await expectRenderersAgree(page, viewer, 'labels + heatmap overlays');
      await viewer.locator('.jp-BioImage-compareMode').selectOption('side-by-side');
      const sideBySide = await expectRenderersAgree(page, viewer, 'side by side');
      expect(sideBySide.width).toBe(2 * (await renderSize(page)).width);
    });
  }

  test('other element types and channel layouts agree too (±1)', async ({ page, request, tmpPath }) => {
    test.setTimeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bio-webgl-'));
    execFileSync(PYTHON, [
      '-c',
      `
import numpy as np, tifffile
rng = np.random.default_rng(1)
y, x = np.mgrid[0:90, 0:70]
f = (np.sin(x / 9.0) * np.cos(y / 13.0) * 800 + rng.normal(0, 40, (90, 70))).astype('float32')
f[5:9, 5:9] = np.nan; f[0, 0] = np.inf; f[0, 1] = -np.inf
np.save('${dir}/float32.npy', f)
np.save('${dir}/float64.npy', f.astype('float64') * 1e6 + 3e9)
np.save('${dir}/int16.npy', (f * 3).clip(-32000, 32000).astype('int16'))
np.save('${dir}/int32.npy', (f.astype('float64') * 2e6).astype('int32'))
np.save('${dir}/uint32.npy', (f.astype('float64') * 2e6 + 2.2e9).astype('uint32'))
np.save('${dir}/rgb.npy', rng.integers(0, 256, (60, 80, 3)).astype('uint8'))
two = np.stack([rng.integers(0, 4000, (60, 80)), rng.integers(0, 3000, (60, 80))]).astype('uint16')
tifffile.imwrite('${dir}/two.tif', two, imagej=True, metadata={'axes': 'CYX'})
`
    ]);
    const names = ['float32.npy', 'int16.npy', 'int32.npy', 'uint32.npy', 'rgb.npy', 'two.tif', 'float64.npy'];
    const contents = galata.newContentsHelper(request);
    for (const name of names) {
      await contents.uploadFile(path.join(dir, name), `${tmpPath}/${name}`);
    }
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    for (const name of names) {
      await setRendererSetting(page, 'webgl2');
      const viewer = await helper.openByDoubleClick(name);
      await helper.waitReady(viewer);
      await expect(viewer).toHaveAttribute('data-renderer', 'webgl2');
      await expectRenderersAgree(page, viewer, `${name} auto-contrast`);
      // float64 goes to the GPU as float32 (relative to its minimum): exact
      // only to one level, so it is compared on the grey ramp, where one level is ±1.
      if (name !== 'float64.npy') {
        await viewer.locator('.jp-BioImage-channelColormap').first().selectOption('heatmap');
        await expectRenderersAgree(page, viewer, `${name} heatmap`);
      }
      await viewer.locator('.jp-BioImage-gamma').first().fill('0.45');
      await viewer.locator('.jp-BioImage-gamma').first().press('Enter');
      await expectRenderersAgree(page, viewer, `${name} gamma 0.45`);
      await page.evaluate(() => (window as any).jupyterapp.commands.execute('application:close'));
    }
  });

  test('a contrast or colour-map change uploads no texture: only uniforms change', async ({
    page,
    request,
    tmpPath
  }) => {
    await upload(request, tmpPath, ['img3d.tif']);
    await setRendererSetting(page, 'webgl2');
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    const viewer = await helper.openByDoubleClick('img3d.tif');
    await helper.waitReady(viewer);
    await expect(viewer).toHaveAttribute('data-renderer', 'webgl2');
    await nextFrames(page);
    const before = (await renderState(page)).stats;
    expect(before.planeUploads).toBe(1);

    await setContrast(viewer, 130, 300, 1.4);
    await nextFrames(page);
    await viewer.locator('.jp-BioImage-channelColormap').selectOption('magenta');
    await nextFrames(page);
    await viewer.locator('.jp-BioImage-channelVisible').uncheck();
    await nextFrames(page);
    await viewer.locator('.jp-BioImage-channelVisible').check();
    await nextFrames(page);
    const after = (await renderState(page)).stats;
    expect(after.draws).toBeGreaterThanOrEqual(before.draws + 4);
    expect(after.planeUploads).toBe(before.planeUploads);
    expect(after.planeUploadBytes).toBe(before.planeUploadBytes);
    expect(after.lutUploads).toBe(before.lutUploads); // built-in maps are in the atlas from the start

    // A new plane is a new upload (one layer, 61 × 57 uint16).
    await viewer.locator(ViewerSelectors.zSlider).fill('3');
    await expect(viewer.locator(ViewerSelectors.canvas)).toHaveAttribute('data-z', '3');
    const moved = (await renderState(page)).stats;
    expect(moved.planeUploads).toBe(before.planeUploads + 1);
    expect(moved.planeUploadBytes - after.planeUploadBytes).toBe(61 * 57 * 2);
  });

  test('a forced software renderer still works', async ({ page, request, tmpPath }) => {
    await upload(request, tmpPath, ['img3d.tif']);
    await setRendererSetting(page, 'software');
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    const viewer = await helper.openByDoubleClick('img3d.tif');
    await helper.waitReady(viewer);
    await expect(viewer).toHaveAttribute('data-renderer', 'software');
    await expect(viewer).toHaveAttribute('data-renderer-reason', 'set in the viewer settings');
    await expect(viewer.locator(ViewerSelectors.status)).toContainText('· software');
    await setContrast(viewer, 120, 220, 1);
    const hovered = await helper.hoverCenter(viewer);
    const value = Number(/value (\d+)/.exec(hovered.text)![1]);
    const stats = await helper.canvasStats(viewer, hovered.x, hovered.y);
    const expected = Math.round(255 * Math.min(1, Math.max(0, (value - 120) / 100)));
    expect(stats.pixel).toEqual([expected, expected, expected, 255]);
  });

  test('a lost WebGL2 context falls back to software without an error', async ({
    page,
    request,
    tmpPath
  }) => {
    const errors: string[] = [];
    page.on('pageerror', e => errors.push(e.message));
    await upload(request, tmpPath, ['img2d.tif']);
    await setRendererSetting(page, 'webgl2');
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    const viewer = await helper.openByDoubleClick('img2d.tif');
    await helper.waitReady(viewer);
    await expect(viewer).toHaveAttribute('data-renderer', 'webgl2');
    await nextFrames(page);
    const gl = await canvasPixels(viewer);

    await viewer.locator(ViewerSelectors.canvas).evaluate((canvas: HTMLCanvasElement) => {
      canvas.getContext('webgl2')!.getExtension('WEBGL_lose_context')!.loseContext();
    });
    await expect(viewer).toHaveAttribute('data-renderer', 'software');
    await expect(viewer).toHaveAttribute('data-renderer-reason', 'the WebGL2 context was lost');
    await nextFrames(page);
    const sw = await canvasPixels(viewer);
    expect(compareFrames(gl, sw).maxDiff).toBeLessThanOrEqual(TOLERANCE);
    // still interactive: a contrast change redraws
    await setContrast(viewer, 10, 100, 1);
    await nextFrames(page);
    expect(compareFrames(sw, await canvasPixels(viewer)).differing).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

/** Width and height of the current image. */
async function renderSize(page: any): Promise<{ width: number; height: number }> {
  return page.evaluate(() => {
    const m = (window as any).jupyterapp.shell.currentWidget.content.model;
    return { width: m.width, height: m.height };
  });
}
