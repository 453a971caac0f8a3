// Customer mode > Settings > Administrators: Global admins and Managed Service Administrators.

import { expect, open, rowOf, signIn, test } from './helpers';

test('a Global admin assigns and removes a Managed Service Administrator', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administrators' }).click();
  await expect(page).toHaveURL('/settings/administrators');
  await expect(page.getByRole('heading', { level: 1, name: 'Administrators' })).toBeVisible();
  await expect(rowOf(page, 'Grace Hopper')).toContainText('Global admin');
  await expect(rowOf(page, 'Lena Fischer')).toHaveCount(0);

  await page.getByRole('button', { name: 'Assign administrators' }).click();
  const pane = page.getByRole('complementary', { name: 'Assign administrators' });
  await expect(pane).toBeVisible();
  const roles = pane.getByRole('group', { name: 'Role' });
  await expect(roles.getByRole('radio', { name: 'Global admin' })).toBeChecked();
  await roles.getByRole('radio', { name: 'Managed Service Administrator' }).check();

  await pane.getByLabel('Search for the user or security group').fill('lena');
  const lena = pane.getByRole('button', { name: /^Lena Fischer User/ });
  await expect(lena).toContainText('User · lena@contoso.co.uk');
  await expect(pane.getByRole('button', { name: 'Add', exact: true })).toBeDisabled();
  await lena.click();
  await expect(lena).toHaveAttribute('aria-pressed', 'true');
  await expect(pane.getByText('Selected: Lena Fischer')).toBeVisible();

  await pane.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(pane.getByRole('status')).toHaveText('Lena Fischer is now Managed Service Administrator.');
  const row = rowOf(page, 'Lena Fischer');
  await expect(row).toContainText('Managed Service Administrator');
  await expect(row).toContainText('lena@contoso.co.uk');
  await expect(row).toContainText('User');

  await pane.getByRole('button', { name: 'Close' }).last().click();
  await expect(pane).toBeHidden();

  // Clean up through the confirmation dialog.
  await row.getByRole('button', { name: 'Remove Lena Fischer as Managed Service Administrator' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Remove this role?' });
  await expect(dialog).toContainText('Lena Fischer will no longer be Managed Service Administrator.');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(dialog).toBeHidden();
  await expect(rowOf(page, 'Lena Fischer')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Removed.' })).toBeVisible();

  // The change is stored, not only shown.
  await open(page, '/settings/administrators');
  await expect(rowOf(page, 'Grace Hopper')).toBeVisible();
  await expect(rowOf(page, 'Lena Fischer')).toHaveCount(0);
});

test('the last Global admin cannot be removed', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/administrators');
  // Contoso's only Global admin is Grace (Ivan is a Managed Service Administrator).
  await expect(page.getByRole('cell', { name: 'Global admin', exact: true })).toHaveCount(1);

  const remove = rowOf(page, 'Grace Hopper').getByRole('button', { name: 'Remove Grace Hopper as Global admin' });
  await remove.click();
  const dialog = page.getByRole('alertdialog', { name: 'Remove this role?' });
  // The dialog keeps focus: Tab and Shift+Tab go round its two buttons.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Remove' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Remove' }).click();

  // The refusal is said in the dialog, which stays open, and nowhere else.
  await expect(dialog.getByRole('alert')).toHaveText('Not allowed: the organisation must keep at least one Global admin.');
  await expect(page.getByRole('alert')).toHaveCount(1);
  // Escape closes it and gives focus back to the button that opened it.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(remove).toBeFocused();
  await expect(rowOf(page, 'Grace Hopper')).toContainText('Global admin');

  await open(page, '/settings/administrators');
  await expect(rowOf(page, 'Grace Hopper')).toContainText('Global admin');

  // The refusal is in the audit log, named after what it aimed at.
  await open(page, '/settings/audit-logs');
  await page.getByLabel('Category').selectOption('Assignment');
  await page.getByLabel('Result').selectOption('Failed');
  const refused = rowOf(page, 'Global admin: Grace Hopper').first();
  await expect(refused).toContainText('Delete');
  await expect(refused).toContainText('Failed');
  await expect(refused).toContainText('Grace Hopper');
});

test('a user without an administrator role cannot see or open Administrators', async ({ page }) => {
  await signIn(page, 'omar@contoso.com');
  await expect(page.getByText(/^You have no role and no rooms to manage here yet\./)).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Overview' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Administrators' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Security groups' })).toHaveCount(0);

  await open(page, '/settings/administrators');
  await expect(page.getByRole('alert')).toHaveText(/^Not allowed/);
  await expect(page.getByRole('table')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Assign administrators' })).toHaveCount(0);
  await expect(page.getByText('Grace Hopper')).toHaveCount(0);
});
