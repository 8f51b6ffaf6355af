/**
 * 0.4 processing steps (`{name, kwargs}` with axis letters and `mode`) →
 * the 0.5 form (`{id, kwargs}` with axis ids), following the spec's
 * converter (digest 3.5 and 6.2): the 0.4 table for the one list reader
 * (`readSteps` in spec/steps.ts). Kwargs validation that both families
 * share happens afterwards in spec/step-kwargs.ts.
 */
import type { IProcessingStep } from '../types';
import { letterToAxisId } from '../axis-ids';
import { field, IssueLog } from '../errors';
import { RawMap, typeName } from '../read';
import type { IStepFormat, Stage } from '../steps';

const NAMES_04: Record<Stage, string[]> = {
  pre: [
    'binarize',
    'clip',
    'scale_linear',
    'sigmoid',
    'zero_mean_unit_variance',
    'scale_range'
  ],
  post: [
    'binarize',
    'clip',
    'scale_linear',
    'sigmoid',
    'zero_mean_unit_variance',
    'scale_range',
    'scale_mean_variance'
  ]
};

/**
 * The 0.4 list format for a tensor with axis letters `letters`: `{name,
 * kwargs}` entries, each converted to the unified form (for
 * `readSteps` in spec/steps.ts).
 */
export function steps04(letters: string): IStepFormat {
  return {
    key: 'name',
    valid: NAMES_04,
    validLabel: 'valid in format 0.4',
    convert: (name, kwargs, path, log) =>
      convertOne(name, kwargs, letters, path, log)
  };
}

function convertOne(
  name: string,
  kw: RawMap,
  letters: string,
  path: string,
  log: IssueLog
): IProcessingStep | undefined {
  const kp = (key: string): string => field(field(path, 'kwargs'), key);
  const { mode, axes: axesLetters, ...rest } = kw;
  const axes = (): string[] | undefined =>
    readAxesLetters(axesLetters, letters, kp('axes'), log);
  const requireMode = (
    valid: string[],
    fallback?: string
  ): string | undefined => {
    const m = mode ?? fallback;
    if (m === undefined) {
      log.error(
        kp('mode'),
        `missing required argument; one of ${valid.join(', ')}`
      );
      return undefined;
    }
    if (typeof m !== 'string' || !valid.includes(m)) {
      log.error(
        kp('mode'),
        `invalid mode ${typeName(m)}; valid: ${valid.join(', ')}`
      );
      return undefined;
    }
    return m;
  };
  const requireAxes = (): string[] | undefined => {
    if (axesLetters === undefined) {
      log.error(
        kp('axes'),
        'missing required argument; the axes to compute statistics over, e.g. yx'
      );
      return undefined;
    }
    return axes();
  };
  /** per_dataset statistics reduce over the batch too; 0.5 expresses that by listing `batch`. */
  const withBatch = (
    ids: string[] | undefined,
    m: string | undefined
  ): string[] | undefined =>
    ids && m === 'per_dataset' ? ['batch', ...ids] : ids;

  switch (name) {
    case 'binarize':
    case 'clip':
    case 'sigmoid':
      if (name === 'clip') {
        for (const key of ['min', 'max']) {
          if (kw[key] === undefined) {
            log.error(
              kp(key),
              'missing required argument (format 0.4 needs both min and max)'
            );
          }
        }
      }
      return { id: name, kwargs: { ...kw } };
    case 'scale_linear': {
      const ids = axesLetters === undefined ? undefined : axes();
      const lists = Array.isArray(kw.gain) || Array.isArray(kw.offset);
      // Scalars broadcast the same way with or without axes, so only lists need the
      // (single) complement axis they run along.
      const out: RawMap = { ...rest };
      if (lists) {
        const axis = complementAxis(ids, letters, kp('axes'), log);
        if (axis) {
          out.axis = axis;
        }
      }
      return { id: 'scale_linear', kwargs: out };
    }
    case 'zero_mean_unit_variance': {
      const m = requireMode(['fixed', 'per_dataset', 'per_sample'], 'fixed');
      const ids = requireAxes();
      if (m === 'fixed') {
        for (const key of ['mean', 'std']) {
          if (kw[key] === undefined) {
            log.error(kp(key), 'missing required argument for mode fixed');
          }
        }
        // Core drops a custom 0.4 eps for fixed mode and uses 1e-6 (digest 6.3).
        const out: RawMap = { mean: kw.mean, std: kw.std };
        if (Array.isArray(kw.mean) || Array.isArray(kw.std)) {
          const axis = complementAxis(ids, letters, kp('axes'), log);
          if (axis) {
            out.axis = axis;
          }
          out.mean = Array.isArray(kw.mean) ? kw.mean : [kw.mean];
          out.std = Array.isArray(kw.std) ? kw.std : [kw.std];
        }
        return { id: 'fixed_zero_mean_unit_variance', kwargs: out };
      }
      for (const key of ['mean', 'std']) {
        if (kw[key] !== undefined) {
          log.error(kp(key), `only allowed with mode fixed, not ${String(m)}`);
        }
      }
      const out: RawMap = { axes: withBatch(ids, m) };
      if (kw.eps !== undefined) {
        out.eps = kw.eps;
      }
      return { id: 'zero_mean_unit_variance', kwargs: out };
    }
    case 'scale_range': {
      const m = requireMode(['per_dataset', 'per_sample']);
      const ids = requireAxes();
      // The spec's converter drops `mode` here; we keep its meaning (digest 6.2):
      // per_dataset statistics include the batch axis.
      return {
        id: 'scale_range',
        kwargs: { ...rest, axes: withBatch(ids, m) }
      };
    }
    case 'scale_mean_variance': {
      const m = requireMode(['per_dataset', 'per_sample']);
      let ids = axesLetters === undefined ? undefined : axes();
      if (ids === undefined && m === 'per_dataset') {
        ids = [...letters].filter(l => l !== 'b').map(letterToAxisId);
      }
      return {
        id: 'scale_mean_variance',
        kwargs: { ...rest, axes: withBatch(ids, m) }
      };
    }
  }
  return undefined;
}

