/**
 * Hardening of what the browser and the server fetch, on the token-
 * authenticated test server (lab on localhost):
 *
 * - a model card whose documentation embeds remote images shows them through
 *   the server's proxy (or a placeholder): the remote listener never sees a
 *   request from the browser, and the server's requests carry no Referer;
 * - a page on another origin (a Node listener on 127.0.0.1) that navigates to
 *   a proxy URL cannot make the server fetch anything;
 * - `<img>` of package files, bundled files and proxied files load with the
 *   login cookie alone (no token in URLs).
 *
 * Every listener here runs on 127.0.0.1 and records each request it gets.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { createHash } from 'crypto';
import { Page } from '@playwright/test';

import { expect, galata, test } from './helpers/test';
import { BioImageHelper } from './helpers/bioimage-helper';
import { UNET_DIR } from './helpers/fixtures';

const PORT = Number(process.env.BIOIMAGE_HARDENING_PORT ?? 28951);
const MODEL_NAME = 'Hardening Remote Images Model';
/** Unique to this run: the server's download cache (kept between runs) has not seen its URLs. */
const RUN = `${Date.now()}`;
/** What the server's HTTP client calls itself (server/cache/download.py). */
const SERVER_AGENT = 'jupyterlab-bioimage';

/** A 1x1 PNG. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64'
);

interface IRecorded {
  path: string;
  userAgent: string;
  referer?: string;
  secFetchSite?: string;
}

interface IListener {
  base: string;
  requests: IRecorded[];
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 answering `routes` (path -> body, content type) and recording every request. */
async function listen(
  port: number,
  routes: (base: string) => Map<string, [Buffer | string, string]>
): Promise<IListener> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const table = routes(base);
  const requests: IRecorded[] = [];
  server.on('request', (req, res) => {
    const pathname = new URL(req.url ?? '/', base).pathname;
    requests.push({
      path: pathname,
      userAgent: String(req.headers['user-agent'] ?? ''),
      referer: req.headers.referer,
      secFetchSite: req.headers['sec-fetch-site'] as string | undefined
    });
    const found = table.get(pathname);
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = Buffer.from(found[0]);
    res.writeHead(200, { 'Content-Type': found[1], 'Content-Length': body.length });
    res.end(body);
  });
  return {
    base,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      })
  };
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Documentation that embeds remote images in every way the sanitizer lets through. */
function remoteDocs(remote: string): string {
  const q = `?run=${RUN}`;
  return [
    '# Remote images',
    '',
    'This documentation embeds remote images.',
    '',
    `![pixel](${remote}/pixel.png${q})`,
    '',
    `<img src="${remote}/tag.png${q}" alt="tag image">`,
    `<div style="background-image: url(${remote}/background.png${q})">styled block</div>`,
    `<img src="${remote}/a.png${q}" srcset="${remote}/srcset.png${q} 2x" alt="srcset image">`,
    `<img src="ftp://127.0.0.1/ftp.png" alt="ftp image">`,
    ''
  ].join('\n');
}

/** A one-model mirror: the runnable fixture package with the documentation above. */
function mirrorRoutes(remote: IListener) {
  return (base: string) => {
    const routes = new Map<string, [Buffer | string, string]>();
    const yaml = fs
      .readFileSync(path.join(UNET_DIR, 'bioimageio.yaml'), 'utf-8')
      .replace(/^name: .*$/m, `name: ${MODEL_NAME}`)
      .replace(/^documentation: .*$/m, `documentation: README-${RUN}.md`);
    for (const name of fs.readdirSync(UNET_DIR)) {
      routes.set(`/pkg/${name}`, [fs.readFileSync(path.join(UNET_DIR, name)), 'application/octet-stream']);
    }
    routes.set('/pkg/bioimageio.yaml', [yaml, 'application/x-yaml']);
    routes.set(`/pkg/README-${RUN}.md`, [remoteDocs(remote.base), 'text/markdown']);
    const index = {
      items: [
        {
          id: 'hardening/remote-images',
          type: 'model',
          versions: [
            {
              version: 'v0',
              created_at: '2024-01-01T00:00:00.000Z',
              source: `${base}/pkg/bioimageio.yaml`,
              sha256: sha256(yaml)
            }
          ]
        }
      ],
      total: 1
    };
    routes.set('/index.json', [JSON.stringify(index), 'application/json']);
    return routes;
  };
}

const pixelRoutes = () =>
  new Map<string, [Buffer | string, string]>(
    ['pixel.png', 'tag.png', 'a.png', 'background.png', 'srcset.png', 'target'].map(n => [`/${n}`, [PIXEL, 'image/png']])
  );

/** Whether an image element in the page loaded (with the page's cookie only). */
async function imageLoads(page: Page, src: string): Promise<boolean> {
  return page.evaluate(
    url =>
      new Promise<boolean>(resolve => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth > 0);
        img.onerror = () => resolve(false);
        img.src = url;
      }),
    src
  );
}

