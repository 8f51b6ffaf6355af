/**
 * A fixed run record for the fixture model and image (codegen and parity
 * tests).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseDescription } from '../../core/spec/description';
import type { IModelDescription } from '../../core/spec/types';
import { IRunRecord, runRecordModel } from '../../core/record/run-record';

export const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../shared/fixtures');
export const UNET_DIR = path.join(FIXTURES, 'models', 'unet2d_nuclei_broad');
export const UNET_RDF = path.join(UNET_DIR, 'bioimageio.yaml');
export const IMAGE = path.join(FIXTURES, 'images', 'stardist', 'img2d.tif');
export const MASK = path.join(FIXTURES, 'images', 'stardist', 'mask2d.tif');

/** The fixture model, parsed. */
export function fixtureModel(): IModelDescription {
  const parsed = parseDescription(fs.readFileSync(UNET_RDF, 'utf8'));
  if (parsed.kind !== 'model') {
    throw new Error('fixture is not a model');
  }
  return parsed.model;
}

/** The run record of the fixture model on img2d.tif. */
export function fixtureRecord(): IRunRecord {
  const model = runRecordModel(fixtureModel(), UNET_RDF);
  return {
    model: { ...model, id: 'unet2d-nuclei-broad', version: '0.5-fixture' },
    image: { path: IMAGE, axes: 'YX', channels: null },
    tiling: { blockShape: { y: 512, x: 512 }, halo: { y: 32, x: 32 } },
    postprocessing: {
      channel: 0,
      threshold: 0.5,
      minSize: 12,
      instanceMethod: 'connected_components'
    },
    metrics: {
      requested: ['iou', 'dice', 'f1_iou50'],
      values: {},
      groundTruthPath: MASK
    },
    backend: 'wasm',
    extensionVersion: '0.1.0',
    timestamp: '2026-01-02T03:04:05.000Z'
  };
}
