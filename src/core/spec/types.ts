/**
 * The one typed internal form of a bioimage.io model description.
 *
 * It follows format 0.5 (the richer one); 0.4 descriptions are converted into
 * it as the spec's converter does (digest section 3.5). Pure data: no DOM, no
 * JupyterLab imports, so the worker, jest and the CLI share it.
 */
import type { DType } from '../tensor/tensor';

/** A size that may be parameterized: valid sizes are `min + n * step`. */
export interface IParameterizedSize {
  kind: 'parameterized';
  min: number;
  step: number;
}

/** size = floor(refSize * refAxis.scale / axis.scale) + offset. */
export interface ISizeReference {
  kind: 'reference';
  tensorId: string;
  axisId: string;
  offset: number;
}

/** Output index axes whose length is known only after inference. */
export interface IDataDependentSize {
  kind: 'data-dependent';
  min: number;
  max: number | null;
}

export interface IFixedSize {
  kind: 'fixed';
  value: number;
}

/** Any of the size forms an axis can have; batch `null` size is `any`. */
export type AxisSize =
  | IFixedSize
  | IParameterizedSize
  | ISizeReference
  | IDataDependentSize
  | { kind: 'any' };

export type AxisType = 'batch' | 'channel' | 'index' | 'time' | 'space';

/** One axis of a tensor description. */
export interface IAxis {
  type: AxisType;
  /** Normalised id: batch, channel, index, time, or x/y/z/custom. */
  id: string;
  description: string;
  size: AxisSize;
  /** Channel axes only: one name per channel. */
  channelNames?: string[];
  /** Physical size of one pixel/frame (space/time); 1.0 when not given. */
  scale: number;
  /** Physical unit (space/time), e.g. `micrometer`. */
  unit?: string;
  /** Output space/time axes: pixels to crop on both sides after inference. */
  halo: number;
  concatenable: boolean;
}

/** Element type and value range of a tensor. */
export interface ITensorData {
  type: DType;
  /** [min, max]; null means the dtype's limit. */
  range: [number | null, number | null];
  unit?: string;
  /** Nominal/ordinal data: the allowed values. */
  values?: Array<number | string | boolean>;
}

/** A file reference with an optional sha256. */
export interface IFileRef {
  /** Relative to the description's folder, or an http(s) URL. */
  source: string;
  sha256?: string;
}

/**
 * One pre- or postprocessing step in 0.5 form. `kwargs` are normalised to the
 * 0.5 keys (axes as axis ids; 0.4 `mode` folded into `axes` with `batch` for
 * per-dataset; 0.4 fixed zmuv turned into fixed_zero_mean_unit_variance).
 */
export interface IProcessingStep {
  id:
    | 'binarize'
    | 'clip'
    | 'scale_linear'
    | 'sigmoid'
    | 'softmax'
    | 'zero_mean_unit_variance'
    | 'fixed_zero_mean_unit_variance'
    | 'scale_range'
    | 'scale_mean_variance'
    | 'ensure_dtype';
  kwargs: Record<string, unknown>;
}

/** One input or output tensor description. */
export interface ITensorDescr {
  id: string;
  description: string;
  axes: IAxis[];
  data: ITensorData;
  /** Per-channel data descriptions when the description gives a list. */
  channelData?: ITensorData[];
  testTensor?: IFileRef;
  sampleTensor?: IFileRef;
  /** Inputs only. */
  optional: boolean;
  /** Pre- (inputs) or postprocessing (outputs), implicit ensure_dtype included. */
  processing: IProcessingStep[];
}

export type WeightsFormat =
  | 'onnx'
  | 'torchscript'
  | 'pytorch_state_dict'
  | 'keras_hdf5'
  | 'tensorflow_saved_model_bundle'
  | 'tensorflow_js';

/** One weights entry. */
export interface IWeightsEntry extends IFileRef {
  format: WeightsFormat;
  /** onnx */
  opsetVersion?: number;
  /** onnx 0.5.6+ */
  externalData?: IFileRef;
  /** Format this entry was converted from. */
  parent?: WeightsFormat;
  /** Everything else the entry had (architecture, versions, ...). */
  extra: Record<string, unknown>;
}

export interface IAuthor {
  name?: string;
  affiliation?: string;
  email?: string;
  orcid?: string;
  githubUser?: string;
}

export interface ICitation {
  text: string;
  doi?: string;
  url?: string;
}

/** A reproducibility tolerance entry (0.5 `config.bioimageio`). */
export interface ITolerance {
  relativeTolerance: number;
  absoluteTolerance: number;
  mismatchedElementsPerMillion: number;
  /** Empty: applies to all outputs / formats. */
  outputIds: string[];
  weightsFormats: string[];
}

/** A parsed, validated model description in the unified form. */
export interface IModelDescription {
  type: 'model';
  /** As written in the file, e.g. `0.4.9`, `0.5.10`. */
  formatVersion: string;
  /** Major.minor family it was parsed as. */
  formatFamily: '0.4' | '0.5';
  id?: string;
  idEmoji?: string;
  name: string;
  description: string;
  version?: string;
  versionComment?: string;
  authors: IAuthor[];
  maintainers: IAuthor[];
  cite: ICitation[];
  license?: string;
  /** The documentation's source (a file name or URL). */
  documentation?: string;
  /** The documentation as a file reference, with its sha256 when given (0.5.11+ `{source, sha256}`). */
  documentationFile?: IFileRef;
  /** The cover images' sources. */
  covers: string[];
  /** The cover images as file references, with their sha256 when given. */
  coverFiles?: IFileRef[];
  attachments: IFileRef[];
  tags: string[];
  gitRepo?: string;
  links: string[];
  trainingData?: { id?: string; [key: string]: unknown };
  timestamp?: string;
  inputs: ITensorDescr[];
  outputs: ITensorDescr[];
  weights: IWeightsEntry[];
  /** Declared tolerances (0.5) or legacy test_kwargs mapped to this form. */
  tolerances: ITolerance[];
  config: Record<string, unknown>;
  /** Unknown top-level fields, kept verbatim. */
  extra: Record<string, unknown>;
  /** Non-fatal findings (FAIR fields missing, unknown fields, ...). */
  warnings: string[];
}

/** A non-model resource description (dataset, application, notebook, ...). */
export interface IGenericDescription {
  type: string;
  formatVersion: string;
  id?: string;
  name: string;
  description: string;
  tags: string[];
  raw: Record<string, unknown>;
}
