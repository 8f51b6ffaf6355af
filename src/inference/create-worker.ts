/**
 * Create the inference Web Worker. Kept alone in this file because the
 * `new URL(..., import.meta.url)` form must be written exactly so for the
 * bundler to emit the worker chunk, and jsdom tests (CommonJS) cannot parse
 * `import.meta`; they map this module to a stub (see jest.config.js).
 */
export function createInferenceWorker(): Worker {
  return new Worker(new URL('../core/inference/worker.js', import.meta.url), {
    type: 'module'
  });
}
