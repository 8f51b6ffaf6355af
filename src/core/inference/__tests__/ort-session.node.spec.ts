/**
 * The onnxruntime-web session wrapper on tiny graphs written by the `onnx`
 * Python package, and the full model test on the shared fixture model.
 * Needs NODE_OPTIONS=--experimental-vm-modules (ORT's Node build loads its
 * wasm through a dynamic import).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../../tensor/npy';
import { parseDescription } from '../../spec/description';
import type { IModelDescription } from '../../spec/types';
import { createOrtSession } from '../session/ort';
import type { IOrtSession } from '../session/types';
import { predict, testModel } from '../pipeline';
import type { ITensor } from '../../tensor/tensor';
import { axis, descr, model } from './helpers';
import { randomTensor } from './fake-network';

// The per-project `testTimeout` in jest.config.js is not honoured (jest
// warns "Unknown option"); real inference on a loaded machine needs more
// than the 5 s default.
jest.setTimeout(120000);

const PYTHON =
  process.env.BIOIMAGE_PYTHON ??
  path.resolve(__dirname, '../../../../.venv/bin/python');
const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
const UNET = path.join(FIXTURES, 'models', 'unet2d_nuclei_broad');

// Graph inputs deliberately named against alphabetical order: feeding by
// name or sorted name would swap them; by position must not.
const MAKE_GRAPHS = `
import sys, onnx
from onnx import helper, TensorProto as T
def save(nodes, ins, outs, name):
    g = helper.make_graph(nodes, name, ins, outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
    m.ir_version = 8
    onnx.save(m, sys.argv[1] + '/' + name + '.onnx')
dyn = [1, 1, 'h', 'w']
save([helper.make_node('Sub', ['zz', 'aa'], ['diff']), helper.make_node('Relu', ['zz'], ['relu'])],
     [helper.make_tensor_value_info('zz', T.FLOAT, dyn), helper.make_tensor_value_info('aa', T.FLOAT, dyn)],
     [helper.make_tensor_value_info('diff', T.FLOAT, dyn), helper.make_tensor_value_info('relu', T.FLOAT, dyn)],
     'two_inputs')
save([helper.make_node('Neg', ['x'], ['y'])],
     [helper.make_tensor_value_info('x', T.FLOAT, [1, 1, 8, 8])],
     [helper.make_tensor_value_info('y', T.FLOAT, [1, 1, 8, 8])],
     'static_neg')
`;

const space = (id: string) =>
  axis(id, { kind: 'parameterized', min: 8, step: 8 });
const refAxis = (id: string) =>
  axis(id, { kind: 'reference', tensorId: 'raw', axisId: id, offset: 0 });
const bc = () => [
  axis('batch', { kind: 'any' }),
  axis('channel', { kind: 'fixed', value: 1 })
];

describe('ORT session wrapper', () => {
  let dir: string;
  const sessions: IOrtSession[] = [];
  const open = async (name: string): Promise<IOrtSession> => {
    const bytes = new Uint8Array(
      fs.readFileSync(path.join(dir, `${name}.onnx`))
    );
    const s = await createOrtSession(bytes, { backend: 'auto' });
    sessions.push(s);
    return s;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-runtime-'));
    execFileSync(PYTHON, ['-c', MAKE_GRAPHS, dir]);
  });

  afterAll(async () => {
    for (const s of sessions) {
      await s.release();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('feeds and fetches by position and reports the backend', async () => {
    const s = await open('two_inputs');
    expect(s.backend).toBe('wasm');
    expect(s.inputNames).toEqual(['zz', 'aa']);
    expect(s.inputShapes).toEqual([
      [1, 1, null, null],
      [1, 1, null, null]
    ]);
    const m = model(
      [
        descr('raw', [...bc(), space('y'), space('x')]),
        descr('aux', [...bc(), space('y'), space('x')])
      ],
      [
        descr('minus', [...bc(), refAxis('y'), refAxis('x')]),
        descr('pos', [...bc(), refAxis('y'), refAxis('x')])
      ]
    );
    const a = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 8, 16], 1);
    const b = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 8, 16], 2);
    // Given as float64: the wrapper casts to the graph's float32.
    const b64: ITensor = {
      ...b,
      dtype: 'float64',
      data: Float64Array.from(b.data as Float32Array)
    };
    const out = await predict(
      m,
      s,
      new Map([
        ['raw', a],
        ['aux', b64]
      ]),
      { tiling: false }
    );
    const minus = out.get('minus')!.data as Float32Array;
    const av = a.data as Float32Array;
    const bv = b.data as Float32Array;
    expect(Array.from(minus)).toEqual(
      Array.from(av, (v, i) => Math.fround(v - bv[i]))
    );
    expect(Array.from(out.get('pos')!.data as Float32Array)).toEqual(
      Array.from(av)
    );
  });

  it('tiles to the static graph shape although the description is parameterized', async () => {
    const s = await open('static_neg');
    expect(s.inputShapes).toEqual([[1, 1, 8, 8]]);
    const m = model(
      [descr('raw', [...bc(), space('y'), space('x')])],
      [descr('out', [...bc(), refAxis('y'), refAxis('x')])]
    );
    const x = randomTensor(['batch', 'channel', 'y', 'x'], [1, 1, 20, 13], 3);
    let tiles = 0;
    const out = await predict(m, s, [x], {
      onProgress: (_d, t) => (tiles = t)
    });
    expect(tiles).toBe(6); // y: starts 0, 8, 12; x: 0, 5
    expect(Array.from(out.get('out')!.data as Float32Array)).toEqual(
      Array.from(x.data as Float32Array, v => -v)
    );
  });

  it('falls back to wasm when the requested backend fails', async () => {
    const bytes = new Uint8Array(
      fs.readFileSync(path.join(dir, 'static_neg.onnx'))
    );
    const s = await createOrtSession(bytes, {
      backend: 'webgpu',
      probe: {
        webgpu: 'hardware',
        webnn: false,
        crossOriginIsolated: false,
        sharedMemory: true,
        hardwareConcurrency: 1
      }
    });
    sessions.push(s);
    expect(s.backend).toBe('wasm');
    expect(s.failures.map(f => f.backend)).toEqual(['webgpu']);
  });

  it('reports the threads it runs with, and why not the ones asked for', async () => {
    // Node has no cross-origin isolation: the default is one thread.
    const one = await open('static_neg');
    expect(one.threads).toBe(1);
    expect(one.threadsRequested).toBe(1);
    expect(one.threadsReason).toBeUndefined();
    // ORT's wasm runtime of this module already started with 1 thread: a
    // later request for 2 gets 1, with the reason.
    const bytes = new Uint8Array(
      fs.readFileSync(path.join(dir, 'static_neg.onnx'))
    );
    const two = await createOrtSession(bytes, {
      backend: 'wasm',
      numThreads: 2
    });
    sessions.push(two);
    expect(two.threads).toBe(1);
    expect(two.threadsRequested).toBe(2);
    expect(two.threadsReason).toMatch(/already runs with 1 thread/);
  });
});

describe('fixture model unet2d_nuclei_broad', () => {
  let m: IModelDescription;
  let session: IOrtSession;

  beforeAll(async () => {
    const parsed = parseDescription(
      fs.readFileSync(path.join(UNET, 'bioimageio.yaml'), 'utf8')
    );
    if (parsed.kind !== 'model') {
      throw new Error('fixture is not a model');
    }
    m = parsed.model;
    session = await createOrtSession(
      new Uint8Array(fs.readFileSync(path.join(UNET, 'weights.onnx'))),
      {
        backend: 'wasm'
      }
    );
  });

  afterAll(async () => {
    await session?.release();
  });

  it('reproduces the test output untiled', async () => {
    const input = readNpy(
      new Uint8Array(fs.readFileSync(path.join(UNET, 'test_input.npy')))
    );
    const expected = readNpy(
      new Uint8Array(fs.readFileSync(path.join(UNET, 'test_output.npy')))
    );
    expect(session.inputShapes).toEqual([[1, 1, 512, 512]]);
    const report = await testModel(m, session, [input], [expected], 'onnx');
    expect(report.passed).toBe(true);
    expect(report.outputs[0].mismatched).toBe(0);
    expect(report.outputs[0].maxAbsDiff).toBeLessThan(1e-4);
  });
});
