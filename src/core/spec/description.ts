/**
 * Parse a bioimage.io description (YAML text) into the unified typed form.
 *
 * Models of format 0.4.x and 0.5.x (any patch number) are validated and
 * returned as {@link IModelDescription}; datasets, applications, notebooks
 * and collections come back as {@link IGenericDescription} ("not a model").
 *
 * The spec/ folder (this file is its entry): reading and validating
 * descriptions into the unified form of types.ts.
 * - read.ts, errors.ts: readers of raw YAML values and the issue log;
 * - common.ts: the metadata both formats share; weights.ts, tolerance.ts;
 * - tensors.ts: the tensor lists (one reader, each format's tensor reader)
 *   and the final processing pass;
 * - steps.ts: the one processing-list reader, driven by a per-format table
 *   (0.5 there, 0.4 in v04/processing.ts), and the implicit ensure_dtype
 *   steps; step-kwargs.ts: the kwargs checks on the unified form;
 * - v04/, v05/: what only one format has (0.4 axis letters and shapes,
 *   0.5 axes and data descriptions);
 * - axis-ids.ts: 0.4 axis letters ↔ axis ids (also used by inference);
 * - describe.ts: processing in plain words; yaml-repair.ts.
 * It imports only core/tensor and the `yaml` package: the package,
 * inference and UI layers import spec, never the other way round.
 */
import { parseDocument } from 'yaml';
import type { IGenericDescription, IModelDescription } from './types';
import { DescriptionError, IssueLog } from './errors';
import { isAbsent, isMap, RawMap, typeName } from './read';
import { parseModel04 } from './v04/model';
import { parseModel05 } from './v05/model';
import { indentQuotedContinuations } from './yaml-repair';
import { checkAgainstSchema } from './schema/check';
import { convertOlderFormat } from './schema/convert';
import { MODEL_SCHEMAS } from './schema/model-schema';
import { capText } from './read';

export { DescriptionError } from './errors';
export type { IDescriptionIssue } from './errors';
export { toleranceFor } from './tolerance';
export type { IToleranceValues } from './tolerance';
export { describeProcessing } from './describe';

/** The result of {@link parseDescription}. */
export type ParsedDescription =
  | { kind: 'model'; model: IModelDescription }
  | { kind: 'other'; resource: IGenericDescription };

/** Options of {@link parseDescription}. */
export interface IParseOptions {
  /** Where the text came from (file name or URL), used in error messages. */
  source?: string;
}

const SUPPORTED = 'supported: 0.4, 0.5';

/**
 * Parse and validate a description.
 *
 * @throws DescriptionError listing every problem found (YAML syntax errors,
 *   missing/invalid fields, broken references, unsupported format versions).
 */
export function parseDescription(
  text: string,
  opts: IParseOptions = {}
): ParsedDescription {
  const log = new IssueLog();
  const raw = parseYaml(text, log, opts.source);
  const fail = (): never => {
    throw new DescriptionError(log.errors, opts.source);
  };
  const type = raw.type;
  const formatVersion = readFormatVersion(raw.format_version, log);
  if (typeof type !== 'string') {
    log.error(
      'type',
      isAbsent(type)
        ? 'missing required field; e.g. model or dataset'
        : `expected a string, got ${typeName(type)}`
    );
  }
  if (
    log.errors.length > 0 ||
    formatVersion === undefined ||
    typeof type !== 'string'
  ) {
    return fail();
  }
  if (type !== 'model') {
    return {
      kind: 'other',
      resource: genericDescription(raw, type, formatVersion)
    };
  }
  const family = /^(\d+)\.(\d+)(\.|$)/.exec(formatVersion);
  const majorMinor = family ? `${family[1]}.${family[2]}` : '';
  if (majorMinor !== '0.4' && majorMinor !== '0.5') {
    log.error(
      'format_version',
      `unsupported format version ${formatVersion}; ${SUPPORTED}`
    );
    return fail();
  }
  // The reference's structure first (types, required and unknown fields,
  // formats; numbers written as strings converted), then our readers on the
  // converted description for the cross-field rules. A reader's error at or
  // below a field the structural check already reported is the same problem.
  const checked = checkAgainstSchema(
    convertOlderFormat(raw, majorMinor, formatVersion),
    majorMinor,
    MODEL_SCHEMAS
  );
  const model =
    majorMinor === '0.4'
      ? parseModel04(checked.raw, formatVersion, log)
      : parseModel05(checked.raw, formatVersion, log);
  const covered = (path: string): boolean =>
    checked.issues.some(
      i =>
        i.path !== '' &&
        (path === i.path ||
          path.startsWith(`${i.path}.`) ||
          path.startsWith(`${i.path}[`))
    );
  // Where both name the same field for a choice (an unknown step id, an
  // invalid mode), the reader knows more (e.g. which steps are valid in
  // preprocessing), so its message is kept.
  const choice = /^(unknown \w+ |expected one of )/;
  const readerAt = new Set(log.errors.map(e => e.path));
  const structural = checked.issues.filter(
    i => !(choice.test(i.message) && readerAt.has(i.path))
  );
  const preferred = new Set(
    checked.issues.filter(i => !structural.includes(i)).map(i => i.path)
  );
  const readerErrors = log.errors.filter(
    e => preferred.has(e.path) || !covered(e.path)
  );
  log.errors.length = 0;
  log.errors.push(...structural, ...readerErrors);
  if (log.errors.length > 0) {
    return fail();
  }
  return { kind: 'model', model };
}

