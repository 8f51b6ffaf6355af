/**
 * Search, filter and sort over catalog entries: a pure function, fast enough
 * to run on every keystroke over thousands of entries (the budget is 16 ms
 * for 5,000; {@link benchmarkSearch} measures it for `make bench`).
 */
import type { ICatalogEntry, ZooTask } from './types';

/** Channel filter buckets. */
export type ChannelFilter = '' | '1' | '2' | '3' | '4+';

/** What the user asked for in the sidebar. */
export interface ISearchQuery {
  /** Free text; every word must occur in name, id, description, tags or authors. */
  text: string;
  /** Any of these tasks (empty: all). */
  tasks: ZooTask[];
  dims: '' | '2D' | '3D';
  channels: ChannelFilter;
  /** A modality label (empty: all). */
  modality: string;
  /** Only models with ONNX weights. */
  runsInBrowser: boolean;
  /** A licence id (empty: all). */
  license: string;
  sort: 'name' | 'date';
}

/** A query that matches everything, sorted by name. */
export function emptyQuery(): ISearchQuery {
  return {
    text: '',
    tasks: [],
    dims: '',
    channels: '',
    modality: '',
    runsInBrowser: false,
    license: '',
    sort: 'name'
  };
}

function channelBucket(n: number | null): ChannelFilter {
  if (n === null) {
    return '';
  }
  return n >= 4 ? '4+' : (String(n) as ChannelFilter);
}

