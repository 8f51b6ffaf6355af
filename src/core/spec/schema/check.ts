/**
 * The structural check of a model description against the JSON Schema of
 * bioimageio.spec's model classes (model-schema.ts): every field's type,
 * required fields, unknown fields, enumerations, bounds, patterns and the
 * string formats the spec checks (timestamps, URLs, file paths, ORCID iDs).
 *
 * Like pydantic's lax mode, it converts what the reference converts —
 * numbers written as strings where a number is expected (`size: "16"`),
 * `yes`/`no` where a boolean is expected, a bare file name where a file
 * description `{source, sha256}` is expected — and writes the converted
 * value back into the raw description, so the readers after it see what
 * the reference sees. Unions are tried without conversion first, then
 * with it (pydantic's "smart" union mode).
 *
 * Every issue names its field path and says what to do.
 *
 * Over 400 lines because it is one thing: a small JSON Schema interpreter
 * (types, unions, references, formats) whose parts call each other; split,
 * each part would need the others' private helpers.
 */
import type { IDescriptionIssue } from '../errors';
import { isMap, typeName } from '../read';
import type { IJsonSchema, IModelSchemas } from './types';

/** Result of checking one value. */
interface IChecked {
  issues: IDescriptionIssue[];
  value: unknown;
}

const MAX_LISTED = 8;

/** "a, b, c" with at most {@link MAX_LISTED} entries. */
function listText(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_LISTED).map(v => String(v));
  return values.length > MAX_LISTED
    ? `${shown.join(', ')}, … (${values.length} in all)`
    : shown.join(', ');
}

function join(path: string, key: string | number): string {
  return typeof key === 'number'
    ? `${path}[${key}]`
    : path
      ? `${path}.${key}`
      : key;
}

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const INFINITE = /^\s*[-+]?(inf|infinity)\s*$/i;
const TRUE_WORDS = new Set(['true', 'yes', 'on', 'y', 't', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', 'n', 'f', '0']);

/** What a schema expects, in words ("an integer", "a list", "one of a, b"). */
function expected(schema: IJsonSchema, schemas: IModelSchemas): string {
  const s = resolve(schema, schemas);
  if (s.const !== undefined) {
    return `'${String(s.const)}'`;
  }
  if (s.enum) {
    return `one of ${listText(s.enum)}`;
  }
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const words = branches
      .filter(b => resolve(b, schemas).type !== 'null')
      .map(b => expected(b, schemas));
    return [...new Set(words)].join(' or ');
  }
  switch (s.type) {
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return s.format === 'date-time' ? 'a timestamp' : 'text';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'null':
      return 'nothing (null)';
    default:
      return 'a value';
  }
}

/** What to write instead, for a type mismatch. */
function todo(schema: IJsonSchema, schemas: IModelSchemas): string {
  const s = resolve(schema, schemas);
  switch (s.type) {
    case 'integer':
      return 'write a whole number, e.g. 16';
    case 'number':
      return 'write a number, e.g. 0.5';
    case 'string':
      return "write it as text (quote it, e.g. '1.0', if YAML reads it as something else)";
    case 'boolean':
      return 'write true or false';
    case 'array':
      return 'write a list (one "- item" per line, or [a, b])';
    case 'object':
      return 'write a mapping of fields (key: value)';
    default:
      return 'see the bioimage.io spec for this field';
  }
}

function resolve(schema: IJsonSchema, schemas: IModelSchemas): IJsonSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 8; i++) {
    const name = s.$ref.replace('#/$defs/', '');
    const target = schemas.defs[name];
    if (!target) {
      return {};
    }
    s = target;
  }
  return s;
}

function refName(schema: IJsonSchema): string | undefined {
  return schema.$ref?.replace('#/$defs/', '').replace(/@\d+$/, '');
}

/** Python's datetime.fromisoformat, as pydantic's Datetime uses it. */
function timestampProblem(value: string): string | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d+)?)?)?)?)?$/.exec(
      value
    );
  if (!m) {
    return 'is not an ISO 8601 timestamp';
  }
  const [year, month, day, hour, minute, second] = m
    .slice(1, 7)
    .map(v => (v === undefined ? 0 : Number(v)));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > days) {
    return 'is not a calendar date';
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return 'is not a time of day';
  }
  return undefined;
}

