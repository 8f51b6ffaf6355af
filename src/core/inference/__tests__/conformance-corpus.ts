/**
 * The processing conformance corpus (tests/conformance/processing.v1.json,
 * expected values from bioimageio.core; see make_processing_cases.py there),
 * read for the jest specs that run it: its cases, their inputs rebuilt bit
 * for bit from the seeded generators, and their steps in the unified (0.5)
 * form (0.4 steps through the description reader's own converter).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { IProcessingStep } from '../../spec/types';
import { IssueLog } from '../../spec/errors';
import { readSteps } from '../../spec/steps';
import { steps04 } from '../../spec/v04/processing';
import type { DType, ITensor } from '../../tensor/tensor';
import { makeTensor } from './helpers';

export interface IInputSpec {
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

export interface IRawStep {
  id?: string;
  name?: string;
  kwargs?: Record<string, unknown>;
}

export interface ICase {
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

export interface ICorpus {
  version: number;
  tolerance: { rtol: number; atol: number };
  cases: ICase[];
}

export const ROOT = path.resolve(__dirname, '../../../..');
export const corpus = JSON.parse(
  fs.readFileSync(
    path.join(ROOT, 'tests', 'conformance', 'processing.v1.json'),
    'utf8'
  )
) as ICorpus;

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

export function materialize(spec: IInputSpec, axes: string[]): ITensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  return makeTensor(axes, spec.shape, values(spec, n), spec.dtype);
}

export function sha256(t: ITensor): string {
  const d = t.data as unknown as ArrayBufferView;
  return createHash('sha256')
    .update(Buffer.from(d.buffer, d.byteOffset, d.byteLength))
    .digest('hex');
}

/** The case's steps in the unified (0.5) form the browser runs. */
export function steps05(c: ICase): IProcessingStep[] {
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
  const converted = readSteps(c.steps, c.stage, 'steps', log, steps04(letters));
  if (log.errors.length) {
    throw new Error(
      `0.4 conversion: ${log.errors.map(e => `${e.path}: ${e.message}`).join('; ')}`
    );
  }
  return converted.map(s => s.step);
}
