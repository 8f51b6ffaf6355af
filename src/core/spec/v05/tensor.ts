/**
 * One 0.5 tensor description: axes (digest 3.3), data (3.4), test/sample
 * tensors and its raw processing list. Cross-tensor checks (ids, size
 * references) happen in v05/model.ts once every tensor is known.
 */
import type {
  AxisSize,
  AxisType,
  IAxis,
  IProcessingStep,
  ITensorDescr
} from '../types';
import { field, item, IssueLog } from '../errors';
import {
  asNumber,
  isAbsent,
  isMap,
  LOWER_CASE_IDENTIFIER,
  RawMap,
  readBoolean,
  readList,
  readNumber,
  readString,
  readStringList,
  typeName
} from '../read';
import { isNpySource, readFileRef } from '../common';
import { readSteps, Stage, STEPS_05 } from '../steps';
import { readData } from './data';

/** Whether a tensor is an input or an output. */
export type TensorRole = 'input' | 'output';

const AXIS_TYPES: AxisType[] = ['batch', 'channel', 'index', 'time', 'space'];

/** Ids an axis gets when it has none (note: every id-less space axis becomes `x`). */
const DEFAULT_AXIS_ID: Record<AxisType, string> = {
  batch: 'batch',
  channel: 'channel',
  index: 'index',
  time: 'time',
  space: 'x'
};

/** The spec normalises these single-letter ids to the long form. */
const LETTER_IDS: Record<string, string> = {
  b: 'batch',
  t: 'time',
  i: 'index',
  c: 'channel'
};

/**
 * Axes whose size could not be read (already reported): references to them
 * are not reported again, so one mistake gives one message.
 */
export const UNREADABLE_SIZE = new WeakSet<IAxis>();

/** A parsed tensor plus its explicit processing steps (implicit ones come later). */
export interface IParsedTensor {
  tensor: ITensorDescr;
  steps: Array<{ step: IProcessingStep; path: string }>;
  path: string;
}

/** Parse `inputs[i]` / `outputs[i]` of a 0.5 description. */
export function readTensor05(
  raw: unknown,
  role: TensorRole,
  path: string,
  log: IssueLog
): IParsedTensor | undefined {
  if (!isMap(raw)) {
    log.error(
      path,
      `expected a tensor description (mapping), got ${typeName(raw)}`
    );
    return undefined;
  }
  const id = readString(log, raw, 'id', path) ?? role;
  if (!LOWER_CASE_IDENTIFIER.test(id) || id.length > 32) {
    log.error(
      field(path, 'id'),
      `'${id}' is not a valid tensor id (lower-case letters, digits and _, at most 32 characters)`
    );
  }
  const axesRaw =
    readList(log, raw, 'axes', path, { required: true, nonEmpty: true }) ?? [];
  const axes: IAxis[] = [];
  axesRaw.forEach((a, i) => {
    const axis = readAxis(a, role, item(field(path, 'axes'), i), log);
    if (axis) {
      axes.push(axis);
    }
  });
  const channel = axes.find(a => a.type === 'channel');
  const { data, channelData } = readData(
    raw.data,
    channel,
    field(path, 'data'),
    log
  );
  const stage: Stage = role === 'input' ? 'pre' : 'post';
  const procKey = role === 'input' ? 'preprocessing' : 'postprocessing';
  const testTensor = isAbsent(raw.test_tensor)
    ? undefined
    : readFileRef(log, raw.test_tensor, field(path, 'test_tensor'));
  if (!testTensor && isAbsent(raw.test_tensor)) {
    log.warn(
      field(path, 'test_tensor'),
      'missing; the model cannot be tested without test tensors'
    );
  } else if (testTensor && !isNpySource(testTensor.source)) {
    // Not checked by the reference without reading files; the test reads .npy only.
    log.warn(
      field(field(path, 'test_tensor'), 'source'),
      `test tensors must be .npy files, got ${typeName(testTensor.source)}; give the .npy file (the test cannot read others)`
    );
  }
  const tensor: ITensorDescr = {
    id,
    description: readString(log, raw, 'description', path) ?? '',
    axes,
    data,
    channelData,
    testTensor,
    sampleTensor: isAbsent(raw.sample_tensor)
      ? undefined
      : readFileRef(log, raw.sample_tensor, field(path, 'sample_tensor')),
    optional:
      role === 'input'
        ? (readBoolean(log, raw, 'optional', path) ?? false)
        : false,
    processing: []
  };
  if (role === 'output' && !isAbsent(raw.optional)) {
    log.error(field(path, 'optional'), 'only inputs can be optional');
  }
  const steps = readSteps(
    raw[procKey],
    stage,
    field(path, procKey),
    log,
    STEPS_05
  );
  return { tensor, steps, path };
}

