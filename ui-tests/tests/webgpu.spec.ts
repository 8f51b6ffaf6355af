import { expect, galata, test } from './helpers/test';
import * as path from 'path';

import { UNET_DIR, UNET_FILES } from './helpers/fixtures';

/**
 * The WebGPU code path, checked for correctness on Chromium's software
 * (SwiftShader) fallback adapter: there is no GPU on these machines. The
 * fixture model is one 512×512 tile (about a minute on SwiftShader); automatic
 * backend choice must still skip the fallback adapter, far slower than wasm.
 */
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update'
    ]
  }
});

const SEGMENTATION = 'bioimage/bundled/bioimage-nuclei-seg/rdf.yaml';
const DENOISING = 'bioimage/bundled/bioimage-denoise/rdf.yaml';

interface IReport {
  passed: boolean;
  backend: string;
  outputs: Array<{ maxAbsDiff: number; mismatched: number }>;
}

async function runTest(
  page: any,
  model: string,
  backend: string
): Promise<IReport> {
  return page.evaluate(
    ([path, choice]: string[]) =>
      (window as any).jupyterapp.commands.execute('bioimage:test-model', {
        location: new URL(path, window.location.origin + '/').href,
        backend: choice
      }),
    [model, backend]
  );
}

test.describe('WebGPU on the software fallback adapter', () => {
  test.setTimeout(300_000);

  test('a forced WebGPU run reproduces the test outputs', async ({
    page,
    request,
    tmpPath
  }) => {
    const hasAdapter = await page.evaluate(async () => {
      const gpu = (navigator as any).gpu;
      const adapter = gpu ? await gpu.requestAdapter() : null;
      return adapter
        ? (adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? null)
        : 'none';
    });
    // Chromium with --enable-unsafe-webgpu and no GPU offers only SwiftShader.
    expect(hasAdapter).toBe(true);
    const contents = galata.newContentsHelper(request);
    for (const name of UNET_FILES) {
      await contents.uploadFile(
        path.join(UNET_DIR, name),
        `${tmpPath}/unet/${name}`
      );
    }
    const report: IReport = await page.evaluate(
      location =>
        (window as any).jupyterapp.commands.execute('bioimage:test-model', {
          location,
          backend: 'webgpu'
        }),
      `${tmpPath}/unet/bioimageio.yaml`
    );
    expect(report.backend).toBe('webgpu');
    expect(report.passed).toBe(true);
    expect(report.outputs[0].mismatched).toBe(0);
    expect(report.outputs[0].maxAbsDiff).toBeLessThan(1e-4);
  });

  test('automatic choice does not pick the fallback adapter', async ({
    page
  }) => {
    const report = await runTest(page, SEGMENTATION, 'auto');
    expect(report.backend).toBe('wasm');
    expect(report.passed).toBe(true);
  });

  test('a backend that fails while running falls back to wasm', async ({
    page
  }) => {
    // SwiftShader's WebGPU rejects this graph's residual Add at the first run.
    const report = await runTest(page, DENOISING, 'webgpu');
    expect(report.backend).toBe('wasm');
    expect(report.passed).toBe(true);
    expect(report.outputs[0].maxAbsDiff).toBeLessThan(1e-3);
  });
});
