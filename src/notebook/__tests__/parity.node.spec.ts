/**
 * Writes the parity inputs for tests/test_codegen_parity.py: the generated
 * notebooks (both styles) for the fixture run, and our TypeScript
 * pipeline's prediction for the same run (onnxruntime-web in Node), into
 * tests/generated/ (git-ignored). `make test` runs jest before pytest.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readNpy, writeNpy } from '../../core/tensor/npy';
import { createOrtSession } from '../../core/inference/session/ort';
import { predict } from '../../core/inference/pipeline';
import { resizeYX } from '../../core/analysis/rescale';
import { fixAxes, instanceLabels } from '../../core/analysis/arrays';
import { segmentationMetrics } from '../../core/analysis/validation';
import type { INDArray } from '../../core/tensor/tensor';
import type { IBrowserSummary } from '../codegen/types';
import { parseDescription } from '../../core/spec/description';
import { generateCells, toNotebookJSON } from '../codegen/cells';
import { runRecordModel, type IRunRecord } from '../../core/record/run-record';
import {
  FIXTURES,
  fixtureModel,
  fixtureRecord,
  IMAGE,
  MASK,
  UNET_DIR
} from './fixture-record';

const BUNDLED_SEG = path.resolve(
  __dirname,
  '../../../jupyterlab_bioimage/zoo/bioimage-nuclei-seg'
);
const STACK = path.join(FIXTURES, 'images', 'stardist', 'img3d.tif');
const STACK_MASK = path.join(FIXTURES, 'images', 'stardist', 'mask3d.tif');
/** The plane a 2D model runs on in the z-stack case. */
const Z = 16;

function bundledSegModel() {
  const parsed = parseDescription(
    fs.readFileSync(path.join(BUNDLED_SEG, 'rdf.yaml'), 'utf8')
  );
  if (parsed.kind !== 'model') {
    throw new Error('not a model');
  }
  return parsed.model;
}

/** A bundled 2D model on one plane of the stardist z-stack. */
function zPlaneRecord(): IRunRecord {
  return {
    model: runRecordModel(
      bundledSegModel(),
      'bundled:bioimage-nuclei-seg/rdf.yaml'
    ),
    image: { path: STACK, axes: 'ZYX', channels: null, select: { z: Z } },
    tiling: null,
    postprocessing: {
      channel: 0,
      threshold: 0.5,
      minSize: 0,
      instanceMethod: 'connected_components'
    },
    metrics: {
      requested: ['iou', 'dice', 'f1_iou50'],
      values: {},
      groundTruthPath: STACK_MASK
    },
    backend: 'wasm',
    extensionVersion: '0.1.0',
    timestamp: '2026-01-02T03:04:05.000Z'
  };
}

jest.setTimeout(180000);

const OUT = path.resolve(__dirname, '../../../tests/generated');
const PYTHON =
  process.env.BIOIMAGE_PYTHON ??
  path.resolve(__dirname, '../../../.venv/bin/python');

/** The fixture TIFF as an array. geotiff (ESM-only deps) does not load in
 *  this jest project, so tifffile converts it; the TIFF decoder has its own
 *  tests, this one is about the pipeline. */
function readTiff(file: string) {
  const npy = path.join(OUT, 'image.npy');
  execFileSync(PYTHON, [
    '-c',
    'import sys, numpy, tifffile; numpy.save(sys.argv[2], tifffile.imread(sys.argv[1]))',
    file,
    npy
  ]);
  return readNpy(new Uint8Array(fs.readFileSync(npy)));
}

