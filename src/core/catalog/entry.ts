/**
 * Turning a parsed model description into a catalog entry: the derived
 * facets (task, dimensionality, channels, modality, browser support) and the
 * search haystack are computed once here, so searching stays cheap.
 */
import { runsInBrowserStatic } from '../package/browser-support';
import type {
  ICatalogEntry,
  IEntryOrigin,
  IEntryVersion,
  PackageLocation,
  ZooTask
} from './types';
import type { IModelDescription } from '../spec/types';

/** Tag patterns per task; the first matching tasks win, `other` otherwise. */
const TASK_PATTERNS: Array<[Exclude<ZooTask, 'other'>, RegExp]> = [
  ['segmentation', /segment|\bmask\b|boundar/],
  [
    'restoration',
    /denois|restor|deblur|deconvol|super-?resolution|noise2|\bcare\b|n2v|reconstruction|upsampl/
  ],
  ['classification', /classif|protein-localization/],
  ['detection', /detect|spot|localization-microscopy|tracking/]
];

/** Modality tags, canonical label first. */
const MODALITY_PATTERNS: Array<[string, RegExp]> = [
  ['fluorescence', /fluoresc|\bfm\b|widefield/],
  ['electron microscopy', /electron|\bem\b|\btem\b|\bsem\b|cryo-?em|fib-?sem/],
  ['brightfield', /bright-?field|transmission-light/],
  ['phase contrast', /phase-?contrast|\bdic\b/],
  ['histology', /histolog|patholog|\bh&?e\b|\bhne\b|whole-slide/],
  ['light sheet', /light-?sheet|\bspim\b/],
  ['confocal', /confocal/],
  ['light field', /light-?field/]
];

/** The tasks recognised in tags (and the name as a fallback). */
export function tasksOf(tags: string[], name: string): ZooTask[] {
  const text = tags.join(' ').toLowerCase();
  let found = TASK_PATTERNS.filter(([, re]) => re.test(text)).map(([t]) => t);
  if (found.length === 0) {
    const lower = name.toLowerCase();
    found = TASK_PATTERNS.filter(([, re]) => re.test(lower)).map(([t]) => t);
  }
  return found.length ? found : ['other'];
}

/** The imaging modalities recognised in tags. */
export function modalitiesOf(tags: string[]): string[] {
  const text = tags.map(t => t.toLowerCase().replace(/_/g, '-')).join(' ');
  return MODALITY_PATTERNS.filter(([, re]) => re.test(text)).map(([m]) => m);
}

/** `2D`/`3D` from the space axes of the first input. */
export function dimsOf(model: IModelDescription): '2D' | '3D' | '' {
  const input = model.inputs[0];
  if (!input) {
    return '';
  }
  const spatial = input.axes.filter(a => a.type === 'space').length;
  return spatial === 3 ? '3D' : spatial === 2 ? '2D' : '';
}

/** The fixed channel count of the first input (1 when it has no channel axis). */
export function inputChannelsOf(model: IModelDescription): number | null {
  const input = model.inputs[0];
  if (!input) {
    return null;
  }
  const channel = input.axes.find(a => a.type === 'channel');
  if (!channel) {
    return 1;
  }
  if (channel.channelNames?.length) {
    return channel.channelNames.length;
  }
  return channel.size.kind === 'fixed' ? channel.size.value : null;
}

/** Options of {@link entryFromModel}. */
export interface IEntryOptions {
  origin: IEntryOrigin;
  location: PackageLocation;
  /** Versions known from an index, newest first. */
  versions?: IEntryVersion[];
  /** Id from the index (wins over the description's). */
  id?: string;
  rdfSha256?: string;
  /** Display URL of the first cover, resolved by the source. */
  cover?: string;
}

/** Strip the `bioimage-io/` collection prefix from an index id. */
export function shortId(id: string): string {
  return id.replace(/^bioimage-io\//, '');
}

/** A catalog entry for a parsed model description. */
export function entryFromModel(
  model: IModelDescription,
  opts: IEntryOptions
): ICatalogEntry {
  const id = shortId(opts.id ?? model.id ?? model.name);
  const versions = opts.versions ?? [];
  const authors = [...model.authors, ...model.maintainers]
    .map(a => a.name ?? a.githubUser ?? '')
    .filter((n, i, all) => n && all.indexOf(n) === i);
  const version = versions[0]?.version ?? model.version ?? '';
  const created = versions[0]?.createdAt ?? model.timestamp ?? '';
  return {
    key: `${opts.origin.sourceId}::${id}`,
    id,
    version,
    versions,
    name: model.name,
    description: model.description,
    tags: model.tags,
    authors,
    license: model.license ?? '',
    created,
    cover: opts.cover,
    tasks: tasksOf(model.tags, model.name),
    dims: dimsOf(model),
    inputChannels: inputChannelsOf(model),
    modalities: modalitiesOf(model.tags),
    runsInBrowser: runsInBrowserStatic(model).hasOnnx,
    origin: opts.origin,
    location: opts.location,
    rdfSha256: opts.rdfSha256,
    searchText: [model.name, id, model.description, ...model.tags, ...authors]
      .join('\n')
      .toLowerCase(),
    sortName: model.name.toLowerCase()
  };
}
