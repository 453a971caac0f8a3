// Issue 11 item 3: every list with a pane works by keyboard alone. Tab reaches an item, Enter
// opens its pane with the heading focused (a screen reader says where you are), Escape closes it
// and focus is back on the item; and a whole task (a new security group) done without a mouse.

import type { Locator, Page } from '@playwright/test';

import { call, expect, open, signIn, test, uniqueName } from './helpers';

/** Presses Tab (or `key`, such as Shift+Tab) until `target` has focus; fails if it never does. */
async function tabTo(page: Page, target: Locator, key = 'Tab', most = 80): Promise<void> {
  for (let i = 0; i < most && !(await target.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press(key);
  }
  await expect(target).toBeFocused();
}

test('by keyboard alone, every list opens an item in its pane and closes it again', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  // Incidents come from devices or people; one raised here, so the list is never empty.
  await open(page, '/');
  const { actor } = await call<{ actor: { org: string } }>(page, 'get_session', {});
  const rooms = await call<{ rows: { id: string }[] }>(page, 'list_rooms', {
    org: actor.org,
    query: { search: '', sort: 'Name', descending: false, page: 0 },
  });
  await call(page, 'raise_incident', {
    org: actor.org,
    input: { room: rooms.rows[0].id, title: uniqueName('Keyboard walk'), severity: 'Low', description: 'Raised by the keyboard test.' },
  });
  for (const list of ['/room-groups', '/update-rings', '/settings/security-groups', '/settings/roles', '/incidents']) {
    await open(page, list);
    const first = page.getByRole('table').getByRole('rowheader').first().getByRole('button');
    const name = ((await first.textContent()) ?? '').trim();
    await tabTo(page, first);
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary').filter({ has: page.getByRole('heading', { name, exact: true }) });
    await expect(pane, list).toBeVisible();
    await expect(pane.getByRole('heading', { name, exact: true }), list).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(pane, list).toHaveCount(0);
    await expect(first, list).toBeFocused();
  }
});

test('by keyboard alone, a new security group is made, opened and deleted again', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/security-groups');
  await tabTo(page, page.getByRole('button', { name: 'New security group' }));
  await page.keyboard.press('Enter');
  const form = page.getByRole('complementary', { name: 'New security group' });
  await expect(form.getByRole('heading', { name: 'New security group' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(form.getByLabel('Name')).toBeFocused();
  const name = uniqueName('Keyboard group');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  const pane = page.getByRole('complementary', { name });
  await expect(pane).toBeVisible();
  await expect(pane.getByRole('heading', { name })).toBeFocused();
  await expect(page).toHaveURL(/\?open=[0-9a-f-]{36}$/);
  const row = page.getByRole('table').getByRole('button', { name, exact: true });
  await expect(row).toHaveAttribute('aria-expanded', 'true');

  await tabTo(page, pane.getByRole('button', { name: 'Delete group' }));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('alertdialog', { name: 'Delete this group?' });
  await expect(dialog).toBeVisible();
  await tabTo(page, dialog.getByRole('button', { name: 'Delete' }), 'Tab', 5);
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(pane).toHaveCount(0);
  await expect(row).toHaveCount(0);
});

test('by keyboard alone, rooms are searched for, selected and moved to an update ring', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  const { actor } = await call<{ actor: { org: string } }>(page, 'get_session', {});
  const prefix = uniqueName('Keyboard room');
  for (const n of [1, 2]) {
    const name = `${prefix} ${n}`;
    await call(page, 'create_room', {
      org: actor.org,
      input: { display_name: name, resource_account: `${name.replace(/\W+/g, '-').toLowerCase()}@contoso.com`, site: 'Keys', city: 'Testville', country: 'US', platform: 'Windows' },
    });
  }
  const ring = await call<{ id: string; name: string }>(page, 'create_update_ring', {
    org: actor.org,
    input: { name: uniqueName('Keyboard ring'), deferral_days: '2' },
  });
  // The ring is made after the page loaded: the bar reads the rings when it opens.

  // The search box filters as you type; the filter goes into the address.
  await tabTo(page, page.getByRole('searchbox', { name: 'Search' }));
  await page.keyboard.type(prefix);
  await expect(page).toHaveURL(/q=Keyboard/);
  await expect(page.getByRole('table').getByRole('rowheader')).toHaveCount(2);

  // Space ticks each room; the actions are above the list, back with Shift+Tab.
  for (const n of [1, 2]) {
    await tabTo(page, page.getByRole('checkbox', { name: `Select ${prefix} ${n}` }));
    await page.keyboard.press('Space');
  }
  const bar = page.getByRole('region', { name: '2 rooms selected' });
  await expect(bar).toBeVisible();
  const select = bar.getByLabel('Update ring');
  await tabTo(page, select, 'Shift+Tab');
  // Arrow keys step through a closed select's options, as a keyboard user chooses.
  for (let i = 0; i < 60 && (await select.inputValue()) !== ring.id; i++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(select).toHaveValue(ring.id);
  await page.keyboard.press('Tab');
  await expect(bar.getByRole('button', { name: 'Move to ring' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: `2 of 2 rooms moved to ${ring.name}.` })).toBeVisible();
});
