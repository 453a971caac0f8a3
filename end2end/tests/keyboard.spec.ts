// Issue 11 item 3: every list with a pane works by keyboard alone. Tab reaches an item, Enter
// opens its pane with the heading focused (a screen reader says where you are), Escape closes it
// and focus is back on the item; and a whole task (a new security group) done without a mouse.

import type { Locator, Page } from '@playwright/test';

import { expect, open, signIn, test, uniqueName } from './helpers';

/** Presses Tab until `target` has focus; fails if it never does. */
async function tabTo(page: Page, target: Locator, most = 80): Promise<void> {
  for (let i = 0; i < most && !(await target.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

test('by keyboard alone, every list opens an item in its pane and closes it again', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
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
  await tabTo(page, dialog.getByRole('button', { name: 'Delete' }), 5);
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(pane).toHaveCount(0);
  await expect(row).toHaveCount(0);
});