describe('parity inputs', () => {
  beforeAll(() => fs.mkdirSync(OUT, { recursive: true }));

  it('writes the generated notebooks', () => {
    const record = fixtureRecord();
    fs.writeFileSync(
      path.join(OUT, 'record.json'),
      JSON.stringify(record, null, 1)
    );
    for (const style of ['core', 'numpy'] as const) {
      const cells = generateCells(record, { style });
      fs.writeFileSync(
        path.join(OUT, `parity-${style}.ipynb`),
        JSON.stringify(toNotebookJSON(cells), null, 1)
      );
    }
  });

  it('writes the z-plane case: a bundled 2D model on one plane of a stack', async () => {
    const record = zPlaneRecord();
    fs.writeFileSync(
      path.join(OUT, 'parity-zplane-core.ipynb'),
      JSON.stringify(
        toNotebookJSON(generateCells(record, { style: 'core' })),
        null,
        1
      )
    );
    const stack = readTiff(STACK);
    expect(stack.shape).toEqual([31, 61, 57]);
    const plane = stack.shape[1] * stack.shape[2];
    const input = {
      ...stack,
      shape: [1, 1, stack.shape[1], stack.shape[2]],
      data: stack.data.slice(Z * plane, (Z + 1) * plane)
    };
    const session = await createOrtSession(
      new Uint8Array(fs.readFileSync(path.join(BUNDLED_SEG, 'weights.onnx'))),
      { backend: 'wasm' }
    );
    try {
      const out = await predict(bundledSegModel(), session, [input], {});
      const y = out.get(record.model.outputId)!;
      expect(y.shape.slice(-2)).toEqual([61, 57]);
      fs.writeFileSync(path.join(OUT, 'ts_prediction_zplane.npy'), writeNpy(y));
    } finally {
      await session.release();
    }
  });

  it('writes the rescaled case: the image resampled to the model grid and back', async () => {
    const record: IRunRecord = {
      ...zPlaneRecord(),
      image: {
        path: IMAGE,
        axes: 'YX',
        channels: null,
        rescale: { height: 256, width: 256 }
      },
      metrics: { requested: [], values: {} }
    };
    fs.writeFileSync(
      path.join(OUT, 'parity-rescale-core.ipynb'),
      JSON.stringify(
        toNotebookJSON(generateCells(record, { style: 'core' })),
        null,
        1
      )
    );
    const image = readTiff(IMAGE);
    const small = resizeYX(image, ['y', 'x'], 256, 256);
    const input = { ...small, shape: [1, 1, 256, 256] };
    const session = await createOrtSession(
      new Uint8Array(fs.readFileSync(path.join(BUNDLED_SEG, 'weights.onnx'))),
      { backend: 'wasm' }
    );
    try {
      const out = await predict(bundledSegModel(), session, [input], {});
      const y = out.get(record.model.outputId)!;
      const back = resizeYX(y, ['b', 'c', 'y', 'x'], 512, 512);
      expect(back.shape).toEqual([1, 2, 512, 512]);
      fs.writeFileSync(
        path.join(OUT, 'ts_prediction_rescale.npy'),
        writeNpy(back)
      );
    } finally {
      await session.release();
    }
  });

  it('writes the TypeScript prediction for the same run', async () => {
    const record = fixtureRecord();
    const model = fixtureModel();
    const image = readTiff(IMAGE);
    expect(image.shape).toEqual([512, 512]);
    const input = { ...image, shape: [1, 1, ...image.shape] };
    const session = await createOrtSession(
      new Uint8Array(fs.readFileSync(path.join(UNET_DIR, 'weights.onnx'))),
      { backend: 'wasm' }
    );
    try {
      const out = await predict(model, session, [input], {
        tiling: { blockShape: record.tiling!.blockShape }
      });
      const y = out.get(record.model.outputId)!;
      expect(y.shape).toEqual([1, 1, 512, 512]);
      fs.writeFileSync(path.join(OUT, 'ts_prediction.npy'), writeNpy(y));
    } finally {
      await session.release();
    }
  });

  /**
   * The browser side of the measured comparison, computed here by the
   * browser's own code: labels (instanceLabels), metrics (StarDist matching)
   * and the prediction summary go into the run record; the kernel must find
   * the same and say so in the Methods (tests/test_codegen_parity.py).
   */
  it.each([
    ['cc', 'connected_components', 'numpy'],
    ['watershed', 'watershed', 'core']
  ] as const)(
    'writes the measured-comparison notebook: %s',
    async (tag, method, style) => {
      const bundled = method === 'watershed';
      const model = bundled ? bundledSegModel() : fixtureModel();
      const base = fixtureRecord();
      const record: IRunRecord = {
        ...base,
        model: bundled
          ? runRecordModel(model, 'bundled:bioimage-nuclei-seg/rdf.yaml')
          : base.model,
        tiling: null,
        postprocessing: {
          channel: 0,
          threshold: 0.5,
          minSize: 12,
          instanceMethod: method
        }
      };
      const image = readTiff(IMAGE);
      const truth = readTiff(MASK);
      const session = await createOrtSession(
        new Uint8Array(
          fs.readFileSync(
            path.join(bundled ? BUNDLED_SEG : UNET_DIR, 'weights.onnx')
          )
        ),
        { backend: 'wasm' }
      );
      let y: INDArray;
      try {
        const out = await predict(
          model,
          session,
          [{ ...image, shape: [1, 1, ...image.shape] }],
          {}
        );
        y = out.get(record.model.outputId)!;
      } finally {
        await session.release();
      }
      const axes = record.model.outputAxes;
      const plane = (c: number) =>
        fixAxes({ array: y, axes }, { channel: c }).array;
      const probability = plane(0);
      const labels = instanceLabels(probability, {
        threshold: 0.5,
        minSize: 12,
        method,
        boundary: bundled ? plane(1) : null
      });
      const m = segmentationMetrics(truth, labels);
      const values: Record<string, number> = { ...m.values };
      for (const row of m.matching) {
        values[`ap_iou${Math.round(row.thresh * 100)}`] = row.accuracy;
      }
      let max = 0;
      for (const v of labels.data as Int32Array) {
        max = Math.max(max, v);
      }
      const p = probability.data as Float32Array;
      let sum = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of p) {
        sum += v;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const d = labels.data as Int32Array;
      const browser: IBrowserSummary = {
        objectCount: max,
        labelsSha256: createHash('sha256')
          .update(Buffer.from(d.buffer, d.byteOffset, d.byteLength))
          .digest('hex'),
        prediction: { min: lo, max: hi, mean: sum / p.length }
      };
      const withBrowser = {
        ...record,
        metrics: { ...record.metrics, values },
        browser
      } as IRunRecord;
      fs.writeFileSync(
        path.join(OUT, `compare-${tag}.json`),
        JSON.stringify({ values, browser }, null, 1)
      );
      fs.writeFileSync(
        path.join(OUT, `parity-compare-${tag}.ipynb`),
        JSON.stringify(
          toNotebookJSON(generateCells(withBrowser, { style })),
          null,
          1
        )
      );
      expect(max).toBeGreaterThan(10);
    }
  );
});
