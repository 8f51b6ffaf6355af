/**
 * 0.4 shapes → 0.5 axis objects: fixed and {min, step} input shapes, implicit
 * output shapes {reference_tensor, scale, offset} and halos (digest 3.1, 3.5).
 */
import type { AxisSize, AxisType, IAxis } from '../types';
import { field, item, IssueLog } from '../errors';
import { asNumber, isAbsent, isMap, readString, typeName } from '../read';
import type { IParsedTensor } from '../v05/tensor';
import { letterToAxisId } from '../axis-ids';

/** A 0.4 tensor between the two passes (outputs need their reference input's axes). */
export interface ITensor04 extends IParsedTensor {
  letters: string;
  shape: unknown;
  halo: unknown;
}

/** A 0.4 axis letter with a size → axis object (channel names generated as the converter does). */
export function makeAxis(letter: string, size: AxisSize, scale = 1): IAxis {
  const types: Record<string, AxisType> = {
    b: 'batch',
    c: 'channel',
    i: 'index',
    t: 'time'
  };
  const type = types[letter] ?? 'space';
  const axis: IAxis = {
    type,
    id: letterToAxisId(letter),
    description: '',
    size,
    scale,
    halo: 0,
    concatenable: false
  };
  if (type === 'batch') {
    // The converter turns every 0.4 batch entry into a batch axis of any size.
    axis.size = { kind: 'any' };
    axis.scale = 1;
  }
  if (type === 'channel' && size.kind === 'fixed') {
    axis.channelNames = Array.from(
      { length: size.value },
      (_, i) => `channel${i}`
    );
  }
  return axis;
}

export function intList(
  log: IssueLog,
  value: unknown,
  path: string,
  length: number,
  min: number
): number[] | undefined {
  if (!Array.isArray(value)) {
    log.error(
      path,
      `expected a list of ${length} integers, got ${typeName(value)}`
    );
    return undefined;
  }
  if (value.length !== length) {
    log.error(
      path,
      `has ${value.length} entries but the tensor has ${length} axes`
    );
    return undefined;
  }
  const out = value.map((v, i) =>
    asNumber(log, v, item(path, i), { integer: true, min })
  );
  return out.every((v): v is number => v !== undefined) ? out : undefined;
}

export function inputAxes(t: ITensor04, log: IssueLog): IAxis[] {
  const p = field(t.path, 'shape');
  const n = t.letters.length;
  if (Array.isArray(t.shape)) {
    const sizes = intList(log, t.shape, p, n, 1);
    const b = t.letters.indexOf('b');
    if (sizes && b >= 0 && sizes[b] !== 1) {
      log.error(
        item(p, b),
        `the batch entry of a fixed shape must be 1, got ${sizes[b]}`
      );
    }
    return sizes
      ? sizes.map((s, i) => makeAxis(t.letters[i], { kind: 'fixed', value: s }))
      : [];
  }
  if (!isMap(t.shape)) {
    if (!isAbsent(t.shape)) {
      log.error(
        p,
        `expected a list of sizes or {min, step}, got ${typeName(t.shape)}`
      );
    }
    return [];
  }
  const min = intList(log, t.shape.min, field(p, 'min'), n, 1);
  const step = intList(log, t.shape.step, field(p, 'step'), n, 0);
  if (!min || !step) {
    return [];
  }
  return [...t.letters].map((letter, i) => {
    if (letter === 'b' && (min[i] !== 1 || step[i] !== 0)) {
      log.error(
        p,
        `the batch entry must have min 1 and step 0, got min ${min[i]}, step ${step[i]}`
      );
    }
    if (letter === 'c' && step[i] !== 0) {
      log.error(
        item(field(p, 'step'), i),
        'the channel axis cannot be parameterized; its step must be 0'
      );
    }
    const size: AxisSize =
      step[i] === 0
        ? { kind: 'fixed', value: min[i] }
        : { kind: 'parameterized', min: min[i], step: step[i] };
    return makeAxis(letter, size);
  });
}

