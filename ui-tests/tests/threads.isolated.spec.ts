import { expect, galata, test } from './helpers/test';
import * as path from 'path';

import { UNET_DIR, UNET_FILES } from './helpers/fixtures';

/**
 * Threaded wasm inference on a cross-origin isolated page. Runs in the
 * `isolated` Playwright project, whose Jupyter server sends COOP/COEP
 * (c.BioImageCache.cross_origin_isolation = True). Never asserts timing:
 * the speed-up is measured by `make bench`.
 */

/** Upload the fixture model package into the test's server folder. */
async function uploadUnet(request: any, tmpPath: string): Promise<string> {
  const contents = galata.newContentsHelper(request);
  for (const name of UNET_FILES) {
    await contents.uploadFile(
      path.join(UNET_DIR, name),
      `${tmpPath}/unet/${name}`
    );
  }
  return `${tmpPath}/unet`;
}

/** onnxruntime's thread workers load its unbundled glue, emitted as static/ort/*.js. */
const THREAD_WORKER = /\/static\/ort\/ort-wasm-simd-threaded\.jsep\.[0-9a-f]+\.js/;

test.describe('multi-threaded wasm on a cross-origin isolated page', () => {
  test.setTimeout(240_000);

  test('the fixture model reproduces its test outputs with 2 threads', async ({
    page,
    request,
    tmpPath
  }) => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    const workers: string[] = [];
    page.on('worker', worker => workers.push(worker.url()));
    const failed: string[] = [];
    page.context().on('requestfailed', r => failed.push(r.url()));

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
    expect(report.backend).toBe('wasm');
    expect(report.threads).toBe(2);
    expect(report.threadsRequested).toBe(2);
    expect(report.threadsReason).toBeUndefined();
    expect(report.passed).toBe(true);
    expect(report.outputs).toHaveLength(1);
    expect(report.outputs[0].mismatched).toBe(0);
    expect(report.outputs[0].maxAbsDiff).toBeLessThan(1e-3);
    await expect(
      page
        .locator('.Toastify__toast')
        .filter({ hasText: 'reproduces its test outputs' })
    ).toContainText('wasm, 2 threads');
    // The session really runs on threads: onnxruntime started its thread
    // worker(s) from the unbundled glue, and nothing failed to load.
    expect(workers.filter(url => THREAD_WORKER.test(url)).length).toBeGreaterThan(0);
    expect(failed).toEqual([]);
  });

  test('by default the worker uses threads when the page is isolated', async ({
    page,
    request,
    tmpPath
  }) => {
    const dir = await uploadUnet(request, tmpPath);
    const expected = await page.evaluate(() =>
      Math.min(4, Math.max(1, navigator.hardwareConcurrency))
    );
    // A fresh inference worker: its probe, then a model opened without a
    // thread count, and one timed run.
    const r = await page.evaluate(
      model =>
        (window as any).jupyterapp.commands.execute('bioimage:benchmark-model', {
          model,
          backend: 'wasm',
          runs: 1,
          warmup: 0
        }),
      `${dir}/bioimageio.yaml`
    );
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.probe.crossOriginIsolated).toBe(true);
    expect(r.probe.threads).toEqual({
      default: expected,
      available: expected > 1,
      ...(expected > 1 ? {} : { reason: expect.any(String) })
    });
    expect(r.open.threads).toBe(expected);
    expect(r.raw.threads).toBe(expected);
    expect(r.raw.runMs).toHaveLength(1);
  });
});
