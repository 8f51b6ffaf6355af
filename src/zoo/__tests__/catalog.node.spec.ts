/**
 * The catalog over real data: the fixture collection index and the 30 real
 * descriptions, read through a fake fetcher (no network, no server).
 */
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';

import { ModelCatalog } from '../catalog/catalog';
import { parseCollectionIndex } from '../../core/catalog/collection-index';
import { IZooFetcher, ZooFetchError } from '../catalog/fetcher';
import type { PackageLocation } from '../../core/catalog/types';

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../shared/fixtures');
const INDEX = path.join(
  FIXTURES,
  'collection',
  'bioimage-io_collection__gh-pages__index.json'
);
const RDF_DIR = path.join(FIXTURES, 'rdf');
const MIRROR = 'http://mirror.test';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Serves `files` (URL → bytes) and checks sha256 as the server's cache does. */
class FakeFetcher implements IZooFetcher {
  constructor(
    private files: Map<string, Buffer>,
    private indexText: string | Error
  ) {}
  reads = 0;
  async bundledIndex() {
    return { models: [] };
  }
  async fetchIndex() {
    if (this.indexText instanceof Error) {
      throw this.indexText;
    }
    return { text: this.indexText };
  }
  async read(location: PackageLocation, relative?: string, sha256?: string) {
    const url =
      relative ?? (location.kind === 'remote' ? location.url : location.path);
    const expected = relative
      ? sha256
      : location.kind === 'remote'
        ? location.sha256
        : undefined;
    this.reads++;
    const bytes = this.files.get(url);
    if (!bytes) {
      throw new ZooFetchError(`HTTP 404 for ${url}`, 502, 'upstream error');
    }
    if (expected && sha(bytes) !== expected) {
      throw new ZooFetchError('sha256 mismatch', 422, 'sha256 mismatch');
    }
    return new Uint8Array(bytes);
  }
  displayUrl(_: PackageLocation, relative: string) {
    return relative;
  }
  resolve(_: PackageLocation, relative: string) {
    return relative;
  }
}

/** An index listing every fixture description, as the Galata mirror serves it. */
function mirrorOfFixtures(): { files: Map<string, Buffer>; index: string } {
  const files = new Map<string, Buffer>();
  const items = fs
    .readdirSync(RDF_DIR)
    .sort()
    .map((name, i) => {
      const bytes = fs.readFileSync(path.join(RDF_DIR, name));
      const url = `${MIRROR}/rdf/${name}`;
      files.set(url, bytes);
      return {
        id: `mirror/${name.replace(/\.(rdf|bioimageio)?\.?yaml$/, '')}`,
        type: 'model',
        versions: [
          {
            version: 'v0',
            source: url,
            sha256: sha(bytes),
            created_at: new Date(Date.UTC(2024, 0, 1 + i)).toISOString()
          }
        ]
      };
    });
  return { files, index: JSON.stringify({ items, total: items.length }) };
}

const settings = (indexUrl: string) => ({
  indexUrl,
  offline: false,
  userSources: [],
  concurrency: 4
});

