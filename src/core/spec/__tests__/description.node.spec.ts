import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import {
  DescriptionError,
  IDescriptionIssue,
  parseDescription
} from '../description';
import type { IModelDescription } from '../types';

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
const RDF = path.join(FIXTURES, 'rdf');
const PKG = path.join(FIXTURES, 'models/unet2d_nuclei_broad');

const read = (file: string): string => fs.readFileSync(file, 'utf8');
/** Raw YAML, mutated freely by the tests. */
type Raw = Record<string, any>;

function parseModel(text: string): IModelDescription {
  const result = parseDescription(text);
  if (result.kind !== 'model') {
    throw new Error(`expected a model, got ${result.resource.type}`);
  }
  return result.model;
}

/** The issues a description is rejected with (fails the test if it is accepted). */
function issuesOf(text: string): IDescriptionIssue[] {
  try {
    parseDescription(text);
  } catch (e) {
    expect(e).toBeInstanceOf(DescriptionError);
    return (e as DescriptionError).issues;
  }
  throw new Error('description was accepted but should have been rejected');
}

/** Parse a fixture YAML, change it, serialise it again. */
function mutate(file: string, change: (raw: Raw) => void): string {
  const raw = parse(read(file)) as Raw;
  change(raw);
  return stringify(raw);
}

const V05 = path.join(PKG, 'bioimageio.yaml');
const V049 = path.join(PKG, 'v0_4_9.bioimageio.yaml');

/** inputs + outputs per valid model fixture (fixtures/README.md). */
const TENSOR_COUNTS: Record<string, number> = {
  'legacy__ambitious-sloth__zenodo.7642674.rdf.yaml': 2,
  'legacy__discreet-rooster__zenodo.8186255.rdf.yaml': 2,
  'legacy__joyful-deer__zenodo.8123818.rdf.yaml': 2,
  'legacy__nice-peacock__zenodo.7315441.rdf.yaml': 4,
  'legacy__polite-pig__zenodo.5942853.rdf.yaml': 3,
  'live__affable-shark__v0__fv0_5_7.rdf.yaml': 2,
  'live__charismatic-whale__v0__fv0_5_3.rdf.yaml': 2,
  'live__fearless-badger__v0__fv0_5_10.rdf.yaml': 2,
  'live__humorous-fox__v0__fv0_5_4.rdf.yaml': 2,
  'live__philosophical-panda__v0__fv0_5_0.rdf.yaml': 7,
  'live__plucky-leopard__v0__fv0_5_7.rdf.yaml': 2,
  'live__proactive-snail__v0__fv0_5_4.rdf.yaml': 2,
  'live__witty-whale__v0__fv0_5_3.rdf.yaml': 6,
  'qupath__instanseg_brightfield__v0_5.rdf.yaml': 2,
  'live__diplomatic-bug__v0__fv0_5_0.rdf.yaml': 9,
  'spec__DYNAMICALLY_INVALID__stardist_example_model__wrong_shape__v0_4_0.yaml': 2,
  'spec__stardist_example_model__v0_4_0.bioimageio.yaml': 2,
  'spec__unet2d_diff_output_shape__v0_5.bioimageio.yaml': 2,
  'spec__unet2d_fixed_shape__v0_4.bioimageio.yaml': 2,
  'spec__unet2d_keras_tf2__v0_4.bioimageio.yaml': 2,
  'spec__unet2d_keras_tf__v0_4.bioimageio.yaml': 2,
  'spec__unet2d_multi_tensor__v0_5.bioimageio.yaml': 4,
  'spec__unet2d_nuclei_broad__expand_output_shape__v0_4.bioimageio.yaml': 2,
  'spec__unet2d_nuclei_broad__expand_output_shape__v0_5.bioimageio.yaml': 2,
  'spec__unet2d_nuclei_broad__v0_4_0.bioimageio.yaml': 2,
  'spec__unet2d_nuclei_broad__v0_4_9.bioimageio.yaml': 2,
  'spec__upsample_test_model__v0_4.bioimageio.yaml': 2
};

