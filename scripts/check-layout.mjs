#!/usr/bin/env node
/**
 * The layout's import rules, checked from the code (part of `make lint`).
 *
 * The arrows run one way:
 * - `src/core/**` imports nothing of ours outside `src/core`, and no
 *   `@jupyterlab/*`, `@lumino/*` or `@jupyter/*` package. (That it uses no DOM
 *   is checked by compiling it against the WebWorker library alone:
 *   `tsconfig.core.json`.)
 * - `src/jupyter/**` (the JupyterLab glue the features share) imports only
 *   `src/core`.
 * - `src/tokens.ts` and `src/commands.ts` import only `src/core` (and
 *   `@lumino/coreutils` for `Token`).
 * - Files outside `src` (styles, icons) may be imported by anything but core.
 * - A feature (`zoo`, `viewer`, `wizard`, `notebook`, `inference`, `cli`)
 *   imports `core`, `jupyter`, the three shared files above and its own
 *   folder; it reaches another feature only through a token.
 * - `src/index.ts` wires the features' plugins and may import them all.
 * - No import circle among our modules (type-only imports count: a circle of
 *   types is still a circle a reader has to untangle).
 *
 * Tests (`__tests__/`) follow the same boundary rules as the folder they sit
 * in, except that a plugin test may activate every plugin through
 * `src/index.ts`; they are left out of the circle check.
 *
 * Prints every violation and exits 1, or a one-line summary and exits 0.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const FEATURES = ['zoo', 'viewer', 'wizard', 'notebook', 'inference', 'cli'];
const SHARED_FILES = ['tokens.ts', 'commands.ts'];
const FRAMEWORK = /^@(jupyterlab|lumino|jupyter)\//;

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      walk(p, out);
    } else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

const isFile = p => existsSync(p) && statSync(p).isFile();

/** The file a relative specifier names, as the bundler resolves it. */
function resolveSpecifier(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [
    base,
    base + '.ts',
    base + '.tsx',
    base.replace(/\.js$/, '.ts'),
    join(base, 'index.ts')
  ];
  return candidates.find(isFile) ?? null;
}

/** Which layer a file belongs to: core, jupyter, shared, index or a feature. */
function layerOf(file) {
  const rel = relative(src, file).split(sep);
  if (rel[0] === '..') {
    return 'outside';
  }
  if (rel.length === 1) {
    if (SHARED_FILES.includes(rel[0])) {
      return 'shared';
    }
    return rel[0] === 'index.ts' ? 'index' : 'other';
  }
  return rel[0];
}

function allowed(fromLayer, toLayer) {
  if (fromLayer === toLayer) {
    return true;
  }
  switch (fromLayer) {
    case 'core':
      return false;
    case 'jupyter':
    case 'shared':
      return toLayer === 'core';
    case 'index':
      return true;
    default:
      if (FEATURES.includes(fromLayer)) {
        return ['core', 'jupyter', 'shared'].includes(toLayer);
      }
      return false;
  }
}

const files = walk(src);
const graph = new Map();
const problems = [];
let edges = 0;

for (const file of files) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const fromLayer = layerOf(file);
  const isTest = file.includes(`${sep}__tests__${sep}`);
  const targets = [];
  for (const { fileName: spec } of info.importedFiles) {
    const where = relative(root, file);
    if (!spec.startsWith('.')) {
      if (fromLayer === 'core' && FRAMEWORK.test(spec)) {
        problems.push(`${where}: ${fromLayer} imports the framework package '${spec}'`);
      }
      continue;
    }
    const target = resolveSpecifier(file, spec);
    if (!target) {
      problems.push(`${where}: cannot resolve '${spec}'`);
      continue;
    }
    edges++;
    const toLayer = layerOf(target);
    const outsideSrc = !target.startsWith(src + sep);
    const testWiring = isTest && toLayer === 'index';
    if (outsideSrc ? fromLayer === 'core' : !testWiring && !allowed(fromLayer, toLayer)) {
      problems.push(
        `${where}: ${fromLayer} may not import ${toLayer} ('${spec}' is ${relative(root, target)})`
      );
    }
    if (!isTest && !target.includes(`${sep}__tests__${sep}`)) {
      targets.push(target);
    }
  }
  if (!isTest) {
    graph.set(file, targets);
  }
}

// Tarjan's strongly connected components: every component of more than one
// module (or a module importing itself) is an import circle.
let index = 0;
const stack = [];
const onStack = new Set();
const idx = new Map();
const low = new Map();
const circles = [];
function strongConnect(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      strongConnect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) {
      low.set(v, Math.min(low.get(v), idx.get(w)));
    }
  }
  if (low.get(v) === idx.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) {
      circles.push(component);
    }
  }
}
for (const v of graph.keys()) {
  if (!idx.has(v)) {
    strongConnect(v);
  }
}
for (const c of circles) {
  problems.push(
    `import circle: ${c.map(f => relative(root, f)).sort().join(' <-> ')}`
  );
}

if (problems.length) {
  console.error(`check-layout: ${problems.length} problem(s)`);
  for (const p of problems) {
    console.error(`  ${p}`);
  }
  process.exit(1);
}
console.log(
  `check-layout: ${files.length} TypeScript files, ${edges} internal imports; ` +
    'core and jupyter import no feature, no feature imports another, no import circles'
);
