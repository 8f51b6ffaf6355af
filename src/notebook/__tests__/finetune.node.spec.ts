/**
 * The fine-tuning cells: contents, provenance, option checks, quoting of
 * hostile strings (parsed by real Python), and the notebook that
 * tests/test_finetune.py runs in a kernel on the bundled nuclei model
 * (written into tests/generated/, git-ignored; `make test` runs jest
 * before pytest).
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseDescription } from '../../core/spec/description';
import { generateCells, IRunRecord, toNotebookJSON } from '../codegen/cells';
import {
  FineTuneOptionsError,
  generateFineTuneCells
} from '../codegen/finetune';
import { runRecordModel } from '../../core/record/run-record';
import { fixtureRecord } from './fixture-record';

const ROOT = path.resolve(__dirname, '../../..');
const OUT = path.join(ROOT, 'tests', 'generated');
const PYTHON =
  process.env.BIOIMAGE_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python');
const BUNDLED_SEG = path.join(
  ROOT,
  'jupyterlab_bioimage',
  'zoo',
  'bioimage-nuclei-seg'
);
const NOW = '2026-01-01T00:00:00Z';

const HOSTILE = 'a"""\nimport os; os.system("x")';
const HOSTILE2 = "b'''\\\n'); __import__('os').system('x') #\r\0\u2028";

/** Python: parse each code cell; fail on any import other than the cells'
 *  own, and on any use of os / system / eval / exec; print the string
 *  constants that hold the hostile payload. */
const CHECK = `
import ast, json, sys
allowed = {"pathlib", "jupyterlab_bioimage"}
found = []
for src in json.load(sys.stdin):
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Import):
            raise SystemExit("injected import: " + ", ".join(a.name for a in node.names))
        if isinstance(node, ast.ImportFrom) and node.module not in allowed:
            raise SystemExit("injected import from " + str(node.module))
        if isinstance(node, ast.Name) and node.id in ("os", "__import__", "eval", "exec"):
            raise SystemExit("injected name: " + node.id)
        if isinstance(node, ast.Attribute) and node.attr == "system":
            raise SystemExit("injected attribute: system")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "system(" in node.value:
            found.append(node.value)
print(json.dumps(found))
`;

function hostileRecord(): IRunRecord {
  const r = fixtureRecord();
  r.model.name = HOSTILE;
  r.model.id = HOSTILE2;
  r.model.version = HOSTILE;
  r.model.source = HOSTILE2;
  r.model.inputId = HOSTILE;
  r.image.path = HOSTILE;
  r.metrics.groundTruthPath = HOSTILE2;
  r.backend = HOSTILE;
  r.extensionVersion = HOSTILE2;
  r.timestamp = HOSTILE;
  r.outputDir = HOSTILE2;
  r.model.preprocessing = [
    ...r.model.preprocessing,
    { id: 'scale_linear', kwargs: { gain: 2, [HOSTILE]: HOSTILE2 } }
  ];
  return r;
}

/** The bundled nuclei model on the example image, as the wizard records it. */
function bundledRecord(): IRunRecord {
  const text = fs.readFileSync(path.join(BUNDLED_SEG, 'rdf.yaml'), 'utf8');
  const parsed = parseDescription(text);
  if (parsed.kind !== 'model') {
    throw new Error('not a model');
  }
  return {
    model: runRecordModel(
      parsed.model,
      'bundled:bioimage-nuclei-seg/rdf.yaml',
      createHash('sha256').update(text).digest('hex')
    ),
    image: {
      path: path.join(ROOT, 'examples', 'data', 'nuclei_synthetic.tif'),
      axes: 'YX',
      channels: null
    },
    tiling: null,
    postprocessing: {
      channel: 0,
      threshold: 0.5,
      minSize: 12,
      instanceMethod: 'connected_components'
    },
    metrics: {
      requested: ['iou', 'f1_iou50'],
      values: {},
      groundTruthPath: path.join(
        ROOT,
        'examples',
        'data',
        'nuclei_synthetic_mask.tif'
      )
    },
    backend: 'wasm',
    extensionVersion: '0.1.0',
    timestamp: '2026-01-02T03:04:05.000Z'
  };
}

