/**
 * Test helpers: building tensors and minimal model descriptions.
 */
import type {
  IAxis,
  IModelDescription,
  IProcessingStep,
  ITensorDescr
} from '../../spec/types';
import { allocate, DType, ITensor } from '../../tensor/tensor';

/** A tensor from a flat list of numbers. */
export function makeTensor(
  axes: string[],
  shape: number[],
  values: ArrayLike<number | boolean>,
  dtype: DType = 'float32'
): ITensor {
  const data = allocate(dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      data[i] = BigInt(v);
    } else {
      data[i] = v;
    }
  }
  return { dtype, shape, axes, data };
}

/** An axis with defaults filled in. */
export function axis(
  id: string,
  size: IAxis['size'],
  extra: Partial<IAxis> = {}
): IAxis {
  const type: IAxis['type'] =
    id === 'batch'
      ? 'batch'
      : id === 'channel'
        ? 'channel'
        : id === 'index'
          ? 'index'
          : id === 'time'
            ? 'time'
            : 'space';
  return {
    type,
    id,
    description: '',
    size,
    scale: 1,
    halo: 0,
    concatenable: false,
    ...extra
  };
}

/** A tensor description. */
export function descr(
  id: string,
  axes: IAxis[],
  processing: IProcessingStep[] = [],
  dtype: DType = 'float32'
): ITensorDescr {
  return {
    id,
    description: '',
    axes,
    data: { type: dtype, range: [null, null] },
    optional: false,
    processing
  };
}

/** A model description with the given tensors and nothing else. */
export function model(
  inputs: ITensorDescr[],
  outputs: ITensorDescr[],
  family: '0.4' | '0.5' = '0.5'
): IModelDescription {
  return {
    type: 'model',
    formatVersion: family === '0.5' ? '0.5.7' : '0.4.10',
    formatFamily: family,
    name: 'test model',
    description: '',
    authors: [],
    maintainers: [],
    cite: [],
    covers: [],
    attachments: [],
    tags: [],
    links: [],
    inputs,
    outputs,
    weights: [],
    tolerances: [],
    config: {},
    extra: {},
    warnings: []
  };
}

/** Largest |a[i] − b[i]| (NaN counts as infinitely different). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(Number(a[i]) - Number(b[i]));
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}
