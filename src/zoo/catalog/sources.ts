/**
 * What a catalog source is: the sources a user adds (kept in the settings),
 * the catalog's settings, the loading state of a source that the sidebar's
 * banners show, and the catalog's own record of a source. Types only; they
 * are shared by the catalog state (catalog.ts, which re-exports the public
 * ones) and the source loaders (loaders.ts).
 */
import type { ICatalogFailure } from '../../core/catalog/types';

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

/** A source being loaded or loaded: the catalog's record of it. */
export interface ISourceRecord {
  generation: number;
  state: ISourceState;
  failures: ICatalogFailure[];
  keys: Set<string>;
}