function readAxis(
  raw: unknown,
  role: TensorRole,
  path: string,
  log: IssueLog
): IAxis | undefined {
  if (!isMap(raw)) {
    log.error(
      path,
      `expected an axis (mapping with a type), got ${typeName(raw)}`
    );
    return undefined;
  }
  const type = readString(log, raw, 'type', path, {
    required: true,
    hint: `one of ${AXIS_TYPES.join(', ')}`
  });
  if (type === undefined) {
    return undefined;
  }
  if (!(AXIS_TYPES as string[]).includes(type)) {
    log.error(
      field(path, 'type'),
      `unknown axis type '${type}'; valid: ${AXIS_TYPES.join(', ')}`
    );
    return undefined;
  }
  const axisType = type as AxisType;
  let id = readString(log, raw, 'id', path) ?? DEFAULT_AXIS_ID[axisType];
  id = LETTER_IDS[id] ?? id;
  if (!LOWER_CASE_IDENTIFIER.test(id) || id.length > 16) {
    log.error(
      field(path, 'id'),
      `'${id}' is not a valid axis id (lower-case letters, digits and _, at most 16 characters)`
    );
  }
  const axis: IAxis = {
    type: axisType,
    id,
    description: readString(log, raw, 'description', path) ?? '',
    size: { kind: 'any' },
    scale: 1,
    halo: 0,
    concatenable: false
  };
  const spatial = axisType === 'space' || axisType === 'time';
  if (spatial) {
    axis.scale = readNumber(log, raw, 'scale', path, { above: 0 }) ?? 1;
    axis.unit = readString(log, raw, 'unit', path);
  }
  if (role === 'input' && axisType !== 'batch' && axisType !== 'channel') {
    axis.concatenable = readBoolean(log, raw, 'concatenable', path) ?? false;
  }
  switch (axisType) {
    case 'batch': {
      const size = raw.size;
      if (size === undefined || size === null) {
        axis.size = { kind: 'any' };
      } else if (size === 1) {
        axis.size = { kind: 'fixed', value: 1 };
      } else {
        log.error(
          field(path, 'size'),
          `a batch axis size must be 1 or left out (any), got ${typeName(size)}`
        );
      }
      break;
    }
    case 'channel': {
      const names = readStringList(log, raw, 'channel_names', path, {
        required: true,
        nonEmpty: true
      });
      axis.channelNames = names;
      axis.size = { kind: 'fixed', value: names.length };
      break;
    }
    default: {
      const size = readSize(raw, role, axisType, path, log);
      axis.size = size ?? { kind: 'any' };
      if (!size) {
        UNREADABLE_SIZE.add(axis);
      }
    }
  }
  if (role === 'output' && spatial) {
    const halo =
      readNumber(log, raw, 'halo', path, { integer: true, min: 0 }) ?? 0;
    axis.halo = halo;
    if (halo > 0 && axis.size.kind !== 'reference') {
      log.error(
        field(path, 'halo'),
        'an axis with a halo needs a size that references an input axis ({tensor_id, axis_id})'
      );
    }
  } else if (!isAbsent(raw.halo)) {
    log.error(
      field(path, 'halo'),
      'halos are only allowed on output space/time axes'
    );
  }
  return axis;
}

/** int, ParameterizedSize {min, step}, SizeReference {tensor_id, axis_id, offset} or DataDependentSize {min, max}. */
function readSize(
  raw: RawMap,
  role: TensorRole,
  type: AxisType,
  path: string,
  log: IssueLog
): AxisSize | undefined {
  const p = field(path, 'size');
  const size = raw.size;
  if (size === undefined || size === null) {
    log.error(
      p,
      'missing required field; give a number, {min, step} or {tensor_id, axis_id}'
    );
    return undefined;
  }
  if (typeof size === 'number') {
    const value = asNumber(log, size, p, { integer: true, above: 0 });
    return value === undefined ? undefined : { kind: 'fixed', value };
  }
  if (!isMap(size)) {
    log.error(p, `expected a number or a mapping, got ${typeName(size)}`);
    return undefined;
  }
  if (size.tensor_id !== undefined || size.axis_id !== undefined) {
    const tensorId = readString(log, size, 'tensor_id', p, { required: true });
    const axisId = readString(log, size, 'axis_id', p, { required: true });
    const offset = readNumber(log, size, 'offset', p, { integer: true }) ?? 0;
    return tensorId && axisId
      ? {
          kind: 'reference',
          tensorId,
          axisId: LETTER_IDS[axisId] ?? axisId,
          offset
        }
      : undefined;
  }
  if (size.step !== undefined) {
    const min = readNumber(log, size, 'min', p, {
      required: true,
      integer: true,
      above: 0
    });
    const step = readNumber(log, size, 'step', p, { integer: true, above: 0 });
    if (role === 'output') {
      log.error(
        p,
        'parameterized sizes {min, step} are only allowed for inputs; outputs reference an input axis'
      );
      return undefined;
    }
    return min !== undefined && step !== undefined
      ? { kind: 'parameterized', min, step }
      : undefined;
  }
  if (role === 'input') {
    log.error(
      p,
      'an input size needs a number, {min, step} or {tensor_id, axis_id}'
    );
    return undefined;
  }
  if (type !== 'index') {
    log.error(
      p,
      'data-dependent sizes {min, max} are only allowed for output index axes'
    );
    return undefined;
  }
  const min = readNumber(log, size, 'min', p, { integer: true, above: 0 }) ?? 1;
  const max =
    readNumber(log, size, 'max', p, { integer: true, above: 1 }) ?? null;
  if (max !== null && max < min) {
    log.error(field(p, 'max'), `must be at least min (${min}), got ${max}`);
  }
  return { kind: 'data-dependent', min, max };
}
