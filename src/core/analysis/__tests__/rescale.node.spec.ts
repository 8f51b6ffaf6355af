import { execFileSync } from 'child_process';
import * as path from 'path';

import { rescaledSize, resizeYX } from '../rescale';

const PYTHON =
  process.env.BIOIMAGE_PYTHON ??
  path.resolve(__dirname, '../../../../.venv/bin/python');

describe('resizeYX', () => {
  it('doubles a 2×2 plane with half-pixel centres (as skimage order=1, no anti-aliasing)', () => {
    const a = {
      dtype: 'float32' as const,
      shape: [2, 2],
      data: Float32Array.from([0, 1, 2, 3])
    };
    const r = resizeYX(a, ['y', 'x'], 4, 4);
    // Output centres map to -0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1.
    expect(Array.from(r.data as Float32Array)).toEqual([
      0,
      0.25,
      0.75,
      1, //
      0.5,
      0.75,
      1.25,
      1.5, //
      1.5,
      1.75,
      2.25,
      2.5, //
      2,
      2.25,
      2.75,
      3
    ]);
  });

  it('keeps other axes and agrees with the kernel helper analysis.rescale_yx', () => {
    const shape = [2, 5, 7];
    const data = Float32Array.from({ length: 70 }, (_, i) => Math.sin(i) * 100);
    const r = resizeYX(
      { dtype: 'float32', shape, data },
      ['c', 'y', 'x'],
      8,
      3
    );
    expect(r.shape).toEqual([2, 8, 3]);
    const py = JSON.parse(
      execFileSync(PYTHON, [
        '-c',
        [
          'import json, sys, numpy as np',
          `sys.path.insert(0, ${JSON.stringify(path.resolve(__dirname, '../../../..'))})`,
          'from jupyterlab_bioimage.analysis import rescale_yx',
          'a = (np.sin(np.arange(70)) * 100).astype(np.float32).reshape(2, 5, 7)',
          'print(json.dumps(rescale_yx(a, "CYX", (8, 3)).ravel().tolist()))'
        ].join('\n')
      ]).toString()
    ) as number[];
    const ours = Array.from(r.data as Float32Array);
    expect(py).toHaveLength(ours.length);
    ours.forEach((v, i) => expect(v).toBeCloseTo(py[i], 3));
  });

  it('sizes round and never vanish', () => {
    expect(rescaledSize(512, 0.5)).toBe(256);
    expect(rescaledSize(3, 0.1)).toBe(1);
    expect(rescaledSize(100, 2.1)).toBe(210);
  });
});
