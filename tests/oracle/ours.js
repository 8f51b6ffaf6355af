#!/usr/bin/env node
/*
 * Our validator on many descriptions in one Node process: the same path as
 * `jupyterlab-bioimage validate` (openModelPackage, then the CLI's exit-code
 * rule), one JSON line per file on stdout. File names come one per line on
 * stdin. Needs the CLI build in lib-cli/ (`npx tsc -p tsconfig.cli.json`).
 */
'use strict';
const path = require('path');
const readline = require('readline');

const lib = path.join(__dirname, '..', '..', 'lib-cli');
const { openModelPackage } = require(
  path.join(lib, 'core', 'package', 'readers', 'node-open.js')
);
const { exitCodeFor } = require(path.join(lib, 'cli', 'common.js'));

async function verdictOf(file) {
  try {
    const pkg = await openModelPackage(file);
    return { verdict: 'valid', exit: 0, errors: [], warnings: pkg.model.warnings };
  } catch (e) {
    const exit = exitCodeFor(e);
    const issues = Array.isArray(e.issues)
      ? e.issues.map(i => `${i.path}: ${i.message}`)
      : [String(e && e.message)];
    const verdict =
      exit === 2 ? 'error' : / not a model$/.test(e.message) ? 'other' : 'invalid';
    return { verdict, exit, errors: issues, warnings: [] };
  }
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const file = line.trim();
    if (file) {
      const started = Date.now();
      const v = await verdictOf(file);
      process.stdout.write(
        JSON.stringify({ file, ms: Date.now() - started, ...v }) + '\n'
      );
    }
  }
}

main().catch(e => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
