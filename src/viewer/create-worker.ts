/**
 * Create the viewer's decoding worker. The `new URL(..., import.meta.url)`
 * form must stay exactly so for the bundler to emit the worker chunk.
 *
 * #### Notes
 * The lab jest project maps every `…/create-worker` module to a stub without
 * `createDecodeWorker` (jsdom cannot parse `import.meta`); the loader then
 * decodes on the main thread.
 */
export function createDecodeWorker(): Worker {
  return new Worker(new URL('./decode-worker.js', import.meta.url), {
    type: 'module'
  });
}
