/**
 * The NumPy lines the notebook generator writes for every case of the
 * processing conformance corpus (src/core/inference/__tests__/
 * conformance-corpus.ts), saved to tests/generated/conformance-codegen.json
 * (git-ignored) for tests/conformance/test_processing_conformance.py to run
 * in Python: the generated cells must compute what the browser and
 * bioimageio.core compute.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  corpus,
  type ICase,
  ROOT,
  steps05
} from '../../core/inference/__tests__/conformance-corpus';
import { processingLines } from '../codegen/processing';

const codegen: Record<string, { lines?: string[]; error?: string }> = {};

afterAll(() => {
  // Only a complete run (not one filtered with -t) replaces the file.
  if (Object.keys(codegen).length !== corpus.cases.length) {
    return;
  }
  const out = path.join(ROOT, 'tests', 'generated');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'conformance-codegen.json'),
    JSON.stringify({ version: corpus.version, cases: codegen }, null, 1)
  );
});

describe('processing conformance corpus (notebook cells)', () => {
  it.each(corpus.cases.map(c => [c.name, c] as [string, ICase]))(
    'notebook lines for %s',
    (_name, c) => {
      try {
        codegen[c.name] = {
          lines: processingLines(steps05(c), c.axes, 'raw')
        };
      } catch (e) {
        codegen[c.name] = { error: (e as Error).message };
      }
      expect(codegen[c.name].lines?.length ?? 0).toBeGreaterThan(0);
    }
  );
});
