/**
 * Typed readers for processing-step kwargs (0.5 keys), with errors that
 * name the op and the key. Kwargs come from YAML, so nothing is trusted.
 */
import { letterToAxisId } from '../../spec/axis-ids';

/** Kwargs of one step plus the op name used in error messages. */
export class Kwargs {
  constructor(
    private readonly _op: string,
    private readonly _kw: Record<string, unknown>
  ) {}

  /** True when `key` is present and not null. */
  has(key: string): boolean {
    return this._kw[key] !== undefined && this._kw[key] !== null;
  }

  /** A finite number, or `fallback` when absent. */
  number(key: string, fallback?: number): number {
    const v = this._kw[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) {
        throw this._error(key, 'is required');
      }
      return fallback;
    }
    const n = toNumber(v);
    if (n === null) {
      throw this._error(key, `must be a number, got ${JSON.stringify(v)}`);
    }
    return n;
  }

  /** A number or a list of numbers (per-axis parameters). */
  numberOrList(key: string, fallback?: number): number | number[] {
    const v = this._kw[key];
    if (Array.isArray(v)) {
      return v.map((x, i) => {
        const n = toNumber(x);
        if (n === null) {
          throw this._error(`${key}[${i}]`, 'must be a number');
        }
        return n;
      });
    }
    return this.number(key, fallback);
  }

  /** A string, or `fallback` when absent. */
  string(key: string, fallback?: string): string {
    const v = this._kw[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) {
        throw this._error(key, 'is required');
      }
      return fallback;
    }
    if (typeof v !== 'string') {
      throw this._error(key, `must be a string, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /**
   * Axis ids to reduce over; null when absent (= all axes). A 0.4-style
   * letter string (`'yx'`) is accepted and mapped to 0.5 ids.
   */
  axes(key = 'axes'): string[] | null {
    const v = this._kw[key];
    if (v === undefined || v === null) {
      return null;
    }
    if (typeof v === 'string') {
      return [...v].map(letterToAxisId);
    }
    if (Array.isArray(v) && v.every(a => typeof a === 'string')) {
      return (v as string[]).map(a => (a.length === 1 ? letterToAxisId(a) : a));
    }
    throw this._error(
      key,
      `must be a list of axis ids, got ${JSON.stringify(v)}`
    );
  }

  private _error(key: string, what: string): Error {
    return new Error(`${this._op}: kwarg '${key}' ${what}`);
  }
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && !Number.isNaN(v)) {
    return v;
  }
  // YAML may carry '.inf'-like strings through some loaders.
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) {
    return Number(v);
  }
  return null;
}
