/**
 * Writing an imported (or downloaded) package into the workspace: where it
 * goes, that an existing different package is never overwritten, and that a
 * refused zip, a failed write or a cancel leaves nothing behind. The file
 * tree is an in-memory stand-in that follows the Jupyter server's rules
 * (no hidden names, no rename onto an existing path, no deleting non-empty
 * folders, chunked saves appended); the zips are real.
 */
import * as fs from 'fs';
import * as path from 'path';
import { zipSync } from 'fflate';
import type { Contents } from '@jupyterlab/services';

import {
  Transfer,
  TransferCancelledError
} from '../../../core/package/transfer';
import { saveBytes, writeFolder } from '../../workspace-files';
import { ZipImportError } from '../../../core/package/zip-import';
import { importModelZip } from '../workspace';

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
const PKG = path.join(FIXTURES, 'models/unet2d_nuclei_broad');
const FOLDER = 'bioimage-models/UNet_2D_Nuclei_Broad';

function fixtureFiles(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const name of fs.readdirSync(PKG)) {
    files[name] = new Uint8Array(fs.readFileSync(path.join(PKG, name)));
  }
  return files;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

class HttpError extends Error {
  constructor(
    status: number,
    message: string,
    readonly response = { status }
  ) {
    super(message);
  }
}

/** A Jupyter file tree in memory. */
class FileTree {
  entries = new Map<string, { type: 'directory' } | { bytes: Uint8Array }>([
    ['', { type: 'directory' }]
  ]);
  saves: Array<{ path: string; chunk?: number }> = [];
  /** Make an operation fail, as a full disk or a lost connection would. */
  failOn: (op: string, path: string) => boolean = () => false;

  paths(): string[] {
    return Array.from(this.entries.keys()).filter(Boolean).sort();
  }

  bytes(p: string): Uint8Array {
    const e = this.entries.get(p);
    if (!e || !('bytes' in e)) {
      throw new Error(`no file ${p}`);
    }
    return e.bytes;
  }

  private _check(op: string, p: string): string {
    p = p.replace(/^\/+|\/+$/g, '');
    if (this.failOn(op, p)) {
      throw new HttpError(500, `${op} ${p} failed`);
    }
    return p;
  }

  private _parentExists(p: string): void {
    const parent = path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p);
    const e = this.entries.get(parent);
    if (!e || 'bytes' in e) {
      throw new HttpError(404, `no folder ${parent}`);
    }
    if (path.posix.basename(p).startsWith('.')) {
      throw new HttpError(400, `hidden ${p}`);
    }
  }

  private _children(dir: string): string[] {
    return this.paths().filter(
      p => (path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p)) === dir
    );
  }

  manager(): Contents.IManager {
    return FileTree.managerOf(this);
  }

  private static managerOf(tree: FileTree): Contents.IManager {
    const model = (p: string, content: boolean): Partial<Contents.IModel> => {
      const e = tree.entries.get(p)!;
      const name = path.posix.basename(p);
      if ('bytes' in e) {
        return {
          name,
          path: p,
          type: 'file',
          size: e.bytes.length,
          content: content ? b64(e.bytes) : null
        };
      }
      return {
        name,
        path: p,
        type: 'directory',
        content: content ? tree._children(p).map(c => model(c, false)) : null
      };
    };
    const api = {
      async get(p: string, options?: { content?: boolean }) {
        p = tree._check('get', p);
        if (!tree.entries.has(p)) {
          throw new HttpError(404, `no ${p}`);
        }
        return model(p, options?.content !== false);
      },
      async save(p: string, options: Partial<Contents.IModel>) {
        p = tree._check('save', p);
        tree._parentExists(p);
        tree.saves.push({ path: p, chunk: options.chunk });
        if (options.type === 'directory') {
          tree.entries.set(p, { type: 'directory' });
        } else {
          const data = fromB64(String(options.content));
          const old = tree.entries.get(p);
          const chunk = options.chunk;
          if (chunk !== undefined && chunk !== 1) {
            if (!old || !('bytes' in old)) {
              throw new HttpError(400, `chunk ${chunk} of a new file ${p}`);
            }
            const joined = new Uint8Array(old.bytes.length + data.length);
            joined.set(old.bytes);
            joined.set(data, old.bytes.length);
            tree.entries.set(p, { bytes: joined });
          } else {
            tree.entries.set(p, { bytes: data });
          }
        }
        return model(p, false);
      },
      async rename(from: string, to: string) {
        from = tree._check('rename', from);
        to = tree._check('rename', to);
        if (!tree.entries.has(from)) {
          throw new HttpError(404, `no ${from}`);
        }
        if (tree.entries.has(to)) {
          throw new HttpError(409, `File already exists: ${to}`);
        }
        tree._parentExists(to);
        for (const p of tree.paths()) {
          if (p === from || p.startsWith(`${from}/`)) {
            tree.entries.set(to + p.slice(from.length), tree.entries.get(p)!);
            tree.entries.delete(p);
          }
        }
        return model(to, false);
      },
      async delete(p: string) {
        p = tree._check('delete', p);
        if (!tree.entries.has(p)) {
          throw new HttpError(404, `no ${p}`);
        }
        if (tree._children(p).length) {
          throw new HttpError(400, `Directory ${p} not empty`);
        }
        tree.entries.delete(p);
      }
    };
    return api as unknown as Contents.IManager;
  }
}

