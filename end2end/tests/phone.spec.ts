// Every page at phone width (390 × 844): nothing overflows the page sideways (tables scroll in
// their own box or become cards), the header's *Sign out* stays on screen, and a tapped row
// opens its pane as a sheet in view.

import type { Page } from '@playwright/test';

import { call, expect, open, signIn, test } from './helpers';

test.use({ viewport: { width: 390, height: 844 } });

const CUSTOMER_PAGES = [
  '/',
  '/rooms',
  '/room-groups',
  '/update-rings',
  '/incidents',
  '/reports',
  '/settings/administrators',
  '/settings/security-groups',
  '/settings/roles',
  '/settings/roles/new',
  '/settings/partners',
  '/settings/partners/new',
  '/settings/approvals',
  '/settings/general',
  '/settings/audit-logs',
];

const PARTNER_PAGES = ['/partner', '/partner/tenants', '/partner/tenant-managers', '/partner/tickets'];
const CUSTOMER_PAGES_IN_PARTNER_MODE = [
  '',
  '/rooms',
  '/room-groups',
  '/update-rings',
  '/incidents',
  '/reports',
  '/settings/roles',
  '/settings/roles/new',
  '/requests',
];

/** The page's width beyond the screen's, in pixels (0 when nothing overflows). */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

async function fitsThePhone(page: Page, path: string): Promise<void> {
  await open(page, path);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  // What loads after the first paint (tables, lists) counts too.
  await page.waitForLoadState('networkidle');
  expect(await overflow(page), `${path} overflows a 390 px screen by this many pixels`).toBeLessThanOrEqual(0);
  const signOut = page.getByRole('banner').getByRole('button', { name: 'Sign out' });
  await expect(signOut).toBeInViewport();
}

test('every customer-mode page fits a phone, and a tapped room opens in view', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  for (const path of CUSTOMER_PAGES) {
    await fitsThePhone(page, path);
  }
  await open(page, '/rooms');
  const first = page.getByRole('table').getByRole('rowheader').first().getByRole('button');
  const name = ((await first.textContent()) ?? '').trim();
  await first.click();
  const pane = page.getByRole('complementary', { name });
  await expect(pane).toBeInViewport();
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  const shot = testInfo.outputPath('rooms-pane-390.png');
  await page.screenshot({ path: shot });
  await testInfo.attach('a room pane at 390 px', { path: shot, contentType: 'image/png' });
  await pane.getByRole('button', { name: 'Close' }).click();
  await expect(pane).toHaveCount(0);
});

test('every partner-mode page fits a phone', async ({ page }) => {
  await signIn(page, 'pia@northwindmsp.com');
  for (const path of PARTNER_PAGES) {
    await fitsThePhone(page, path);
  }
  const session = await call<{ customers: [string, string][] }>(page, 'get_session', {});
  const contoso = session.customers.find(([, name]) => name === 'Contoso')?.[0];
  expect(contoso).toBeTruthy();
  for (const path of CUSTOMER_PAGES_IN_PARTNER_MODE) {
    await fitsThePhone(page, `/partner/c/${contoso}${path}`);
  }
});
