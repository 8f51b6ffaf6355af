/**
 * Reproducibility tolerances for the model test (digest section 8): declared
 * 0.5 `config.bioimageio.reproducibility_tolerance`, the legacy
 * `config.bioimageio.test_kwargs`, and the defaults.
 */
import type { IModelDescription, ITolerance } from './types';
import { field, item, IssueLog } from './errors';
import { isMap, RawMap, readNumber, readStringList, typeName } from './read';

/** Tolerances applied when comparing one output with its test tensor. */
export interface IToleranceValues {
  rtol: number;
  atol: number;
  /** Mismatched elements per million that still count as a pass (with a warning). */
  mismatchedPerMillion: number;
}

const DEFAULT_RTOL = 1e-3;
const DEFAULT_ATOL = 1e-3;
const DEFAULT_MISMATCHED_PPM_05 = 100;

/**
 * Read declared tolerances from `config.bioimageio`.
 *
 * The legacy `test_kwargs.<format>` entries are appended after the 0.5 list
 * so that "first matching entry wins" gives the 0.5 list priority, as core does.
 */
export function readTolerances(
  config: RawMap,
  family: '0.4' | '0.5',
  log: IssueLog
): ITolerance[] {
  const bioimageio = config.bioimageio;
  if (!isMap(bioimageio)) {
    return [];
  }
  const base = 'config.bioimageio';
  // 0.4 models never allow mismatches (core), whatever test_kwargs says about rtol/atol.
  const defaultPpm = family === '0.4' ? 0 : DEFAULT_MISMATCHED_PPM_05;
  const out: ITolerance[] = [];
  const declared = bioimageio.reproducibility_tolerance;
  if (family === '0.5' && declared !== undefined && declared !== null) {
    const path = field(base, 'reproducibility_tolerance');
    if (!Array.isArray(declared)) {
      log.error(path, `expected a list, got ${typeName(declared)}`);
    } else {
      declared.forEach((entry, i) => {
        const p = item(path, i);
        if (!isMap(entry)) {
          log.error(p, `expected a mapping, got ${typeName(entry)}`);
          return;
        }
        out.push({
          relativeTolerance:
            readNumber(log, entry, 'relative_tolerance', p, {
              min: 0,
              max: 0.01
            }) ?? DEFAULT_RTOL,
          absoluteTolerance:
            readNumber(log, entry, 'absolute_tolerance', p, { min: 0 }) ??
            DEFAULT_ATOL,
          mismatchedElementsPerMillion:
            readNumber(log, entry, 'mismatched_elements_per_million', p, {
              integer: true,
              min: 0,
              max: 1000
            }) ?? defaultPpm,
          outputIds: readStringList(log, entry, 'output_ids', p),
          weightsFormats: readStringList(log, entry, 'weights_formats', p)
        });
      });
    }
  }
  const legacy = bioimageio.test_kwargs;
  if (isMap(legacy)) {
    // Legacy test_kwargs live in the free-form config, which the reference
    // does not check: numbers written as strings are read, and anything
    // else unusable is a warning (the defaults apply), never an error.
    const outer = log;
    const legacyLog = new IssueLog();
    log = legacyLog;
    for (const [format, rawKwargs] of Object.entries(legacy)) {
      if (!isMap(rawKwargs)) {
        continue;
      }
      const kwargs = Object.fromEntries(
        Object.entries(rawKwargs).map(([k, v]) => [
          k,
          typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))
            ? Number(v)
            : v
        ])
      );
      const p = field(field(base, 'test_kwargs'), format);
      // Older tooling wrote numpy's `decimal` (assert_array_almost_equal): the
      // check |actual - expected| < 1.5 * 10^-decimal, i.e. an absolute tolerance only.
      const decimal = readNumber(log, kwargs, 'decimal', p, {
        integer: true,
        min: 0
      });
      const fromDecimal =
        decimal === undefined ? undefined : 1.5 * 10 ** -decimal;
      out.push({
        relativeTolerance:
          readNumber(log, kwargs, 'relative_tolerance', p, { min: 0 }) ??
          (fromDecimal === undefined ? DEFAULT_RTOL : 0),
        absoluteTolerance:
          readNumber(log, kwargs, 'absolute_tolerance', p, { min: 0 }) ??
          fromDecimal ??
          DEFAULT_ATOL,
        mismatchedElementsPerMillion: defaultPpm,
        outputIds: [],
        weightsFormats: [format]
      });
    }
    for (const e of legacyLog.errors) {
      outer.warn(
        e.path,
        `${e.message}; ignored, the default tolerance applies`
      );
    }
    outer.warnings.push(...legacyLog.warnings);
  }
  return out;
}

/**
 * The tolerances to use when testing output `outputId` produced with
 * `weightsFormat`: the first declared entry that matches (an empty list of
 * outputs/formats matches all), else the defaults (0.4: no mismatches allowed).
 */
export function toleranceFor(
  model: IModelDescription,
  outputId: string,
  weightsFormat: string
): IToleranceValues {
  const match = model.tolerances.find(
    t =>
      (t.outputIds.length === 0 || t.outputIds.includes(outputId)) &&
      (t.weightsFormats.length === 0 ||
        t.weightsFormats.includes(weightsFormat))
  );
  if (match) {
    return {
      rtol: match.relativeTolerance,
      atol: match.absoluteTolerance,
      mismatchedPerMillion: match.mismatchedElementsPerMillion
    };
  }
  return {
    rtol: DEFAULT_RTOL,
    atol: DEFAULT_ATOL,
    mismatchedPerMillion:
      model.formatFamily === '0.4' ? 0 : DEFAULT_MISMATCHED_PPM_05
  };
}