/** ORCID iD: 4 groups of 4 digits, ISO 7064 11,2 check digit. */
export function orcidProblem(value: string): string | undefined {
  if (!/^\d{4}-\d{4}-\d{4}-\d{3}[0-9X]$/.test(value)) {
    return 'is not an ORCID iD in hyphenated groups of 4 digits (e.g. 0000-0002-1825-0097)';
  }
  const digits = value.replace(/-/g, '');
  let total = 0;
  for (const d of digits.slice(0, -1)) {
    total = (total + Number(d)) * 2;
  }
  const check = (12 - (total % 11)) % 11;
  const expectedDigit = check === 10 ? 'X' : String(check);
  return digits.endsWith(expectedDigit)
    ? undefined
    : `has a wrong check digit (the last one should be ${expectedDigit}); copy the iD from orcid.org`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== ''
    );
  } catch {
    return false;
  }
}

function formatProblem(format: string, value: string): string | undefined {
  switch (format) {
    case 'date-time':
      return timestampProblem(value);
    case 'uri':
      return isHttpUrl(value) ? undefined : 'is not an http(s) URL';
    case 'path':
    case 'file-path':
      // pydantic reads '' as '.', the folder itself; ' ' is a (strange) name.
      if (value === '' || /^\.+$/.test(value)) {
        return 'is not a file path';
      }
      return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !isHttpUrl(value)
        ? 'is neither an http(s) URL nor a relative file path'
        : undefined;
    case 'email':
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)
        ? undefined
        : 'is not an email address';
    default:
      return undefined;
  }
}

/** The checker over one schema table. */
class Checker {
  constructor(private readonly schemas: IModelSchemas) {}

  check(
    value: unknown,
    schema: IJsonSchema,
    path: string,
    lax: boolean
  ): IChecked {
    const ok = (v: unknown): IChecked => ({ issues: [], value: v });
    const fail = (message: string, at = path): IChecked => ({
      issues: [{ path: at, message }],
      value
    });
    const name = refName(schema);
    const s = resolve(schema, this.schemas);

    if (s.allOf) {
      let current = value;
      const issues: IDescriptionIssue[] = [];
      for (const part of s.allOf) {
        const r = this.check(current, part, path, lax);
        issues.push(...r.issues);
        current = r.value;
      }
      return { issues, value: current };
    }
    if (s.discriminator && s.oneOf) {
      return this.discriminated(value, s, path, lax);
    }
    const branches = s.anyOf ?? s.oneOf;
    if (branches) {
      return this.union(value, s, branches, path, lax);
    }
    if (s.const !== undefined && value !== s.const) {
      return fail(
        `expected '${String(s.const)}', got ${typeName(value)}; write ${String(s.const)}`
      );
    }
    if (s.enum && !s.enum.includes(value)) {
      return fail(
        `expected one of ${listText(s.enum)}, got ${typeName(value)}; use one of these values`
      );
    }
    switch (s.type) {
      case 'object':
        return this.object(value, s, path, lax);
      case 'array':
        return this.array(value, s, path, lax);
      case 'string':
        return this.string(value, s, path, name);
      case 'integer':
      case 'number':
        return this.number(value, s, path, lax);
      case 'boolean':
        if (typeof value === 'boolean') {
          return ok(value);
        }
        if (lax && typeof value === 'string') {
          const word = value.trim().toLowerCase();
          if (TRUE_WORDS.has(word) || FALSE_WORDS.has(word)) {
            return ok(TRUE_WORDS.has(word));
          }
        }
        if (lax && (value === 0 || value === 1)) {
          return ok(value === 1);
        }
        return fail(
          `expected true or false, got ${typeName(value)}; ${todo(s, this.schemas)}`
        );
      case 'null':
        return value === null || value === undefined
          ? ok(null)
          : fail(
              `expected nothing (null), got ${typeName(value)}; remove the value`
            );
      default:
        return ok(value);
    }
  }

