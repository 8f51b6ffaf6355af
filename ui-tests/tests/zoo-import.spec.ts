/**
 * Importing .zip model packages into the zoo (file browser context menu, a
 * drag from the file browser, a drop from the computer), and a model card
 * download that shows progress and is cancelled. Zips are built here from
 * the shared fixture package; the zoo mirror (helpers/zoo-mirror.ts) serves
 * one package's weights slowly.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { expect, galata, test } from './helpers/test';
import { APIRequestContext, Locator, Page } from '@playwright/test';

import { BioImageHelper, Selectors } from './helpers/bioimage-helper';
import { PYTHON, UNET_DIR } from './helpers/fixtures';
import { IZooMirror, MIRROR, startZooMirror } from './helpers/zoo-mirror';

const PORT = Number(process.env.BIOIMAGE_ZOO_MIRROR_PORT ?? 28931);
const ONNX_SHA = '85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088';
const IMPORTED = 'bioimage-models/UNet_2D_Nuclei_Broad';

const S = {
  row: '#jp-bioimage-zoo .jp-BioImage-zooItem',
  name: '#jp-bioimage-zoo .jp-BioImage-zooItemName',
  count: '#jp-bioimage-zoo .jp-BioImage-zooCount',
  search: '#jp-bioimage-zoo .jp-BioImage-zooSearch',
  progress: '#jp-bioimage-zoo .jp-BioImage-zooProgress',
  importStatus: '#jp-bioimage-zoo .jp-BioImage-zooImportStatus',
  card: '.jp-BioImage-modelCard'
};

/** The fixture package's files, by name. */
function fixtureFiles(): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const name of fs.readdirSync(UNET_DIR)) {
    files[name] = fs.readFileSync(path.join(UNET_DIR, name));
  }
  return files;
}

/** A deflated zip of `files` (names kept verbatim, `../` included), made by Python's zipfile. */
function makeZip(files: Record<string, Buffer>): Buffer {
  const script = [
    'import base64, io, json, sys, zipfile',
    'files = json.load(sys.stdin)',
    'out = io.BytesIO()',
    'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:',
    '    for name, data in files.items():',
    '        z.writestr(name, base64.b64decode(data))',
    'sys.stdout.buffer.write(out.getvalue())'
  ].join('\n');
  const input = JSON.stringify(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.toString('base64')])));
  return execFileSync(PYTHON, ['-c', script], { input, maxBuffer: 64 * 1024 * 1024 });
}

async function upload(request: APIRequestContext, zip: Buffer, to: string): Promise<void> {
  expect(await galata.newContentsHelper(request).uploadContent(zip.toString('base64'), 'base64', to)).toBe(true);
}

/** Every path under `folder` of the workspace (recursive), or [] when it does not exist. */
async function tree(request: APIRequestContext, folder: string): Promise<string[]> {
  const response = await request.get(`/api/contents/${folder}?content=1`);
  if (response.status() === 404) {
    return [];
  }
  const model = await response.json();
  const out: string[] = [];
  for (const item of model.content ?? []) {
    out.push(item.path);
    if (item.type === 'directory') {
      out.push(...(await tree(request, item.path)));
    }
  }
  return out.sort();
}

/** A Lumino drag with the mouse, in small steps (a drag starts after a few pixels). */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 12, a.y + a.height / 2 + 4, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await expect(to).toHaveClass(/jp-mod-dropTarget/);
  await page.mouse.up();
}

async function openLoadedZoo(page: Page): Promise<void> {
  await new BioImageHelper(page as any).openZoo();
  await expect(page.locator(S.count)).toContainText('model', { timeout: 60000 });
  await expect(page.locator(S.progress)).toBeHidden({ timeout: 60000 });
}

/** The user sources in the zoo's settings. */
async function userSources(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    const registry: any = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
    const setting = await registry.load('jupyterlab-bioimage:zoo');
    return setting.get('userSources').composite;
  });
}

