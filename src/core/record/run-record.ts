/**
 * The run record: everything about one analysis run in the browser that the
 * generated notebook cells need to redo it in the kernel. Pure data plus
 * validation; no JupyterLab imports.
 *
 * The record/ folder (this file is its entry) holds what a run leaves
 * behind, as pure data: the run record (here) and where its outputs are
 * saved (output-files.ts). It imports only the types of core/spec.
 */
import type { IModelDescription, IProcessingStep } from '../spec/types';

/** Instance segmentation methods the generated cells can apply. */
export type InstanceMethod = 'none' | 'connected_components' | 'watershed';

/** Metrics the generated cells can compute. */
export const KNOWN_METRICS = [
  'iou',
  'dice',
  'f1_iou50',
  'ap_iou50',
  'ap_iou55',
  'ap_iou60',
  'ap_iou65',
  'ap_iou70',
  'ap_iou75',
  'ap_iou80',
  'ap_iou85',
  'ap_iou90',
  'psnr',
  'ssim',
  'nrmse'
] as const;

/**
 * What the browser itself produced, beyond its metrics, so the kernel cells
 * can compare their own results with it (and the Methods paragraph say what
 * was measured).
 */
export interface IBrowserSummary {
  /** Number of objects in the browser's label image. */
  objectCount?: number;
  /** sha256 of the browser's label image as little-endian int32, C order. */
  labelsSha256?: string;
  /** Summary of the probability plane the labels came from. */
  prediction?: { min: number; max: number; mean: number };
}

