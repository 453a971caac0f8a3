// Partner mode end to end, in three browser contexts at once: Woodgrove Bank (the customer),
// Tess (Northwind's Tenant manager) and Pia (who becomes Woodgrove's Primary admin).
// Deny, then a new invitation scoped to "All US rooms" with manual approval for room changes;
// accept; work inside the scope; a Help desk role; a change held for approval and approved;
// the partner's actions in the customer's audit log; removal seen on the partner's next action.

import type { Browser, Page } from '@playwright/test';
import { axe, expect, open, pageInNewContext, signIn, test, uniqueName } from './helpers';

async function as(browser: Browser, upn: string): Promise<Page> {
  const page = await pageInNewContext(browser);
  await signIn(page, upn);
  return page;
}

test('a customer invites Northwind, a tenant manager accepts, and the primary admin works inside the scope until removed', async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  const sam = await as(browser, 'sam@woodgrovebank.com');
  const tess = await as(browser, 'tess@northwindmsp.com');

  // Tess denies the invitation Woodgrove sent at seed time.
  await open(tess, '/partner/tenants');
  await axe(tess, testInfo, 'tenants');
  await tess.getByRole('link', { name: 'Woodgrove Bank' }).click();
  const invitation = tess.getByRole('complementary', { name: 'Woodgrove Bank' });
  await expect(invitation.getByText('Invitation expires')).toBeVisible();
  await axe(tess, testInfo, 'invitation pane');
  await invitation.getByRole('button', { name: 'Deny' }).click();
  const deny = tess.locator('[role=dialog], [role=alertdialog]');
  await axe(tess, testInfo, 'deny dialog');
  await deny.getByRole('button', { name: 'Deny invitation' }).click();
  await expect(tess.getByRole('link', { name: 'Woodgrove Bank' })).toHaveCount(0);

  // Woodgrove sees it gone and sends a new one: All US rooms, room changes need approval.
  await open(sam, '/settings/partners');
  await expect(sam.getByRole('heading', { level: 1, name: 'Partners' })).toBeVisible();
  await expect(sam.getByText('You have no partners and no invitations waiting.')).toBeVisible();
  await axe(sam, testInfo, 'partners, empty');
  await sam.getByRole('link', { name: 'Add partner' }).click();
  await expect(sam).toHaveURL('/settings/partners/new');
  await sam.getByLabel("Partner's domain").fill('nowhere.example');
  await sam.getByRole('button', { name: 'Next' }).click();
  await sam.getByRole('button', { name: 'Next' }).click();
  await sam.getByLabel('Chosen rooms and room groups').check();
  await sam.getByLabel(/^All US rooms \(\d+ rooms\)$/).check();
  await sam.getByRole('button', { name: 'Next' }).click();
  await sam.getByRole('button', { name: 'Next' }).click();
  await sam.getByLabel('I have read the terms and agree to them').check();
  await expect(sam.getByText('sign-in policies')).toBeVisible();
  await sam.getByRole('button', { name: 'Next' }).click();
  await sam.getByRole('button', { name: 'Send invitation' }).click();
  // An unknown domain sends the user back to the first step, everything else kept.
  await expect(sam.getByText(/No organisation signs in to Rooms MTM with nowhere.example/)).toBeVisible();
  await sam.getByLabel("Partner's domain").fill('northwindmsp.com');
  await sam.getByRole('button', { name: 'Next' }).click();
  await sam.getByRole('group', { name: 'Room changes' }).getByLabel(/^Manual/).check();
  await axe(sam, testInfo, 'wizard, change control');
  for (let step = 0; step < 4; step += 1) {
    await sam.getByRole('button', { name: 'Next' }).click();
  }
  await expect(sam.getByText(/Room groups?: All US rooms/)).toBeVisible();
  await axe(sam, testInfo, 'wizard, review');
  await sam.getByRole('button', { name: 'Send invitation' }).click();
  await expect(sam).toHaveURL(/\/settings\/partners\?partner=/);
  const partnerPane = sam.getByRole('complementary', { name: /Northwind/ });
  await expect(partnerPane.getByText('Pending').first()).toBeVisible();
  await axe(sam, testInfo, 'partner pane, pending');

  // Tess accepts, naming Pia as primary admin.
  await open(tess, '/partner/tenants');
  await tess.getByRole('link', { name: 'Woodgrove Bank' }).click();
  const pending = tess.getByRole('complementary', { name: 'Woodgrove Bank' });
  await expect(pending.getByText('Manual', { exact: true })).toBeVisible();
  await pending.getByLabel('Search for the user or security group').fill('pia');
  await pending.getByRole('button', { name: /^Pia Moreau/ }).click();
  await pending.getByRole('button', { name: 'Accept' }).click();
  await expect(tess.getByRole('complementary', { name: 'Woodgrove Bank' }).getByText('Active').first()).toBeVisible();

  // Pia switches to Woodgrove: only its US rooms.
  const pia = await as(browser, 'pia@northwindmsp.com');
  await open(pia, '/partner');
  await expect(pia.getByRole('region', { name: 'Your customers' }).getByRole('link', { name: 'Woodgrove Bank' })).toBeVisible();
  await expect(pia.getByText(/You have no role/)).toHaveCount(0);
  await pia.getByRole('banner').getByLabel('Customer').selectOption({ label: 'Woodgrove Bank' });
  // The switcher lands on the customer's overview: what Pia holds there, inside its scope.
  await expect(pia).toHaveURL(/\/partner\/c\/[0-9a-f-]+$/);
  await expect(pia.getByRole('heading', { level: 1, name: 'Woodgrove Bank' })).toBeVisible();
  const held = pia.getByRole('region', { name: 'What you hold' }).getByRole('listitem');
  await expect(held).toHaveCount(1);
  await expect(held).toHaveText(/^Primary admins over All US rooms · \d+ rooms?$/);
  await axe(pia, testInfo, 'partner overview of a customer');
  await pia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rooms', exact: true }).click();
  await expect(pia).toHaveURL(/\/partner\/c\/[0-9a-f-]+\/rooms$/);
  await expect(pia.getByRole('heading', { level: 1, name: 'Rooms' })).toBeVisible();
  const countries = pia.getByRole('cell').filter({ hasText: /^(US|CA)$/ });
  await expect(countries.first()).toHaveText('US');
  await expect(pia.getByRole('cell', { name: 'CA', exact: true })).toHaveCount(0);
  await axe(pia, testInfo, 'partner rooms');
  const woodgrove = pia.url().replace(/\/rooms$/, '');

  // A Help desk role for Hal: tickets only.
  await open(pia, `${woodgrove}/settings/roles`);
  await expect(pia.getByRole('heading', { level: 1, name: 'Partner roles for Woodgrove Bank' })).toBeVisible();
  await axe(pia, testInfo, 'partner roles');
  const helpDesk = uniqueName('Help desk');
  await pia.getByRole('link', { name: 'Create custom role' }).click();
  await pia.getByLabel('Name', { exact: true }).fill(helpDesk);
  await pia.getByRole('button', { name: 'Next' }).click();
  const tickets = pia.getByRole('group', { name: 'Tickets management' });
  await tickets.getByLabel('View').check();
  await tickets.getByLabel('Update').check();
  await expect(pia.getByRole('group', { name: 'MMR settings' })).toHaveCount(0);
  await pia.getByRole('button', { name: 'Next' }).click();
  await pia.getByLabel('Assignment name').fill('Hal');
  await pia.getByRole('button', { name: 'Next' }).click();
  await pia.getByLabel('Search for the user or security group').fill('hal');
  await pia.getByRole('button', { name: /^Hal Berg/ }).click();
  await pia.getByRole('button', { name: 'Next' }).click();
  await pia.getByLabel(/^All rooms/).check();
  await pia.getByRole('button', { name: 'Next' }).click();
  await pia.getByRole('button', { name: 'Create role' }).click();
  await expect(pia).toHaveURL(new RegExp(`${woodgrove}/settings/roles\\?role=`));
  await expect(pia.getByRole('button', { name: helpDesk, exact: true })).toBeVisible();

  // Hal works on Woodgrove with tickets only: no Rooms to open, let alone modify.
  const hal = await as(browser, 'hal@northwind-msp.eu');
  await open(hal, '/partner');
  await hal.getByRole('banner').getByLabel('Customer').selectOption({ label: 'Woodgrove Bank' });
  const halNav = hal.getByRole('navigation', { name: 'Main' });
  await expect(halNav.getByText('Woodgrove Bank')).toBeVisible();
  await expect(halNav.getByRole('link', { name: 'Rooms', exact: true })).toHaveCount(0);
  // His overview of Woodgrove says what he holds, and counts no rooms he may not view.
  await expect(hal.getByRole('region', { name: 'What you hold' })).toContainText(`${helpDesk} over All US rooms`);
  await expect(hal.getByRole('heading', { name: /^Your rooms/ })).toHaveCount(0);

  // Pia's room change waits for Woodgrove's approval.
  await open(pia, `${woodgrove}/rooms`);
  await pia.getByRole('row').nth(1).getByRole('button').first().click();
  const roomPane = pia.getByRole('complementary').first();
  const oldName = await roomPane.getByLabel('Display name').inputValue();
  const newName = uniqueName('Renamed by Northwind');
  await roomPane.getByLabel('Display name').fill(newName);
  await roomPane.getByRole('button', { name: 'Save changes' }).click();
  await expect(pia.getByText(/for approval\. Nothing changes until they approve it\./)).toBeVisible();
  await expect(roomPane.getByLabel('Display name')).toHaveValue(oldName);
  // Pia sees her request waiting, on the customer's change requests page.
  await open(pia, `${woodgrove}/requests`);
  await expect(pia.getByRole('heading', { level: 1, name: 'Change requests' })).toBeVisible();
  await expect(pia.getByRole('table', { name: 'Change requests' }).getByText(newName).first()).toBeVisible();
  await axe(pia, testInfo, 'change requests, partner side');
  // Her Remove customer asks for the typed word; she keeps the customer.
  await open(pia, '/partner/tenants');
  await pia.getByRole('link', { name: 'Woodgrove Bank', exact: true }).click();
  await pia.getByRole('button', { name: 'Remove customer' }).click();
  const removeCustomer = pia.getByRole('alertdialog');
  await expect(removeCustomer.getByRole('button', { name: 'Remove customer' })).toBeDisabled();
  await axe(pia, testInfo, 'remove customer dialog');
  await removeCustomer.getByRole('button', { name: 'Cancel' }).click();
  await expect(removeCustomer).toHaveCount(0);
  await open(pia, `${woodgrove}/rooms`);

  // Woodgrove approves; the change is made as Pia asked.
  await open(sam, '/settings/approvals');
  await axe(sam, testInfo, 'approvals');
  // Reject asks for a reason; Sam cancels and approves instead.
  await sam.getByRole('button', { name: /^Reject:/ }).first().click();
  const reject = sam.getByRole('dialog', { name: 'Reject this change?' });
  await expect(reject.getByLabel('Reason')).toBeFocused();
  await axe(sam, testInfo, 'reject dialog');
  await reject.getByRole('button', { name: 'Cancel' }).click();
  await expect(reject).toHaveCount(0);
  await sam.getByRole('button', { name: 'Approve' }).first().click();
  await expect(sam.getByText(/Approved/).first()).toBeVisible();
  await open(sam, `/rooms`);
  await sam.getByLabel('Search').fill(newName);
  await sam.getByLabel('Search').press('Enter');
  await expect(sam.getByRole('button', { name: newName })).toBeVisible();

  // The partner's actions are in Woodgrove's log, by name and organisation.
  await open(sam, '/settings/audit-logs');
  await expect(sam.getByRole('cell', { name: /^Pia Moreau \S+@\S+ · Northwind Managed Services$/ }).first()).toBeVisible();
  await sam.getByLabel('Done by').selectOption({ label: 'Users of Northwind Managed Services' });
  await expect(sam.getByRole('cell', { name: /^Pia Moreau / }).first()).toBeVisible();
  await expect(sam.getByRole('cell', { name: /^Sam Carter / })).toHaveCount(0);
  await axe(sam, testInfo, 'audit log, done by the partner');

  // Woodgrove removes Northwind; Pia's open page shows it gone on her next action.
  await open(sam, '/settings/partners');
  await sam.getByRole('link', { name: /Northwind/ }).first().click();
  await sam.getByRole('button', { name: 'Remove partner' }).click();
  const confirm = sam.locator('[role=dialog], [role=alertdialog]');
  await expect(confirm.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await axe(sam, testInfo, 'remove partner dialog');
  await confirm.getByLabel('Type Delete to confirm').fill('Delete');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(sam.getByText('You have no partners and no invitations waiting.')).toBeVisible();

  await pia.getByLabel('Search').fill('a');
  await pia.getByLabel('Search').press('Enter');
  await expect(pia.getByText(/not found|no access/i).first()).toBeVisible();
});
