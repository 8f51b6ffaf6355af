#!/usr/bin/env node
/*
 * The `jupyterlab-bioimage` command (see src/cli/main.ts). It runs the
 * CommonJS build in lib-cli/, made by `jlpm build:cli` (part of `jlpm build`).
 */
'use strict';
const path = require('path');

let cli;
try {
  cli = require(path.join(__dirname, '..', 'lib-cli', 'cli', 'main.js'));
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /lib-cli/.test(String(e.message))) {
    process.stderr.write(
      'jupyterlab-bioimage: error: the CLI is not built; run `jlpm build:cli` ' +
        '(or `jlpm build`) in the jupyterlab-bioimage checkout first\n'
    );
    process.exit(2);
  }
  throw e;
}
cli.main().catch(e => {
  process.stderr.write(`jupyterlab-bioimage: error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
