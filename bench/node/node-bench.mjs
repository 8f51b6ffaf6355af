// Node half of `make bench`, run on the TypeScript sources:
//
//   node --import ./bench/node/register.mjs bench/node/node-bench.mjs <task> <config.json>
//
// Tasks: pipeline (the tiled pipeline on onnxruntime-web's Node build, plus
// raw session.run and a per-tile breakdown), render (viewer contrast
// re-render), tiff (time to first plane), search (zoo search, when present).
// Prints one JSON object on stdout; progress goes to stderr.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const [task, configPath] = process.argv.slice(2);
const cfg = configPath ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
const log = (...a) => console.error(`[node:${task}]`, ...a);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function rssMB() {
  return process.resourceUsage().maxRSS / 1024;
}

async function pipeline() {
  const { openModelPackage } = await import(`${src}core/package/readers/node-open.ts`);
  const { runsInBrowserStatic } = await import(`${src}core/package/browser-support.ts`);
  const { createOrtSession } = await import(`${src}core/inference/session/ort.ts`);
  const { predict } = await import(`${src}core/inference/pipeline.ts`);
  const { imageToInput } = await import(`${src}core/inference/axes.ts`);
  const { decodeImage } = await import(`${src}core/formats/index.ts`);

  const t0 = performance.now();
  const pkg = await openModelPackage(cfg.model);
  const weights = await pkg.readFile(runsInBrowserStatic(pkg.model).onnx);
  const session = await createOrtSession(weights, {
    backend: 'wasm',
    numThreads: cfg.threads ?? 1
  });
  const openMs = performance.now() - t0;

  const out = { threads: cfg.threads ?? 1, openMs };
  if (cfg.rawRuns) {
    const shape = session.inputShapes[0];
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n).map((_, i) => Math.sin(i) * 0.9);
    const feeds = [{ dtype: 'float32', shape, axes: [], data }];
    const time = async () => {
      const t = performance.now();
      await session.run(feeds);
      return performance.now() - t;
    };
    const warmupMs = [await time()];
    const runMs = [];
    for (let k = 0; k < cfg.rawRuns; k++) {
      runMs.push(await time());
    }
    out.raw = { warmupMs, runMs, medianMs: median(runMs) };
    log(`raw ${cfg.threads ?? 1} thread(s): ${out.raw.medianMs.toFixed(0)} ms/tile`);
  }

  // Time each session.run inside the pipeline: the rest is pipeline overhead.
  let inRun = [];
  const timed = {
    ...session,
    run: async feeds => {
      const t = performance.now();
      const r = await session.run(feeds);
      inRun.push(performance.now() - t);
      return r;
    }
  };
  out.predict = [];
  for (let k = 0; k < (cfg.predictRuns ?? 1); k++) {
    const tRead = performance.now();
    const bytes = new Uint8Array(readFileSync(cfg.image));
    const image = await decodeImage(bytes, cfg.image);
    const readMs = performance.now() - tRead;
    const t = performance.now();
    inRun = [];
    const { tensor } = imageToInput(
      image.array,
      image.axes.toLowerCase(),
      pkg.model.inputs[0]
    );
    let tiles = 0;
    await predict(pkg.model, timed, [tensor], {
      tiling: { blockShape: { y: 512, x: 512 } },
      onPlan: plan => {
        tiles = plan.nTiles;
      }
    });
    const ms = performance.now() - t;
    const runSum = inRun.reduce((a, b) => a + b, 0);
    out.predict.push({
      milliseconds: ms,
      tiles,
      readDecodeMs: readMs,
      sessionRunSumMs: runSum,
      sessionRunMedianMs: median(inRun),
      outsideRunMs: ms - runSum
    });
    out.imageShape = image.array.shape;
    log(
      `pipeline ${image.array.shape.join('×')}: ${ms.toFixed(0)} ms, ${tiles} tiles, ` +
        `session.run ${runSum.toFixed(0)} ms (median ${median(inRun).toFixed(0)}/tile)`
    );
  }
  await session.release();
  out.maxRssMB = rssMB();
  return out;
}

async function render() {
  const { benchmarkRender } = await import(`${src}viewer/display/bench.ts`);
  benchmarkRender(cfg.size ?? 2048, 1, 3); // warm-up (JIT)
  const runs = [];
  for (let k = 0; k < (cfg.repeats ?? 3); k++) {
    runs.push(benchmarkRender(cfg.size ?? 2048, cfg.channels ?? 1, cfg.iterations ?? 15));
  }
  return {
    size: cfg.size ?? 2048,
    channels: cfg.channels ?? 1,
    medianRenderMs: median(runs.map(r => r.medianRenderMs)),
    minRenderMs: Math.min(...runs.map(r => r.minRenderMs)),
    autoContrastMs: median(runs.map(r => r.autoContrastMs)),
    baselineMs: Math.min(...runs.map(r => r.baselineMs)),
    runs
  };
}

async function tiff() {
  const { openImage } = await import(`${src}core/formats/index.ts`);
  const runs = [];
  for (let k = 0; k < (cfg.repeats ?? 3) + 1; k++) {
    const t0 = performance.now();
    const buf = readFileSync(cfg.file);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const t1 = performance.now();
    const source = await openImage(bytes, cfg.file);
    const t2 = performance.now();
    const plane = await source.readPlane(0);
    const t3 = performance.now();
    runs.push({
      readFileMs: t1 - t0,
      openImageMs: t2 - t1,
      readPlaneMs: t3 - t2,
      totalMs: t3 - t0,
      planeCount: source.planeCount,
      planeShape: plane.shape,
      dtype: plane.dtype
    });
  }
  const timed = runs.slice(1); // the first is a warm-up (JIT, page cache)
  return {
    fileBytes: readFileSync(cfg.file).byteLength,
    planeCount: runs[0].planeCount,
    planeShape: runs[0].planeShape,
    dtype: runs[0].dtype,
    firstColdMs: runs[0].totalMs,
    medianTotalMs: median(timed.map(r => r.totalMs)),
    medianReadFileMs: median(timed.map(r => r.readFileMs)),
    medianOpenImageMs: median(timed.map(r => r.openImageMs)),
    medianReadPlaneMs: median(timed.map(r => r.readPlaneMs)),
    runs: timed
  };
}

async function search() {
  const file = `${src}core/catalog/search.ts`;
  if (!existsSync(file)) {
    return { available: false, reason: 'not available yet: src/core/catalog/search.ts does not exist' };
  }
  const mod = await import(file);
  if (typeof mod.benchmarkSearch !== 'function') {
    return { available: false, reason: 'not available yet: src/core/catalog/search.ts exports no benchmarkSearch' };
  }
  await mod.benchmarkSearch(Math.min(500, cfg.entries ?? 5000)); // warm-up
  const result = await mod.benchmarkSearch(cfg.entries ?? 5000);
  return { available: true, entries: cfg.entries ?? 5000, result };
}

const tasks = { pipeline, render, tiff, search };
if (!tasks[task]) {
  console.error(`unknown task '${task}'; one of ${Object.keys(tasks).join(', ')}`);
  process.exit(2);
}
tasks[task]()
  .then(r => {
    process.stdout.write(JSON.stringify(r) + '\n');
    // onnxruntime-web's Node build may keep handles open.
    process.exit(0);
  })
  .catch(e => {
    console.error(e);
    process.exit(1);
  });
