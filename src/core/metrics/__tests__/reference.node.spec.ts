/**
 * Agreement with the reference libraries on fixture crops: the inputs and
 * expected values in tests/metrics_reference/ come from make_reference.py
 * (scikit-image 0.26 and a port of StarDist 0.9.1's matching). Counts must be
 * equal, ratios within 1e-6.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { readNpy } from '../../tensor/npy';
import { INDArray } from '../../tensor/tensor';
import {
  IMatchingStats,
  MatchingCriterion,
  aggregateMatching,
  connectedComponents,
  matching,
  nrmse,
  pixelOverlap,
  psnr,
  removeSmallObjects,
  ssim,
  ssimMap
} from '..';

const DIR = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'tests',
  'metrics_reference'
);
const load = (name: string): INDArray =>
  readNpy(new Uint8Array(readFileSync(join(DIR, `${name}.npy`))));

/** One StarDist result as make_reference.py writes it (snake_case). */
interface IRefMatching {
  [key: string]: number | string | number[][];
  matched_tp_pairs: number[][];
  matched_scores_sum: number;
}

interface ILabelSummary {
  labels: number[];
  sizes: number[];
  first_index: number[];
  checksum: number;
  checksum2: number;
}

type RefRestoration = Record<string, number>;

const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as {
  thresholds: number[];
  [key: string]: unknown;
};

const FIELD_MAP: Array<[keyof IMatchingStats, string]> = [
  ['fp', 'fp'],
  ['tp', 'tp'],
  ['fn', 'fn'],
  ['nTrue', 'n_true'],
  ['nPred', 'n_pred'],
  ['precision', 'precision'],
  ['recall', 'recall'],
  ['accuracy', 'accuracy'],
  ['f1', 'f1'],
  ['meanTrueScore', 'mean_true_score'],
  ['meanMatchedScore', 'mean_matched_score'],
  ['panopticQuality', 'panoptic_quality']
];
const COUNTS = new Set(['fp', 'tp', 'fn', 'nTrue', 'nPred']);

function compareStats(
  got: IMatchingStats,
  want: Record<string, unknown>
): void {
  expect(got.thresh).toBeCloseTo(want.thresh as number, 12);
  for (const [ts, py] of FIELD_MAP) {
    const g = got[ts] as number;
    const w = want[py] as number;
    if (COUNTS.has(ts)) {
      expect([ts, g]).toEqual([ts, w]);
    } else {
      expect([ts, Math.abs(g - w) <= 1e-6]).toEqual([ts, true]);
    }
  }
}

/** Same fingerprint as make_reference.py's label_summary. */
function summary(lab: INDArray): ILabelSummary {
  const v = lab.data as Int32Array;
  const sizes = new Map<number, number>();
  const first = new Map<number, number>();
  let checksum = 0;
  let checksum2 = 0;
  for (let i = 0; i < v.length; i++) {
    const l = v[i];
    checksum += l * (i + 1);
    checksum2 += l * l * (i + 1);
    if (l !== 0) {
      sizes.set(l, (sizes.get(l) ?? 0) + 1);
      if (!first.has(l)) {
        first.set(l, i);
      }
    }
  }
  const labels = [...sizes.keys()].sort((a, b) => a - b);
  return {
    labels,
    sizes: labels.map(l => sizes.get(l) as number),
    first_index: labels.map(l => first.get(l) as number),
    checksum,
    checksum2
  };
}

describe.each(['2d', '3d'])('reference %s', d => {
  const gt = load(`gt${d}`);
  const pred = load(`pred${d}`);

  it('pixel IoU and Dice', () => {
    const want = ref[`pixel_${d}`] as Record<string, number>;
    const got = pixelOverlap(gt, pred);
    expect([got.intersection, got.union]).toEqual([
      want.intersection,
      want.union
    ]);
    expect(got.iou).toBeCloseTo(want.iou, 12);
    expect(got.dice).toBeCloseTo(want.dice, 12);
  });

  it.each(['iou', 'iot', 'iop'] as MatchingCriterion[])(
    'matching, criterion %s',
    criterion => {
      const key =
        criterion === 'iou' ? `matching_${d}` : `matching_${d}_${criterion}`;
      const want = ref[key] as IRefMatching[];
      const got = matching(gt, pred, {
        thresholds: want.map(w => w.thresh as number),
        criterion,
        reportMatches: true
      });
      got.forEach((g, k) => {
        compareStats(g, want[k]);
        const tpPairs = (g.matchedTps ?? [])
          .map(t => (g.matchedPairs ?? [])[t])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        // Pairs with IoU > 0.5 are unique (an object cannot have two), so the TP pairs must agree there.
        if (criterion === 'iou' && g.thresh > 0.5) {
          expect(tpPairs).toEqual(want[k].matched_tp_pairs);
        }
        const scoreSum = (g.matchedScores ?? []).reduce((a, b) => a + b, 0);
        expect(Math.abs(scoreSum - want[k].matched_scores_sum)).toBeLessThan(
          1e-6
        );
      });
    }
  );
});

describe('reference matching_dataset', () => {
  const per = ['2d', '3d'].map(d =>
    matching(load(`gt${d}`), load(`pred${d}`), { thresholds: ref.thresholds })
  );
  it.each([
    ['dataset_micro', false],
    ['dataset_macro', true]
  ] as Array<[string, boolean]>)('%s', (key, byImage) => {
    const want = ref[key] as Array<Record<string, unknown>>;
    aggregateMatching(per, byImage).forEach((g, k) => {
      compareStats(g, want[k]);
      expect(g.byImage).toBe(want[k].by_image);
    });
  });
});

describe.each(['2d', '3d'])('reference restoration %s', d => {
  const t = load(`restore${d}_true`);
  const x = load(`restore${d}_test`);
  const want = ref[`restoration_${d}`] as RefRestoration;
  const dataRange = want.data_range;
  const close = (got: number, w: number): void =>
    expect(Math.abs(got - w)).toBeLessThan(1e-6);

  it('PSNR and NRMSE', () => {
    close(psnr(t, x, dataRange), want.psnr);
    close(nrmse(t, x), want.nrmse_euclidean);
    close(nrmse(t, x, 'min-max'), want.nrmse_min_max);
    close(nrmse(t, x, 'mean'), want.nrmse_mean);
  });
  it('SSIM variants', () => {
    close(ssim(t, x, { dataRange }), want.ssim);
    close(ssim(t, x, { dataRange, winSize: 3 }), want.ssim_win3);
    close(
      ssim(t, x, {
        dataRange,
        gaussianWeights: true,
        sigma: 1.5,
        useSampleCovariance: false
      }),
      want.ssim_gaussian_pop
    );
    const map = ssimMap(t, x, { dataRange }).map.data as Float64Array;
    close(map.reduce((a, b) => a + b, 0) / map.length, want.ssim_full_map_mean);
  });
});

describe('reference connected components (skimage.measure.label)', () => {
  const cc = ref.connected_components as Record<string, ILabelSummary>;
  it.each(Object.keys(cc))('%s', key => {
    const [name, conn] = key.split('_conn');
    const got = connectedComponents(load(name), Number(conn));
    expect(got.count).toBe(cc[key].labels.length);
    expect(summary(got.labels)).toEqual(cc[key]);
  });
  it('remove_small_objects (min_size 3 = max_size 2)', () => {
    const lab = connectedComponents(load('cc2d'), 1).labels;
    expect(summary(removeSmallObjects(lab, 3))).toEqual(
      ref.remove_small_objects_cc2d_conn1_min3
    );
  });
});
