/**
 * The model zoo catalog: every model the sidebar can list, from the bundled
 * zoo (always, offline), the live collection index, and user-added sources.
 * Entries arrive incrementally; `changed` fires (throttled) as they do.
 * Descriptions are remembered by their sha256, so an unchanged description is
 * never fetched or parsed twice in a session (the server cache keeps them
 * across sessions).
 */
import { ISignal, Signal } from '@lumino/signaling';

import { entryFromModel } from '../../core/catalog/entry';
import {
  parseCollectionIndex,
  runPool
} from '../../core/catalog/collection-index';
import type { IIndexItem } from '../../core/catalog/collection-index';
import { IZooFetcher, ZooFetchError } from './fetcher';
import type {
  ICatalogEntry,
  ICatalogFailure,
  IEntryOrigin,
  IEntryVersion,
  ITestStatus,
  PackageLocation
} from '../../core/catalog/types';
import { parseDescription } from '../../core/spec/description';
import { findDescriptionName } from '../../core/package/package';
import type { IModelDescription } from '../../core/spec/types';

/** A source the user added in the sidebar (kept in the settings). */
export interface IUserSource {
  kind: 'index' | 'description' | 'folder';
  /** URL of an index or description, or a folder path in the workspace. */
  location: string;
}

/** The catalog's settings (schema/zoo.json). */
export interface ICatalogSettings {
  indexUrl: string;
  offline: boolean;
  userSources: IUserSource[];
  /** Descriptions fetched at the same time. */
  concurrency: number;
}

/** Loading state of one source, for the sidebar's banners. */
export interface ISourceState {
  id: string;
  label: string;
  kind: 'bundled' | IUserSource['kind'];
  state: 'loading' | 'ready' | 'error';
  /** Why the source could not be read at all. */
  error?: string;
  /** A non-fatal problem, e.g. a stale cached index was used. */
  warning?: string;
  /** Descriptions to read, and read so far. */
  total: number;
  loaded: number;
  /** A user source (can be removed). */
  user: boolean;
}

const BUNDLED_ID = 'bundled';

