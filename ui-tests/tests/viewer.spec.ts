import { expect, galata, test } from './helpers/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { FIXTURES, PYTHON } from './helpers/fixtures';
import { ViewerHelper, ViewerSelectors } from './helpers/viewer-helper';

const STARDIST = path.join(FIXTURES, 'images', 'stardist');
const IMAGES = ['img2d.tif', 'mask2d.tif', 'img3d.tif', 'mask3d.tif'];
const DOCS_IMAGES = path.resolve(__dirname, '../../docs/images');

/** Upload the stardist fixture images into the test's folder. */
async function uploadImages(request: any, tmpPath: string): Promise<void> {
  const contents = galata.newContentsHelper(request);
  for (const name of IMAGES) {
    await contents.uploadFile(path.join(STARDIST, name), `${tmpPath}/${name}`);
  }
}

/** A fresh local temporary folder. */
function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bio-viewer-'));
}

test.describe('BioImage viewer', () => {
  test.use({ autoGoto: true });

  test('opens a 3D TIFF, moves through Z, changes contrast and overlays labels', async ({
    page,
    request,
    tmpPath
  }) => {
    await uploadImages(request, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    const viewer = await helper.openByDoubleClick('img3d.tif');
    await helper.waitReady(viewer);

    // The tab was opened with our factory, the default for .tif files.
    await expect(page.locator('.jp-MainAreaWidget:visible.jp-BioImage-document')).toHaveCount(1);
    const zLabel = viewer.locator(ViewerSelectors.zLabel);
    await expect(zLabel).toHaveText('z 16 / 31');
    const canvas = viewer.locator(ViewerSelectors.canvas);
    await expect(canvas).toHaveAttribute('data-z', '15');
    const before = await helper.canvasStats(viewer);
    expect([before.width, before.height]).toEqual([57, 61]);

    // The z slider: label and pixels change.
    await viewer.locator(ViewerSelectors.zSlider).fill('3');
    await expect(zLabel).toHaveText('z 4 / 31');
    await expect(canvas).toHaveAttribute('data-z', '3');
    const afterZ = await helper.canvasStats(viewer);
    expect(afterZ.sum).not.toEqual(before.sum);

    // Keyboard: PageUp moves 10 planes up.
    await canvas.click();
    await page.keyboard.press('PageUp');
    await expect(zLabel).toHaveText('z 14 / 31');
    await page.keyboard.press('ArrowDown');
    await expect(zLabel).toHaveText('z 13 / 31');

    // Manual contrast: min 120, max 220; the rendered grey level follows the
    // display math round(255 * clamp((v - 120) / 100)).
    await viewer.locator('.jp-BioImage-contrastMin').fill('120');
    await viewer.locator('.jp-BioImage-contrastMax').fill('220');
    await viewer.locator('.jp-BioImage-contrastMax').press('Enter');
    await viewer.locator('.jp-BioImage-contrastMax').blur();
    const hovered = await helper.hoverCenter(viewer);
    const value = Number(/value (\d+)/.exec(hovered.text)![1]);
    const stats = await helper.canvasStats(viewer, hovered.x, hovered.y);
    const expected = Math.round(255 * Math.min(1, Math.max(0, (value - 120) / 100)));
    expect(stats.pixel).toEqual([expected, expected, expected, 255]);

    // Label overlay from mask3d.tif.
    await viewer.locator('.jp-BioImage-overlayPath').fill('mask3d.tif');
    await viewer.locator('.jp-BioImage-overlayKind').selectOption('labels');
    await viewer.locator('.jp-BioImage-overlayAdd').click();
    await expect(viewer.locator('.jp-BioImage-overlay')).toHaveCount(1);
    await expect(viewer.locator('.jp-BioImage-overlayName')).toContainText('mask3d');
    const overlaid = await helper.canvasStats(viewer);
    expect(overlaid.sum).not.toEqual(stats.sum);
    const withMask = await helper.hoverCenter(viewer);
    expect(withMask.text).toMatch(/mask3d: \d+/);

    // Outlines on, for the baseline.
    await viewer.locator('.jp-BioImage-overlayOutline').check();
    await page.mouse.move(0, 0);
    await viewer.locator(ViewerSelectors.status).filter({ hasText: 'img3d.tif' }).waitFor();
    expect(await viewer.screenshot()).toMatchSnapshot('img3d-overlay.png');
  });

  test('a corrupt TIFF shows a clear message', async ({ page, request, tmpPath }) => {
    const local = path.join(tempDir(), 'broken.tif');
    const bytes = fs.readFileSync(path.join(STARDIST, 'img2d.tif'));
    fs.writeFileSync(local, bytes.subarray(0, 100_000));
    await galata.newContentsHelper(request).uploadFile(local, `${tmpPath}/broken.tif`);
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    const viewer = await helper.openByDoubleClick('broken.tif');
    const message = viewer.locator(`${ViewerSelectors.message}[role="alert"]`);
    await expect(message).toBeVisible();
    await expect(message).toContainText('Cannot display broken.tif');
    await expect(message.locator('.jp-BioImage-messageText')).toContainText('broken.tif');
    await expect(message.locator('.jp-BioImage-messageHint')).toContainText('damaged or incomplete');
    // the page stays responsive
    await page.filebrowser.openDirectory(tmpPath);
  });

  test('the viewer is restored after a reload', async ({ page, request, tmpPath }) => {
    await uploadImages(request, tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    await helper.waitReady(await helper.openByDoubleClick('img2d.tif'));
    await page.reload({ waitForIsReady: false });
    await page.locator('.jp-LabShell').waitFor();
    await helper.waitReady(page.locator(`.jp-BioImage-document ${ViewerSelectors.viewer}`));
    await expect(page.locator('.lm-TabBar-tab', { hasText: 'img2d.tif' })).toHaveCount(1);
  });

  test('show() from a real kernel renders the viewer in the output area', async ({ page }) => {
    test.setTimeout(120_000);
    await page.notebook.createNew();
    await page.notebook.setCell(
      0,
      'code',
      "from jupyterlab_bioimage import show; import numpy as np; show(np.arange(64*64, dtype='uint16').reshape(64,64), axes='YX')"
    );
    await page.notebook.runCell(0);
    const viewer = page.locator('.jp-OutputArea .jp-BioImage-mimeViewer .jp-BioImage-viewer');
    await expect(viewer).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    const helper = new ViewerHelper(page);
    const stats = await helper.canvasStats(viewer, 63, 63);
    expect([stats.width, stats.height]).toEqual([64, 64]);
    // auto-contrast 0.1–99.9 %: the brightest pixel is white
    expect(stats.pixel).toEqual([255, 255, 255, 255]);
    await expect(viewer.locator(ViewerSelectors.status)).toContainText('YX [64 × 64] uint16');
  });

  test('a two-channel z-stack with a label overlay (README screenshot)', async ({
    page,
    request,
    tmpPath
  }) => {
    const dir = tempDir();
    execFileSync(PYTHON, [
      '-c',
      `
import numpy as np, tifffile
z, y, x = np.mgrid[0:12, 0:160, 0:200]
rng = np.random.default_rng(0)
c0 = np.zeros((12, 160, 200)); c1 = np.zeros((12, 160, 200)); labels = np.zeros((12, 160, 200), 'uint16')
for k in range(14):
    cz, cy, cx = rng.uniform(2, 10), rng.uniform(20, 140), rng.uniform(20, 180)
    r = rng.uniform(9, 18)
    d = ((z - cz) * 3) ** 2 + (y - cy) ** 2 + (x - cx) ** 2
    c0 += 900 * np.exp(-d / (2 * r * r))
    c1 += 600 * np.exp(-d / (2 * (r / 2.5) ** 2)) * (k % 3 != 0)
    labels[d < r * r] = k + 1
stack = np.stack([c0, c1], axis=1) + rng.normal(100, 8, (12, 2, 160, 200))
tifffile.imwrite('${dir}/cells.tif', stack.astype('uint16'), imagej=True, metadata={'axes': 'ZCYX', 'unit': 'um'}, resolution=(1 / 0.2, 1 / 0.2))
tifffile.imwrite('${dir}/cells_labels.tif', labels, imagej=True, metadata={'axes': 'ZYX'})
`
    ]);
    const contents = galata.newContentsHelper(request);
    for (const name of ['cells.tif', 'cells_labels.tif']) {
      await contents.uploadFile(path.join(dir, name), `${tmpPath}/${name}`);
    }
    await page.filebrowser.openDirectory(tmpPath);
    const helper = new ViewerHelper(page);
    const viewer = await helper.openByDoubleClick('cells.tif');
    await helper.waitReady(viewer);
    await expect(viewer.locator('.jp-BioImage-channel')).toHaveCount(2);
    await viewer.locator('.jp-BioImage-overlayPath').fill('cells_labels.tif');
    await viewer.locator('.jp-BioImage-overlayAdd').click();
    await expect(viewer.locator('.jp-BioImage-overlay')).toHaveCount(1);
    await viewer.locator('.jp-BioImage-overlayOutline').check();
    await expect(viewer.locator('.jp-BioImage-scalebar')).toBeVisible();
    await helper.hoverCenter(viewer);
    fs.mkdirSync(DOCS_IMAGES, { recursive: true });
    await page.screenshot({ path: path.join(DOCS_IMAGES, 'viewer-multichannel-overlay.png') });
  });
});
