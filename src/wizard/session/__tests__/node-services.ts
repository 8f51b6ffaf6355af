/**
 * Node implementations of the session's services, for the controller specs.
 * Only what a user never touches is replaced: the Web Worker transport (the
 * worker's own request handlers run in-process, on real onnxruntime-web),
 * the JupyterLab contents manager (files of a folder on disk, writes kept in
 * memory) and the zoo sidebar (a catalog of model folders on disk). Also an
 * independent reference: the core pipeline called directly on a model.
 *
 * May import only `src/core`, `src/tokens.ts` and the session (types).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Signal } from '@lumino/signaling';

import { entryFromModel } from '../../../core/catalog/entry';
import type { ICatalogEntry, ITestStatus } from '../../../core/catalog/types';
import { imageToInput, outputToImage } from '../../../core/inference/axes';
import { predict } from '../../../core/inference/pipeline';
import type {
  BackendChoice,
  IPredictReport,
  PackageSource
} from '../../../core/inference/protocol';
import {
  CancelledError,
  type IProgress,
  type IRunningRequest
} from '../../../core/inference/requests';
import { createOrtSession } from '../../../core/inference/session/ort';
import {
  InferenceWorkerState,
  type IRequestContext
} from '../../../core/inference/worker-handlers';
import type { IModelPackage } from '../../../core/package/package';
import { FolderPackageReader } from '../../../core/package/readers/node-folder';
import { openModelPackage } from '../../../core/package/readers/node-open';
import { sha256Hex } from '../../../core/package/sha256';
import type { IModelDescription } from '../../../core/spec/types';
import type { INDArray, ITensor } from '../../../core/tensor/tensor';
import type {
  IInferenceClient,
  IModelCatalog,
  IPackageFileReader,
  IPredictInput
} from '../../../tokens';
import type { ISessionServices, IWizardFiles } from '../services';

export const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
/** The stardist images: img2d.tif with its label mask mask2d.tif. */
export const STARDIST = path.join(FIXTURES, 'images', 'stardist');
const ZOO = path.resolve(__dirname, '../../../../jupyterlab_bioimage/zoo');
export const NUCLEI_SEG = path.join(ZOO, 'bioimage-nuclei-seg');
export const DENOISE = path.join(ZOO, 'bioimage-denoise');

/** The inference worker's handlers, called in-process instead of posted to a worker. */
export class NodeInferenceClient implements IInferenceClient {
  /** Every test/predict request handed out, in order. */
  readonly requests: IRunningRequest<unknown>[] = [];

  get progress(): Signal<this, IProgress> {
    return this._progress;
  }
  probe() {
    return this._state.probe();
  }
  open(source: PackageSource, backend: BackendChoice = 'auto', n?: number) {
    return this._state.open(source, backend, n);
  }
  test(modelKey: string) {
    return this._request(ctx => this._state.test(modelKey, ctx));
  }
  predict(
    modelKey: string,
    inputs: IPredictInput[],
    blockShape?: Record<string, number>,
    preprocessing?: Parameters<IInferenceClient['predict']>[3]
  ): IRunningRequest<IPredictReport> {
    return this._request((ctx, id) =>
      this._state.predict(
        { type: 'predict', id, modelKey, inputs, blockShape, preprocessing },
        ctx
      )
    );
  }
  close(modelKey: string) {
    return this._state.close(modelKey);
  }

  private _request<T>(
    handle: (ctx: IRequestContext, id: number) => Promise<T>
  ): IRunningRequest<T> {
    const id = ++this._id;
    const controller = new AbortController();
    const ctx: IRequestContext = {
      signal: controller.signal,
      progress: (done, total) => this._progress.emit({ id, done, total })
    };
    // As the worker client: an aborted request ends with a CancelledError.
    const result = handle(ctx, id).catch((error: Error) => {
      throw error.name === 'AbortError' ? new CancelledError() : error;
    });
    const running = { id, result, cancel: () => controller.abort() };
    this.requests.push(running);
    return running;
  }

  private _state = new InferenceWorkerState();
  private _id = 0;
  private _progress = new Signal<this, IProgress>(this);
}

/** Package files relative to a description on disk, sha256-checked. */
class FolderFetcher implements IPackageFileReader {
  async read(
    location: ICatalogEntry['location'],
    relative?: string,
    sha256?: string
  ): Promise<Uint8Array> {
    const description = (location as { path: string }).path;
    const file = relative
      ? path.join(path.dirname(description), relative)
      : description;
    const bytes = new Uint8Array(fs.readFileSync(file));
    if (sha256 && (await sha256Hex(bytes)) !== sha256.toLowerCase()) {
      throw new Error(`sha256 mismatch for ${relative}`);
    }
    return bytes;
  }
}

/** A catalog of model folders, as the zoo's catalog for a folder source. */
export class FolderCatalog implements IModelCatalog {
  static async open(folders: string[]): Promise<FolderCatalog> {
    const catalog = new FolderCatalog();
    for (const folder of folders) {
      const pkg = await openModelPackage(folder);
      const entry = entryFromModel(pkg.model, {
        origin: { kind: 'user', sourceId: 'test', label: 'test folders' },
        location: {
          kind: 'workspace',
          path: path.join(folder, pkg.descriptionName)
        }
      });
      catalog._models.set(entry.key, { entry, pkg, folder });
    }
    return catalog;
  }

