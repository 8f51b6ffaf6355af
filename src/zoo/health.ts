/**
 * The start-up check of the server extension (`GET bioimage/health`): its
 * version and bundled models, or why it did not answer, shown in the sidebar.
 */
import { type IServerHealth, requestAPI } from '../jupyter/request';
import type { ZooPanel } from './panel';

/** Ask the server extension how it is; the answer (or error) is shown in `panel`. */
export async function checkServer(
  panel: ZooPanel
): Promise<IServerHealth | Error> {
  try {
    const health = await requestAPI<IServerHealth>('health');
    panel.showHealth(health);
    return health;
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    console.error('jupyterlab-bioimage: server extension check failed', err);
    panel.showHealth(err);
    return err;
  }
}
