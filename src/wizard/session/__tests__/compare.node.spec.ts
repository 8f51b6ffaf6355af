/**
 * The compare controller on the two bundled models and the stardist image:
 * each candidate's stability is core's consistencyScore of its outputs on
 * the centre crop and 3 flips/rotations of it, de-augmented — computed here
 * independently with the core pipeline. Needs NODE_OPTIONS=--experimental-vm-modules.
 */
import { fixAxes } from '../../../core/analysis/arrays';
import { CROP_TRANSFORMS } from '../../../core/analysis/planes';
import {
  applyPlaneTransform,
  consistencyScore,
  invertPlaneTransform
} from '../../../core/metrics';
import type { INDArray } from '../../../core/tensor/tensor';
import { initialState } from '../../state';
import { WizardSession } from '../wizard-session';
import {
  DENOISE,
  DirectModel,
  maxAbsDiff,
  nodeServices,
  NUCLEI_SEG
} from './node-services';

jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));
jest.setTimeout(300000);

describe('the compare controller', () => {
  it('scores the stability of each runnable top model as core does', async () => {
    const { services, catalog } = await nodeServices([NUCLEI_SEG, DENOISE]);
    const session = new WizardSession(services, initialState('img2d.tif'));
    await session.loadImage();
    let emitted = 0;
    session.compare.compareChanged.connect(() => emitted++);
    // The defaults, as the Choose button: the top 3, a 256 × 256 crop.
    await session.compare.compareCandidates();
    expect(session.activity.error).toBeNull();
    expect(emitted).toBe(1);
    const previews = session.compare.comparison!;
    const runnable = session.choice.fits.filter(f => f.runnable);
    expect(previews.map(p => p.key)).toEqual(runnable.map(f => f.key));
    expect(previews.map(p => p.key).sort()).toEqual(
      [catalog.keyOf(NUCLEI_SEG), catalog.keyOf(DENOISE)].sort()
    );

    // The centre 256 × 256 crop, by hand.
    const full = session.choice.image!.array;
    const data = new Uint16Array(256 * 256);
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        data[y * 256 + x] = Number(full.data[(y + 128) * 512 + x + 128]);
      }
    }
    const crop: INDArray = { dtype: 'uint16', shape: [256, 256], data };
    for (const p of previews) {
      const folder = p.key === catalog.keyOf(NUCLEI_SEG) ? NUCLEI_SEG : DENOISE;
      const direct = await DirectModel.open(folder);
      const outputs: INDArray[] = [];
      for (const t of CROP_TRANSFORMS) {
        const out = [
          ...(await direct.predict(applyPlaneTransform(crop, t), 'YX')).values()
        ][0];
        const fixed: Record<string, number> = out.axes.includes('c')
          ? { c: 0 }
          : {};
        outputs.push(invertPlaneTransform(fixAxes(out, fixed).array, t));
      }
      await direct.release();
      const expected = consistencyScore(outputs, 0.5);
      expect(maxAbsDiff(p.input, crop)).toBe(0);
      expect(maxAbsDiff(p.output, outputs[0])).toBeLessThan(1e-5);
      const c = p.consistency;
      expect(c.meanPairwiseIoU).toBeGreaterThanOrEqual(0);
      expect(c.meanPairwiseIoU).toBeLessThanOrEqual(1);
      expect(c.meanPairwiseIoU).toBeCloseTo(expected.meanPairwiseIoU, 6);
      expect(c.meanStd).toBeCloseTo(expected.meanStd, 6);
      expect(p.segmentation).toBe(folder === NUCLEI_SEG);
    }
    session.dispose();
  });
});
