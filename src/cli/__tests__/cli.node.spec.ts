/**
 * The CLI in-process (runCli with captured output): exit codes, messages,
 * the model test on the fixture model (and on broken copies of it), and
 * tiled prediction against the untiled pipeline.
 * Needs NODE_OPTIONS=--experimental-vm-modules (onnxruntime-web's Node
 * build loads its wasm through a dynamic import).
 * One cohesive suite (the whole program, command by command, on shared
 * fixtures), hence over 400 lines.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../../core/tensor/npy';
import { imageToInput, outputToImage } from '../../core/inference/axes';
import { createOrtSession } from '../../core/inference/session/ort';
import { predict } from '../../core/inference/pipeline';
import type { INDArray, ITensor } from '../../core/tensor/tensor';
import { decodeImage } from '../../core/formats';
import { openModelPackage } from '../../core/package/readers/node-open';
import { runCli } from '../main';

jest.setTimeout(120000);

// geotiff's remote-source modules pull in ESM-only helpers that jest's
// CommonJS runtime cannot load; TIFFs here are read from memory only.
// (The built CLI loads geotiff's ES module build natively.)
jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../shared/fixtures');
const RDF = path.join(FIXTURES, 'rdf');
const UNET = path.join(FIXTURES, 'models', 'unet2d_nuclei_broad');
const IMG2D = path.join(FIXTURES, 'images', 'stardist', 'img2d.tif');
const ZOO = path.resolve(__dirname, '../../../jupyterlab_bioimage/zoo');

interface IRun {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<IRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: line => out.push(line),
    err: line => err.push(line)
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const sha256 = (file: string): string =>
  createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A writable copy of the fixture package. */
function copyPackage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-cli-'));
  for (const name of fs.readdirSync(UNET)) {
    const dest = path.join(dir, name);
    fs.copyFileSync(path.join(UNET, name), dest);
    fs.chmodSync(dest, 0o644);
  }
  return dir;
}

/** Replace `oldHash` by the hash of `file` in the package's bioimageio.yaml. */
function rehash(dir: string, oldHash: string, file: string): void {
  const yaml = path.join(dir, 'bioimageio.yaml');
  const text = fs.readFileSync(yaml, 'utf8');
  expect(text).toContain(oldHash);
  fs.writeFileSync(yaml, text.replace(oldHash, sha256(path.join(dir, file))));
}

function maxAbsDiff(a: INDArray, b: INDArray): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  }
  return m;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-cli-out-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('general', () => {
  it('prints the version and help', async () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')
    );
    expect(await cli('--version')).toMatchObject({ code: 0, out: pkg.version });
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['validate', 'inspect', 'test', 'predict']) {
      expect(help.out).toContain(command);
    }
  });

  it('rejects bad usage with exit 2 and a message', async () => {
    for (const argv of [
      [],
      ['frobnicate', UNET],
      ['validate'],
      ['validate', UNET, '--json'],
      ['test', UNET, '--bogus'],
      ['predict', UNET, IMG2D],
      ['predict', UNET, IMG2D, '-o', path.join(tmp, 'x.png')],
      ['predict', UNET, IMG2D, '-o', path.join(tmp, 'x.npy'), '--tile', 'a,b'],
      ['test', UNET, '--threads', '0']
    ]) {
      const r = await cli(...argv);
      expect([argv, r.code]).toEqual([argv, 2]);
      expect(r.err).toMatch(/usage error/);
    }
  });
});

