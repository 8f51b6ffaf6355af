import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/** Selectors of the extension's UI, kept in one place. */
export const Selectors = {
  zooTab: '.jp-SideBar [data-id="jp-bioimage-zoo"]',
  zooPanel: '#jp-bioimage-zoo',
  zooStatus: '#jp-bioimage-zoo .jp-BioImage-zooStatus'
} as const;

/** Page-object helper for the jupyterlab-bioimage UI. */
export class BioImageHelper {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get zooPanel(): Locator {
    return this.page.locator(Selectors.zooPanel);
  }

  /** Open the zoo sidebar by clicking its icon in the left side bar. */
  async openZoo(): Promise<void> {
    await this.page.locator(Selectors.zooTab).click();
    await this.zooPanel.waitFor({ state: 'visible' });
  }
}
