/**
 * `test <…> [--json]`: the bioimage.io model test. The test inputs run
 * untiled through the whole pipeline on the ONNX weights and each output
 * is compared with its test output under bioimage.io's tolerance rule
 * (declared reproducibility_tolerance / legacy test_kwargs, else the
 * per-format defaults; mismatched-elements budget). Every file read is
 * sha256-checked, so a package whose files do not match its description
 * fails; one whose files match but do not reproduce fails too.
 */
import { testModel } from '../core/inference/pipeline';
import { readTestTensors } from '../core/inference/test-tensors';
import type { IModelPackage } from '../core/package/package';
import {
  EXIT_OK,
  EXIT_VERDICT,
  exitCodeFor,
  ICliIO,
  ISessionOptions,
  openPackage,
  openSession,
  sci,
  VerdictError
} from './common';

export async function testCommand(
  location: string,
  options: ISessionOptions & { json?: boolean },
  io: ICliIO
): Promise<number> {
  const started = Date.now();
  let pkg: IModelPackage | undefined;
  try {
    pkg = await openPackage(location);
    const model = pkg.model;
    const session = await openSession(pkg, options, io);
    try {
      const { inputs, outputs } = await readTestTensors(
        pkg,
        (role, id) =>
          new VerdictError(
            `the description has no test tensor for ${role} '${id}'; it cannot be tested`
          )
      );
      let report;
      try {
        report = await testModel(model, session, inputs, outputs, 'onnx');
      } catch (e) {
        // The model's own test data cannot go through its own pipeline
        // (shapes, dtypes, graph errors): the package is inconsistent.
        throw new VerdictError(
          `the test inputs could not be run through the model: ${(e as Error).message}`
        );
      }
      const seconds = (Date.now() - started) / 1000;
      if (options.json) {
        io.out(
          JSON.stringify(
            {
              model: model.name,
              id: model.id ?? null,
              description: pkg.descriptionName,
              formatVersion: model.formatVersion,
              weightsFormat: report.weightsFormat,
              backend: session.backend,
              passed: report.passed,
              seconds,
              outputs: report.outputs.map(o => ({
                id: o.outputId,
                passed: o.passed,
                shapeMismatch: o.shapeMismatch,
                maxAbsDiff: Number.isFinite(o.maxAbsDiff) ? o.maxAbsDiff : null,
                maxRelDiff: Number.isFinite(o.maxRelDiff) ? o.maxRelDiff : null,
                mismatched: o.mismatched,
                total: o.total,
                mismatchedPerMillion: o.ppm,
                allowedPerMillion: o.allowedPpm,
                tolerance: o.tolerance,
                worst: o.worst,
                message: o.message
              }))
            },
            null,
            2
          )
        );
      } else {
        io.out(
          `${model.name} (${pkg.descriptionName}, format ${model.formatVersion}): ` +
            `onnx weights on ${session.backend}`
        );
        for (const o of report.outputs) {
          const t = o.tolerance;
          const detail = o.shapeMismatch
            ? o.message
            : `max abs diff ${sci(o.maxAbsDiff)}, mismatched elements ${o.mismatched} of ${o.total} ` +
              `(${o.ppm.toFixed(1)} per million, ${o.allowedPpm} allowed; atol ${t.atol}, rtol ${t.rtol})`;
          io.out(`  ${o.outputId}: ${o.passed ? 'pass' : 'FAIL'} — ${detail}`);
        }
        io.out(
          `${report.passed ? 'PASSED' : 'FAILED'}: test outputs ${
            report.passed ? 'reproduced' : 'not reproduced'
          } (${seconds.toFixed(1)} s)`
        );
      }
      if (!report.passed) {
        io.err(
          `test failed: ${report.outputs
            .filter(o => !o.passed)
            .map(o => `${o.outputId}: ${o.message}`)
            .join('; ')}`
        );
      }
      return report.passed ? EXIT_OK : EXIT_VERDICT;
    } finally {
      await session.release();
    }
  } catch (e) {
    if (options.json && exitCodeFor(e) === EXIT_VERDICT) {
      io.out(
        JSON.stringify(
          {
            model: pkg?.model.name ?? null,
            description: pkg?.descriptionName ?? null,
            passed: false,
            error: (e as Error).message,
            outputs: []
          },
          null,
          2
        )
      );
    }
    throw e;
  }
}