  private discriminated(
    value: unknown,
    s: IJsonSchema,
    path: string,
    lax: boolean
  ): IChecked {
    const { propertyName, mapping } = s.discriminator!;
    if (!isMap(value)) {
      return {
        issues: [
          {
            path,
            message: `expected a mapping with a '${propertyName}' field, got ${typeName(value)}; ${todo({ type: 'object' }, this.schemas)}`
          }
        ],
        value
      };
    }
    const tag = value[propertyName];
    const target = typeof tag === 'string' ? mapping[tag] : undefined;
    if (!target) {
      return {
        issues: [
          {
            path: join(path, propertyName),
            message:
              tag === undefined || tag === null
                ? `missing required field; add ${propertyName}: one of ${listText(Object.keys(mapping))}`
                : `unknown ${propertyName} ${typeName(tag)}; use one of ${listText(Object.keys(mapping))}`
          }
        ],
        value
      };
    }
    return this.check(
      value,
      typeof target === 'string' ? { $ref: target } : target,
      path,
      lax
    );
  }

  private union(
    value: unknown,
    s: IJsonSchema,
    branches: IJsonSchema[],
    path: string,
    lax: boolean
  ): IChecked {
    const passes = lax ? [false, true] : [false];
    let best: IChecked | undefined;
    let bestScore = Infinity;
    for (const pass of passes) {
      for (const branch of branches) {
        const r = this.check(value, branch, path, pass);
        if (r.issues.length === 0) {
          return r;
        }
        // Prefer the branch whose type matched (its issues are deeper).
        const shallow = r.issues.some(i => i.path === path);
        const score = r.issues.length + (shallow ? 1000 : 0);
        if (score < bestScore) {
          best = r;
          bestScore = score;
        }
      }
    }
    if (best && bestScore < 1000) {
      return best;
    }
    if (value === null || value === undefined) {
      return {
        issues: [
          {
            path,
            message: `expected ${expected(s, this.schemas)}, got nothing; give a value or remove the field`
          }
        ],
        value
      };
    }
    const only = best?.issues.length === 1 ? best.issues[0] : undefined;
    if (only && !/^expected /.test(only.message)) {
      return best!;
    }
    return {
      issues: [
        {
          path,
          message: `expected ${expected(s, this.schemas)}, got ${typeName(value)}; change the value to one of these`
        }
      ],
      value
    };
  }

  private object(
    value: unknown,
    s: IJsonSchema,
    path: string,
    lax: boolean
  ): IChecked {
    if (!isMap(value)) {
      return {
        issues: [
          {
            path,
            message: `expected a mapping, got ${typeName(value)}; ${todo(s, this.schemas)}`
          }
        ],
        value
      };
    }
    const issues: IDescriptionIssue[] = [];
    const props = s.properties ?? {};
    for (const key of s.required ?? []) {
      if (value[key] === undefined) {
        issues.push({
          path: join(path, key),
          message: `missing required field; add ${key}: ${expected(props[key] ?? {}, this.schemas)}`
        });
      }
    }
    let out = value;
    for (const [key, v] of Object.entries(value)) {
      const p = props[key];
      let r: IChecked | undefined;
      if (p) {
        r = this.check(v, p, join(path, key), lax);
      } else if (s.additionalProperties === false) {
        const known = Object.keys(props);
        issues.push({
          path: join(path, key),
          message: `unknown field; remove it or check its spelling (known here: ${listText(known)})`
        });
      } else if (isMap(s.additionalProperties)) {
        r = this.check(v, s.additionalProperties, join(path, key), lax);
      }
      if (r) {
        issues.push(...r.issues);
        if (r.value !== v) {
          out = out === value ? { ...value } : out;
          out[key] = r.value;
        }
      }
    }
    return { issues, value: out };
  }

