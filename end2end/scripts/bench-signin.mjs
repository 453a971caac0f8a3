// Signs the benchmarks in: Grace, Global admin of Contoso, through the local identity provider.
import fs from 'node:fs';
import { chromium } from '@playwright/test';

const DEMO = JSON.parse(fs.readFileSync(new URL('../idp/demo.json', import.meta.url), 'utf8'));

/** Debian's Chromium, headless. */
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}

/** A browser context of `browser` signed in to the portal at `base`. */
export async function signedIn(browser, base, email = 'grace@contoso.com') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  // The form's hidden `next` is filled once the page is interactive.
  await page.waitForLoadState('networkidle');
  await page.getByLabel('Work e-mail address').fill(email);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === new URL(base).origin && !url.pathname.startsWith('/auth/') && url.pathname !== '/login');
  return context;
}
