/**
 * Reading and writing binary files of the Jupyter file tree from the main
 * thread, and resolving model locations to URLs the worker can fetch.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { Contents, ServiceManager } from '@jupyterlab/services';

/** Bytes of a file in the Jupyter file tree. */
export async function readFileBytes(
  contents: Contents.IManager,
  path: string
): Promise<Uint8Array> {
  const model = await contents.get(path, {
    type: 'file',
    format: 'base64',
    content: true
  });
  const b64 = String(model.content).replace(/\s/g, '');
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

/**
 * Save bytes to the Jupyter file tree. Written to a temporary name first and
 * renamed, so a failed save never leaves a half-written file under `path`.
 */
export async function writeFileBytes(
  contents: Contents.IManager,
  path: string,
  bytes: Uint8Array
): Promise<void> {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  // Not a dot-file: the Jupyter server refuses to create hidden files.
  const tmp = `${path}.partial-${Date.now().toString(36)}`;
  await contents.save(tmp, {
    type: 'file',
    format: 'base64',
    content: btoa(binary)
  });
  try {
    await contents.delete(path);
  } catch {
    // Nothing to replace.
  }
  await contents.rename(tmp, path);
}

/**
 * An absolute URL for a model description: http(s) URLs stay as they are,
 * anything else is a path in the Jupyter file tree served under `/files/`.
 */
export function descriptionUrl(
  location: string,
  services?: ServiceManager.IManager
): string {
  if (/^https?:\/\//i.test(location)) {
    return location;
  }
  const base = services?.serverSettings.baseUrl ?? PageConfig.getBaseUrl();
  const path = location
    .replace(/^\/+/, '')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
  return new URL(URLExt.join(base, 'files', path), window.location.href).href;
}
