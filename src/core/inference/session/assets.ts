/**
 * URLs of onnxruntime-web's unbundled files, emitted next to the
 * labextension's chunks by the bundler (see webpack.config.js). Kept alone
 * in this file, imported only by the browser worker entry, because
 * `new URL(..., import.meta.url)` must be written exactly so for the bundler
 * and cannot be parsed by the CommonJS builds (jest, the CLI).
 *
 * Given to `ort.env.wasm.wasmPaths`, they make ORT import its Emscripten
 * glue from a real URL, so the glue can start its wasm threads as workers of
 * that same URL. The `.wasm` is the file the bundler already emits for ORT's
 * bundle (same source, one copy).
 */
export interface IOrtWasmPaths {
  /** ORT's Emscripten glue (`ort-wasm-simd-threaded.jsep.mjs`). */
  mjs: string;
  /** The matching WebAssembly binary. */
  wasm: string;
}

export function ortWasmPaths(): IOrtWasmPaths {
  return {
    mjs: new URL(
      '../../../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.mjs',
      import.meta.url
    ).href,
    wasm: new URL(
      '../../../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm',
      import.meta.url
    ).href
  };
}
