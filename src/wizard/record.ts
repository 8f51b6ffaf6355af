/**
 * The run record of a wizard run: what the notebook writer needs to write
 * cells that redo the run in the kernel. Pure data; the session supplies the
 * pieces.
 */
import type { IMatchingStats } from '../core/metrics';
import { sha256Hex } from '../core/package/sha256';
import {
  runRecordModel,
  type IBrowserSummary,
  type IRunRecord
} from '../core/record/run-record';
import { toFloat64, type INDArray } from '../core/tensor/tensor';
import type { ICatalogEntry } from '../core/catalog/types';
import type { IModelDescription, IProcessingStep } from '../core/spec/types';
import type { IWizardState } from './state';

/** Everything a record is made of. */
export interface IRecordInputs {
  entry: ICatalogEntry;
  model: IModelDescription;
  state: Readonly<IWizardState>;
  /** Axis letters of the image file, e.g. 'YX', 'CYX'. */
  imageAxes: string;
  /** Image axes fixed to one index (see WizardSession.selection). */
  selection: Record<string, number>;
  /** The model-grid size the image was resampled to, if it was. */
  rescale?: [number, number];
  /** Channels fed along the model's channel axis. */
  channelsFed: number[] | undefined;
  /** The preprocessing that ran (the user's percentiles included). */
  preprocessing: IProcessingStep[];
  /** Whether labels were derived (segmentation). */
  segmentation: boolean;
  backend: string;
  metrics: Record<string, number>;
  /** sha256 of the description file, when the catalog has none. */
  descriptionSha256?: string;
  extensionVersion: string;
}

/**
 * AP (TP / (TP + FP + FN)) at each matching threshold, by the kernel's names
 * (`ap_iou50` … `ap_iou90`), so the kernel cells compare them too.
 */
export function apValues(
  matching: readonly IMatchingStats[]
): Record<string, number> {
  return Object.fromEntries(
    matching.map(m => [
      `ap_iou${String(Math.round(m.thresh * 100)).padStart(2, '0')}`,
      m.accuracy
    ])
  );
}

/**
 * What the browser produced, for the kernel's comparison: its object count,
 * the sha256 of its label image (int32, little-endian, C order: what the
 * kernel hashes) and the min, max and mean of the probability plane.
 */
export async function browserSummary(
  probability: INDArray,
  labels: INDArray | null,
  objectCount: number
): Promise<IBrowserSummary> {
  const p = toFloat64(probability.data);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of p) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const summary: IBrowserSummary = {
    prediction: { min, max, mean: p.length ? sum / p.length : 0 }
  };
  if (labels) {
    const ints = Int32Array.from(toFloat64(labels.data));
    summary.objectCount = objectCount;
    summary.labelsSha256 = await sha256Hex(new Uint8Array(ints.buffer));
  }
  return summary;
}

/** How the generated code finds the model: a path, `bundled:…`, or a URL. */
export function modelSource(entry: ICatalogEntry): string {
  const loc = entry.location;
  switch (loc.kind) {
    case 'workspace':
      return loc.path;
    case 'remote':
      return loc.url;
    case 'bundled':
      // The kernel finds it inside the installed Python package.
      return `bundled:${loc.path}`;
  }
}

/**
 * The record of a run. Throws, saying why, when the run cannot be redone
 * in the kernel as it is (weights without a sha256 to pin them).
 */
export function buildRunRecord(r: IRecordInputs): IRunRecord {
  const { entry, model, state } = r;
  const onnx = model.weights.find(w => w.format === 'onnx');
  if (!onnx?.sha256) {
    throw new Error(
      'the ONNX weights of this model have no sha256 in the description, so the code cannot pin them'
    );
  }
  const { c, ...planes } = r.selection;
  const input = model.inputs[0];
  const output =
    model.outputs.find(o => o.id === state.outputId) ?? model.outputs[0];
  const spatial = (axes: typeof input.axes) =>
    axes.filter(a => a.id === 'x' || a.id === 'y');
  return {
    model: {
      ...runRecordModel(
        {
          ...model,
          outputs: [output, ...model.outputs.filter(o => o !== output)]
        },
        modelSource(entry),
        (entry.rdfSha256 ?? r.descriptionSha256)?.toLowerCase()
      ),
      id: model.id ?? entry.id,
      // The weights' sha256 pins the model even when it has no version.
      version: model.version || entry.version || 'unversioned',
      preprocessing: r.preprocessing
    },
    image: {
      path: state.imagePath,
      axes: r.imageAxes,
      channels: c !== undefined ? [c] : (r.channelsFed ?? null),
      select: Object.keys(planes).length ? planes : undefined,
      rescale: r.rescale
        ? { height: r.rescale[0], width: r.rescale[1] }
        : undefined
    },
    tiling: state.tile
      ? {
          blockShape: Object.fromEntries(
            spatial(input.axes).map(a => [a.id, state.tile as number])
          ),
          halo: Object.fromEntries(
            spatial(output.axes).map(a => [a.id, a.halo])
          )
        }
      : null,
    postprocessing: {
      channel: state.outputChannel,
      threshold: state.threshold,
      minSize: state.minSize,
      instanceMethod: r.segmentation ? state.instanceMethod : 'none'
    },
    metrics: {
      requested: Object.keys(r.metrics),
      // NaN ("undefined", e.g. IoU of two empty masks) is not a Python literal.
      values: Object.fromEntries(
        Object.entries(r.metrics).filter(([, v]) => Number.isFinite(v))
      ),
      groundTruthPath: state.groundTruthPath || undefined
    },
    backend: r.backend,
    extensionVersion: r.extensionVersion,
    timestamp: new Date().toISOString()
  };
}