/** `"yx"` (or `[y, x]`) → axis ids, checked against the tensor's letters. */
function readAxesLetters(
  value: unknown,
  letters: string,
  path: string,
  log: IssueLog
): string[] | undefined {
  const list = typeof value === 'string' ? [...value] : value;
  if (
    !Array.isArray(list) ||
    list.some(l => typeof l !== 'string' || l.length !== 1)
  ) {
    log.error(
      path,
      `expected axis letters such as "yx", got ${typeName(value)}`
    );
    return undefined;
  }
  let ok = true;
  for (const l of list as string[]) {
    if (l === 'b') {
      log.error(
        path,
        "the batch axis 'b' cannot be listed; use mode: per_dataset to include it"
      );
      ok = false;
    } else if (!letters.includes(l)) {
      log.error(
        path,
        `'${l}' is not an axis of this tensor (axes: ${letters})`
      );
      ok = false;
    }
  }
  return ok ? (list as string[]).map(letterToAxisId) : undefined;
}

/** The single non-batch axis not in `ids` (lists of values run along it). */
function complementAxis(
  ids: string[] | undefined,
  letters: string,
  path: string,
  log: IssueLog
): string | undefined {
  if (ids === undefined) {
    log.error(path, 'needed to tell which axis the lists of values run along');
    return undefined;
  }
  const rest = [...letters]
    .map(letterToAxisId)
    .filter(id => id !== 'batch' && !ids.includes(id));
  if (rest.length !== 1) {
    log.error(
      path,
      `lists of values need exactly one axis left out of axes, got ${rest.length ? rest.join(', ') : 'none'}`
    );
    return undefined;
  }
  return rest[0];
}
