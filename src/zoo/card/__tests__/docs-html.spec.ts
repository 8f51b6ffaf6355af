/**
 * Documentation HTML loads nothing from other hosts: remote images go through
 * the server's proxy, other schemes become placeholders, CSS url() is removed;
 * checked together with JupyterLab's real sanitizer.
 */
import { Sanitizer } from '@jupyterlab/apputils';

import {
  BLOCKED_CLASS,
  foreignResources,
  REMOTE_IMAGE_CLASS,
  rewriteDocumentationHtml
} from '../docs-html';

const ORIGIN = 'http://localhost:8888';
const urls = {
  packageFile: (relative: string) => {
    if (relative.startsWith('..')) {
      throw new Error('outside the package');
    }
    return `${ORIGIN}/bioimage/bundled/pkg/${relative}`;
  },
  proxy: (url: string) =>
    `${ORIGIN}/bioimage/proxy?url=${encodeURIComponent(url)}`
};

function render(html: string): HTMLElement {
  const clean = new Sanitizer().sanitize(rewriteDocumentationHtml(html, urls));
  expect(foreignResources(clean, ORIGIN)).toEqual([]);
  const doc = new DOMParser().parseFromString(clean, 'text/html');
  return doc.body;
}

describe('rewriteDocumentationHtml', () => {
  it('sends remote images through the proxy', () => {
    const body = render(
      '<p><img src="http://tracker.example/pixel.png" alt="pixel"> <img src="//cdn.example/a.png"></p>'
    );
    const [pixel, cdn] = Array.from(body.querySelectorAll('img'));
    expect(pixel.getAttribute('src')).toBe(
      urls.proxy('http://tracker.example/pixel.png')
    );
    expect(pixel.classList.contains(REMOTE_IMAGE_CLASS)).toBe(true);
    expect(cdn.getAttribute('src')).toBe(
      urls.proxy('https://cdn.example/a.png')
    );
  });

  it('resolves package files and keeps inline images', () => {
    const body = render(
      '<img src="images/a.png"><img src="data:image/png;base64,iVBORw0KGgo=">'
    );
    const [file, inline] = Array.from(body.querySelectorAll('img'));
    expect(file.getAttribute('src')).toBe(
      `${ORIGIN}/bioimage/bundled/pkg/images/a.png`
    );
    expect(file.classList.contains(REMOTE_IMAGE_CLASS)).toBe(false);
    expect(inline.getAttribute('src')).toMatch(/^data:image\/png/);
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    '/api/contents',
    '../../outside.png',
    'data:image/svg+xml,<svg onload=alert(1)>',
    ''
  ])('replaces an image from %p with a placeholder', src => {
    const body = render(`<img src="${src}" alt="figure 1">`);
    expect(body.querySelector('img')).toBeNull();
    const placeholder = body.querySelector(`.${BLOCKED_CLASS}`);
    expect(placeholder?.textContent).toBe('[image not shown: figure 1]');
  });

  it('removes CSS that could fetch, and srcset', () => {
    const body = render(
      [
        '<div style="background-image: url(http://tracker.example/bg.png)">a</div>',
        '<span style="background: URL( \'//x.example/y\' )">b</span>',
        '<p style="color: red">c</p>',
        '<img src="a.png" srcset="http://tracker.example/2x.png 2x">',
        '<video poster="http://tracker.example/p.png" src="http://v.example/v.mp4"></video>',
        '<style>@import url(http://tracker.example/s.css);</style>',
        '<table background="http://tracker.example/t.png"><tr><td>t</td></tr></table>'
      ].join('\n')
    );
    expect(body.innerHTML).not.toContain('tracker.example/bg');
    expect(body.innerHTML).not.toContain('x.example/y');
    expect(body.querySelector('p')?.getAttribute('style')).toMatch(
      /^color: ?red/
    );
    expect(body.querySelector('img')?.hasAttribute('srcset')).toBe(false);
    const video = body.querySelector('video');
    if (video) {
      expect(video.getAttribute('poster')).toBe(
        urls.proxy('http://tracker.example/p.png')
      );
    }
    expect(body.querySelector('style')).toBeNull();
  });

  it('does not let raw-text elements smuggle markup past the rewrite', () => {
    const body = render(
      '<xmp><img src="http://tracker.example/x.png"></xmp><noembed><img src="http://tracker.example/y.png"></noembed>'
    );
    expect(body.innerHTML).not.toContain('tracker.example');
  });
});

describe('foreignResources', () => {
  it('finds what would still load from elsewhere', () => {
    expect(
      foreignResources(
        '<img src="http://evil.example/a.png"><p style="background:url(x)">x</p><img src="/files/a.png">',
        ORIGIN
      )
    ).toEqual(['http://evil.example/a.png', 'style="background:url(x)"']);
  });
});
