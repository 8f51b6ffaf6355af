/**
 * The `weights` map of a model description (digest section 5).
 */
import type { IWeightsEntry, WeightsFormat } from './types';
import { field, IssueLog } from './errors';
import {
  isAbsent,
  isMap,
  RawMap,
  readMap,
  readNumber,
  readString,
  typeName
} from './read';
import { FormatFamily, readFileRef } from './common';

/** Every weights format the spec knows, in the spec's field order. */
export const WEIGHTS_FORMATS: WeightsFormat[] = [
  'keras_hdf5',
  'onnx',
  'pytorch_state_dict',
  'tensorflow_js',
  'tensorflow_saved_model_bundle',
  'torchscript'
];

/** Keys of a weights entry that have their own fields in {@link IWeightsEntry}. */
const WEIGHTS_OWN_KEYS = new Set([
  'source',
  'sha256',
  'opset_version',
  'external_data',
  'parent'
]);

/** Read the `weights` map; `null` entries (seen in real files) are skipped. */
export function readWeights(
  raw: RawMap,
  family: FormatFamily,
  log: IssueLog
): IWeightsEntry[] {
  const map = readMap(log, raw, 'weights', '', { required: true });
  if (!map) {
    return [];
  }
  const entries: IWeightsEntry[] = [];
  for (const [format, value] of Object.entries(map)) {
    const path = field('weights', format);
    if (value === null || value === undefined) {
      continue;
    }
    if (!(WEIGHTS_FORMATS as string[]).includes(format)) {
      log.warn(
        path,
        `unknown weights format; known: ${WEIGHTS_FORMATS.join(', ')}`
      );
      continue;
    }
    if (!isMap(value)) {
      log.error(
        path,
        `expected a mapping with a source, got ${typeName(value)}`
      );
      continue;
    }
    const ref = readFileRef(log, value, path);
    const opsetVersion =
      format === 'onnx'
        ? readNumber(log, value, 'opset_version', path, {
            integer: true,
            min: 7,
            required: family === '0.5'
          })
        : undefined;
    if (
      format === 'onnx' &&
      family === '0.4' &&
      value.opset_version === undefined
    ) {
      log.warn(
        field(path, 'opset_version'),
        'missing; ONNX opset 15 is assumed'
      );
    }
    const externalData =
      format === 'onnx' && !isAbsent(value.external_data)
        ? readFileRef(log, value.external_data, field(path, 'external_data'))
        : undefined;
    const parent = readString(log, value, 'parent', path);
    const extra: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (!WEIGHTS_OWN_KEYS.has(key)) {
        extra[key] = v;
      }
    }
    if (ref) {
      entries.push({
        format: format as WeightsFormat,
        source: ref.source,
        sha256: ref.sha256,
        opsetVersion,
        externalData,
        parent: parent as WeightsFormat | undefined,
        extra
      });
    }
  }
  const formats = new Set(entries.map(e => e.format));
  entries.forEach(entry => {
    if (entry.parent === undefined) {
      return;
    }
    const path = field(field('weights', entry.format), 'parent');
    if (entry.parent === entry.format) {
      log.error(path, 'a weights entry cannot be its own parent');
    } else if (!formats.has(entry.parent)) {
      log.error(
        path,
        `'${entry.parent}' is not one of the weights formats in this description`
      );
    }
  });
  if (
    Object.keys(map).length > 0 &&
    entries.length === 0 &&
    log.errors.every(e => !e.path.startsWith('weights'))
  ) {
    log.error(
      'weights',
      'no usable weights entry; every entry is empty (null) or of an unknown format'
    );
  } else if (Object.keys(map).length === 0) {
    log.error('weights', 'must contain at least one weights format');
  }
  return entries;
}
