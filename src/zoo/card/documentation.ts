/**
 * Rendering a model's documentation into the card. The documentation is
 * markdown from an untrusted source and goes through JupyterLab's sanitizing
 * markdown renderer, with a resolver that only resolves package-relative
 * links and a sanitizer wrapped around the application's one: resource URLs
 * are first rewritten to the Jupyter server (docs-html.ts), and the result is
 * refused outright if it would still load anything from another site. Remote
 * images the server does not fetch are replaced by a visible placeholder.
 */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IZooFetcher } from '../catalog/fetcher';
import type { ICatalogEntry } from '../../core/catalog/types';
import type { IModelDescription } from '../../core/spec/types';
import { h } from '../../jupyter/dom';
import {
  BLOCKED_CLASS,
  foreignResources,
  IDocumentationUrls,
  REMOTE_IMAGE_CLASS,
  rewriteDocumentationHtml
} from './docs-html';

/** What rendering the documentation needs. */
export interface IDocumentationOptions {
  entry: ICatalogEntry;
  model: IModelDescription;
  trans: TranslationBundle;
  /** Reads the documentation file and gives the URLs of package files. */
  fetcher: IZooFetcher;
  /** Without one, the markdown is shown as plain text. */
  rendermime: IRenderMimeRegistry | null;
}

/**
 * Render the documentation into `host` (a loading line first, then the
 * rendered markdown or why it is not shown). Never rejects.
 */
export async function renderDocumentation(
  host: HTMLElement,
  { entry, model, trans, fetcher, rendermime }: IDocumentationOptions
): Promise<void> {
  if (!model.documentation) {
    host.textContent = trans.__('This model has no documentation.');
    return;
  }
  host.textContent = trans.__('Loading documentation…');
  try {
    const bytes = await fetcher.read(entry.location, model.documentation);
    const markdown = new TextDecoder('utf-8').decode(bytes);
    if (!rendermime) {
      const pre = h('pre', { textContent: markdown });
      host.replaceChildren(pre);
      return;
    }
    const resolver: IRenderMime.IResolver = {
      // Only package-relative links are resolved (through the server cache).
      isLocal: (url: string) => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(url),
      resolveUrl: async (url: string) => url,
      getDownloadUrl: async (url: string) =>
        fetcher.displayUrl(entry.location, url)
    };
    // Images and media load only from the Jupyter server: package files,
    // and remote files through its proxy (see docs-html.ts).
    const urls: IDocumentationUrls = {
      packageFile: relative => fetcher.displayUrl(entry.location, relative),
      proxy: url => fetcher.displayUrl(entry.location, url)
    };
    const base = rendermime.sanitizer;
    let refused: string[] = [];
    const sanitizer: IRenderMime.ISanitizer = {
      allowNamedProperties: base.allowNamedProperties,
      getAutolink: () => base.getAutolink?.() ?? true,
      sanitize: (dirty, options) => {
        const clean = base.sanitize(
          rewriteDocumentationHtml(dirty, urls),
          options
        );
        refused = foreignResources(clean, window.location.origin);
        return refused.length ? '' : clean;
      }
    };
    const clone = rendermime.clone({ resolver, sanitizer });
    const renderer = clone.createRenderer('text/markdown');
    // Untrusted: the renderer sanitizes the HTML (no scripts, no event handlers).
    await renderer.renderModel(
      new MimeModel({ data: { 'text/markdown': markdown }, trusted: false })
    );
    if (refused.length) {
      host.textContent = trans.__(
        'The documentation is not shown: it would make the browser load %1 from another site.',
        refused.slice(0, 3).join(', ')
      );
      return;
    }
    for (const img of Array.from(
      renderer.node.querySelectorAll<HTMLImageElement>(
        `img.${REMOTE_IMAGE_CLASS}`
      )
    )) {
      img.referrerPolicy = 'no-referrer';
      const blocked = () => {
        const span = h('span', {
          className: BLOCKED_CLASS,
          textContent: trans.__(
            '[image not available: %1]',
            img.alt || img.title || ''
          )
        });
        span.title = trans.__(
          'The Jupyter server did not fetch this image (not reachable, or not allowed by c.BioImageCache.allowed_hosts).'
        );
        img.replaceWith(span);
      };
      img.addEventListener('error', blocked, { once: true });
      if (img.complete && img.naturalWidth === 0 && img.getAttribute('src')) {
        blocked(); // failed before the listener was attached
      }
    }
    host.replaceChildren(renderer.node);
  } catch (error) {
    host.textContent = trans.__(
      'The documentation could not be loaded: %1',
      (error as Error).message
    );
  }
}
