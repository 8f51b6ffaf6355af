/**
 * The static collection index of bioimage.io (`index.json`, digest section
 * 10): `{items: [{id, type, versions: [{version, source, sha256, created_at,
 * comment}]}]}`. Parsing is pure and forgiving: a malformed item is skipped
 * and reported, the rest still loads.
 */
import type { ICatalogFailure, IEntryVersion } from './types';

/** One model listed by an index, versions newest first. */
export interface IIndexItem {
  id: string;
  type: string;
  versions: IEntryVersion[];
}

/** What {@link parseCollectionIndex} found. */
export interface IParsedIndex {
  /** Items of type `model` with at least one usable version. */
  models: IIndexItem[];
  /** Items of other types (datasets, applications, ...), not listed. */
  others: number;
  /** Items that could not be read. */
  failures: ICatalogFailure[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readVersion(raw: unknown): IEntryVersion | string {
  if (!isObject(raw)) {
    return 'a version is not an object';
  }
  if (typeof raw.source !== 'string' || !/^https?:\/\//i.test(raw.source)) {
    return "a version has no http(s) 'source'";
  }
  const sha = raw.sha256;
  if (
    sha !== undefined &&
    (typeof sha !== 'string' || !/^[0-9a-f]{64}$/i.test(sha))
  ) {
    return "a version has an invalid 'sha256'";
  }
  return {
    version: typeof raw.version === 'string' ? raw.version : '',
    source: raw.source,
    sha256: typeof sha === 'string' ? sha.toLowerCase() : undefined,
    createdAt: typeof raw.created_at === 'string' ? raw.created_at : undefined,
    comment: typeof raw.comment === 'string' ? raw.comment : undefined
  };
}

/**
 * Parse the text of a collection index.
 *
 * @throws Error when the text is not an index at all (not JSON, no `items`).
 */
export function parseCollectionIndex(
  text: string,
  source = 'index'
): IParsedIndex {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(data) || !Array.isArray(data.items)) {
    throw new Error(
      `${source} is not a collection index: it has no 'items' list`
    );
  }
  const result: IParsedIndex = { models: [], others: 0, failures: [] };
  data.items.forEach((raw, i) => {
    const fail = (reason: string, what = `item ${i + 1}`) =>
      result.failures.push({ what, source, reason });
    if (!isObject(raw) || typeof raw.id !== 'string' || !raw.id) {
      fail("it has no 'id'");
      return;
    }
    const type = typeof raw.type === 'string' ? raw.type : 'model';
    if (type !== 'model') {
      result.others++;
      return;
    }
    if (!Array.isArray(raw.versions) || raw.versions.length === 0) {
      fail("it has no 'versions'", raw.id);
      return;
    }
    const versions: IEntryVersion[] = [];
    for (const v of raw.versions) {
      const read = readVersion(v);
      if (typeof read === 'string') {
        fail(read, raw.id);
        return;
      }
      versions.push(read);
    }
    // Newest first: by creation date when given, else as listed (the index lists oldest first).
    versions.reverse();
    versions.sort((a, b) =>
      a.createdAt && b.createdAt && a.createdAt !== b.createdAt
        ? a.createdAt < b.createdAt
          ? 1
          : -1
        : 0
    );
    result.models.push({ id: raw.id, type, versions });
  });
  return result;
}

/**
 * Run `work` over `items` with at most `limit` running at once; resolves when
 * all are done. `isCancelled` stops starting new work.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
  isCancelled: () => boolean = () => false
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !isCancelled()) {
      const item = items[next++];
      await work(item);
    }
  };
  const lanes = Array.from(
    { length: Math.max(1, Math.min(limit, items.length)) },
    lane
  );
  await Promise.all(lanes);
}