describe('importModelZip into the workspace', () => {
  let tree: FileTree;
  let contents: Contents.IManager;
  beforeEach(() => {
    tree = new FileTree();
    contents = tree.manager();
  });

  async function putZip(name: string, files: Record<string, Uint8Array>) {
    await contents.save(name, {
      type: 'file',
      format: 'base64',
      content: b64(zipSync(files))
    });
  }

  it('unpacks the fixture package into bioimage-models/<name>', async () => {
    const files = fixtureFiles();
    await putZip('unet.zip', files);
    const result = await importModelZip(contents, {
      kind: 'path',
      path: 'unet.zip'
    });
    expect(result.folder).toBe(FOLDER);
    expect(result.description).toBe(`${FOLDER}/bioimageio.yaml`);
    expect(result.reused).toBe(false);
    expect(result.files).toBe(Object.keys(files).length);
    expect(result.verified).toBe(6);
    for (const [name, bytes] of Object.entries(files)) {
      expect(Buffer.from(tree.bytes(`${FOLDER}/${name}`)).equals(bytes)).toBe(
        true
      );
    }
    expect(tree.paths().filter(p => p.includes('.partial-'))).toEqual([]);
    expect(tree.paths()).toEqual(
      [
        'bioimage-models',
        FOLDER,
        ...Object.keys(files).map(n => `${FOLDER}/${n}`),
        'unet.zip'
      ].sort()
    );
  });

  it('reuses a folder holding the same package, writing nothing', async () => {
    await putZip('unet.zip', fixtureFiles());
    await importModelZip(contents, { kind: 'path', path: 'unet.zip' });
    const saves = tree.saves.length;
    const again = await importModelZip(contents, {
      kind: 'path',
      path: 'unet.zip'
    });
    expect(again).toMatchObject({ folder: FOLDER, reused: true, files: 0 });
    expect(tree.saves.length).toBe(saves);
  });

  it('never overwrites a folder holding another package', async () => {
    await contents.save('bioimage-models', { type: 'directory' });
    await contents.save(FOLDER, { type: 'directory' });
    const mine = new TextEncoder().encode('my own notes');
    await contents.save(`${FOLDER}/notes.txt`, {
      type: 'file',
      format: 'base64',
      content: b64(mine)
    });
    await putZip('unet.zip', fixtureFiles());
    const result = await importModelZip(contents, {
      kind: 'path',
      path: 'unet.zip'
    });
    expect(result.folder).toBe(`${FOLDER}-2`);
    expect(result.skipped).toEqual([FOLDER]);
    expect(tree.paths().filter(p => p.startsWith(`${FOLDER}/`))).toEqual([
      `${FOLDER}/notes.txt`
    ]);
    expect(tree.bytes(`${FOLDER}-2/weights.onnx`).length).toBe(1806764);
  });

  it('writes nothing for a tampered zip', async () => {
    const files = fixtureFiles();
    files['test_input.npy'] = files['test_input.npy'].slice();
    files['test_input.npy'][200] ^= 1;
    await putZip('tampered.zip', files);
    const before = tree.paths();
    const saves = tree.saves.length;
    await expect(
      importModelZip(contents, { kind: 'path', path: 'tampered.zip' })
    ).rejects.toThrow(
      /Refused tampered\.zip: 'test_input\.npy' does not match the sha256 in bioimageio\.yaml \(expected 92768a2e[0-9a-f]{56}, got [0-9a-f]{64}\)/
    );
    expect(tree.saves.length).toBe(saves);
    expect(tree.paths()).toEqual(before);
  });

  it('removes everything when a write fails half-way', async () => {
    await putZip('unet.zip', fixtureFiles());
    const before = tree.paths();
    tree.failOn = (op, p) => op === 'save' && p.endsWith('/weights.onnx');
    await expect(
      importModelZip(contents, { kind: 'path', path: 'unet.zip' })
    ).rejects.toThrow(
      `Could not write unet.zip into ${FOLDER}: save ${FOLDER}.partial-`
    );
    expect(tree.saves.some(s => s.path.endsWith('/test_input.npy'))).toBe(true);
    // The staging folder and the bioimage-models folder it needed are gone.
    expect(tree.paths()).toEqual(before);
  });

  it('refuses a dropped file larger than the limit before reading it', async () => {
    const file = new Blob([new Uint8Array(3000)]);
    const read = jest.spyOn(file, 'arrayBuffer');
    const error = await importModelZip(
      contents,
      { kind: 'file', file, name: 'big.zip' },
      { limits: { maxTotalBytes: 2000, maxEntries: 10 } }
    ).catch(e => e);
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error.problem).toBe('too-large');
    expect(error.message).toContain('the zip file is 3.0 kB');
    expect(read).not.toHaveBeenCalled();
  });

  it('imports a zip dropped from the computer', async () => {
    const file = new Blob([zipSync(fixtureFiles())]);
    const result = await importModelZip(contents, {
      kind: 'file',
      file,
      name: 'unet.zip'
    });
    expect(result.folder).toBe(FOLDER);
    expect(tree.bytes(`${FOLDER}/test_output.npy`).length).toBe(1048704);
  });
});

