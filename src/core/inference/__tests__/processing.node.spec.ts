/**
 * Every processing op against NumPy reference values from
 * reference/make_reference.py (regenerate with the repo's .venv python).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IProcessingStep } from '../../spec/types';
import { runPostprocessing, runPreprocessing } from '../processing';
import { meanStd, percentileOf } from '../processing/statistics';
import type { DType, ITensor } from '../../tensor/tensor';
import { axis, descr, makeTensor, maxAbsDiff, model } from './helpers';

interface IJsonTensor {
  axes: string[];
  shape: number[];
  dtype: string;
  data: Array<number | boolean>;
}

interface ICase {
  name: string;
  stage: 'pre' | 'post';
  tensors: Record<string, IJsonTensor>;
  target: string;
  steps: IProcessingStep[];
  expected: IJsonTensor;
}

const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'reference', 'processing.json'), 'utf8')
) as { cases: ICase[] };

function fromJson(t: IJsonTensor): ITensor {
  return makeTensor(t.axes, t.shape, t.data, t.dtype as DType);
}

function run(c: ICase): ITensor {
  const tensors = new Map<string, ITensor>();
  for (const [id, t] of Object.entries(c.tensors)) {
    tensors.set(id, fromJson(t));
  }
  const target = c.tensors[c.target];
  const d = descr(
    c.target,
    target.axes.map(a => axis(a, { kind: 'any' })),
    c.steps
  );
  if (c.stage === 'pre') {
    const m = model([d], []);
    return runPreprocessing(m, tensors).get(c.target)!;
  }
  const outputs = new Map([[c.target, tensors.get(c.target)!]]);
  tensors.delete(c.target);
  return runPostprocessing(model([], [d]), outputs, tensors).get(c.target)!;
}

describe('processing ops vs NumPy reference', () => {
  it('has the reference cases', () => {
    expect(reference.cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(reference.cases.map(c => [c.name, c] as [string, ICase]))(
    '%s',
    (_name, c) => {
      const input = fromJson(c.tensors[c.target]);
      const before = Array.from(input.data as ArrayLike<number>);
      const out = run(c);
      expect(out.shape).toEqual(c.expected.shape);
      expect(out.axes).toEqual(c.expected.axes);
      if (['bool', 'uint8', 'int16'].includes(c.expected.dtype)) {
        expect(out.dtype).toBe(c.expected.dtype);
      }
      const expected = c.expected.data.map(Number);
      expect(maxAbsDiff(out.data as ArrayLike<number>, expected)).toBeLessThan(
        1e-5
      );
      // The caller's tensor is never modified.
      expect(Array.from(input.data as ArrayLike<number>)).toEqual(before);
    }
  );
});

describe('statistics helpers', () => {
  it('linear and inverted_cdf percentiles match NumPy definitions', () => {
    const v = [7, 1, 3, 9, 5];
    // sorted 1 3 5 7 9; linear q=0.3: h=1.2 -> 3 + 0.2*2 = 3.4
    expect(percentileOf(Float64Array.from(v), 0, 5, 0.3, 'linear')).toBeCloseTo(
      3.4,
      12
    );
    // inverted_cdf q=0.3: ceil(1.5)-1 = 1 -> 3
    expect(percentileOf(Float64Array.from(v), 0, 5, 0.3, 'inverted_cdf')).toBe(
      3
    );
    expect(percentileOf(Float64Array.from(v), 0, 5, 1, 'linear')).toBe(9);
    expect(percentileOf(Float64Array.from(v), 0, 5, 0, 'inverted_cdf')).toBe(1);
  });

  it('selects correctly on larger arrays with duplicates', () => {
    const n = 1001;
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = (i * 7919) % 97; // many duplicates, scrambled order
    }
    const sorted = Float64Array.from(a).sort();
    for (const q of [0, 0.013, 0.25, 0.5, 0.777, 0.998, 1]) {
      const h = (n - 1) * q;
      const k = Math.floor(h);
      const want =
        k + 1 < n
          ? sorted[k] + (h - k) * (sorted[k + 1] - sorted[k])
          : sorted[k];
      expect(percentileOf(Float64Array.from(a), 0, n, q, 'linear')).toBeCloseTo(
        want,
        10
      );
    }
  });

  it('uses float64 two-pass std (no cancellation at large offsets)', () => {
    const t = makeTensor(
      ['x'],
      [4],
      [1e8 + 1, 1e8 + 2, 1e8 + 3, 1e8 + 4],
      'float64'
    );
    const { mean, std } = meanStd(t, null);
    expect(mean.values[0]).toBe(1e8 + 2.5);
    expect(std.values[0]).toBeCloseTo(Math.sqrt(1.25), 10);
  });
});

describe('stage behaviour', () => {
  it('reports the op and tensor on bad kwargs', () => {
    const m = model(
      [
        descr(
          'raw',
          [axis('x', { kind: 'any' })],
          [{ id: 'binarize', kwargs: {} }]
        )
      ],
      []
    );
    const t = makeTensor(['x'], [2], [1, 2]);
    expect(() => runPreprocessing(m, new Map([['raw', t]]))).toThrow(
      /preprocessing of 'raw', step 1 \(binarize\).*threshold/
    );
  });

  it('passes through tensors without steps and ignores absent ones', () => {
    const m = model([descr('a', [axis('x', { kind: 'any' })])], []);
    const t = makeTensor(['x'], [2], [1, 2]);
    const out = runPreprocessing(m, new Map([['a', t]]));
    expect(out.get('a')).toBe(t);
  });

  it('postprocessing may reference an input (raw, before preprocessing)', () => {
    const inp = makeTensor(['x'], [4], [10, 20, 30, 40]);
    const out = makeTensor(['x'], [4], [0, 1, 2, 3]);
    const m = model(
      [descr('raw', [axis('x', { kind: 'any' })])],
      [
        descr(
          'out',
          [axis('x', { kind: 'any' })],
          [{ id: 'scale_range', kwargs: { reference_tensor: 'raw' } }]
        )
      ]
    );
    const res = runPostprocessing(
      m,
      new Map([['out', out]]),
      new Map([['raw', inp]])
    ).get('out')!;
    // (x - 10) / (40 - 10 + 1e-6)
    expect(Array.from(res.data as Float32Array)).toEqual(
      [0, 1, 2, 3].map(v => Math.fround((v - 10) / (30 + 1e-6)))
    );
  });
});