/** A short, one-paragraph reason for a failure. */
function reasonOf(error: unknown): string {
  if (error instanceof ZooFetchError && error.isChecksumMismatch) {
    return `refused: the downloaded file does not match the sha256 the source lists (${error.message})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 400 ? `${message.slice(0, 400)}…` : message;
}

/** The catalog model behind the zoo sidebar. */
export class ModelCatalog {
  constructor(options: ModelCatalog.IOptions) {
    this._fetcher = options.fetcher;
    this._throttleMs = options.throttleMs ?? 60;
  }

  /** The fetcher reading files (also used by the model card). */
  get fetcher(): IZooFetcher {
    return this._fetcher;
  }

  /** Fires (throttled) when entries, failures or source states change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Fires when a test status is recorded. */
  get testStatusChanged(): ISignal<this, string> {
    return this._testStatusChanged;
  }

  /** All entries, in arrival order. */
  get entries(): readonly ICatalogEntry[] {
    if (!this._entryList) {
      this._entryList = Array.from(this._entries.values());
    }
    return this._entryList;
  }

  /** Entries that could not be read. */
  get failures(): readonly ICatalogFailure[] {
    return Array.from(this._sources.values()).flatMap(s => s.failures);
  }

  /** The state of every source. */
  get sources(): readonly ISourceState[] {
    return Array.from(this._sources.values()).map(s => s.state);
  }

  /** The settings in use. */
  get settings(): ICatalogSettings {
    return this._settings;
  }

  /** The entry with `key`. */
  entry(key: string): ICatalogEntry | undefined {
    return this._entries.get(key);
  }

  /** The parsed description behind an entry. */
  model(key: string): IModelDescription | undefined {
    return this._models.get(key);
  }

  /** The result of "Test in this browser", when known. */
  testStatus(key: string): ITestStatus | undefined {
    return this._tests.get(key);
  }

  /** Record a test result (shown as a badge in the list). */
  setTestStatus(key: string, status: ITestStatus): void {
    this._tests.set(key, status);
    this._testStatusChanged.emit(key);
    this._scheduleChanged();
  }

  /**
   * Apply settings: sources that appear are loaded, sources that disappear are
   * dropped; unchanged sources stay as they are.
   */
  async configure(settings: ICatalogSettings): Promise<void> {
    this._settings = settings;
    const wanted = new Map<string, () => Promise<void>>();
    wanted.set(BUNDLED_ID, () => this._loadBundled());
    if (!settings.offline && settings.indexUrl) {
      wanted.set(`index:${settings.indexUrl}`, () =>
        this._loadIndex(settings.indexUrl, false)
      );
    }
    for (const user of settings.userSources) {
      if (settings.offline && user.kind !== 'folder') {
        continue;
      }
      const id = `${user.kind}:${user.location}`;
      if (!wanted.has(id)) {
        wanted.set(id, () => this._loadUser(user));
      }
    }
    for (const id of Array.from(this._sources.keys())) {
      if (!wanted.has(id)) {
        this._drop(id);
      }
    }
    const loads: Promise<void>[] = [];
    for (const [id, load] of wanted) {
      if (!this._sources.has(id)) {
        this._loaders.set(id, load);
        loads.push(load());
      }
    }
    this._scheduleChanged();
    await Promise.all(loads);
  }

  /** Load one source again (Retry), or all of them. */
  async reload(sourceId?: string): Promise<void> {
    const ids = sourceId ? [sourceId] : Array.from(this._loaders.keys());
    await Promise.all(
      ids.map(id => {
        const load = this._loaders.get(id);
        this._drop(id, true);
        return load ? load() : Promise.resolve();
      })
    );
  }

  /** Wait until no source is loading (for tests and commands). */
  async whenIdle(): Promise<void> {
    while (
      Array.from(this._sources.values()).some(s => s.state.state === 'loading')
    ) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  /** Stop loading and forget everything. */
  dispose(): void {
    for (const id of Array.from(this._sources.keys())) {
      this._drop(id);
    }
    Signal.clearData(this);
  }

  // ------------------------------------------------------------- sources

  private _begin(
    id: string,
    label: string,
    kind: ISourceState['kind'],
    user: boolean
  ): Private.ISource {
    const source: Private.ISource = {
      generation: ++this._generation,
      state: { id, label, kind, state: 'loading', total: 0, loaded: 0, user },
      failures: [],
      keys: new Set()
    };
    this._sources.set(id, source);
    this._scheduleChanged();
    return source;
  }

  private _alive(id: string, source: Private.ISource): boolean {
    return this._sources.get(id) === source;
  }

  private _finish(id: string, source: Private.ISource, error?: unknown): void {
    if (!this._alive(id, source)) {
      return;
    }
    source.state = error
      ? { ...source.state, state: 'error', error: reasonOf(error) }
      : { ...source.state, state: 'ready' };
    this._scheduleChanged();
  }

  private _drop(id: string, keepLoader = false): void {
    const source = this._sources.get(id);
    if (!source) {
      return;
    }
    for (const key of source.keys) {
      this._entries.delete(key);
      this._models.delete(key);
    }
    this._entryList = null;
    this._sources.delete(id);
    if (!keepLoader) {
      this._loaders.delete(id);
    }
    this._scheduleChanged();
  }

  private async _loadBundled(): Promise<void> {
    const id = BUNDLED_ID;
    const source = this._begin(id, 'Bundled models', 'bundled', false);
    const origin: IEntryOrigin = {
      kind: 'bundled',
      sourceId: id,
      label: 'bundled'
    };
    try {
      const index = await this._fetcher.bundledIndex();
      source.state.total = index.models.length;
      await runPool(
        index.models,
        this._settings.concurrency,
        async item => {
          await this._addDescription(id, source, origin, {
            location: { kind: 'bundled', path: item.rdf },
            sha256: item.rdf_sha256,
            id: item.id,
            what: item.id
          });
        },
        () => !this._alive(id, source)
      );
      this._finish(id, source);
    } catch (error) {
      this._finish(id, source, error);
    }
  }

  private async _loadIndex(url: string, user: boolean): Promise<void> {
    const id = `index:${url}`;
    const label = user ? url : 'bioimage.io';
    const source = this._begin(id, label, 'index', user);
    const origin: IEntryOrigin = {
      kind: user ? 'user' : 'remote',
      sourceId: id,
      label
    };
    try {
      const { text, warning } = await this._fetcher.fetchIndex(url);
      if (!this._alive(id, source)) {
        return;
      }
      const parsed = parseCollectionIndex(text, url);
      source.failures.push(...parsed.failures);
      source.state = { ...source.state, warning, total: parsed.models.length };
      await runPool(
        parsed.models,
        this._settings.concurrency,
        (item: IIndexItem) => {
          const latest = item.versions[0];
          return this._addDescription(id, source, origin, {
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
        () => !this._alive(id, source)
      );
      this._finish(id, source);
    } catch (error) {
      this._finish(id, source, error);
    }
  }

  private async _loadUser(user: IUserSource): Promise<void> {
    if (user.kind === 'index') {
      return this._loadIndex(user.location, true);
    }
    const id = `${user.kind}:${user.location}`;
    const source = this._begin(id, user.location, user.kind, true);
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
        const names = (await this._fetcher.listWorkspace?.(folder)) ?? [];
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
      const ok = await this._addDescription(id, source, origin, {
        location,
        what: user.location
      });
      const failure = source.failures[0];
      this._finish(
        id,
        source,
        ok ? undefined : new Error(failure?.reason ?? 'unreadable')
      );
    } catch (error) {
      this._finish(id, source, error);
    }
  }

  /** Read, parse and add one description; failures are recorded, never thrown. */
  private async _addDescription(
    id: string,
    source: Private.ISource,
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
    let parsed = memoKey ? this._parsed.get(memoKey) : undefined;
    if (!parsed) {
      try {
        const bytes = await this._fetcher.read(item.location);
        const text = new TextDecoder('utf-8').decode(bytes);
        const result = parseDescription(text, { source: item.what });
        parsed =
          result.kind === 'model'
            ? result.model
            : new Error(`it describes a ${result.resource.type}, not a model`);
        if (memoKey) {
          this._parsed.set(memoKey, parsed);
        }
      } catch (error) {
        parsed = new Error(reasonOf(error));
        // Network problems are not remembered: Retry should try again.
        const transient =
          error instanceof ZooFetchError && !error.isChecksumMismatch;
        if (memoKey && !transient) {
          this._parsed.set(memoKey, parsed);
        }
      }
    }
    if (!this._alive(id, source)) {
      return false;
    }
    source.state = { ...source.state, loaded: source.state.loaded + 1 };
    if (parsed instanceof Error) {
      source.failures.push({
        what: item.what,
        source: source.state.label,
        reason: parsed.message
      });
      this._scheduleChanged();
      return false;
    }
    const model = parsed;
    const cover = model.covers[0]
      ? Private.safe(() =>
          this._fetcher.displayUrl(item.location, model.covers[0])
        )
      : undefined;
    const entry = entryFromModel(model, {
      origin,
      location: item.location,
      versions: item.versions,
      id: item.id,
      rdfSha256: item.sha256,
      cover
    });
    this._entries.set(entry.key, entry);
    this._models.set(entry.key, model);
    source.keys.add(entry.key);
    this._entryList = null;
    this._scheduleChanged();
    return true;
  }

  private _scheduleChanged(): void {
    if (this._timer !== null) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      this._changed.emit();
    }, this._throttleMs);
  }

  private _fetcher: IZooFetcher;
  private _throttleMs: number;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _generation = 0;
  private _settings: ICatalogSettings = {
    indexUrl: '',
    offline: true,
    userSources: [],
    concurrency: 6
  };
  private _sources = new Map<string, Private.ISource>();
  private _loaders = new Map<string, () => Promise<void>>();
  private _entries = new Map<string, ICatalogEntry>();
  private _entryList: ICatalogEntry[] | null = null;
  private _models = new Map<string, IModelDescription>();
  private _parsed = new Map<string, IModelDescription | Error>();
  private _tests = new Map<string, ITestStatus>();
  private _changed = new Signal<this, void>(this);
  private _testStatusChanged = new Signal<this, string>(this);
}

/** Types of the catalog. */
export namespace ModelCatalog {
  /** Options of the catalog. */
  export interface IOptions {
    fetcher: IZooFetcher;
    /** Minimum delay between `changed` signals (ms). */
    throttleMs?: number;
  }
}

namespace Private {
  /** A source being loaded or loaded. */
  export interface ISource {
    generation: number;
    state: ISourceState;
    failures: ICatalogFailure[];
    keys: Set<string>;
  }

  /** `fn()`, or undefined when it throws (e.g. a cover path leaving the package). */
  export function safe<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch {
      return undefined;
    }
  }
}
