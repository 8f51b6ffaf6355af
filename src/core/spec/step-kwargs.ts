/**
 * Kwargs validation of processing steps in their 0.5 form (digest 6.3):
 * required arguments, value ranges, axes and reference tensors that exist.
 */
import type { IAxis } from './types';
import { field, IssueLog } from './errors';
import { asNumber, typeName } from './read';
import type { FormatFamily } from './common';
import { DTYPES, ProcessingId, Stage } from './steps';
import type { IProcessingStep } from './types';

/** Kwargs keys each op understands (others only warn). */
const KNOWN_KWARGS: Record<ProcessingId, string[]> = {
  binarize: ['threshold', 'axis'],
  clip: ['min', 'max', 'min_percentile', 'max_percentile', 'axes'],
  ensure_dtype: ['dtype'],
  fixed_zero_mean_unit_variance: ['mean', 'std', 'axis'],
  scale_linear: ['gain', 'offset', 'axis'],
  scale_mean_variance: ['reference_tensor', 'axes', 'eps'],
  scale_range: [
    'axes',
    'min_percentile',
    'max_percentile',
    'eps',
    'reference_tensor'
  ],
  sigmoid: [],
  softmax: ['axis'],
  zero_mean_unit_variance: ['axes', 'eps']
};

/** What a step is checked against. */
export interface IProcessingContext {
  family: FormatFamily;
  stage: Stage;
  tensorId: string;
  axes: IAxis[];
  inputIds: string[];
  outputIds: string[];
}

