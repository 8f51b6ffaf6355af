// Browser half of `make bench`: drives JupyterLab in Debian's headless
// Chromium with Playwright and calls `bioimage:benchmark-model`.
//
//   node bench/browser.mjs <scenario> <config.json>
//
// Scenarios: plain (no isolation: cold starts, downloads, 1-thread run),
// isolated (COOP/COEP page: threads), memory (4096² run in a fresh
// browser), webgpu (adapter probe with --enable-unsafe-webgpu), viewer
// (redraw after a contrast / colour-map change, 2048² uint16, software and
// WebGL2 renderers, with the UI tests' flags).
// Prints one JSON object on stdout; progress goes to stderr.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(`${here}../ui-tests/package.json`);
const { chromium } = require('@playwright/test');

const [scenario, configPath] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(configPath, 'utf8'));
const log = (...a) => console.error(`[browser:${scenario}]`, ...a);

const BASE_ARGS = [
  '--disable-background-networking',
  '--disable-component-update'
];

let closing = false;

async function launch(extra = []) {
  const browser = await chromium.launch({
    executablePath: cfg.chromium ?? '/usr/bin/chromium',
    args: [...BASE_ARGS, ...extra]
  });
  // Chromium gone without our close (crash, or killed from outside): fail now
  // instead of waiting forever for a page that no longer exists.
  browser.on('disconnected', () => {
    if (!closing) {
      log('Chromium disconnected unexpectedly');
      process.exit(3);
    }
  });
  // Belt and braces: the processes can vanish without a 'disconnected'.
  let missing = 0;
  const watchdog = setInterval(() => {
    missing = chromiumProcesses().length ? 0 : missing + 1;
    if (missing >= 3 && !closing) {
      log('all Chromium processes are gone');
      process.exit(3);
    }
  }, 5000);
  browser.on('disconnected', () => clearInterval(watchdog));
  const close = browser.close.bind(browser);
  browser.close = async () => {
    closing = true;
    await close();
    closing = false;
  };
  return browser;
}

/** A fresh context (no HTTP cache) with JupyterLab loaded and our commands registered. */
async function openLab(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', e => log('page error:', e.message));
  const failed = [];
  context.on('requestfailed', r => {
    failed.push({ url: r.url(), error: r.failure()?.errorText });
    log('request failed:', r.url(), r.failure()?.errorText);
  });
  context.failedRequests = failed;
  const t0 = Date.now();
  await page.goto(`${cfg.baseURL}/lab`, { timeout: 120_000 });
  await page.waitForFunction(
    () =>
      window.jupyterapp?.commands?.hasCommand('bioimage:benchmark-model') &&
      !document.querySelector('#jupyterlab-splash'),
    null,
    { timeout: 120_000, polling: 200 }
  );
  await page.waitForLoadState('networkidle');
  log(`JupyterLab ready in ${Date.now() - t0} ms`);
  return { context, page, labLoadMs: Date.now() - t0 };
}

function execute(page, command, args, timeoutMs = 0) {
  const run = page.evaluate(
    ([c, a]) => window.jupyterapp.commands.execute(c, a),
    [command, args]
  );
  if (!timeoutMs) {
    return run;
  }
  return Promise.race([
    run,
    new Promise((_, reject) =>
      setTimeout(
        () => reject(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { name: 'Timeout' })),
        timeoutMs
      )
    )
  ]);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Facts about the page's environment (main thread). */
function pageFacts(page) {
  return page.evaluate(async () => {
    const facts = {
      crossOriginIsolated: self.crossOriginIsolated === true,
      userAgent: navigator.userAgent,
      hardwareConcurrency: navigator.hardwareConcurrency,
      measureUserAgentSpecificMemory:
        typeof performance.measureUserAgentSpecificMemory === 'function',
      performanceMemory: typeof performance.memory === 'object'
    };
    if (!navigator.gpu) {
      facts.webgpu = { available: false, reason: 'navigator.gpu is undefined' };
    } else {
      try {
        const adapter = await navigator.gpu.requestAdapter();
        if (!adapter) {
          facts.webgpu = {
            available: false,
            reason: 'navigator.gpu.requestAdapter() returned null'
          };
        } else {
          const info = adapter.info ?? {};
          const fallback =
            adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
          facts.webgpu = {
            adapter: {
              vendor: info.vendor,
              architecture: info.architecture,
              device: info.device,
              description: info.description,
              isFallbackAdapter: fallback
            },
            available: !fallback
          };
        }
      } catch (e) {
        facts.webgpu = { available: false, reason: `${e.name}: ${e.message}` };
      }
    }
    if (!navigator.ml) {
      facts.webnn = { available: false, reason: 'navigator.ml is undefined' };
    } else {
      try {
        const ctx = await navigator.ml.createContext();
        facts.webnn = { available: Boolean(ctx) };
      } catch (e) {
        facts.webnn = {
          available: false,
          reason: `navigator.ml.createContext() failed: ${e.name}: ${e.message}`
        };
      }
    }
    return facts;
  });
}

