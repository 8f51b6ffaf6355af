/**
 * The labels and metrics conformance corpora (tests/conformance/labels.v1.json,
 * metrics.v1.json; expected values from scikit-image and StarDist's matching
 * rules, see labels_make_cases.py there) through the browser's code:
 * `instanceLabels` (src/core/analysis/arrays.ts, which the wizard calls),
 * StarDist `matching`, `pixelOverlap` and `restorationMetrics`. The same
 * cases run through the kernel in tests/conformance/labels_conformance_test.py.
 *
 * Label images and object counts must agree exactly (sha256 of the int32
 * labels); floats within atol + rtol·|expected| (rtol 1e-6, atol 1e-9).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readNpy } from '../../tensor/npy';
import type { INDArray } from '../../tensor/tensor';
import { instanceLabels } from '../../analysis/arrays';
import { restorationMetrics } from '../../analysis/validation';
import type { InstanceMethod } from '../../record/run-record';
import { matching, pixelOverlap } from '..';

interface ISynthetic {
  name: string;
  shape: number[];
  seed: number;
  discs: number;
  rmin: number;
  rmax: number;
  noise: number;
  quantize?: number;
}

interface IMapInfo {
  synthetic?: ISynthetic;
  files?: string[];
  foreground_sha256: string;
  boundary_sha256: string | null;
  truth_sha256: string;
}

interface ILabelCase {
  name: string;
  map: string;
  method: InstanceMethod;
  boundary: boolean;
  threshold: number;
  min_size: number;
  expected: { sha256: string; count: number; pixels: number };
}

type LabelRef = { map: string } | { case: string } | { data: number[][] };

interface IMetricCase {
  name: string;
  kind: 'matching' | 'restoration';
  truth: LabelRef & { seed?: number; shape?: number[]; field?: string };
  pred?: LabelRef;
  test?: { map: string; field: string };
  expected: Record<string, any>;
}

const DIR = path.resolve(__dirname, '../../../../tests/conformance');
const labelsCorpus = JSON.parse(
  fs.readFileSync(path.join(DIR, 'labels.v1.json'), 'utf8')
) as { maps: Record<string, IMapInfo>; cases: ILabelCase[] };
const metricsCorpus = JSON.parse(
  fs.readFileSync(path.join(DIR, 'metrics.v1.json'), 'utf8')
) as {
  tolerance: { rtol: number; atol: number };
  thresholds: number[];
  cases: IMetricCase[];
};
const { rtol, atol } = metricsCorpus.tolerance;

/** mulberry32: uniform floats k / 2^32 in [0, 1), as corpus.py. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1) >>> 0;
    t = (t ^ ((t + Math.imul(t ^ (t >>> 7), t | 61)) >>> 0)) >>> 0;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface IMap {
  foreground: INDArray;
  boundary: INDArray | null;
  truth: INDArray;
}

/** labels_make_cases.synthetic, operation for operation. */
function synthetic(spec: ISynthetic): IMap {
  const { shape, noise } = spec;
  const u = mulberry32(spec.seed);
  const discs: Array<{ c: number[]; r: number }> = [];
  for (let k = 0; k < spec.discs; k++) {
    const c = shape.map(s => u() * s);
    const r = spec.rmin + u() * (spec.rmax - spec.rmin);
    discs.push({ c, r });
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const fg = new Float32Array(size);
  const bd = new Float32Array(size);
  const gt = new Int32Array(size);
  const q8 = spec.quantize ?? 0;
  const coords = new Array<number>(shape.length);
  for (let i = 0; i < size; i++) {
    let rest = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    let best = 0;
    let second = 0;
    let arg = 0;
    discs.forEach(({ c, r }, k) => {
      let d2 = 0;
      for (let d = 0; d < shape.length; d++) {
        d2 += (coords[d] - c[d]) * (coords[d] - c[d]);
      }
      const q = 1 - d2 / (r * r);
      if (q > best) {
        second = best;
        best = q;
        arg = k + 1;
      } else if (q > second) {
        second = q;
      }
    });
    best = Math.max(best, 0);
    second = Math.max(second, 0);
    let f = best * (1 - noise) + noise * u();
    let b = (1 - best) * 0.6 + second * 2 + noise * u();
    if (b > 1) {
      b = 1;
    }
    if (q8) {
      f = Math.floor(f * q8) / q8;
      b = Math.floor(b * q8) / q8;
    }
    fg[i] = f;
    bd[i] = b;
    gt[i] = best > 0.25 ? arg : 0;
  }
  return {
    foreground: { dtype: 'float32', shape: [...shape], data: fg },
    boundary: { dtype: 'float32', shape: [...shape], data: bd },
    truth: { dtype: 'int32', shape: [...shape], data: gt }
  };
}

function npy(name: string): INDArray {
  return readNpy(new Uint8Array(fs.readFileSync(path.join(DIR, name))));
}

/** Plane `k` of a (c, y, x) array. */
function plane(a: INDArray, k: number): INDArray {
  const n = a.shape[1] * a.shape[2];
  return {
    dtype: a.dtype,
    shape: a.shape.slice(1),
    data: (a.data as Float32Array).slice(k * n, (k + 1) * n)
  };
}

function loadMaps(): Record<string, IMap> {
  // The uint16 ground truth as int32, as the generator holds it.
  const raw = npy('labels_mask2d_crop.npy');
  const mask: INDArray = {
    dtype: 'int32',
    shape: raw.shape,
    data: Int32Array.from(raw.data as Uint16Array)
  };
  const nuclei = npy('labels_nuclei_seg_prob.npy');
  const maps: Record<string, IMap> = {
    nuclei_seg: {
      foreground: plane(nuclei, 0),
      boundary: plane(nuclei, 1),
      truth: mask
    },
    unet: {
      foreground: npy('labels_unet_prob.npy'),
      boundary: null,
      truth: mask
    }
  };
  for (const [name, info] of Object.entries(labelsCorpus.maps)) {
    if (info.synthetic) {
      maps[name] = synthetic(info.synthetic);
    }
  }
  return maps;
}

const MAPS = loadMaps();

/** sha256 of the little-endian bytes of a typed array (Node is little-endian). */
function sha256(a: INDArray | null): string | null {
  if (!a) {
    return null;
  }
  const d = a.data as unknown as ArrayBufferView;
  return createHash('sha256')
    .update(Buffer.from(d.buffer, d.byteOffset, d.byteLength))
    .digest('hex');
}

function labelsOf(c: ILabelCase): INDArray {
  const m = MAPS[c.map];
  return instanceLabels(m.foreground, {
    threshold: c.threshold,
    minSize: c.min_size,
    method: c.method,
    boundary: c.boundary ? m.boundary : null
  });
}

const byName = new Map(labelsCorpus.cases.map(c => [c.name, c]));

function labelRef(ref: LabelRef): INDArray {
  if ('data' in ref) {
    return {
      dtype: 'int32',
      shape: [ref.data.length, ref.data[0].length],
      data: Int32Array.from(ref.data.flat())
    };
  }
  if ('map' in ref) {
    return MAPS[ref.map].truth;
  }
  return labelsOf(byName.get(ref.case) as ILabelCase);
}

function close(actual: number, expected: number | null, what: string): void {
  if (expected === null) {
    if (!Number.isNaN(actual)) {
      throw new Error(`${what}: ${actual} where NaN (undefined) is expected`);
    }
    return;
  }
  if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) {
    throw new Error(`${what}: ${actual} != ${expected}`);
  }
}

