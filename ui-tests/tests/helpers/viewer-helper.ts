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

  /**
   * Sum of all RGBA bytes of the viewer canvas, plus one pixel's RGBA. The
   * canvas is copied onto a 2-D canvas first, so this reads a WebGL2 canvas
   * (whose drawing buffer is preserved) as well as a 2-D one.
   */
  async canvasStats(viewer: Locator, x?: number, y?: number): Promise<ICanvasStats> {
    return viewer.locator(ViewerSelectors.canvas).evaluate(
      (source: HTMLCanvasElement, pos: { x?: number; y?: number }) => {
        const canvas = document.createElement('canvas');
        canvas.width = source.width;
        canvas.height = source.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(source, 0, 0);
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

/** The whole frame shown by a viewer canvas, as RGBA bytes. */
export interface IPixels {
  width: number;
  height: number;
  data: Buffer;
}

/** Read every pixel of the viewer canvas (2-D or WebGL2), through a 2-D copy. */
export async function canvasPixels(viewer: Locator): Promise<IPixels> {
  const r = await viewer.locator(ViewerSelectors.canvas).evaluate((source: HTMLCanvasElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(source, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) {
      binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    }
    return { width: canvas.width, height: canvas.height, base64: btoa(binary) };
  });
  return { width: r.width, height: r.height, data: Buffer.from(r.base64, 'base64') };
}

/** Largest per-byte difference of two frames, and how many pixels differ at all. */
export function compareFrames(a: IPixels, b: IPixels): { maxDiff: number; differing: number; pixels: number } {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`frames differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  }
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    let d = 0;
    for (let k = 0; k < 4; k++) {
      d = Math.max(d, Math.abs(a.data[i + k] - b.data[i + k]));
    }
    maxDiff = Math.max(maxDiff, d);
    differing += d ? 1 : 0;
  }
  return { maxDiff, differing, pixels: a.data.length / 4 };
}

/** Set the viewer's renderer setting ('auto', 'webgl2' or 'software'); open viewers follow. */
export async function setRendererSetting(page: IJupyterLabPageFixture, value: string): Promise<void> {
  await page.evaluate(async v => {
    const registry = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
    await registry.set('jupyterlab-bioimage:viewer', 'renderer', v);
  }, value);
}

/** Wait until pending viewer updates have drawn (Lumino runs them in an animation frame). */
export async function nextFrames(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(
    () => new Promise<void>(resolve => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))
  );
}

/** What the current viewer's renderer reports: kind, reason and upload counters. */
export async function renderState(page: IJupyterLabPageFixture): Promise<{
  kind: string;
  reason: string;
  glRenderer?: string;
  stats: Record<string, number>;
}> {
  return page.evaluate(() => {
    const viewer = (window as any).jupyterapp.shell.currentWidget.content;
    return { ...viewer.renderInfo, stats: { ...viewer.renderer.stats } };
  });
}
