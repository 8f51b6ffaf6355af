/**
 * The reference's own conversions of older descriptions, applied before the
 * structural check as bioimageio.spec applies them before validating
 * (model/_v0_4_converter.py, generic/_v0_2_converter.py, and the 0.5
 * ModelDescr's `_convert`):
 *
 * format 0.4: author entries given as plain strings become `{name}`; DOIs
 * written as `https://doi.org/…` or `http://dx.doi.org/…` lose the prefix;
 * `github_user: https://github.com/x` becomes `x`; 0.4.0's top-level
 * `dependencies` moves to the pytorch_state_dict entry; 0.4.1–0.4.4's
 * `parent: {uri}` becomes the URI; 0.4.5/0.4.6 names lose slashes; up to
 * 0.4.9 the legacy nickname fills id/id_emoji; an empty `config.future`
 * and an empty `config` are dropped.
 *
 * (and a `parent` given as a mapping is ignored).
 *
 * format 0.5: a `version_number` (of the model, its parent or its training
 * data) becomes `version`; in 0.5.0–0.5.10, `covers`/`documentation` given
 * as file names become file descriptions `{source}` (0.5.11 made them file
 * descriptions).
 *
 * The input is not modified; a converted copy is returned.
 */
import { isAbsent, isMap, RawMap } from '../read';

const DOI_PREFIXES = ['https://doi.org/', 'http://dx.doi.org/'];
const GITHUB = 'https://github.com/';

function patchOf(formatVersion: string): number | undefined {
  const m = /^\d+\.\d+\.(\d+)$/.exec(formatVersion);
  return m ? Number(m[1]) : undefined;
}

/**
 * A copy of parsed YAML (maps, lists and scalars), so the conversion never
 * changes the caller's value. Not `structuredClone`: JupyterLab's jsdom test
 * environment lacks it, and YAML data needs nothing it adds.
 */
function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(deepCopy);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, deepCopy(v)])
    );
  }
  return value;
}

function withoutSlashes(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/[/\\]/g, '') : value;
}

/** Convert `raw` of `family` as the reference does before validating it. */
export function convertOlderFormat(
  raw: RawMap,
  family: '0.4' | '0.5',
  formatVersion: string
): RawMap {
  const data = deepCopy(raw) as RawMap;
  if (family === '0.5') {
    const patch = patchOf(formatVersion);
    if (patch !== undefined && patch < 11) {
      if (typeof data.documentation === 'string') {
        data.documentation = { source: data.documentation };
      }
      if (Array.isArray(data.covers)) {
        data.covers = data.covers.map(c =>
          typeof c === 'string' ? { source: c } : c
        );
      }
      if (typeof data.icon === 'string' && data.icon.length > 2) {
        data.icon = { source: data.icon };
      }
    }
    // LinkedResourceBase / the resource's _remove_version_number.
    for (const node of [data, data.parent, data.training_data]) {
      if (isMap(node) && 'version_number' in node) {
        const vn = node.version_number;
        delete node.version_number;
        if (vn !== null && vn !== undefined && isAbsent(node.version)) {
          node.version = vn;
        }
      }
    }
    return data;
  }
  // ignore_url_parent: a 0.4 parent given as a mapping is dropped.
  if (isMap(data.parent)) {
    delete data.parent;
  }
  if (Array.isArray(data.authors)) {
    data.authors = data.authors.map(a =>
      typeof a === 'string' ? { name: a } : a
    );
  }
  let fv = formatVersion;
  if (fv === '0.4.0') {
    const deps = data.dependencies;
    delete data.dependencies;
    const entry = isMap(data.weights)
      ? data.weights.pytorch_state_dict
      : undefined;
    if (deps && isMap(entry)) {
      entry.dependencies = deps;
    }
    fv = '0.4.1';
  }
  if (['0.4.1', '0.4.2', '0.4.3', '0.4.4'].includes(fv)) {
    const parent = data.parent;
    delete data.parent;
    if (isMap(parent) && 'uri' in parent) {
      data.parent = parent.uri;
    }
    fv = '0.4.5';
  }
  if (fv === '0.4.5' || fv === '0.4.6') {
    if ('name' in data) {
      data.name = withoutSlashes(data.name);
    }
    for (const group of ['authors', 'maintainers']) {
      const people = data[group];
      if (Array.isArray(people)) {
        data[group] = people.map(p =>
          isMap(p) && typeof p.name === 'string'
            ? { ...p, name: withoutSlashes(p.name) }
            : p
        );
      }
    }
    fv = '0.4.7';
  }
  if (fv === '0.4.7' || fv === '0.4.8') {
    fv = '0.4.9';
  }
  if (fv === '0.4.9') {
    const config = data.config;
    const bioimageio = isMap(config) ? config.bioimageio : undefined;
    if (isMap(bioimageio)) {
      if (bioimageio.nickname !== undefined && bioimageio.nickname !== null) {
        data.id = bioimageio.nickname;
      }
      if (
        bioimageio.nickname_icon !== undefined &&
        bioimageio.nickname_icon !== null
      ) {
        data.id_emoji = bioimageio.nickname_icon;
      }
    }
  }
  if (Array.isArray(data.cite)) {
    data.cite = data.cite.map(c => {
      if (!isMap(c) || typeof c.doi !== 'string') {
        return c;
      }
      const prefix = DOI_PREFIXES.find(p => (c.doi as string).startsWith(p));
      return prefix ? { ...c, doi: c.doi.slice(prefix.length) } : c;
    });
  }
  for (const group of ['authors', 'maintainers']) {
    const people = data[group];
    if (Array.isArray(people)) {
      for (const p of people) {
        if (
          isMap(p) &&
          typeof p.github_user === 'string' &&
          p.github_user.startsWith(GITHUB)
        ) {
          p.github_user = p.github_user.slice(GITHUB.length);
        }
      }
    }
  }
  if (isMap(data.config)) {
    const future = data.config.future;
    if (isMap(future) && Object.keys(future).length === 0) {
      delete data.config.future;
    }
    if (Object.keys(data.config).length === 0) {
      delete data.config;
    }
  }
  return data;
}