  readonly changed = new Signal<this, void>(this);
  readonly testStatusChanged = new Signal<this, string>(this);
  readonly fetcher = new FolderFetcher();
  get entries(): ICatalogEntry[] {
    return [...this._models.values()].map(m => m.entry);
  }
  entry(key: string) {
    return this._models.get(key)?.entry;
  }
  model(key: string): IModelDescription | undefined {
    return this._models.get(key)?.pkg.model;
  }
  /** The key of the entry read from `folder`. */
  keyOf(folder: string): string {
    const found = [...this._models.values()].find(m => m.folder === folder);
    if (!found) {
      throw new Error(`${folder} is not in the catalog`);
    }
    return found.entry.key;
  }
  testStatus(key: string) {
    return this._status.get(key);
  }
  setTestStatus(key: string, status: ITestStatus): void {
    this._status.set(key, status);
    this.testStatusChanged.emit(key);
  }

  /** Every file of the entry's package, as the inference client opens it. */
  async packageSource(entry: ICatalogEntry): Promise<PackageSource> {
    const { folder, pkg } = this._models.get(entry.key)!;
    const reader = new FolderPackageReader(folder);
    const files: Record<string, Uint8Array> = {};
    for (const name of await reader.list()) {
      files[name] = await reader.read(name);
    }
    return { kind: 'files', files, descriptionName: pkg.descriptionName };
  }

  private _models = new Map<
    string,
    { entry: ICatalogEntry; pkg: IModelPackage; folder: string }
  >();
  private _status = new Map<string, ITestStatus>();
}

/** Files of a folder on disk; what is written is kept in memory (and read back). */
export class FolderFiles implements IWizardFiles {
  constructor(private readonly _root: string) {}
  readonly written = new Map<string, Uint8Array>();
  async readFileBytes(p: string): Promise<Uint8Array> {
    return (
      this.written.get(p) ??
      new Uint8Array(fs.readFileSync(path.join(this._root, p)))
    );
  }
  async writeFileBytes(p: string, bytes: Uint8Array): Promise<void> {
    this.written.set(p, bytes);
  }
}

/** One call of `showOverlay`. */
export interface IOverlayCall {
  imagePath: string;
  name: string;
  array: INDArray;
  kind: 'labels' | 'heatmap';
}

/** The services of a session on `models`, reading images from `root`. */
export async function nodeServices(
  models: string[],
  root = STARDIST
): Promise<{
  services: ISessionServices;
  client: NodeInferenceClient;
  catalog: FolderCatalog;
  files: FolderFiles;
  overlays: IOverlayCall[];
  saved: unknown[];
}> {
  const client = new NodeInferenceClient();
  const catalog = await FolderCatalog.open(models);
  const files = new FolderFiles(root);
  const overlays: IOverlayCall[] = [];
  const saved: unknown[] = [];
  return {
    client,
    catalog,
    files,
    overlays,
    saved,
    services: {
      files,
      inference: client,
      catalog,
      packageSource: entry => catalog.packageSource(entry),
      showOverlay: async (imagePath, name, array, kind) => {
        overlays.push({ imagePath, name, array, kind });
      },
      saveState: state => saved.push(JSON.parse(JSON.stringify(state))),
      extensionVersion: '0.0.0-test'
    }
  };
}

/**
 * The reference: the core pipeline called directly on a model folder, with
 * its own onnxruntime-web session, outputs in the image's axis letters.
 */
export class DirectModel {
  static async open(folder: string): Promise<DirectModel> {
    const pkg = await openModelPackage(folder);
    const onnx = pkg.model.weights.find(w => w.format === 'onnx')!;
    const session = await createOrtSession(await pkg.readFile(onnx), {
      backend: 'auto'
    });
    return new DirectModel(pkg, session);
  }

  private constructor(
    readonly pkg: IModelPackage,
    private readonly _session: Awaited<ReturnType<typeof createOrtSession>>
  ) {}

  /** Predict on one image; outputs by id as image-frame arrays with axis letters. */
  async predict(
    array: INDArray,
    axes: string,
    opts: {
      select?: Record<string, number>;
      blockShape?: Record<string, number>;
    } = {}
  ): Promise<Map<string, { array: INDArray; axes: string[] }>> {
    const model = this.pkg.model;
    const { tensor, mapping } = imageToInput(array, axes, model.inputs[0], {
      select: opts.select
    });
    const outputs = await predict(model, this._session, [tensor], {
      tiling: opts.blockShape ? { blockShape: opts.blockShape } : {}
    });
    const result = new Map<string, { array: INDArray; axes: string[] }>();
    for (const d of model.outputs) {
      const image = outputToImage(outputs.get(d.id) as ITensor, mapping);
      result.set(d.id, {
        array: { dtype: image.dtype, shape: image.shape, data: image.data },
        axes: image.axes
      });
    }
    return result;
  }

  async release(): Promise<void> {
    await this._session.release();
  }
}

/** Largest absolute difference of two arrays of the same shape. */
export function maxAbsDiff(a: INDArray, b: INDArray): number {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    worst = Math.max(worst, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  }
  return worst;
}

/** Wait until `signal` fires once. */
export function nextEmission<T>(signal: {
  connect(slot: (sender: unknown, args: T) => void): boolean;
  disconnect(slot: (sender: unknown, args: T) => void): boolean;
}): Promise<T> {
  return new Promise(resolve => {
    const slot = (_: unknown, args: T) => {
      signal.disconnect(slot);
      resolve(args);
    };
    signal.connect(slot);
  });
}
