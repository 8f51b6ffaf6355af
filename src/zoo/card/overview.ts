/**
 * The model card's overview, above its sections: the identity line under
 * the title (id, version, release, format), the cover images and the list of
 * facts (license, versions, tags, training data, source code, source). Like
 * sections.ts, every text from the description goes in as text.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IZooFetcher } from '../catalog/fetcher';
import type { ICatalogEntry } from '../../core/catalog/types';
import type { IModelDescription } from '../../core/spec/types';
import { isHttpUrl } from '../../core/package/readers/reader';
import { h } from '../../jupyter/dom';
import { link } from './sections';

/** The line under the title: the id, then version, release and format. */
export function identityLine(
  entry: ICatalogEntry,
  model: IModelDescription,
  trans: TranslationBundle
): HTMLElement {
  const idLine = h('p', { className: 'jp-BioImage-cardId' });
  idLine.append(h('code', { textContent: entry.id }));
  if (entry.version) {
    idLine.append(` · ${trans.__('version %1', entry.version)}`);
  }
  if (model.version && model.version !== entry.version) {
    idLine.append(` · ${trans.__('release %1', model.version)}`);
  }
  idLine.append(` · ${trans.__('format %1', model.formatVersion)}`);
  return idLine;
}

/**
 * Up to four cover images, loaded through the server; one that fails to
 * load disappears. Null when the model has no covers.
 */
export function coverImages(
  entry: ICatalogEntry,
  model: IModelDescription,
  fetcher: IZooFetcher,
  trans: TranslationBundle
): HTMLElement | null {
  if (!model.covers.length) {
    return null;
  }
  const covers = h('div', { className: 'jp-BioImage-cardCovers' });
  for (const cover of model.covers.slice(0, 4)) {
    try {
      const img = h('img');
      img.alt = trans.__('Cover image of %1', entry.name);
      img.loading = 'lazy';
      img.src = fetcher.displayUrl(entry.location, cover);
      img.addEventListener('error', () => img.remove());
      covers.append(img);
    } catch {
      // A cover path leaving the package is ignored.
    }
  }
  return covers;
}

/** The facts list: license, versions, tags, training data, code, source. */
export function factList(
  entry: ICatalogEntry,
  model: IModelDescription,
  trans: TranslationBundle
): HTMLElement {
  const facts = h('dl', { className: 'jp-BioImage-cardFacts' });
  const fact = (term: string, value: Node | string) => {
    facts.append(h('dt', { textContent: term }));
    const dd = h('dd');
    dd.append(value);
    facts.append(dd);
  };
  fact(trans.__('License'), model.license ?? trans.__('not given'));
  if (entry.versions.length) {
    fact(
      trans.__('Versions'),
      entry.versions
        .map(
          v =>
            `${v.version}${v.createdAt ? ` (${v.createdAt.slice(0, 10)})` : ''}${v.comment ? ` — ${v.comment}` : ''}`
        )
        .join('; ')
    );
  }
  if (model.tags.length) {
    fact(trans.__('Tags'), model.tags.join(', '));
  }
  const training = model.trainingData;
  if (training) {
    const tid = typeof training.id === 'string' ? training.id : '';
    const source = typeof training.source === 'string' ? training.source : '';
    fact(
      trans.__('Training data'),
      source && isHttpUrl(source)
        ? link(source, tid || source)
        : tid
          ? link(
              `https://bioimage.io/#/artifacts/${tid.replace(/^bioimage-io\//, '')}`,
              tid
            )
          : trans.__('described in the description')
    );
  }
  if (model.gitRepo) {
    fact(trans.__('Source code'), link(model.gitRepo, model.gitRepo));
  }
  fact(trans.__('Source'), entry.origin.label);
  return facts;
}
