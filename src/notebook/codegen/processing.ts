/**
 * Explicit NumPy lines for bioimage.io processing steps (the teaching
 * style). Statistics are taken from the stage's raw input (`ref`), as
 * bioimageio.core does; every value is written as a Python literal.
 *
 * The lines that fall back to `bia.apply_step` also pass the stage's raw
 * tensors as `references=RAW_TENSORS` and this tensor's id as
 * `tensor_id=TENSOR_ID` (the cells define both), so that `reference_tensor`
 * (scale_range, scale_mean_variance) finds the tensor it names.
 */
import { DTYPES as ALL_DTYPES } from '../../core/tensor/tensor';
import type { IProcessingStep } from '../../core/spec/types';
import { pyLiteral, pyNumber, pyStr, PyValue } from './python-literal';

const DTYPES = new Set<string>(ALL_DTYPES);

function num(v: unknown, fallback: number): string {
  return pyNumber(typeof v === 'number' ? v : fallback);
}

/** Tensor dimension indices reduced for statistics over `axes` (null: all). */
function reduceAxes(axes: string[], kw: Record<string, unknown>): string {
  const list = kw.axes;
  if (list === undefined || list === null) {
    return 'None';
  }
  if (!Array.isArray(list)) {
    throw new Error('processing axes must be a list');
  }
  const idx = list
    .filter(a => a !== 'batch' || axes.includes('batch'))
    .map(a => {
      const i = axes.indexOf(String(a));
      if (i < 0) {
        throw new Error(
          `processing axis ${JSON.stringify(a)} is not an axis of the tensor`
        );
      }
      return i;
    })
    .sort((a, b) => a - b);
  return `(${idx.join(', ')}${idx.length === 1 ? ',' : ''})`;
}

/** Names of the stage's raw tensors and of this tensor's id in the cells. */
export const RAW_TENSORS = 'RAW_TENSORS';
export const TENSOR_ID = 'TENSOR_ID';

/**
 * Python lines applying `steps` to variable `x` of a tensor with axis ids
 * `axes`; statistics come from `ref` (the stage's raw input) and, for
 * `reference_tensor`, from `RAW_TENSORS` (raw tensors by id).
 */
export function processingLines(
  steps: readonly IProcessingStep[],
  axes: string[],
  ref: string
): string[] {
  const lines: string[] = [];
  steps.forEach(step => {
    const kw = step.kwargs ?? {};
    switch (step.id) {
      case 'ensure_dtype': {
        const dt = String(kw.dtype);
        if (!DTYPES.has(dt)) {
          throw new Error(`ensure_dtype: unknown dtype ${JSON.stringify(dt)}`);
        }
        lines.push(`x = x.astype(np.${dt === 'bool' ? 'bool_' : dt})`);
        return;
      }
      case 'sigmoid':
        lines.push('x = 1.0 / (1.0 + np.exp(-x))  # sigmoid');
        return;
      case 'zero_mean_unit_variance': {
        const red = reduceAxes(axes, kw);
        lines.push(
          `# zero mean, unit variance: statistics of the raw tensor over axes ${red}`,
          `mean = ${ref}.astype(np.float64).mean(axis=${red}, keepdims=True)`,
          `std = ${ref}.astype(np.float64).std(axis=${red}, keepdims=True)  # population std`,
          `x = ((x - mean) / (std + ${num(kw.eps, 1e-6)})).astype(np.float32)`
        );
        return;
      }
      case 'scale_range': {
        if (kw.reference_tensor !== undefined && kw.reference_tensor !== null) {
          break; // generic helper below
        }
        const red = reduceAxes(axes, kw);
        lines.push(
          `# scale range: percentiles of the raw tensor over axes ${red}`,
          `lo = np.percentile(${ref}, ${num(kw.min_percentile, 0)}, axis=${red}, keepdims=True)`,
          `hi = np.percentile(${ref}, ${num(kw.max_percentile, 100)}, axis=${red}, keepdims=True)`,
          `x = ((x - lo) / (hi - lo + ${num(kw.eps, 1e-6)})).astype(np.float32)`
        );
        return;
      }
      case 'scale_linear':
        if (kw.axis === undefined || kw.axis === null) {
          lines.push(
            `x = x * ${num(kw.gain, 1)} + ${num(kw.offset, 0)}  # scale linear`
          );
          return;
        }
        break;
      case 'binarize':
        if (typeof kw.threshold === 'number') {
          lines.push(`x = x > ${num(kw.threshold, 0)}  # binarize`);
          return;
        }
        break;
      case 'clip':
        if (
          kw.min_percentile === undefined &&
          kw.max_percentile === undefined
        ) {
          lines.push(
            `x = np.clip(x, ${pyLiteral((kw.min ?? null) as PyValue)}, ${pyLiteral((kw.max ?? null) as PyValue)})`
          );
          return;
        }
        break;
      default:
        break;
    }
    // Less common forms: the same helper the batch run uses.
    lines.push(
      `x = bia.apply_step(x, ${pyStr(step.id)}, ${pyLiteral(kw as PyValue)}, axes=${pyLiteral(axes)}, reference=${ref},`,
      `                   references=${RAW_TENSORS}, tensor_id=${TENSOR_ID})`
    );
  });
  return lines;
}
