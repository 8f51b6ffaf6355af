/**
 * A model's own test data, read from its package for the model test
 * (`testModel`): the test tensor of every input, then of every output, in
 * description order, each sha256-checked by the package. Shared by the
 * inference worker and the CLI's `test`; the caller chooses the error for a
 * tensor without a test tensor.
 */
import type { IModelPackage } from '../package/package';
import type { INDArray } from '../tensor/tensor';

/** The test tensors of the inputs and of the outputs of `pkg`'s model. */
export async function readTestTensors(
  pkg: IModelPackage,
  missing: (role: 'input' | 'output', id: string) => Error = (_, id) =>
    new Error(`the description has no test tensor for '${id}'`)
): Promise<{ inputs: INDArray[]; outputs: INDArray[] }> {
  const read = (role: 'input' | 'output') =>
    Promise.all(
      pkg.model[role === 'input' ? 'inputs' : 'outputs'].map(d => {
        if (!d.testTensor) {
          throw missing(role, d.id);
        }
        return pkg.readTensor(d.testTensor);
      })
    );
  const inputs = await read('input');
  const outputs = await read('output');
  return { inputs, outputs };
}
