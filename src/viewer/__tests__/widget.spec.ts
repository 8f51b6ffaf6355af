/**
 * ImageModel and ImageViewer in jsdom, with real numbers: what the widget
 * renders equals the display math.
 */
import { JupyterLab } from '@jupyterlab/application';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { bytesToBase64 } from '../../core/formats/base64';
import { encodeTiff, type IDecodedImage } from '../../core/formats';
import { memorySource } from '../../core/formats/planes';
import {
  autoContrast,
  colormapTable,
  histogram,
  labelColor,
  mapIntensity
} from '../display';
import { FACTORY_NAME } from '../factory';
import { MainThreadImageLoader } from '../loader';
import {
  BIOIMAGE_MIME_TYPE,
  BioImageMimeRenderer,
  imageFromPayload
} from '../mime';
import { ImageModel } from '../model';
import { viewerPlugin } from '../plugin';
import { ImageViewer } from '../widget';

/** A uint16 image with the given axes and shape; value = a simple ramp. */
function image(
  axes: string,
  shape: number[],
  f: (i: number) => number
): IDecodedImage {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = f(i);
  }
  return {
    axes,
    shape,
    dtype: 'uint16',
    array: { dtype: 'uint16', shape, data },
    physicalSize: {
      x: { value: 0.5, unit: 'µm' },
      y: { value: 0.5, unit: 'µm' }
    },
    source: { format: 'tiff', planeCount: 1, axesSource: 'test', warnings: [] }
  };
}

/** Run the widget's update now. */
function flush(w: Widget): void {
  MessageLoop.sendMessage(w, Widget.Msg.UpdateRequest);
}

describe('ImageModel', () => {
  it('opens in the middle of Z with percentile auto-contrast per channel', async () => {
    // C=2, Z=5, 4×6: channel 1 is brighter
    const img = image(
      'CZYX',
      [2, 5, 4, 6],
      i => (i % 120) + (i >= 120 ? 1000 : 0)
    );
    const model = new ImageModel();
    await model.setSource(memorySource(img), 'stack.tif');
    expect(model.status).toBe('ready');
    expect([
      model.sizeC,
      model.sizeZ,
      model.sizeT,
      model.width,
      model.height
    ]).toEqual([2, 5, 1, 6, 4]);
    expect(model.z).toBe(2);
    expect(model.channels.map(c => c.colormap)).toEqual(['green', 'magenta']);
    // channel 1, z=2 holds 1000 + 48…71
    const plane1 = new Uint16Array(24).map((_, k) => 1000 + 48 + k);
    const expected = autoContrast(histogram(plane1), 0.1, 99.9);
    expect(model.channels[1].min).toBeCloseTo(expected.min, 10);
    expect(model.channels[1].max).toBeCloseTo(expected.max, 10);
    expect(model.valuesAt(3, 1).channels).toEqual([48 + 9, 1000 + 48 + 9]);
    model.dispose();
  });

  it('refuses an overlay of another size with a clear message', async () => {
    const model = new ImageModel();
    await model.setSource(memorySource(image('YX', [4, 6], i => i)), 'a.tif');
    await expect(
      model.addOverlay(memorySource(image('YX', [5, 6], i => i)), 'b', 'labels')
    ).rejects.toThrow('b is 6×5 pixels but the image is 6×4');
  });
});

describe('ImageViewer', () => {
  let model: ImageModel;
  let viewer: ImageViewer;

  beforeEach(async () => {
    model = new ImageModel();
    viewer = new ImageViewer({ model });
    Widget.attach(viewer, document.body);
    // Z=3 planes of 8×10, plane z has values z*100 + i
    await model.setSource(
      memorySource(
        image('ZYX', [3, 8, 10], i => Math.floor(i / 80) * 100 + (i % 80))
      ),
      'z.tif'
    );
    flush(viewer);
  });

  afterEach(() => {
    viewer.dispose();
    model.dispose();
  });

  it('renders exactly the display math after a manual contrast change', () => {
    const row = viewer.channelsPanel.row(0)!;
    row.min.value = '110';
    row.max.value = '150';
    row.gamma.value = '0.5';
    row.gamma.dispatchEvent(new Event('change'));
    flush(viewer);
    expect(model.channels[0]).toMatchObject({ min: 110, max: 150, gamma: 0.5 });
    const frame = viewer.frame!;
    expect([frame.width, frame.height]).toEqual([10, 8]);
    const lut = colormapTable('grey');
    for (let i = 0; i < 80; i++) {
      const k = mapIntensity(100 + i, { min: 110, max: 150, gamma: 0.5 });
      expect(Array.from(frame.data.subarray(i * 4, i * 4 + 4))).toEqual([
        lut[k * 3],
        lut[k * 3 + 1],
        lut[k * 3 + 2],
        255
      ]);
    }
  });

  it('moves through Z with the slider and the keyboard', async () => {
    expect(model.z).toBe(1);
    const slider = viewer.navigation.zSlider;
    slider.value = '2';
    slider.dispatchEvent(new Event('input'));
    await model.loaded;
    flush(viewer);
    expect(model.z).toBe(2);
    expect(viewer.node.querySelector('.jp-BioImage-zLabel')!.textContent).toBe(
      'z 3 / 3'
    );
    expect(viewer.canvas.dataset.z).toBe('2');
    expect(model.valuesAt(0, 0).channels).toEqual([200]);

    viewer.node.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true })
    );
    await model.loaded;
    expect(model.z).toBe(0);
    viewer.node.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true })
    );
    await model.loaded;
    expect(model.z).toBe(1);
  });

  it('blends a label overlay with its label colours', async () => {
    const labels = image('YX', [8, 10], i => (i < 40 ? 0 : 7));
    await model.addOverlay(memorySource(labels), 'mask', 'labels', {
      opacity: 0.5
    });
    flush(viewer);
    const c = model.channels[0];
    const lut = colormapTable('grey');
    const base = (v: number): number => lut[mapIntensity(v, c) * 3];
    const frame = viewer.frame!;
    // unlabelled pixel 5: the image only
    expect(frame.data[5 * 4]).toBe(base(105));
    // labelled pixel 45: half label colour, half image (blendOver of alpha 128)
    const [r] = labelColor(7);
    const a = Math.round(255 * 0.5) / 255;
    expect(frame.data[45 * 4]).toBe(Math.round(r * a + base(145) * (1 - a)));
    expect(viewer.describePixel(-1e4, -1e4)).toBe('');

    // hidden overlays are not drawn
    model.setOverlay(model.overlays[0].id, { visible: false });
    flush(viewer);
    expect(viewer.frame!.data[45 * 4]).toBe(base(145));

    // side by side doubles the width: the right half has the overlay
    model.setOverlay(model.overlays[0].id, { visible: true });
    model.setCompare('side-by-side');
    flush(viewer);
    expect(viewer.frame!.width).toBe(20);
  });

  it('shows pixel coordinates, physical units and raw values', () => {
    viewer.view.scale = 2;
    viewer.view.tx = 0;
    viewer.view.ty = 0;
    expect(viewer.describePixel(7, 5)).toBe(
      'x=3 y=2  z=1  (1.5 µm, 1 µm)  value 123'
    );
  });
});