describe('validate', () => {
  const INVALID =
    'spec__INVALID__unet2d_nuclei_broad__duplicate_tensor_names__v0_4_0.bioimageio.yaml';
  // A 0.4-style attachments mapping and more; bioimageio.spec rejects it too
  // (see description.node.spec.ts).
  const ALSO_INVALID = 'qupath__instanseg_brightfield_multiout__v0_5.rdf.yaml';
  const DATASET = 'spec__DATASET__covid_if_training_data.bioimageio.yaml';
  const files = fs.readdirSync(RDF).filter(f => f.endsWith('.yaml'));

  it('accepts every valid model description in the fixtures', async () => {
    const valid = files.filter(
      f => ![INVALID, ALSO_INVALID, DATASET].includes(f)
    );
    expect(valid.length).toBeGreaterThanOrEqual(27);
    for (const f of valid) {
      const r = await cli('validate', path.join(RDF, f));
      expect([f, r.code, r.err]).toEqual([f, 0, '']);
      expect(r.out).toMatch(/^valid: /);
    }
    expect((await cli('validate', UNET)).code).toBe(0);
  });

  it('rejects the invalid one with a field-path message', async () => {
    const r = await cli('validate', path.join(RDF, INVALID));
    expect(r.code).toBe(1);
    expect(r.err).toContain("outputs[0].name: duplicate tensor name 'data'");
    expect(r.out).toBe('');
  });

  it('says a dataset is not a model', async () => {
    const r = await cli('validate', path.join(RDF, DATASET));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a model/);
  });

  it('rejects format 0.3 as an unsupported format version', async () => {
    const file = path.join(tmp, 'old.rdf.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(path.join(UNET, 'v0_4_9.bioimageio.yaml'), 'utf8')
        .replace(/^format_version: .*$/m, 'format_version: 0.3.6')
    );
    const r = await cli('validate', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/format_version: unsupported format version 0\.3\.6/);
  });

  it('judges a YAML alias bomb invalid (exit 1), not a crash', async () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh']) {
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const file = path.join(tmp, 'bomb.rdf.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(path.join(UNET, 'bioimageio.yaml'), 'utf8') +
        `\nconfig:\n  ${bomb.join('\n  ')}\n`
    );
    const r = await cli('validate', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/verdict: [^]*alias bomb/);
  });

  it('cannot run on a missing file (exit 2)', async () => {
    const r = await cli('validate', path.join(tmp, 'nope.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not exist/);
  });
});

describe('inspect', () => {
  it('summarises the fixture model in plain words', async () => {
    const r = await cli('inspect', UNET);
    expect(r.code).toBe(0);
    expect(r.out).toContain('zero mean and unit variance');
    expect(r.out).toContain('runs in the browser');
    expect(r.out).toMatch(/raw: float32/);
    expect(r.out).toMatch(/y \(space\): same as raw\.y; halo 32/);
    expect(r.out).toMatch(/onnx: weights\.onnx \(opset 20/);
  });

  it('says why a model without ONNX weights does not run in the browser', async () => {
    const r = await cli(
      'inspect',
      path.join(RDF, 'spec__unet2d_keras_tf2__v0_4.bioimageio.yaml')
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/does not run in the browser — no ONNX weights/);
  });
});

describe('test', () => {
  for (const description of [
    'bioimageio.yaml',
    'v0_4_9.bioimageio.yaml',
    'v0_4_0.bioimageio.yaml'
  ]) {
    it(`passes on ${description}`, async () => {
      const r = await cli('test', path.join(UNET, description));
      expect([r.code, r.err]).toEqual([0, '']);
      const diff = /max abs diff ([\d.e+-]+)/.exec(r.out);
      expect(diff).not.toBeNull();
      expect(Number(diff![1])).toBeLessThan(1e-4);
      expect(r.out).toMatch(/probability: pass/);
      expect(r.out).toMatch(/^PASSED/m);
    });
  }

  it('writes parseable JSON with --json', async () => {
    const r = await cli('test', UNET, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.passed).toBe(true);
    expect(report.outputs).toHaveLength(1);
    expect(report.outputs[0]).toMatchObject({
      id: 'probability',
      passed: true,
      mismatched: 0,
      total: 512 * 512
    });
    expect(report.outputs[0].maxAbsDiff).toBeLessThan(1e-4);
  });

  it('fails a package whose test output does not reproduce (hashes fixed)', async () => {
    const dir = copyPackage();
    try {
      const file = path.join(dir, 'test_output.npy');
      const bytes = fs.readFileSync(file);
      const headerLength = bytes.length - 512 * 512 * 4;
      const data = new Float32Array(
        bytes.buffer.slice(
          bytes.byteOffset + headerLength,
          bytes.byteOffset + bytes.length
        )
      );
      // A plausible-looking but wrong expectation: a shifted band of rows.
      for (let i = 100 * 512; i < 140 * 512; i++) {
        data[i] = 1 - data[i];
      }
      fs.writeFileSync(
        file,
        Buffer.concat([
          bytes.subarray(0, headerLength),
          Buffer.from(data.buffer)
        ])
      );
      rehash(
        dir,
        '39925fb38bc74530902e44bf8e43a8bd0a9e3675aab758d89f47dc66cb9818ed',
        'test_output.npy'
      );
      // The package itself is consistent with its hashes...
      expect((await cli('validate', dir)).code).toBe(0);
      // ...only reproducing the outputs catches it.
      const r = await cli('test', dir);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/probability: FAIL/);
      expect(r.out).toMatch(/^FAILED/m);
      expect(r.err).toMatch(/test failed/);
      const json = await cli('test', dir, '--json');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.out).passed).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a package with tampered weights, naming the file', async () => {
    const dir = copyPackage();
    try {
      const file = path.join(dir, 'weights.onnx');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 1] ^= 0xff;
      fs.writeFileSync(file, bytes);
      const r = await cli('test', dir);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/sha256 mismatch for 'weights\.onnx'/);
      const json = await cli('test', dir, '--json');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.out)).toMatchObject({ passed: false });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calls a model without ONNX weights unsupported (exit 1)', async () => {
    const r = await cli(
      'test',
      path.join(RDF, 'spec__unet2d_keras_tf2__v0_4.bioimageio.yaml')
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unsupported weights format/);
  });
});

