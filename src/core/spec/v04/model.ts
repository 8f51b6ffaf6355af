/**
 * Format 0.4.x model descriptions → the unified (0.5-shaped) form, as the
 * spec's converter does (digest 3.1 and 3.5), with 0.4's own validation rules.
 *
 * The v04/ folder (this file is its entry) holds what only format 0.4 has:
 * tensors with axis letters (here), their shapes and halos (shapes.ts) and
 * the conversion of their processing steps (processing.ts). It imports the
 * shared spec modules (and v05/tensor.ts for the parsed-tensor type), never
 * anything outside spec but core/tensor.
 */
import { DTYPES, DType } from '../../tensor/tensor';
import type { IFileRef, IModelDescription, ITensorDescr } from '../types';
import { field, item, IssueLog } from '../errors';
import {
  isAbsent,
  isMap,
  LOWER_CASE_IDENTIFIER,
  RawMap,
  readList,
  readRange,
  readString,
  typeName
} from '../read';
import { isNpySource, readFileRef, readMetadata } from '../common';
import { checkTensorIds, finishProcessing, readTensors } from '../tensors';
import type { TensorRole } from '../v05/tensor';
import { readSteps } from '../steps';
import { steps04 } from './processing';
import { applyHalo, inputAxes, ITensor04, outputAxes } from './shapes';
import { readWeights } from '../weights';
import { readTolerances } from '../tolerance';

const AXIS_LETTERS = 'bitczyx';
const INPUT_DTYPES: DType[] = ['float32', 'uint8', 'uint16'];
const OUTPUT_DTYPES = DTYPES;

/** Parse a 0.4 model description; problems go to `log`. */
export function parseModel04(
  raw: RawMap,
  formatVersion: string,
  log: IssueLog
): IModelDescription {
  const meta = readMetadata(raw, '0.4', log);
  const inputs = readTensors(raw, 'inputs', 'input', log, readTensor04);
  const outputs = readTensors(raw, 'outputs', 'output', log, readTensor04);
  checkTensorIds([...inputs, ...outputs], log, 'name');
  for (const t of inputs) {
    t.tensor.axes = inputAxes(t, log);
  }
  for (const t of outputs) {
    t.tensor.axes = outputAxes(t, inputs, log);
    applyHalo(t, log);
  }
  attachFiles(raw, 'test_inputs', inputs, 'testTensor', log, true);
  attachFiles(raw, 'test_outputs', outputs, 'testTensor', log, true);
  attachFiles(raw, 'sample_inputs', inputs, 'sampleTensor', log, false);
  attachFiles(raw, 'sample_outputs', outputs, 'sampleTensor', log, false);
  // 0.4 networks always received float32 (core casts after preprocessing), so the
  // converter makes that explicit before the implicit 0.5 steps are added.
  for (const t of inputs) {
    t.steps.push({
      step: { id: 'ensure_dtype', kwargs: { dtype: 'float32' } },
      path: field(t.path, 'preprocessing')
    });
  }
  finishProcessing(inputs, outputs, '0.4', log);
  return {
    ...meta,
    formatVersion,
    formatFamily: '0.4',
    inputs: inputs.map(t => t.tensor),
    outputs: outputs.map(t => t.tensor),
    weights: readWeights(raw, '0.4', log),
    tolerances: readTolerances(meta.config, '0.4', log),
    warnings: log.warnings
  };
}

function readTensor04(
  raw: unknown,
  role: TensorRole,
  path: string,
  log: IssueLog
): ITensor04 | undefined {
  if (!isMap(raw)) {
    log.error(
      path,
      `expected a tensor description (mapping), got ${typeName(raw)}`
    );
    return undefined;
  }
  const name = readString(log, raw, 'name', path, { required: true }) ?? role;
  if (!LOWER_CASE_IDENTIFIER.test(name)) {
    log.error(
      field(path, 'name'),
      `'${name}' is not a valid tensor name (lower-case letters, digits and _)`
    );
  }
  const letters =
    readString(log, raw, 'axes', path, {
      required: true,
      hint: 'a string of axis letters such as bcyx'
    }) ?? '';
  const bad = [...letters].filter(l => !AXIS_LETTERS.includes(l));
  if (bad.length > 0) {
    log.error(
      field(path, 'axes'),
      `unknown axis letter${bad.length > 1 ? 's' : ''} ${bad.map(l => `'${l}'`).join(', ')} in '${letters}'; valid letters: b, i, t, c, z, y, x`
    );
  }
  if (new Set(letters).size !== letters.length) {
    log.error(
      field(path, 'axes'),
      `axis letters must be distinct, got '${letters}'`
    );
  }
  const dtypes = role === 'input' ? INPUT_DTYPES : OUTPUT_DTYPES;
  const dtypeText = readString(log, raw, 'data_type', path, {
    required: true,
    hint: `one of ${dtypes.join(', ')}`
  });
  let dtype: DType = 'float32';
  if (dtypeText !== undefined) {
    if ((dtypes as string[]).includes(dtypeText)) {
      dtype = dtypeText as DType;
    } else {
      log.error(
        field(path, 'data_type'),
        `'${dtypeText}' is not valid for ${role}s; valid: ${dtypes.join(', ')}`
      );
    }
  }
  const procKey = role === 'input' ? 'preprocessing' : 'postprocessing';
  if (raw.shape === undefined || raw.shape === null) {
    log.error(field(path, 'shape'), 'missing required field');
  }
  const tensor: ITensorDescr = {
    id: name,
    description: readString(log, raw, 'description', path) ?? '',
    axes: [],
    data: {
      type: dtype,
      range: readRange(log, raw.data_range, field(path, 'data_range'))
    },
    optional: false,
    processing: []
  };
  const validLetters = [...letters]
    .filter(l => AXIS_LETTERS.includes(l))
    .join('');
  const steps = readSteps(
    raw[procKey],
    role === 'input' ? 'pre' : 'post',
    field(path, procKey),
    log,
    steps04(validLetters)
  );
  if (role === 'input' && !isAbsent(raw.halo)) {
    log.error(field(path, 'halo'), 'only outputs have a halo');
  }
  return {
    tensor,
    steps,
    path,
    letters: validLetters,
    shape: raw.shape,
    halo: raw.halo
  };
}

/** 0.4 `test_inputs`, `sample_outputs`, ...: one file per tensor, same order. */
function attachFiles(
  raw: RawMap,
  key: string,
  tensors: ITensor04[],
  target: 'testTensor' | 'sampleTensor',
  log: IssueLog,
  required: boolean
): void {
  const list = readList(log, raw, key, '', { required });
  if (!list) {
    return;
  }
  if (list.length !== tensors.length) {
    // Not a rule of the reference; the extra or missing files are not used.
    log.warn(
      key,
      `has ${list.length} entries but there are ${tensors.length} tensors; give one file per tensor, in order`
    );
  }
  list.forEach((entry, i) => {
    const ref: IFileRef | undefined = readFileRef(log, entry, item(key, i));
    if (!ref || i >= tensors.length) {
      return;
    }
    if (target === 'testTensor' && !isNpySource(ref.source)) {
      log.error(
        item(key, i),
        `test tensors must be .npy files, got ${typeName(ref.source)}; give the .npy file`
      );
    }
    tensors[i].tensor[target] = ref;
  });
}
