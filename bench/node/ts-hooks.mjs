// Module hooks that let Node run this repo's TypeScript sources directly:
// extensionless relative imports resolve to .ts (or /index.ts) files and
// .ts files are transpiled to ES modules with the repo's TypeScript.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('../../node_modules/typescript');

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (
    parent &&
    parent.startsWith('file:') &&
    parent.endsWith('.ts') &&
    (specifier.startsWith('./') || specifier.startsWith('../'))
  ) {
    const base = fileURLToPath(new URL(specifier, parent));
    const candidates = [
      base + '.ts',
      base.replace(/\.js$/, '.ts'),
      base + '/index.ts',
      base
    ];
    for (const c of candidates) {
      if (isFile(c)) {
        return { url: pathToFileURL(c).href, shortCircuit: true };
      }
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const file = fileURLToPath(url);
    const source = await readFile(file, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true
      }
    });
    return { format: 'module', source: out.outputText, shortCircuit: true };
  }
  return next(url, context);
}

