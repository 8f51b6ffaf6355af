/**
 * Where the inference worker can open a catalog entry's description: a
 * workspace path, the server's URL of a bundled package, or, for a remote
 * package, the workspace copy saved (and verified) first. Used by the card's
 * "Use" button and by other features through `IZooCatalog.runnableLocation`.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { ICatalogEntry } from '../core/catalog/types';
import type { ModelCatalog } from './catalog/catalog';
import { downloadPackage, packageFolder } from './card/actions';

/** The description URL the inference commands can fetch (bundled, workspace or saved copy). */
export async function runnableLocation(
  app: JupyterFrontEnd,
  catalog: ModelCatalog,
  entry: ICatalogEntry
): Promise<string> {
  const loc = entry.location;
  if (loc.kind === 'workspace') {
    return loc.path;
  }
  if (loc.kind === 'bundled') {
    const settings = ServerConnection.makeSettings();
    const path = loc.path.split('/').map(encodeURIComponent).join('/');
    // No token in the URL (it would leak into logs and Referers): the worker's
    // same-origin requests carry the login cookie, as the page's do.
    const url = URLExt.join(settings.baseUrl, 'bioimage', 'bundled', path);
    return new URL(url, window.location.href).href;
  }
  // Remote packages are saved to the workspace first (verified), then run from there.
  const model = catalog.model(entry.key);
  if (!model) {
    throw new Error(`the description of ${entry.id} is not loaded`);
  }
  return downloadPackage(
    app.serviceManager.contents,
    catalog.fetcher,
    entry,
    model,
    packageFolder(entry)
  );
}
