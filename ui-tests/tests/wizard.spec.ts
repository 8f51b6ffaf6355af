/**
 * The choose → adapt → validate → report wizard, end to end in a real
 * JupyterLab: the fixture model (unet2d_nuclei_broad, a workspace folder
 * source) on the stardist fixture image with its mask. The browser's
 * prediction, labels and the generated notebook are saved to
 * test-results/wizard/ for the kernel parity test (tests/after_ui/).
 */
import { expect, galata, test } from './helpers/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { FIXTURES, PYTHON, UNET_DIR, UNET_FILES } from './helpers/fixtures';
import { ViewerHelper } from './helpers/viewer-helper';

const STARDIST = path.join(FIXTURES, 'images', 'stardist');
const OUT = path.resolve(__dirname, '../test-results/wizard');
/** Nothing listens here: the live index is unreachable, as on a closed network. */
const DEAD_INDEX = 'http://127.0.0.1:28999/index.json';
const UNET_NAME = 'UNet 2D Nuclei Broad';

const W = {
  wizard: '.jp-BioImage-wizard',
  tab: (step: string) => `.jp-BioImage-wizardTab[data-step="${step}"]`,
  fit: '.jp-BioImage-wizardFit',
  status: '.jp-BioImage-wizardStatus'
};

/** README screenshots (docs/images/wizard-*.png), only when asked for. */
async function docShot(page: any, name: string): Promise<void> {
  if (process.env.BIOIMAGE_DOC_SCREENSHOTS) {
    await page.waitForTimeout(500);
    await page.screenshot({ path: `../docs/images/wizard-${name}.png` });
  }
}

/** Read an array of the wizard session in the page (the result of the last run). */
async function sessionArray(
  page: any,
  which: 'probability' | 'labels'
): Promise<{ shape: number[]; dtype: string; b64: string }> {
  return page.evaluate((w: string) => {
    const app = (window as any).jupyterapp;
    const widget = Array.from(app.shell.widgets('main') as Iterable<any>).find(
      (x: any) => String(x.id).startsWith('bioimage-wizard-')
    ) as any;
    const a = widget.content.session.result[w];
    const bytes = new Uint8Array(
      a.data.buffer,
      a.data.byteOffset,
      a.data.byteLength
    );
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return { shape: a.shape, dtype: a.dtype, b64: btoa(s) };
  }, which);
}

/** Save a page array as .npy with numpy (the dev venv's Python). */
function saveNpy(
  a: { shape: number[]; dtype: string; b64: string },
  file: string
): void {
  const raw = `${file}.raw`;
  fs.writeFileSync(raw, Buffer.from(a.b64, 'base64'));
  execFileSync(PYTHON, [
    '-c',
    'import sys, numpy as np; a = np.fromfile(sys.argv[1], dtype=sys.argv[2]).reshape([int(s) for s in sys.argv[3].split(",")]); np.save(sys.argv[4], a)',
    raw,
    a.dtype,
    a.shape.join(','),
    file
  ]);
  fs.unlinkSync(raw);
}

