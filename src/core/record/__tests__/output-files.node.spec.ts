import * as path from 'path';

import {
  imageStem,
  outputFileAt,
  outputFileFormat,
  outputFileNextToImage
} from '../output-files';

/** What the callers wrote before: PathExt.join(PathExt.dirname(p), stem). */
function pathExtStem(p: string): string {
  const removeSlash = (s: string) => (s.startsWith('/') ? s.slice(1) : s);
  const dir = removeSlash(path.posix.dirname(p));
  const name = path.posix.basename(p).replace(/\.(ome\.)?[^.]+$/i, '');
  const joined = path.posix.join(dir === '.' ? '' : dir, name);
  return joined === '.' ? '' : removeSlash(joined);
}

describe('outputFileNextToImage', () => {
  it('puts <image name>_<output>.<format> in the folder of the image', () => {
    expect(outputFileNextToImage('data/cells.tif', 'mask', 'tif')).toBe(
      'data/cells_mask.tif'
    );
    expect(outputFileNextToImage('cells.png', 'output0', 'npy')).toBe(
      'cells_output0.npy'
    );
    expect(outputFileNextToImage('a/b/nuclei.npy', 'labels', 'tif')).toBe(
      'a/b/nuclei_labels.tif'
    );
  });

  it('drops the last extension, with an .ome before it', () => {
    expect(outputFileNextToImage('data/cells.ome.tif', 'mask', 'tif')).toBe(
      'data/cells_mask.tif'
    );
    expect(outputFileNextToImage('data/cells.OME.TIFF', 'mask', 'tif')).toBe(
      'data/cells_mask.tif'
    );
    expect(outputFileNextToImage('run.2024.01.npy', 'prob', 'npy')).toBe(
      'run.2024.01_prob.npy'
    );
    expect(outputFileNextToImage('scan', 'prob', 'tif')).toBe('scan_prob.tif');
  });

  it('writes contents paths: normalised, without a leading slash', () => {
    expect(outputFileNextToImage('/data/cells.tif', 'mask', 'tif')).toBe(
      'data/cells_mask.tif'
    );
    expect(outputFileNextToImage('./data//x/../cells.tif', 'm', 'tif')).toBe(
      'data/cells_m.tif'
    );
  });

  it('builds the stem exactly as PathExt.join(dirname, basename − ext) did', () => {
    const cases = [
      'cells.tif',
      'data/cells.ome.tif',
      '/data/cells.tif',
      '//data/cells.tif',
      '/cells.tif',
      './cells.tif',
      '../up/cells.tif',
      'a/../../cells.tif',
      'a/./b//c.npy',
      'dir/',
      'dir/.tif',
      '.hidden',
      'a.b.c',
      'x/y.ome.',
      '',
      '/',
      '.',
      '..',
      'a/b/',
      'with space/Ünïcode.tiff'
    ];
    for (const p of cases) {
      expect([p, imageStem(p)]).toEqual([p, pathExtStem(p)]);
    }
  });
});

describe('outputFileFormat', () => {
  it('is tif for planes and stacks of T, C, Z, Y, X, else npy', () => {
    expect(outputFileFormat(['y', 'x'])).toBe('tif');
    expect(outputFileFormat(['c', 'z', 'y', 'x'])).toBe('tif');
    expect(outputFileFormat('tczyx')).toBe('tif');
    expect(outputFileFormat('ZYX')).toBe('tif');
    expect(outputFileFormat(['y', 'x', 'c'])).toBe('npy');
    expect(outputFileFormat(['b', 'y', 'x'])).toBe('npy');
    expect(outputFileFormat(['channel', 'y', 'x'])).toBe('npy');
    expect(outputFileFormat(['x'])).toBe('npy');
    expect(outputFileFormat([])).toBe('npy');
  });
});

describe('outputFileAt', () => {
  it('is the chosen file itself for a single output', () => {
    expect(outputFileAt('out/pred.tif', 'mask', 1)).toBe('out/pred.tif');
  });

  it('adds _<id> before the extension for several outputs', () => {
    expect(outputFileAt('out/pred.tif', 'mask', 2)).toBe('out/pred_mask.tif');
    expect(outputFileAt('pred.NPY', 'foreground', 3)).toBe(
      'pred_foreground.NPY'
    );
    expect(outputFileAt('out.d/pred.ome.tiff', 'a', 2)).toBe(
      'out.d/pred.ome_a.tiff'
    );
  });

  it('reads the extension as path.extname does', () => {
    const cases = [
      'a.tif',
      'dir/a.npy',
      '.tif',
      '..tif',
      'a..tif',
      'dir.x/a',
      'a.tif/',
      '..',
      '.',
      '',
      'a.',
      '/x/.y.tiff'
    ];
    for (const p of cases) {
      const ext = path.posix.extname(p);
      const expected = `${p.slice(0, p.length - ext.length)}_id${ext}`;
      expect([p, outputFileAt(p, 'id', 2)]).toEqual([p, expected]);
    }
  });
});
