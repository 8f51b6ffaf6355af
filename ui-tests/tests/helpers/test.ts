/**
 * Galata's `test`, logged in as a user is: the servers run with token
 * authentication and XSRF checks (see jupyter_server_test_config.py), so
 *
 * - every browser context first opens `/lab?token=…`, as the URL that
 *   `jupyter lab` prints does; the server answers with its login cookie, and
 *   the page then authenticates as a user's does (the cookie for `<img>` and
 *   navigations, the XSRF cookie and the page config's token for API calls);
 * - the API request context of the tests themselves (uploads, listings)
 *   sends the token in the `Authorization` header, like any API client.
 *
 * Every spec imports `test`, `expect` and `galata` from here instead of
 * from '@jupyterlab/galata'.
 */
import { expect, galata, test as base } from '@jupyterlab/galata';

/** The servers' token, chosen once per run in playwright.config.js. */
export const TOKEN = process.env.BIOIMAGE_UI_TOKEN ?? '';

export const test = base.extend({
  context: async ({ context, baseURL }, use) => {
    const login = await context.request.get(
      `${baseURL}/lab?token=${encodeURIComponent(TOKEN)}`
    );
    if (!login.ok()) {
      throw new Error(`could not log in to ${baseURL}: HTTP ${login.status()}`);
    }
    await use(context);
  },
  request: async ({ playwright, baseURL }, use) => {
    const request = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { Authorization: `token ${TOKEN}` }
    });
    await use(request);
    await request.dispose();
  }
});

export { expect, galata };
