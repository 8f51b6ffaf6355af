/**
 * The catalog's source loaders: reading the bundled zoo, a collection index
 * (bioimage.io's or a user's), and a user's single description or workspace
 * folder, down to one description read, parsed and added as an entry.
 * Failures are recorded on the source, never thrown. The loaders hold no
 * state of their own: they work on the catalog through {@link ILoaderHost}
 * (catalog.ts), which owns the sources, entries and the memo of parsed
 * descriptions, and tells whether a source is still wanted.
 */
import { entryFromModel } from '../../core/catalog/entry';
import {
  parseCollectionIndex,
  runPool
} from '../../core/catalog/collection-index';
import type { IIndexItem } from '../../core/catalog/collection-index';
import type {
  ICatalogEntry,
  IEntryOrigin,
  IEntryVersion,
  PackageLocation
} from '../../core/catalog/types';
import { parseDescription } from '../../core/spec/description';
import { findDescriptionName } from '../../core/package/package';
import type { IModelDescription } from '../../core/spec/types';
import { IZooFetcher, ZooFetchError } from './fetcher';
import type { ISourceRecord, ISourceState, IUserSource } from './sources';

/** The id of the bundled zoo's source. */
export const BUNDLED_ID = 'bundled';

/** What the loaders use of the catalog. */
export interface ILoaderHost {
  /** Reads the indexes and descriptions. */
  readonly fetcher: IZooFetcher;
  /** Parsed descriptions (or why not) by `sha256:<hash>`, for the session. */
  readonly parsed: Map<string, IModelDescription | Error>;
  /** Descriptions fetched at the same time (the setting, as it is now). */
  concurrency(): number;
  /** Start (or restart) loading source `id`. */
  begin(
    id: string,
    label: string,
    kind: ISourceState['kind'],
    user: boolean
  ): ISourceRecord;
  /** Whether `source` is still the catalog's source `id` (not dropped or reloaded). */
  alive(id: string, source: ISourceRecord): boolean;
  /** The source is loaded, or could not be read at all (`error`). */
  finish(id: string, source: ISourceRecord, error?: unknown): void;
  /** Add an entry read from `source`. */
  add(
    source: ISourceRecord,
    entry: ICatalogEntry,
    model: IModelDescription
  ): void;
  /** Something shown changed (e.g. a failure recorded). */
  changed(): void;
}