  private array(
    value: unknown,
    s: IJsonSchema,
    path: string,
    lax: boolean
  ): IChecked {
    if (!Array.isArray(value)) {
      return {
        issues: [
          {
            path,
            message: `expected a list, got ${typeName(value)}; ${todo(s, this.schemas)}`
          }
        ],
        value
      };
    }
    const issues: IDescriptionIssue[] = [];
    if (s.minItems !== undefined && value.length < s.minItems) {
      issues.push({
        path,
        message:
          s.minItems === 1
            ? 'must not be empty; add at least one entry'
            : `needs at least ${s.minItems} entries, got ${value.length}; add entries`
      });
    }
    if (s.maxItems !== undefined && value.length > s.maxItems) {
      issues.push({
        path,
        message: `allows at most ${s.maxItems} entries, got ${value.length}; remove entries`
      });
    }
    let out = value;
    value.forEach((v, i) => {
      const itemSchema = s.prefixItems?.[i] ?? (s.items || undefined);
      if (!itemSchema) {
        return;
      }
      const r = this.check(v, itemSchema, join(path, i), lax);
      issues.push(...r.issues);
      if (r.value !== v) {
        out = out === value ? [...value] : out;
        out[i] = r.value;
      }
    });
    if (s.uniqueItems) {
      const seen = new Set<string>();
      value.forEach((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) {
          issues.push({
            path: join(path, i),
            message: 'repeats an earlier entry; remove the duplicate'
          });
        }
        seen.add(key);
      });
    }
    return { issues, value: out };
  }

  private string(
    value: unknown,
    s: IJsonSchema,
    path: string,
    name: string | undefined
  ): IChecked {
    const fail = (message: string): IChecked => ({
      issues: [{ path, message }],
      value
    });
    if (typeof value !== 'string') {
      return fail(
        `expected text, got ${typeName(value)}; ${todo(s, this.schemas)}`
      );
    }
    const shown = typeName(value);
    // Python counts code points, not UTF-16 units (an emoji is 1, not 2).
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) {
      return fail(
        length === 0
          ? 'must not be empty; fill it in or remove the field'
          : `is too short (${length} characters, at least ${s.minLength}); lengthen it`
      );
    }
    if (s.maxLength !== undefined && length > s.maxLength) {
      return fail(
        `is too long (${length} characters, at most ${s.maxLength}); shorten it`
      );
    }
    if (s.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re && !re.test(value)) {
        return fail(
          name === 'Doi' || s.pattern.startsWith('^10\\.')
            ? `${shown} is not a DOI; write the bare DOI such as 10.1038/s41592-019-0582-9 (no https://doi.org/ prefix)`
            : `${shown} does not match the pattern ${s.pattern}; correct the value`
        );
      }
    }
    if (s.format) {
      const problem = formatProblem(s.format, value);
      if (problem) {
        const hint =
          s.format === 'date-time'
            ? 'write an ISO 8601 timestamp such as 2024-05-12T10:30:00'
            : s.format === 'uri'
              ? 'write a full http(s):// URL'
              : s.format === 'email'
                ? 'write an address such as name@example.org'
                : 'write a path relative to the description, or an http(s) URL';
        return fail(`${shown} ${problem}; ${hint}`);
      }
    }
    return { issues: [], value };
  }

  private number(
    value: unknown,
    s: IJsonSchema,
    path: string,
    lax: boolean
  ): IChecked {
    const integer = s.type === 'integer';
    let n: number | undefined;
    if (typeof value === 'number' && !Number.isNaN(value)) {
      n = value;
    } else if (lax && typeof value === 'string' && NUMERIC.test(value)) {
      n = Number(value);
    } else if (
      !integer &&
      lax &&
      typeof value === 'string' &&
      INFINITE.test(value)
    ) {
      // Python's float('inf'), as pydantic reads it.
      n = value.trim().startsWith('-') ? -Infinity : Infinity;
    } else if (lax && typeof value === 'boolean') {
      n = value ? 1 : 0;
    }
    const fail = (message: string): IChecked => ({
      issues: [{ path, message }],
      value
    });
    if (n === undefined) {
      return fail(
        `expected ${integer ? 'an integer' : 'a number'}, got ${typeName(value)}; ${todo(s, this.schemas)}`
      );
    }
    if (integer && !Number.isInteger(n)) {
      return fail(`must be a whole number, got ${n}; round it`);
    }
    if (s.minimum !== undefined && n < s.minimum) {
      return fail(`must be at least ${s.minimum}, got ${n}; raise it`);
    }
    if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum) {
      return fail(
        `must be greater than ${s.exclusiveMinimum}, got ${n}; raise it`
      );
    }
    if (s.maximum !== undefined && n > s.maximum) {
      return fail(`must be at most ${s.maximum}, got ${n}; lower it`);
    }
    if (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum) {
      return fail(
        `must be less than ${s.exclusiveMaximum}, got ${n}; lower it`
      );
    }
    return { issues: [], value: n };
  }
}