export function outputAxes(
  t: ITensor04,
  inputs: ITensor04[],
  log: IssueLog
): IAxis[] {
  const p = field(t.path, 'shape');
  const n = t.letters.length;
  if (Array.isArray(t.shape)) {
    const sizes = intList(log, t.shape, p, n, 1);
    return sizes
      ? sizes.map((s, i) => makeAxis(t.letters[i], { kind: 'fixed', value: s }))
      : [];
  }
  if (!isMap(t.shape)) {
    if (!isAbsent(t.shape)) {
      log.error(
        p,
        `expected a list of sizes or {reference_tensor, scale, offset}, got ${typeName(t.shape)}`
      );
    }
    return [];
  }
  const refName = readString(log, t.shape, 'reference_tensor', p, {
    required: true
  });
  const ref = inputs.find(i => i.tensor.id === refName);
  if (refName !== undefined && !ref) {
    log.error(
      field(p, 'reference_tensor'),
      `'${refName}' is not an input tensor (inputs: ${inputs.map(i => i.tensor.id).join(', ')})`
    );
  }
  const scale = t.shape.scale;
  const offset = t.shape.offset;
  if (!Array.isArray(scale) || scale.length !== n) {
    log.error(
      field(p, 'scale'),
      `expected a list of ${n} numbers (or null for a new axis), got ${typeName(scale)}`
    );
    return [];
  }
  if (!Array.isArray(offset) || offset.length !== n) {
    log.error(
      field(p, 'offset'),
      `expected a list of ${n} numbers, got ${typeName(offset)}`
    );
    return [];
  }
  if (!ref) {
    return [];
  }
  // A null scale inserts a new axis, so the reference has as many axes as non-null entries.
  const nonNull = scale.filter(s => s !== null).length;
  if (nonNull !== ref.letters.length) {
    log.error(
      field(p, 'scale'),
      `has ${nonNull} non-null entries but reference tensor '${ref.tensor.id}' has ${ref.letters.length} axes`
    );
  }
  const axes: IAxis[] = [];
  [...t.letters].forEach((letter, i) => {
    const s =
      scale[i] === null
        ? null
        : asNumber(log, scale[i], item(field(p, 'scale'), i), { min: 0 });
    const o = asNumber(log, offset[i], item(field(p, 'offset'), i));
    if (s === undefined || o === undefined) {
      return;
    }
    if (!Number.isInteger(2 * o)) {
      log.error(
        item(field(p, 'offset'), i),
        `must be a multiple of 0.5, got ${o}`
      );
      return;
    }
    const size = implicitSize(
      letter,
      s,
      o,
      ref,
      item(field(p, 'scale'), i),
      log
    );
    if (size) {
      axes.push(
        makeAxis(letter, size, size.kind === 'reference' && s ? 1 / s : 1)
      );
    }
  });
  return axes;
}

/** shape_out = shape_ref * scale + 2 * offset, in 0.5 terms (digest 3.5). */
function implicitSize(
  letter: string,
  scale: number | null,
  offset: number,
  ref: ITensor04,
  path: string,
  log: IssueLog
): AxisSize | undefined {
  if (letter === 'b') {
    return { kind: 'any' };
  }
  if (!scale) {
    // scale null/0: a fixed length of 2*offset (the 0.4 way to add or pin an axis).
    if (2 * offset < 1) {
      log.error(
        path,
        `a ${scale === null ? 'null' : 'zero'} scale needs an offset >= 0.5 (the axis length is 2*offset)`
      );
      return undefined;
    }
    return { kind: 'fixed', value: 2 * offset };
  }
  const refAxis = ref.tensor.axes.find(a => a.id === letterToAxisId(letter));
  if (!refAxis) {
    log.error(
      path,
      `reference tensor '${ref.tensor.id}' has no axis '${letter}'; use a null scale to add a new axis`
    );
    return undefined;
  }
  if (letter === 'c' || letter === 'i') {
    // Channel/index axes have no physical scale in 0.5: fold scale*size into a fixed length.
    if (refAxis.size.kind !== 'fixed') {
      log.error(
        path,
        `axis '${letter}' can only scale a fixed-size reference axis`
      );
      return undefined;
    }
    const value = refAxis.size.value * scale + 2 * offset;
    if (!Number.isInteger(value) || value < 1) {
      log.error(
        path,
        `gives a non-integer or empty size ${value} for axis '${letter}'`
      );
      return undefined;
    }
    return { kind: 'fixed', value };
  }
  return {
    kind: 'reference',
    tensorId: ref.tensor.id,
    axisId: refAxis.id,
    offset: 2 * offset
  };
}

/** The 0.4 halo list → per-axis halos; it must leave at least one pixel. */
export function applyHalo(t: ITensor04, log: IssueLog): void {
  if (t.halo === undefined || t.halo === null) {
    return;
  }
  const p = field(t.path, 'halo');
  if (Array.isArray(t.halo) && t.halo.length !== t.letters.length) {
    // The reference does not compare the lengths; a halo we cannot map to
    // the axes is not used.
    log.warn(
      p,
      `has ${t.halo.length} entries but the tensor has ${t.letters.length} axes; the halo is ignored (give one entry per axis)`
    );
    return;
  }
  const halo = intList(log, t.halo, p, t.letters.length, 0);
  if (!halo || t.tensor.axes.length !== halo.length) {
    return;
  }
  t.tensor.axes.forEach((axis, i) => {
    if (halo[i] === 0) {
      return;
    }
    if (axis.type !== 'space' && axis.type !== 'time') {
      log.error(
        item(p, i),
        `a halo is only allowed on space/time axes, not on the ${axis.type} axis`
      );
      return;
    }
    // Unlike the 0.5 form, 0.4 also allows a halo on a fixed-size axis; we keep it
    // (core never tiles 0.4 models, so it only documents the border to distrust).
    axis.halo = halo[i];
    if (axis.size.kind === 'fixed' && axis.size.value - 2 * halo[i] < 1) {
      log.error(
        item(p, i),
        `halo ${halo[i]} leaves nothing of size ${axis.size.value}`
      );
    }
  });
}
