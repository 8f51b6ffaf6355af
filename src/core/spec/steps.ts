/**
 * Pre-/postprocessing steps in their 0.5 form: which ids are valid where and
 * the implicit `ensure_dtype` steps (digest 6.1), and the one reader of
 * processing lists, which both formats use through a small per-format table
 * ({@link IStepFormat}: 0.5 here, 0.4 in v04/processing.ts). Kwargs are
 * checked afterwards in step-kwargs.ts on the unified form, so both families
 * get the same checks.
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
 * How one format writes its processing lists: the table the one list reader
 * ({@link readSteps}) works from. 0.5 lists `{id, kwargs}` in the unified form
 * ({@link STEPS_05}); 0.4 lists `{name, kwargs}` with axis letters, converted
 * per step (v04/processing.ts `steps04`).
 */
export interface IStepFormat {
  /** The field naming a step: `id` (0.5) or `name` (0.4). */
  key: 'id' | 'name';
  /** The names valid in each stage. */
  valid: Record<Stage, readonly string[]>;
  /** How messages introduce the valid names, e.g. `valid here`. */
  validLabel: string;
  /**
   * The step in the unified form, from a valid name and its kwargs (explicit
   * nulls dropped); undefined when it cannot be converted (problems logged).
   */
  convert(
    name: string,
    kwargs: RawMap,
    path: string,
    log: IssueLog
  ): IProcessingStep | undefined;
}

/** 0.5 lists: `{id, kwargs}` entries, already in the unified form. */
export const STEPS_05: IStepFormat = {
  key: 'id',
  valid: PROCESSING_IDS_05,
  validLabel: 'valid here',
  convert: (id, kwargs) => ({ id: id as ProcessingId, kwargs })
};

/**
 * Read a processing list written as `format` says. Entries that are not
 * mappings, have no valid name for `stage` or non-mapping kwargs are logged
 * and skipped; the remaining steps are returned with their paths.
 */
export function readSteps(
  value: unknown,
  stage: Stage,
  path: string,
  log: IssueLog,
  format: IStepFormat
): Array<{ step: IProcessingStep; path: string }> {
  const { key, valid } = format;
  const shape = `{${key}, kwargs}`;
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    log.error(path, `expected a list of ${shape}, got ${typeName(value)}`);
    return [];
  }
  const out: Array<{ step: IProcessingStep; path: string }> = [];
  value.forEach((entry, i) => {
    const p = `${path}[${i}]`;
    if (!isMap(entry)) {
      log.error(p, `expected a mapping ${shape}, got ${typeName(entry)}`);
      return;
    }
    const name = entry[key];
    if (typeof name !== 'string') {
      log.error(
        field(p, key),
        isAbsent(name)
          ? 'missing required field'
          : `expected a string, got ${typeName(name)}`
      );
      return;
    }
    if (!valid[stage].includes(name)) {
      const other = stage === 'pre' ? 'post' : 'pre';
      const where = valid[other].includes(name)
        ? `'${name}' is only valid in ${other}processing`
        : `unknown ${stage}processing ${key} '${name}'`;
      log.error(
        field(p, key),
        `${where}; ${format.validLabel}: ${valid[stage].join(', ')}`
      );
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
    const step = format.convert(name, dropNulls(kwargs ?? {}), p, log);
    if (step) {
      out.push({ step, path: p });
    }
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
