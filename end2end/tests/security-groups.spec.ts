// Customer mode > Settings > Security groups: create, members, rename, delete.

import { expect, open, rowOf, signIn, test, uniqueName } from './helpers';

test('a Global admin creates, fills, renames, empties and deletes a security group', async ({ page }) => {
  const name = uniqueName('E2E group');
  const renamed = `${name} renamed`;

  await signIn(page, 'grace@contoso.com');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security groups' }).click();
  await expect(page).toHaveURL('/settings/security-groups');
  await expect(page.getByRole('heading', { level: 1, name: 'Security groups' })).toBeVisible();
  await expect(rowOf(page, 'Facilities team')).toContainText('2');

  // Create.
  await page.getByRole('button', { name: 'New security group' }).click();
  const createPane = page.getByRole('complementary', { name: 'New security group' });
  await createPane.getByLabel('Name').fill(name);
  await createPane.getByRole('button', { name: 'Create' }).click();

  const pane = page.getByRole('complementary', { name });
  await expect(pane.getByRole('heading', { level: 2, name })).toBeVisible();
  await expect(pane.getByLabel('Name')).toHaveValue(name);
  await expect(pane.getByRole('heading', { name: 'Members' })).toBeVisible();
  await expect(pane.getByText('This group has no members.')).toBeVisible();
  await expect(rowOf(page, name).getByRole('cell')).toHaveText('0');

  // Add a member.
  await pane.getByLabel('Add members: search for a user').fill('omar');
  const omar = pane.getByRole('button', { name: /^Omar Haddad User/ });
  await expect(omar).toContainText('User · omar@contoso.com');
  await omar.click();
  await expect(omar).toHaveAttribute('aria-pressed', 'true');
  await pane.getByRole('button', { name: 'Add member' }).click();
  const members = pane.getByRole('list', { name: 'Members' });
  await expect(members.getByRole('listitem')).toHaveCount(1);
  await expect(members).toContainText('Omar Haddad');
  await expect(members).toContainText('omar@contoso.com');
  await expect(rowOf(page, name).getByRole('cell')).toHaveText('1');

  // Rename.
  await pane.getByLabel('Name').fill(renamed);
  await pane.getByRole('button', { name: 'Rename' }).click();
  const renamedPane = page.getByRole('complementary', { name: renamed });
  await expect(renamedPane.getByRole('heading', { level: 2, name: renamed })).toBeVisible();
  await expect(rowOf(page, renamed).getByRole('cell')).toHaveText('1');
  await expect(rowOf(page, name)).toHaveCount(0);

  // Remove the member.
  await renamedPane.getByRole('button', { name: 'Remove Omar Haddad from the group' }).click();
  await expect(renamedPane.getByText('This group has no members.')).toBeVisible();
  await expect(rowOf(page, renamed).getByRole('cell')).toHaveText('0');

  // Delete, after a change of mind.
  await renamedPane.getByRole('button', { name: 'Delete group' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete this group?' });
  await expect(dialog).toContainText(`${renamed} will be deleted`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(rowOf(page, renamed)).toBeVisible();

  await renamedPane.getByRole('button', { name: 'Delete group' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Group deleted.' })).toBeVisible();
  await expect(renamedPane).toBeHidden();
  await expect(rowOf(page, renamed)).toHaveCount(0);

  await open(page, '/settings/security-groups');
  await expect(rowOf(page, 'Facilities team')).toBeVisible();
  await expect(rowOf(page, renamed)).toHaveCount(0);
});

test('a group pane opens from the table and lists the members', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/security-groups');
  const button = rowOf(page, 'Facilities team').getByRole('button', { name: 'Facilities team' });
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');

  const pane = page.getByRole('complementary', { name: 'Facilities team' });
  const members = pane.getByRole('list', { name: 'Members' });
  await expect(members).toContainText('Lena Fischer');
  await expect(members).toContainText('Omar Haddad');
  await pane.getByRole('button', { name: 'Close' }).click();
  await expect(pane).toBeHidden();
});

test('blank and duplicate group names are refused', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/security-groups');
  await page.getByRole('button', { name: 'New security group' }).click();
  const pane = page.getByRole('complementary', { name: 'New security group' });
  const name = pane.getByLabel('Name');

  await name.fill('   ');
  await pane.getByRole('button', { name: 'Create' }).click();
  await expect(pane.getByRole('alert')).toHaveText('Enter a name for the group.');
  await expect(name).toHaveAttribute('aria-invalid', 'true');

  // Names are unique regardless of case.
  await name.fill('facilities team');
  await pane.getByRole('button', { name: 'Create' }).click();
  await expect(pane.getByRole('alert')).toHaveText('A group with this name already exists.');

  await pane.getByRole('button', { name: 'Cancel' }).click();
  await expect(pane).toBeHidden();
  // Neither attempt made a group (other tests may have made groups of their own).
  await expect(page.getByRole('rowheader', { name: /^\s*facilities team\s*$/i })).toHaveCount(1);
  await expect(page.getByRole('rowheader', { name: /^\s*$/ })).toHaveCount(0);
});
