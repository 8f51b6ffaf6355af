/**
 * The path helper the session needs, for the '/'-separated paths of the
 * Jupyter file tree (as JupyterLab's PathExt: no leading slash in results).
 *
 * Pure; imports nothing. Where results are saved is core/record/output-files.ts.
 */

/** The last segment of a path: 'data/cells.tif' → 'cells.tif'. */
export function basename(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}
