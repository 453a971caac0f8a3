// Issue 11 item 3: every list with a pane works by keyboard alone. Tab reaches an item, Enter
// opens its pane with the heading focused (a screen reader says where you are), Escape closes it
// and focus is back on the item; and whole tasks done without a mouse: a new security group,
// rooms moved to a ring, a custom role made with the wizard, a partner invited (and withdrawn).

import type { Locator, Page } from '@playwright/test';

import { call, expect, open, org, signIn, test, uniqueName } from './helpers';

/** Presses Tab (or `key`, such as Shift+Tab) until `target` has focus; fails if it never does. */
async function tabTo(page: Page, target: Locator, key = 'Tab', most = 80): Promise<void> {
  for (let i = 0; i < most && !(await target.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press(key);
  }
  await expect(target).toBeFocused();
}

/** Tabs to `target` (as `tabTo` does) and presses Enter on it. */
async function press(page: Page, target: Locator, key = 'Tab', most = 80): Promise<void> {
  await tabTo(page, target, key, most);
  await page.keyboard.press('Enter');
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
    await press(page, first);
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
  await press(page, page.getByRole('button', { name: 'New security group' }));
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

  await press(page, pane.getByRole('button', { name: 'Delete group' }));
  const dialog = page.getByRole('alertdialog', { name: 'Delete this group?' });
  await expect(dialog).toBeVisible();
  await press(page, dialog.getByRole('button', { name: 'Delete' }), 'Tab', 5);
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

/**
 * Picks the radio button `target` as a keyboard user does: Tab stops once in its group (on the
 * checked one, or the first), and the arrow keys move the choice.
 */
async function chooseRadio(page: Page, target: Locator): Promise<void> {
  const group = await target.getAttribute('name');
  const inGroup = () => page.evaluate((name) => (document.activeElement as HTMLInputElement | null)?.name === name, group);
  for (let i = 0; i < 80 && !(await inGroup()); i++) await page.keyboard.press('Tab');
  for (let i = 0; i < 10 && !(await target.isChecked()); i++) await page.keyboard.press('ArrowDown');
  await expect(target).toBeChecked();
  await expect(target).toBeFocused();
}

test('by keyboard alone, a custom role is made with the wizard, each new step taking focus', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/roles');
  await press(page, page.getByRole('link', { name: 'Create custom role' }));
  await expect(page).toHaveURL('/settings/roles/new');
  // Each step's heading takes focus, so a screen reader says it and Tab goes on from there.
  const step = (name: string) => page.getByRole('heading', { level: 2, name, exact: true });
  const next = page.getByRole('button', { name: 'Next' });

  // An empty name is refused at the field, which keeps focus; Enter in a field is Next.
  const name = page.getByLabel('Name', { exact: true });
  await press(page, name);
  await expect(page.getByRole('alert')).toHaveText('Enter a name for the role.');
  await expect(name).toBeFocused();
  const role = uniqueName('Keyboard role');
  await page.keyboard.type(role);
  await page.keyboard.press('Enter');
  await expect(step('Permissions')).toBeFocused();

  await tabTo(page, page.getByRole('group', { name: 'Rooms', exact: true }).getByLabel('View'));
  await page.keyboard.press('Space');
  await press(page, next);
  await expect(step('Assignment')).toBeFocused();

  await tabTo(page, page.getByLabel('Assignment name'));
  await page.keyboard.type(`${role} for Omar`);
  await page.keyboard.press('Enter');
  await expect(step('Members')).toBeFocused();

  await tabTo(page, page.getByLabel('Search for the user or security group'));
  await page.keyboard.type('omar');
  await press(page, page.getByRole('button', { name: /^Omar Haddad/ }));
  await expect(page.getByRole('list', { name: 'Members' })).toContainText('Omar Haddad');
  await press(page, next);
  await expect(step('Scope')).toBeFocused();

  await chooseRadio(page, page.getByLabel('All rooms', { exact: true }));
  await press(page, next);
  await expect(step('Finish')).toBeFocused();
  await expect(page.getByText('Rooms: View', { exact: true })).toBeVisible();

  await press(page, page.getByRole('button', { name: 'Create role' }));
  await expect(page.getByRole('status').filter({ hasText: 'created' })).toHaveText(`Role “${role}” created.`);
  const pane = page.getByRole('complementary', { name: role });
  await expect(pane.getByRole('heading', { name: role, exact: true })).toBeFocused();
});

test('by keyboard alone, a partner is invited with the wizard and the invitation withdrawn', async ({ page }) => {
  // A partner organisation of its own, added as the operator adds one: Contoso's partnership
  // with Northwind, which other tests use, stays as it is.
  const tag = uniqueName('kb').replace(/\W+/g, '-').toLowerCase();
  const domain = `${tag}.example`;
  const partner = JSON.parse(
    org('add', `Keyboard MSP ${tag}`, '--domain', domain, '--issuer', 'http://127.0.0.1:4012', '--client-id', 'rooms-mtm',
      '--client-secret-env', 'ROOMS_KEYBOARD_TEST_UNUSED', '--manages-customers', '--json'),
  ) as { id: string };
  try {
    await signIn(page, 'grace@contoso.com');
    await open(page, '/settings/partners');
    await press(page, page.getByRole('link', { name: 'Add partner' }));
    await expect(page).toHaveURL('/settings/partners/new');
    const step = (name: string) => page.getByRole('heading', { level: 2, name: new RegExp(`^Step \\d of \\d: ${name}$`) });
    const next = page.getByRole('button', { name: 'Next' });

    // Enter in the domain field moves on.
    await tabTo(page, page.getByLabel("Partner's domain"));
    await page.keyboard.type(domain);
    await page.keyboard.press('Enter');
    await expect(step('Change control')).toBeFocused();

    // Room changes: Manual, with the arrow keys in its radio group.
    await chooseRadio(page, page.getByRole('group', { name: 'Room changes' }).getByLabel(/^Manual/));
    await press(page, next);

    await expect(step('Rooms in scope')).toBeFocused();
    await chooseRadio(page, page.getByLabel('Chosen rooms and room groups'));
    await tabTo(page, page.getByLabel(/^All US rooms \(\d+ rooms\)$/));
    await page.keyboard.press('Space');
    await press(page, next);

    await expect(step('End date')).toBeFocused();
    await press(page, next);
    await expect(step('Terms')).toBeFocused();
    await tabTo(page, page.getByLabel('I have read the terms and agree to them'));
    await page.keyboard.press('Space');
    await press(page, next);

    await expect(step('Review')).toBeFocused();
    await expect(page.getByText(/Room groups?: All US rooms/)).toBeVisible();
    await press(page, page.getByRole('button', { name: 'Send invitation' }));
    await expect(page).toHaveURL(/\/settings\/partners\?partner=/);
    const pane = page.getByRole('complementary', { name: new RegExp(`Keyboard MSP ${tag}`) });
    await expect(pane.getByText('Pending').first()).toBeVisible();

    // Withdrawn again from its pane, through a dialog that keeps focus.
    await press(page, pane.getByRole('button', { name: 'Withdraw invitation' }));
    const dialog = page.getByRole('alertdialog', { name: 'Withdraw this invitation?' });
    await expect(dialog).toBeVisible();
    await press(page, dialog.getByRole('button', { name: 'Withdraw' }), 'Tab', 5);
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'Invitation withdrawn.' })).toBeVisible();
    await expect(page.getByRole('link', { name: new RegExp(`Keyboard MSP ${tag}`) })).toHaveCount(0);
  } finally {
    org('remove', partner.id, '--yes');
  }
});