/** Lower-case words of a search text. */
export function queryWords(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Whether one entry passes the filters and contains every word. */
export function matches(
  entry: ICatalogEntry,
  query: ISearchQuery,
  words: string[] = queryWords(query.text)
): boolean {
  if (query.runsInBrowser && !entry.runsInBrowser) {
    return false;
  }
  if (query.dims && entry.dims !== query.dims) {
    return false;
  }
  if (query.channels && channelBucket(entry.inputChannels) !== query.channels) {
    return false;
  }
  if (query.license && entry.license !== query.license) {
    return false;
  }
  if (query.modality && !entry.modalities.includes(query.modality)) {
    return false;
  }
  if (query.tasks.length && !query.tasks.some(t => entry.tasks.includes(t))) {
    return false;
  }
  for (const word of words) {
    if (!entry.searchText.includes(word)) {
      return false;
    }
  }
  return true;
}

function compare(
  a: ICatalogEntry,
  b: ICatalogEntry,
  sort: ISearchQuery['sort']
): number {
  if (sort === 'date' && a.created !== b.created) {
    // Newest first; entries without a date last.
    return a.created < b.created ? 1 : -1;
  }
  if (a.sortName !== b.sortName) {
    return a.sortName < b.sortName ? -1 : 1;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The entries matching `query`, sorted. Never mutates `entries`. */
export function searchCatalog(
  entries: readonly ICatalogEntry[],
  query: ISearchQuery
): ICatalogEntry[] {
  const words = queryWords(query.text);
  const out: ICatalogEntry[] = [];
  for (const entry of entries) {
    if (matches(entry, query, words)) {
      out.push(entry);
    }
  }
  return out.sort((a, b) => compare(a, b, query.sort));
}

/** Values present in the catalog, with counts, for the filter menus. */
export interface IFacets {
  tasks: Map<ZooTask, number>;
  modalities: Map<string, number>;
  licenses: Map<string, number>;
}

/** Count the facet values of `entries`. */
export function facetsOf(entries: readonly ICatalogEntry[]): IFacets {
  const facets: IFacets = {
    tasks: new Map(),
    modalities: new Map(),
    licenses: new Map()
  };
  const bump = <K>(map: Map<K, number>, key: K) =>
    map.set(key, (map.get(key) ?? 0) + 1);
  for (const e of entries) {
    e.tasks.forEach(t => bump(facets.tasks, t));
    e.modalities.forEach(m => bump(facets.modalities, m));
    if (e.license) {
      bump(facets.licenses, e.license);
    }
  }
  return facets;
}

const WORDS = [
  'nuclei',
  'cells',
  'membrane',
  'mitochondria',
  'unet',
  'stardist',
  'cellpose',
  'denoising',
  'segmentation',
  'instance',
  'semantic',
  'fluorescence',
  'electron',
  'histology',
  'zebrafish',
  'platynereis',
  'bacteria',
  'organoid',
  'tissue',
  'neuron'
];
const TASKS: ZooTask[] = [
  'segmentation',
  'restoration',
  'classification',
  'detection',
  'other'
];
const LICENSES = ['MIT', 'CC-BY-4.0', 'BSD-3-Clause', 'Apache-2.0'];

/** `n` synthetic, deterministic entries resembling real ones (for tests and benchmarks). */
export function syntheticEntries(n: number): ICatalogEntry[] {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T>(list: readonly T[]) =>
    list[Math.floor(rand() * list.length)];
  const entries: ICatalogEntry[] = [];
  for (let i = 0; i < n; i++) {
    const words = [pick(WORDS), pick(WORDS), pick(WORDS)];
    const name = `${words[0]} ${words[1]} model ${i}`;
    const description = `A network for ${words.join(' ')} images, entry number ${i}.`;
    const tags = [pick(WORDS), pick(WORDS), rand() < 0.5 ? '2d' : '3d'];
    const authors = [`Author ${i % 97}`];
    const id = `synthetic-${i}`;
    entries.push({
      key: `synthetic::${id}`,
      id,
      version: 'v0',
      versions: [],
      name,
      description,
      tags,
      authors,
      license: pick(LICENSES),
      created: new Date(Date.UTC(2020, 0, 1 + (i % 1500))).toISOString(),
      tasks: [pick(TASKS)],
      dims: tags[2] === '2d' ? '2D' : '3D',
      inputChannels: 1 + Math.floor(rand() * 4),
      modalities: rand() < 0.5 ? ['fluorescence'] : ['electron microscopy'],
      runsInBrowser: rand() < 0.4,
      origin: { kind: 'remote', sourceId: 'synthetic', label: 'synthetic' },
      location: { kind: 'remote', url: `https://example.org/${id}/rdf.yaml` },
      searchText: [name, id, description, ...tags, ...authors]
        .join('\n')
        .toLowerCase(),
      sortName: name.toLowerCase()
    });
  }
  return entries;
}

/** What {@link benchmarkSearch} measured. */
export interface ISearchBenchmark {
  entries: number;
  keystrokes: number;
  meanMs: number;
  maxMs: number;
  /** Matches after the last keystroke (sanity check). */
  lastMatches: number;
}

/**
 * Time search + filter + sort per keystroke over `n` synthetic entries: the
 * user types "nuclei seg" one character at a time, with and without filters.
 */
export function benchmarkSearch(n = 5000): ISearchBenchmark {
  const entries = syntheticEntries(n);
  const now = () =>
    typeof performance !== 'undefined' ? performance.now() : Date.now();
  const typed = 'nuclei seg';
  const queries: ISearchQuery[] = [];
  for (let i = 1; i <= typed.length; i++) {
    queries.push({ ...emptyQuery(), text: typed.slice(0, i) });
  }
  for (let i = 1; i <= typed.length; i++) {
    queries.push({
      ...emptyQuery(),
      text: typed.slice(0, i),
      tasks: ['segmentation'],
      dims: '2D',
      runsInBrowser: true,
      sort: 'date'
    });
  }
  // Clearing the box re-sorts everything: the slowest case.
  queries.push(emptyQuery(), { ...emptyQuery(), sort: 'date' });
  searchCatalog(entries, queries[0]); // warm up the JIT
  let total = 0;
  let max = 0;
  let last = 0;
  for (const q of queries) {
    const start = now();
    last = searchCatalog(entries, q).length;
    const ms = now() - start;
    total += ms;
    max = Math.max(max, ms);
  }
  return {
    entries: n,
    keystrokes: queries.length,
    meanMs: total / queries.length,
    maxMs: max,
    lastMatches: last
  };
}
