/**
 * The checks made before a .zip model package is imported, on zips built
 * here with fflate from the real fixture package (unet2d_nuclei_broad).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { zipSync } from 'fflate';

import {
  isHiddenPath,
  readModelZip,
  unsafeEntryReason,
  ZipImportError
} from '../zip-import';
import { formatBytes } from '../transfer';

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
const PKG = path.join(FIXTURES, 'models/unet2d_nuclei_broad');
const ONNX_SHA =
  '85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088';
/** Files of the fixture whose sha256 its bioimageio.yaml lists. */
const HASHED = [
  'test_input.npy',
  'test_input.png',
  'test_output.npy',
  'test_output.png',
  'weights.onnx',
  'weights.pt'
];

const sha = (bytes: Uint8Array) =>
  createHash('sha256').update(bytes).digest('hex');

function fixtureFiles(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const name of fs.readdirSync(PKG)) {
    files[name] = new Uint8Array(fs.readFileSync(path.join(PKG, name)));
  }
  return files;
}

/** The ZipImportError `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<ZipImportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ZipImportError);
    return error as ZipImportError;
  }
  throw new Error('the zip was accepted');
}

describe('readModelZip accepts a valid package', () => {
  it('unpacks the fixture package and verifies every listed sha256', async () => {
    const files = fixtureFiles();
    const pkg = await readModelZip(zipSync(files, { level: 6 }), 'unet.zip');
    expect(pkg.model.name).toBe('UNet 2D Nuclei Broad');
    expect(pkg.descriptionName).toBe('bioimageio.yaml');
    expect(Object.keys(pkg.files).sort()).toEqual(Object.keys(files).sort());
    for (const [name, bytes] of Object.entries(files)) {
      expect(sha(pkg.files[name])).toBe(sha(bytes));
    }
    expect(pkg.files['weights.onnx'].length).toBe(1806764);
    expect(sha(pkg.files['weights.onnx'])).toBe(ONNX_SHA);
    expect(pkg.verified.sort()).toEqual(HASHED);
    expect(pkg.totalBytes).toBe(
      Object.values(files).reduce((n, b) => n + b.length, 0)
    );
    // The fixture now ships every file its description lists.
    expect(pkg.warnings).toEqual([]);
    expect(pkg.folderName).toBe('UNet_2D_Nuclei_Broad');
  });

  it('reads a package inside one folder and ignores macOS junk', async () => {
    const nested: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(fixtureFiles())) {
      nested[`unet2d/${name}`] = bytes;
    }
    nested['__MACOSX/unet2d/._weights.onnx'] = new Uint8Array([0, 5, 22, 7]);
    nested['unet2d/.DS_Store'] = new Uint8Array([1, 2, 3]);
    const pkg = await readModelZip(zipSync(nested), 'nested.zip');
    expect(pkg.descriptionName).toBe('bioimageio.yaml');
    expect(Object.keys(pkg.files)).toContain('weights.onnx');
    expect(Object.keys(pkg.files).some(n => n.includes('MACOSX'))).toBe(false);
    expect(Object.keys(pkg.files)).not.toContain('.DS_Store');
    expect(Object.keys(pkg.files)).toHaveLength(
      Object.keys(fixtureFiles()).length
    );
  });

  it('reports a missing cover as a warning, not a refusal', async () => {
    const files = fixtureFiles();
    delete files['cover0.png'];
    const pkg = await readModelZip(zipSync(files), 'no-cover.zip');
    expect(pkg.warnings).toContain(
      "bioimageio.yaml names 'cover0.png', which is not in the zip"
    );
  });
});

describe('readModelZip and hidden files', () => {
  const text = (s: string) => new TextEncoder().encode(s);

  it('recognises hidden paths by any part starting with a dot', () => {
    for (const name of ['.gitignore', '.git/config', 'a/.keep', 'x/.y/z']) {
      expect(isHiddenPath(name)).toBe(true);
    }
    for (const name of ['weights.onnx', 'a/b.c/d.npy', 'README.md']) {
      expect(isHiddenPath(name)).toBe(false);
    }
  });

  it('skips dotfiles the description does not name, with a note', async () => {
    const files: Record<string, Uint8Array> = {
      ...fixtureFiles(),
      '.gitignore': text('*.pyc\n'),
      '.git/config': text('[core]\n'),
      'docs/.keep': new Uint8Array(0),
      '.ipynb_checkpoints/README-checkpoint.md': text('# old\n')
    };
    const pkg = await readModelZip(zipSync(files), 'with-dotfiles.zip');
    expect(Object.keys(pkg.files).sort()).toEqual(
      Object.keys(fixtureFiles()).sort()
    );
    expect(pkg.totalBytes).toBe(
      Object.values(fixtureFiles()).reduce((n, b) => n + b.length, 0)
    );
    expect(pkg.warnings).toEqual([
      'skipped 4 hidden files that bioimageio.yaml does not name ' +
        '(.git/config, .gitignore, .ipynb_checkpoints/README-checkpoint.md, docs/.keep): ' +
        'they are not part of the model, and Jupyter does not write hidden files'
    ]);
  });

  it('skips dotfiles inside the single top folder too', async () => {
    const nested: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(fixtureFiles())) {
      nested[`unet2d/${name}`] = bytes;
    }
    nested['unet2d/.gitattributes'] = text('* text=auto\n');
    const pkg = await readModelZip(zipSync(nested), 'nested.zip');
    expect(Object.keys(pkg.files)).not.toContain('.gitattributes');
    expect(pkg.warnings[0]).toContain('skipped 1 hidden file that');
  });

  it('finds the single top folder beside a hidden top-level file', async () => {
    const nested: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(fixtureFiles())) {
      nested[`unet2d/${name}`] = bytes;
    }
    nested['.gitignore'] = text('*.pyc\n');
    const pkg = await readModelZip(zipSync(nested), 'nested-beside.zip');
    expect(Object.keys(pkg.files).sort()).toEqual(
      Object.keys(fixtureFiles()).sort()
    );
  });

  it('keeps a dotfile the description names', async () => {
    const files = fixtureFiles();
    const yaml = new TextDecoder()
      .decode(files['bioimageio.yaml'])
      .replace(/^documentation: README.md$/m, 'documentation: .docs/README.md');
    expect(yaml).toContain('.docs/README.md');
    const zipped: Record<string, Uint8Array> = {
      ...files,
      'bioimageio.yaml': text(yaml),
      '.docs/README.md': files['README.md'],
      '.hidden-extra': text('x')
    };
    const pkg = await readModelZip(zipSync(zipped), 'named-dotfile.zip');
    expect(pkg.files['.docs/README.md']).toBeDefined();
    expect(pkg.files['.hidden-extra']).toBeUndefined();
    expect(pkg.warnings).toContain(
      'bioimageio.yaml names the hidden file .docs/README.md; if writing fails, start Jupyter ' +
        'with --ContentsManager.allow_hidden=True or rename the file in the package'
    );
  });
});

describe('readModelZip refuses unsafe or broken zips', () => {
  it.each([
    ['../evil.sh', "climbs out of the package with '..'"],
    ['unet/../../evil.sh', "climbs out of the package with '..'"],
    ['..\\evil.bat', "climbs out of the package with '..'"],
    ['/etc/cron.d/evil', 'is an absolute path'],
    ['C:/Windows/evil.dll', 'is an absolute path']
  ])('refuses the entry %s (path traversal)', async (entry, reason) => {
    expect(unsafeEntryReason(entry)).toBe(reason);
    const files: Record<string, Uint8Array> = {
      ...fixtureFiles(),
      [entry]: new TextEncoder().encode('#!/bin/sh\necho pwned\n')
    };
    const error = await refusal(readModelZip(zipSync(files), 'evil.zip'));
    expect(error.problem).toBe('unsafe-path');
    expect(error.details.file).toBe(entry);
    expect(error.message).toContain(`the entry '${entry}' ${reason}`);
    expect(error.message).toContain('path traversal');
    expect(error.message).toContain('Nothing was written.');
  });

  it('keeps ordinary names, even with dots in them', () => {
    for (const name of ['weights.onnx', 'a/b..c/d.npy', '..notes', 'x/']) {
      expect(unsafeEntryReason(name)).toBeNull();
    }
  });

  it('refuses a zip bomb by its declared size, before inflating it', async () => {
    // 64 MiB of zeros compress to about 64 kB.
    const bomb = zipSync(
      { ...fixtureFiles(), 'zeros.bin': new Uint8Array(64 * 1024 * 1024) },
      { level: 9 }
    );
    expect(bomb.length).toBeLessThan(5 * 1024 * 1024);
    const limits = { maxTotalBytes: 16 * 1024 * 1024, maxEntries: 100 };
    const error = await refusal(readModelZip(bomb, 'bomb.zip', limits));
    expect(error.problem).toBe('too-large');
    const total =
      64 * 1024 * 1024 +
      Object.values(fixtureFiles()).reduce((n, b) => n + b.length, 0);
    expect(error.details.bytes).toBe(total);
    expect(error.message).toContain(
      `It would unpack to ${formatBytes(total)}, more than the import limit of 16.8 MB`
    );
    expect(error.message).toContain('zip bomb');
  });

  it('refuses a zip whose header declares an absurd size', async () => {
    const zip = zipSync(fixtureFiles(), { level: 1 });
    // Central directory entry of the first file: declared size at +24.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const eocd = zip.length - 22;
    expect(view.getUint32(eocd, true)).toBe(0x06054b50);
    const central = view.getUint32(eocd + 16, true);
    expect(view.getUint32(central, true)).toBe(0x02014b50);
    view.setUint32(central + 24, 0xfffffff0, true);
    const error = await refusal(readModelZip(zip, 'lying.zip'));
    expect(error.problem).toBe('too-large');
    expect(error.message).toContain('more than the import limit of 1.07 GB');
  });

  it('refuses too many entries', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 30; i++) {
      files[`f${i}.txt`] = new Uint8Array([i]);
    }
    const error = await refusal(
      readModelZip(zipSync(files), 'many.zip', {
        maxTotalBytes: 1e9,
        maxEntries: 20
      })
    );
    expect(error.problem).toBe('too-many-files');
    expect(error.message).toContain('it has 30 entries');
  });

  it('names the file, the expected and the actual sha256 of a tampered file', async () => {
    const files = fixtureFiles();
    const tampered = files['weights.onnx'].slice();
    tampered[1000] ^= 0xff;
    files['weights.onnx'] = tampered;
    const actual = sha(tampered);
    const error = await refusal(readModelZip(zipSync(files), 'tampered.zip'));
    expect(error.problem).toBe('checksum');
    expect(error.details).toEqual({
      file: 'weights.onnx',
      expected: ONNX_SHA,
      actual
    });
    expect(error.message).toContain(
      `Refused tampered.zip: 'weights.onnx' does not match the sha256 in bioimageio.yaml (expected ${ONNX_SHA}, got ${actual})`
    );
    expect(error.message).toContain('Nothing was written.');
  });

  it('refuses a package without its ONNX weights', async () => {
    const files = fixtureFiles();
    delete files['weights.onnx'];
    const error = await refusal(readModelZip(zipSync(files), 'noweights.zip'));
    expect(error.problem).toBe('missing-file');
    expect(error.details.file).toBe('weights.onnx');
  });

  it('refuses a package missing a test tensor', async () => {
    const files = fixtureFiles();
    delete files['test_output.npy'];
    const error = await refusal(readModelZip(zipSync(files), 'partial.zip'));
    expect(error.problem).toBe('missing-file');
    expect(error.message).toContain(
      "partial.zip is incomplete: bioimageio.yaml lists 'test_output.npy', which is not in the zip"
    );
  });

  it('refuses a zip without a description', async () => {
    const files = fixtureFiles();
    for (const name of Object.keys(files).filter(n => n.endsWith('.yaml'))) {
      delete files[name];
    }
    const error = await refusal(readModelZip(zipSync(files), 'nodesc.zip'));
    expect(error.problem).toBe('no-description');
    expect(error.message).toContain('nodesc.zip holds no model description');
  });

  it('refuses an invalid description with its field path', async () => {
    const files = fixtureFiles();
    files['bioimageio.yaml'] = new TextEncoder().encode(
      new TextDecoder()
        .decode(files['bioimageio.yaml'])
        .replace(/^inputs:/m, 'inputs_renamed:')
    );
    const error = await refusal(readModelZip(zipSync(files), 'invalid.zip'));
    expect(error.problem).toBe('invalid-description');
    expect(error.message).toContain(
      'bioimageio.yaml in invalid.zip is not a valid model description'
    );
    expect(error.message).toContain('inputs');
  });

  it('refuses bytes that are not a zip', async () => {
    const error = await refusal(
      readModelZip(new TextEncoder().encode('PK? no.'), 'fake.zip')
    );
    expect(error.problem).toBe('not-zip');
    expect(error.message).toContain('fake.zip is not a readable zip file');
  });
});
