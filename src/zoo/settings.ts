/**
 * The zoo's settings (`schema/zoo.json`) turned into what the catalog and the
 * zip import use, and the user sources written back to them. Without a
 * setting registry the catalog runs on the defaults and sources added in the
 * sidebar last until the page is reloaded.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

import {
  DEFAULT_ZIP_LIMITS,
  type IZipImportLimits
} from '../core/package/zip-import';
import type {
  ICatalogSettings,
  ISourceState,
  IUserSource,
  ModelCatalog
} from './catalog/catalog';

/** The default settings, used when the setting registry is not available. */
export const DEFAULT_CATALOG_SETTINGS: ICatalogSettings = {
  indexUrl: 'https://bioimage-io.github.io/collection/index.json',
  offline: false,
  userSources: [],
  concurrency: 6
};

/** The zip-import limits of the settings (`maxImportBytes`). */
export function readImportLimits(
  setting: ISettingRegistry.ISettings
): IZipImportLimits {
  const max = setting.get('maxImportBytes').composite;
  return {
    ...DEFAULT_ZIP_LIMITS,
    maxTotalBytes:
      typeof max === 'number' && max > 0
        ? max
        : DEFAULT_ZIP_LIMITS.maxTotalBytes
  };
}

/** The catalog settings of the settings; malformed user sources are dropped. */
export function readCatalogSettings(
  setting: ISettingRegistry.ISettings
): ICatalogSettings {
  const get = <T>(key: string, fallback: T) =>
    (setting.get(key).composite as T | undefined) ?? fallback;
  const sources = get<IUserSource[]>('userSources', []);
  return {
    indexUrl: get('collectionIndexUrl', DEFAULT_CATALOG_SETTINGS.indexUrl),
    offline: get('offline', false),
    concurrency: Math.max(1, Math.min(32, get('concurrency', 6))),
    userSources: Array.isArray(sources)
      ? sources.filter(
          s =>
            s &&
            typeof s.location === 'string' &&
            ['index', 'description', 'folder'].includes(s.kind)
        )
      : []
  };
}

/**
 * The zoo's settings, live: loads them into the catalog, follows changes,
 * and saves the user sources.
 */
export class ZooSettings {
  constructor(
    private readonly _catalog: ModelCatalog,
    private readonly _registry: ISettingRegistry | null,
    private readonly _pluginId: string
  ) {}

  /** The limits the next zip import is checked against. */
  get importLimits(): IZipImportLimits {
    return this._importLimits;
  }

  /**
   * Load the settings and configure the catalog from them (and again on
   * every change); the defaults when there is no registry or loading fails.
   */
  async load(): Promise<void> {
    if (this._registry) {
      try {
        const setting = await this._registry.load(this._pluginId);
        this._setting = setting;
        setting.changed.connect(s => {
          this._importLimits = readImportLimits(s);
          void this._catalog.configure(readCatalogSettings(s));
        });
        this._importLimits = readImportLimits(setting);
        await this._catalog.configure(readCatalogSettings(setting));
        return;
      } catch (reason) {
        console.error(
          'jupyterlab-bioimage: failed to load zoo settings',
          reason
        );
      }
    }
    await this._catalog.configure(DEFAULT_CATALOG_SETTINGS);
  }

  /** Replace the user sources (in the settings, or only in the catalog without them). */
  async saveSources(sources: IUserSource[]): Promise<void> {
    if (!this._setting) {
      await this._catalog.configure({
        ...this._catalog.settings,
        userSources: sources
      });
      return;
    }
    await this._setting.set(
      'userSources',
      sources.map(s => ({ kind: s.kind, location: s.location }))
    );
  }

  /** Add a user source (moved to the end when it is already there). */
  async addSource(kind: IUserSource['kind'], location: string): Promise<void> {
    const sources = this._catalog.settings.userSources.filter(
      s => !(s.kind === kind && s.location === location)
    );
    await this.saveSources([...sources, { kind, location }]);
  }

  /** Remove the user source whose id is `kind:location`. */
  async removeSource(id: string): Promise<void> {
    const sources = this._catalog.settings.userSources.filter(
      s => `${s.kind}:${s.location}` !== id
    );
    await this.saveSources(sources);
  }

  /** Add a workspace folder as a source; resolves once it has been read. */
  async addFolderSource(folder: string): Promise<ISourceState | undefined> {
    await this.addSource('folder', folder);
    return this._sourceLoaded(`folder:${folder}`);
  }

  /** Resolves once the source with `id` has been read (or after `timeoutMs`). */
  private async _sourceLoaded(
    id: string,
    timeoutMs = 30000
  ): Promise<ISourceState | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const state = this._catalog.sources.find(s => s.id === id);
      if ((state && state.state !== 'loading') || Date.now() > until) {
        return state;
      }
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }

  private _setting: ISettingRegistry.ISettings | null = null;
  private _importLimits = DEFAULT_ZIP_LIMITS;
}