describe('collection index', () => {
  it('parses the real live index: 137 models, the other 119 items skipped', () => {
    const parsed = parseCollectionIndex(fs.readFileSync(INDEX, 'utf-8'));
    expect(parsed.models).toHaveLength(137);
    expect(parsed.others).toBe(119);
    expect(parsed.failures).toEqual([]);
    const shark = parsed.models.find(
      m => m.id === 'bioimage-io/affable-shark'
    )!;
    expect(shark.versions[0].source).toMatch(
      /affable-shark\/files\/rdf\.yaml\?version=v0$/
    );
    expect(shark.versions[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    // Newest version first.
    const shark2 = parsed.models.find(
      m => m.id === 'bioimage-io/romantic-shark'
    )!;
    expect(shark2.versions.map(v => v.version)).toEqual(['v1', 'v0']);
  });

  it('counts malformed items instead of failing', () => {
    const parsed = parseCollectionIndex(
      JSON.stringify({
        items: [
          {
            id: 'a',
            type: 'model',
            versions: [{ source: 'https://x/rdf.yaml', version: 'v0' }]
          },
          { type: 'model' },
          { id: 'b', type: 'model', versions: [] },
          { id: 'c', type: 'model', versions: [{ source: 'ftp://x' }] },
          { id: 'd', type: 'dataset', versions: [] }
        ]
      })
    );
    expect(parsed.models.map(m => m.id)).toEqual(['a']);
    expect(parsed.failures).toHaveLength(3);
    expect(parsed.others).toBe(1);
    expect(() => parseCollectionIndex('<html>')).toThrow(/not valid JSON/);
    expect(() => parseCollectionIndex('{"x": 1}')).toThrow(/no 'items'/);
  });
});

describe('ModelCatalog', () => {
  it('loads every fixture description; unreadable ones are counted with a reason', async () => {
    const { files, index } = mirrorOfFixtures();
    const fetcher = new FakeFetcher(files, index);
    const catalog = new ModelCatalog({ fetcher, throttleMs: 0 });
    await catalog.configure(settings(`${MIRROR}/index.json`));
    const source = catalog.sources.find(s => s.kind === 'index')!;
    expect(source.state).toBe('ready');
    expect(source.total).toBe(30);
    expect(source.loaded).toBe(30);
    // 30 files: the dataset and the invalid examples cannot be listed as models.
    const failed = catalog.failures.map(f => f.what);
    expect(failed).toContain('mirror/spec__DATASET__covid_if_training_data');
    expect(failed).toContain(
      'mirror/spec__INVALID__unet2d_nuclei_broad__duplicate_tensor_names__v0_4_0'
    );
    expect(catalog.entries.length + catalog.failures.length).toBe(30);
    expect(catalog.entries.length).toBeGreaterThanOrEqual(25);
    for (const f of catalog.failures) {
      expect(f.reason.length).toBeGreaterThan(5);
    }

    const unet = catalog.entries.find(
      e => e.id === 'mirror/spec__unet2d_nuclei_broad__v0_4_9'
    )!;
    expect(unet.name).toBe('UNet 2D Nuclei Broad');
    expect(unet.tasks).toContain('segmentation');
    expect(unet.dims).toBe('2D');
    expect(unet.inputChannels).toBe(1);
    expect(unet.runsInBrowser).toBe(true);
    expect(catalog.model(unet.key)?.inputs[0].id).toBeTruthy();

    // Reloading does not fetch unchanged descriptions again (keyed by sha256).
    const reads = fetcher.reads;
    await catalog.reload();
    expect(fetcher.reads).toBe(reads);
    expect(catalog.entries.length + catalog.failures.length).toBe(30);
  });

  it('refuses a description whose sha256 does not match the index', async () => {
    const { files } = mirrorOfFixtures();
    const url = `${MIRROR}/rdf/spec__unet2d_nuclei_broad__v0_4_9.bioimageio.yaml`;
    const index = JSON.stringify({
      items: [
        {
          id: 'x/tampered',
          type: 'model',
          versions: [{ source: url, sha256: '0'.repeat(64) }]
        }
      ]
    });
    const catalog = new ModelCatalog({
      fetcher: new FakeFetcher(files, index),
      throttleMs: 0
    });
    await catalog.configure(settings(`${MIRROR}/index.json`));
    expect(catalog.entries).toHaveLength(0);
    expect(catalog.failures[0].reason).toMatch(/refused.*sha256/);
  });

  it('reports an unreachable index, keeps other sources, and recovers on retry', async () => {
    const { files, index } = mirrorOfFixtures();
    const fetcher = new FakeFetcher(
      files,
      new ZooFetchError('connection refused', 502, 'upstream error')
    );
    const catalog = new ModelCatalog({ fetcher, throttleMs: 0 });
    await catalog.configure(settings(`${MIRROR}/index.json`));
    const source = catalog.sources.find(s => s.kind === 'index')!;
    expect(source.state).toBe('error');
    expect(source.error).toContain('connection refused');
    expect(catalog.sources.find(s => s.kind === 'bundled')?.state).toBe(
      'ready'
    );

    (fetcher as unknown as { indexText: string }).indexText = index;
    await catalog.reload(source.id);
    expect(catalog.sources.find(s => s.kind === 'index')?.state).toBe('ready');
    expect(catalog.entries.length).toBeGreaterThan(20);
  });

  it('offline: only the bundled zoo and workspace folders', async () => {
    const { files, index } = mirrorOfFixtures();
    const catalog = new ModelCatalog({
      fetcher: new FakeFetcher(files, index),
      throttleMs: 0
    });
    await catalog.configure({
      ...settings(`${MIRROR}/index.json`),
      offline: true
    });
    expect(catalog.sources.map(s => s.kind)).toEqual(['bundled']);
  });
});