describe('errors', () => {
  it('a truncated TIFF shows what is wrong and what to do', async () => {
    const arr = image('YX', [64, 64], i => i).array;
    const tiff = encodeTiff(arr, 'YX');
    const broken = tiff.slice(0, 3000);
    const model = new ImageModel();
    const viewer = new ImageViewer({ model });
    Widget.attach(viewer, document.body);
    const loader = new MainThreadImageLoader();
    try {
      const source = await loader.open(
        { base64: bytesToBase64(broken) },
        'broken.tif'
      );
      await model.setSource(source, 'broken.tif');
    } catch (e) {
      model.setError(
        { kind: (e as { kind: string }).kind, message: (e as Error).message },
        'broken.tif'
      );
    }
    flush(viewer);
    const message = viewer.node.querySelector(
      '.jp-BioImage-message'
    ) as HTMLElement;
    expect(message.hidden).toBe(false);
    expect(message.getAttribute('role')).toBe('alert');
    expect(message.textContent).toContain('Cannot display broken.tif');
    expect(
      message.querySelector('.jp-BioImage-messageText')!.textContent
    ).toContain('broken.tif');
    expect(viewer.node.dataset.status).toBe('error');
    viewer.dispose();
  });
});

describe('show() output', () => {
  it('decodes the MIME payload exactly and renders it', async () => {
    const values = new Uint16Array([0, 1, 2, 300, 400, 65535]);
    const payload = {
      dtype: 'uint16' as const,
      shape: [2, 3],
      axes: 'YX',
      name: 'tiny',
      data: bytesToBase64(new Uint8Array(values.buffer))
    };
    expect(
      Array.from(imageFromPayload(payload).array.data as Uint16Array)
    ).toEqual(Array.from(values));
    expect(() => imageFromPayload({ ...payload, axes: 'ZYX' })).toThrow(
      "axes 'ZYX' do not fit shape [2, 3]"
    );
    const renderer = new BioImageMimeRenderer(
      {
        mimeType: BIOIMAGE_MIME_TYPE,
        sanitizer: {} as never,
        resolver: null,
        linkHandler: null,
        latexTypesetter: null
      },
      () => ({})
    );
    await renderer.renderModel({
      data: { [BIOIMAGE_MIME_TYPE]: payload },
      trusted: true,
      metadata: {},
      setData: () => undefined
    } as never);
    expect(renderer.model.status).toBe('ready');
    expect(renderer.model.valuesAt(2, 1).channels).toEqual([65535]);
    renderer.dispose();
  });
});

describe('viewer plugin', () => {
  it('registers the file types, the factory and the commands', async () => {
    const app = new JupyterLab();
    app.registerPlugin(viewerPlugin);
    await app.activatePlugin('jupyterlab-bioimage:viewer');
    const registry = app.docRegistry;
    expect(registry.getFileType('bioimage-tiff')?.extensions).toContain(
      '.ome.tiff'
    );
    expect(registry.defaultWidgetFactory('cells.ome.tif').name).toBe(
      FACTORY_NAME
    );
    expect(registry.defaultWidgetFactory('array.npy').name).toBe(FACTORY_NAME);
    expect(app.commands.hasCommand('bioimage:viewer-fit')).toBe(true);
    expect(app.commands.isEnabled('bioimage:viewer-fit')).toBe(false);
  });
});
