/**
 * Where prediction outputs are saved: the one naming rule of every caller
 * that writes a model's outputs (the Run-on-an-Image-File command, the
 * analysis wizard, the CLI's `predict`). Pure string work on `/` paths; no
 * file is touched.
 *
 * Next to the image ({@link outputFileNextToImage}), for the commands and
 * the wizard, which work on JupyterLab contents paths:
 *
 *     <folder of the image>/<image name without extension>_<name>.<format>
 *
 * - the extension is the last `.xyz` of the file name, together with an
 *   `.ome` right before it: `cells.ome.tif` → `cells`, `a.b.npy` → `a.b`;
 * - `<name>` is the output id (or a fixed suffix such as `labels`);
 * - `<format>` is `tif` when TIFF can hold the output's axes, else `npy`
 *   ({@link outputFileFormat}); a caller that always writes TIFF passes
 *   `'tif'`;
 * - the path is written as JupyterLab's `PathExt.join` writes it:
 *   normalised (`./`, `a/../` and doubled slashes resolved) and without a
 *   leading slash, so `/data/a.tif` → `data/a_<name>.tif`, `a.tif` →
 *   `a_<name>.tif`.
 *
 * To a file the user chose ({@link outputFileAt}), for the CLI's `-o`:
 * with one output, that file itself; with several, `<chosen without its
 * extension>_<id><extension>` for each (`out.tif` → `out_mask.tif`,
 * `out_foreground.tif`); the extension as Node's `path.extname` reads it.
 */

/** The file formats outputs are saved in. */
export type OutputFileFormat = 'tif' | 'npy';

/**
 * `tif` when the axes (ids or letters, in order) join to letters of T, C, Z,
 * Y, X only and end with Y, X (a plane or a stack of planes); else `npy`.
 */
export function outputFileFormat(
  axes: readonly string[] | string
): OutputFileFormat {
  const letters = (
    typeof axes === 'string' ? axes : axes.join('')
  ).toUpperCase();
  return /^[TCZYX]+$/.test(letters) && letters.endsWith('YX') ? 'tif' : 'npy';
}

/** The image's path without its extension (and `.ome`), as a contents path. */
export function imageStem(imagePath: string): string {
  const name = basename(imagePath).replace(/\.(ome\.)?[^.]+$/i, '');
  return contentsJoin(contentsDirname(imagePath), name);
}

/** Where output `name` of a prediction on `imagePath` is saved (see the header). */
export function outputFileNextToImage(
  imagePath: string,
  name: string,
  format: OutputFileFormat
): string {
  return `${imageStem(imagePath)}_${name}.${format}`;
}

/**
 * Where output `id` goes when the user chose the file `chosen` for the
 * outputs of a model with `outputCount` outputs (see the header).
 */
export function outputFileAt(
  chosen: string,
  id: string,
  outputCount: number
): string {
  if (outputCount <= 1) {
    return chosen;
  }
  const ext = extname(chosen);
  return `${chosen.slice(0, chosen.length - ext.length)}_${id}${ext}`;
}

// The POSIX path functions below behave as Node's `path.posix` ones (and
// so as JupyterLab's PathExt, which wraps them); the unit tests compare
// them with Node's.

/** Node's `path.posix.basename(path)`. */
function basename(path: string): string {
  let start = 0;
  let end = -1;
  for (let i = path.length - 1; i >= 0; i--) {
    if (path[i] === '/') {
      if (end !== -1) {
        start = i + 1;
        break;
      }
    } else if (end === -1) {
      end = i + 1;
    }
  }
  return end === -1 ? '' : path.slice(start, end);
}

/** Node's `path.posix.dirname(path)`. */
function dirname(path: string): string {
  if (path.length === 0) {
    return '.';
  }
  const hasRoot = path[0] === '/';
  let end = -1;
  let matchedSlash = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] === '/') {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else {
      matchedSlash = false;
    }
  }
  if (end === -1) {
    return hasRoot ? '/' : '.';
  }
  if (hasRoot && end === 1) {
    return '//';
  }
  return path.slice(0, end);
}

/** Node's `path.posix.extname(path)`. */
function extname(path: string): string {
  let startDot = -1;
  let startPart = 0;
  let end = -1;
  let matchedSlash = true;
  // 0: no non-dot character before the dot yet; 1: only dots; -1: a name.
  let preDotState = 0;
  for (let i = path.length - 1; i >= 0; i--) {
    if (path[i] === '/') {
      if (!matchedSlash) {
        startPart = i + 1;
        break;
      }
      continue;
    }
    if (end === -1) {
      matchedSlash = false;
      end = i + 1;
    }
    if (path[i] === '.') {
      if (startDot === -1) {
        startDot = i;
      } else if (preDotState !== 1) {
        preDotState = 1;
      }
    } else if (startDot !== -1) {
      preDotState = -1;
    }
  }
  if (
    startDot === -1 ||
    end === -1 ||
    preDotState === 0 ||
    (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)
  ) {
    return '';
  }
  return path.slice(startDot, end);
}

/** Node's `path.posix.normalize(path)`. */
function normalize(path: string): string {
  if (path.length === 0) {
    return '.';
  }
  const isAbsolute = path[0] === '/';
  const trailingSeparator = path[path.length - 1] === '/';
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') {
        parts.pop();
      } else if (!isAbsolute) {
        parts.push('..');
      }
    } else {
      parts.push(part);
    }
  }
  let out = parts.join('/');
  if (out.length === 0) {
    if (isAbsolute) {
      return '/';
    }
    return trailingSeparator ? './' : '.';
  }
  if (trailingSeparator) {
    out += '/';
  }
  return isAbsolute ? `/${out}` : out;
}

/** JupyterLab's `PathExt.removeSlash`: one leading slash off. */
function removeSlash(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/** JupyterLab's `PathExt.dirname`: the folder, '' for the root. */
function contentsDirname(path: string): string {
  const dir = removeSlash(dirname(path));
  return dir === '.' ? '' : dir;
}

/** JupyterLab's `PathExt.join`: normalised, no leading slash, '' for the root. */
function contentsJoin(...paths: string[]): string {
  const joined = paths.filter(p => p.length > 0).join('/');
  const path = normalize(joined.length > 0 ? joined : '.');
  return path === '.' ? '' : removeSlash(path);
}