/** The pipeline run directly, untiled: the reference for the CLI's output. */
async function untiled(
  modelLocation: string,
  image: INDArray,
  axes: string
): Promise<INDArray> {
  const pkg = await openModelPackage(modelLocation);
  const onnx = pkg.model.weights.find(w => w.format === 'onnx')!;
  const session = await createOrtSession(await pkg.readFile(onnx), {
    backend: 'wasm'
  });
  try {
    const { tensor, mapping } = imageToInput(image, axes, pkg.model.inputs[0]);
    const outs = await predict(pkg.model, session, [tensor], { tiling: false });
    return outputToImage(outs.get(pkg.model.outputs[0].id) as ITensor, mapping);
  } finally {
    await session.release();
  }
}

describe('predict', () => {
  it('writes what the untiled pipeline computes for img2d.tif', async () => {
    const out = path.join(tmp, 'img2d_pred.npy');
    const r = await cli('predict', UNET, IMG2D, '-o', out);
    expect([r.code, r.err.includes('error')]).toEqual([0, false]);
    expect(r.out).toContain(`wrote ${out}`);
    const ours = readNpy(new Uint8Array(fs.readFileSync(out)));
    const decoded = await decodeImage(
      new Uint8Array(fs.readFileSync(IMG2D)),
      'img2d.tif'
    );
    const reference = await untiled(UNET, decoded.array, decoded.axes);
    expect(ours.shape).toEqual([512, 512]);
    expect(maxAbsDiff(ours, reference)).toBe(0);

    // The TIFF output holds the same values.
    const tif = path.join(tmp, 'img2d_pred.tif');
    expect((await cli('predict', UNET, IMG2D, '-o', tif)).code).toBe(0);
    const back = await decodeImage(
      new Uint8Array(fs.readFileSync(tif)),
      'x.tif'
    );
    expect(back.array.dtype).toBe('float32');
    expect(maxAbsDiff(back.array, reference)).toBe(0);
  });

  it('explains an image that does not fit the model (exit 2)', async () => {
    const r = await cli(
      'predict',
      UNET,
      IMG2D,
      '--axes',
      'zyx',
      '-o',
      path.join(tmp, 'x.npy')
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--axes 'zyx' names 3 axes but .* has 2/);
  });
});

