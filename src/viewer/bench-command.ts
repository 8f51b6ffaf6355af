/**
 * `bioimage:benchmark-viewer`: time what a contrast change and a colour-map
 * change cost in a real viewer widget on a 2048×2048 uint16 image, for each
 * renderer. A redraw is timed from the model change to the finished frame
 * (for WebGL2 until the GPU has finished: a one-pixel read-back waits for
 * it); the page's compositing afterwards is not included for either.
 * Used by `make bench` (bench/browser.mjs); not in the palette.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../commands';
import { memorySource } from '../core/formats/planes';
import { benchmarkPlaneData, type Colormap } from './display';
import { ImageModel } from './model';
import { parsePreference } from './renderers/choice';
import { createRenderer } from './renderers/create';
import type { IRenderStats, RendererPreference } from './renderers/types';
import { ImageViewer } from './widget';

/** Timings of one kind of change; milliseconds. */
export interface IRedrawTimes {
  /** Model change → widget update (controls + frame) → frame finished. */
  medianMs: number;
  minMs: number;
  runsMs: number[];
  /** The renderer's draw alone (plus finishing), without the controls. */
  medianDrawMs: number;
}

/** One renderer's result. */
export interface IViewerBenchmark {
  asked: RendererPreference;
  renderer: string;
  reason: string;
  glRenderer?: string;
  /** First frame: texture upload included for WebGL2. */
  firstDrawMs: number;
  contrast: IRedrawTimes;
  colormap: IRedrawTimes;
  /** Uploads during the timed changes (0 planes expected: only uniforms change). */
  uploadsDuringChanges: IRenderStats;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const MAPS: Colormap[] = ['fire', 'green', 'heatmap', 'magenta', 'grey'];

async function benchOne(
  asked: RendererPreference,
  size: number,
  iterations: number
): Promise<IViewerBenchmark> {
  const data = benchmarkPlaneData(size);
  const model = new ImageModel();
  await model.setSource(
    memorySource({
      axes: 'YX',
      shape: [size, size],
      dtype: 'uint16',
      array: { dtype: 'uint16', shape: [size, size], data },
      source: {
        format: 'npy',
        planeCount: 1,
        axesSource: 'benchmark',
        warnings: []
      }
    }),
    'benchmark'
  );
  const viewer = new ImageViewer({ model, renderer: asked });
  const host = document.createElement('div');
  host.style.cssText =
    'position:fixed;left:0;top:0;width:800px;height:600px;opacity:0;pointer-events:none';
  document.body.appendChild(host);
  Widget.attach(viewer, host);
  const redraw = (): void => {
    viewer.processMessage(Widget.Msg.UpdateRequest);
    viewer.renderer.finish();
  };
  try {
    let t = performance.now();
    redraw();
    const firstDrawMs = performance.now() - t;
    const { min, max } = model.channels[0];
    const time = (
      change: (k: number) => void
    ): { runs: number[]; draws: number[] } => {
      const runs: number[] = [];
      const draws: number[] = [];
      for (let k = -3; k < iterations; k++) {
        change(k);
        t = performance.now();
        redraw();
        const ms = performance.now() - t;
        // The renderer alone on the same state.
        t = performance.now();
        viewer.renderer.draw(model);
        viewer.renderer.finish();
        const draw = performance.now() - t;
        if (k >= 0) {
          runs.push(ms);
          draws.push(draw);
        }
      }
      return { runs, draws };
    };
    const before = { ...viewer.renderer.stats };
    const contrast = time(k =>
      model.setChannel(0, {
        min: min + 4 + k,
        max: max - 4 - k,
        gamma: 1 + (k + 3) / 20
      })
    );
    const colormap = time(k =>
      model.setChannel(0, { colormap: MAPS[(k + 3) % MAPS.length] })
    );
    const after = viewer.renderer.stats;
    const summary = (r: { runs: number[]; draws: number[] }): IRedrawTimes => ({
      medianMs: median(r.runs),
      minMs: Math.min(...r.runs),
      runsMs: r.runs,
      medianDrawMs: median(r.draws)
    });
    const info = viewer.renderInfo;
    return {
      asked,
      renderer: info.kind,
      reason: info.reason,
      glRenderer: info.glRenderer,
      firstDrawMs,
      contrast: summary(contrast),
      colormap: summary(colormap),
      uploadsDuringChanges: {
        draws: after.draws - before.draws,
        planeUploads: after.planeUploads - before.planeUploads,
        planeUploadBytes: after.planeUploadBytes - before.planeUploadBytes,
        overlayUploads: after.overlayUploads - before.overlayUploads,
        lutUploads: after.lutUploads - before.lutUploads
      }
    };
  } finally {
    viewer.dispose();
    model.dispose();
    host.remove();
  }
}

/** Register `bioimage:benchmark-viewer` (args: size, iterations, renderers). */
export function registerViewerBenchmark(app: JupyterFrontEnd): void {
  app.commands.addCommand(CommandIDs.benchmarkViewer, {
    label: 'Benchmark the Image Viewer (redraw timings)',
    execute: async args => {
      const size = Number(args.size ?? 2048);
      const iterations = Number(args.iterations ?? 15);
      const asked = (
        (args.renderers as string[] | undefined) ?? ['software', 'webgl2']
      ).map(parsePreference);
      // What 'auto' would pick on this page, without timing it.
      const probe = createRenderer('auto', () => undefined);
      probe.renderer.dispose();
      const results: IViewerBenchmark[] = [];
      for (const r of asked) {
        results.push(await benchOne(r, size, iterations));
      }
      return {
        size,
        dtype: 'uint16',
        iterations,
        auto: probe.info,
        results
      } as unknown as ReadonlyPartialJSONObject;
    }
  });
}
