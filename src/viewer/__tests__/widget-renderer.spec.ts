/**
 * How the viewer widget uses its renderer: the default in jsdom (software),
 * and, with a stand-in WebGL2 renderer, the fallbacks: a state it cannot
 * draw (software for that frame only), a lost context and a failure
 * (software from then on), and a setting change.
 */
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { composeFrame } from '../compose';
import { memorySource } from '../../core/formats/planes';
import { ImageModel } from '../model';
import * as create from '../renderers/create';
import { SoftwareRenderer } from '../renderers/software';
import {
  emptyStats,
  type IViewerRenderer,
  RendererUnsupported
} from '../renderers/types';
import { ImageViewer } from '../widget';

/** A stand-in for the WebGL2 renderer (jsdom has no WebGL). */
class FakeGL implements IViewerRenderer {
  readonly kind = 'webgl2';
  readonly canvas = document.createElement('canvas');
  readonly stats = emptyStats();
  mode: 'ok' | 'unsupported' | 'fail' = 'ok';
  lost = false;
  isDisposed = false;
  draw(model: ImageModel): { width: number; height: number } {
    if (this.mode === 'unsupported') {
      throw new RendererUnsupported('17 visible channels');
    }
    if (this.mode === 'fail') {
      throw new Error('shader compilation failed');
    }
    this.stats.draws++;
    return { width: model.width, height: model.height };
  }
  readFrame(): null {
    return null;
  }
  finish(): void {
    // nothing queued
  }
  dispose(): void {
    this.isDisposed = true;
  }
}

function flush(w: Widget): void {
  MessageLoop.sendMessage(w, Widget.Msg.UpdateRequest);
}

async function openViewer(
  renderer?: 'auto' | 'webgl2' | 'software'
): Promise<{ viewer: ImageViewer; model: ImageModel }> {
  const model = new ImageModel();
  const viewer = new ImageViewer({ model, renderer });
  Widget.attach(viewer, document.body);
  const data = new Uint16Array(12).map((_, i) => i * 10);
  await model.setSource(
    memorySource({
      axes: 'YX',
      shape: [3, 4],
      dtype: 'uint16',
      array: { dtype: 'uint16', shape: [3, 4], data },
      source: { format: 'npy', planeCount: 1, axesSource: 'test', warnings: [] }
    }),
    'ramp.npy'
  );
  flush(viewer);
  return { viewer, model };
}

const status = (v: ImageViewer): string =>
  v.node.querySelector('.jp-BioImage-status')!.textContent ?? '';

describe('ImageViewer renderers', () => {
  afterEach(() => jest.restoreAllMocks());

  it('draws in software in jsdom, and says so', async () => {
    const { viewer, model } = await openViewer('webgl2');
    expect(viewer.node.dataset.renderer).toBe('software');
    expect(viewer.node.dataset.rendererReason).toBe(
      'WebGL2 was asked for, but no context could be made (this browser has no WebGL2)'
    );
    expect(viewer.canvas.dataset.renderer).toBe('software');
    expect(status(viewer)).toBe('ramp.npy  YX [3 × 4] uint16  ·  software');
    expect(viewer.frame!.width).toBe(4);
    viewer.dispose();
    model.dispose();
  });

  it('the software renderer redraws into the same buffer, with fresh pixels', async () => {
    const { viewer, model } = await openViewer('software');
    const first = viewer.frame!.data;
    model.setChannel(0, { min: 20, max: 60, colormap: 'fire' });
    flush(viewer);
    expect(viewer.frame!.data).toBe(first);
    expect(Array.from(viewer.frame!.data)).toEqual(
      Array.from(composeFrame(model)!.data)
    );
    viewer.dispose();
    model.dispose();
  });

  describe('with a WebGL2 renderer', () => {
    let gl: FakeGL;
    let lose: (reason: string) => void;

    beforeEach(() => {
      jest
        .spyOn(create, 'createRenderer')
        .mockImplementation((pref, onLost) => {
          if (pref === 'software') {
            return {
              renderer: new SoftwareRenderer(),
              info: { kind: 'software', reason: 'set in the viewer settings' }
            };
          }
          gl = new FakeGL();
          lose = onLost;
          return {
            renderer: gl,
            info: { kind: 'webgl2', reason: 'GPU: test', glRenderer: 'test' }
          };
        });
    });

    it('shows its canvas and name', async () => {
      const { viewer, model } = await openViewer();
      expect(viewer.node.dataset.renderer).toBe('webgl2');
      expect(viewer.canvas).toBe(gl.canvas);
      expect(gl.canvas.isConnected).toBe(true);
      expect(gl.canvas.classList.contains('jp-BioImage-canvas')).toBe(true);
      expect(status(viewer)).toContain('·  WebGL2');
      expect(gl.stats.draws).toBe(1);
      viewer.dispose();
      expect(gl.isDisposed).toBe(true);
      model.dispose();
    });

    it('draws a state it cannot handle in software, then returns to WebGL2', async () => {
      const { viewer, model } = await openViewer();
      gl.mode = 'unsupported';
      model.setChannel(0, { min: 5 });
      flush(viewer);
      expect(viewer.node.dataset.renderer).toBe('software');
      expect(viewer.node.dataset.rendererReason).toBe(
        '17 visible channels; drawn in software'
      );
      expect(viewer.canvas).not.toBe(gl.canvas);
      expect(viewer.frame!.data.length).toBe(4 * 3 * 4);
      gl.mode = 'ok';
      model.setChannel(0, { min: 0 });
      flush(viewer);
      expect(viewer.node.dataset.renderer).toBe('webgl2');
      expect(viewer.canvas).toBe(gl.canvas);
      expect(gl.isDisposed).toBe(false);
      viewer.dispose();
      model.dispose();
    });

    it('falls back to software for good when the context is lost', async () => {
      const { viewer, model } = await openViewer();
      const first = gl;
      first.lost = true;
      lose('the WebGL2 context was lost');
      flush(viewer);
      expect(first.isDisposed).toBe(true);
      expect(viewer.node.dataset.renderer).toBe('software');
      expect(viewer.node.dataset.rendererReason).toBe(
        'the WebGL2 context was lost'
      );
      expect(viewer.canvas.isConnected).toBe(true);
      expect(viewer.frame).not.toBeNull();
      viewer.dispose();
      model.dispose();
    });

    it('falls back to software for good when a draw fails', async () => {
      const { viewer, model } = await openViewer();
      gl.mode = 'fail';
      model.setChannel(0, { gamma: 2 });
      flush(viewer);
      expect(gl.isDisposed).toBe(true);
      expect(viewer.node.dataset.rendererReason).toBe(
        'WebGL2 failed (shader compilation failed)'
      );
      expect(viewer.frame!.width).toBe(4);
      viewer.dispose();
      model.dispose();
    });

    it('follows a renderer setting change', async () => {
      const { viewer, model } = await openViewer();
      viewer.setRendererPreference('software');
      flush(viewer);
      expect(gl.isDisposed).toBe(true);
      expect(viewer.node.dataset.renderer).toBe('software');
      expect(viewer.rendererPreference).toBe('software');
      viewer.setRendererPreference('auto');
      flush(viewer);
      expect(viewer.node.dataset.renderer).toBe('webgl2');
      expect(viewer.canvas).toBe(gl.canvas);
      viewer.dispose();
      model.dispose();
    });
  });
});
