/**
 * The two path helpers the session needs, for the '/'-separated paths of the
 * Jupyter file tree (as JupyterLab's PathExt: no leading slash in results).
 *
 * Pure; imports nothing.
 */

/** The last segment of a path: 'data/cells.tif' → 'cells.tif'. */
export function basename(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

/** The path without its extension (and an `.ome`): 'data/cells.ome.tif' → 'data/cells'. */
export function stemOf(path: string): string {
  const parts = path.split('/').filter(p => p && p !== '.');
  const name = (parts.pop() ?? '').replace(/\.(ome\.)?[^.]+$/i, '');
  return [...parts, name].join('/');
}
