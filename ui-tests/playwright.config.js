/**
 * Galata configuration: real JupyterLab servers started by Playwright, driven
 * in Debian's Chromium (never a downloaded browser).
 *
 * Two projects: `lab` (every spec, on a plain server) and `isolated`
 * (`*.isolated.spec.ts`, on a second server that sends COOP/COEP, so the
 * page is cross-origin isolated and wasm can use threads). Ports:
 * BIOIMAGE_UI_PORT (8888) and BIOIMAGE_UI_ISOLATED_PORT (that + 1).
 */
const crypto = require('crypto');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// Both servers run with this token (users' servers have one too); the tests
// log in with it (tests/helpers/test.ts). Workers inherit it from the runner.
process.env.BIOIMAGE_UI_TOKEN ??= crypto.randomBytes(16).toString('hex');

const port = process.env.BIOIMAGE_UI_PORT ?? '8888';
const isolatedPort =
  process.env.BIOIMAGE_UI_ISOLATED_PORT ?? String(Number(port) + 1);

module.exports = {
  ...baseConfig,
  // One worker: the machine has 2 cores and the server is shared.
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    // Video recording needs Playwright's own ffmpeg download, which fails here.
    video: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update'
      ]
    }
  },
  projects: [
    {
      name: 'lab',
      testIgnore: /\.isolated\.spec\.ts$/,
      // Playwright's default template without the project name: the
      // baselines predate the projects (`zoo-sidebar-linux.png`).
      snapshotPathTemplate:
        '{snapshotDir}/{testFileDir}/{testFileName}-snapshots/{arg}{-snapshotSuffix}{ext}'
    },
    {
      name: 'isolated',
      testMatch: /\.isolated\.spec\.ts$/,
      use: { baseURL: `http://localhost:${isolatedPort}` }
    }
  ],
  webServer: [
    {
      command: 'jlpm start',
      url: `http://localhost:${port}/lab`,
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      command: 'jlpm start',
      url: `http://localhost:${isolatedPort}/lab`,
      env: {
        BIOIMAGE_UI_PORT: isolatedPort,
        BIOIMAGE_UI_ISOLATION: '1'
      },
      timeout: 120 * 1000,
      // Never reuse: a server already on that port is most likely not
      // isolated (another run's plain server), and the tests would fail for
      // the wrong reason. A busy port is an error naming it.
      reuseExistingServer: false
    }
  ]
};
