/**
 * What a model's documentation may make the browser load. The markdown comes
 * from an untrusted package; JupyterLab's sanitizer removes scripts and event
 * handlers, but keeps remote `<img src>`, `<video poster>` and CSS `url()` in
 * `style` attributes: the browser would fetch them directly from their hosts,
 * with a Referer naming this JupyterLab (tracking pixels), bypassing
 * `c.BioImageCache.allowed_hosts`, and failing offline.
 *
 * So, before the sanitizer runs, every resource URL is rewritten:
 * package-relative files to their server URL, remote http(s) files to the
 * server's proxy (`/bioimage/proxy`, which obeys `allowed_hosts`, caches them
 * for offline use and never forwards a Referer); anything else (other
 * schemes) and every CSS `url()` is removed, images with a visible
 * placeholder. The HTML is rewritten in an inert document (`DOMParser`: it
 * loads nothing) and then sanitized, so the sanitizer has the last word on
 * the markup. A final check of the sanitized HTML refuses to show it at all
 * if anything would still load from elsewhere.
 */

/** Resource-carrying attributes the sanitizer may keep, by element. */
const RESOURCE_ATTRIBUTES: Record<string, string[]> = {
  img: ['src'],
  input: ['src'],
  audio: ['src'],
  video: ['src', 'poster'],
  source: ['src'],
  track: ['src']
};

/** Attributes that fetch something and are never needed in documentation. */
const DROPPED_ATTRIBUTES = [
  'srcset',
  'background',
  'ping',
  'lowsrc',
  'dynsrc',
  'longdesc',
  'formaction',
  'action',
  'data',
  'codebase',
  'manifest',
  'xlink:href'
];

/** Elements whose content the HTML serializer writes out raw: removed (the sanitizer drops them anyway). */
const RAW_TEXT_ELEMENTS =
  'script, style, xmp, iframe, noembed, noframes, noscript, plaintext, template, object, embed, link, meta, base, svg, math';

/** CSS that can fetch: `url(`, `image-set(`, `@import`, escapes that could spell them. */
const CSS_FETCH = /url\s*\(|image-set|image\s*\(|src\s*\(|@import|\\/i;

/** The class of an image shown through the proxy (for the "not available" placeholder). */
export const REMOTE_IMAGE_CLASS = 'jp-BioImage-docsRemote';
/** The class of the placeholder of a blocked or unavailable image. */
export const BLOCKED_CLASS = 'jp-BioImage-docsBlocked';

/** How the documentation's URLs map to URLs of the Jupyter server. */
export interface IDocumentationUrls {
  /** Server URL of a package-relative file (e.g. `images/a.png`). */
  packageFile(relative: string): string;
  /** The proxy URL of a remote http(s) file. */
  proxy(url: string): string;
}

/** Whether `url` names a package-relative file (no scheme, not `//host`, not `#`). */
function isRelative(url: string): boolean {
  return !/^([a-z][a-z0-9+.-]*:|\/\/|#|\/)/i.test(url);
}

/** The server URL `url` becomes, or null when it must not be loaded. */
function rewriteUrl(raw: string, urls: IDocumentationUrls): string | null {
  const url = raw.trim();
  if (!url) {
    return null;
  }
  if (/^data:image\/(png|gif|jpeg|webp|bmp);/i.test(url)) {
    return url; // inline bytes: nothing is fetched
  }
  if (/^https?:\/\//i.test(url) || url.startsWith('//')) {
    return urls.proxy(url.startsWith('//') ? `https:${url}` : url);
  }
  if (isRelative(url)) {
    try {
      return urls.packageFile(url);
    } catch {
      return null; // e.g. '../../x': outside the package
    }
  }
  return null; // javascript:, file:, blob:, attachment:, /absolute paths ...
}

function placeholder(doc: Document, element: Element, url: string): Element {
  const span = doc.createElement('span');
  span.className = BLOCKED_CLASS;
  const alt = element.getAttribute('alt');
  span.textContent = `[image not shown${alt ? `: ${alt}` : ''}]`;
  span.title = `The documentation refers to ${url || 'an empty address'}, which is not loaded: only files of the package and http(s) files through the Jupyter server are shown.`;
  return span;
}

/**
 * Rewrite the resource URLs of documentation HTML (before sanitizing it).
 * Pure: parses `html` in an inert document and returns its new serialization.
 */
export function rewriteDocumentationHtml(
  html: string,
  urls: IDocumentationUrls
): string {
  const doc = new DOMParser().parseFromString(
    `<!DOCTYPE html><html><body>${html}</body></html>`,
    'text/html'
  );
  const body = doc.body;
  body.querySelectorAll(RAW_TEXT_ELEMENTS).forEach(el => el.remove());
  for (const el of Array.from(body.querySelectorAll('*'))) {
    for (const name of DROPPED_ATTRIBUTES) {
      el.removeAttribute(name);
    }
    const style = el.getAttribute('style');
    if (style !== null && CSS_FETCH.test(style)) {
      el.removeAttribute('style');
    }
    const attributes = RESOURCE_ATTRIBUTES[el.localName] ?? [];
    for (const name of attributes) {
      const value = el.getAttribute(name);
      if (value === null) {
        continue;
      }
      const rewritten = rewriteUrl(value, urls);
      if (rewritten !== null) {
        el.setAttribute(name, rewritten);
        if (el.localName === 'img' && /^(https?:)?\/\//i.test(value.trim())) {
          el.classList.add(REMOTE_IMAGE_CLASS);
        }
      } else if (el.localName === 'img' || el.localName === 'input') {
        el.replaceWith(placeholder(doc, el, value));
        break;
      } else {
        el.removeAttribute(name);
      }
    }
  }
  return body.innerHTML;
}

/**
 * Resource URLs in (sanitized) HTML that do not point at `origin` (data:
 * images allowed): what the browser would fetch from elsewhere. Empty when
 * the HTML is safe to show.
 */
export function foreignResources(html: string, origin: string): string[] {
  const doc = new DOMParser().parseFromString(
    `<!DOCTYPE html><html><body>${html}</body></html>`,
    'text/html'
  );
  const found: string[] = [];
  for (const el of Array.from(doc.body.querySelectorAll('*'))) {
    const style = el.getAttribute('style');
    if (style !== null && CSS_FETCH.test(style)) {
      found.push(`style="${style}"`);
    }
    for (const name of [
      ...(RESOURCE_ATTRIBUTES[el.localName] ?? []),
      ...DROPPED_ATTRIBUTES
    ]) {
      const value = el.getAttribute(name);
      if (value === null || /^data:image\//i.test(value.trim())) {
        continue;
      }
      let target: URL;
      try {
        target = new URL(value, origin);
      } catch {
        continue; // not a URL: nothing can be fetched
      }
      if (target.origin !== origin || DROPPED_ATTRIBUTES.includes(name)) {
        found.push(value);
      }
    }
  }
  return found;
}
