import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { zipSync } from 'fflate';
import {
  ChecksumError,
  findDescriptionName,
  HttpPackageReader,
  IModelPackage,
  loadModelPackage,
  sha256Hex,
  ZipPackageReader
} from '../package';
import { FolderPackageReader } from '../readers/node-folder';
import { openModelPackage } from '../readers/node-open';
import { normalizeRelativePath } from '../readers/reader';

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
const PKG = path.join(FIXTURES, 'models/unet2d_nuclei_broad');
const INPUT_SHA =
  '92768a2e0f2643c80b57afa5494019a5aafe5b0d92fe36ae740763adf3594a57';
const ONNX_SHA =
  '85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088';

/** Every fixture package file, by name. */
function packageFiles(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const name of fs.readdirSync(PKG)) {
    files[name] = new Uint8Array(fs.readFileSync(path.join(PKG, name)));
  }
  return files;
}

/** Checks shared by every way of opening the fixture package. */
async function expectFixturePackage(pkg: IModelPackage): Promise<void> {
  expect(pkg.model.name).toBe('UNet 2D Nuclei Broad');
  const input = await pkg.readTensor(pkg.model.inputs[0].testTensor!);
  expect(input.dtype).toBe('float32');
  expect(input.shape).toEqual([1, 1, 512, 512]);
  const output = await pkg.readTensor(pkg.model.outputs[0].testTensor!);
  expect(output.shape).toEqual([1, 1, 512, 512]);
  const onnx = pkg.model.weights.find(w => w.format === 'onnx')!;
  const weights = await pkg.readFile(onnx);
  expect(weights.length).toBe(1806764);
  expect(await sha256Hex(weights)).toBe(ONNX_SHA);
}

describe('description discovery', () => {
  it('follows the spec name priority, then alphabetical order', () => {
    expect(
      findDescriptionName([
        'b.model.yaml',
        'a.bioimageio.yaml',
        'model.yaml',
        'bioimageio.yaml'
      ])
    ).toBe('bioimageio.yaml');
    expect(
      findDescriptionName(['z.rdf.yaml', 'a.bioimageio.yaml', 'rdf.yaml'])
    ).toBe('rdf.yaml');
    expect(
      findDescriptionName(['z.rdf.yaml', 'a.bioimageio.yaml', 'b.rdf.yaml'])
    ).toBe('b.rdf.yaml');
    expect(
      findDescriptionName(['v0_4_9.bioimageio.yaml', 'v0_4_0.bioimageio.yaml'])
    ).toBe('v0_4_0.bioimageio.yaml');
    expect(
      findDescriptionName(['sub/rdf.yaml', 'notes.yaml', 'weights.onnx'])
    ).toBeUndefined();
  });

  it('keeps package paths inside the package', () => {
    expect(normalizeRelativePath('./a/../weights.onnx')).toBe('weights.onnx');
    expect(() => normalizeRelativePath('../secret.txt')).toThrow(
      "'../secret.txt' points outside the package"
    );
    expect(() => normalizeRelativePath('/etc/passwd')).toThrow(
      'is not a path relative to the package'
    );
  });
});

