// Shared helpers for the Rooms MTM browser tests: sign-in through the local identity provider,
// waiting for hydration, and a `test` that watches the browser for crashes.
//
// Every spec imports `test` and `expect` from here instead of from @playwright/test.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Browser, type Locator, type Page, type TestInfo } from '@playwright/test';

export { expect };

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The demo directory shared with the identity provider and the portal's seed. */
export const DEMO = JSON.parse(fs.readFileSync(path.join(HERE, '..', 'idp', 'demo.json'), 'utf8')) as {
  password: string;
  organisations: { name: string; users: { upn: string; name: string }[] }[];
};
export const DEMO_PASSWORD: string = DEMO.password;

const SERVER = path.join(HERE, '..', '..', 'target', 'release', 'server');
const DATABASE_URL =
  process.env.ROOMS_E2E_DATABASE_URL ?? `sqlite://${process.env.ROOMS_E2E_DB ?? '/tmp/rooms-e2e.db'}?mode=rwc`;

/**
 * Runs `server org …` as an operator would; its standard output. The release binary works on
 * the running portal's database: the SQLite file of scripts/start-app.sh, or
 * ROOMS_E2E_DATABASE_URL when the servers run elsewhere.
 */
export function org(...args: string[]): string {
  return execFileSync(SERVER, ['org', ...args], {
    cwd: path.join(HERE, '..', '..'),
    env: { ...process.env, DATABASE_URL },
    encoding: 'utf8',
  });
}

/**
 * Browser problems seen during a test. Uncaught exceptions (a WASM panic ends in one) and
 * Rust panic messages fail the test; other console errors are attached to the report only,
 * because some tests provoke refusals on purpose (a 403 shows up as a console error).
 */
type Watch = { pageErrors: string[]; consoleErrors: string[] };

export const test = base.extend<{ watch: Watch }>({
  watch: [
    async ({ context }, use, testInfo) => {
      const watch: Watch = { pageErrors: [], consoleErrors: [] };
      const follow = (page: Page) => {
        page.on('pageerror', (err) => watch.pageErrors.push(`${page.url()}: ${err.message}`));
        page.on('console', (msg) => {
          if (msg.type() === 'error') watch.consoleErrors.push(`${page.url()}: ${msg.text()}`);
        });
      };
      context.pages().forEach(follow);
      context.on('page', follow);
      await use(watch);
      if (watch.consoleErrors.length > 0) {
        await testInfo.attach('browser console errors', { body: watch.consoleErrors.join('\n'), contentType: 'text/plain' });
      }
      const panics = watch.consoleErrors.filter((line) => /panicked at/.test(line));
      expect([...watch.pageErrors, ...panics], 'uncaught exceptions or panics in the browser').toEqual([]);
    },
    { auto: true },
  ],
});

/** A page in a browser context of its own: another person, signed in at the same time. */
export async function pageInNewContext(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/**
 * Waits until the page's WebAssembly, with the code split out for its route, has hydrated the
 * server-rendered HTML: the app marks <html data-hydrated> then (frontend/src/lib.rs).
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 20_000 });
  await page.waitForLoadState('networkidle');
}

/** Opens a page of the portal and waits for hydration. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForHydration(page);
}

/** The portal's origin (the project's baseURL). */
function appOrigin(): string {
  return new URL(test.info().project.use.baseURL ?? 'http://127.0.0.1:3000').origin;
}

function isApp(url: URL): boolean {
  return url.origin === appOrigin();
}

function onLoginPage(page: Page): boolean {
  try {
    const url = new URL(page.url());
    return isApp(url) && url.pathname === '/login';
  } catch {
    return false;
  }
}

/**
 * Enters the e-mail address on the portal's login page and follows the redirect to the
 * organisation's identity provider. Goes to /login first unless a redirect already put the
 * page there (so its `?next=` is kept).
 */
export async function startSignIn(page: Page, email: string): Promise<void> {
  if (!onLoginPage(page)) await page.goto('/login');
  // The hidden `next` field is filled in by the client, and hydration would reset a value
  // typed before it: wait for it.
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
  await page.getByLabel('Work e-mail address').fill(email);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { name: /^Sign in to / })).toBeVisible();
  await expect(page.getByLabel('Email address')).toHaveValue(email);
}

/**
 * Signs in through the local identity provider and waits until the portal shows a signed-in
 * page (hydrated). Fails with the login page's message if the portal refused the sign-in.
 */
export async function signIn(page: Page, email: string, password: string = DEMO_PASSWORD): Promise<void> {
  await startSignIn(page, email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => isApp(url) && !url.pathname.startsWith('/auth/'));
  const url = new URL(page.url());
  if (url.pathname === '/login') {
    const message = await page.getByRole('alert').allTextContents();
    throw new Error(`sign-in of ${email} ended on ${url.pathname}${url.search}: ${message.join(' ') || '(no message)'}`);
  }
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Signs out with the header's button; ends on the portal's login page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => isApp(url) && url.pathname === '/login');
}

/** The table row whose row header is `name`. */
export function rowOf(scope: Page | Locator, name: string): Locator {
  const page = 'page' in scope ? scope.page() : scope;
  return scope.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

/** A name no earlier run or test used. */
export function uniqueName(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** No serious or critical axe violation on what the page shows now; a screenshot of it is
 * attached to the report under `label`. */
export async function axe(page: Page, testInfo: TestInfo, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const shot = testInfo.outputPath(`${label.replace(/[^a-z0-9]+/gi, '-')}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach(label, { path: shot, contentType: 'image/png' });
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), label).toEqual([]);
}

/** Calls a server function from the signed-in page, as the browser would, and returns its JSON. */
export async function call<T>(page: Page, endpoint: string, body: unknown): Promise<T> {
  return page.evaluate(
    async ({ endpoint, body }) => {
      const r = await fetch(`/api/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${endpoint}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    { endpoint, body },
  );
}
