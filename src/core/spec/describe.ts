/**
 * Plain-words sentences for processing steps, for the CLI `inspect` command
 * and the model card. They must say *what statistics over which axes* are
 * used, because that is where wrong usage of a model usually comes from.
 */
import type { IProcessingStep, ITensorDescr } from './types';

/** "a", "a and b", "a, b and c". */
function joinWords(words: string[]): string {
  if (words.length <= 1) {
    return words.join('');
  }
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Short number text: 0.00392156862745098 → 0.003922, 39216.046875 → 39216.047. */
function num(value: unknown): string {
  if (typeof value === 'number') {
    // Large values (raw intensities) keep their integer part; small ones 4 significant digits.
    return String(
      Math.abs(value) >= 1
        ? Number(value.toFixed(3))
        : Number(value.toPrecision(4))
    );
  }
  if (Array.isArray(value)) {
    return `[${value.map(num).join(', ')}]`;
  }
  return String(value);
}

/** 1 → 1st, 99.8 → 99.8th. */
function ordinal(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value);
  const suffix = Number.isInteger(n)
    ? ({ 1: 'st', 2: 'nd', 3: 'rd' }[(n % 10) as 1] ?? 'th')
    : 'th';
  const teen = Number.isInteger(n) && n % 100 >= 11 && n % 100 <= 13;
  return `${num(n)}${teen ? 'th' : suffix}`;
}

/** "over x and y (per sample, per channel)" for statistics reduced over `axes`. */
function scope(axes: unknown, tensor: ITensorDescr): string {
  if (!Array.isArray(axes)) {
    return 'over the whole tensor (all axes jointly)';
  }
  const ids = axes.map(String);
  const reduced = ids.filter(a => a !== 'batch');
  const kept = tensor.axes
    .filter(a => a.type !== 'batch' && !ids.includes(a.id))
    .map(a => `per ${a.id}`);
  const parts = [
    ids.includes('batch') ? 'over the whole dataset' : 'per sample',
    ...kept
  ];
  return `over ${joinWords(reduced) || 'the batch'} (${parts.join(', ')})`;
}

/** "per channel" suffix for values given along an axis. */
function along(kwargs: Record<string, unknown>): string {
  return typeof kwargs.axis === 'string'
    ? ` (one value per ${kwargs.axis})`
    : '';
}

/**
 * One sentence describing what a processing step does to `tensor`, e.g.
 * "each image is scaled to zero mean and unit variance over x and y (per sample, per channel)".
 */
export function describeProcessing(
  step: IProcessingStep,
  tensor: ITensorDescr
): string {
  const kw = step.kwargs;
  switch (step.id) {
    case 'ensure_dtype':
      return `values are converted to ${String(kw.dtype)}`;
    case 'binarize':
      return `values above ${num(kw.threshold)} become 1, all others 0${along(kw)}`;
    case 'clip': {
      const lo =
        kw.min_percentile !== undefined
          ? `the ${ordinal(kw.min_percentile)} percentile`
          : kw.min !== undefined
            ? num(kw.min)
            : undefined;
      const hi =
        kw.max_percentile !== undefined
          ? `the ${ordinal(kw.max_percentile)} percentile`
          : kw.max !== undefined
            ? num(kw.max)
            : undefined;
      const percentiles =
        kw.min_percentile !== undefined || kw.max_percentile !== undefined;
      const where = percentiles
        ? `, percentiles taken ${scope(kw.axes, tensor)}`
        : '';
      if (lo !== undefined && hi !== undefined) {
        return `values are clipped to the range from ${lo} to ${hi}${where}`;
      }
      return lo !== undefined
        ? `values below ${lo} are raised to it${where}`
        : `values above ${hi} are lowered to it${where}`;
    }
    case 'scale_linear': {
      const gain = kw.gain ?? 1;
      const offset = kw.offset ?? 0;
      const parts = [];
      if (gain !== 1) {
        parts.push(`multiplied by ${num(gain)}`);
      }
      if (offset !== 0) {
        parts.push(`shifted by ${num(offset)}`);
      }
      return `values are ${joinWords(parts) || 'left unchanged'}${along(kw)}`;
    }
    case 'sigmoid':
      return 'a sigmoid squashes values into the range 0 to 1';
    case 'softmax':
      return `a softmax along ${String(kw.axis ?? 'channel')} turns values into probabilities that sum to 1`;
    case 'zero_mean_unit_variance':
      return `each image is scaled to zero mean and unit variance ${scope(kw.axes, tensor)}`;
    case 'fixed_zero_mean_unit_variance':
      return `values are normalised with a fixed mean of ${num(kw.mean)} and standard deviation of ${num(kw.std)}${along(kw)}: (value - mean) / std`;
    case 'scale_range': {
      const lo = kw.min_percentile ?? 0;
      const hi = kw.max_percentile ?? 100;
      const ref =
        typeof kw.reference_tensor === 'string'
          ? `, percentiles taken from tensor '${kw.reference_tensor}'`
          : '';
      return `values are scaled so that the ${ordinal(lo)} percentile becomes 0 and the ${ordinal(hi)} percentile becomes 1, ${scope(kw.axes, tensor)}${ref}; values outside are not clipped`;
    }
    case 'scale_mean_variance':
      return `values are rescaled to match the mean and standard deviation of tensor '${String(kw.reference_tensor)}', ${scope(kw.axes, tensor)}`;
  }
}
