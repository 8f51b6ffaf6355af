/**
 * The model zoo sidebar and model card against a local mirror of the
 * bioimage.io collection (helpers/zoo-mirror.ts): listing, search, filters,
 * the card's processing in words, "Test in this browser", sanitized
 * documentation, tampered files refused, and the bundled zoo offline.
 */
import { expect, galata, test } from './helpers/test';
import { Page } from '@playwright/test';

import { BioImageHelper } from './helpers/bioimage-helper';
import { IZooMirror, MIRROR, startZooMirror } from './helpers/zoo-mirror';

const PORT = Number(process.env.BIOIMAGE_ZOO_MIRROR_PORT ?? 28931);
/** Nothing ever listens here: the "index unreachable" case. */
const DEAD_PORT = PORT + 1;

const S = {
  list: '#jp-bioimage-zoo .jp-BioImage-zooList',
  row: '#jp-bioimage-zoo .jp-BioImage-zooItem',
  name: '#jp-bioimage-zoo .jp-BioImage-zooItemName',
  count: '#jp-bioimage-zoo .jp-BioImage-zooCount',
  search: '#jp-bioimage-zoo .jp-BioImage-zooSearch',
  dims: '#jp-bioimage-zoo .jp-BioImage-zooFilter.jp-mod-dims',
  task: '#jp-bioimage-zoo .jp-BioImage-zooFilter.jp-mod-task',
  failures: '#jp-bioimage-zoo .jp-BioImage-zooFailures',
  errorBanner: '#jp-bioimage-zoo .jp-BioImage-zooBanner.jp-mod-error',
  progress: '#jp-bioimage-zoo .jp-BioImage-zooProgress',
  card: '.jp-BioImage-modelCard'
};

/** README screenshots (docs/images/zoo-*.png), only when asked for. */
async function docShot(page: Page, name: string): Promise<void> {
  if (process.env.BIOIMAGE_DOC_SCREENSHOTS) {
    await page.waitForTimeout(500);
    await page.screenshot({ path: `../docs/images/zoo-${name}.png` });
  }
}

function settings(indexUrl: string) {
  return {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-bioimage:zoo': { collectionIndexUrl: indexUrl, concurrency: 8 }
  };
}

/** Open the sidebar and wait until every source has been read. */
async function openLoadedZoo(page: Page): Promise<void> {
  await new BioImageHelper(page as any).openZoo();
  await expect(page.locator(S.count)).toContainText('model', { timeout: 60000 });
  await expect(page.locator(S.progress)).toBeHidden({ timeout: 60000 });
}

async function search(page: Page, text: string): Promise<void> {
  await page.locator(S.search).fill(text);
}

async function openCard(page: Page, name: string) {
  await search(page, name);
  await page.locator(S.row, { hasText: name }).first().click();
  const card = page.locator(S.card, { has: page.locator('h1', { hasText: name }) });
  await expect(card).toBeVisible();
  return card;
}

