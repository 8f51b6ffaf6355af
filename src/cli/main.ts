/**
 * The `jupyterlab-bioimage` command line: validate, inspect, test and
 * predict bioimage.io models with the same pure core and onnxruntime-web
 * pipeline the JupyterLab extension runs in its worker.
 *
 * `runCli(argv, io)` is the whole program without process globals, so
 * tests run it in-process; `main()` binds it to the process.
 *
 * Build (see tsconfig.cli.json): the sources are compiled once more to
 * `lib-cli/` as CommonJS (`module: nodenext`; package.json has no
 * "type": "module"), so bin/jupyterlab-bioimage.js can `require` it. The
 * ESM-only dependencies (onnxruntime-web's Node build, geotiff, fast-png,
 * @noble/hashes) are only reached through dynamic `import()`, which
 * nodenext keeps as a real `import()` in CommonJS output.
 *
 * The cli/ folder (this file is its entry): one file per command
 * (validate.ts, inspect.ts, test.ts, predict.ts) and what they share
 * (common.ts: output, exit codes, opening a package and its session). It
 * imports the pure core and Node's own modules only; never JupyterLab or
 * another feature.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { BackendPreference } from '../core/inference/session/backends';
import { EXIT_ERROR, EXIT_OK, exitCodeFor, ICliIO, UsageError } from './common';
import { inspectCommand } from './inspect';
import { parseTile, predictCommand } from './predict';
import { testCommand } from './test';
import { validateCommand } from './validate';

export type { ICliIO } from './common';

const NAME = 'jupyterlab-bioimage';

export const USAGE = `Usage: ${NAME} <command> [options]

Commands:
  validate <model>                  check a model description (format and fields)
  inspect <model>                   summarise inputs/outputs, processing, weights,
                                    and whether the model runs in the browser
  test <model> [--json]             reproduce the test outputs from the test inputs
                                    with bioimage.io's tolerance rule
  predict <model> <image> -o <out>  predict an image of any size, tiled
      image: .tif/.tiff, .npy or .png;  out: .tif/.tiff or .npy
      --tile Y,X | Z,Y,X | y=…,x=…     block shape incl. halo (default: automatic;
                                    'none' runs the image as one block)
      --axes <letters>              the image's axes, e.g. yx, cyx, yxc, zyx
                                    (overrides what the file says)

  <model> is a description file (rdf.yaml, *.bioimageio.yaml), a package
  folder, a .zip file or an http(s) URL of one of them.

Options:
  --backend wasm|webgpu|auto        onnxruntime-web backend (default wasm)
  --threads N                       wasm threads (default 1)
  -h, --help                        show this help
  -V, --version                     print the version

Exit codes: 0 valid / passed; 1 a verdict against the model (invalid,
test failed, unsupported format, checksum mismatch); 2 could not run
(usage, I/O, internal error).`;

/** The package version, read from package.json next to src/ or lib-cli/. */
export function version(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')
    ) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  json: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  tile: { type: 'string' },
  axes: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' }
} as const;

// Which options each command accepts (besides --help).
const ACCEPTS: Record<string, string[]> = {
  validate: [],
  inspect: [],
  test: ['json', 'backend', 'threads'],
  predict: ['output', 'tile', 'axes', 'backend', 'threads']
};

const ARITY: Record<string, number> = {
  validate: 1,
  inspect: 1,
  test: 1,
  predict: 2
};

function parseBackend(
  value: string | undefined
): BackendPreference | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!['wasm', 'webgpu', 'webnn', 'auto'].includes(value)) {
    throw new UsageError(`--backend '${value}': choose wasm, webgpu or auto`);
  }
  return value as BackendPreference;
}

function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new UsageError(
      `--threads '${value}': give a whole number from 1 to 64`
    );
  }
  return n;
}

async function dispatch(argv: string[], io: ICliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.out(version());
    return EXIT_OK;
  }
  const [command, ...args] = positionals;
  if (values.help || command === 'help') {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (!command) {
    throw new UsageError('no command given');
  }
  if (!(command in ARITY)) {
    throw new UsageError(`unknown command '${command}'`);
  }
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && !ACCEPTS[command].includes(key)) {
      throw new UsageError(`'${command}' does not take --${key}`);
    }
  }
  if (args.length !== ARITY[command]) {
    throw new UsageError(
      command === 'predict'
        ? `'predict' takes a model and an image (got ${args.length} argument(s))`
        : `'${command}' takes one model location (got ${args.length} argument(s))`
    );
  }
  const session = {
    backend: parseBackend(values.backend),
    threads: parseThreads(values.threads)
  };
  switch (command) {
    case 'validate':
      return validateCommand(args[0], io);
    case 'inspect':
      return inspectCommand(args[0], io);
    case 'test':
      return testCommand(args[0], { ...session, json: values.json }, io);
    default: {
      if (!values.output) {
        throw new UsageError("'predict' needs -o <out.tif|out.npy>");
      }
      return predictCommand(
        args[0],
        args[1],
        {
          ...session,
          output: values.output,
          axes: values.axes,
          tiling: values.tile === undefined ? {} : parseTile(values.tile)
        },
        io
      );
    }
  }
}

/**
 * Run the CLI on `argv` (the arguments after the program name) and return
 * the exit code. Errors never escape: they become a message on `io.err`.
 */
export async function runCli(argv: string[], io: ICliIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const code = exitCodeFor(error);
    const prefix =
      error.name === 'UsageError'
        ? 'usage error'
        : code === EXIT_ERROR
          ? 'error'
          : 'verdict';
    io.err(`${NAME}: ${prefix}: ${error.message}`);
    if (error.name === 'UsageError') {
      io.err(`Run '${NAME} --help' for the commands and options.`);
    } else if (code === EXIT_ERROR && process.env.BIOIMAGE_CLI_DEBUG) {
      io.err(error.stack ?? '');
    }
    return code;
  }
}

/** Entry point of bin/jupyterlab-bioimage.js. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const code = await runCli(argv, {
    out: line => process.stdout.write(`${line}\n`),
    err: line => process.stderr.write(`${line}\n`)
  });
  // Let stdout drain, then leave even if onnxruntime keeps handles open.
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}
