/**
 * A local mirror of the bioimage.io collection for the zoo UI tests: a small
 * Node HTTP server on 127.0.0.1 serving a generated `index.json` whose
 * entries point at the shared fixture descriptions and the runnable
 * unet2d_nuclei_broad package, with correct sha256s, plus three planted
 * problems: a tampered description, a package with tampered weights, and a
 * model whose documentation tries to run script; and a package whose weights
 * are served slowly (to watch a download's progress and cancel it).
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';

import { FIXTURES, UNET_DIR } from './fixtures';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The documentation of the "Evil Docs Model": must render without running anything. */
export const EVIL_MARKDOWN = [
  '# Evil docs',
  '',
  'This text must be shown.',
  '',
  '<script>window.__pwned = "script";</script>',
  '<img src="does-not-exist.png" onerror="window.__pwned = \'onerror\'">',
  '<a href="javascript:window.__pwned=\'link\'">click me</a>',
  ''
].join('\n');

/** Names and ids the tests look for. */
export const MIRROR = {
  unetId: 'mirror/unet2d_nuclei_broad',
  unetName: 'UNet 2D Nuclei Broad Package',
  evilName: 'Evil Docs Model',
  tamperedWeightsName: 'Tampered Weights Model',
  tamperedDescriptionId: 'mirror/tampered-description',
  /** Its weights trickle in (about 14 s); the name keeps "nuclei" for the search test. */
  slowName: 'Nuclei Broad Slow Download',
  slowId: 'mirror/slow-download',
  /** Fixture descriptions that cannot be listed as models (invalid, or a dataset). */
  unreadableFixtures: 3
};

/** Bytes per step and step interval of the slow weights. */
const SLOW_CHUNK = 16 * 1024;
const SLOW_INTERVAL_MS = 120;

/** A running mirror. */
export interface IZooMirror {
  url: string;
  indexUrl: string;
  /** Number of model items in the index. */
  items: number;
  /** Requests served, by path (to check that nothing is fetched twice). */
  hits: Map<string, number>;
  /** The slow weights: their sha256 (unique to this mirror) and how their transfers ended. */
  slow: { sha256: string; size: number; completed: number; aborted: number };
  close(): Promise<void>;
}

/** Start the mirror on 127.0.0.1 (port 0: any free port). */
export async function startZooMirror(port = 0): Promise<IZooMirror> {
  const files = new Map<string, Buffer>();
  const unetYaml = fs.readFileSync(path.join(UNET_DIR, 'bioimageio.yaml'), 'utf-8');
  for (const name of fs.readdirSync(UNET_DIR)) {
    const bytes = fs.readFileSync(path.join(UNET_DIR, name));
    for (const folder of ['unet', 'evil', 'tamperedweights']) {
      files.set(`/${folder}/${name}`, bytes);
    }
  }
  files.set('/unet/bioimageio.yaml', Buffer.from(unetYaml.replace(/^name: .*$/m, `name: ${MIRROR.unetName}`)));
  files.set(
    '/evil/bioimageio.yaml',
    Buffer.from(unetYaml.replace(/^name: .*$/m, `name: ${MIRROR.evilName}`))
  );
  files.set('/evil/README.md', Buffer.from(EVIL_MARKDOWN));
  // The weights' sha256 in this description belongs to no file anywhere.
  files.set(
    '/tamperedweights/bioimageio.yaml',
    Buffer.from(
      unetYaml
        .replace(/^name: .*$/m, `name: ${MIRROR.tamperedWeightsName}`)
        .replace(
          /sha256: 85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088/,
          `sha256: ${sha256(randomBytes(32))}`
        )
    )
  );

  // Weights no other package has (so never already in the server's cache),
  // listed with their own sha256: the fixture's ONNX file plus random bytes.
  const slowWeights = Buffer.concat([files.get('/unet/weights.onnx')!, randomBytes(64)]);
  for (const name of fs.readdirSync(UNET_DIR)) {
    files.set(`/slow/${name}`, fs.readFileSync(path.join(UNET_DIR, name)));
  }
  files.set('/slow/weights.onnx', slowWeights);
  files.set(
    '/slow/bioimageio.yaml',
    Buffer.from(
      unetYaml
        .replace(/^name: .*$/m, `name: ${MIRROR.slowName}`)
        .replace(
          /sha256: 85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088/,
          `sha256: ${sha256(slowWeights)}`
        )
    )
  );
  const slow = { sha256: sha256(slowWeights), size: slowWeights.length, completed: 0, aborted: 0 };

  const rdfDir = path.join(FIXTURES, 'rdf');
  const items: unknown[] = [];
  const item = (id: string, source: string, sha: string, day: number) =>
    items.push({
      id,
      type: 'model',
      versions: [
        {
          version: 'v0',
          comment: 'mirror',
          created_at: new Date(Date.UTC(2024, 0, 1 + day)).toISOString(),
          source,
          sha256: sha
        }
      ]
    });

  const server = http.createServer();
  const hits = new Map<string, number>();
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  fs.readdirSync(rdfDir)
    .sort()
    .forEach((name, i) => {
      const bytes = fs.readFileSync(path.join(rdfDir, name));
      files.set(`/rdf/${name}`, bytes);
      item(`mirror/${name.replace(/\.(rdf|bioimageio)?\.?yaml$/, '')}`, `${base}/rdf/${name}`, sha256(bytes), i);
    });
  for (const [id, folder] of [
    [MIRROR.unetId, 'unet'],
    ['mirror/evil-docs', 'evil'],
    ['mirror/tampered-weights', 'tamperedweights'],
    [MIRROR.slowId, 'slow']
  ]) {
    item(id, `${base}/${folder}/bioimageio.yaml`, sha256(files.get(`/${folder}/bioimageio.yaml`)!), 40);
  }
  // Served content differs from what the index promises.
  files.set('/tampered/rdf.yaml', Buffer.from(unetYaml + '\n# changed after publication\n'));
  item(MIRROR.tamperedDescriptionId, `${base}/tampered/rdf.yaml`, sha256(randomBytes(32)), 41);
  files.set('/index.json', Buffer.from(JSON.stringify({ items, total: items.length })));

  server.on('request', (req, res) => {
    const pathname = new URL(req.url ?? '/', base).pathname;
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    const bytes = files.get(decodeURIComponent(pathname));
    if (!bytes) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Length': bytes.length, 'Content-Type': 'application/octet-stream' });
    if (pathname !== '/slow/weights.onnx') {
      res.end(bytes);
      return;
    }
    let sent = 0;
    const timer = setInterval(() => {
      const end = Math.min(bytes.length, sent + SLOW_CHUNK);
      res.write(bytes.subarray(sent, end));
      sent = end;
      if (sent >= bytes.length) {
        clearInterval(timer);
        res.end();
        slow.completed++;
      }
    }, SLOW_INTERVAL_MS);
    res.on('close', () => {
      if (sent < bytes.length) {
        clearInterval(timer);
        slow.aborted++;
      }
    });
  });

  return {
    url: base,
    indexUrl: `${base}/index.json`,
    items: items.length,
    hits,
    slow,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      })
  };
}