describe('folder packages', () => {
  it('opens the fixture folder and verifies hashes', async () => {
    const pkg = await openModelPackage(PKG);
    expect(pkg.descriptionName).toBe('bioimageio.yaml');
    expect(pkg.model.formatVersion).toBe('0.5.4');
    await expectFixturePackage(pkg);
  });

  it('opens a specific description file', async () => {
    const pkg = await openModelPackage(
      path.join(PKG, 'v0_4_9.bioimageio.yaml')
    );
    expect(pkg.descriptionName).toBe('v0_4_9.bioimageio.yaml');
    expect(pkg.model.formatFamily).toBe('0.4');
    await expectFixturePackage(pkg);
  });

  it('reports a tampered file with expected and actual hash', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkg-'));
    try {
      for (const name of ['bioimageio.yaml', 'test_input.npy']) {
        fs.copyFileSync(path.join(PKG, name), path.join(dir, name));
      }
      const file = path.join(dir, 'test_input.npy');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 1] ^= 0xff;
      fs.writeFileSync(file, bytes);
      const actual = await sha256Hex(new Uint8Array(bytes));
      const pkg = await loadModelPackage(new FolderPackageReader(dir));
      const read = pkg.readTensor(pkg.model.inputs[0].testTensor!);
      await expect(read).rejects.toBeInstanceOf(ChecksumError);
      await expect(read).rejects.toThrow(
        `sha256 mismatch for 'test_input.npy' in ${dir}: expected ${INPUT_SHA}, got ${actual}.`
      );
      await expect(pkg.readFile({ source: 'weights.onnx' })).rejects.toThrow(
        `'weights.onnx' is not in ${dir}; the package is incomplete`
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses non-model descriptions and folders without one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkg-'));
    try {
      await expect(openModelPackage(dir)).rejects.toThrow(
        `no model description in ${dir}`
      );
      fs.copyFileSync(
        path.join(
          FIXTURES,
          'rdf/spec__DATASET__covid_if_training_data.bioimageio.yaml'
        ),
        path.join(dir, 'rdf.yaml')
      );
      await expect(openModelPackage(dir)).rejects.toThrow(
        `rdf.yaml in ${dir} describes a dataset, not a model`
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('zip packages', () => {
  it('loads a flat zip built from the fixture folder', async () => {
    const reader = new ZipPackageReader(
      zipSync(packageFiles(), { level: 1 }),
      'unet2d.zip'
    );
    expect((await reader.list()).sort()).toEqual(fs.readdirSync(PKG).sort());
    const pkg = await loadModelPackage(reader);
    expect(pkg.descriptionName).toBe('bioimageio.yaml');
    await expectFixturePackage(pkg);
    await expect(reader.read('missing.npy')).rejects.toThrow(
      "'missing.npy' is not in unet2d.zip"
    );
  });

  it('reads a zip whose files sit in one folder, from disk', async () => {
    const nested = Object.fromEntries(
      Object.entries(packageFiles()).map(([k, v]) => [`unet2d/${k}`, v])
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-'));
    try {
      const file = path.join(dir, 'model.zip');
      fs.writeFileSync(file, zipSync(nested));
      const pkg = await openModelPackage(file);
      expect(pkg.reader.describe()).toBe('model.zip');
      await expectFixturePackage(pkg);
      // Reading before listing must see the folder too.
      const fresh = new ZipPackageReader(
        new Uint8Array(fs.readFileSync(file)),
        'model.zip'
      );
      const named = await loadModelPackage(fresh, 'v0_4_0.bioimageio.yaml');
      expect(named.model.formatVersion).toBe('0.4.0');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bytes that are not a zip', async () => {
    const reader = new ZipPackageReader(
      new TextEncoder().encode('not a zip at all'),
      'bad.zip'
    );
    await expect(reader.list()).rejects.toThrow(
      'bad.zip is not a readable zip file'
    );
  });
});

describe('http packages', () => {
  let server: http.Server;
  let base: string;
  const requested: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requested.push(req.url ?? '');
      const name = decodeURIComponent(
        new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/files\//, '')
      );
      const file = path.join(PKG, path.basename(name));
      if (!name || !fs.existsSync(file)) {
        res.writeHead(404, 'Not Found');
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(fs.readFileSync(file));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`;
  });
  afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

  it('loads files relative to the description URL, keeping its version query', async () => {
    requested.length = 0;
    const pkg = await openModelPackage(`${base}bioimageio.yaml?version=v0`);
    expect(pkg.descriptionName).toBe('bioimageio.yaml');
    await expectFixturePackage(pkg);
    expect(requested).toEqual([
      '/files/bioimageio.yaml?version=v0',
      '/files/test_input.npy?version=v0',
      '/files/test_output.npy?version=v0',
      '/files/weights.onnx?version=v0'
    ]);
  });

  it('passes absolute URLs through and reports HTTP errors', async () => {
    const reader = new HttpPackageReader(`${base}bioimageio.yaml`);
    expect(reader.resolve('https://example.com/w.onnx')).toBe(
      'https://example.com/w.onnx'
    );
    expect(reader.resolve('sub/t.npy')).toBe(`${base}sub/t.npy`);
    expect(await reader.list()).toEqual(['bioimageio.yaml']);
    await expect(reader.read('nothing.npy')).rejects.toThrow(
      `could not download ${base}nothing.npy: HTTP 404 Not Found`
    );
  });
});
