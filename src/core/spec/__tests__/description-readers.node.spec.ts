import * as path from 'path';
import { runsInBrowserStatic } from '../../package/browser-support';
import { describeProcessing, toleranceFor } from '../description';
import { load, PKG, RDF } from './fixtures';

describe('toleranceFor', () => {
  it('uses legacy test_kwargs for the matching format only (humorous-fox)', () => {
    const m = load(path.join(RDF, 'live__humorous-fox__v0__fv0_5_4.rdf.yaml'));
    expect(toleranceFor(m, 'prediction', 'pytorch_state_dict')).toEqual({
      rtol: 0.01,
      atol: 0.01,
      mismatchedPerMillion: 100
    });
    expect(toleranceFor(m, 'prediction', 'onnx')).toEqual({
      rtol: 1e-3,
      atol: 1e-3,
      mismatchedPerMillion: 100
    });
  });

  it('uses reproducibility_tolerance entries with defaults for the rest', () => {
    const m = load(
      path.join(RDF, 'spec__unet2d_multi_tensor__v0_5.bioimageio.yaml')
    );
    expect(toleranceFor(m, 'output1', 'torchscript')).toEqual({
      rtol: 1e-3,
      atol: 1e-5,
      mismatchedPerMillion: 100
    });
    const limited = load(path.join(PKG, 'bioimageio.yaml'), raw => {
      raw.config = {
        bioimageio: {
          reproducibility_tolerance: [
            { output_ids: ['other'], absolute_tolerance: 0.5 },
            {
              weights_formats: ['onnx'],
              relative_tolerance: 0.005,
              mismatched_elements_per_million: 10
            }
          ]
        }
      };
    });
    expect(toleranceFor(limited, 'probability', 'onnx')).toEqual({
      rtol: 0.005,
      atol: 1e-3,
      mismatchedPerMillion: 10
    });
    expect(toleranceFor(limited, 'probability', 'torchscript')).toEqual({
      rtol: 1e-3,
      atol: 1e-3,
      mismatchedPerMillion: 100
    });
  });

  it('allows no mismatches for 0.4 models and maps legacy decimal', () => {
    const m = load(path.join(PKG, 'v0_4_9.bioimageio.yaml'));
    expect(toleranceFor(m, 'probability', 'onnx')).toEqual({
      rtol: 1e-3,
      atol: 1e-3,
      mismatchedPerMillion: 0
    });
    const deer = load(
      path.join(RDF, 'legacy__joyful-deer__zenodo.8123818.rdf.yaml')
    );
    expect(toleranceFor(deer, 'output0', 'torchscript')).toEqual({
      rtol: 0,
      atol: 0.015,
      mismatchedPerMillion: 0
    });
  });
});

describe('runsInBrowserStatic', () => {
  it('accepts models with ONNX weights', () => {
    const verdict = runsInBrowserStatic(
      load(path.join(PKG, 'bioimageio.yaml'))
    );
    expect(verdict.hasOnnx).toBe(true);
    expect(verdict.onnx?.source).toBe('weights.onnx');
    expect(verdict.formats).toEqual([
      'onnx',
      'pytorch_state_dict',
      'torchscript'
    ]);
  });

  it('lists the formats of models without ONNX weights', () => {
    const verdict = runsInBrowserStatic(
      load(path.join(RDF, 'live__affable-shark__v0__fv0_5_7.rdf.yaml'))
    );
    expect(verdict.hasOnnx).toBe(false);
    expect(verdict.formats).toEqual(['pytorch_state_dict', 'torchscript']);
    expect(verdict.reason).toMatch(
      /^no ONNX weights; this model only has pytorch_state_dict, torchscript\./
    );
  });
});

describe('describeProcessing', () => {
  it('describes real steps in plain words', () => {
    const snail = load(
      path.join(RDF, 'live__proactive-snail__v0__fv0_5_4.rdf.yaml')
    );
    expect(
      snail.inputs[0].processing.map(s =>
        describeProcessing(s, snail.inputs[0])
      )
    ).toEqual([
      'values are converted to float32',
      'values are multiplied by 0.003922',
      'values are converted to float32'
    ]);
    const shark = load(
      path.join(RDF, 'live__affable-shark__v0__fv0_5_7.rdf.yaml')
    );
    expect(
      describeProcessing(shark.inputs[0].processing[1], shark.inputs[0])
    ).toBe(
      'each image is scaled to zero mean and unit variance over channel, y and x (per sample)'
    );
    const leopard = load(
      path.join(RDF, 'live__plucky-leopard__v0__fv0_5_7.rdf.yaml')
    );
    expect(
      describeProcessing(leopard.inputs[0].processing[1], leopard.inputs[0])
    ).toBe(
      'values are clipped to the range from the 0.1th percentile to the 99.8th percentile, percentiles taken over z, y and x (per sample, per channel)'
    );
    const fox = load(
      path.join(RDF, 'live__humorous-fox__v0__fv0_5_4.rdf.yaml')
    );
    expect(describeProcessing(fox.inputs[0].processing[1], fox.inputs[0])).toBe(
      'values are normalised with a fixed mean of [39216.047] and standard deviation of [18678.184] (one value per channel): (value - mean) / std'
    );
  });
});
