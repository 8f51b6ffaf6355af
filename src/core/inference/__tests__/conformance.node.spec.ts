/**
 * The processing conformance corpus (tests/conformance/processing.v1.json,
 * expected values from bioimageio.core; see make_processing_cases.py there)
 * through the browser's processing: 0.4 steps through the description
 * reader's converter (spec/v04/processing.ts), then runPreprocessing /
 * runPostprocessing. The same cases run through the kernel and core in
 * tests/conformance/test_processing_conformance.py.
 *
 * Also writes tests/generated/conformance-codegen.json (git-ignored): the
 * NumPy lines the notebook generator writes for every case, which that
 * pytest executes in Python.
 *
 * Tolerance: |actual − expected| ≤ atol + rtol·|expected| (rtol = atol =
 * 1e-6, from the corpus); integer and bool results exactly; dtypes exactly
 * where the spec fixes them (`exact_dtype`).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { IProcessingStep } from '../../spec/types';
import { IssueLog } from '../../spec/errors';
import { convertSteps04 } from '../../spec/v04/processing';
import type { DType, ITensor } from '../../tensor/tensor';
import { runPostprocessing, runPreprocessing } from '../processing';
import { processingLines } from '../../../notebook/codegen/processing';
import { axis, descr, makeTensor, model } from './helpers';

interface IInputSpec {
  shape: number[];
  dtype: DType;
  sha256: string;
  data?: number[];
  seed?: number;
  distribution?: {
    kind: 'uniform' | 'normal' | 'integers';
    low?: number;
    high?: number;
    loc?: number;
    scale?: number;
  };
}

interface IRawStep {
  id?: string;
  name?: string;
  kwargs?: Record<string, unknown>;
}

interface ICase {
  name: string;
  op: string;
  format: '0.4' | '0.5';
  stage: 'pre' | 'post';
  axes: string[];
  tensors: Record<string, IInputSpec>;
  target: string;
  steps: IRawStep[];
  expected: { shape: number[]; dtype: DType; data: Array<number | boolean> };
  exact_dtype: boolean;
  expected_from: 'core' | 'hand';
  core: string;
  note?: string;
}

interface ICorpus {
  version: number;
  tolerance: { rtol: number; atol: number };
  cases: ICase[];
}

const ROOT = path.resolve(__dirname, '../../../..');
const corpus = JSON.parse(
  fs.readFileSync(
    path.join(ROOT, 'tests', 'conformance', 'processing.v1.json'),
    'utf8'
  )
) as ICorpus;
const { rtol, atol } = corpus.tolerance;

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

function values(spec: IInputSpec, n: number): number[] {
  if (spec.data) {
    return spec.data;
  }
  const d = spec.distribution!;
  const u = mulberry32(spec.seed!);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (d.kind === 'uniform') {
      out.push(d.low! + (d.high! - d.low!) * u());
    } else if (d.kind === 'normal') {
      let s = 0;
      for (let k = 0; k < 12; k++) {
        s += u();
      }
      out.push(d.loc! + d.scale! * (s - 6));
    } else {
      out.push(d.low! + Math.trunc(u() * (d.high! - d.low!)));
    }
  }
  return out;
}

function materialize(spec: IInputSpec, axes: string[]): ITensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  return makeTensor(axes, spec.shape, values(spec, n), spec.dtype);
}

function sha256(t: ITensor): string {
  const d = t.data as unknown as ArrayBufferView;
  return createHash('sha256')
    .update(Buffer.from(d.buffer, d.byteOffset, d.byteLength))
    .digest('hex');
}

/** The case's steps in the unified (0.5) form the browser runs. */
function steps05(c: ICase): IProcessingStep[] {
  if (c.format === '0.5') {
    return c.steps.map(
      s => ({ id: s.id, kwargs: s.kwargs ?? {} }) as IProcessingStep
    );
  }
  const log = new IssueLog();
  const letters = c.axes
    .map(
      a =>
        ({ batch: 'b', channel: 'c', time: 't', index: 'i' })[a] ??
        (a as string)
    )
    .join('');
  const converted = convertSteps04(c.steps, c.stage, letters, 'steps', log);
  if (log.errors.length) {
    throw new Error(
      `0.4 conversion: ${log.errors.map(e => `${e.path}: ${e.message}`).join('; ')}`
    );
  }
  return converted.map(s => s.step);
}

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

const codegen: Record<string, { lines?: string[]; error?: string }> = {};

afterAll(() => {
  // Only a complete run (not one filtered with -t) replaces the file.
  if (Object.keys(codegen).length !== corpus.cases.length) {
    return;
  }
  const out = path.join(ROOT, 'tests', 'generated');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'conformance-codegen.json'),
    JSON.stringify({ version: corpus.version, cases: codegen }, null, 1)
  );
});

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

  it.each(corpus.cases.map(c => [c.name, c] as [string, ICase]))(
    'notebook lines for %s',
    (_name, c) => {
      try {
        codegen[c.name] = {
          lines: processingLines(steps05(c), c.axes, 'raw')
        };
      } catch (e) {
        codegen[c.name] = { error: (e as Error).message };
      }
      expect(codegen[c.name].lines?.length ?? 0).toBeGreaterThan(0);
    }
  );
});
