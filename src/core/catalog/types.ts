/**
 * Data types of the model zoo catalog: what the sidebar lists, filters and
 * sorts. Pure data (no DOM, no JupyterLab imports) so jest and the benchmark
 * use them directly.
 */

/** The tasks a model can be filtered by, derived from its tags and name. */
export type ZooTask =
  'segmentation' | 'restoration' | 'classification' | 'detection' | 'other';

/** Where the files of a package are read from. */
export type PackageLocation =
  /** The bundled zoo served by the server extension; `path` of the description under `bundled/`. */
  | { kind: 'bundled'; path: string }
  /** A remote description URL; fetched through the server's cache. */
  | { kind: 'remote'; url: string; sha256?: string }
  /** A description file in the Jupyter file tree. */
  | { kind: 'workspace'; path: string };

/** One version of an entry as listed by a collection index. */
export interface IEntryVersion {
  version: string;
  source: string;
  sha256?: string;
  createdAt?: string;
  comment?: string;
}

/** Where an entry came from, for badges and messages. */
export interface IEntryOrigin {
  kind: 'bundled' | 'remote' | 'user';
  /** Stable id of the source (e.g. the index URL). */
  sourceId: string;
  /** Short human label of the source. */
  label: string;
}

/** Outcome of "Test in this browser", once known. */
export interface ITestStatus {
  passed: boolean;
  maxAbsDiff: number;
  backend: string;
  milliseconds: number;
  /** When the test could not run at all. */
  error?: string;
}

/** One model in the catalog, flattened for fast listing and searching. */
export interface ICatalogEntry {
  /** Unique key in the catalog: source id + model id. */
  key: string;
  /** The model id (e.g. `affable-shark`), or the name when it has none. */
  id: string;
  /** The version shown (index version such as `v0`, else the description's). */
  version: string;
  /** All versions the source knows, newest first. */
  versions: IEntryVersion[];
  name: string;
  description: string;
  tags: string[];
  /** Author and maintainer names. */
  authors: string[];
  license: string;
  /** ISO date of the shown version, when known. */
  created: string;
  /** Display URL of the first cover image, when any. */
  cover?: string;
  tasks: ZooTask[];
  /** `2D`, `3D`, or `''` when unknown. */
  dims: '2D' | '3D' | '';
  /** Number of input channels of the first input, `null` when not fixed. */
  inputChannels: number | null;
  /** Imaging modalities recognised in the tags. */
  modalities: string[];
  /** The description has ONNX weights. */
  runsInBrowser: boolean;
  origin: IEntryOrigin;
  location: PackageLocation;
  /** sha256 of the description, when the source gives one. */
  rdfSha256?: string;
  /** Lower-case haystack: name, id, description, tags, authors. */
  searchText: string;
  /** Lower-case name for sorting. */
  sortName: string;
}

/** An entry that could not be read, with the reason. */
export interface ICatalogFailure {
  /** What was being read: an id, or a URL. */
  what: string;
  /** Which source it belongs to. */
  source: string;
  reason: string;
}