/** Rules of the reference that its JSON Schema does not express. */
function extraRules(
  raw: Record<string, unknown>,
  family: '0.4' | '0.5'
): IDescriptionIssue[] {
  const issues: IDescriptionIssue[] = [];
  const weights: Record<string, unknown> = isMap(raw.weights)
    ? raw.weights
    : {};
  const stateDict = weights.pytorch_state_dict;
  if (family === '0.4' && isMap(stateDict)) {
    // check_architecture_sha256: `file.py:Name` is a source file (hash
    // required), `package.module.Name` is not (no hash allowed).
    const arch = stateDict.architecture;
    const hash = stateDict.architecture_sha256 ?? null;
    const p = 'weights.pytorch_state_dict';
    if (typeof arch === 'string' && /^.+:.+$/.test(arch.trim())) {
      if (hash === null) {
        issues.push({
          path: `${p}.architecture_sha256`,
          message: `missing; the architecture '${arch.slice(0, 80)}' is a source file, so add architecture_sha256: <sha256sum of the file>`
        });
      }
    } else if (typeof arch === 'string' && hash !== null) {
      issues.push({
        path: `${p}.architecture_sha256`,
        message:
          'given for an architecture without a source file (module.Name); remove it, or name the file as file.py:Name'
      });
    }
  }
  // ORCID iDs of authors and maintainers, also those of weights entries.
  const people = (node: Record<string, unknown>, base: string): void => {
    for (const key of ['authors', 'maintainers']) {
      const list = node[key];
      if (!Array.isArray(list)) {
        continue;
      }
      list.forEach((p, i) => {
        if (isMap(p) && typeof p.orcid === 'string') {
          const problem = orcidProblem(p.orcid);
          if (problem) {
            issues.push({
              path: `${join(base, key)}[${i}].orcid`,
              message: `${typeName(p.orcid)} ${problem}`
            });
          }
        }
      });
    }
  };
  people(raw, '');
  for (const [format, entry] of Object.entries(weights)) {
    if (isMap(entry)) {
      people(entry, `weights.${format}`);
    }
  }
  const cite = raw.cite;
  if (Array.isArray(cite)) {
    cite.forEach((c, i) => {
      if (isMap(c) && (c.doi ?? null) === null && (c.url ?? null) === null) {
        issues.push({
          path: `cite[${i}]`,
          message:
            'needs a doi or a url; add doi: 10.… (the bare DOI) or url: https://…'
        });
      }
    });
  }
  return issues;
}

/**
 * Check `raw` against the schema of `family` ('0.4' or '0.5'); returns the
 * issues and the converted description (numbers from numeric strings, …).
 * `format_version` and `type` are checked by the caller.
 */
export function checkAgainstSchema(
  raw: Record<string, unknown>,
  family: '0.4' | '0.5',
  schemas: IModelSchemas
): { issues: IDescriptionIssue[]; raw: Record<string, unknown> } {
  const root = schemas.roots[family];
  // format_version and type are checked by the caller (any 0.4.x / 0.5.x).
  const schema: IJsonSchema = {
    ...root,
    properties: { ...root.properties, format_version: {}, type: {} }
  };
  const checker = new Checker(schemas);
  const r = checker.check(raw, schema, '', true);
  const converted = isMap(r.value) ? r.value : raw;
  return {
    issues: [...r.issues, ...extraRules(converted, family)],
    raw: converted
  };
}