// Tiling acceptance (a): on a bundled model (dynamic size, halo ≥ receptive
// field), tiled prediction of an image larger than a block equals the
// untiled run within 1e-4.
const bundled = fs.existsSync(ZOO)
  ? fs
      .readdirSync(ZOO)
      .filter(d => fs.existsSync(path.join(ZOO, d, 'rdf.yaml')))
  : [];

/** Tiled CLI output and untiled pipeline output for a bundled model. */
async function tiledAndUntiled(
  id: string
): Promise<{ ours: INDArray; reference: INDArray; radius: number }> {
  const dir = path.join(ZOO, id);
  const input = path.join(dir, 'test_input.npy');
  const image = readNpy(new Uint8Array(fs.readFileSync(input)));
  const axes = 'bcyx';
  expect(image.shape.length).toBe(4);
  // Blocks of 96 (halo included): several tiles per axis on the test image.
  expect(image.shape[2]).toBeGreaterThan(96);
  expect(image.shape[3]).toBeGreaterThan(96);
  const out = path.join(tmp, `${id}_tiled.npy`);
  const r = await cli(
    'predict',
    dir,
    input,
    '--axes',
    axes,
    '--tile',
    '96,96',
    '-o',
    out
  );
  expect([r.code, r.err.includes('error')]).toEqual([0, false]);
  expect(Number(/tiling: (\d+) tile/.exec(r.err)?.[1])).toBeGreaterThan(1);
  const ours = readNpy(new Uint8Array(fs.readFileSync(out)));
  const reference = await untiled(dir, image, axes);
  expect(ours.shape).toEqual(reference.shape);
  const radius = Number(
    /receptive_field_radius: (\d+)/.exec(
      fs.readFileSync(path.join(dir, 'rdf.yaml'), 'utf8')
    )?.[1] ?? 32
  );
  return { ours, reference, radius };
}

/** Max |Δ| inside the image and within `band` px of its border (last two axes y, x). */
function diffs(
  a: INDArray,
  b: INDArray,
  band: number
): { inner: number; border: number } {
  const H = a.shape[a.shape.length - 2];
  const W = a.shape[a.shape.length - 1];
  let inner = 0;
  let border = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = i % W;
    const y = Math.floor(i / W) % H;
    const d = Math.abs(Number(a.data[i]) - Number(b.data[i]));
    if (Math.min(y, x, H - 1 - y, W - 1 - x) < band) {
      border = Math.max(border, d);
    } else {
      inner = Math.max(inner, d);
    }
  }
  return { inner, border };
}

describe('the bundled zoo', () => {
  it('ships the segmentation and denoising models', () => {
    expect(bundled.sort()).toEqual(['bioimage-denoise', 'bioimage-nuclei-seg']);
  });
  for (const id of ['bioimage-denoise', 'bioimage-nuclei-seg']) {
    it(`${id} passes its own test`, async () => {
      const r = await cli('test', path.join(ZOO, id));
      expect([r.code, r.err]).toEqual([0, '']);
      expect(r.out).toMatch(/pass/);
      expect(r.out).not.toMatch(/FAIL/);
    });
  }
});

describe('tiled predict on bundled models', () => {
  const results = new Map<string, Promise<{ inner: number; border: number }>>();
  const get = (id: string) => {
    if (!results.has(id)) {
      results.set(
        id,
        tiledAndUntiled(id).then(({ ours, reference, radius }) =>
          diffs(ours, reference, radius)
        )
      );
    }
    return results.get(id)!;
  };
  for (const id of bundled) {
    it(`${id}: tiled equals untiled within 1e-4 away from the image border`, async () => {
      expect((await get(id)).inner).toBeLessThan(1e-4);
    });
    // Blocks are padded symmetrically like the graphs themselves and like
    // bioimageio.core, so the border agrees too.
    it(`${id}: tiled equals untiled within 1e-4 at the image border too`, async () => {
      expect((await get(id)).border).toBeLessThan(1e-4);
    });
  }
});
