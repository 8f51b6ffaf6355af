/**
 * The run controller on the real pipeline: the bundled nuclei model on the
 * stardist image, in-process (only the worker transport is replaced). The
 * result equals the core pipeline called directly; the labels follow the
 * post-processing choices; saving writes TIFFs that read back as the
 * result; Cancel stops a tiled run with a CancelledError.
 * Needs NODE_OPTIONS=--experimental-vm-modules (onnxruntime-web's wasm).
 */
import { fixAxes, instanceLabels } from '../../../core/analysis/arrays';
import { decodeImage } from '../../../core/formats';
import { CancelledError } from '../../../core/inference/requests';
import { readNpy, writeNpy } from '../../../core/tensor/npy';
import { initialState } from '../../state';
import { WizardSession } from '../wizard-session';
import {
  DirectModel,
  maxAbsDiff,
  nodeServices,
  NUCLEI_SEG
} from './node-services';

// geotiff's remote-source helpers are ESM-only and unused here (see
// core/formats/__tests__/decode.node.spec.ts).
jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));
jest.setTimeout(300000);

async function sessionOnImage(imagePath = 'img2d.tif', root?: string) {
  const parts = await nodeServices([NUCLEI_SEG], root);
  const session = new WizardSession(parts.services, initialState(imagePath));
  await session.loadImage();
  expect(session.activity.error).toBeNull();
  session.chooseModel(parts.catalog.keyOf(NUCLEI_SEG));
  return { ...parts, session };
}

describe('the run controller', () => {
  let direct: DirectModel;
  beforeAll(async () => {
    direct = await DirectModel.open(NUCLEI_SEG);
  });
  afterAll(() => direct.release());

  it('predicts what the core pipeline predicts, labels it and shows it', async () => {
    const { session, overlays } = await sessionOnImage();
    let emitted = 0;
    session.runner.runChanged.connect(() => emitted++);
    await session.runner.run();
    expect(session.activity.error).toBeNull();
    const result = session.runner.result!;
    expect(emitted).toBe(1);

    const image = session.choice.image!;
    const expected = (await direct.predict(image.array, image.axes)).get(
      'probabilities'
    )!;
    expect(result.output.axes).toEqual(expected.axes);
    expect(maxAbsDiff(result.output.array, expected.array)).toBeLessThan(1e-5);
    // Channel 0 (foreground) is the probability the labels come from.
    const foreground = fixAxes(expected, { c: 0 }).array;
    expect(result.probability.shape).toEqual([512, 512]);
    expect(maxAbsDiff(result.probability, foreground)).toBeLessThan(1e-5);
    const labels = instanceLabels(result.probability, {
      threshold: 0.5,
      minSize: 0,
      method: 'connected_components'
    });
    expect(result.labels!.data).toEqual(labels.data);
    const max = (labels.data as Int32Array).reduce((a, b) => Math.max(a, b), 0);
    expect(result.objectCount).toBe(max);
    expect(max).toBeGreaterThan(10);
    expect(overlays.map(o => [o.name, o.kind])).toEqual([
      ['probabilities', 'heatmap'],
      ['labels', 'labels']
    ]);
    expect(overlays[1].array).toBe(result.labels);

    // A post-processing change derives the labels again from the same prediction.
    session.update({ threshold: 0.8, minSize: 20 });
    expect(emitted).toBe(2);
    expect(session.runner.result!.labels!.data).toEqual(
      instanceLabels(foreground, {
        threshold: 0.8,
        minSize: 20,
        method: 'connected_components'
      }).data
    );
    // An input change drops the result.
    session.update({ percentiles: { min: 1, max: 99 } });
    expect(session.runner.result).toBeNull();
    expect(emitted).toBe(3);
    session.dispose();
  });

  it('saves TIFFs that read back as the result', async () => {
    const { session, files } = await sessionOnImage();
    await session.runner.run();
    const result = session.runner.result!;
    const paths = await session.runner.saveResult();
    expect(paths).toEqual(['img2d_probabilities.tif', 'img2d_labels.tif']);
    const probability = await decodeImage(
      files.written.get(paths[0])!,
      paths[0]
    );
    expect(probability.array.shape).toEqual([512, 512]);
    expect(maxAbsDiff(probability.array, result.probability)).toBe(0);
    const labels = await decodeImage(files.written.get(paths[1])!, paths[1]);
    expect(Array.from(labels.array.data as ArrayLike<number>)).toEqual(
      Array.from(result.labels!.data as Int32Array)
    );
    session.dispose();
  });

  it("reproduces the model's own test output", async () => {
    // The model's test input, as a 2D image file.
    const pkg = direct.pkg;
    const input = await pkg.readTensor(pkg.model.inputs[0].testTensor!);
    const expected = await pkg.readTensor(pkg.model.outputs[0].testTensor!);
    const [, , h, w] = input.shape;
    const parts = await nodeServices([NUCLEI_SEG]);
    parts.files.written.set(
      'test_input.npy',
      writeNpy({ dtype: input.dtype, shape: [h, w], data: input.data })
    );
    const session = new WizardSession(
      parts.services,
      initialState('test_input.npy')
    );
    await session.loadImage();
    session.chooseModel(parts.catalog.keyOf(NUCLEI_SEG));
    await session.runner.run();
    expect(session.activity.error).toBeNull();
    const out = session.runner.result!.output;
    expect(out.array.shape).toEqual(expected.shape.slice(1));
    const reference = readNpy(
      await parts.catalog.fetcher.read(
        session.choice.entry!.location,
        pkg.model.outputs[0].testTensor!.source
      )
    );
    expect(
      maxAbsDiff(out.array, { ...reference, shape: reference.shape.slice(1) })
    ).toBeLessThan(1e-4);
    session.dispose();
  });

  it('stops a tiled run on Cancel: the request rejects with CancelledError', async () => {
    const { session, client } = await sessionOnImage();
    session.update({ tile: 64 });
    const progress: number[] = [];
    client.progress.connect((_, p) => {
      progress.push(p.done);
      if (p.done === 1) {
        session.cancel();
      }
    });
    await session.runner.run();
    const request = client.requests[client.requests.length - 1];
    await expect(request.result).rejects.toBeInstanceOf(CancelledError);
    expect(progress).toEqual([1]);
    expect(session.runner.result).toBeNull();
    expect(session.activity.error).toBe(
      'Running the model: cancelled; nothing was changed.'
    );
    expect(session.activity.busy).toBe('');
    session.dispose();
  });
});