test.describe('zoo against a local mirror', () => {
  let mirror: IZooMirror;
  test.use({ mockSettings: settings(`http://127.0.0.1:${PORT}/index.json`) });

  test.beforeAll(async () => {
    mirror = await startZooMirror(PORT);
  });
  test.afterAll(async () => {
    await mirror?.close();
  });

  test('lists the bundled zoo and the mirror, and counts unreadable entries', async ({ page }) => {
    await openLoadedZoo(page);
    // Items in the index minus the unreadable ones, plus the two bundled models.
    const expected = mirror.items - MIRROR.unreadableFixtures - 1 + 2;
    await expect(page.locator(S.count)).toHaveText(`${expected} models`);
    await expect(page.locator(S.failures).locator('summary')).toHaveText(
      `${MIRROR.unreadableFixtures + 1} entries could not be read — details`
    );
    await page.locator(S.failures).locator('summary').click();
    const tampered = page.locator(S.failures).locator('li', { hasText: MIRROR.tamperedDescriptionId });
    await expect(tampered).toContainText('refused');
    await expect(tampered).toContainText('sha256');
    await expect(page.locator(S.name, { hasText: 'Bioimage Nuclei Segmentation 2D' })).toHaveCount(1);
    await expect(page.locator(S.errorBanner)).toHaveCount(0);
    await docShot(page, 'sidebar');
  });

  test('search and filters narrow the list', async ({ page }) => {
    await openLoadedZoo(page);
    await search(page, 'nuclei broad');
    const names = await page.locator(S.name).allTextContents();
    expect(names.length).toBeGreaterThanOrEqual(3);
    // The fixture's copies (planted problems) share its description text.
    const copies = [MIRROR.evilName, MIRROR.tamperedWeightsName];
    for (const n of names.filter(n => !copies.includes(n))) {
      expect(n.toLowerCase()).toContain('nuclei');
    }
    expect(names).toContain(MIRROR.unetName);
    await expect(page.locator(S.count)).toContainText(`${names.length} of`);

    await search(page, '');
    await page.locator(S.dims).selectOption('3D');
    const threeD = await page.locator(S.row).count();
    expect(threeD).toBeGreaterThan(0);
    const badges = await page.locator(`${S.row} .jp-BioImage-zooBadge.jp-mod-dims`).allTextContents();
    expect(new Set(badges)).toEqual(new Set(['3D']));

    await page.locator(S.dims).selectOption('');
    await page.locator(S.task).selectOption('restoration');
    const restoration = await page.locator(`${S.row}`).count();
    expect(restoration).toBeGreaterThan(0);
    await expect(page.locator(S.count)).toContainText(`${restoration} of`);
  });

  test('the card explains processing in words and the model passes its test here', async ({ page }) => {
    await openLoadedZoo(page);
    const card = await openCard(page, MIRROR.unetName);
    await expect(card.locator('.jp-BioImage-cardProcessing li[data-step="zero_mean_unit_variance"]')).toHaveText(
      'each image is scaled to zero mean and unit variance over x and y (per sample, per channel)'
    );
    await expect(card.locator('.jp-BioImage-cardProcessing li[data-step="sigmoid"]')).toContainText('sigmoid');
    await expect(card.locator('.jp-BioImage-cardVerdict')).toContainText('Runs in this browser: yes');
    await expect(card.locator('.jp-BioImage-cardCitations a', { hasText: 'doi:10.1007/978-3-319-24574-4_28' })).toHaveAttribute(
      'href',
      'https://doi.org/10.1007/978-3-319-24574-4_28'
    );
    await expect(card.locator('.jp-BioImage-cardDocs')).toContainText('A 2d U-Net trained on the nuclei broad dataset');

    await card.getByRole('button', { name: 'Test in this browser' }).click();
    const status = card.locator('.jp-BioImage-cardTestStatus');
    await expect(status).toContainText('Test passed: max abs diff', { timeout: 180000 });
    const diff = Number(/max abs diff ([0-9.e+-]+)/.exec((await status.textContent()) ?? '')?.[1]);
    expect(diff).toBeLessThan(1e-3);
    await expect(status).toContainText('backend');
    // The list shows the known test status.
    await expect(page.locator(S.row, { hasText: MIRROR.unetName }).locator('.jp-mod-pass')).toHaveText('test passed');
    await docShot(page, 'card');
  });

  test('documentation with script is rendered harmlessly', async ({ page }) => {
    await openLoadedZoo(page);
    const card = await openCard(page, MIRROR.evilName);
    const docs = card.locator('.jp-BioImage-cardDocs');
    await expect(docs).toContainText('This text must be shown.');
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    await expect(docs.locator('script')).toHaveCount(0);
    await expect(docs.locator('[onerror]')).toHaveCount(0);
    const href = await docs.locator('a', { hasText: 'click me' }).getAttribute('href');
    expect(href ?? '').not.toContain('javascript:');
  });

  test('a package whose weights do not match their sha256 is refused', async ({ page }) => {
    await openLoadedZoo(page);
    const card = await openCard(page, MIRROR.tamperedWeightsName);
    await card.getByRole('button', { name: 'Download package to the workspace' }).click();
    const status = card.locator('.jp-BioImage-cardDownloadStatus');
    await expect(status).toContainText('Download refused', { timeout: 60000 });
    await expect(status).toContainText("Refused 'weights.onnx'");
    await expect(status).toContainText('sha256');
  });

  test('the fixture package downloads into the workspace', async ({ page }) => {
    await openLoadedZoo(page);
    const card = await openCard(page, MIRROR.unetName);
    await card.getByRole('button', { name: 'Download package to the workspace' }).click();
    const status = card.locator('.jp-BioImage-cardDownloadStatus');
    await expect(status).toContainText('Saved to bioimage-models/mirror_unet2d_nuclei_broad_v0/bioimageio.yaml', {
      timeout: 60000
    });
    expect(await page.filebrowser.contents.fileExists('bioimage-models/mirror_unet2d_nuclei_broad_v0/weights.onnx')).toBe(true);
  });

  test('the list is keyboard navigable and labelled', async ({ page }) => {
    await openLoadedZoo(page);
    const list = page.locator(S.list);
    await expect(list).toHaveAttribute('role', 'listbox');
    await list.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    const active = await list.getAttribute('aria-activedescendant');
    expect(active).toBeTruthy();
    const label = await page.locator(`#${active}`).getAttribute('aria-label');
    expect(label).toBeTruthy();
    await page.keyboard.press('Enter');
    await expect(page.locator(S.card)).toHaveCount(1);
  });
});

test.describe('zoo with the index unreachable', () => {
  test.use({ mockSettings: settings(`http://127.0.0.1:${DEAD_PORT}/offline/index.json`) });

  test('shows the reason with Retry, and the bundled zoo keeps working', async ({ page }) => {
    await openLoadedZoo(page);
    const banner = page.locator(S.errorBanner);
    await expect(banner).toContainText('Could not read bioimage.io');
    await expect(banner).toContainText('The bundled models still work.');
    await expect(banner.getByRole('button', { name: 'Retry' })).toBeVisible();
    await expect(page.locator(S.count)).toHaveText('2 models');
    await expect(page.locator(S.name, { hasText: 'Bioimage Nuclei Segmentation 2D' })).toHaveCount(1);

    await docShot(page, 'offline');
    await banner.getByRole('button', { name: 'Retry' }).click();
    await expect(page.locator(S.errorBanner)).toContainText('Could not read bioimage.io', { timeout: 30000 });
  });
});
