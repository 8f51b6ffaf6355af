/**
 * The model zoo catalog: every model the sidebar can list, from the bundled
 * zoo (always, offline), the live collection index, and user-added sources.
 * Entries arrive incrementally; `changed` fires (throttled) as they do.
 * Descriptions are remembered by their sha256, so an unchanged description is
 * never fetched or parsed twice in a session (the server cache keeps them
 * across sessions).
 *
 * This module is the catalog's state: which sources are wanted (from the
 * settings), their records, the entries and descriptions they brought, test
 * results, and the throttled `changed` signal. Reading a source is done by
 * the loaders beside it (loaders.ts), through the narrow {@link ILoaderHost}
 * this class hands them; the types of sources and settings are in
 * sources.ts (re-exported here).
 */
import { ISignal, Signal } from '@lumino/signaling';

import type {
  ICatalogEntry,
  ICatalogFailure,
  ITestStatus
} from '../../core/catalog/types';
import type { IModelDescription } from '../../core/spec/types';
import type { IZooFetcher } from './fetcher';
import {
  BUNDLED_ID,
  type ILoaderHost,
  loadBundled,
  loadIndex,
  loadUser,
  reasonOf
} from './loaders';
import type { ICatalogSettings, ISourceRecord, ISourceState } from './sources';

export type { ICatalogSettings, ISourceState, IUserSource } from './sources';

/** The catalog model behind the zoo sidebar. */
export class ModelCatalog {
  constructor(options: ModelCatalog.IOptions) {
    this._fetcher = options.fetcher;
    this._throttleMs = options.throttleMs ?? 60;
    this._host = {
      fetcher: this._fetcher,
      parsed: this._parsed,
      concurrency: () => this._settings.concurrency,
      begin: (id, label, kind, user) => this._begin(id, label, kind, user),
      alive: (id, source) => this._alive(id, source),
      finish: (id, source, error) => this._finish(id, source, error),
      add: (source, entry, model) => this._add(source, entry, model),
      changed: () => this._scheduleChanged()
    };
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
    wanted.set(BUNDLED_ID, () => loadBundled(this._host));
    if (!settings.offline && settings.indexUrl) {
      wanted.set(`index:${settings.indexUrl}`, () =>
        loadIndex(this._host, settings.indexUrl, false)
      );
    }
    for (const user of settings.userSources) {
      if (settings.offline && user.kind !== 'folder') {
        continue;
      }
      const id = `${user.kind}:${user.location}`;
      if (!wanted.has(id)) {
        wanted.set(id, () => loadUser(this._host, user));
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
  // The records of the sources; the loaders (loaders.ts) fill them in.

  private _begin(
    id: string,
    label: string,
    kind: ISourceState['kind'],
    user: boolean
  ): ISourceRecord {
    const source: ISourceRecord = {
      generation: ++this._generation,
      state: { id, label, kind, state: 'loading', total: 0, loaded: 0, user },
      failures: [],
      keys: new Set()
    };
    this._sources.set(id, source);
    this._scheduleChanged();
    return source;
  }

  private _alive(id: string, source: ISourceRecord): boolean {
    return this._sources.get(id) === source;
  }

  private _finish(id: string, source: ISourceRecord, error?: unknown): void {
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

  private _add(
    source: ISourceRecord,
    entry: ICatalogEntry,
    model: IModelDescription
  ): void {
    this._entries.set(entry.key, entry);
    this._models.set(entry.key, model);
    source.keys.add(entry.key);
    this._entryList = null;
    this._scheduleChanged();
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
  private _host: ILoaderHost;
  private _throttleMs: number;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _generation = 0;
  private _settings: ICatalogSettings = {
    indexUrl: '',
    offline: true,
    userSources: [],
    concurrency: 6
  };
  private _sources = new Map<string, ISourceRecord>();
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
