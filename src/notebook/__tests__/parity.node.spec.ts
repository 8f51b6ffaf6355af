/**
 * Writes the parity inputs for tests/test_codegen_parity.py: the generated
 * notebooks (both styles) for the fixture run, and our TypeScript
 * pipeline's prediction for the same run (onnxruntime-web in Node), into
 * tests/generated/ (git-ignored). `make test` runs jest before pytest.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readNpy, writeNpy } from '../../io/npy';
import { createOrtSession } from '../../runtime/ort-session';
import { predict } from '../../runtime/pipeline';
import { generateCells, toNotebookJSON } from '../codegen';
import { fixtureModel, fixtureRecord, IMAGE, UNET_DIR } from './fixture-record';

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
});
