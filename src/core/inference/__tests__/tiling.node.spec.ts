/**
 * Tiled inference must equal untiled inference for networks whose
 * receptive field fits in the halo. The fake networks are box filters with
 * symmetric borders, so the expected result is computed directly on the whole
 * image, independent of the pipeline.
 */
import type { AxisSize, IAxis } from '../../spec/types';
import { predict } from '../pipeline';
import { planTiles } from '../tiling';
import type { ITensor } from '../../tensor/tensor';
import { axis, descr, maxAbsDiff, model } from './helpers';
import {
  boxFilter,
  FakeSession,
  randomTensor,
  upsampleAlong
} from './fake-network';

const param: AxisSize = { kind: 'parameterized', min: 16, step: 8 };
const ref = (axisId: string, offset = 0): AxisSize => ({
  kind: 'reference',
  tensorId: 'raw',
  axisId,
  offset
});

function inAxes(space: string[], size: AxisSize = param): IAxis[] {
  return [
    axis('batch', { kind: 'any' }),
    axis('channel', { kind: 'fixed', value: 1 }),
    ...space.map(id => axis(id, size))
  ];
}

function outAxes(
  space: string[],
  halo: number,
  offset = 0,
  scale = 1
): IAxis[] {
  return [
    axis('batch', { kind: 'any' }),
    axis('channel', { kind: 'fixed', value: 1 }),
    ...space.map(id => axis(id, ref(id, offset), { halo, scale }))
  ];
}

/** A one-input model whose network is a box filter over the spatial axes. */
function filterModel(space: string[], halo: number, size: AxisSize = param) {
  const m = model(
    [descr('raw', inAxes(space, size))],
    [descr('out', outAxes(space, halo))]
  );
  const spatial = space.map((_, i) => i + 2);
  const session = new FakeSession(['in'], ['out'], ([x]) => [
    boxFilter(x, spatial, 1)
  ]);
  return { m, session, spatial };
}

async function run(
  m: ReturnType<typeof model>,
  session: FakeSession,
  x: ITensor,
  tiling: Parameters<typeof predict>[3] extends infer O
    ? O extends { tiling?: infer T }
      ? T
      : never
    : never
): Promise<ITensor> {
  const out = await predict(m, session, new Map([['raw', x]]), { tiling });
  return out.get('out') as ITensor;
}

describe('tile planning', () => {
  it('follows core: inner = block − 2·halo, last start clamped', () => {
    const m = model(
      [descr('raw', inAxes(['y', 'x'], { kind: 'fixed', value: 512 }))],
      [descr('out', outAxes(['y', 'x'], 32))]
    );
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 1000, 512]);
    const plan = planTiles(m, [x], {});
    const y = plan.grids.find(g => g.axisId === 'y')!;
    expect(y).toMatchObject({ block: 512, halo: 32, inner: 448 });
    expect(y.starts).toEqual([0, 448, 552]);
    // 512 fits one block: run whole, no halo.
    expect(plan.grids.find(g => g.axisId === 'x')).toMatchObject({
      starts: [0],
      halo: 0
    });
    expect(plan.nTiles).toBe(3);
  });

  it('lets static graph dims win over a parameterized description', () => {
    const { m } = filterModel(['y', 'x'], 2);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 50, 50]);
    const plan = planTiles(m, [x], { blockShape: { y: 64, x: 64 } }, [
      [1, 1, 32, null]
    ]);
    expect(plan.inputBlockShapes[0]).toEqual([1, 1, 32, 56]);
    expect(plan.notes.join(' ')).toMatch(/fixed at 32/);
  });

  it('rounds requested blocks up to min + n·step and rejects tiny blocks', () => {
    const { m } = filterModel(['y', 'x'], 8);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 100, 100]);
    const plan = planTiles(m, [x], { blockShape: { y: 30, x: 41 } });
    expect(plan.inputBlockShapes[0]).toEqual([1, 1, 32, 48]);
    expect(() => planTiles(m, [x], { blockShape: { y: 16, x: 16 } })).toThrow(
      /no inner region/
    );
  });

  it('explains an untiled run that cannot fit a fixed model', () => {
    const m = model(
      [descr('raw', inAxes(['y', 'x'], { kind: 'fixed', value: 32 }))],
      [descr('out', outAxes(['y', 'x'], 0))]
    );
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 40, 20]);
    expect(() => planTiles(m, [x], false)).toThrow(
      /takes exactly 32; enable tiling/
    );
  });
});

