/**
 * Code generation: structure, pinning, provenance, and quoting of hostile
 * strings everywhere a record string can appear. The generated code is
 * parsed by real Python (`ast`) and checked for injected statements.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import {
  generateCells,
  IRunRecord,
  RunRecordError,
  toNotebookJSON
} from '../codegen/cells';
import { fixtureRecord } from './fixture-record';

const PYTHON =
  process.env.BIOIMAGE_PYTHON ??
  path.resolve(__dirname, '../../../.venv/bin/python');

const EVIL = `x"""\n__import__('os').system('echo pwned')#`;
const EVIL2 = "y'''\\\n\"); import os; os.system('echo pwned') #\r\0\u2028";

/** Python check: every code cell parses, has no call to os/system/eval and
 *  no name or attribute containing "pwned"/"system"; string constants that
 *  contain EVIL are reported. */
const CHECK = `
import ast, json, sys
cells = json.load(sys.stdin)
found = []
for src in cells:
    tree = ast.parse(src)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in ("os", "__import__", "eval", "exec"):
            raise SystemExit("injected name: " + node.id)
        if isinstance(node, ast.Attribute) and node.attr == "system":
            raise SystemExit("injected attribute: system")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "pwned" in node.value:
            found.append(node.value)
print(json.dumps(found))
`;

function evilRecord(): IRunRecord {
  const r = fixtureRecord();
  r.model.name = EVIL;
  r.model.id = EVIL2;
  r.model.version = EVIL;
  r.model.source = EVIL2;
  r.model.cite = [{ text: EVIL, doi: EVIL2, url: EVIL }];
  r.model.inputId = EVIL;
  r.model.outputId = EVIL2;
  r.image.path = EVIL;
  r.metrics.groundTruthPath = EVIL2;
  r.metrics.values = { iou: 0.5 };
  r.backend = EVIL;
  r.extensionVersion = EVIL2;
  r.timestamp = EVIL;
  r.outputDir = EVIL2;
  r.model.preprocessing = [
    ...r.model.preprocessing,
    { id: 'scale_linear', kwargs: { gain: 2, offset: 0, [EVIL]: EVIL2 } }
  ];
  return r;
}

