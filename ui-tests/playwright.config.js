/**
 * Galata configuration: a real JupyterLab server started by Playwright, driven
 * in Debian's Chromium (never a downloaded browser).
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.BIOIMAGE_UI_PORT ?? '8888';

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
  webServer: {
    command: 'jlpm start',
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
