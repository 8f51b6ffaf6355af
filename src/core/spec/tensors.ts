/**
 * The tensor lists of a model description, as both formats read them: the
 * list reader (each format brings its own tensor reader), the uniqueness of
 * tensor ids across inputs and outputs, and the last processing pass
 * (validate every step, add the implicit ensure_dtype steps).
 */
import type { ITensorDescr } from './types';
import { field, item, IssueLog } from './errors';
import { RawMap, readList } from './read';
import { withImplicitSteps } from './steps';
import { validateStep } from './step-kwargs';
import type { IParsedTensor, TensorRole } from './v05/tensor';

/**
 * The `inputs` or `outputs` list (`key`) of `raw`, required and non-empty,
 * each entry read by the format's `readTensor`; unreadable entries are left
 * out (their problems are in `log`).
 */
export function readTensors<T>(
  raw: RawMap,
  key: string,
  role: TensorRole,
  log: IssueLog,
  readTensor: (
    entry: unknown,
    role: TensorRole,
    path: string,
    log: IssueLog
  ) => T | undefined
): T[] {
  const list =
    readList(log, raw, key, '', { required: true, nonEmpty: true }) ?? [];
  const out: T[] = [];
  list.forEach((entry, i) => {
    const t = readTensor(entry, role, item(key, i), log);
    if (t) {
      out.push(t);
    }
  });
  return out;
}

/** Tensor ids (0.4: names) must be unique across inputs and outputs. */
export function checkTensorIds(
  tensors: Array<{ tensor: ITensorDescr; path: string }>,
  log: IssueLog,
  key = 'id'
): void {
  const seen = new Map<string, string>();
  for (const { tensor, path } of tensors) {
    const first = seen.get(tensor.id);
    if (first !== undefined) {
      log.error(
        field(path, key),
        `duplicate tensor ${key} '${tensor.id}' (already used by ${first}); ${key}s must be unique across inputs and outputs`
      );
    } else {
      seen.set(tensor.id, path);
    }
  }
}

/**
 * Validate every explicit step against its tensor, then add the implicit
 * ensure_dtype steps. Shared by 0.4 (whose steps are converted while read) and 0.5.
 */
export function finishProcessing(
  inputs: IParsedTensor[],
  outputs: IParsedTensor[],
  family: '0.4' | '0.5',
  log: IssueLog
): void {
  const inputIds = inputs.map(t => t.tensor.id);
  const outputIds = outputs.map(t => t.tensor.id);
  for (const [list, stage] of [
    [inputs, 'pre'],
    [outputs, 'post']
  ] as const) {
    for (const { tensor, steps } of list) {
      const ctx = {
        family,
        stage,
        tensorId: tensor.id,
        axes: tensor.axes,
        inputIds,
        outputIds
      };
      steps.forEach(({ step, path }) => validateStep(step, ctx, path, log));
      tensor.processing = withImplicitSteps(
        steps.map(s => s.step),
        stage,
        tensor.data.type
      );
    }
  }
}
