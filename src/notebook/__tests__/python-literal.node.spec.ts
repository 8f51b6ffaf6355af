/**
 * pyStr / pyLiteral round-trip through a real Python `ast.literal_eval`.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { mdText, pyLiteral, pyNumber, pyStr } from '../codegen/python-literal';

const PYTHON =
  process.env.BIOIMAGE_PYTHON ??
  path.resolve(__dirname, '../../../.venv/bin/python');

// Reads a JSON list of literals, evaluates each with ast.literal_eval and
// answers the JSON list of values (strings as code-point lists so lone
// surrogates survive the trip).
const EVAL = `
import ast, json, math, sys
out = []
for src in json.load(sys.stdin):
    tree = ast.parse(src, mode="eval")  # must be one expression
    v = ast.literal_eval(src) if "float(" not in src else eval(compile(tree, "<lit>", "eval"), {"__builtins__": {"float": float}})
    def enc(v):
        if isinstance(v, str):
            return {"s": [ord(c) for c in v]}
        if isinstance(v, float) and not math.isfinite(v):
            return {"f": repr(v)}
        if isinstance(v, list):
            return [enc(x) for x in v]
        if isinstance(v, dict):
            return {"d": [[enc(k), enc(x)] for k, x in v.items()]}
        return v
    out.append(enc(v))
json.dump(out, sys.stdout)
`;

function pyEval(literals: string[]): unknown[] {
  const out = execFileSync(PYTHON, ['-c', EVAL], {
    input: JSON.stringify(literals),
    encoding: 'utf8'
  });
  return JSON.parse(out);
}

function codePoints(s: string): number[] {
  // Python sees one code point per valid pair and one per lone surrogate.
  const cps: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
      cps.push(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
      i++;
    } else {
      cps.push(c);
    }
  }
  return cps;
}

export const NASTY = [
  '',
  'plain',
  "x\"\"\"\n__import__('os').system('echo pwned')#",
  "x'''\n__import__('os').system('echo pwned')#",
  '"',
  "'",
  '\\',
  '\\\\"',
  'ends with backslash\\',
  '"""',
  "'''",
  '\r\n\t\v\f\b\x07',
  '\0NUL\0',
  '\x1b[31mred\x1b[0m',
  '\x7f',
  'line\u2028sep\u2029para\u0085nel',
  'ünïcødé µm Ω',
  '日本語 😀 🧬',
  '\ud800 lone high',
  'lone low \udfff',
  '{0}{name}%s%(x)s',
  'f"{__import__(\'os\')}"',
  '\\N{LATIN SMALL LETTER A}',
  '\\x41\\u0041',
  '#comment',
  '\uFEFFbom',
  '\\\n'
];

describe('pyStr', () => {
  it('round-trips nasty strings through ast.literal_eval', () => {
    const random: string[] = [];
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 200; n++) {
      let s = '';
      const len = Math.floor(rnd() * 20);
      for (let i = 0; i < len; i++) {
        const r = rnd();
        s += String.fromCharCode(
          r < 0.5 ? Math.floor(rnd() * 128) : Math.floor(rnd() * 0xffff)
        );
      }
      random.push(s);
    }
    const all = [...NASTY, ...random];
    const lits = all.map(pyStr);
    for (const lit of lits) {
      // One line, ASCII only, always a double-quoted literal.
      expect(lit).toMatch(/^"[\x20-\x7e]*"$/);
    }
    const back = pyEval(lits) as { s: number[] }[];
    back.forEach((v, i) => expect(v.s).toEqual(codePoints(all[i])));
  });

  it('rejects non-strings', () => {
    expect(() => pyStr(1 as unknown as string)).toThrow(TypeError);
  });
});

describe('pyLiteral', () => {
  it('writes nested values Python reads back', () => {
    const value = {
      a: [1, -2, 0.5, 1e-6, 1.5e300, true, false, null],
      'k"ey\n': { nested: NASTY.slice(0, 6) }
    };
    const [back] = pyEval([pyLiteral(value)]) as any[];
    expect(back.d[0][0].s).toEqual(codePoints('a'));
    expect(back.d[0][1]).toEqual([
      1,
      -2,
      0.5,
      1e-6,
      1.5e300,
      true,
      false,
      null
    ]);
    expect(back.d[1][0].s).toEqual(codePoints('k"ey\n'));
  });

  it('writes special floats', () => {
    expect(pyNumber(NaN)).toBe('float("nan")');
    const back = pyEval([
      pyNumber(Infinity),
      pyNumber(-Infinity),
      pyNumber(NaN)
    ]);
    expect(back).toEqual([{ f: 'inf' }, { f: '-inf' }, { f: 'nan' }]);
  });
});

describe('mdText', () => {
  it('keeps Markdown on one line and escapes specials', () => {
    const t = mdText('# head\n<script>alert(1)</script> [x](y) `z`');
    expect(t).not.toMatch(/\n/);
    expect(t).not.toMatch(/(^|[^\\])[<`#[]/);
  });
});
