import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * Call the server extension under `<base_url>/bioimage/`. The only place in
 * the frontend that talks to our server endpoints.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'bioimage', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ServerConnection.ResponseError(response, text || undefined);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** What `GET /bioimage/health` answers. */
export interface IServerHealth {
  status: 'ok';
  version: string;
  python: string;
  bundled_models: string[];
}
