import * as path from 'path';
import { describeProcessing } from '../description';
import type { AxisSize, IModelDescription, ITensorDescr } from '../types';
import { load, PKG, RDF } from './fixtures';

/** Concrete sizes of every non-batch axis, for given input sizes (SizeReference resolved). */
function resolveSizes(
  model: IModelDescription,
  inputSizes: Record<string, number>
): Record<string, number> {
  const out: Record<string, number> = {};
  const tensors = [...model.inputs, ...model.outputs];
  const sizeOf = (t: ITensorDescr, axisId: string): number => {
    const axis = t.axes.find(a => a.id === axisId)!;
    const size: AxisSize = axis.size;
    switch (size.kind) {
      case 'fixed':
        return size.value;
      case 'reference': {
        const refTensor = tensors.find(x => x.id === size.tensorId)!;
        const refAxis = refTensor.axes.find(a => a.id === size.axisId)!;
        return (
          Math.floor(
            (sizeOf(refTensor, size.axisId) * refAxis.scale) / axis.scale
          ) + size.offset
        );
      }
      default:
        return inputSizes[`${t.id}.${axisId}`];
    }
  };
  for (const t of tensors) {
    for (const a of t.axes.filter(a => a.type !== 'batch')) {
      out[`${t.id}.${a.id}`] = sizeOf(t, a.id);
    }
  }
  return out;
}

describe('unet2d_nuclei_broad in formats 0.5.4, 0.4.9 and 0.4.0', () => {
  const models = [
    'bioimageio.yaml',
    'v0_4_9.bioimageio.yaml',
    'v0_4_0.bioimageio.yaml'
  ].map(f => load(path.join(PKG, f)));

  it('have the same axes', () => {
    for (const m of models) {
      expect(m.inputs.map(t => t.id)).toEqual(['raw']);
      expect(m.outputs.map(t => t.id)).toEqual(['probability']);
      expect(m.inputs[0].axes.map(a => [a.type, a.id])).toEqual([
        ['batch', 'batch'],
        ['channel', 'channel'],
        ['space', 'y'],
        ['space', 'x']
      ]);
      expect(m.outputs[0].axes.map(a => [a.type, a.id, a.halo])).toEqual([
        ['batch', 'batch', 0],
        ['channel', 'channel', 0],
        ['space', 'y', 32],
        ['space', 'x', 32]
      ]);
    }
  });

  it('give the same sizes for a 512x512 input', () => {
    for (const m of models) {
      expect(resolveSizes(m, {})).toEqual({
        'raw.channel': 1,
        'raw.y': 512,
        'raw.x': 512,
        'probability.channel': 1,
        'probability.y': 512,
        'probability.x': 512
      });
      expect(m.outputs[0].axes[2].size).toEqual({
        kind: 'reference',
        tensorId: 'raw',
        axisId: 'y',
        offset: 0
      });
      expect(m.outputs[0].axes[2].scale).toBe(1);
    }
  });

  it('have the same processing semantics', () => {
    for (const m of models) {
      const pre = m.inputs[0].processing;
      expect(pre.map(s => s.id)).toEqual([
        'ensure_dtype',
        'zero_mean_unit_variance',
        'ensure_dtype'
      ]);
      expect(pre[0].kwargs).toEqual({ dtype: 'float32' });
      expect([...(pre[1].kwargs.axes as string[])].sort()).toEqual(['x', 'y']);
      expect(pre[2].kwargs).toEqual({ dtype: 'float32' });
      expect(m.outputs[0].processing).toEqual([
        { id: 'sigmoid', kwargs: {} },
        { id: 'ensure_dtype', kwargs: { dtype: 'float32' } }
      ]);
      expect(describeProcessing(pre[1], m.inputs[0])).toMatch(
        /^each image is scaled to zero mean and unit variance over (x and y|y and x) \(per sample, per channel\)$/
      );
    }
  });

  it('reference the same files and weights', () => {
    for (const m of models) {
      expect(m.inputs[0].testTensor?.source).toBe('test_input.npy');
      expect(m.outputs[0].testTensor?.source).toBe('test_output.npy');
      const onnx = m.weights.find(w => w.format === 'onnx');
      expect(onnx).toMatchObject({
        source: 'weights.onnx',
        sha256:
          '85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088',
        opsetVersion: 20,
        parent: 'pytorch_state_dict'
      });
    }
    expect(models[0].inputs[0].testTensor?.sha256).toBe(
      '92768a2e0f2643c80b57afa5494019a5aafe5b0d92fe36ae740763adf3594a57'
    );
    // 0.4 generates channel names; 0.5 names them.
    expect(models[0].inputs[0].axes[1].channelNames).toEqual(['raw_intensity']);
    expect(models[1].inputs[0].axes[1].channelNames).toEqual(['channel0']);
  });
});