test.describe('analysis wizard', () => {
  test.use({
    autoGoto: true,
    // Room for the image beside the wizard (also the README screenshots).
    viewport: { width: 1400, height: 900 },
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-bioimage:zoo': { collectionIndexUrl: DEAD_INDEX }
    }
  });

  test('choose → adapt → run → validate with the mask → insert cells', async ({
    page,
    request,
    tmpPath
  }) => {
    test.setTimeout(600_000);
    const contents = galata.newContentsHelper(request);
    for (const name of ['img2d.tif', 'mask2d.tif']) {
      await contents.uploadFile(
        path.join(STARDIST, name),
        `${tmpPath}/${name}`
      );
    }
    for (const name of [...UNET_FILES, 'README.md']) {
      await contents.uploadFile(
        path.join(UNET_DIR, name),
        `${tmpPath}/unet/${name}`
      );
    }
    // The fixture package as a workspace-folder source of the zoo.
    await page.evaluate(
      (location: string) =>
        (window as any).jupyterapp.commands.execute('bioimage:add-zoo-source', {
          kind: 'folder',
          location
        }),
      `${tmpPath}/unet`
    );

    // Entry point: the viewer's toolbar.
    await page.filebrowser.openDirectory(tmpPath);
    const viewer = await new ViewerHelper(page).openByDoubleClick('img2d.tif');
    await new ViewerHelper(page).waitReady(viewer);
    await page.locator('.jp-BioImage-analyseButton').first().click();
    const wizard = page.locator(W.wizard);
    await expect(wizard).toBeVisible();

    // Choose: the image is read, the models are ranked with reasons in words.
    await expect(wizard.locator('.jp-BioImage-facts')).toContainText(
      'YX (512 × 512)'
    );
    await expect(wizard.locator('.jp-BioImage-facts')).toContainText('uint16');
    const row = wizard.locator(W.fit, { hasText: UNET_NAME });
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(
      row.locator('.jp-BioImage-verdict.jp-mod-ok', {
        hasText: '1 channel, as the model expects'
      })
    ).toHaveCount(1);
    await expect(
      row.locator('.jp-BioImage-verdict', { hasText: 'not tested' })
    ).toHaveCount(1);
    const bundled = wizard.locator(W.fit, {
      hasText: 'Bioimage Nuclei Segmentation 2D'
    });
    await expect(bundled).toBeVisible();

    // Label-free comparison of the three best models on a crop.
    await wizard
      .getByRole('button', { name: 'Compare the top 3 on a crop' })
      .click();
    const candidates = wizard.locator('.jp-BioImage-wizardCandidate');
    await expect(candidates).toHaveCount(3, { timeout: 300_000 });
    const unetCandidate = candidates.filter({ hasText: UNET_NAME });
    await expect(unetCandidate).toContainText(
      /stability: mean pairwise IoU (0\.\d{3}|1\.000)/
    );
    await expect(
      wizard.locator('.jp-BioImage-wizardCompareRow canvas')
    ).toHaveCount(4);
    await wizard.locator('.jp-mod-compare').scrollIntoViewIfNeeded();
    await docShot(page, 'choose');
    await row.getByRole('button', { name: 'Choose' }).click();

    // Adapt: the model's preprocessing in words, the normalised input next to its test input.
    await expect(page.locator(W.tab('adapt'))).toHaveAttribute(
      'aria-selected',
      'true'
    );
    await expect(wizard.locator('.jp-BioImage-steps')).toContainText(
      'zero mean and unit variance'
    );
    await wizard
      .getByRole('button', { name: 'Preview the normalised input' })
      .click();
    await expect(wizard.locator('.jp-BioImage-chart')).toBeVisible({
      timeout: 60_000
    });
    const shift = wizard.locator(
      '.jp-mod-preprocessing .jp-BioImage-verdicts.jp-mod-shift .jp-BioImage-verdict'
    );
    await expect(shift).toHaveCount(4);
    await expect(shift.filter({ hasText: 'intensit' })).toHaveCount(1);

    // A preview on a crop before the full run.
    await wizard.getByRole('button', { name: 'Preview on a crop' }).click();
    await expect(
      wizard.locator('.jp-mod-run .jp-BioImage-thumbnail')
    ).toHaveCount(3, { timeout: 120_000 });

    // Run on the whole image; the result appears over the image.
    await wizard
      .getByRole('button', { name: 'Run on the whole image' })
      .click();
    const done = wizard.locator('.jp-BioImage-wizardRunResult');
    await expect(done).toContainText('Done in', { timeout: 300_000 });
    await expect(done).toContainText('wasm');
    await docShot(page, 'adapt');
    const objects = Number(
      /; (\d+) objects/.exec((await done.textContent()) ?? '')?.[1]
    );
    expect(objects).toBeGreaterThan(10);
    const overlays = await page.evaluate(() => {
      const app = (window as any).jupyterapp;
      const doc = Array.from(app.shell.widgets('main') as Iterable<any>).find(
        (x: any) => x.hasClass('jp-BioImage-document')
      ) as any;
      return doc.model.overlays.map((o: any) => `${o.name}:${o.kind}`);
    });
    expect(overlays).toEqual(expect.arrayContaining(['labels:labels']));
    expect(overlays.length).toBe(2);

    // Validate 1: the model reproduces its own test here.
    await page.locator(W.tab('validate')).click();
    await wizard
      .getByRole('button', { name: "Run the model's own test here" })
      .click();
    const test1 = wizard.locator('.jp-mod-test .jp-BioImage-verdict');
    await expect(test1).toContainText('Reproduces its test outputs', {
      timeout: 300_000
    });
    const diff = Number(
      /max abs diff ([0-9.e+-]+)/.exec((await test1.textContent()) ?? '')?.[1]
    );
    expect(diff).toBeLessThan(1e-3);

    // Validate 3: metrics against the mask, checked against numpy on the same labels.
    await wizard
      .locator('.jp-BioImage-wizardGroundTruth')
      .fill(`${tmpPath}/mask2d.tif`);
    await wizard.locator('.jp-BioImage-wizardGroundTruth').press('Tab');
    await wizard.getByRole('button', { name: 'Compute metrics' }).click();
    const iouCell = wizard
      .locator('.jp-BioImage-metrics tr[data-metric="iou"] td')
      .nth(1);
    await expect(iouCell).toBeVisible({ timeout: 60_000 });
    await expect(wizard.locator('.jp-BioImage-matching tr')).toHaveCount(10);

    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    saveNpy(
      await sessionArray(page, 'probability'),
      path.join(OUT, 'browser_prediction.npy')
    );
    saveNpy(
      await sessionArray(page, 'labels'),
      path.join(OUT, 'browser_labels.npy')
    );
    const expected = JSON.parse(
      execFileSync(PYTHON, [
        '-c',
        [
          'import sys, json, numpy as np, tifffile',
          'p = np.load(sys.argv[1]) > 0',
          't = tifffile.imread(sys.argv[2]) > 0',
          'i, u = (p & t).sum(), (p | t).sum()',
          'print(json.dumps({"iou": i / u, "dice": 2 * i / (p.sum() + t.sum())}))'
        ].join('\n'),
        path.join(OUT, 'browser_labels.npy'),
        path.join(STARDIST, 'mask2d.tif')
      ]).toString()
    );
    const shownIou = Number(await iouCell.textContent());
    expect(shownIou).toBeCloseTo(expected.iou, 4);
    const diceCell = wizard
      .locator('.jp-BioImage-metrics tr[data-metric="dice"] td')
      .nth(1);
    expect(Number(await diceCell.textContent())).toBeCloseTo(expected.dice, 4);

    // Threshold calibration: its F1 at the current threshold is the matching table's F1 at IoU 0.5.
    await wizard
      .getByRole('button', {
        name: 'Calibrate the threshold on this ground truth'
      })
      .click();
    await expect(
      wizard.locator('.jp-BioImage-wizardCalibrationBest')
    ).toContainText('Best threshold', { timeout: 120_000 });
    const calibration = await page.evaluate(() => {
      const app = (window as any).jupyterapp;
      const widget = Array.from(
        app.shell.widgets('main') as Iterable<any>
      ).find((x: any) => String(x.id).startsWith('bioimage-wizard-')) as any;
      const s = widget.content.session;
      return { points: s.calibration.points, f1: s.metrics.matching[0].f1 };
    });
    const atHalf = calibration.points.find(
      (p: any) => Math.abs(p.threshold - 0.5) < 1e-9
    );
    expect(atHalf.f1).toBeCloseTo(calibration.f1, 12);
    expect(atHalf.objects).toBe(objects);
    await docShot(page, 'validate');
    // Validate 5: the fixture model's documentation has no limitations section, and says so.
    await expect(wizard.locator('.jp-mod-summary')).toContainText(
      'has no section on intended use or limitations'
    );

    // Validate 4: the TTA disagreement map over the image.
    await wizard
      .getByRole('button', { name: 'Show where the model is unsure' })
      .click();
    const tta = wizard.locator('.jp-mod-tta .jp-BioImage-verdict');
    await expect(tta).toContainText('mean pairwise IoU', { timeout: 300_000 });
    const iou = Number(
      /mean pairwise IoU ([0-9.]+)/.exec((await tta.textContent()) ?? '')?.[1]
    );
    expect(iou).toBeGreaterThan(0.5);
    expect(iou).toBeLessThanOrEqual(1);

    // Report: the cells go into a new notebook next to the image.
    await page.locator(W.tab('report')).click();
    // The fixture's description lists TorchScript weights, so a fine-tuning cell may be added (not here).
    await expect(wizard.locator('.jp-BioImage-wizardFineTune')).toBeEnabled();
    await expect(
      wizard.locator('.jp-BioImage-wizardFineTune')
    ).not.toBeChecked();
    await wizard.getByRole('button', { name: 'Insert the cells' }).click();
    const inserted = wizard.locator('.jp-BioImage-wizardInserted');
    await expect(inserted).toContainText('Inserted', { timeout: 60_000 });
    const nbPath = /into (\S+\.ipynb)/.exec(
      (await inserted.textContent()) ?? ''
    )?.[1] as string;
    expect(nbPath.startsWith(tmpPath)).toBe(true);
    const response = await request.get(`/api/contents/${nbPath}?content=1`);
    const notebook = (await response.json()).content;
    const code = notebook.cells
      .map((c: any) => (Array.isArray(c.source) ? c.source.join('') : c.source))
      .join('\n');
    expect(code).toContain(
      'WEIGHTS_SHA256 = "85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088"'
    );
    // Paths relative to the notebook, which sits next to the image.
    expect(code).toContain('MODEL_SOURCE = "unet/bioimageio.yaml"');
    expect(code).toContain('IMAGE_PATH = "img2d.tif"');
    expect(code).toContain('GROUND_TRUTH_PATH = "mask2d.tif"');
    for (const cell of notebook.cells) {
      expect(cell.metadata.bioimage.weightsSha256).toBe(
        '85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088'
      );
    }
    fs.writeFileSync(
      path.join(OUT, 'analysis.ipynb'),
      JSON.stringify(notebook, null, 1)
    );
    fs.writeFileSync(
      path.join(OUT, 'browser.json'),
      JSON.stringify({ iou: shownIou, objects, backend: 'wasm' })
    );
  });

  test('the wizard keeps its choices across a reload', async ({
    page,
    request,
    tmpPath
  }) => {
    const contents = galata.newContentsHelper(request);
    await contents.uploadFile(
      path.join(STARDIST, 'img2d.tif'),
      `${tmpPath}/img2d.tif`
    );
    await page.evaluate(
      (p: string) =>
        (window as any).jupyterapp.commands.execute('bioimage:open-wizard', {
          path: p
        }),
      `${tmpPath}/img2d.tif`
    );
    const wizard = page.locator(W.wizard);
    const bundled = wizard.locator(W.fit, {
      hasText: 'Bioimage Nuclei Segmentation 2D'
    });
    await expect(bundled).toBeVisible({ timeout: 60_000 });
    await bundled.getByRole('button', { name: 'Choose' }).click();
    await wizard.locator('.jp-BioImage-wizardThreshold').fill('0.7');
    await wizard.locator('.jp-BioImage-wizardThreshold').press('Tab');
    await page.waitForTimeout(1000);
    await page.reload({ waitForIsReady: false });
    await page.locator('.jp-LabShell').waitFor();
    await expect(page.locator(W.wizard)).toBeVisible({ timeout: 60_000 });
    await expect(page.locator(W.tab('adapt'))).toHaveAttribute(
      'aria-selected',
      'true',
      { timeout: 60_000 }
    );
    await expect(page.locator('.jp-BioImage-wizardThreshold')).toHaveValue(
      '0.7'
    );
    await expect(page.locator('.jp-BioImage-wizardModel')).toContainText(
      'Bioimage Nuclei Segmentation 2D'
    );
    // The bundled model documents its intended use and limitations: shown in Validate.
    await page.locator(W.tab('validate')).click();
    await expect(page.locator('.jp-BioImage-wizardLimitations h4')).toHaveText([
      'The authors: Intended use',
      'The authors: Limitations'
    ]);
  });
});
