/**
 * Typed access to untyped YAML values, logging a field-path issue for every
 * value of the wrong type. Explicit YAML `null` is treated as absent
 * everywhere, because real descriptions write `sha256: null`, `onnx: null`.
 */
import { field, IssueLog } from './errors';

/** A YAML mapping. */
export type RawMap = Record<string, unknown>;

/** Whether a value is a YAML mapping (not a list, not null). */
export function isMap(value: unknown): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** YAML `null` and a missing key mean the same: absent. */
export function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Longest quoted value in a message. */
export const MAX_QUOTED = 80;

/** `text` cut to `max` characters, with an ellipsis and the full length when cut. */
export function capText(text: string, max = MAX_QUOTED): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A short name of a value's YAML type, for messages (the value capped at {@link MAX_QUOTED} characters). */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) {
    return 'nothing';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (isMap(value)) {
    return 'a mapping';
  }
  const shown = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${capText(shown)}`;
}

/** Options shared by the field readers. */
export interface IReadOptions {
  /** Log "missing required field" when absent. */
  required?: boolean;
  /** Extra hint appended to the missing-field message. */
  hint?: string;
}

/** The value of `key`, with null mapped to undefined; logs when required and absent. */
export function get(
  log: IssueLog,
  obj: RawMap,
  key: string,
  path: string,
  opts: IReadOptions = {}
): unknown {
  const value = obj[key];
  if (value === null || value === undefined) {
    if (opts.required) {
      log.error(
        field(path, key),
        `missing required field${opts.hint ? `; ${opts.hint}` : ''}`
      );
    }
    return undefined;
  }
  return value;
}

/** A string field. Numbers are accepted where YAML may have turned a version into one. */
export function readString(
  log: IssueLog,
  obj: RawMap,
  key: string,
  path: string,
  opts: IReadOptions & { acceptNumber?: boolean } = {}
): string | undefined {
  const value = get(log, obj, key, path, opts);
  if (value === undefined) {
    return undefined;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (opts.acceptNumber && typeof value === 'number') {
    return String(value);
  }
  log.error(field(path, key), `expected a string, got ${typeName(value)}`);
  return undefined;
}

/** Numeric bounds for {@link readNumber}. */
export interface INumberOptions extends IReadOptions {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
}

/** Check a number against bounds; returns the message of the first violated bound. */
export function checkNumber(
  value: number,
  opts: INumberOptions
): string | undefined {
  if (opts.integer && !Number.isInteger(value)) {
    return `must be an integer, got ${value}`;
  }
  if (opts.min !== undefined && value < opts.min) {
    return `must be >= ${opts.min}, got ${value}`;
  }
  if (opts.above !== undefined && value <= opts.above) {
    return `must be > ${opts.above}, got ${value}`;
  }
  if (opts.max !== undefined && value > opts.max) {
    return `must be <= ${opts.max}, got ${value}`;
  }
  if (opts.below !== undefined && value >= opts.below) {
    return `must be < ${opts.below}, got ${value}`;
  }
  return undefined;
}

/** Validate an already extracted value as a bounded number. */
export function asNumber(
  log: IssueLog,
  value: unknown,
  path: string,
  opts: INumberOptions = {}
): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    log.error(path, `expected a number, got ${typeName(value)}`);
    return undefined;
  }
  const problem = checkNumber(value, opts);
  if (problem) {
    log.error(path, problem);
    return undefined;
  }
  return value;
}

/** A number field with optional bounds. */
export function readNumber(
  log: IssueLog,
  obj: RawMap,
  key: string,
  path: string,
  opts: INumberOptions = {}
): number | undefined {
  const value = get(log, obj, key, path, opts);
  return value === undefined
    ? undefined
    : asNumber(log, value, field(path, key), opts);
}

/** A boolean field. */
export function readBoolean(
  log: IssueLog,
  obj: RawMap,
  key: string,
  path: string,
  opts: IReadOptions = {}
): boolean | undefined {
  const value = get(log, obj, key, path, opts);
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'boolean') {
    log.error(
      field(path, key),
      `expected true or false, got ${typeName(value)}`
    );
    return undefined;
  }
  return value;
}

/** A list field; `nonEmpty` logs an error for `[]`. */
export function readList(
  log: IssueLog,
  obj: RawMap,
  key: string,
  path: string,
  opts: IReadOptions & { nonEmpty?: boolean } = {}
): unknown[] | undefined {
  const value = get(log, obj, key, path, opts);
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    log.error(field(path, key), `expected a list, got ${typeName(value)}`);
    return undefined;
  }
  if (opts.nonEmpty && value.length === 0) {
    log.error(field(path, key), 'must not be empty');
  }
  return value;
}

/** A mapping field. */
export function readMap(
  log: IssueLog,
  obj: RawMap,
  key: string,
  path: string,
  opts: IReadOptions = {}
): RawMap | undefined {
  const value = get(log, obj, key, path, opts);
  if (value === undefined) {
    return undefined;
  }
  if (!isMap(value)) {
    log.error(field(path, key), `expected a mapping, got ${typeName(value)}`);
    return undefined;
  }
  return value;
}

/** A list of strings; non-string entries are logged and dropped. */
export function readStringList(
  log: IssueLog,
  obj: RawMap,
  key: string,
  path: string,
  opts: IReadOptions & { nonEmpty?: boolean } = {}
): string[] {
  const list = readList(log, obj, key, path, opts) ?? [];
  const out: string[] = [];
  list.forEach((v, i) => {
    if (typeof v === 'string') {
      out.push(v);
    } else if (v !== null) {
      log.error(
        `${field(path, key)}[${i}]`,
        `expected a string, got ${typeName(v)}`
      );
    }
  });
  return out;
}

/** `-.inf`/`.inf` (and null) mean "no limit"; everything else must be a number. */
export function readRange(
  log: IssueLog,
  value: unknown,
  path: string
): [number | null, number | null] {
  if (value === undefined || value === null) {
    return [null, null];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    log.error(path, `expected [min, max], got ${typeName(value)}`);
    return [null, null];
  }
  const bound = (v: unknown, i: number): number | null => {
    if (
      v === null ||
      (typeof v === 'number' && !Number.isFinite(v) && !Number.isNaN(v))
    ) {
      return null;
    }
    if (typeof v !== 'number' || Number.isNaN(v)) {
      log.error(
        `${path}[${i}]`,
        `expected a number, .inf or null, got ${typeName(v)}`
      );
      return null;
    }
    return v;
  };
  const range: [number | null, number | null] = [
    bound(value[0], 0),
    bound(value[1], 1)
  ];
  if (range[0] !== null && range[1] !== null && range[0] > range[1]) {
    log.error(path, `minimum ${range[0]} is larger than maximum ${range[1]}`);
  }
  return range;
}

/** Lower-case identifiers (tensor ids/names, axis ids) as the spec defines them. */
export const LOWER_CASE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