// Rejected, as bioimageio.spec 0.5.12 rejects them (tests/test_validator_oracle.py).
// diplomatic-bug (live, format 0.5.0) uses the id 'embeddings' for an input and an
// output: the spec's docstring forbids it but its check does not run, so it is
// accepted with a warning (see 'accepts an id shared by an input and an output').
const REJECTED = new Map<string, { path: string; message: string }[]>([
  [
    'spec__INVALID__unet2d_nuclei_broad__duplicate_tensor_names__v0_4_0.bioimageio.yaml',
    [
      {
        path: 'outputs[0].name',
        message:
          "duplicate tensor name 'data' (already used by inputs[0]); names must be unique across inputs and outputs"
      }
    ]
  ],
  [
    // A 0.4-style attachments mapping, DOIs written as URLs (0.5 keeps the
    // prefix), and 0.4 fields in a 0.5 description.
    'qupath__instanseg_brightfield_multiout__v0_5.rdf.yaml',
    [
      'attachments',
      'cite[0].doi',
      'cite[1].doi',
      'sample_inputs',
      'sample_outputs',
      'test_inputs',
      'test_outputs'
    ].map(p => ({ path: p, message: expect.any(String) }))
  ]
]);

describe('fixture descriptions', () => {
  const files = fs.readdirSync(RDF).filter(f => f.endsWith('.yaml'));

  it('finds all 30 fixtures', () => {
    expect(files).toHaveLength(30);
  });

  for (const file of files) {
    const rejected = REJECTED.get(file);
    if (rejected) {
      it(`${file} is rejected naming the field`, () => {
        expect(issuesOf(read(path.join(RDF, file)))).toEqual(rejected);
      });
    } else if (file.includes('DATASET')) {
      it(`${file} is not a model`, () => {
        const result = parseDescription(read(path.join(RDF, file)));
        expect(result.kind).toBe('other');
        if (result.kind === 'other') {
          expect(result.resource.type).toBe('dataset');
          expect(result.resource.name).toBe('Covid-IF Training Data');
          expect(result.resource.formatVersion).toBe('0.2.4');
        }
      });
    } else {
      it(`${file} parses as a model`, () => {
        const text = read(path.join(RDF, file));
        const version = /^format_version: *['"]?([\d.]+)/m.exec(text)?.[1];
        const model = parseModel(text);
        expect(model.formatVersion).toBe(version);
        expect(model.formatFamily).toBe(
          version?.startsWith('0.4') ? '0.4' : '0.5'
        );
        // Tensor counts as listed in fixtures/README.md.
        expect(model.inputs.length + model.outputs.length).toBe(
          TENSOR_COUNTS[file]
        );
        for (const t of [...model.inputs, ...model.outputs]) {
          expect(t.axes.length).toBeGreaterThan(0);
        }
        // Every input starts with an ensure_dtype; every stage ends with ensure_dtype/binarize.
        for (const t of model.inputs) {
          expect(t.processing[0].id).toBe('ensure_dtype');
        }
        for (const t of [...model.inputs, ...model.outputs]) {
          expect(['ensure_dtype', 'binarize']).toContain(
            t.processing[t.processing.length - 1].id
          );
        }
      });
    }
  }

  it('accepts unknown 0.5 patch versions (0.5.10)', () => {
    const model = parseModel(
      read(path.join(RDF, 'live__fearless-badger__v0__fv0_5_10.rdf.yaml'))
    );
    expect([model.formatVersion, model.formatFamily, model.id]).toEqual([
      '0.5.10',
      '0.5',
      'fearless-badger'
    ]);
  });

  it('treats explicit nulls as absent (charismatic-whale)', () => {
    const model = parseModel(
      read(path.join(RDF, 'live__charismatic-whale__v0__fv0_5_3.rdf.yaml'))
    );
    expect(model.weights.map(w => w.format)).toEqual(['torchscript']);
    expect(model.inputs[0].testTensor).toEqual({
      source: 'cfdcff5e-c4e4-4baf-826f-b453751a139d_raw_test_tensor.npy',
      sha256: undefined
    });
    expect(model.inputs[0].sampleTensor).toBeUndefined();
  });

  it('maps .inf data ranges to null and keeps finite ones', () => {
    const model = parseModel(read(V049));
    expect(model.inputs[0].data.range).toEqual([null, null]);
    const rooster = parseModel(
      read(path.join(RDF, 'legacy__discreet-rooster__zenodo.8186255.rdf.yaml'))
    );
    expect(rooster.outputs[0].data.range).toEqual([0, 1]);
  });

  it('reads multi-line quoted text that PyYAML accepts (qupath multiout)', () => {
    // The fixture is invalid for other reasons (see REJECTED); with those
    // fixed, the multi-line citation text reads as PyYAML reads it.
    // Text edits (the file only parses after the repair under test).
    const text = read(
      path.join(RDF, 'qupath__instanseg_brightfield_multiout__v0_5.rdf.yaml')
    )
      .replace(
        'attachments:\n  files:\n    - per_sample_scale_range.ijm',
        'attachments:\n  - source: per_sample_scale_range.ijm'
      )
      .replace(/doi: https:\/\/doi\.org\//g, 'doi: ')
      .replace(/^(sample|test)_(in|out)puts:\n  - .*\n/gm, '');
    const model = parseModel(text);
    expect(model.cite[0].text).toMatch(
      /^Goldsborough, T\. et al\. \(2024\) InstanSeg: .* Available at: https/
    );
    expect(model.outputs[1].axes[1].size).toEqual({
      kind: 'data-dependent',
      min: 1,
      max: null
    });
    expect(model.outputs[1].data.values).toHaveLength(19);
  });

  it('rejects unknown fields, as the reference does (extra fields are forbidden)', () => {
    const issues = issuesOf(mutate(V05, raw => (raw.my_tool = { setting: 3 })));
    expect(issues).toEqual([
      {
        path: 'my_tool',
        message: expect.stringMatching(
          /^unknown field; remove it or check its spelling \(known here: /
        )
      }
    ]);
    // Tool settings belong in config, which is free-form.
    const model = parseModel(
      mutate(V05, raw => (raw.config = { my_tool: { setting: 3 } }))
    );
    expect(model.config).toEqual({ my_tool: { setting: 3 } });
  });

  it('accepts an id shared by an input and an output, with a warning (as the reference does)', () => {
    const model = parseModel(
      read(path.join(RDF, 'live__diplomatic-bug__v0__fv0_5_0.rdf.yaml'))
    );
    expect(model.warnings).toContainEqual(
      expect.stringMatching(
        /^outputs\[2\]\.id: 'embeddings' is also the id of inputs\[5\]; .*rename one$/
      )
    );
  });
});

describe('broken descriptions', () => {
  it('rejects a missing inputs list', () => {
    const issues = issuesOf(mutate(V05, raw => delete raw.inputs));
    expect(issues).toContainEqual({
      path: 'inputs',
      message: 'missing required field; add inputs: a list'
    });
    // The outputs reference the now missing input, which is reported too.
    expect(issues).toContainEqual({
      path: 'outputs[0].axes[2].size.tensor_id',
      message:
        "tensor 'raw' does not exist or cannot be referenced from here (valid: probability)"
    });
  });

  it('rejects a parameterized size with step 0', () => {
    const text = mutate(
      V05,
      raw => (raw.inputs[0].axes[2].size = { min: 64, step: 0 })
    );
    expect(issuesOf(text)).toEqual([
      {
        path: 'inputs[0].axes[2].size.step',
        message: 'must be greater than 0, got 0; raise it'
      }
    ]);
  });

  it('rejects an unknown processing id and lists the valid ones', () => {
    const text = mutate(
      V05,
      raw => (raw.inputs[0].preprocessing[1].id = 'normalize')
    );
    expect(issuesOf(text)).toEqual([
      {
        path: 'inputs[0].preprocessing[1].id',
        message:
          "unknown preprocessing id 'normalize'; valid here: binarize, clip, ensure_dtype, fixed_zero_mean_unit_variance, " +
          'scale_linear, scale_range, sigmoid, softmax, zero_mean_unit_variance'
      }
    ]);
  });

  it('rejects postprocessing-only steps in preprocessing', () => {
    const text = mutate(
      V05,
      raw =>
        (raw.inputs[0].preprocessing[1] = {
          id: 'scale_mean_variance',
          kwargs: { reference_tensor: 'raw' }
        })
    );
    expect(issuesOf(text)[0].message).toMatch(
      /^'scale_mean_variance' is only valid in postprocessing/
    );
  });

  it('rejects a dangling SizeReference', () => {
    const text = mutate(
      V05,
      raw => (raw.outputs[0].axes[3].size.axis_id = 'z')
    );
    expect(issuesOf(text)).toEqual([
      {
        path: 'outputs[0].axes[3].size.axis_id',
        message: "tensor 'raw' has no axis 'z' (axes: batch, channel, y, x)"
      }
    ]);
  });

  it('rejects references to batch axes and to the axis itself', () => {
    const batch = mutate(
      V05,
      raw =>
        (raw.outputs[0].axes[2].size = { tensor_id: 'raw', axis_id: 'batch' })
    );
    expect(issuesOf(batch)).toEqual([
      {
        path: 'outputs[0].axes[2].size.axis_id',
        message: "'raw.batch' is a batch axis; batch axes cannot be referenced"
      }
    ]);
    const self = mutate(
      V05,
      raw => (raw.inputs[0].axes[2].size = { tensor_id: 'raw', axis_id: 'y' })
    );
    expect(issuesOf(self)).toContainEqual({
      path: 'inputs[0].axes[2].size',
      message:
        "an axis cannot reference its own size ('raw.y'); reference another tensor's axis, or give the tensor its own id"
    });
  });

  it('rejects a bad 0.4 axis letter', () => {
    const text = mutate(V049, raw => (raw.inputs[0].axes = 'bcqx'));
    expect(issuesOf(text)).toContainEqual({
      path: 'inputs[0].axes',
      message:
        "unknown axis letter 'q' in 'bcqx'; valid letters: b, i, t, c, z, y, x"
    });
  });

  it('rejects format 0.3 with the documented message', () => {
    const text = mutate(V049, raw => (raw.format_version = '0.3.6'));
    expect(issuesOf(text)).toEqual([
      {
        path: 'format_version',
        message: 'unsupported format version 0.3.6; supported: 0.4, 0.5'
      }
    ]);
  });

  it('reports all problems at once', () => {
    const text = mutate(V05, raw => {
      delete raw.name;
      raw.inputs[0].axes[2].size = { min: 0, step: 16 };
      raw.inputs[0].preprocessing[1].kwargs.axes = ['x', 'z'];
      raw.outputs[0].postprocessing[0] = {
        id: 'scale_range',
        kwargs: { min_percentile: 99, max_percentile: 0.998 }
      };
    });
    // Structural problems first, then the cross-field rules.
    expect(issuesOf(text)).toEqual([
      { path: 'name', message: 'missing required field; add name: text' },
      {
        path: 'inputs[0].axes[2].size.min',
        message: 'must be greater than 0, got 0; raise it'
      },
      {
        path: 'outputs[0].postprocessing[0].kwargs.max_percentile',
        message: 'must be greater than 1, got 0.998; raise it'
      },
      {
        path: 'inputs[0].preprocessing[1].kwargs.axes',
        message:
          "axis 'z' is not an axis of tensor 'raw' (axes: batch, channel, y, x)"
      }
    ]);
  });

  it('explains duplicate axis ids from id-less space axes', () => {
    const text = mutate(V05, raw => delete raw.inputs[0].axes[2].id);
    expect(issuesOf(text)).toContainEqual({
      path: 'inputs[0].axes[3].id',
      message:
        'duplicate axis id \'x\' (also axes[2]); a space axis without an id gets the id "x", so give each one an id'
    });
  });

  it('checks 0.4 implicit shapes and processing kwargs', () => {
    const text = mutate(V049, raw => {
      raw.outputs[0].shape.reference_tensor = 'image';
      raw.inputs[0].preprocessing[0].kwargs.mode = 'per_image';
    });
    expect(issuesOf(text)).toEqual([
      {
        path: 'inputs[0].preprocessing[0].kwargs.mode',
        message:
          'invalid mode string "per_image"; valid: fixed, per_dataset, per_sample'
      },
      {
        path: 'outputs[0].shape.reference_tensor',
        message: "'image' is not an input tensor (inputs: raw)"
      }
    ]);
  });

  it('reports YAML syntax errors and non-mapping documents', () => {
    expect(issuesOf('name: [unclosed\n')[0].message).toMatch(
      /^YAML syntax error: /
    );
    expect(issuesOf('- just\n- a list\n')).toEqual([
      {
        path: '',
        message:
          'a description must be a YAML mapping of fields, got a list; start with fields such as type: model'
      }
    ]);
  });

  it('lists every problem in the error message', () => {
    expect(() =>
      parseDescription(
        mutate(V049, raw => (raw.format_version = '0.3.6')),
        { source: 'm.yaml' }
      )
    ).toThrow(
      'invalid bioimage.io description (m.yaml), 1 problem:\n  - format_version: unsupported format version 0.3.6; supported: 0.4, 0.5'
    );
  });
});
