/**
 * Quoting values as Python literals for generated code cells.
 *
 * Every string that comes from a model description, a file name or the
 * user goes through {@link pyStr}: the result is a double-quoted, pure-ASCII
 * literal on one line, so no input (quotes, triple quotes, backslashes,
 * newlines, NUL, line/paragraph separators, lone surrogates) can end the
 * literal or start a new statement. `ast.literal_eval` of the result gives
 * back the original string (checked by a jest test against real Python).
 */

/** A JSON-like value {@link pyLiteral} can write. */
export type PyValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * A Python string literal for `s`: `"..."` with `\\`, `\"`, `\n`, `\r`,
 * `\t` escaped, other control characters as `\xNN`, and every non-ASCII
 * code point as `\uNNNN` / `\UNNNNNNNN` (lone UTF-16 surrogates included).
 */
export function pyStr(s: string): string {
  if (typeof s !== 'string') {
    throw new TypeError(`pyStr expects a string, got ${typeof s}`);
  }
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    // Combine a valid surrogate pair into one code point.
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    switch (cp) {
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x22:
        out += '\\"';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + hex(cp, 2);
    } else if (cp < 0x7f) {
      out += String.fromCharCode(cp);
    } else if (cp <= 0xffff) {
      out += '\\u' + hex(cp, 4);
    } else {
      out += '\\U' + hex(cp, 8);
    }
  }
  return out + '"';
}

/** A Python number literal; NaN and infinities as `float("nan")` etc. */
export function pyNumber(n: number): string {
  if (typeof n !== 'number') {
    throw new TypeError(`pyNumber expects a number, got ${typeof n}`);
  }
  if (Number.isNaN(n)) {
    return 'float("nan")';
  }
  if (!Number.isFinite(n)) {
    return n > 0 ? 'float("inf")' : '-float("inf")';
  }
  if (Number.isInteger(n) && Math.abs(n) < 1e21) {
    return Object.is(n, -0) ? '-0.0' : n.toFixed(0);
  }
  // JS shortest round-trip form is valid Python (e.g. 1e-06, 1.5e+300).
  return String(n);
}

/**
 * Any JSON-like value as a Python literal: strings via {@link pyStr},
 * null/undefined → `None`, booleans → `True`/`False`, arrays → lists,
 * plain objects → dicts (keys quoted, insertion order kept).
 */
export function pyLiteral(v: PyValue): string {
  if (v === null || v === undefined) {
    return 'None';
  }
  if (typeof v === 'string') {
    return pyStr(v);
  }
  if (typeof v === 'number') {
    return pyNumber(v);
  }
  if (typeof v === 'boolean') {
    return v ? 'True' : 'False';
  }
  if (Array.isArray(v)) {
    return '[' + v.map(x => pyLiteral(x)).join(', ') + ']';
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError('pyLiteral: only plain objects can become dicts');
    }
    const items = Object.entries(v as Record<string, PyValue>).map(
      ([k, x]) => `${pyStr(k)}: ${pyLiteral(x)}`
    );
    return '{' + items.join(', ') + '}';
  }
  throw new TypeError(`pyLiteral: unsupported value of type ${typeof v}`);
}

/**
 * Text for a Markdown cell: one line, Markdown/HTML specials backslash-
 * escaped, so a name cannot inject headings, links, HTML or line breaks.
 */
export function mdText(s: string): string {
  return String(s)
    .replace(/[\r\n\u2028\u2029\t\x00-\x1f\x7f]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|<>&~$"']/g, c => '\\' + c);
}

/** `name` if it is a safe Python identifier fragment, else an error. */
export function checkIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`not a Python identifier: ${JSON.stringify(name)}`);
  }
  return name;
}
