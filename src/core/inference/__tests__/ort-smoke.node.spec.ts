/**
 * Proves the Node path of onnxruntime-web works under jest: a real inference
 * on a tiny ONNX graph written by the `onnx` Python package.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-web';

const PYTHON =
  process.env.BIOIMAGE_PYTHON ??
  path.resolve(__dirname, '../../../../.venv/bin/python');

const MAKE_RELU = `
import sys, onnx
from onnx import helper, TensorProto
x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [None])
y = helper.make_tensor_value_info('y', TensorProto.FLOAT, [None])
graph = helper.make_graph([helper.make_node('Relu', ['x'], ['y'])], 'relu', [x], [y])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
model.ir_version = 8
onnx.save(model, sys.argv[1])
`;

describe('onnxruntime-web under Node', () => {
  let modelPath: string;

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-ort-'));
    modelPath = path.join(dir, 'relu.onnx');
    execFileSync(PYTHON, ['-c', MAKE_RELU, modelPath]);
    ort.env.wasm.numThreads = 1;
  });

  it('runs a Relu graph on the wasm backend', async () => {
    const bytes = new Uint8Array(fs.readFileSync(modelPath));
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['wasm']
    });
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const x = new ort.Tensor(
      'float32',
      Float32Array.from([-1, 2, -0.5, 3.25]),
      [4]
    );
    const { y } = await session.run({ x });
    expect(Array.from(y.data as Float32Array)).toEqual([0, 2, 0, 3.25]);
    await session.release();
  });
});
