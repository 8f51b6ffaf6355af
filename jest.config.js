/**
 * Two jest projects (they must run as separate commands, see package.json):
 * - `lab`: JupyterLab's jsdom environment for plugins, widgets and notebook code.
 * - `core`: plain Node for the browser-independent core and real onnxruntime-web,
 *   which loads its wasm through dynamic import() and so needs
 *   NODE_OPTIONS=--experimental-vm-modules (a flag that breaks jsdom).
 */
const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft/',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs',
  'geotiff',
  'quick-lru',
  'fast-png',
  'iobuffer',
  'pako',
  '@noble/hashes',
  'yaml'
].join('|');

// `reporters` and `testTimeout` are global options, not per-project ones.
// eslint-disable-next-line no-unused-vars
const { reporters, testTimeout, ...base } = jestJupyterLab(__dirname);
const ignore = [
  '/node_modules/',
  '/.venv',
  '/ui-tests/',
  '/lib/',
  '/jupyterlab_bioimage/labextension/'
];

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'lab',
      moduleNameMapper: {
        ...base.moduleNameMapper,
        // Module workers need a browser; see src/inference/create-worker.ts.
        '^(.*)/create-worker$':
          '<rootDir>/src/jupyter/__tests__/create-worker.stub.ts'
      },
      testRegex: 'src/.*/__tests__/.*(?<!\\.node)\\.spec\\.tsx?$',
      testPathIgnorePatterns: ignore,
      modulePathIgnorePatterns: ignore,
      transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
    },
    {
      displayName: 'core',
      testEnvironment: 'node',
      testRegex: 'src/.*/__tests__/.*\\.node\\.spec\\.ts$',
      testPathIgnorePatterns: ignore,
      modulePathIgnorePatterns: ignore,
      transform: {
        '\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
        '\\.m?jsx?$': 'babel-jest'
      },
      transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
    }
  ],
  // Real inference on real models: generous, and never a speed assertion.
  testTimeout: 120000
};
