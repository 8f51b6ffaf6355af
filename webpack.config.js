/**
 * Extra bundler (Rspack, through jupyter-builder) configuration, merged into
 * the builder's own (package.json `jupyterlab.webpackConfig`).
 *
 * onnxruntime-web starts its wasm threads as module workers loaded from a
 * script URL. In ORT's bundled build that URL is the bundle itself, which the
 * builder turns into a module object (its `.m?js` rule makes every
 * `new URL('*.mjs', import.meta.url)` a JavaScript module, not a file), so a
 * threaded session never opens. The inference worker therefore points
 * `ort.env.wasm.wasmPaths` at an unbundled copy of ORT's Emscripten glue
 * (`src/core/inference/session/assets.ts`), and this configuration:
 *
 * - emits that glue as a file with its own URL (`static/ort/*.js`) instead of
 *   bundling it. The `.js` extension gets a JavaScript MIME type from every
 *   Jupyter server (Python's table does not know `.mjs` everywhere), which
 *   module workers and `import()` require;
 * - leaves it byte for byte as ORT ships it: the production minimizer skips
 *   `ort/` (same minimizers as Rspack's defaults otherwise).
 */
const rspack = require(
  require.resolve('@rspack/core', {
    paths: [require.resolve('@jupyter/builder')]
  })
);

module.exports = {
  module: {
    rules: [
      {
        test: /onnxruntime-web[\\/]dist[\\/]ort-wasm-simd-threaded\.jsep\.mjs$/,
        dependency: 'url',
        type: 'asset/resource',
        generator: { filename: 'ort/[name].[contenthash:16].js' }
      }
    ]
  },
  optimization: {
    minimizer: [
      new rspack.SwcJsMinimizerRspackPlugin({ exclude: /^ort\// }),
      new rspack.LightningCssMinimizerRspackPlugin()
    ]
  }
};
