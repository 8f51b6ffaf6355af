import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/** Selectors of the BioImage viewer. */
export const ViewerSelectors = {
  document: '.jp-BioImage-document',
  viewer: '.jp-BioImage-viewer',
  canvas: '.jp-BioImage-canvas',
  zSlider: '.jp-BioImage-zSlider',
  zLabel: '.jp-BioImage-zLabel',
  status: '.jp-BioImage-status',
  message: '.jp-BioImage-message'
} as const;

/** Statistics of a canvas' pixels, read in the page. */
export interface ICanvasStats {
  width: number;
  height: number;
  sum: number;
  /** RGBA of the pixel asked for, if any. */
  pixel?: number[];
}

/** Page-object helper for the BioImage viewer. */
export class ViewerHelper {
  constructor(readonly page: IJupyterLabPageFixture) {}

  /** The viewer in the current main-area tab. */
  get viewer(): Locator {
    return this.page.locator(`.jp-MainAreaWidget:visible ${ViewerSelectors.viewer}`);
  }

  /** Double-click a file in the file browser (its folder must be open). */
  async openByDoubleClick(name: string): Promise<Locator> {
    await this.page
      .locator('.jp-DirListing-item', { hasText: name })
      .first()
      .dblclick();
    await this.page.locator(`.jp-MainAreaWidget:visible ${ViewerSelectors.viewer}`).waitFor();
    return this.viewer;
  }

  /** Wait until the viewer shows an image. */
  async waitReady(viewer: Locator = this.viewer): Promise<void> {
    await viewer.and(this.page.locator('[data-status="ready"]')).waitFor();
  }

  /** Sum of all RGBA bytes of the viewer canvas, plus one pixel's RGBA. */
  async canvasStats(viewer: Locator, x?: number, y?: number): Promise<ICanvasStats> {
    return viewer.locator(ViewerSelectors.canvas).evaluate(
      (canvas: HTMLCanvasElement, pos: { x?: number; y?: number }) => {
        const ctx = canvas.getContext('2d')!;
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let sum = 0;
        for (let i = 0; i < data.length; i++) {
          sum += data[i];
        }
        const pixel =
          pos.x === undefined || pos.y === undefined
            ? undefined
            : Array.from(ctx.getImageData(pos.x, pos.y, 1, 1).data);
        return { width: canvas.width, height: canvas.height, sum, pixel };
      },
      { x, y }
    );
  }

  /** Hover the middle of the canvas and parse the status line. */
  async hoverCenter(viewer: Locator): Promise<{ x: number; y: number; text: string }> {
    const box = (await viewer.locator(ViewerSelectors.canvas).boundingBox())!;
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const status = viewer.locator(ViewerSelectors.status);
    await status.filter({ hasText: /x=\d+ y=\d+/ }).waitFor();
    const text = (await status.textContent()) ?? '';
    const m = /x=(\d+) y=(\d+)/.exec(text)!;
    return { x: Number(m[1]), y: Number(m[2]), text };
  }
}
