/**
 * Test helpers: real model descriptions (the bundled zoo and the shared
 * fixtures) parsed with the project's parser and turned into catalog
 * entries the way the catalog does it, plus a seeded Gaussian generator.
 */
import * as fs from 'fs';
import * as path from 'path';
import { entryFromModel } from '../../catalog/entry';
import type { ICatalogEntry } from '../../catalog/types';
import { parseDescription } from '../../spec/description';
import type { IModelDescription } from '../../spec/types';

/** The repository root. */
const ROOT = path.resolve(__dirname, '../../../..');

/** The shared fixtures (BIOIMAGE_FIXTURES overrides, as in src/zoo/__tests__). */
export const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ?? path.resolve(ROOT, '../shared/fixtures');

/** Named description files used by the tests. */
export const DESCRIPTIONS = {
  nucleiSeg: path.join(
    ROOT,
    'jupyterlab_bioimage/zoo/bioimage-nuclei-seg/rdf.yaml'
  ),
  denoise: path.join(ROOT, 'jupyterlab_bioimage/zoo/bioimage-denoise/rdf.yaml'),
  broad: path.join(FIXTURES, 'models/unet2d_nuclei_broad/bioimageio.yaml'),
  affableShark: path.join(
    FIXTURES,
    'rdf/live__affable-shark__v0__fv0_5_7.rdf.yaml'
  ),
  joyfulDeer: path.join(
    FIXTURES,
    'rdf/legacy__joyful-deer__zenodo.8123818.rdf.yaml'
  ),
  instanseg: path.join(
    FIXTURES,
    'rdf/qupath__instanseg_brightfield__v0_5.rdf.yaml'
  )
};

/** Parse a model description file. */
export function loadModel(file: string): IModelDescription {
  const parsed = parseDescription(fs.readFileSync(file, 'utf8'), {
    source: file
  });
  if (parsed.kind !== 'model') {
    throw new Error(`${file} is not a model`);
  }
  return parsed.model;
}

/** A catalog entry for a model, as the bundled source builds it. */
export function entryOf(model: IModelDescription, id: string): ICatalogEntry {
  return entryFromModel(model, {
    id,
    origin: { kind: 'bundled', sourceId: 'test', label: 'Test' },
    location: { kind: 'bundled', path: `${id}/rdf.yaml` }
  });
}

/** A model and its entry in one go. */
export function candidate(
  file: string,
  id: string
): { entry: ICatalogEntry; model: IModelDescription } {
  const model = loadModel(file);
  return { entry: entryOf(model, id), model };
}

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic standard normal numbers (Box–Muller on {@link uniform}). */
export function gaussian(seed: number): () => number {
  const u = uniform(seed);
  return () => {
    const a = 1 - u(); // in (0, 1], so the log is finite
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
  };
}