describe('tiled equals untiled', () => {
  it.each([
    [[37, 53], { y: 24, x: 32 }],
    [[61, 29], { y: 16, x: 24 }],
    [[17, 17], { y: 64, x: 64 }]
  ])('2D %j with blocks %j', async (size, blockShape) => {
    const { m, session, spatial } = filterModel(['y', 'x'], 2);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, ...size], 7);
    const expected = boxFilter(x, spatial, 1);
    const tiled = await run(m, session, x, { blockShape });
    expect(tiled.shape).toEqual(expected.shape);
    expect(
      maxAbsDiff(tiled.data as Float32Array, expected.data as Float32Array)
    ).toBeLessThan(1e-6);
    const untiled = await run(m, session, x, false);
    expect(
      maxAbsDiff(untiled.data as Float32Array, expected.data as Float32Array)
    ).toBeLessThan(1e-6);
    // Every block had a valid parameterized size.
    for (const call of session.calls) {
      for (const s of call[0].slice(2)) {
        expect((s - 16) % 8).toBe(0);
      }
    }
  });

  it('uses several tiles (the test above is not trivially untiled)', async () => {
    const { m, session } = filterModel(['y', 'x'], 2);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 37, 53]);
    await run(m, session, x, { blockShape: { y: 24, x: 32 } });
    // inner y = 20 → starts 0, 17; inner x = 28 → starts 0, 25.
    expect(session.calls.length).toBe(4);
    expect(session.calls[0][0]).toEqual([1, 1, 24, 32]);
  });

  it('fails without a halo (so the halo is what makes tiles agree)', async () => {
    const { m, session, spatial } = filterModel(['y', 'x'], 0);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 37, 53]);
    const tiled = await run(m, session, x, { blockShape: { y: 24, x: 32 } });
    const expected = boxFilter(x, spatial, 1);
    expect(
      maxAbsDiff(tiled.data as Float32Array, expected.data as Float32Array)
    ).toBeGreaterThan(1e-3);
  });

  it('3D with odd sizes', async () => {
    const small: AxisSize = { kind: 'parameterized', min: 4, step: 4 };
    const { m, session, spatial } = filterModel(['z', 'y', 'x'], 1, small);
    const x = randomTensor(
      ['batch', 'channel', 'z', 'y', 'x'],
      [1, 1, 11, 19, 23],
      3
    );
    const expected = boxFilter(x, spatial, 1);
    const tiled = await run(m, session, x, {
      blockShape: { z: 8, y: 16, x: 16 }
    });
    // inner 6/14/14 → 2 starts per axis.
    expect(session.calls.length).toBe(8);
    expect(
      maxAbsDiff(tiled.data as Float32Array, expected.data as Float32Array)
    ).toBeLessThan(1e-6);
  });

  it('fixed-size model: larger image tiled, smaller image padded and cropped', async () => {
    const fixed: AxisSize = { kind: 'fixed', value: 32 };
    const { m, session, spatial } = filterModel(['y', 'x'], 4, fixed);
    for (const size of [
      [45, 70],
      [20, 25]
    ]) {
      const x = randomTensor(
        ['batch', 'channel', 'y', 'x'],
        [1, 1, ...size],
        11
      );
      const out = await run(m, session, x, {});
      expect(out.shape).toEqual([1, 1, ...size]);
      const expected = boxFilter(x, spatial, 1);
      expect(
        maxAbsDiff(out.data as Float32Array, expected.data as Float32Array)
      ).toBeLessThan(1e-6);
    }
    expect(session.calls.every(c => c[0][2] === 32 && c[0][3] === 32)).toBe(
      true
    );
  });

  it('batch of 2 runs one block per sample', async () => {
    const { m, session, spatial } = filterModel(['y', 'x'], 2);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [2, 1, 21, 30], 5);
    const out = await run(m, session, x, { blockShape: { y: 16, x: 24 } });
    expect(session.calls.every(c => c[0][0] === 1)).toBe(true);
    expect(
      maxAbsDiff(
        out.data as Float32Array,
        boxFilter(x, spatial, 1).data as Float32Array
      )
    ).toBeLessThan(1e-6);
  });

  it('multi-input, multi-output with a fixed 2-channel output', async () => {
    const space = ['y', 'x'];
    const m = model(
      [descr('raw', inAxes(space)), descr('aux', inAxes(space))],
      [
        descr('out', outAxes(space, 2)),
        descr('both', [
          axis('batch', { kind: 'any' }),
          axis('channel', { kind: 'fixed', value: 2 }),
          axis('y', ref('y'), { halo: 0 }),
          axis('x', ref('x'), { halo: 0 })
        ])
      ]
    );
    const session = new FakeSession(['a', 'b'], ['o', 'p'], ([a, b]) => {
      const sum = Float32Array.from(
        a.data as Float32Array,
        (v, i) => v + 2 * Number(b.data[i])
      );
      const both = new Float32Array(sum.length * 2);
      both.set(a.data as Float32Array, 0);
      both.set(b.data as Float32Array, sum.length);
      return [
        boxFilter({ ...a, data: sum }, [2, 3], 1),
        { ...a, shape: [1, 2, a.shape[2], a.shape[3]], data: both }
      ];
    });
    const a = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 33, 41], 1);
    const b = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 33, 41], 2);
    const out = await predict(
      m,
      session,
      new Map([
        ['raw', a],
        ['aux', b]
      ]),
      {
        tiling: { blockShape: { y: 24, x: 24 } }
      }
    );
    const sum = Float32Array.from(
      a.data as Float32Array,
      (v, i) => v + 2 * Number(b.data[i])
    );
    const expected = boxFilter({ ...a, data: sum }, [2, 3], 1);
    expect(
      maxAbsDiff(
        out.get('out')!.data as Float32Array,
        expected.data as Float32Array
      )
    ).toBeLessThan(1e-6);
    const both = out.get('both')!;
    expect(both.shape).toEqual([1, 2, 33, 41]);
    const n = 33 * 41;
    expect(
      maxAbsDiff(
        (both.data as Float32Array).subarray(0, n),
        a.data as Float32Array
      )
    ).toBe(0);
    expect(
      maxAbsDiff(
        (both.data as Float32Array).subarray(n),
        b.data as Float32Array
      )
    ).toBe(0);
  });

  it('network that crops its border (offset −2) tiles without seams', async () => {
    const space = ['y', 'x'];
    const m = model(
      [descr('raw', inAxes(space))],
      [descr('out', outAxes(space, 0, -2))]
    );
    const session = new FakeSession(['i'], ['o'], ([x]) => [
      boxFilter(x, [2, 3], 1, true)
    ]);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 45, 38], 9);
    const out = await run(m, session, x, { blockShape: { y: 16, x: 16 } });
    const expected = boxFilter(x, [2, 3], 1, true);
    expect(out.shape).toEqual([1, 1, 43, 36]);
    expect(session.calls.length).toBeGreaterThan(4);
    expect(
      maxAbsDiff(out.data as Float32Array, expected.data as Float32Array)
    ).toBeLessThan(1e-6);
  });

  it('2× up-sampling output (axis scale 0.5 vs input 1.0)', async () => {
    const space = ['y', 'x'];
    const m = model(
      [descr('raw', inAxes(space))],
      [descr('out', outAxes(space, 4, 0, 0.5))]
    );
    const session = new FakeSession(['i'], ['o'], ([x]) => [
      upsampleAlong(upsampleAlong(boxFilter(x, [2, 3], 1), 2, 2), 3, 2)
    ]);
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 29, 35], 4);
    const out = await run(m, session, x, { blockShape: { y: 16, x: 24 } });
    const expected = upsampleAlong(
      upsampleAlong(boxFilter(x, [2, 3], 1), 2, 2),
      3,
      2
    );
    expect(out.shape).toEqual([1, 1, 58, 70]);
    expect(session.calls.length).toBeGreaterThan(4);
    expect(
      maxAbsDiff(out.data as Float32Array, expected.data as Float32Array)
    ).toBeLessThan(1e-6);
  });
});