describe('0.4 conversion details', () => {
  it('turns upsampling scale 4 into output axis scale 0.25 and scale 0 into a fixed channel', () => {
    const m = load(
      path.join(RDF, 'spec__upsample_test_model__v0_4.bioimageio.yaml')
    );
    expect(m.inputs[0].axes[2].size).toEqual({
      kind: 'parameterized',
      min: 5,
      step: 5
    });
    expect(m.outputs[0].axes[1].size).toEqual({ kind: 'fixed', value: 1 });
    expect(m.outputs[0].axes[2]).toMatchObject({
      scale: 0.25,
      size: { kind: 'reference', tensorId: 'input', axisId: 'y', offset: 0 }
    });
    expect(resolveSizes(m, { 'input.y': 10, 'input.x': 15 })).toMatchObject({
      'output.y': 40,
      'output.x': 60
    });
  });

  it('converts half-pixel offsets, halos and per-sample scale_range (stardist)', () => {
    const m = load(
      path.join(RDF, 'spec__stardist_example_model__v0_4_0.bioimageio.yaml')
    );
    const channel = m.outputs[0].axes[3];
    expect(channel.size).toEqual({ kind: 'fixed', value: 33 });
    expect(channel.channelNames?.slice(-1)).toEqual(['channel32']);
    expect(m.outputs[0].axes.map(a => a.halo)).toEqual([0, 32, 32, 0]);
    const step = m.inputs[0].processing[1];
    expect(step).toEqual({
      id: 'scale_range',
      kwargs: { axes: ['y', 'x'], max_percentile: 99.8, min_percentile: 1 }
    });
    expect(describeProcessing(step, m.inputs[0])).toBe(
      'values are scaled so that the 1st percentile becomes 0 and the 99.8th percentile becomes 1, ' +
        'over y and x (per sample, per channel); values outside are not clipped'
    );
  });

  it('adds the batch to per_dataset statistics', () => {
    const m = load(
      path.join(RDF, 'legacy__ambitious-sloth__zenodo.7642674.rdf.yaml')
    );
    expect(m.inputs[0].processing[1].kwargs.axes).toEqual(['batch', 'y', 'x']);
    const zmuv = load(path.join(PKG, 'v0_4_9.bioimageio.yaml'), raw => {
      raw.inputs[0].preprocessing[0].kwargs.mode = 'per_dataset';
    });
    expect(zmuv.inputs[0].processing[1]).toEqual({
      id: 'zero_mean_unit_variance',
      kwargs: { axes: ['batch', 'y', 'x'] }
    });
    expect(
      describeProcessing(zmuv.inputs[0].processing[1], zmuv.inputs[0])
    ).toBe(
      'each image is scaled to zero mean and unit variance over y and x (over the whole dataset, per channel)'
    );
  });

  it('turns zmuv mode fixed into fixed_zero_mean_unit_variance', () => {
    const m = load(path.join(PKG, 'v0_4_9.bioimageio.yaml'), raw => {
      raw.inputs[0].preprocessing[0].kwargs = {
        mode: 'fixed',
        axes: 'yx',
        mean: 120.5,
        std: 30
      };
    });
    expect(m.inputs[0].processing[1]).toEqual({
      id: 'fixed_zero_mean_unit_variance',
      kwargs: { mean: 120.5, std: 30 }
    });
    const perChannel = load(path.join(PKG, 'v0_4_9.bioimageio.yaml'), raw => {
      raw.inputs[0].preprocessing[0].kwargs = {
        mode: 'fixed',
        axes: 'yx',
        mean: [120.5],
        std: [30]
      };
    });
    expect(perChannel.inputs[0].processing[1].kwargs).toEqual({
      axis: 'channel',
      mean: [120.5],
      std: [30]
    });
  });

  it('folds a scaled channel axis into a fixed size (keras_tf2: 1 channel * 3)', () => {
    const m = load(
      path.join(RDF, 'spec__unet2d_keras_tf2__v0_4.bioimageio.yaml')
    );
    expect(
      m.outputs[0].axes.map(a => [
        a.id,
        a.size.kind === 'fixed' ? a.size.value : a.size.kind
      ])
    ).toEqual([
      ['batch', 'any'],
      ['x', 'reference'],
      ['y', 'reference'],
      ['channel', 3]
    ]);
  });

  it('adds a new axis for a null scale (expand_output_shape)', () => {
    const m = load(
      path.join(
        RDF,
        'spec__unet2d_nuclei_broad__expand_output_shape__v0_4.bioimageio.yaml'
      )
    );
    expect(m.outputs[0].axes[2]).toMatchObject({
      type: 'space',
      id: 'z',
      size: { kind: 'fixed', value: 1 }
    });
  });

  it('inserts the implicit casts around a uint8 0.4 input (joyful-deer)', () => {
    const m = load(
      path.join(RDF, 'legacy__joyful-deer__zenodo.8123818.rdf.yaml')
    );
    expect(m.inputs[0].data.type).toBe('uint8');
    expect(m.inputs[0].processing.map(s => [s.id, s.kwargs.dtype])).toEqual([
      ['ensure_dtype', 'uint8'],
      ['scale_linear', undefined],
      ['ensure_dtype', 'float32']
    ]);
  });
});

describe('implicit ensure_dtype for 0.5', () => {
  it('casts to the data type around explicit steps, but not after binarize', () => {
    const m = load(path.join(PKG, 'bioimageio.yaml'), raw => {
      raw.inputs[0].data = { type: 'uint16' };
      raw.inputs[0].preprocessing = [
        { id: 'scale_linear', kwargs: { gain: 2 } }
      ];
      raw.outputs[0].postprocessing = [
        { id: 'binarize', kwargs: { threshold: 0.5 } }
      ];
    });
    expect(m.inputs[0].processing).toEqual([
      { id: 'ensure_dtype', kwargs: { dtype: 'uint16' } },
      { id: 'scale_linear', kwargs: { gain: 2 } },
      { id: 'ensure_dtype', kwargs: { dtype: 'uint16' } }
    ]);
    expect(m.outputs[0].processing).toEqual([
      { id: 'binarize', kwargs: { threshold: 0.5 } }
    ]);
  });
});