/** Check one step's kwargs against the tensor and model. */
export function validateStep(
  step: IProcessingStep,
  ctx: IProcessingContext,
  path: string,
  log: IssueLog
): void {
  const kw = step.kwargs;
  const kp = (key: string): string => field(field(path, 'kwargs'), key);
  const axisIds = ctx.axes.map(a => a.id);
  for (const key of Object.keys(kw)) {
    if (!KNOWN_KWARGS[step.id].includes(key)) {
      log.warn(kp(key), `unknown argument of ${step.id}; ignored`);
    }
  }
  const checkAxes = (): void => {
    const axes = kw.axes;
    if (axes === undefined) {
      return;
    }
    if (!Array.isArray(axes) || axes.some(a => typeof a !== 'string')) {
      log.error(
        kp('axes'),
        `expected a list of axis ids, got ${typeName(axes)}`
      );
      return;
    }
    for (const a of axes as string[]) {
      if (!axisIds.includes(a)) {
        log.error(
          kp('axes'),
          `axis '${a}' is not an axis of tensor '${ctx.tensorId}' (axes: ${axisIds.join(', ')})`
        );
      }
    }
  };
  const checkAxis = (
    required: boolean,
    fallback?: string
  ): IAxis | undefined => {
    const id = kw.axis ?? fallback;
    if (id === undefined) {
      if (required) {
        log.error(
          kp('axis'),
          'missing; needed when the values are given as lists'
        );
      }
      return undefined;
    }
    const axis = ctx.axes.find(a => a.id === id);
    if (typeof id !== 'string' || !axis) {
      log.error(
        kp('axis'),
        `'${String(id)}' is not an axis of tensor '${ctx.tensorId}' (axes: ${axisIds.join(', ')})`
      );
      return undefined;
    }
    if (axis.type === 'batch') {
      log.error(kp('axis'), 'values cannot vary along the batch axis');
    }
    return axis;
  };
  /** A number or (with an axis) a list of numbers matching the axis length. */
  const checkValues = (
    key: string,
    axis: IAxis | undefined,
    opts = {}
  ): number | undefined => {
    const v = kw[key];
    if (Array.isArray(v)) {
      v.forEach((x, i) => asNumber(log, x, `${kp(key)}[${i}]`, opts));
      if (axis && axis.size.kind === 'fixed' && v.length !== axis.size.value) {
        // The reference does not compare the lengths; running the step fails.
        log.warn(
          kp(key),
          `has ${v.length} values but axis '${axis.id}' has ${axis.size.value} entries; give one value per entry`
        );
      }
      return v.length;
    }
    if (v !== undefined) {
      asNumber(log, v, kp(key), opts);
    }
    return undefined;
  };
  const checkEps = (): void => {
    if (kw.eps !== undefined) {
      asNumber(log, kw.eps, kp('eps'), { above: 0, max: 0.1 });
    }
  };
  const checkReference = (required: boolean): void => {
    const ref = kw.reference_tensor;
    if (ref === undefined) {
      if (required) {
        log.error(kp('reference_tensor'), 'missing required argument');
      }
      return;
    }
    // 0.4 only allows inputs; 0.5 outputs may also reference outputs.
    const valid =
      ctx.stage === 'post' && ctx.family === '0.5'
        ? [...ctx.inputIds, ...ctx.outputIds]
        : ctx.inputIds;
    if (typeof ref !== 'string' || !valid.includes(ref)) {
      log.error(
        kp('reference_tensor'),
        `'${String(ref)}' is not a valid reference tensor; valid: ${valid.join(', ')}`
      );
    }
  };
  const checkPercentiles = (): void => {
    const lo = kw.min_percentile;
    const hi = kw.max_percentile;
    const loOk =
      lo === undefined ||
      asNumber(log, lo, kp('min_percentile'), { min: 0, below: 100 }) !==
        undefined;
    // Percentiles are 0..100; a max of 1 or less almost surely is a fraction by mistake.
    const hiOk =
      hi === undefined ||
      asNumber(log, hi, kp('max_percentile'), { above: 1, max: 100 }) !==
        undefined;
    if (
      loOk &&
      hiOk &&
      typeof lo === 'number' &&
      typeof hi === 'number' &&
      lo >= hi
    ) {
      log.error(
        kp('min_percentile'),
        `must be smaller than max_percentile (${lo} >= ${hi})`
      );
    }
  };

  switch (step.id) {
    case 'binarize': {
      if (kw.threshold === undefined) {
        log.error(kp('threshold'), 'missing required argument');
      }
      const axis = Array.isArray(kw.threshold) ? checkAxis(true) : undefined;
      if (!Array.isArray(kw.threshold) && kw.axis !== undefined) {
        log.error(kp('axis'), 'only allowed with a list of thresholds');
      }
      checkValues('threshold', axis);
      break;
    }
    case 'clip': {
      const hasMin = kw.min !== undefined;
      const hasMax = kw.max !== undefined;
      const hasMinP = kw.min_percentile !== undefined;
      const hasMaxP = kw.max_percentile !== undefined;
      if (hasMin && hasMinP) {
        log.error(kp('min'), 'give either min or min_percentile, not both');
      }
      if (hasMax && hasMaxP) {
        log.error(kp('max'), 'give either max or max_percentile, not both');
      }
      if (!hasMin && !hasMax && !hasMinP && !hasMaxP) {
        log.error(
          field(path, 'kwargs'),
          'clip needs at least one bound (min, max, min_percentile or max_percentile)'
        );
      }
      const min = hasMin ? asNumber(log, kw.min, kp('min')) : undefined;
      const max = hasMax ? asNumber(log, kw.max, kp('max')) : undefined;
      if (min !== undefined && max !== undefined && min >= max) {
        log.error(kp('min'), `must be smaller than max (${min} >= ${max})`);
      }
      checkPercentiles();
      if (kw.axes !== undefined && !hasMinP && !hasMaxP) {
        log.error(
          kp('axes'),
          'only allowed together with min_percentile or max_percentile'
        );
      }
      checkAxes();
      break;
    }
    case 'ensure_dtype':
      if (kw.dtype === undefined) {
        log.error(kp('dtype'), 'missing required argument');
      } else if (!(DTYPES as unknown[]).includes(kw.dtype)) {
        log.error(
          kp('dtype'),
          `unknown data type ${typeName(kw.dtype)}; valid: ${DTYPES.join(', ')}`
        );
      }
      break;
    case 'fixed_zero_mean_unit_variance': {
      const lists = Array.isArray(kw.mean) || Array.isArray(kw.std);
      const axis = lists ? checkAxis(true) : undefined;
      if (!lists && kw.axis !== undefined) {
        log.error(kp('axis'), 'only allowed with lists of mean and std values');
      }
      for (const key of ['mean', 'std']) {
        if (kw[key] === undefined) {
          log.error(kp(key), 'missing required argument');
        }
      }
      const nMean = checkValues('mean', axis);
      const nStd = checkValues('std', axis, { min: 1e-6 });
      if (lists && nMean !== nStd) {
        log.error(
          kp('std'),
          `mean and std must both be lists of the same length (${nMean ?? 'scalar'} vs ${nStd ?? 'scalar'})`
        );
      }
      break;
    }
    case 'scale_linear': {
      const lists = Array.isArray(kw.gain) || Array.isArray(kw.offset);
      const axis = lists ? checkAxis(true) : undefined;
      if (!lists && kw.axis !== undefined) {
        log.error(kp('axis'), 'only allowed with a list of gains or offsets');
      }
      const nGain = checkValues('gain', axis);
      const nOffset = checkValues('offset', axis);
      if (nGain !== undefined && nOffset !== undefined && nGain !== nOffset) {
        log.warn(
          kp('offset'),
          `gain and offset lists differ in length (${nGain} vs ${nOffset}); give as many offsets as gains`
        );
      }
      if (!lists && (kw.gain ?? 1) === 1 && (kw.offset ?? 0) === 0) {
        log.error(
          field(path, 'kwargs'),
          'gain 1 and offset 0 do nothing; give a gain or an offset'
        );
      }
      break;
    }
    case 'scale_mean_variance':
      checkReference(true);
      checkAxes();
      checkEps();
      break;
    case 'scale_range':
      checkAxes();
      checkPercentiles();
      checkEps();
      checkReference(false);
      break;
    case 'sigmoid':
      break;
    case 'softmax':
      checkAxis(false, 'channel');
      break;
    case 'zero_mean_unit_variance':
      checkAxes();
      checkEps();
      break;
  }
}