/** A short, one-paragraph reason for a failure. */
export function reasonOf(error: unknown): string {
  if (error instanceof ZooFetchError && error.isChecksumMismatch) {
    return `refused: the downloaded file does not match the sha256 the source lists (${error.message})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 400 ? `${message.slice(0, 400)}…` : message;
}

/** Load the bundled zoo (always there, offline). */
export async function loadBundled(host: ILoaderHost): Promise<void> {
  const id = BUNDLED_ID;
  const source = host.begin(id, 'Bundled models', 'bundled', false);
  const origin: IEntryOrigin = {
    kind: 'bundled',
    sourceId: id,
    label: 'bundled'
  };
  try {
    const index = await host.fetcher.bundledIndex();
    source.state.total = index.models.length;
    await runPool(
      index.models,
      host.concurrency(),
      async item => {
        await addDescription(host, id, source, origin, {
          location: { kind: 'bundled', path: item.rdf },
          sha256: item.rdf_sha256,
          id: item.id,
          what: item.id
        });
      },
      () => !host.alive(id, source)
    );
    host.finish(id, source);
  } catch (error) {
    host.finish(id, source, error);
  }
}

/** Load a collection index: bioimage.io's, or one the user added (`user`). */
export async function loadIndex(
  host: ILoaderHost,
  url: string,
  user: boolean
): Promise<void> {
  const id = `index:${url}`;
  const label = user ? url : 'bioimage.io';
  const source = host.begin(id, label, 'index', user);
  const origin: IEntryOrigin = {
    kind: user ? 'user' : 'remote',
    sourceId: id,
    label
  };
  try {
    const { text, warning } = await host.fetcher.fetchIndex(url);
    if (!host.alive(id, source)) {
      return;
    }
    const parsed = parseCollectionIndex(text, url);
    source.failures.push(...parsed.failures);
    source.state = { ...source.state, warning, total: parsed.models.length };
    await runPool(
      parsed.models,
      host.concurrency(),
      (item: IIndexItem) => {
        const latest = item.versions[0];
        return addDescription(host, id, source, origin, {
          location: {
            kind: 'remote',
            url: latest.source,
            sha256: latest.sha256
          },
          sha256: latest.sha256,
          id: item.id,
          versions: item.versions,
          what: item.id
        });
      },
      () => !host.alive(id, source)
    );
    host.finish(id, source);
  } catch (error) {
    host.finish(id, source, error);
  }
}

/** Load a source the user added: an index, a description URL or a workspace folder. */
export async function loadUser(
  host: ILoaderHost,
  user: IUserSource
): Promise<void> {
  if (user.kind === 'index') {
    return loadIndex(host, user.location, true);
  }
  const id = `${user.kind}:${user.location}`;
  const source = host.begin(id, user.location, user.kind, true);
  const origin: IEntryOrigin = {
    kind: 'user',
    sourceId: id,
    label: user.location
  };
  try {
    let location: PackageLocation;
    if (user.kind === 'description') {
      location = { kind: 'remote', url: user.location };
    } else {
      const folder = user.location.replace(/^\/+|\/+$/g, '');
      const names = (await host.fetcher.listWorkspace?.(folder)) ?? [];
      const name = findDescriptionName(names);
      if (!name) {
        throw new Error(
          `no model description in the folder '${folder}' (expected rdf.yaml, bioimageio.yaml or *.bioimageio.yaml)`
        );
      }
      location = {
        kind: 'workspace',
        path: folder ? `${folder}/${name}` : name
      };
    }
    source.state.total = 1;
    const ok = await addDescription(host, id, source, origin, {
      location,
      what: user.location
    });
    const failure = source.failures[0];
    host.finish(
      id,
      source,
      ok ? undefined : new Error(failure?.reason ?? 'unreadable')
    );
  } catch (error) {
    host.finish(id, source, error);
  }
}

/** Read, parse and add one description; failures are recorded, never thrown. */
async function addDescription(
  host: ILoaderHost,
  id: string,
  source: ISourceRecord,
  origin: IEntryOrigin,
  item: {
    location: PackageLocation;
    sha256?: string;
    id?: string;
    versions?: IEntryVersion[];
    what: string;
  }
): Promise<boolean> {
  const memoKey = item.sha256 ? `sha256:${item.sha256}` : undefined;
  let parsed = memoKey ? host.parsed.get(memoKey) : undefined;
  if (!parsed) {
    try {
      const bytes = await host.fetcher.read(item.location);
      const text = new TextDecoder('utf-8').decode(bytes);
      const result = parseDescription(text, { source: item.what });
      parsed =
        result.kind === 'model'
          ? result.model
          : new Error(`it describes a ${result.resource.type}, not a model`);
      if (memoKey) {
        host.parsed.set(memoKey, parsed);
      }
    } catch (error) {
      parsed = new Error(reasonOf(error));
      // Network problems are not remembered: Retry should try again.
      const transient =
        error instanceof ZooFetchError && !error.isChecksumMismatch;
      if (memoKey && !transient) {
        host.parsed.set(memoKey, parsed);
      }
    }
  }
  if (!host.alive(id, source)) {
    return false;
  }
  source.state = { ...source.state, loaded: source.state.loaded + 1 };
  if (parsed instanceof Error) {
    source.failures.push({
      what: item.what,
      source: source.state.label,
      reason: parsed.message
    });
    host.changed();
    return false;
  }
  const model = parsed;
  const cover = model.covers[0]
    ? safe(() => host.fetcher.displayUrl(item.location, model.covers[0]))
    : undefined;
  const entry = entryFromModel(model, {
    origin,
    location: item.location,
    versions: item.versions,
    id: item.id,
    rdfSha256: item.sha256,
    cover
  });
  host.add(source, entry, model);
  return true;
}

/** `fn()`, or undefined when it throws (e.g. a cover path leaving the package). */
function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