/** One run of a model on an image in the browser. */
export interface IRunRecord {
  /** The browser's own results, for the kernel's comparison (optional). */
  browser?: IBrowserSummary;
  model: {
    /** Where the model came from: local RDF/folder path, rdf URL, or bioimage.io id. */
    source: string;
    id: string;
    version: string;
    name: string;
    /** sha256 of the ONNX weights that were run (64 hex digits). */
    weightsSha256: string;
    /** sha256 of the description file, when known. */
    descriptionSha256?: string;
    /** Citations (text, doi, url) for the methods paragraph. */
    cite?: { text: string; doi?: string; url?: string }[];
    /** The (single) input and output the run used, with their axis ids. */
    inputId: string;
    inputAxes: string[];
    outputId: string;
    outputAxes: string[];
    /** Model pre- and postprocessing (0.5 form, implicit ensure_dtype included). */
    preprocessing: IProcessingStep[];
    postprocessing: IProcessingStep[];
    /** The model test tolerance (defaults 1e-3 / 1e-3). */
    tolerance?: { rtol: number; atol: number };
  };
  image: {
    /** Path of the image, relative to the notebook's directory or absolute. */
    path: string;
    /** Viewer axis letters of the file, e.g. 'YX', 'CYX', 'ZYX'. */
    axes: string;
    /** Channels fed to the model (indices along C), or null for all. */
    channels?: number[] | null;
    /**
     * Axes fixed to one index before the model sees the image, by lower-case
     * letter (`t`, `z`): e.g. the z plane a 2D model runs on.
     */
    select?: Record<string, number>;
    /**
     * The image resampled along y and x to this size (the model's pixel
     * size) before the model, and the outputs back to the image's size.
     */
    rescale?: { height: number; width: number };
  };
  /** Block shape (halo included) and halo per model axis id; null = untiled. */
  tiling: {
    blockShape: Record<string, number>;
    halo: Record<string, number>;
  } | null;
  postprocessing: {
    /** Output channel used for instances (default 0). */
    channel?: number;
    threshold?: number;
    minSize?: number;
    instanceMethod?: InstanceMethod;
  };
  metrics: {
    requested: string[];
    /** Values measured in the browser, by metric name. */
    values: Record<string, number>;
    /** Ground truth labels/image used for the metrics. */
    groundTruthPath?: string;
  };
  /** Execution backend in the browser, e.g. 'wasm', 'webgpu'. */
  backend: string;
  extensionVersion: string;
  /** ISO 8601 time of the run. */
  timestamp: string;
  /** Where the generated cells write results (default: `bioimage-results`). */
  outputDir?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const AXIS_ID = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const IMAGE_AXES = /^[TCZYXS]{2,5}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkNumberMap(
  m: unknown,
  what: string,
  errors: string[],
  min: number
): void {
  if (!isObject(m)) {
    errors.push(`${what} must be an object of axis id → integer`);
    return;
  }
  for (const [k, v] of Object.entries(m)) {
    if (!AXIS_ID.test(k)) {
      errors.push(`${what}: bad axis id ${JSON.stringify(k)}`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      errors.push(`${what}.${k} must be an integer ≥ ${min}`);
    }
  }
}

/**
 * All problems of a run record (empty when it is valid). Strings are not
 * restricted beyond what the code needs: they are always quoted.
 */
export function validateRunRecord(r: unknown): string[] {
  const errors: string[] = [];
  if (!isObject(r)) {
    return ['the run record must be an object'];
  }
  const rec = r as unknown as IRunRecord;
  const m = rec.model as unknown;
  if (!isObject(m)) {
    errors.push('model is missing');
  } else {
    for (const key of ['source', 'id', 'version', 'name'] as const) {
      if (typeof m[key] !== 'string' || !(m[key] as string).length) {
        errors.push(`model.${key} must be a non-empty string`);
      }
    }
    if (typeof m.weightsSha256 !== 'string' || !SHA256.test(m.weightsSha256)) {
      errors.push('model.weightsSha256 must be 64 lower-case hex digits');
    }
    if (
      m.descriptionSha256 !== undefined &&
      m.descriptionSha256 !== null &&
      (typeof m.descriptionSha256 !== 'string' ||
        !SHA256.test(m.descriptionSha256))
    ) {
      errors.push('model.descriptionSha256 must be 64 lower-case hex digits');
    }
    for (const key of ['inputId', 'outputId'] as const) {
      if (typeof m[key] !== 'string' || !(m[key] as string).length) {
        errors.push(`model.${key} must be a non-empty string`);
      }
    }
    for (const key of ['inputAxes', 'outputAxes'] as const) {
      const axes = m[key];
      if (
        !Array.isArray(axes) ||
        !axes.length ||
        !axes.every(a => typeof a === 'string' && AXIS_ID.test(a)) ||
        new Set(axes).size !== axes.length
      ) {
        errors.push(`model.${key} must be distinct axis ids`);
      }
    }
    for (const key of ['preprocessing', 'postprocessing'] as const) {
      const steps = m[key];
      if (
        !Array.isArray(steps) ||
        !steps.every(
          s => isObject(s) && typeof s.id === 'string' && isObject(s.kwargs)
        )
      ) {
        errors.push(`model.${key} must be a list of {id, kwargs}`);
      }
    }
    const tol = m.tolerance;
    if (
      tol !== undefined &&
      (!isObject(tol) ||
        typeof tol.rtol !== 'number' ||
        typeof tol.atol !== 'number')
    ) {
      errors.push('model.tolerance must be {rtol, atol}');
    }
  }
  const img = rec.image as unknown;
  if (!isObject(img)) {
    errors.push('image is missing');
  } else {
    if (typeof img.path !== 'string' || !img.path.length) {
      errors.push('image.path must be a non-empty string');
    }
    if (typeof img.axes !== 'string' || !IMAGE_AXES.test(img.axes)) {
      errors.push('image.axes must be 2–5 letters from TCZYX');
    }
    const ch = img.channels;
    if (
      ch !== undefined &&
      ch !== null &&
      (!Array.isArray(ch) ||
        !ch.every(c => typeof c === 'number' && Number.isInteger(c) && c >= 0))
    ) {
      errors.push('image.channels must be a list of channel indices');
    }
    const sel = img.select;
    if (sel !== undefined && sel !== null) {
      if (
        !isObject(sel) ||
        !Object.entries(sel).every(
          ([k, v]) =>
            (k === 't' || k === 'z') &&
            typeof v === 'number' &&
            Number.isInteger(v) &&
            v >= 0 &&
            typeof img.axes === 'string' &&
            img.axes.includes(k.toUpperCase())
        )
      ) {
        errors.push(
          'image.select must map axes t or z of the image to plane indices'
        );
      }
    }
    const rs = img.rescale;
    if (
      rs !== undefined &&
      rs !== null &&
      (!isObject(rs) ||
        ![rs.height, rs.width].every(
          v => typeof v === 'number' && Number.isInteger(v) && v >= 1
        ))
    ) {
      errors.push('image.rescale must be {height, width} in pixels');
    }
  }
  if (rec.tiling !== null && rec.tiling !== undefined) {
    if (!isObject(rec.tiling)) {
      errors.push('tiling must be {blockShape, halo} or null');
    } else {
      checkNumberMap(rec.tiling.blockShape, 'tiling.blockShape', errors, 1);
      checkNumberMap(rec.tiling.halo, 'tiling.halo', errors, 0);
    }
  }
  const pp = rec.postprocessing as unknown;
  if (!isObject(pp)) {
    errors.push('postprocessing must be an object');
  } else {
    const num = (k: string) =>
      pp[k] === undefined ||
      (typeof pp[k] === 'number' && Number.isFinite(pp[k] as number));
    for (const k of ['channel', 'threshold', 'minSize']) {
      if (!num(k)) {
        errors.push(`postprocessing.${k} must be a finite number`);
      }
    }
    const meth = pp.instanceMethod;
    if (
      meth !== undefined &&
      !['none', 'connected_components', 'watershed'].includes(meth as string)
    ) {
      errors.push(`postprocessing.instanceMethod is unknown`);
    }
  }
  const mt = rec.metrics as unknown;
  if (!isObject(mt)) {
    errors.push('metrics must be an object');
  } else {
    if (
      !Array.isArray(mt.requested) ||
      !mt.requested.every(k =>
        (KNOWN_METRICS as readonly string[]).includes(k as string)
      )
    ) {
      errors.push(`metrics.requested must list names from ${KNOWN_METRICS}`);
    }
    if (
      !isObject(mt.values) ||
      !Object.values(mt.values).every(v => typeof v === 'number')
    ) {
      errors.push('metrics.values must map names to numbers');
    }
    if (
      Array.isArray(mt.requested) &&
      mt.requested.length &&
      typeof mt.groundTruthPath !== 'string'
    ) {
      errors.push('metrics need metrics.groundTruthPath');
    }
  }
  for (const key of ['backend', 'extensionVersion', 'timestamp'] as const) {
    if (typeof rec[key] !== 'string' || !rec[key].length) {
      errors.push(`${key} must be a non-empty string`);
    }
  }
  if (rec.outputDir !== undefined && typeof rec.outputDir !== 'string') {
    errors.push('outputDir must be a string');
  }
  return errors;
}

/** The model part of a run record, from a parsed description. */
export function runRecordModel(
  model: IModelDescription,
  source: string,
  descriptionSha256?: string
): IRunRecord['model'] {
  const onnx = model.weights.find(w => w.format === 'onnx');
  if (!onnx?.sha256) {
    throw new Error(`${model.name}: no ONNX weights with a sha256`);
  }
  const input = model.inputs[0];
  const output = model.outputs[0];
  const tol = model.tolerances.find(
    t =>
      (!t.weightsFormats.length || t.weightsFormats.includes('onnx')) &&
      (!t.outputIds.length || t.outputIds.includes(output.id))
  );
  return {
    source,
    id: model.id ?? model.name,
    version: model.version ?? 'unversioned',
    name: model.name,
    weightsSha256: onnx.sha256.toLowerCase(),
    descriptionSha256,
    cite: model.cite.map(c => ({ text: c.text, doi: c.doi, url: c.url })),
    inputId: input.id,
    inputAxes: input.axes.map(a => a.id),
    outputId: output.id,
    outputAxes: output.axes.map(a => a.id),
    preprocessing: input.processing,
    postprocessing: output.processing,
    tolerance: tol
      ? { rtol: tol.relativeTolerance, atol: tol.absoluteTolerance }
      : undefined
  };
}

/** The provenance every generated cell records in the kernel (Python dict keys). */
export function runProvenance(
  r: IRunRecord,
  style: string
): Record<string, string | null> {
  const m = r.model;
  return {
    model_id: m.id,
    model_version: m.version,
    model_source: m.source,
    weights_sha256: m.weightsSha256,
    description_sha256: m.descriptionSha256 ?? null,
    backend_browser: r.backend,
    extension_version: r.extensionVersion,
    run_time: r.timestamp,
    style
  };
}
