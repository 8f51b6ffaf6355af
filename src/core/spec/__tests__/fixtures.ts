/** The fixture descriptions the spec tests read, and how they read them. */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { parseDescription } from '../description';
import type { IModelDescription } from '../types';

export const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
export const RDF = path.join(FIXTURES, 'rdf');
export const PKG = path.join(FIXTURES, 'models/unet2d_nuclei_broad');

/** Raw YAML, mutated freely by the tests. */
export type Raw = Record<string, any>;

/** A fixture model description, optionally changed before parsing. */
export function load(
  file: string,
  change?: (raw: Raw) => void
): IModelDescription {
  let text = fs.readFileSync(file, 'utf8');
  if (change) {
    const raw = parse(text) as Raw;
    change(raw);
    text = stringify(raw);
  }
  const result = parseDescription(text);
  if (result.kind !== 'model') {
    throw new Error('not a model');
  }
  return result.model;
}