describe('labels corpus: maps', () => {
  it.each(Object.keys(labelsCorpus.maps))(
    '%s materialises bit for bit',
    name => {
      const info = labelsCorpus.maps[name];
      expect(sha256(MAPS[name].foreground)).toBe(info.foreground_sha256);
      expect(sha256(MAPS[name].boundary)).toBe(info.boundary_sha256);
      expect(sha256(MAPS[name].truth)).toBe(info.truth_sha256);
    }
  );
});

describe('labels corpus: instanceLabels equals scikit-image', () => {
  it('has every method, real and synthetic maps', () => {
    const methods = new Set(labelsCorpus.cases.map(c => c.method));
    expect([...methods].sort()).toEqual([
      'connected_components',
      'none',
      'watershed'
    ]);
    expect(labelsCorpus.cases.length).toBeGreaterThanOrEqual(100);
  });
  it.each(labelsCorpus.cases.map(c => [c.name, c] as const))(
    '%s',
    (_name, c) => {
      const lab = labelsOf(c);
      expect(lab.dtype).toBe('int32');
      const data = lab.data as Int32Array;
      let max = 0;
      let pixels = 0;
      for (const v of data) {
        max = Math.max(max, v);
        pixels += v > 0 ? 1 : 0;
      }
      expect({ count: max, pixels, sha256: sha256(lab) }).toEqual(c.expected);
    }
  );
});

describe('metrics corpus: StarDist matching, IoU/Dice, PSNR/SSIM/NRMSE', () => {
  it.each(metricsCorpus.cases.map(c => [c.name, c] as const))(
    '%s',
    (_name, c) => {
      const e = c.expected;
      if (c.kind === 'restoration') {
        const image = (
          ref: {
            map?: string;
            field?: string;
            seed?: number;
            shape?: number[];
          },
          which: number
        ): INDArray => {
          if (ref.seed !== undefined) {
            const shape = ref.shape as number[];
            const n = shape[0] * shape[1];
            const u = mulberry32(ref.seed);
            const t = Float64Array.from({ length: n }, () => u());
            const noisy = Float64Array.from(t, v => v + (u() - 0.5) * 0.2);
            return { dtype: 'float64', shape, data: which ? noisy : t };
          }
          return (MAPS[ref.map as string] as any)[ref.field as string];
        };
        const truth = image(c.truth, 0);
        const test = image(c.test ?? c.truth, 1);
        const got = restorationMetrics(truth, test).values;
        for (const k of ['psnr', 'ssim', 'nrmse']) {
          close(got[k], e[k], k);
        }
        return;
      }
      const truth = labelRef(c.truth);
      const pred = labelRef(c.pred as LabelRef);
      const ov = pixelOverlap(truth, pred);
      close(ov.iou, e.iou, 'iou');
      close(ov.dice, e.dice, 'dice');
      const rows = matching(truth, pred, {
        thresholds: metricsCorpus.thresholds
      });
      rows.forEach((got, k) => {
        const want = e.matching[k];
        for (const f of ['tp', 'fp', 'fn'] as const) {
          expect([f, want.thresh, got[f]]).toEqual([f, want.thresh, want[f]]);
        }
        expect([got.nTrue, got.nPred]).toEqual([want.n_true, want.n_pred]);
        close(got.precision, want.precision, `precision@${want.thresh}`);
        close(got.recall, want.recall, `recall@${want.thresh}`);
        close(got.accuracy, want.accuracy, `accuracy@${want.thresh}`);
        close(got.f1, want.f1, `f1@${want.thresh}`);
        close(got.meanTrueScore, want.mean_true_score, 'mean_true_score');
        close(got.meanMatchedScore, want.mean_matched_score, 'mean_matched');
        close(got.panopticQuality, want.panoptic_quality, 'pq');
      });
    }
  );
});
