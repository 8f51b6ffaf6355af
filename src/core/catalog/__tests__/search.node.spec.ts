/**
 * Search and filters: correctness on entries built from real descriptions,
 * and the per-keystroke budget on 5,000 synthetic entries.
 */
import * as fs from 'fs';
import * as path from 'path';

import { entryFromModel } from '../entry';
import {
  benchmarkSearch,
  emptyQuery,
  facetsOf,
  searchCatalog,
  syntheticEntries
} from '../search';
import type { ICatalogEntry } from '../types';
import { parseDescription } from '../../spec/description';

const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ??
  path.resolve(__dirname, '../../../../../shared/fixtures');
const RDF_DIR = path.join(FIXTURES, 'rdf');

function realEntries(): ICatalogEntry[] {
  const entries: ICatalogEntry[] = [];
  for (const name of fs.readdirSync(RDF_DIR).sort()) {
    try {
      const parsed = parseDescription(
        fs.readFileSync(path.join(RDF_DIR, name), 'utf-8')
      );
      if (parsed.kind === 'model') {
        entries.push(
          entryFromModel(parsed.model, {
            id: name,
            origin: { kind: 'remote', sourceId: 'fixtures', label: 'fixtures' },
            location: { kind: 'remote', url: `http://x/${name}` }
          })
        );
      }
    } catch {
      // invalid examples are not listed
    }
  }
  return entries;
}

describe('searchCatalog on real descriptions', () => {
  const entries = realEntries();
  const names = (q: Partial<ReturnType<typeof emptyQuery>>) =>
    searchCatalog(entries, { ...emptyQuery(), ...q }).map(e => e.id);

  it('lists everything sorted by name without a query', () => {
    const all = searchCatalog(entries, emptyQuery());
    expect(all).toHaveLength(entries.length);
    const sorted = [...all].map(e => e.sortName);
    expect(sorted).toEqual([...sorted].sort());
  });

  it('matches every word in name, description, tags and authors', () => {
    expect(
      names({ text: 'nuclei broad' }).every(id =>
        /unet2d_nuclei_broad/.test(id)
      )
    ).toBe(true);
    expect(names({ text: 'nuclei broad' }).length).toBeGreaterThanOrEqual(3);
    // An author name (Constantin Pape) finds the spec examples.
    expect(names({ text: 'pape' })).toContain(
      'spec__unet2d_nuclei_broad__v0_4_9.bioimageio.yaml'
    );
    // A tag.
    expect(names({ text: 'noise2void' })).toHaveLength(1);
    expect(names({ text: 'NUCLEI   Broad' })).toEqual(
      names({ text: 'nuclei broad' })
    );
    expect(names({ text: 'zzzz-no-such-model' })).toEqual([]);
  });

  it('filters by task, dimensionality, channels, runs in browser and licence', () => {
    const seg = searchCatalog(entries, {
      ...emptyQuery(),
      tasks: ['segmentation']
    });
    expect(seg.length).toBeGreaterThan(5);
    expect(seg.every(e => e.tasks.includes('segmentation'))).toBe(true);
    const restoration = names({ tasks: ['restoration'] });
    expect(restoration).toEqual(
      expect.arrayContaining(names({ text: 'noise2void' }))
    );
    expect(restoration.length).toBeLessThan(entries.length);

    const threeD = searchCatalog(entries, { ...emptyQuery(), dims: '3D' });
    expect(threeD.length).toBeGreaterThan(0);
    expect(threeD.every(e => e.dims === '3D')).toBe(true);

    const onnx = searchCatalog(entries, {
      ...emptyQuery(),
      runsInBrowser: true
    });
    expect(onnx.every(e => e.runsInBrowser)).toBe(true);
    expect(onnx.map(e => e.id)).toContain(
      'spec__unet2d_nuclei_broad__v0_4_9.bioimageio.yaml'
    );
    expect(onnx.length).toBeLessThan(entries.length);

    const mit = searchCatalog(entries, { ...emptyQuery(), license: 'MIT' });
    expect(mit.every(e => e.license === 'MIT')).toBe(true);

    const one = searchCatalog(entries, { ...emptyQuery(), channels: '1' });
    expect(one.every(e => e.inputChannels === 1)).toBe(true);

    const combined = searchCatalog(entries, {
      ...emptyQuery(),
      text: 'nuclei',
      tasks: ['segmentation'],
      dims: '2D',
      runsInBrowser: true
    });
    expect(combined.length).toBeGreaterThan(0);
    expect(combined.length).toBeLessThan(seg.length);
  });

  it('sorts by date, newest first', () => {
    const withDates = entries.map((e, i) => ({
      ...e,
      created: i % 2 ? `2024-01-${String(10 + i).padStart(2, '0')}` : ''
    }));
    const sorted = searchCatalog(withDates, { ...emptyQuery(), sort: 'date' });
    const dated = sorted.filter(e => e.created).map(e => e.created);
    expect(dated).toEqual([...dated].sort().reverse());
    expect(sorted[sorted.length - 1].created).toBe('');
  });

  it('offers facets found in the entries', () => {
    const facets = facetsOf(entries);
    expect(facets.tasks.get('segmentation')).toBeGreaterThan(5);
    expect(facets.licenses.get('MIT')).toBeGreaterThan(0);
    expect(Array.from(facets.modalities.keys())).toEqual(
      expect.arrayContaining(['fluorescence', 'histology'])
    );
  });
});

describe('searchCatalog on 5,000 entries', () => {
  it('returns exactly the entries whose text and facets match', () => {
    const entries = syntheticEntries(5000);
    const query = {
      ...emptyQuery(),
      text: 'nuclei seg',
      dims: '2D' as const,
      runsInBrowser: true
    };
    const found = searchCatalog(entries, query);
    const expected = entries.filter(
      e =>
        e.searchText.includes('nuclei') &&
        e.searchText.includes('seg') &&
        e.dims === '2D' &&
        e.runsInBrowser
    );
    expect(found.length).toBe(expected.length);
    expect(new Set(found.map(e => e.key))).toEqual(
      new Set(expected.map(e => e.key))
    );
  });

  // Its speed is measured by `make bench` (zoo.search), never asserted in a
  // test: a timed test fails on a busy machine for no fault of the code.
  it('benchmarks typing a query keystroke by keystroke', () => {
    const result = benchmarkSearch(5000);
    expect(result.entries).toBe(5000);
    expect(result.keystrokes).toBeGreaterThan(10);
    expect(Number.isFinite(result.meanMs)).toBe(true);
  });
});
