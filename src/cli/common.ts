/**
 * What the CLI commands share: the output channel, the exit-code policy
 * and opening a model package / ONNX session from a location string.
 *
 * Exit codes: 0 valid / passed; 1 a verdict against the model (invalid
 * description, not a model, unsupported format, sha256 mismatch, failed
 * test); 2 could not run (usage, I/O, network, internal error).
 */
import type { IModelPackage } from '../core/package/package';
import { openModelPackage } from '../core/package/readers/node-open';
import type { BackendPreference } from '../core/inference/session/backends';
import { openOnnxSession } from '../core/inference/session/open';
import type { IOrtSession } from '../core/inference/session/types';

export const EXIT_OK = 0;
export const EXIT_VERDICT = 1;
export const EXIT_ERROR = 2;

/** Where a command writes; one call per line, without the newline. */
export interface ICliIO {
  out(line: string): void;
  err(line: string): void;
}

/** Bad command line: exit 2 with the message and a usage hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A finding against the model itself: exit 1. */
export class VerdictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerdictError';
  }
}

// Errors of the core that are verdicts on the model, matched by name so
// that the check does not depend on which copy of a module threw them.
const VERDICT_NAMES = new Set([
  'VerdictError',
  'DescriptionError',
  'ChecksumError'
]);

// Plain Errors of loadModelPackage that are still verdicts on the package.
const VERDICT_MESSAGES = [/, not a model$/, /^no model description in /];

/** The exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof Error)) {
    return EXIT_ERROR;
  }
  if (VERDICT_NAMES.has(error.name)) {
    return EXIT_VERDICT;
  }
  if (VERDICT_MESSAGES.some(re => re.test(error.message))) {
    return EXIT_VERDICT;
  }
  return EXIT_ERROR;
}

/** Open and validate the package at `location` (folder, zip, description file or URL). */
export function openPackage(location: string): Promise<IModelPackage> {
  return openModelPackage(location);
}

/** Options for {@link openSession}. */
export interface ISessionOptions {
  backend?: BackendPreference;
  threads?: number;
}

/**
 * An onnxruntime-web session on the package's ONNX weights (sha256
 * verified on read). A model without ONNX weights is a verdict (exit 1):
 * its weights format is not supported here.
 */
export async function openSession(
  pkg: IModelPackage,
  options: ISessionOptions,
  io: ICliIO
): Promise<IOrtSession> {
  const session = await openOnnxSession(pkg, {
    backend: options.backend ?? 'wasm',
    numThreads: options.threads,
    unsupported: (model, reason) =>
      new VerdictError(
        `'${model.name}' cannot be run here (unsupported weights format): ${reason}`
      ),
    // The weights passed their sha256 check: a graph onnxruntime-web
    // cannot load is a property of the model (unsupported operators).
    loadFailed: (weights, error) =>
      new VerdictError(
        `onnxruntime-web cannot load the ONNX weights '${weights.source}': ${error.message}`
      )
  });
  const wanted = options.backend ?? 'wasm';
  if (wanted !== 'auto' && session.backend !== wanted) {
    const why = session.failures.find(f => f.backend === wanted)?.error;
    io.err(
      `note: backend '${wanted}' is not available here${why ? ` (${why})` : ''}; using '${session.backend}'`
    );
  }
  return session;
}

/** "1×1×512×512". */
export function shapeText(shape: readonly number[]): string {
  return shape.join('×');
}

/** Short scientific notation for diffs: 1.67e-6. */
export function sci(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  return value === 0 ? '0' : value.toExponential(2);
}
