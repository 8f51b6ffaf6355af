/**
 * Pre-/postprocessing steps in their 0.5 form: which ids are valid where and
 * the implicit `ensure_dtype` steps (digest 6.1). Kwargs are checked in
 * description-processing-kwargs.ts; 0.4 steps are converted to this form
 * first (v04/processing.ts), so both families get the same checks.
 */
import { DTYPES, DType } from '../tensor/tensor';
import type { IProcessingStep } from './types';
import { field, IssueLog } from './errors';
import { isAbsent, isMap, RawMap, typeName } from './read';

/** Every processing id of the unified form. */
export type ProcessingId = IProcessingStep['id'];

/** Processing stage: preprocessing of an input or postprocessing of an output. */
export type Stage = 'pre' | 'post';

/** Ids valid in 0.5 (`scale_mean_variance` only makes sense after the network). */
export const PROCESSING_IDS_05: Record<Stage, ProcessingId[]> = {
  pre: [
    'binarize',
    'clip',
    'ensure_dtype',
    'fixed_zero_mean_unit_variance',
    'scale_linear',
    'scale_range',
    'sigmoid',
    'softmax',
    'zero_mean_unit_variance'
  ],
  post: [
    'binarize',
    'clip',
    'ensure_dtype',
    'fixed_zero_mean_unit_variance',
    'scale_linear',
    'scale_mean_variance',
    'scale_range',
    'sigmoid',
    'softmax',
    'zero_mean_unit_variance'
  ]
};

/** Element types `ensure_dtype` can cast to. */
export { DTYPES };

/**
 * Read a 0.5 processing list (`{id, kwargs}` entries). Unknown or misplaced
 * ids are logged; the remaining steps are returned with their paths.
 */
export function readSteps05(
  value: unknown,
  stage: Stage,
  path: string,
  log: IssueLog
): Array<{ step: IProcessingStep; path: string }> {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    log.error(path, `expected a list of {id, kwargs}, got ${typeName(value)}`);
    return [];
  }
  const out: Array<{ step: IProcessingStep; path: string }> = [];
  value.forEach((entry, i) => {
    const p = `${path}[${i}]`;
    if (!isMap(entry)) {
      log.error(p, `expected a mapping {id, kwargs}, got ${typeName(entry)}`);
      return;
    }
    const id = entry.id;
    if (typeof id !== 'string') {
      log.error(
        field(p, 'id'),
        isAbsent(id)
          ? 'missing required field'
          : `expected a string, got ${typeName(id)}`
      );
      return;
    }
    const allowed = PROCESSING_IDS_05[stage];
    if (!(allowed as string[]).includes(id)) {
      const other = stage === 'pre' ? 'post' : 'pre';
      const where = (PROCESSING_IDS_05[other] as string[]).includes(id)
        ? `'${id}' is only valid in ${other}processing`
        : `unknown ${stage}processing id '${id}'`;
      log.error(field(p, 'id'), `${where}; valid here: ${allowed.join(', ')}`);
      return;
    }
    const kwargs = entry.kwargs;
    if (kwargs !== undefined && kwargs !== null && !isMap(kwargs)) {
      log.error(
        field(p, 'kwargs'),
        `expected a mapping, got ${typeName(kwargs)}`
      );
      return;
    }
    out.push({
      step: { id: id as ProcessingId, kwargs: dropNulls(kwargs ?? {}) },
      path: p
    });
  });
  return out;
}

/** Explicit `null` kwargs mean "use the default". */
function dropNulls(kwargs: RawMap): RawMap {
  return Object.fromEntries(
    Object.entries(kwargs).filter(([, v]) => v !== null)
  );
}

/**
 * Insert the implicit `ensure_dtype` steps the spec adds when it loads a
 * description (digest 6.1): preprocessing starts with a cast to the input's
 * dtype and ends with one unless it already ends with ensure_dtype/binarize;
 * postprocessing ends the same way.
 */
export function withImplicitSteps(
  steps: IProcessingStep[],
  stage: Stage,
  dtype: DType
): IProcessingStep[] {
  const cast = (): IProcessingStep => ({
    id: 'ensure_dtype',
    kwargs: { dtype }
  });
  const out = [...steps];
  if (stage === 'pre' && (out.length === 0 || out[0].id !== 'ensure_dtype')) {
    out.unshift(cast());
  }
  const last = out[out.length - 1];
  if (!last || (last.id !== 'ensure_dtype' && last.id !== 'binarize')) {
    out.push(cast());
  }
  return out;
}
