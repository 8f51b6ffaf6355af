/**
 * The validation controller on the bundled nuclei model, the stardist image
 * and its label mask: the model's own test passes and reaches the catalog;
 * IoU/Dice are a hand count of the foreground pixels and the F1 is core's
 * matching on the same arrays; the calibration is core's; the TTA score is
 * core's consistencyScore of the 8 de-augmented predictions computed here
 * independently. Needs NODE_OPTIONS=--experimental-vm-modules.
 */
import { fixAxes } from '../../../core/analysis/arrays';
import { calibrateThreshold } from '../../../core/analysis/validation';
import { decodeImage } from '../../../core/formats';
import {
  applyPlaneTransform,
  consistencyScore,
  D4_TRANSFORMS,
  disagreementMap,
  invertPlaneTransform,
  matching,
  pixelOverlap
} from '../../../core/metrics';
import type { INDArray } from '../../../core/tensor/tensor';
import { initialState } from '../../state';
import { WizardSession } from '../wizard-session';
import {
  DirectModel,
  FolderFiles,
  maxAbsDiff,
  nodeServices,
  NUCLEI_SEG,
  STARDIST
} from './node-services';

jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));
jest.setTimeout(300000);

async function session() {
  const parts = await nodeServices([NUCLEI_SEG]);
  const s = new WizardSession(parts.services, initialState('img2d.tif'));
  await s.loadImage();
  s.chooseModel(parts.catalog.keyOf(NUCLEI_SEG));
  let emitted = 0;
  s.validation.validationChanged.connect(() => emitted++);
  return { ...parts, session: s, emitted: () => emitted };
}

describe('the validation controller', () => {
  it("runs the model's own test and records it in the catalog", async () => {
    const { session: s, catalog, emitted } = await session();
    await s.validation.testModel();
    expect(s.activity.error).toBeNull();
    const report = s.validation.testReport!;
    expect(report.passed).toBe(true);
    const worst = Math.max(...report.outputs.map(o => o.maxAbsDiff));
    expect(worst).toBeLessThan(1e-3);
    expect(catalog.testStatus(catalog.keyOf(NUCLEI_SEG))).toEqual({
      passed: true,
      maxAbsDiff: worst,
      backend: report.backend,
      milliseconds: report.milliseconds
    });
    expect(emitted()).toBe(1);
    // Another model drops the report.
    s.update({ modelKey: 'another' });
    expect(s.validation.testReport).toBeNull();
    expect(emitted()).toBe(2);
    s.dispose();
  });

  it('computes metrics and a calibration against the ground truth', async () => {
    const { session: s, emitted } = await session();
    await s.runner.run();
    s.update({ groundTruthPath: 'mask2d.tif' });
    await s.validation.evaluate();
    expect(s.activity.error).toBeNull();
    const metrics = s.validation.metrics!;
    expect(metrics.kind).toBe('segmentation');

    const gt = (
      await decodeImage(
        await new FolderFiles(STARDIST).readFileBytes('mask2d.tif'),
        'mask2d.tif'
      )
    ).array;
    const labels = s.runner.result!.labels!;
    // IoU and Dice of the foregrounds, counted by hand.
    let both = 0;
    let inGt = 0;
    let inPred = 0;
    for (let i = 0; i < gt.data.length; i++) {
      const a = Number(gt.data[i]) > 0;
      const b = Number(labels.data[i]) > 0;
      both += a && b ? 1 : 0;
      inGt += a ? 1 : 0;
      inPred += b ? 1 : 0;
    }
    const iou = both / (inGt + inPred - both);
    const dice = (2 * both) / (inGt + inPred);
    expect(metrics.values.iou).toBeCloseTo(iou, 12);
    expect(metrics.values.dice).toBeCloseTo(dice, 12);
    expect(pixelOverlap(gt, labels).iou).toBeCloseTo(iou, 12);
    expect(iou).toBeGreaterThan(0.5);
    expect(metrics.values.f1_iou50).toBe(
      matching(gt, labels, { thresholds: [0.5] })[0].f1
    );

    await s.validation.calibrate();
    const calibration = s.validation.calibration!;
    expect(calibration).toEqual(
      calibrateThreshold(
        [{ probability: s.runner.result!.probability, groundTruth: gt }],
        { minSize: 0, method: 'connected_components', boundaries: [null] }
      )
    );
    // At the threshold of the run, the calibration's F1 is the metrics' F1.
    const atHalf = calibration.points.find(
      p => Math.abs(p.threshold - 0.5) < 1e-9
    )!;
    expect(atHalf.f1).toBeCloseTo(metrics.matching[0].f1, 12);
    expect(emitted()).toBe(2);

    // New labels drop the metrics (not the calibration); another ground truth drops both.
    s.update({ threshold: 0.6 });
    expect(s.validation.metrics).toBeNull();
    expect(s.validation.calibration).not.toBeNull();
    expect(emitted()).toBe(3);
    s.update({ groundTruthPath: 'other.tif' });
    expect(s.validation.calibration).toBeNull();
    expect(emitted()).toBe(4);
    s.dispose();
  });

  it('scores test-time augmentation as core does on independent predictions', async () => {
    const { session: s, overlays } = await session();
    await s.validation.runTta();
    expect(s.activity.error).toBeNull();
    const tta = s.validation.tta!;

    const direct = await DirectModel.open(NUCLEI_SEG);
    const image = s.choice.image!.array;
    const preds: INDArray[] = [];
    for (const t of D4_TRANSFORMS) {
      const out = (
        await direct.predict(applyPlaneTransform(image, t), 'YX')
      ).get('probabilities')!;
      preds.push(invertPlaneTransform(fixAxes(out, { c: 0 }).array, t));
    }
    await direct.release();
    const expected = consistencyScore(preds, 0.5);
    expect(tta.meanPairwiseIoU).toBeGreaterThanOrEqual(0);
    expect(tta.meanPairwiseIoU).toBeLessThanOrEqual(1);
    expect(tta.meanPairwiseIoU).toBeCloseTo(expected.meanPairwiseIoU, 6);
    expect(tta.meanStd).toBeCloseTo(expected.meanStd, 6);
    expect(tta.maxStd).toBeCloseTo(expected.maxStd, 5);
    const map = overlays.find(o => o.name === 'TTA disagreement')!;
    expect(map.kind).toBe('heatmap');
    expect(maxAbsDiff(map.array, disagreementMap(preds))).toBeLessThan(1e-5);
    // Changing what the model is fed drops the score.
    s.update({ percentiles: { min: 1, max: 99 } });
    expect(s.validation.tta).toBeNull();
    s.dispose();
  });
});