describe('writeFolder', () => {
  it('sends large files in chunks that the server appends', async () => {
    const tree = new FileTree();
    const contents = tree.manager();
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) % 251);
    await saveBytes(contents, 'big.bin', bytes, 4096);
    expect(tree.saves.map(s => s.chunk)).toEqual([1, 2, -1]);
    expect(Buffer.from(tree.bytes('big.bin')).equals(bytes)).toBe(true);
  });

  it('leaves nothing when cancelled while saving', async () => {
    const tree = new FileTree();
    const contents = tree.manager();
    const transfer = new Transfer(p => {
      if (p.phase === 'saving' && p.index === 2) {
        transfer.cancel();
      }
    });
    await expect(
      writeFolder(contents, 'out/pkg', fixtureFiles(), { transfer })
    ).rejects.toBeInstanceOf(TransferCancelledError);
    expect(tree.paths()).toEqual([]);
  });

  it('merges into an existing folder, keeping the files the user added', async () => {
    const tree = new FileTree();
    const contents = tree.manager();
    const old = new TextEncoder().encode('old weights');
    const notes = new TextEncoder().encode('notes');
    await writeFolder(contents, 'out/pkg', {
      'weights.onnx': old,
      'notes.txt': notes
    });
    const files = fixtureFiles();
    await writeFolder(contents, 'out/pkg', files, { existing: 'merge' });
    expect(tree.bytes('out/pkg/weights.onnx').length).toBe(1806764);
    expect(Buffer.from(tree.bytes('out/pkg/notes.txt')).equals(notes)).toBe(
      true
    );
    expect(tree.paths().filter(p => /partial|\.old-/.test(p))).toEqual([]);
    await expect(writeFolder(contents, 'out/pkg', files)).rejects.toThrow(
      "'out/pkg' already exists"
    );
  });
});
