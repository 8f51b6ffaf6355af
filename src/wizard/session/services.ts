/**
 * What the wizard session's controllers work with, as interfaces only: the
 * inference client, the model catalog, file access, the overlay callback.
 * The plugin adapts JupyterLab's services to these (`jupyter-services.ts`);
 * the tests give Node implementations, so every controller runs in Node.
 *
 * May import only `src/core`, `src/tokens.ts` and `../state` (types).
 */
import type { ICatalogEntry } from '../../core/catalog/types';
import type { PackageSource } from '../../core/inference/protocol';
import type { INDArray } from '../../core/tensor/tensor';
import type { IInferenceClient, IModelCatalog } from '../../tokens';
import type { IWizardState } from '../state';

/** Binary files of the user's file tree (images, ground truth, saved results). */
export interface IWizardFiles {
  readFileBytes(path: string): Promise<Uint8Array>;
  /** Replace `path` with `bytes` (never a half-written file). */
  writeFileBytes(path: string, bytes: Uint8Array): Promise<void>;
}

/** Show result arrays over the image in the viewer. */
export type ShowOverlay = (
  imagePath: string,
  name: string,
  array: INDArray,
  kind: 'labels' | 'heatmap'
) => Promise<void>;

/** Everything the session needs from the outside. */
export interface ISessionServices {
  files: IWizardFiles;
  inference: IInferenceClient;
  catalog: IModelCatalog;
  /** What the inference client opens for a catalog entry. */
  packageSource(entry: ICatalogEntry): Promise<PackageSource>;
  showOverlay?: ShowOverlay;
  /** Keep the user's choices (called at most every half second). */
  saveState?(state: IWizardState): void;
  extensionVersion: string;
}
