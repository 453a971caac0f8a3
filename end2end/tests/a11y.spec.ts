// Automated accessibility checks (axe-core) of the portal's pages, with their panes open.
// The identity provider's login page is not part of the portal and is not checked.

import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';

import { expect, open, signIn, signOut, test } from './helpers';

/** Fails on every axe violation of impact "serious" or "critical", listing them. */
async function expectAccessible(page: Page, testInfo: TestInfo, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const lesser = results.violations.filter((v) => !blocking.includes(v));
  if (lesser.length > 0) {
    await testInfo.attach(`axe minor/moderate: ${label}`, {
      body: lesser.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n'),
      contentType: 'text/plain',
    });
  }
  const report = blocking
    .map((v) => `  ${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n');
  expect.soft(blocking.length, `serious or critical axe violations on ${label}:\n${report}`).toBe(0);
}

test('login page', async ({ page }, testInfo) => {
  await open(page, '/login');
  await expectAccessible(page, testInfo, '/login');

  await open(page, '/login?error=unknown_domain&email=someone%40unknown-example.org');
  await expect(page.getByRole('alert')).toBeVisible();
  await expectAccessible(page, testInfo, '/login with an error');

  await open(page, '/login?signed_out=1');
  await expect(page.getByRole('status')).toBeVisible();
  await expectAccessible(page, testInfo, '/login after sign-out');
});

test('customer overview', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expectAccessible(page, testInfo, '/ (overview)');
});

test('administrators, with the assign pane open', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/administrators');
  await expect(page.getByRole('table')).toBeVisible();
  await expectAccessible(page, testInfo, '/settings/administrators');

  await page.getByRole('button', { name: 'Assign administrators' }).click();
  const pane = page.getByRole('complementary', { name: 'Assign administrators' });
  await pane.getByLabel('Search for the user or security group').fill('l');
  await expect(pane.getByRole('button', { name: /^Lena Fischer User/ })).toBeVisible();
  await pane.getByRole('button', { name: /^Lena Fischer User/ }).click();
  await expect(pane.getByText('Selected: Lena Fischer')).toBeVisible();
  const shot = testInfo.outputPath('administrators-assign-pane.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('administrators with the assign pane', { path: shot, contentType: 'image/png' });
  await expectAccessible(page, testInfo, '/settings/administrators with the assign pane');

  // Nothing is assigned: the pane is closed without "Add".
  await pane.getByRole('button', { name: 'Close' }).last().click();
  await expect(pane).toBeHidden();

  await page.getByRole('button', { name: 'Remove Grace Hopper as Global admin' }).click();
  await expect(page.getByRole('alertdialog', { name: 'Remove this role?' })).toBeVisible();
  await expectAccessible(page, testInfo, '/settings/administrators with the remove dialog');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
});

test('security groups, with a group pane open', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/security-groups');
  await expect(page.getByRole('table')).toBeVisible();
  await expectAccessible(page, testInfo, '/settings/security-groups');

  await page.getByRole('button', { name: 'New security group' }).click();
  await expect(page.getByRole('complementary', { name: 'New security group' })).toBeVisible();
  await expectAccessible(page, testInfo, '/settings/security-groups with the create pane');
  await page.getByRole('complementary').getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Facilities team' }).click();
  const pane = page.getByRole('complementary', { name: 'Facilities team' });
  await expect(pane.getByRole('list', { name: 'Members' })).toContainText('Omar Haddad');
  await pane.getByLabel('Add members: search for a user').fill('o');
  await expect(pane.getByRole('button', { name: /^Omar Haddad User/ })).toBeVisible();
  await expectAccessible(page, testInfo, '/settings/security-groups with a group pane');
});

test('partner pages', async ({ page }, testInfo) => {
  await signIn(page, 'ada@northwindmsp.com');
  await open(page, '/partner');
  await expect(page.getByRole('heading', { level: 1, name: 'Partner mode' })).toBeVisible();
  await expectAccessible(page, testInfo, '/partner');

  await open(page, '/partner/tenant-managers');
  await expect(page.getByRole('table')).toBeVisible();
  await expectAccessible(page, testInfo, '/partner/tenant-managers');

  await page.getByRole('button', { name: 'Add tenant managers' }).click();
  await expect(page.getByRole('complementary', { name: 'Add tenant managers' })).toBeVisible();
  await expectAccessible(page, testInfo, '/partner/tenant-managers with the add pane');
});

test('customer mode: rooms, groups, rings, roles, the wizard, settings and audit logs', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  await expect(page.getByRole('table')).toBeVisible();
  await expectAccessible(page, testInfo, '/rooms');
  await page.getByRole('table').getByRole('rowheader').first().getByRole('button').click();
  await expect(page.getByRole('complementary')).toBeVisible();
  await page.getByRole('button', { name: 'Download key' }).click();
  await expect(page.getByLabel('Your key')).toHaveValue(/^rek_/);
  const rooms = testInfo.outputPath('rooms-with-pane.png');
  await page.screenshot({ path: rooms, fullPage: true });
  await testInfo.attach('rooms with a room open', { path: rooms, contentType: 'image/png' });
  await expectAccessible(page, testInfo, '/rooms with a room and the key');

  await open(page, '/room-groups');
  await page.getByRole('button', { name: 'All US rooms' }).click();
  await expect(page.getByRole('list', { name: 'Rooms in the group' })).toBeVisible();
  await expectAccessible(page, testInfo, '/room-groups with a group open');

  await open(page, '/update-rings');
  await page.getByRole('button', { name: 'Pilot' }).click();
  await expect(page.getByRole('list', { name: 'Rooms in the ring' })).toBeVisible();
  await expectAccessible(page, testInfo, '/update-rings with a ring open');

  await open(page, '/settings/roles');
  await page.getByRole('button', { name: 'Site Lead' }).click();
  await expect(page.getByRole('heading', { name: /^Assignments/ })).toBeVisible();
  const roles = testInfo.outputPath('roles-with-pane.png');
  await page.screenshot({ path: roles, fullPage: true });
  await testInfo.attach('roles with Site Lead open', { path: roles, contentType: 'image/png' });
  await expectAccessible(page, testInfo, '/settings/roles with a role open');

  await open(page, '/settings/roles/new');
  await page.getByLabel('Name', { exact: true }).fill('Axe role');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Permissions' })).toBeVisible();
  await expectAccessible(page, testInfo, 'wizard: permissions');

  await open(page, '/settings/general');
  await expect(page.getByLabel('Notification address')).toBeVisible();
  await expectAccessible(page, testInfo, '/settings/general');

  await open(page, '/settings/audit-logs');
  await expect(page.getByRole('table')).toBeVisible();
  const audit = testInfo.outputPath('audit-logs.png');
  await page.screenshot({ path: audit, fullPage: true });
  await testInfo.attach('audit logs', { path: audit, contentType: 'image/png' });
  await expectAccessible(page, testInfo, '/settings/audit-logs');
});

test('a Site Tech sees only the rooms of their assignment and no Reset key', async ({ page }, testInfo) => {
  await signIn(page, 'tariq@contoso.com');
  await open(page, '/rooms');
  await expect(page.getByRole('status').filter({ hasText: /^Rooms / })).toHaveText('Rooms 1–25 of 72');
  await expect(page.getByRole('button', { name: 'Download key' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reset key' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New room' })).toHaveCount(0);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Room groups' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Roles' })).toHaveCount(0);
  await expectAccessible(page, testInfo, '/rooms as a Site Tech');

  await signOut(page);
  await signIn(page, 'lena@contoso.co.uk');
  await expect(page.getByText('You have no role and no rooms to manage here yet.')).toBeVisible();
});