/** Most YAML errors shown; the rest are counted. */
const MAX_YAML_ERRORS = 5;

function parseYaml(text: string, log: IssueLog, source?: string): RawMap {
  const syntax = (message: string): never => {
    throw new DescriptionError([{ path: '', message }], source);
  };
  // Binary data decoded as UTF-8: NUL bytes or many replacement characters.
  const replaced = (text.match(/\uFFFD/g) ?? []).length;
  if (text.includes('\u0000') || replaced > 8) {
    syntax(
      "not a text file (it contains binary data); give the model's rdf.yaml or bioimageio.yaml"
    );
  }
  // YAML 1.2 core schema: timestamps and ids stay strings, `.inf` becomes Infinity.
  let doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const repaired = indentQuotedContinuations(text);
    const retry =
      repaired === undefined
        ? undefined
        : parseDocument(repaired, { uniqueKeys: true });
    if (retry && retry.errors.length === 0) {
      doc = retry;
      log.warn(
        '',
        'multi-line quoted text is not indented deeper than its key; read it as PyYAML does'
      );
    }
  }
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, MAX_YAML_ERRORS).map(e => ({
      path: '',
      message: `YAML syntax error: ${capText(e.message.trim(), 240)}; fix the YAML at that line (an online YAML checker shows the spot)`
    }));
    if (doc.errors.length > MAX_YAML_ERRORS) {
      shown.push({
        path: '',
        message: `… and ${doc.errors.length - MAX_YAML_ERRORS} more YAML syntax errors; fix the first ones and validate again`
      });
    }
    throw new DescriptionError(shown, source);
  }
  let raw: unknown;
  try {
    // A bounded alias count stops "billion laughs" documents (alias bombs).
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return syntax(
      `the YAML could not be expanded (${capText((e as Error).message, 120)}): too many aliases, ` +
        'as in a resource-exhaustion "alias bomb"; write the values out instead of repeating *aliases'
    );
  }
  if (!isMap(raw)) {
    throw new DescriptionError(
      [
        {
          path: '',
          message: `a description must be a YAML mapping of fields, got ${typeName(raw)}; start with fields such as type: model`
        }
      ],
      source
    );
  }
  return raw;
}

/** Accept `0.5.4`, and numbers YAML made of `0.5`. */
function readFormatVersion(value: unknown, log: IssueLog): string | undefined {
  if (value === undefined || value === null) {
    log.error('format_version', `missing required field; ${SUPPORTED}`);
    return undefined;
  }
  if (typeof value === 'number') {
    return String(value);
  }
  if (typeof value !== 'string' || !/^\d+\.\d+(\.\d+)?/.test(value)) {
    log.error(
      'format_version',
      `expected a version such as 0.5.4, got ${typeName(value)}`
    );
    return undefined;
  }
  return value;
}

function genericDescription(
  raw: RawMap,
  type: string,
  formatVersion: string
): IGenericDescription {
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : undefined;
  return {
    type,
    formatVersion,
    id: str(raw.id),
    name: str(raw.name) ?? '',
    description: str(raw.description) ?? '',
    tags: Array.isArray(raw.tags)
      ? raw.tags.filter((t): t is string => typeof t === 'string')
      : [],
    raw
  };
}