/** Chromium processes started by this script, with their peak RSS. */
function chromiumProcesses() {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // exited
    }
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  mine.delete(process.pid);
  const out = [];
  for (const pid of mine) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      // Chromium rewrites its argv into one space-separated string.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/\0| /);
      const kb = key => Number((status.match(new RegExp(`${key}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
      const type = (cmd.find(a => a.startsWith('--type=')) ?? '--type=browser').slice(7);
      out.push({ pid, type, hwmMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 });
    } catch {
      // exited
    }
  }
  return out;
}

/** Cumulative CPU ms (user + system) of this browser's renderer processes, sampled. */
class RendererCpu {
  constructor() {
    this.samples = [];
    this.pids = [];
    this.refreshed = 0;
    this.timer = setInterval(() => this.sample(), 50);
    this.sample();
  }
  sample() {
    const now = Date.now();
    if (now - this.refreshed > 1000) {
      this.pids = chromiumProcesses()
        .filter(p => p.type === 'renderer')
        .map(p => p.pid);
      this.refreshed = now;
    }
    let ticks = 0;
    for (const pid of this.pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(f[11]) + Number(f[12]); // utime, stime
      } catch {
        // exited
      }
    }
    // A renderer that exits takes its CPU with it: keep the series monotonic.
    const last = this.samples.length ? this.samples[this.samples.length - 1][1] : 0;
    this.samples.push([now, Math.max(last, ticks * 10)]);
  }
  at(t) {
    const s = this.samples;
    if (!s.length || t <= s[0][0]) {
      return s.length ? s[0][1] : 0;
    }
    for (let i = 1; i < s.length; i++) {
      if (s[i][0] >= t) {
        const [t0, c0] = s[i - 1];
        const [t1, c1] = s[i];
        return c0 + ((c1 - c0) * (t - t0)) / Math.max(1, t1 - t0);
      }
    }
    return s[s.length - 1][1];
  }
  /** CPU ms used between two epoch times. */
  between(t0, t1) {
    this.sample();
    return this.at(t1) - this.at(t0);
  }
  stop() {
    clearInterval(this.timer);
  }
}

/** Requests finished in `context` from now on (url, type, body bytes). */
function trackDownloads(context) {
  const seen = [];
  const pending = [];
  context.on('requestfinished', request => {
    pending.push(
      (async () => {
        // Worker fetches sometimes report no body size: fall back to the
        // Content-Length header, then to the body itself.
        const s = await request.sizes().catch(() => ({ responseBodySize: -1 }));
        let bytes = s.responseBodySize;
        let how = 'sizes';
        if (!(bytes > 0)) {
          const response = await request.response().catch(() => null);
          const headers = response ? await response.allHeaders().catch(() => ({})) : {};
          const length = Number(headers['content-length']);
          if (length > 0) {
            bytes = length;
            how = 'content-length';
          } else if (response) {
            bytes = (await response.body().catch(() => Buffer.alloc(0))).length;
            how = 'body';
          }
        }
        seen.push({ url: request.url(), type: request.resourceType(), bytes: Math.max(0, bytes), how });
      })()
    );
  });
  return async () => {
    await Promise.all(pending);
    return seen;
  };
}

function summariseDownloads(list) {
  const kind = url => {
    const path = new URL(url).pathname;
    if (path.endsWith('.wasm')) {
      return 'wasm';
    }
    if (/\.m?js$/.test(path)) {
      return 'js';
    }
    return 'other';
  };
  const files = list.map(r => ({ ...r, kind: kind(r.url) }));
  const sum = k => files.filter(f => k === 'all' || f.kind === k).reduce((a, f) => a + f.bytes, 0);
  return {
    wasmBytes: sum('wasm'),
    jsBytes: sum('js'),
    otherBytes: sum('other'),
    jsPlusWasmBytes: sum('wasm') + sum('js'),
    files: files
      .filter(f => f.kind !== 'other')
      .map(f => ({ path: new URL(f.url).pathname.split('/').slice(-2).join('/'), bytes: f.bytes, how: f.how })),
    otherFiles: files
      .filter(f => f.kind === 'other')
      .map(f => ({ path: new URL(f.url).pathname.split('/').slice(-3).join('/'), bytes: f.bytes }))
  };
}

/** A fresh page per call: cold start (worker + ORT + session), plus downloads on the first. */
async function coldStarts(browser, n, extraArgs = {}) {
  const runs = [];
  let downloads;
  let facts;
  for (let i = 0; i < n; i++) {
    const { context, page } = await openLab(browser);
    if (i === 0) {
      facts = await pageFacts(page);
    }
    const finished = trackDownloads(context);
    const r = await execute(page, 'bioimage:benchmark-model', {
      model: cfg.model,
      backend: 'wasm',
      runs: 1,
      warmup: 0,
      ...extraArgs
    });
    await page.waitForTimeout(300);
    const list = await finished();
    if (i === 0) {
      downloads = summariseDownloads(list);
    }
    runs.push({
      openMs: r.open.milliseconds,
      openWallMs: r.open.wallMs,
      workerStartMs: r.workerStartMs,
      firstRunMs: r.raw.runMs[0],
      downloadedBytes: list.reduce((a, f) => a + f.bytes, 0)
    });
    log(`cold start ${i + 1}/${n}: open ${r.open.milliseconds.toFixed(0)} ms`);
    await context.close();
  }
  return { runs, downloads, facts };
}

/** The main measurement: raw session.run and the tiled pipeline in one fresh worker. */
async function pipelineRun(page, numThreads, image, predictRuns, cpu) {
  log(`pipeline: ${numThreads} thread(s), ${cfg.rawRuns} raw runs, ${predictRuns} pipeline run(s) on ${image}`);
  const r = await execute(page, 'bioimage:benchmark-model', {
    model: cfg.model,
    backend: 'wasm',
    numThreads,
    runs: cfg.rawRuns,
    warmup: cfg.rawWarmup ?? 3,
    image,
    blockShape: { y: 512, x: 512 },
    predictRuns
  });
  log(`  raw median ${r.raw.medianMs.toFixed(0)} ms/tile; pipeline ${r.predict.map(p => p.milliseconds.toFixed(0)).join(', ')} ms`);
  // CPU of the renderer (page + worker + wasm threads) in the timed windows:
  // unlike wall time, it does not grow when other processes take the cores.
  const timedStart = r.phases.rawStart + r.raw.warmupMs.reduce((a, b) => a + b, 0);
  const rawCpu = cpu.between(timedStart, r.phases.rawEnd);
  const rawWall = r.phases.rawEnd - timedStart;
  r.cpu = {
    rawCpuMsPerRun: rawCpu / r.raw.runMs.length,
    rawParallelism: rawCpu / rawWall,
    predict: r.predict.map(p => {
      const c = cpu.between(p.start, p.end);
      return { cpuMs: c, parallelism: c / (p.end - p.start) };
    })
  };
  return r;
}

async function main() {
  const result = { scenario };
  if (scenario === 'plain') {
    const browser = await launch(['--disable-gpu']);
    result.browserVersion = browser.version();
    const cold = await coldStarts(browser, cfg.coldStarts);
    result.facts = cold.facts;
    result.coldStart = cold.runs;
    result.downloads = cold.downloads;
    const { context, page } = await openLab(browser);
    const cpu = new RendererCpu();
    result.threads1 = await pipelineRun(page, 1, cfg.image2048, cfg.predictRuns, cpu);
    cpu.stop();
    await context.close();
    await browser.close();
  } else if (scenario === 'isolated') {
    const browser = await launch(['--disable-gpu']);
    result.browserVersion = browser.version();
    const { context, page } = await openLab(browser);
    result.facts = await pageFacts(page);
    if (!result.facts.crossOriginIsolated) {
      throw new Error('the page is not cross-origin isolated; is the server sending COOP/COEP?');
    }
    const cpu = new RendererCpu();
    // Threaded wasm first on one tile with a deadline: if ORT's thread
    // workers cannot start, session creation/run never answers. The worker
    // reports the threads the session really got (1, with the reason, when
    // it could not have 2).
    log('2 threads: one-tile check (deadline 120 s)');
    let threadsOk = true;
    try {
      const check = await execute(
        page,
        'bioimage:benchmark-model',
        { model: cfg.model, backend: 'wasm', numThreads: 2, runs: 1, warmup: 0 },
        120_000
      );
      threadsOk = check.open.threads === 2 && check.raw.threads === 2;
      result.threads2Check = {
        ok: threadsOk,
        threads: check.open.threads,
        ...(check.open.threadsReason ? { threadsReason: check.open.threadsReason } : {}),
        workerProbe: check.probe.threads,
        firstRunMs: check.raw.runMs[0],
        openMs: check.open.milliseconds
      };
      if (!threadsOk) {
        result.threads2Check.error = `the session got ${check.open.threads} thread(s): ${check.open.threadsReason ?? 'no reason given'}`;
        log('2 threads do not run:', result.threads2Check.error);
      }
    } catch (e) {
      threadsOk = false;
      result.threads2Check = {
        ok: false,
        error: `${e.name}: ${e.message}`,
        failedRequests: context.failedRequests.slice()
      };
      log('2 threads do not run:', e.message);
    }
    let active = { context, page };
    if (threadsOk) {
      result.threads2 = await pipelineRun(page, 2, cfg.image2048, cfg.predictRuns, cpu);
    } else {
      // The hung worker stays busy in that page: continue in a fresh one.
      await context.close();
      active = await openLab(browser);
    }
    // Raw 1-thread timing in the same isolated page, for a like-for-like speed-up.
    log('raw 1 thread (isolated page)');
    const r1 = await execute(active.page, 'bioimage:benchmark-model', {
      model: cfg.model,
      backend: 'wasm',
      numThreads: 1,
      runs: cfg.rawRuns,
      warmup: cfg.rawWarmup ?? 3
    });
    const timedStart = r1.phases.rawStart + r1.raw.warmupMs.reduce((a, b) => a + b, 0);
    result.raw1Isolated = {
      ...r1.raw,
      cpuMsPerRun: cpu.between(timedStart, r1.phases.rawEnd) / r1.raw.runMs.length
    };
    // 1 and 2 threads alternated in fresh workers of the same page: on a
    // shared machine the load drifts between two distant measurements, much
    // less within a pair.
    if (threadsOk) {
      result.threadPairs = [];
      for (let k = 0; k < (cfg.threadPairs ?? 3); k++) {
        const pair = {};
        for (const n of [1, 2]) {
          const r = await execute(active.page, 'bioimage:benchmark-model', {
            model: cfg.model,
            backend: 'wasm',
            numThreads: n,
            runs: cfg.rawRuns,
            warmup: cfg.rawWarmup ?? 3
          });
          const start = r.phases.rawStart + r.raw.warmupMs.reduce((a, b) => a + b, 0);
          pair[`threads${n}`] = {
            threads: r.raw.threads,
            medianMs: r.raw.medianMs,
            runMs: r.raw.runMs,
            cpuParallelism: cpu.between(start, r.phases.rawEnd) / (r.phases.rawEnd - start)
          };
        }
        pair.ratio = pair.threads1.medianMs / pair.threads2.medianMs;
        log(`pair ${k + 1}: 1 thread ${pair.threads1.medianMs.toFixed(0)} ms, 2 threads ${pair.threads2.medianMs.toFixed(0)} ms: ${pair.ratio.toFixed(2)}x`);
        result.threadPairs.push(pair);
      }
    }
    cpu.stop();
    await active.context.close();
    await browser.close();
  } else if (scenario === 'memory') {
    // A fresh browser so that the processes' peak RSS belongs to this run.
    const browser = await launch([
      '--disable-gpu',
      '--enable-blink-features=ForceEagerMeasureMemory'
    ]);
    const { context, page } = await openLab(browser);
    const before = chromiumProcesses();
    await page.evaluate(() => {
      const w = window;
      w.__benchMem = { uaMax: 0, uaSamples: 0, uaError: null, heapMax: 0 };
      const sample = async () => {
        const m = w.__benchMem;
        if (performance.memory) {
          m.heapMax = Math.max(m.heapMax, performance.memory.usedJSHeapSize);
        }
        if (typeof performance.measureUserAgentSpecificMemory === 'function') {
          try {
            const r = await performance.measureUserAgentSpecificMemory();
            m.uaMax = Math.max(m.uaMax, r.bytes);
            m.uaSamples++;
          } catch (e) {
            m.uaError = `${e.name}: ${e.message}`;
          }
        } else {
          m.uaError = 'performance.measureUserAgentSpecificMemory is not available';
        }
        if (!m.stop) {
          setTimeout(sample, 250);
        }
      };
      void sample();
    });
    log(`4096² pipeline run (${cfg.memoryThreads} threads)`);
    const r = await execute(page, 'bioimage:benchmark-model', {
      model: cfg.model,
      backend: 'wasm',
      numThreads: cfg.memoryThreads,
      runs: 1,
      warmup: 0,
      image: cfg.image4096,
      blockShape: { y: 512, x: 512 }
    }, 900_000);
    const mem = await page.evaluate(() => {
      window.__benchMem.stop = true;
      return window.__benchMem;
    });
    const procs = chromiumProcesses();
    result.crossOriginIsolated = r.crossOriginIsolated;
    result.predict = r.predict[0];
    result.imageShape = r.imageShape;
    result.jsHeapMaxBytes = mem.heapMax;
    result.uaSpecificMemoryMaxBytes = mem.uaSamples ? mem.uaMax : null;
    result.uaSpecificMemorySamples = mem.uaSamples;
    result.uaSpecificMemoryError = mem.uaError;
    result.processesBefore = before.map(({ type, rssMB }) => ({ type, rssMB }));
    result.processes = procs;
    await context.close();
    await browser.close();
  } else if (scenario === 'webgpu') {
    const browser = await launch(['--enable-unsafe-webgpu']);
    const { context, page } = await openLab(browser);
    result.facts = await pageFacts(page);
    const r = await execute(page, 'bioimage:benchmark-model', {
      model: cfg.model,
      backend: 'auto',
      runs: 1,
      warmup: 0
    });
    result.workerProbe = r.probe;
    result.autoBackend = r.open.backend;
    if (cfg.webgpuFallbackRun) {
      log('timing one run on the fallback adapter (slow)');
      const g = await execute(page, 'bioimage:benchmark-model', {
        model: cfg.model,
        backend: 'webgpu',
        runs: 1,
        warmup: 0
      });
      result.fallbackRun = { backend: g.open.backend, ms: g.raw.runMs[0] };
    }
    await context.close();
    await browser.close();
  } else if (scenario === 'viewer') {
    // The UI tests' flags: no GPU here, so WebGL2 is ANGLE on SwiftShader (CPU).
    const browser = await launch(['--disable-gpu']);
    result.browserVersion = browser.version();
    const { context, page } = await openLab(browser);
    await page.waitForFunction(() => window.jupyterapp.commands.hasCommand('bioimage:benchmark-viewer'), null, {
      timeout: 60_000
    });
    log(`viewer redraws: ${cfg.viewerSize}² uint16, ${cfg.viewerIterations} changes each`);
    const r = await execute(page, 'bioimage:benchmark-viewer', {
      size: cfg.viewerSize,
      iterations: cfg.viewerIterations,
      renderers: ['software', 'webgl2']
    });
    for (const x of r.results) {
      log(`  ${x.asked} → ${x.renderer}: contrast ${x.contrast.medianMs.toFixed(1)} ms, colour map ${x.colormap.medianMs.toFixed(1)} ms`);
    }
    Object.assign(result, r);
    await context.close();
    await browser.close();
  } else {
    throw new Error(`unknown scenario '${scenario}'`);
  }
  // Exit explicitly: a Playwright handle can keep Node alive after close.
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
