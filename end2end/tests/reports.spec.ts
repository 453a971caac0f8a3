// Reports, issue 10: the charts are drawn with data points, and a Site Lead limited to one
// room group ("All US rooms") counts only that group's rooms, in the chart, its table and its
// CSV, where the Global admin counts all of Contoso's.

import type { Page } from '@playwright/test';

import { axe, expect, open, signIn, signOut, test } from './helpers';

/** The health chart's data points added up, and the table's total. */
async function healthTotals(page: Page): Promise<{ chart: number; table: number }> {
  const report = page.getByRole('region', { name: 'Health now' });
  await expect(report.locator('svg .chart-point').first()).toBeAttached();
  const values = await report.locator('svg .chart-point').evaluateAll((nodes) =>
    nodes.map((n) => Number(n.getAttribute('data-value'))),
  );
  const table = Number(await report.locator('tfoot td').innerText());
  return { chart: values.reduce((a, b) => a + b, 0), table };
}

/** How many rooms the Rooms page lists for the signed-in user (other tests may have added some). */
async function roomsListed(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const post = (endpoint: string, body: unknown) =>
      fetch(`/api/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const session = await post('get_session', {});
    const page = await post('list_rooms', {
      org: session.actor.org,
      query: { search: '', sort: 'Name', descending: false, page: 0 },
    });
    return page.total as number;
  });
}

test('a Site Lead of the US rooms sees reports of those rooms only', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/reports');
  await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
  const all = await roomsListed(page);
  expect(all).toBeGreaterThanOrEqual(300);
  expect(await healthTotals(page)).toEqual({ chart: all, table: all });
  await expect(page.getByRole('img', { name: new RegExp(`${all} rooms`) })).toBeVisible();
  await signOut(page);

  await signIn(page, 'sofia@contoso.com');
  await open(page, '/reports');
  const hers = await roomsListed(page);
  expect(hers).toBeGreaterThanOrEqual(192);
  expect(hers).toBeLessThan(all);
  expect(await healthTotals(page)).toEqual({ chart: hers, table: hers });
  for (const name of ['Health now', 'Incidents over time', 'Availability']) {
    await expect(page.getByRole('region', { name })).toBeVisible();
  }
  await axe(page, testInfo, 'reports of a Site Lead');

  // The CSV has the same numbers.
  const download = page.waitForEvent('download');
  await page.getByRole('region', { name: 'Health now' }).getByRole('link', { name: 'Download CSV' }).click();
  const file = await (await download).path();
  const text = (await import('node:fs')).readFileSync(file, 'utf8');
  const rooms = text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => Number(l.split(',').pop()?.replace(/"/g, '')))
    .reduce((a, b) => a + b, 0);
  expect(rooms).toBe(hers);

  // A period is in the address; an end before the start is said as such.
  await page.getByLabel('From').fill('2026-11-20');
  await page.getByLabel('To').fill('2026-11-10');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/from=2026-11-20&to=2026-11-10/);
  await expect(page.getByRole('alert')).toContainText('The end date is before the start date.');
});