test.describe('model packages as .zip files', () => {
  let mirror: IZooMirror;
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-bioimage:zoo': { collectionIndexUrl: `http://127.0.0.1:${PORT}/index.json`, concurrency: 8 }
    }
  });

  test.beforeAll(async () => {
    mirror = await startZooMirror(PORT);
  });
  test.afterAll(async () => {
    await mirror?.close();
  });

  test('a zip imported from the file browser is unpacked, verified and listed', async ({ page, request, tmpPath }) => {
    await galata.newContentsHelper(request).deleteDirectory(IMPORTED);
    await upload(request, makeZip(fixtureFiles()), `${tmpPath}/unet2d.zip`);
    await openLoadedZoo(page);
    // The list is virtualised: count models by the "N models" line.
    const before = Number(/^(\d+) models$/.exec((await page.locator(S.count).textContent()) ?? '')?.[1]);
    expect(before).toBeGreaterThan(2);

    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openDirectory(tmpPath);
    await page.locator('.jp-DirListing-item', { hasText: 'unet2d.zip' }).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Import as Model Package' }).click();
    await new BioImageHelper(page as any).openZoo();

    const status = page.locator(S.importStatus);
    // Counted from the fixture folder (it gained weights.pt, whose sha256 its
    // description lists: the six files with a sha256 are verified).
    const shipped = Object.values(fixtureFiles());
    const megabytes = (shipped.reduce((n, b) => n + b.length, 0) / 1e6).toFixed(1);
    await expect(status).toContainText(
      `Imported UNet 2D Nuclei Broad into ${IMPORTED}: ${shipped.length} files, ${megabytes} MB, 6 sha256 verified.`,
      { timeout: 60000 }
    );
    await expect(status).toContainText('It is listed in the model zoo.');
    await expect(status).toHaveClass(/jp-mod-ok/);

    // Every file, byte for byte, and nothing else (no staging folder left).
    const files = await tree(request, IMPORTED);
    expect(files).toEqual(Object.keys(fixtureFiles()).map(n => `${IMPORTED}/${n}`).sort());
    const weights = await request.get(`/files/${IMPORTED}/weights.onnx`);
    expect((await weights.body()).length).toBe(1806764);
    expect(await tree(request, 'bioimage-models')).not.toContainEqual(expect.stringContaining('.partial-'));

    // The folder is a user source in the settings, and the model is listed.
    expect(await userSources(page)).toEqual([{ kind: 'folder', location: IMPORTED }]);
    await expect(page.locator(S.count)).toHaveText(`${before + 1} models`);
    await page.locator(S.search).fill('UNet 2D Nuclei Broad');
    // The fixture collection has more models of that name; this one is "my source".
    const row = page.locator(S.row, { has: page.locator(`.jp-BioImage-zooBadge.jp-mod-origin[title="${IMPORTED}"]`) });
    await expect(row).toHaveCount(1);
    await expect(row.locator('.jp-BioImage-zooItemName')).toHaveText('UNet 2D Nuclei Broad');
    await row.click();
    const card = page.locator(S.card, { has: page.locator('h1', { hasText: /^UNet 2D Nuclei Broad$/ }) });
    await expect(card).toContainText(IMPORTED);
    await expect(card.locator('.jp-BioImage-cardDocs')).toContainText('A 2d U-Net trained on the nuclei broad dataset');
  });

  test('a tampered zip dragged from the file browser is refused and nothing is written', async ({
    page,
    request,
    tmpPath
  }) => {
    const files = fixtureFiles();
    const tampered = Buffer.from(files['weights.onnx']);
    tampered[5000] ^= 0xff;
    files['weights.onnx'] = tampered;
    await upload(request, makeZip(files), `${tmpPath}/tampered.zip`);
    await openLoadedZoo(page);
    const before = await tree(request, 'bioimage-models');
    const listed = await page.locator(S.count).textContent();

    // The file browser is the panel shown: the zip goes onto the zoo's tab.
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openDirectory(tmpPath);
    const item = page.locator('.jp-DirListing-item', { hasText: 'tampered.zip' });
    await drag(page, item, page.locator(Selectors.zooTab));

    const status = page.locator(S.importStatus);
    await expect(status).toContainText('Import refused: Refused tampered.zip', { timeout: 60000 });
    await expect(status).toContainText(
      `'weights.onnx' does not match the sha256 in bioimageio.yaml (expected ${ONNX_SHA}, got `
    );
    await expect(status).toContainText('Download the package again from its source. Nothing was written.');
    await expect(status).toHaveClass(/jp-mod-error/);
    expect(await tree(request, 'bioimage-models')).toEqual(before);
    expect(await userSources(page)).toEqual([]);
    await expect(page.locator(S.count)).toHaveText(listed!);
    // The zip itself was not moved by the drag.
    expect(await page.contents.fileExists(`${tmpPath}/tampered.zip`)).toBe(true);
  });

  test('a zip with a path traversal dropped from the computer is refused', async ({ page, request }) => {
    const zip = makeZip({ ...fixtureFiles(), '../outside.txt': Buffer.from('escaped') });
    await openLoadedZoo(page);
    const before = await tree(request, '');
    await page.evaluate(
      ({ b64 }) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'evil.zip', { type: 'application/zip' }));
        const target = document.querySelector('#jp-bioimage-zoo .jp-BioImage-zooList')!;
        for (const type of ['dragenter', 'dragover', 'drop']) {
          target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }
      },
      { b64: zip.toString('base64') }
    );
    const status = page.locator(S.importStatus);
    await expect(status).toContainText(
      "Import refused: Refused evil.zip: the entry '../outside.txt' climbs out of the package with '..'",
      { timeout: 60000 }
    );
    await expect(status).toContainText('(path traversal)');
    expect(await tree(request, '')).toEqual(before);
  });

  test('a download shows its progress and, cancelled, keeps nothing', async ({ page, request }) => {
    await openLoadedZoo(page);
    await page.locator(S.search).fill(MIRROR.slowName);
    await page.locator(S.row, { hasText: MIRROR.slowName }).first().click();
    const card = page.locator(S.card, { has: page.locator('h1', { hasText: MIRROR.slowName }) });
    await expect(card).toBeVisible();
    const before = await tree(request, 'bioimage-models');

    await card.getByRole('button', { name: 'Download package to the workspace' }).click();
    const row = card.locator('.jp-BioImage-cardProgress[data-task="download"]');
    const text = row.locator('.jp-BioImage-cardProgressText');
    // Bytes arrive while the server downloads the weights.
    await expect(text).toHaveText(/^Downloading file 2 of \d+ · weights\.onnx · [0-9.]+ (B|kB|MB) of 1\.8 MB$/, {
      timeout: 30000
    });
    const first = Number(await row.locator('progress').evaluate((p: HTMLProgressElement) => p.value));
    await expect
      .poll(async () => Number(await row.locator('progress').evaluate((p: HTMLProgressElement) => p.value)), {
        timeout: 10000
      })
      .toBeGreaterThan(first);
    const downloads = await (await request.get('/bioimage/cache/downloads')).json();
    const server = downloads.downloads.find((d: any) => d.sha256 === mirror.slow.sha256);
    expect(server.state).toBe('downloading');
    expect(server.bytes_total).toBe(mirror.slow.size);
    expect(server.bytes_done).toBeGreaterThan(0);
    expect(server.bytes_done).toBeLessThan(mirror.slow.size);

    await row.getByRole('button', { name: 'Cancel' }).click();
    const status = card.locator('.jp-BioImage-cardDownloadStatus');
    await expect(status).toHaveText(
      'Download cancelled: nothing was saved, and the server kept no part of it.',
      { timeout: 15000 }
    );
    await expect(row).toHaveCount(0);

    // The server stopped the transfer (the mirror saw the connection close early)...
    await expect.poll(() => mirror.slow.aborted, { timeout: 10000 }).toBe(1);
    expect(mirror.slow.completed).toBe(0);
    await expect
      .poll(async () => (await (await request.get('/bioimage/cache/downloads')).json()).downloads.length, {
        timeout: 10000
      })
      .toBe(0);
    // ...kept nothing in its cache, and nothing was written to the workspace.
    const usage = await (await request.get('/bioimage/cache')).json();
    expect(usage.entries.map((e: any) => e.sha256)).not.toContain(mirror.slow.sha256);
    expect(await tree(request, 'bioimage-models')).toEqual(before);
    expect(await page.contents.directoryExists('bioimage-models/mirror_slow-download_v0')).toBe(false);
  });

  test('"Test in this browser" shows the download and can be cancelled too', async ({ page, request }) => {
    await openLoadedZoo(page);
    await page.locator(S.search).fill(MIRROR.slowName);
    await page.locator(S.row, { hasText: MIRROR.slowName }).first().click();
    const card = page.locator(S.card, { has: page.locator('h1', { hasText: MIRROR.slowName }) });
    const aborted = mirror.slow.aborted;

    await card.getByRole('button', { name: 'Test in this browser' }).click();
    const row = card.locator('.jp-BioImage-cardProgress[data-task="test"]');
    await expect(row.locator('.jp-BioImage-cardProgressText')).toHaveText(
      /^Test: downloading file 2 of 4 · weights\.onnx · [0-9.]+ (B|kB|MB) of 1\.8 MB$/,
      { timeout: 30000 }
    );
    await row.getByRole('button', { name: 'Cancel' }).click();
    const status = card.locator('.jp-BioImage-cardTestStatus');
    await expect(status).toHaveText('Test cancelled: unfinished downloads were stopped and nothing was kept.', {
      timeout: 15000
    });
    await expect(row).toHaveCount(0);
    await expect.poll(() => mirror.slow.aborted, { timeout: 10000 }).toBe(aborted + 1);
    expect(mirror.slow.completed).toBe(0);
    const usage = await (await request.get('/bioimage/cache')).json();
    expect(usage.entries.map((e: any) => e.sha256)).not.toContain(mirror.slow.sha256);
    // The list shows no test result for a cancelled test.
    await expect(page.locator(S.row, { hasText: MIRROR.slowName }).locator('.jp-mod-pass, .jp-mod-fail')).toHaveCount(0);
  });
});
