/**
 * The zoo's public token: the model catalog and how to run one of its
 * entries, for other features (the wizard) that rank and run models.
 */
import { Token } from '@lumino/coreutils';

import type { ModelCatalog } from './catalog/catalog';
import type { ICatalogEntry } from '../core/catalog/types';

/** The model catalog of the sidebar, shared with other features. */
export interface IZooCatalog {
  /** Every entry of every source, with descriptions and test status. */
  readonly catalog: ModelCatalog;
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
