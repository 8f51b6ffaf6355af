/**
 * Every token of the extension, in one place, each an interface: this is how
 * one feature reaches another (the wizard runs models through the inference
 * service, ranks the zoo's catalog, draws into the viewer and writes cells
 * through the notebook writer) without importing its classes.
 *
 * May import only `src/core` and framework types (see scripts/check-layout.mjs).
 */
import type { IWidgetTracker } from '@jupyterlab/apputils';
import type { IDocumentWidget } from '@jupyterlab/docregistry';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

import type {
  ICatalogEntry,
  ITestStatus,
  PackageLocation
} from './core/catalog/types';
import type { IImageSource } from './core/formats/types';
import type {
  BackendChoice,
  IEnvironmentReport,
  IOpenReport,
  IPredictReport,
  ITestReport,
  PackageSource
} from './core/inference/protocol';
import type { IProgress, IRunningRequest } from './core/inference/requests';
import type { CodeStyle, IFineTuneOptions } from './core/record/options';
import type { IRunRecord } from './core/record/run-record';
import type { IModelDescription, IProcessingStep } from './core/spec/types';
import type { INDArray } from './core/tensor/tensor';

// ---------------------------------------------------------------- inference

/** One image given to a model input. Its buffer is copied, not moved. */
export interface IPredictInput {
  array: INDArray;
  axes: string;
  channels?: number[];
  select?: Record<string, number>;
}

/** The shared inference worker, as other features use it. */
export interface IInferenceClient {
  /** Progress of any request. */
  readonly progress: ISignal<IInferenceClient, IProgress>;
  /** What WebGPU/WebNN/threads the worker's environment offers. */
  probe(): Promise<IEnvironmentReport>;
  /** Load a package, verify its weights and create a session. */
  open(
    source: PackageSource,
    backend?: BackendChoice,
    numThreads?: number
  ): Promise<IOpenReport>;
  /** Run the model's own test (untiled). */
  test(modelKey: string): IRunningRequest<ITestReport>;
  /** Predict on one image per model input. */
  predict(
    modelKey: string,
    inputs: IPredictInput[],
    blockShape?: Record<string, number>,
    preprocessing?: Array<IProcessingStep[] | null>
  ): IRunningRequest<IPredictReport>;
  /** Close a model's session. */
  close(modelKey: string): Promise<boolean>;
}

/**
 * Client-side inference: one shared Web Worker running onnxruntime-web.
 * Other features (model card, wizard) run models through it.
 */
export interface IInferenceService {
  /** The client of the shared inference worker. */
  readonly client: IInferenceClient;
}

export const IInferenceService = new Token<IInferenceService>(
  'jupyterlab-bioimage:IInferenceService',
  'Runs bioimage.io models client-side in a Web Worker.'
);

// ---------------------------------------------------------------- zoo

/** Reads the files of a catalog entry's package (sha256-verified when given). */
export interface IPackageFileReader {
  /** Bytes of a package file, `relative` to the description (the description itself when omitted). */
  read(
    location: PackageLocation,
    relative?: string,
    sha256?: string,
    options?: { signal?: AbortSignal }
  ): Promise<Uint8Array>;
}

/** The model catalog of the sidebar, as other features read it. */
export interface IModelCatalog {
  /** Emitted when entries were added, removed or updated. */
  readonly changed: ISignal<IModelCatalog, void>;
  /** Emitted with an entry's key when its test status changes. */
  readonly testStatusChanged: ISignal<IModelCatalog, string>;
  /** Every entry of every source. */
  readonly entries: readonly ICatalogEntry[];
  /** File access for the entries' packages. */
  readonly fetcher: IPackageFileReader;
  entry(key: string): ICatalogEntry | undefined;
  model(key: string): IModelDescription | undefined;
  testStatus(key: string): ITestStatus | undefined;
  setTestStatus(key: string, status: ITestStatus): void;
}

/** The zoo sidebar's catalog, shared with other features. */
export interface IZooCatalog {
  /** Every entry of every source, with descriptions and test status. */
  readonly catalog: IModelCatalog;
  /**
   * A description location the inference worker can open: a workspace
   * path or an absolute URL. Remote packages are first saved to the
   * workspace (every file sha256-verified).
   */
  runnableLocation(entry: ICatalogEntry): Promise<string>;
  /** Open the model card of an entry in the main area. */
  openCard(key: string): void;
}

export const IZooCatalog = new Token<IZooCatalog>(
  'jupyterlab-bioimage:IZooCatalog',
  'The BioImage Model Zoo catalog (bundled, live and user sources).'
);

// ---------------------------------------------------------------- viewer

/** The document factory name of the image viewer (for `docmanager:open`). */
export const VIEWER_FACTORY = 'BioImage Viewer';

/** An overlay of an open image, as other features see it. */
export interface IViewerOverlay {
  readonly id: number;
  readonly name: string;
}

/** What other features do with an open image: wait for it, layer results on it. */
export interface IViewerImage {
  /** Resolves when the image's first plane is decoded. */
  readonly loaded: Promise<void>;
  readonly overlays: readonly IViewerOverlay[];
  /** Layer an array (same Y and X size) over the image. */
  addOverlay(
    source: IImageSource,
    name: string,
    kind: 'labels' | 'heatmap',
    display?: { outline?: boolean; opacity?: number }
  ): Promise<IViewerOverlay>;
  removeOverlay(id: number): void;
}

/** An open image viewer document. */
export interface IImageDocument extends IDocumentWidget {
  /** The viewer's image model. */
  readonly model: IViewerImage;
}

/** Tracks the open BioImage viewers; `currentWidget` is the current image. */
export type IBioImageTracker = IWidgetTracker<IImageDocument>;

/** The token of the viewer tracker. */
export const IBioImageTracker = new Token<IBioImageTracker>(
  'jupyterlab-bioimage:IBioImageTracker',
  'Tracks the open BioImage image viewers (model, source and current plane of each).'
);

// ---------------------------------------------------------------- notebook

/** Where and how to insert the generated cells. */
export interface IInsertOptions {
  /** Default `core`. */
  style?: CodeStyle;
  /** Add the Dask batch cell. */
  includeBatch?: boolean;
  /** Add the PyTorch fine-tuning cells (needs a ground truth or target paths). */
  includeFineTune?: boolean;
  /**
   * Options of the fine-tuning cells. Its paths are written as given
   * (relative to the notebook's directory or absolute), not rewritten like
   * the record's.
   */
  fineTune?: IFineTuneOptions;
  /**
   * `active`: below the active cell of the current notebook (default when
   * one is open); `new`: a new notebook next to the image.
   */
  target?: 'active' | 'new';
  /**
   * Paths in the record (image, ground truth, local model) are relative to
   * the server root, as the browser sees them (default true); they are
   * rewritten relative to the notebook's directory, where the kernel runs.
   */
  serverRootPaths?: boolean;
}

/** What was inserted. */
export interface IInsertResult {
  /** Server path of the notebook the cells went into. */
  path: string;
  /** Index of the first inserted cell. */
  index: number;
  count: number;
}

/** Inserts the generated analysis cells into notebooks. */
export interface INotebookWriter {
  /**
   * Generate and insert the cells for `record` as one undoable step.
   * Everything is validated first: on any error nothing is inserted.
   */
  insert(record: IRunRecord, options?: IInsertOptions): Promise<IInsertResult>;
}

export const INotebookWriter = new Token<INotebookWriter>(
  'jupyterlab-bioimage:INotebookWriter',
  'Inserts code cells that redo a browser analysis in the Python kernel.'
);