describe('generateCells', () => {
  it.each(['core', 'numpy'] as const)(
    '%s style: structure and provenance',
    style => {
      const r = fixtureRecord();
      const cells = generateCells(r, {
        style,
        includeBatch: true,
        now: '2026-01-01T00:00:00Z'
      });
      expect(cells[0].cell_type).toBe('markdown');
      // The Methods paragraph is written by the last cell when it runs.
      expect(cells[cells.length - 1].cell_type).toBe('code');
      expect(cells[cells.length - 1].source).toContain('bia.methods_markdown(');
      const steps = cells.map(c => c.metadata.bioimage.step);
      expect(steps).toEqual(
        expect.arrayContaining([
          'parameters',
          'load-image',
          'fetch-model',
          'predict',
          'instances',
          'metrics',
          'compare',
          'display',
          'batch',
          'methods'
        ])
      );
      for (const c of cells) {
        const p = c.metadata.bioimage;
        expect(p.generator).toBe('jupyterlab-bioimage');
        expect(p.weightsSha256).toBe(r.model.weightsSha256);
        expect(p.modelId).toBe(r.model.id);
        expect(p.modelVersion).toBe(r.model.version);
        expect(p.backend).toBe('wasm');
        expect(p.extensionVersion).toBe('0.1.0');
        expect(p.runTime).toBe(r.timestamp);
        expect(p.generatedAt).toBe('2026-01-01T00:00:00Z');
        expect(p.style).toBe(style);
      }
      const params = cells.find(
        c => c.metadata.bioimage.step === 'parameters'
      )!;
      expect(params.source).toContain(
        `WEIGHTS_SHA256 = "${r.model.weightsSha256}"`
      );
      expect(params.source).toContain('BLOCK_SHAPE = {"y": 512, "x": 512}');
      const fetch = cells.find(
        c => c.metadata.bioimage.step === 'fetch-model'
      )!;
      expect(fetch.source).toContain('weights_sha256=WEIGHTS_SHA256');
      const predict = cells.find(c => c.metadata.bioimage.step === 'predict')!;
      if (style === 'core') {
        expect(predict.source).toContain('weight_format="onnx"');
      } else {
        expect(predict.source).toContain('tiled_predict_onnx');
        // Every code cell of the teaching style follows a markdown "why".
        const pre = cells.findIndex(
          c => c.metadata.bioimage.step === 'preprocess'
        );
        expect(cells[pre - 1].cell_type).toBe('markdown');
        expect(cells[pre].source).toContain('std(axis=(2, 3), keepdims=True)');
      }
      const methods = cells[cells.length - 1].source;
      expect(methods).toContain(r.model.weightsSha256);
      expect(methods).toMatch(/halo y=32, x=32/);
      // No parity claim is written in advance: the kernel measures it.
      const text = cells.map(c => c.source).join('\n');
      expect(text).not.toMatch(/reproduced in Python/i);
      expect(methods).toContain('comparison');
      // Citations go to the kernel unescaped (it renders the links).
      expect(params.source).toContain('"doi": "10.1007/978-3-319-24574-4_28"');
      const nb = toNotebookJSON(cells);
      expect((nb.cells as unknown[]).length).toBe(cells.length);
    }
  );

  it.each(['core', 'numpy'] as const)(
    '%s style: hostile strings stay string literals',
    style => {
      const cells = generateCells(evilRecord(), { style, includeBatch: true });
      const code = cells.filter(c => c.cell_type === 'code').map(c => c.source);
      const out = execFileSync(PYTHON, ['-c', CHECK], {
        input: JSON.stringify(code),
        encoding: 'utf8'
      });
      const constants: string[] = JSON.parse(out);
      // The strings are there, intact, but only as values.
      expect(constants).toContain(EVIL);
      expect(constants).toContain(EVIL2);
      for (const c of cells.filter(c => c.cell_type === 'markdown')) {
        // No raw newline from the record, no HTML, no code fence.
        expect(c.source).not.toContain("__import__('os')");
        expect(c.source).not.toMatch(/<|```/);
      }
      // Metadata keeps the original strings (JSON, not code).
      expect(cells[0].metadata.bioimage.modelId).toBe(EVIL2);
    }
  );

  it('rejects invalid records and generates nothing', () => {
    const r = fixtureRecord();
    r.model.weightsSha256 = 'abc';
    expect(() => generateCells(r)).toThrow(RunRecordError);
    const r2 = fixtureRecord() as unknown as Record<string, unknown>;
    delete r2.image;
    expect(() => generateCells(r2 as unknown as IRunRecord)).toThrow(
      /image is missing/
    );
    const r3 = fixtureRecord();
    r3.model.inputAxes = ['y', 'y'];
    expect(() => generateCells(r3)).toThrow(/inputAxes/);
    // A plane selection names axes the image has (t or z) and indices.
    const r4 = fixtureRecord();
    r4.image = { ...r4.image, axes: 'YX', select: { z: 3 } };
    expect(() => generateCells(r4)).toThrow(/image.select/);
    r4.image = { ...r4.image, axes: 'ZYX', select: { z: -1 } };
    expect(() => generateCells(r4)).toThrow(/image.select/);
  });

  it('selects the plane of a stack in the kernel, image and ground truth alike', () => {
    const r = fixtureRecord();
    r.image = { ...r.image, axes: 'ZYX', select: { z: 12 } };
    const code = generateCells(r, { includeBatch: true })
      .map(c => c.source)
      .join('\n');
    expect(code).toContain('SELECT = {"z": 12}');
    expect(code).toContain(
      'image, IMAGE_AXES = bia.select_planes(image, FILE_AXES, SELECT)'
    );
    expect(code).toContain(
      'bia.select_planes(bia.load_image(GROUND_TRUTH_PATH), FILE_AXES, SELECT)[0]'
    );
    // The batch pipeline runs whole files: no batch cell, a note instead.
    expect(code).not.toContain('batch_predict_dask');
    expect(code).toContain('No batch cell');
  });
});
