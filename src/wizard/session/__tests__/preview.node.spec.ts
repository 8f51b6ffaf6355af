/**
 * The preview controller on the bundled nuclei model and the stardist
 * image: the normalised input and the model's normalised test input equal a
 * hand computation of its zero-mean-unit-variance step, the shift report is
 * core's on those arrays, and the crop preview equals the core pipeline on
 * the centre 256 × 256 crop. Needs NODE_OPTIONS=--experimental-vm-modules.
 */
import { instanceLabels, fixAxes } from '../../../core/analysis/arrays';
import { compareWithReference } from '../../../core/analysis/domain-shift';
import {
  middlePlane,
  modelPixelUm,
  sample
} from '../../../core/analysis/planes';
import type { INDArray, ITensor } from '../../../core/tensor/tensor';
import { initialState } from '../../state';
import { WizardSession } from '../wizard-session';
import {
  DirectModel,
  maxAbsDiff,
  nodeServices,
  NUCLEI_SEG
} from './node-services';

jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));
jest.setTimeout(300000);

/** zero_mean_unit_variance over the whole plane, by hand: (x − mean) / (std + 1e-6). */
function normalise(data: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
  }
  const mean = sum / data.length;
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    sq += (data[i] - mean) ** 2;
  }
  const std = Math.sqrt(sq / data.length);
  return Float32Array.from(data, v => (v - mean) / (std + 1e-6));
}

function asTensor(data: Float32Array, h: number, w: number): ITensor {
  return {
    dtype: 'float32',
    shape: [1, 1, h, w],
    axes: ['batch', 'channel', 'y', 'x'],
    data
  };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst;
}

describe('the preview controller', () => {
  it('shows the normalised input next to the normalised test input, with the shift report', async () => {
    const { services, catalog } = await nodeServices([NUCLEI_SEG]);
    const session = new WizardSession(services, initialState('img2d.tif'));
    await session.loadImage();
    session.chooseModel(catalog.keyOf(NUCLEI_SEG));
    let emitted = 0;
    session.preview.previewChanged.connect(() => emitted++);
    await session.preview.computePreview();
    expect(session.activity.error).toBeNull();
    const preview = session.preview.inputPreview!;
    expect(emitted).toBe(1);

    const image = session.choice.image!;
    expect(image.array.shape).toEqual([512, 512]);
    const user = normalise(image.array.data as ArrayLike<number>);
    // 262144 values, sampled every 2nd for the histogram.
    expect(preview.user.length).toBe(131072);
    expect(maxDiff(preview.user, sample(user))).toBeLessThan(1e-5);

    const direct = await DirectModel.open(NUCLEI_SEG);
    const test = await direct.pkg.readTensor(
      direct.pkg.model.inputs[0].testTensor!
    );
    await direct.release();
    const [, , h, w] = test.shape;
    const reference = normalise(test.data as ArrayLike<number>);
    expect(maxDiff(preview.reference!, sample(reference))).toBeLessThan(1e-5);

    expect(preview.shift).toEqual(
      compareWithReference({
        user: middlePlane(asTensor(user, 512, 512)),
        reference: middlePlane(asTensor(reference, h, w)),
        userPixelSizeUm: session.choice.summary!.pixelSizeUm?.x,
        modelPixelSizeUm: modelPixelUm(session.choice.model!),
        userDims: 2,
        modelDims: 2
      })
    );
    expect(preview.shift!.checks.length).toBe(4);

    // Changing what the model is fed drops the preview.
    session.update({ percentiles: { min: 1, max: 99 } });
    expect(session.preview.inputPreview).toBeNull();
    expect(emitted).toBe(2);
    // A post-processing change does not.
    await session.preview.computePreview();
    session.update({ threshold: 0.3 });
    expect(session.preview.inputPreview).not.toBeNull();
    expect(emitted).toBe(3);
    session.dispose();
  });

  it('runs the model on the centre crop as the core pipeline does', async () => {
    const { services, catalog } = await nodeServices([NUCLEI_SEG]);
    const session = new WizardSession(services, initialState('img2d.tif'));
    await session.loadImage();
    session.chooseModel(catalog.keyOf(NUCLEI_SEG));
    await session.preview.previewCrop(256);
    expect(session.activity.error).toBeNull();
    const crop = session.preview.cropPreview!;

    // The centre 256 × 256 of the 512 × 512 image, by hand.
    const full = session.choice.image!.array;
    const data = new Uint16Array(256 * 256);
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        data[y * 256 + x] = Number(full.data[(y + 128) * 512 + x + 128]);
      }
    }
    const expectedInput: INDArray = {
      dtype: 'uint16',
      shape: [256, 256],
      data
    };
    expect(maxAbsDiff(crop.input, expectedInput)).toBe(0);

    const direct = await DirectModel.open(NUCLEI_SEG);
    const out = (await direct.predict(expectedInput, 'YX')).get(
      'probabilities'
    )!;
    await direct.release();
    const foreground = fixAxes(out, { c: 0 }).array;
    expect(maxAbsDiff(crop.output, foreground)).toBeLessThan(1e-5);
    expect(crop.labels!.data).toEqual(
      instanceLabels(foreground, {
        threshold: 0.5,
        minSize: 0,
        method: 'connected_components'
      }).data
    );
    session.dispose();
  });
});
