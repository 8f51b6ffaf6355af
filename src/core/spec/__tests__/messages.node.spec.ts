/**
 * The rules for validation messages: each names its field path, quotes a
 * value at most ~80 characters long, says what to do, and never echoes
 * binary input; hostile YAML is a verdict (DescriptionError), not a crash.
 * Also: descriptions as bioimageio.spec 0.5.12 writes them (covers and
 * documentation as {source, sha256}, ONNX external_data) validate, and the
 * package checks those files' sha256.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { DescriptionError, parseDescription } from '../description';
import { capText, MAX_QUOTED } from '../read';
import { orcidProblem } from '../schema/check';
import { loadModelPackage, sha256Hex } from '../../package/package';
import { packageFiles } from '../../package/files';
import { MemoryPackageReader } from '../../package/readers/memory';
import { PKG, Raw } from './fixtures';

const V05 = fs.readFileSync(path.join(PKG, 'bioimageio.yaml'), 'utf8');

function issuesOf(text: string): { path: string; message: string }[] {
  try {
    parseDescription(text);
  } catch (e) {
    if (e instanceof DescriptionError) {
      return e.issues;
    }
    throw e;
  }
  return [];
}

function mutated(change: (raw: Raw) => void): string {
  const raw = parse(V05) as Raw;
  change(raw);
  return stringify(raw);
}

// A "what to do" part: after a ';', an instruction.
const HINT =
  /; .*\b(add|remove|write|use|give|change|fill|raise|lower|round|copy|shorten|lengthen|fix|start|rename|reference|quote|correct)\b/;

describe('validation messages', () => {
  const cases: [string, (raw: Raw) => void][] = [
    [
      'opset_version given as true',
      raw => (raw.weights.onnx.opset_version = true)
    ],
    ['an author as a list', raw => (raw.authors[0] = ['Jane', 'EMBL'])],
    ['preprocessing: null', raw => (raw.inputs[0].preprocessing = null)],
    ['a bad ORCID', raw => (raw.authors[0].orcid = '0000-0002-1825-0098')],
    ['a DOI as a URL', raw => (raw.cite[0].doi = 'https://doi.org/10.1/x')],
    ['a bad timestamp', raw => (raw.timestamp = 'yesterday')],
    ['an empty source', raw => (raw.weights.onnx.source = '')],
    ['a citation without link', raw => delete raw.cite[1].url],
    ['an unknown field', raw => (raw.inputs[0].colour = 'blue')],
    ['a missing field', raw => delete raw.inputs[0].axes[0].type],
    ['a string where a number is', raw => (raw.inputs[0].axes[2].size = 'x')]
  ];
  for (const [what, change] of cases) {
    it(`${what}: names the path and says what to do`, () => {
      const issues = issuesOf(mutated(change));
      expect(issues.length).toBeGreaterThan(0);
      for (const issue of issues) {
        expect([what, issue.path]).not.toEqual([what, '']);
        expect([what, issue.message]).toEqual([
          what,
          expect.stringMatching(HINT)
        ]);
      }
    });
  }

  it('caps quoted values at about 80 characters', () => {
    const long = 'A'.repeat(5000);
    const issues = issuesOf(mutated(raw => (raw.timestamp = long)));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('timestamp');
    expect(issues[0].message.length).toBeLessThan(300);
    expect(issues[0].message).toContain('(5002 characters)');
    expect(capText('x'.repeat(200))).toHaveLength(MAX_QUOTED + 18);
    for (const issue of issuesOf(
      mutated(raw => (raw.inputs[0].axes[2].size = long))
    )) {
      expect(issue.message.length).toBeLessThan(300);
    }
  });

  it('does not echo binary input', () => {
    let seed = 7;
    const bytes = Uint8Array.from({ length: 4096 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 256;
    });
    const text = new TextDecoder('utf-8').decode(bytes);
    const issues = issuesOf(text);
    expect(issues).toEqual([
      {
        path: '',
        message:
          "not a text file (it contains binary data); give the model's rdf.yaml or bioimageio.yaml"
      }
    ]);
  });

  it('caps YAML syntax errors', () => {
    const text =
      V05 + '\n' + 'bad: "x\n'.repeat(50) + '\t- ' + 'Z'.repeat(10000);
    const issues = issuesOf(text);
    expect(issues.length).toBeLessThanOrEqual(6);
    for (const issue of issues) {
      expect(issue.message.length).toBeLessThan(400);
      expect(issue.message).toMatch(/^(YAML syntax error: |… and \d+ more)/);
    }
  });

  it('an alias bomb is a verdict, not a crash', () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    const names = 'abcdefghi';
    for (let i = 1; i < names.length; i++) {
      const prev = `*${names[i - 1]}`;
      bomb.push(
        `${names[i]}: &${names[i]} [${Array(9).fill(prev).join(', ')}]`
      );
    }
    const text = `${V05}\nconfig:\n  ${bomb.join('\n  ')}\n`;
    const started = Date.now();
    const issues = issuesOf(text);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(issues).toEqual([
      {
        path: '',
        message: expect.stringMatching(/too many aliases.*alias bomb/)
      }
    ]);
  });

  it('checks ORCID check digits as the reference does', () => {
    expect(orcidProblem('0000-0002-1825-0097')).toBeUndefined();
    expect(orcidProblem('0000-0001-6562-7187')).toBeUndefined();
    expect(orcidProblem('0000-0002-1825-0098')).toMatch(/check digit/);
    expect(orcidProblem('https://orcid.org/0000-0002-1825-0097')).toMatch(
      /hyphenated groups/
    );
  });

  it('converts numbers written as strings, as the reference does', () => {
    const result = parseDescription(
      mutated(raw => (raw.inputs[0].axes[2].size = '512'))
    );
    expect(result.kind).toBe('model');
    if (result.kind === 'model') {
      expect(result.model.inputs[0].axes[2].size).toEqual({
        kind: 'fixed',
        value: 512
      });
    }
  });
});

describe('format 0.5.12 as bioimageio.spec writes it', () => {
  const files: Record<string, Uint8Array> = {};
  for (const name of [
    'cover0.png',
    'README.md',
    'weights.onnx',
    'test_input.npy',
    'test_output.npy'
  ]) {
    files[name] = new Uint8Array(fs.readFileSync(path.join(PKG, name)));
  }
  files['weights.onnx.data'] = new TextEncoder().encode('external');

  async function written(change?: (raw: Raw) => void): Promise<string> {
    const raw = parse(V05) as Raw;
    raw.format_version = '0.5.12';
    raw.covers = [
      { source: 'cover0.png', sha256: await sha256Hex(files['cover0.png']) }
    ];
    raw.documentation = {
      source: 'README.md',
      sha256: await sha256Hex(files['README.md'])
    };
    raw.weights.onnx.external_data = {
      source: 'weights.onnx.data',
      sha256: await sha256Hex(files['weights.onnx.data'])
    };
    change?.(raw);
    return stringify(raw);
  }

  it('validates, with the file descriptions and their sha256', async () => {
    const result = parseDescription(await written());
    expect(result.kind).toBe('model');
    if (result.kind !== 'model') {
      return;
    }
    const model = result.model;
    expect(model.documentation).toBe('README.md');
    expect(model.covers).toEqual(['cover0.png']);
    const refs = packageFiles(model);
    for (const name of ['cover0.png', 'README.md', 'weights.onnx.data']) {
      expect(refs).toContainEqual({
        source: name,
        sha256: await sha256Hex(files[name])
      });
    }
  });

  it('rejects plain file names for covers in 0.5.11+, as the reference does', async () => {
    const issues = issuesOf(
      await written(raw => (raw.covers = ['cover0.png']))
    );
    expect(issues).toEqual([
      {
        path: 'covers[0]',
        message: expect.stringMatching(/^expected a mapping, got string/)
      }
    ]);
  });

  it('checks the sha256 of covers, documentation and external data', async () => {
    for (const name of ['cover0.png', 'README.md', 'weights.onnx.data']) {
      const text = await written();
      const pkg = await loadModelPackage(
        new MemoryPackageReader({
          ...files,
          'rdf.yaml': new TextEncoder().encode(text)
        })
      );
      const ref = packageFiles(pkg.model).find(r => r.source === name)!;
      await expect(pkg.readFile(ref)).resolves.toHaveLength(files[name].length);
      const damaged = new MemoryPackageReader({
        ...files,
        [name]: new TextEncoder().encode('damaged'),
        'rdf.yaml': new TextEncoder().encode(text)
      });
      const bad = await loadModelPackage(damaged);
      await expect(bad.readFile(ref)).rejects.toThrow(/sha256 mismatch/);
    }
  });
});
