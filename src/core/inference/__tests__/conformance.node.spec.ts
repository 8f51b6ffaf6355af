/**
 * The processing conformance corpus (tests/conformance/processing.v1.json,
 * expected values from bioimageio.core; see make_processing_cases.py there)
 * through the browser's processing: 0.4 steps through the description
 * reader's converter (spec/v04/processing.ts), then runPreprocessing /
 * runPostprocessing. The same cases run through the kernel and core in
 * tests/conformance/test_processing_conformance.py.
 *
 * Tolerance: |actual − expected| ≤ atol + rtol·|expected| (rtol = atol =
 * 1e-6, from the corpus); integer and bool results exactly; dtypes exactly
 * where the spec fixes them (`exact_dtype`).
 */
import type { ITensor } from '../../tensor/tensor';
import { runPostprocessing, runPreprocessing } from '../processing';
import {
  corpus,
  type ICase,
  materialize,
  sha256,
  steps05
} from './conformance-corpus';
import { axis, descr, model } from './helpers';

const { rtol, atol } = corpus.tolerance;

function run(c: ICase, tensors: Map<string, ITensor>): ITensor {
  const d = descr(
    c.target,
    c.axes.map(a => axis(a, { kind: 'any' })),
    steps05(c)
  );
  if (c.stage === 'pre') {
    return runPreprocessing(model([d], []), tensors).get(c.target)!;
  }
  const outputs = new Map([[c.target, tensors.get(c.target)!]]);
  const others = new Map(tensors);
  others.delete(c.target);
  return runPostprocessing(model([], [d]), outputs, others).get(c.target)!;
}

/** Indices (and a few examples) where `actual` breaks the tolerance. */
function mismatches(actual: ITensor, c: ICase): string[] {
  const exp = c.expected.data.map(Number);
  const data = actual.data as ArrayLike<number | bigint>;
  const exact = !c.expected.dtype.startsWith('float');
  const bad: string[] = [];
  for (let i = 0; i < exp.length; i++) {
    const a = Number(data[i]);
    const e = exp[i];
    const ok = exact
      ? a === e
      : Math.abs(a - e) <= atol + rtol * Math.abs(e) ||
        (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) {
      bad.push(`[${i}] ${a} vs ${e}`);
    }
  }
  return bad;
}

describe('processing conformance corpus (browser)', () => {
  it('is version 1 with every op', () => {
    expect(corpus.version).toBe(1);
    expect(corpus.cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.cases.map(c => c.op))).toEqual(
      new Set([
        'binarize',
        'clip',
        'scale_linear',
        'sigmoid',
        'softmax',
        'zero_mean_unit_variance',
        'fixed_zero_mean_unit_variance',
        'scale_range',
        'scale_mean_variance',
        'ensure_dtype',
        'chain'
      ])
    );
  });

  it.each(corpus.cases.map(c => [c.name, c] as [string, ICase]))(
    '%s',
    (_name, c) => {
      const tensors = new Map<string, ITensor>();
      for (const [id, spec] of Object.entries(c.tensors)) {
        const t = materialize(spec, c.axes);
        // Same bytes as NumPy built from the same spec.
        expect(sha256(t)).toBe(spec.sha256);
        tensors.set(id, t);
      }
      const input = tensors.get(c.target)!;
      const before = sha256(input);
      const out = run(c, tensors);
      expect(out.shape).toEqual(c.expected.shape);
      expect(out.axes).toEqual(c.axes);
      if (c.exact_dtype) {
        expect(out.dtype).toBe(c.expected.dtype);
      }
      expect(mismatches(out, c).slice(0, 5)).toEqual([]);
      // The caller's tensor is never modified.
      expect(sha256(input)).toBe(before);
    }
  );
});
