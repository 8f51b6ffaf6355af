import { expect, galata, test } from './helpers/test';

import { BioImageHelper, Selectors } from './helpers/bioimage-helper';

/** Console messages from our extension's code (its bundle or its log prefix). */
function isOurs(text: string, url: string): boolean {
  return (
    text.includes('jupyterlab-bioimage') ||
    text.includes('jupyterlab_bioimage') ||
    url.includes('jupyterlab-bioimage')
  );
}

test.describe('foundation', () => {
  const errors: string[] = [];
  // Offline: the sidebar then lists only the bundled zoo, so its baseline does
  // not depend on the live bioimage.io index (zoo.spec.ts covers that).
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-bioimage:zoo': { offline: true }
    }
  });

  test.beforeEach(({ page }) => {
    errors.length = 0;
    page.on('console', message => {
      if (message.type() === 'error' && isOurs(message.text(), message.location().url)) {
        errors.push(message.text());
      }
    });
    page.on('pageerror', error => {
      if (isOurs(error.stack ?? error.message, '')) {
        errors.push(error.message);
      }
    });
  });

  test('the extension activates without errors and reaches its server extension', async ({
    page
  }) => {
    const activated = await page.evaluate(() =>
      (window as any).jupyterapp.isPluginActivated('jupyterlab-bioimage:zoo')
    );
    expect(activated).toBe(true);

    const bio = new BioImageHelper(page);
    await bio.openZoo();
    await expect(page.locator(Selectors.zooStatus)).toContainText(
      /Server extension \d+\.\d+\.\d+/
    );
    expect(errors).toEqual([]);
  });

  test('the sidebar opens from its icon and matches its baseline', async ({ page }) => {
    const bio = new BioImageHelper(page);
    await bio.openZoo();
    await expect(page.locator(Selectors.zooStatus)).toContainText('Server extension');
    await expect(bio.zooPanel.locator('.jp-BioImage-zooItemName')).toHaveCount(2);
    // Let the cover thumbnails load.
    await page.waitForLoadState('networkidle');
    expect(await bio.zooPanel.screenshot()).toMatchSnapshot('zoo-sidebar.png');
    await page.screenshot({ path: 'test-results/lab-with-extension.png' });
  });

  test('the command palette lists the BioImage commands', async ({ page }) => {
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#command-palette');
    await palette.waitFor({ state: 'visible' });
    await palette.locator('.lm-CommandPalette-input').fill('BioImage');
    const items = palette.locator('.lm-CommandPalette-item');
    await expect(items.filter({ hasText: 'Open Model Zoo' })).toHaveCount(1);
    await expect(items.filter({ hasText: 'Check BioImage Server Extension' })).toHaveCount(1);
    await expect(palette.locator('.lm-CommandPalette-header', { hasText: 'BioImage' })).toHaveCount(1);
  });
});
