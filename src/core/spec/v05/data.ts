/**
 * The `data` field of a 0.5 tensor (digest 3.4): element type, value range,
 * nominal values; one description or one per channel.
 */
import type { DType } from '../../tensor/tensor';
import type { IAxis, ITensorData } from '../types';
import { field, item, IssueLog } from '../errors';
import {
  asNumber,
  isMap,
  readList,
  readRange,
  readString,
  typeName
} from '../read';
import { DTYPES } from '../steps';

/** `data`: one description, or one per channel (all of the same type). */
export function readData(
  raw: unknown,
  channel: IAxis | undefined,
  path: string,
  log: IssueLog
): { data: ITensorData; channelData?: ITensorData[] } {
  if (raw === undefined || raw === null) {
    return { data: { type: 'float32', range: [null, null] } };
  }
  if (Array.isArray(raw)) {
    const list = raw.map((d, i) => readOneData(d, item(path, i), log));
    if (list.length === 0) {
      log.error(path, 'must not be an empty list');
      return { data: { type: 'float32', range: [null, null] } };
    }
    const types = new Set(list.map(d => d.type));
    if (types.size > 1) {
      log.error(
        path,
        `all channels must have the same data type, got ${[...types].join(', ')}`
      );
    }
    const channels =
      channel?.size.kind === 'fixed' ? channel.size.value : undefined;
    if (channels === undefined) {
      log.error(
        path,
        'a list of data descriptions needs a channel axis (one entry per channel)'
      );
    } else if (channels !== list.length) {
      log.error(
        path,
        `has ${list.length} entries but the channel axis has ${channels} channels`
      );
    }
    return { data: list[0], channelData: list };
  }
  return { data: readOneData(raw, path, log) };
}

function readOneData(raw: unknown, path: string, log: IssueLog): ITensorData {
  if (!isMap(raw)) {
    log.error(
      path,
      `expected a data description (mapping), got ${typeName(raw)}`
    );
    return { type: 'float32', range: [null, null] };
  }
  const nominal = raw.values !== undefined && raw.values !== null;
  const typeText =
    readString(log, raw, 'type', path) ?? (nominal ? 'uint8' : 'float32');
  let type: DType = nominal ? 'uint8' : 'float32';
  if ((DTYPES as string[]).includes(typeText)) {
    type = typeText as DType;
  } else {
    log.error(
      field(path, 'type'),
      `unknown data type '${typeText}'; valid: ${DTYPES.join(', ')}`
    );
  }
  const data: ITensorData = {
    type,
    range: [null, null],
    unit: readString(log, raw, 'unit', path)
  };
  if (nominal) {
    const values = readList(log, raw, 'values', path, { nonEmpty: true }) ?? [];
    data.values = values.filter(
      (v): v is number | string | boolean =>
        typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'
    );
    if (data.values.length !== values.length) {
      log.error(
        field(path, 'values'),
        'values must be numbers, strings or booleans'
      );
    }
    if (
      data.values.some(v => typeof v === 'string') &&
      !type.startsWith('uint')
    ) {
      log.error(
        field(path, 'type'),
        `string values label 0..N-1 and need an unsigned integer type, got ${type}`
      );
    }
  } else {
    data.range = readRange(log, raw.range, field(path, 'range'));
    if (raw.scale !== undefined && raw.scale !== null) {
      asNumber(log, raw.scale, field(path, 'scale'));
    }
  }
  return data;
}