test.describe('remote resources in model documentation', () => {
  let remote: IListener;
  let mirror: IListener;
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-bioimage:zoo': { collectionIndexUrl: `http://127.0.0.1:${PORT}/index.json`, concurrency: 4 }
    }
  });

  test.beforeAll(async () => {
    remote = await listen(PORT + 1, pixelRoutes);
    mirror = await listen(PORT, mirrorRoutes(remote));
  });
  test.afterAll(async () => {
    await mirror?.close();
    await remote?.close();
  });

  test('images go through the proxy, never from the browser to the remote host', async ({ page, baseURL }) => {
    await new BioImageHelper(page as any).openZoo();
    await page.locator('#jp-bioimage-zoo .jp-BioImage-zooSearch').fill(MODEL_NAME);
    await page.locator('#jp-bioimage-zoo .jp-BioImage-zooItem', { hasText: MODEL_NAME }).first().click({ timeout: 60000 });
    const card = page.locator('.jp-BioImage-modelCard', { has: page.locator('h1', { hasText: MODEL_NAME }) });
    const docs = card.locator('.jp-BioImage-cardDocs');
    await expect(docs).toContainText('This documentation embeds remote images.', { timeout: 60000 });
    await expect(docs).toContainText('styled block');

    // Every image in the documentation is a proxy URL on the lab's origin, or a placeholder.
    const images = docs.locator('img');
    const sources = await images.evaluateAll(els => els.map(e => (e as HTMLImageElement).src));
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const src of sources) {
      expect(src.startsWith(`${baseURL}/bioimage/proxy?`)).toBe(true);
      expect(src).not.toContain('token=');
    }
    expect(await images.evaluateAll(els => els.every(e => e.getAttribute('referrerpolicy') === 'no-referrer'))).toBe(
      true
    );
    await expect(docs.locator('.jp-BioImage-docsBlocked', { hasText: 'ftp image' })).toHaveCount(1);
    // The proxied pixel loaded (the server fetched it); no srcset, no CSS url() left.
    await expect
      .poll(() => docs.locator('img[alt="pixel"]').evaluate(e => (e as HTMLImageElement).naturalWidth), {
        timeout: 30000
      })
      .toBe(1);
    expect(await docs.locator('[srcset]').count()).toBe(0);
    const styles = await docs.locator('[style]').evaluateAll(els => els.map(e => e.getAttribute('style') ?? ''));
    expect(styles.filter(s => /url\(/i.test(s))).toEqual([]);

    await page.waitForTimeout(1000); // anything the browser would still fetch has been fetched
    const fromBrowser = remote.requests.filter(r => r.userAgent !== SERVER_AGENT);
    expect(fromBrowser).toEqual([]);
    expect(remote.requests.map(r => r.path)).toContain('/pixel.png');
    expect(remote.requests.map(r => r.path)).not.toContain('/background.png');
    expect(remote.requests.map(r => r.path)).not.toContain('/srcset.png');
    expect(remote.requests.every(r => r.referer === undefined)).toBe(true);
  });

  test('covers, package files and proxied files load with the cookie alone', async ({ page, request, baseURL }) => {
    // The page's token is not in these URLs: the login cookie authenticates them.
    const health = await (await request.get('/bioimage/health')).json();
    const bundled = health.bundled_models[0];
    expect(await imageLoads(page, `${baseURL}/bioimage/bundled/${bundled}/cover.png`)).toBe(true);
    const upload = await request.put('/api/contents/hardening-pixel.png', {
      data: { type: 'file', format: 'base64', content: PIXEL.toString('base64') }
    });
    expect(upload.ok()).toBe(true);
    expect(await imageLoads(page, `${baseURL}/files/hardening-pixel.png`)).toBe(true);
    const proxied = `${baseURL}/bioimage/proxy?url=${encodeURIComponent(`${remote.base}/tag.png`)}`;
    expect(await imageLoads(page, proxied)).toBe(true);
  });
});

test.describe('another website', () => {
  let attacker: IListener;
  let target: IListener;

  test.beforeAll(async () => {
    target = await listen(PORT + 3, pixelRoutes);
    attacker = await listen(PORT + 2, () => new Map());
  });
  test.afterAll(async () => {
    await attacker?.close();
    await target?.close();
  });

  test('cannot make the server fetch a URL by navigating to the proxy', async ({ page, context, baseURL }) => {
    const proxyUrl = `${baseURL}/bioimage/proxy?url=${encodeURIComponent(`${target.base}/target?run=${RUN}`)}`;
    // The attacker's page: a different origin (127.0.0.1, the lab is on localhost).
    const html = `<!DOCTYPE html><p>hello</p><script>location.href = ${JSON.stringify(proxyUrl)};</script>`;
    await attacker.close();
    attacker = await listen(PORT + 2, () => new Map([['/attack.html', [html, 'text/html']]]));

    // A second tab of the logged-in browser visits the attacker's page.
    const visitor = await context.newPage();
    const answer = visitor.waitForResponse(r => r.url().startsWith(`${baseURL}/bioimage/proxy`));
    await visitor.goto(`${attacker.base}/attack.html`);
    const response = await answer;
    expect(response.status()).toBe(403);
    const body = await response.json();
    expect(body.reason).toBe('cross-site request');
    expect(body.message).toContain('another site');
    // (That reason means the login cookie did authenticate it: the check runs after authentication.)
    await page.waitForTimeout(500);
    expect(target.requests).toEqual([]);

    expect(attacker.requests.map(r => r.path)).toEqual(['/attack.html']);
    await visitor.close();

    // The control: the same URL from JupyterLab's own page is fetched (so the check above is not vacuous).
    const status = await page.evaluate(async url => (await fetch(url)).status, proxyUrl);
    expect(status).toBe(200);
    expect(target.requests.map(r => [r.path, r.userAgent])).toEqual([['/target', SERVER_AGENT]]);
  });
});
