/**
 * The models a wizard panel has open in the inference client: each opened
 * once and kept until the panel closes (the models compared in Choose are
 * small, and re-opening costs the weights' download and verification
 * again), and the sha256 of the chosen model's description for the record.
 *
 * May import `src/core`, `src/tokens.ts` and this folder; no DOM, no JupyterLab.
 */
import type { ICatalogEntry } from '../../core/catalog/types';
import { sha256Hex } from '../../core/package/sha256';
import type { ISessionServices } from './services';
import type { WizardStateStore } from './store';

/** Opened models, by catalog key. */
export class OpenModels {
  constructor(
    private readonly _services: Pick<
      ISessionServices,
      'inference' | 'catalog' | 'packageSource'
    >,
    private readonly _store: WizardStateStore
  ) {}

  /** sha256 of the chosen model's description, once it was opened. */
  get descriptionSha256(): string | undefined {
    return this._descriptionSha;
  }

  /** The client's key of `entry`'s model, opened on first use. */
  async open(entry: ICatalogEntry | undefined): Promise<string> {
    if (!entry) {
      throw new Error('choose a model first');
    }
    const known = this._opened.get(entry.key);
    if (known) {
      return known;
    }
    const source = await this._services.packageSource(entry);
    if (entry.key === this._store.state.modelKey) {
      this._descriptionSha = await sha256Hex(
        await this._services.catalog.fetcher.read(entry.location)
      );
    }
    const open = await this._services.inference.open(source, 'auto');
    this._opened.set(entry.key, open.modelKey);
    return open.modelKey;
  }

  /** Close every opened model (not awaited: the panel is going away). */
  dispose(): void {
    for (const modelKey of this._opened.values()) {
      void this._services.inference.close(modelKey);
    }
    this._opened.clear();
  }

  private _opened = new Map<string, string>();
  private _descriptionSha: string | undefined;
}
