import { expect, galata, test } from './helpers/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { PYTHON, UNET_DIR, UNET_FILES } from './helpers/fixtures';

/** Upload the fixture model package into the test's server folder. */
async function uploadUnet(request: any, tmpPath: string): Promise<string> {
  const contents = galata.newContentsHelper(request);
  for (const name of UNET_FILES) {
    await contents.uploadFile(path.join(UNET_DIR, name), `${tmpPath}/unet/${name}`);
  }
  return `${tmpPath}/unet`;
}

interface IReport {
  passed: boolean;
  backend: string;
  outputs: Array<{ outputId: string; maxAbsDiff: number; mismatched: number; passed: boolean }>;
}

test.describe('client-side inference in the worker', () => {
  test.setTimeout(240_000);

  for (const description of ['bioimageio.yaml', 'v0_4_9.bioimageio.yaml', 'v0_4_0.bioimageio.yaml']) {
    test(`the fixture model reproduces its test outputs (${description})`, async ({
      page,
      request,
      tmpPath
    }) => {
      const dir = await uploadUnet(request, tmpPath);
      const report = (await page.evaluate(
        location =>
          (window as any).jupyterapp.commands.execute('bioimage:test-model', {
            location,
            backend: 'auto'
          }),
        `${dir}/${description}`
      )) as IReport;
      expect(report.passed).toBe(true);
      // No GPU here: auto must not pick the slow software WebGPU adapter.
      expect(report.backend).toBe('wasm');
      expect(report.outputs).toHaveLength(1);
      expect(report.outputs[0].mismatched).toBe(0);
      expect(report.outputs[0].maxAbsDiff).toBeLessThan(1e-4);
      expect(report.outputs[0].maxAbsDiff).toBeGreaterThan(0);
      await expect(page.locator('.Toastify__toast').filter({ hasText: 'reproduces its test outputs' })).toHaveCount(1);
    });
  }

  test('without cross-origin isolation, asked-for threads fall back to 1 with the reason', async ({
    page,
    request,
    tmpPath
  }) => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
    const dir = await uploadUnet(request, tmpPath);
    const report = await page.evaluate(
      location =>
        (window as any).jupyterapp.commands.execute('bioimage:test-model', {
          location,
          backend: 'wasm',
          numThreads: 2
        }),
      `${dir}/bioimageio.yaml`
    );
    expect(report.passed).toBe(true);
    expect(report.threads).toBe(1);
    expect(report.threadsRequested).toBe(2);
    expect(report.threadsReason).toContain('not cross-origin isolated');
    expect(report.threadsReason).toContain('c.BioImageCache.cross_origin_isolation');
  });

  test('a tampered weights file is refused before it runs', async ({ page, request, tmpPath }) => {
    const dir = await uploadUnet(request, tmpPath);
    const local = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bio-')), 'weights.onnx');
    const bytes = fs.readFileSync(path.join(UNET_DIR, 'weights.onnx'));
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(local, bytes);
    await galata.newContentsHelper(request).uploadFile(local, `${dir}/weights.onnx`);
    const error = await page.evaluate(async location => {
      try {
        await (window as any).jupyterapp.commands.execute('bioimage:test-model', { location });
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    }, `${dir}/bioimageio.yaml`);
    expect(error).toContain("sha256 mismatch for 'weights.onnx'");
    expect(error).toContain('85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088');
  });

  test('cancelling a long prediction stops it and keeps the UI responsive', async ({
    page,
    request,
    tmpPath
  }) => {
    const dir = await uploadUnet(request, tmpPath);
    // A 1536×1536 image: 16 tiles of the fixed 512×512 model, several seconds of work.
    const local = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bio-')), 'big.npy');
    execFileSync(PYTHON, [
      '-c',
      'import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(0).uniform(100, 4000, (1536, 1536)).astype("float32"))',
      local
    ]);
    await galata.newContentsHelper(request).uploadFile(local, `${tmpPath}/big.npy`);

    await page.evaluate(
      ([model, image]) => {
        const w = window as any;
        w.__bioPredict = w.jupyterapp.commands
          .execute('bioimage:predict-file', { model, image, backend: 'wasm' })
          .then(
            () => 'finished',
            (e: Error) => e.name
          );
      },
      [`${dir}/bioimageio.yaml`, `${tmpPath}/big.npy`]
    );
    const toast = page.locator('.Toastify__toast').filter({ hasText: /tile \d+ of 16/ });
    await expect(toast).toBeVisible({ timeout: 120_000 });

    // The UI answers while the worker computes: the command palette opens and filters.
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#command-palette');
    await palette.locator('.lm-CommandPalette-input').fill('Cancel Running Inference');
    await expect(palette.locator('.lm-CommandPalette-item', { hasText: 'Cancel Running Inference' })).toBeVisible();
    await page.keyboard.press('Escape');

    await toast.getByRole('button', { name: 'Cancel' }).click();
    const outcome = await page.evaluate(() => (window as any).__bioPredict);
    expect(outcome).toBe('CancelledError');
    await expect(page.locator('.Toastify__toast').filter({ hasText: 'Prediction cancelled' })).toBeVisible();
    const listing = await galata.newContentsHelper(request).getContentMetadata(tmpPath, 'directory');
    const names = (listing?.content as Array<{ name: string }>).map(f => f.name);
    expect(names.filter(n => n.startsWith('big_'))).toEqual([]);
  });
});