describe('generateFineTuneCells', () => {
  it('writes a why cell and a pinned, self-contained code cell', () => {
    const r = fixtureRecord();
    const cells = generateFineTuneCells(r, { now: NOW });
    expect(cells.map(c => c.cell_type)).toEqual(['markdown', 'code']);
    const [why, code] = cells.map(c => c.source);
    for (const reason of [
      'Pinned model',
      "The model's own preprocessing",
      'Early layers frozen',
      'A held-out split by tile',
      'QC before and after',
      'small random crops',
      'A report'
    ]) {
      expect(why).toContain(reason);
    }
    expect(why).toContain('the first 50 % of the layers');
    expect(why).toContain('25 % of the non-overlapping tiles of 128 px');
    expect(why).toContain(r.model.weightsSha256);

    expect(code).toContain(`WEIGHTS_SHA256 = "${r.model.weightsSha256}"`);
    expect(code).toContain(`TRAIN_IMAGES = [${JSON.stringify(r.image.path)}]`);
    expect(code).toContain(
      `TRAIN_TARGETS = [${JSON.stringify(r.metrics.groundTruthPath)}]`
    );
    expect(code).toContain('TASK = "segmentation"');
    expect(code).toContain('EPOCHS = 3');
    expect(code).toContain('FREEZE_FRACTION = 0.5');
    expect(code).toContain('VAL_FRACTION = 0.25');
    expect(code).toContain('TILE_SIZE = 128');
    expect(code).toContain('LEARNING_RATE = 0.0001');
    expect(code).toContain('FINETUNE_DIR = Path("bioimage-results/finetune")');
    expect(code).toContain('bia.fetch_model(MODEL_SOURCE');
    expect(code).toContain('finetune.fine_tune(');
    expect(code).toContain('weights_sha256=WEIGHTS_SHA256');
    expect(code).toContain('finetune.print_report(finetune_report)');

    for (const c of cells) {
      const p = c.metadata.bioimage;
      expect(p.generator).toBe('jupyterlab-bioimage');
      expect(p.modelId).toBe(r.model.id);
      expect(p.weightsSha256).toBe(r.model.weightsSha256);
      expect(p.runTime).toBe(r.timestamp);
      expect(p.generatedAt).toBe(NOW);
      expect(p.style).toBe('core');
      expect(p.parameters.fineTune).toMatchObject({
        task: 'segmentation',
        epochs: 3,
        freezeFraction: 0.5,
        valFraction: 0.25,
        tileSize: 128,
        trainImagePaths: [r.image.path]
      });
    }
    expect(cells.map(c => c.metadata.bioimage.step)).toEqual([
      'finetune-why',
      'finetune'
    ]);
  });

  it('takes options, and picks restoration for image metrics', () => {
    const r = fixtureRecord();
    r.metrics.requested = ['psnr', 'ssim'];
    const [why, code] = generateFineTuneCells(r, {
      epochs: 2,
      freezeFraction: 0.25,
      valFraction: 0.5,
      tileSize: null,
      learningRate: 3e-4,
      trainImagePaths: ['a.tif', 'b.tif'],
      trainTargetPaths: ['a_clean.tif', 'b_clean.tif'],
      outputDir: 'out/ft'
    }).map(c => c.source);
    expect(code).toContain('TASK = "restoration"');
    expect(code).toContain('EPOCHS = 2');
    expect(code).toContain('TILE_SIZE = None');
    expect(code).toContain('LEARNING_RATE = 0.0003');
    expect(code).toContain('TRAIN_IMAGES = ["a.tif", "b.tif"]');
    expect(code).toContain('TRAIN_TARGETS = ["a_clean.tif", "b_clean.tif"]');
    expect(code).toContain('FINETUNE_DIR = Path("out/ft")');
    expect(why).toContain('A held-out split by image');
    expect(why).toContain('PSNR and SSIM');
    expect(why).toContain('the first 25 % of the layers');
  });

  it('is added by generateCells with the same provenance, before the methods', () => {
    const r = fixtureRecord();
    const cells = generateCells(r, {
      style: 'numpy',
      includeFineTune: true,
      fineTune: { epochs: 1 },
      now: NOW
    });
    const steps = cells.map(c => c.metadata.bioimage.step);
    expect(steps.slice(-4)).toEqual([
      'finetune-why',
      'finetune',
      'methods-why',
      'methods'
    ]);
    const other = cells.find(c => c.metadata.bioimage.step === 'parameters')!;
    const ft = cells.find(c => c.metadata.bioimage.step === 'finetune')!;
    const {
      parameters: otherParams,
      step: s1,
      ...otherMeta
    } = other.metadata.bioimage;
    const { parameters: ftParams, step: s2, ...ftMeta } = ft.metadata.bioimage;
    expect(ftMeta).toEqual(otherMeta);
    expect(ftMeta.style).toBe('numpy');
    expect(ftParams).toMatchObject(otherParams);
    expect(ftParams.fineTune).toMatchObject({ epochs: 1 });
    expect([s1, s2]).toEqual(['parameters', 'finetune']);
    expect(ft.source).toContain('EPOCHS = 1');
    expect(
      generateCells(r, { now: NOW }).map(c => c.metadata.bioimage.step)
    ).not.toContain('finetune');
  });

  it('keeps hostile strings as string literals', () => {
    const cells = generateFineTuneCells(hostileRecord(), {
      trainImagePaths: [HOSTILE, HOSTILE2],
      trainTargetPaths: [HOSTILE2, HOSTILE],
      outputDir: HOSTILE
    });
    const code = cells.filter(c => c.cell_type === 'code').map(c => c.source);
    const out = execFileSync(PYTHON, ['-c', CHECK], {
      input: JSON.stringify(code),
      encoding: 'utf8'
    });
    const constants: string[] = JSON.parse(out);
    // Intact, but only as values.
    expect(constants).toContain(HOSTILE);
    expect(constants).toContain(HOSTILE2);
    const why = cells[0].source;
    expect(why).not.toContain('os.system("x")');
    expect(why).not.toMatch(/^import/m);
    expect(why).not.toMatch(/<|```/);
    // Metadata keeps the original strings (JSON, not code).
    expect(cells[1].metadata.bioimage.modelId).toBe(HOSTILE2);
    expect(
      (cells[1].metadata.bioimage.parameters.fineTune as { outputDir: string })
        .outputDir
    ).toBe(HOSTILE);
  });

  it('refuses invalid options and generates nothing', () => {
    const r = fixtureRecord();
    const bad = [
      { freezeFraction: 1 },
      { valFraction: 0 },
      { epochs: 0 },
      { epochs: 1.5 },
      { tileSize: 4 },
      { learningRate: -1 },
      { trainImagePaths: ['a.tif', 'b.tif'] },
      { trainImagePaths: [] }
    ];
    for (const options of bad) {
      expect(() => generateFineTuneCells(r, options)).toThrow(
        FineTuneOptionsError
      );
    }
    const noTruth = fixtureRecord();
    noTruth.metrics = { requested: [], values: {} };
    expect(() => generateFineTuneCells(noTruth)).toThrow(/needs targets/);
    const invalid = fixtureRecord();
    invalid.model.weightsSha256 = 'abc';
    expect(() => generateFineTuneCells(invalid)).toThrow(/weightsSha256/);
  });

  it('writes the kernel test notebook for the bundled nuclei model', () => {
    fs.mkdirSync(OUT, { recursive: true });
    const record = bundledRecord();
    const cells = generateFineTuneCells(record, {
      epochs: 2,
      stepsPerEpoch: 5,
      tileSize: 128,
      valFraction: 0.25,
      learningRate: 1e-3,
      seed: 3,
      now: NOW
    });
    fs.writeFileSync(
      path.join(OUT, 'finetune-record.json'),
      JSON.stringify(record, null, 1)
    );
    fs.writeFileSync(
      path.join(OUT, 'finetune-nuclei.ipynb'),
      JSON.stringify(toNotebookJSON(cells), null, 1)
    );
    expect(cells[1].source).toContain(
      'MODEL_SOURCE = "bundled:bioimage-nuclei-seg/rdf.yaml"'
    );
  });
});
