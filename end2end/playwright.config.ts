import { defineConfig } from '@playwright/test';

// The browser suite for Rooms MTM. It starts the local identity provider (idp/server.mjs) and
// the release build of the portal (scripts/start-app.sh: fresh SQLite database, demo seed) and
// runs the tests one at a time, because they share that one server and database.
// Set E2E_NO_WEBSERVER=1 to test servers that are already running (BASE_URL picks the portal).
// The servers' stdout is hidden; `DEBUG=pw:webserver npx playwright test` shows it.

const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const startServers = process.env.E2E_NO_WEBSERVER !== '1';

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      // Debian's Chromium; never `npx playwright install` (no downloads on these machines).
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: startServers
    ? [
        {
          name: 'idp',
          command: 'node idp/server.mjs',
          url: 'http://127.0.0.1:4012/.well-known/openid-configuration',
          reuseExistingServer: false,
          timeout: 30_000,
          gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
          stdout: 'ignore',
          stderr: 'pipe',
        },
        {
          name: 'app',
          command: 'bash scripts/start-app.sh',
          url: 'http://127.0.0.1:3000/readyz',
          reuseExistingServer: false,
          timeout: 60_000,
          gracefulShutdown: { signal: 'SIGINT', timeout: 5_000 },
          stdout: 'ignore',
          stderr: 'pipe',
        },
      ]
    : undefined,
});
