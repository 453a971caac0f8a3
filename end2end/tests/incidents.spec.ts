// Incidents & tickets, issue 10: the fleet simulator breaks a room's camera and the
// incident appears on the open Incidents page without a reload; it is opened, commented and set
// in progress; the device heals and the page shows it resolved. A Site Lead and a partner see
// only what their scope holds. Every test makes its own rooms, so they run on any demo data.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Page } from '@playwright/test';

import { axe, call, expect, open, pageInNewContext, signIn, test, uniqueName } from './helpers';


async function orgOf(page: Page): Promise<string> {
  const s = await call<{ actor: { org: string } }>(page, 'get_session', {});
  return s.actor.org;
}

const SIMULATOR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'release', 'rooms-simulator');

/** The fleet simulator as the room's device: enrolls `account` with the signed-in admin's key
 * (again, on later calls: a new token each time) and sends one heartbeat, with the camera
 * forced to `camera` and nothing else going wrong. */
async function simulate(page: Page, account: string, camera: 'ok' | 'error'): Promise<void> {
  const key = await call<string>(page, 'get_enrollment_key', { org: await orgOf(page) });
  const accounts = path.join(os.tmpdir(), `${account}.txt`);
  fs.writeFileSync(accounts, `${account}\n`);
  const baseURL = test.info().project.use.baseURL ?? 'http://127.0.0.1:3000';
  const out = execFileSync(
    SIMULATOR,
    ['--url', baseURL, '--rooms', '1', '--accounts-file', accounts, '--rate', '1', '--duration', '1', '--faults', '0', '--force', `camera=${camera}`],
    { env: { ...process.env, ROOMS_ENROLLMENT_KEY: key }, encoding: 'utf8' },
  );
  expect(out).toMatch(/202 1 /);
}

test('the simulator breaks a camera: it appears live, is worked on, and resolves itself', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  // The simulator names a new room after its account.
  const name = uniqueName('live-room').replace(/\W+/g, '-').toLowerCase();
  const account = `${name}@contoso.com`;
  await simulate(page, account, 'ok');

  await open(page, '/incidents');
  await expect(page.getByRole('heading', { name: 'Incidents & tickets' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toHaveCount(0);

  // The device reports a failed camera; the open page shows it without a reload.
  await simulate(page, account, 'error');
  await expect(row).toHaveCount(1, { timeout: 10_000 });
  await expect(row).toContainText('Camera failed');
  await expect(row).toContainText('Active');
  await expect(row).toContainText('New');

  await row.getByRole('button', { name: 'Camera failed' }).click();
  const pane = page.getByRole('complementary', { name: 'Camera failed' });
  await expect(pane).toBeVisible();
  await expect(page).toHaveURL(/[?&]open=/);
  await expect(pane.getByRole('listitem').first()).toContainText('Rooms MTM (automatic)');

  await pane.getByLabel('Comment').fill('Replaced the USB cable of the camera.');
  // Another change meanwhile keeps what is typed.
  await pane.getByLabel('Priority').selectOption('urgent');
  await expect(pane.getByRole('listitem').filter({ hasText: 'High → Urgent' })).toBeVisible();
  await expect(pane.getByLabel('Comment')).toHaveValue('Replaced the USB cable of the camera.');
  await pane.getByRole('button', { name: 'Add comment' }).click();
  await expect(pane.getByRole('listitem').filter({ hasText: 'Replaced the USB cable' })).toContainText('Contoso');
  await expect(pane.getByLabel('Comment')).toHaveValue('');

  await pane.getByLabel('Ticket status').selectOption('in_progress');
  await expect(pane.getByRole('listitem').filter({ hasText: 'New → In progress' })).toBeVisible();
  await expect(row).toContainText('In progress');
  await axe(page, testInfo, 'incidents with a ticket open');

  // The device reports the camera fine again: incident and ticket resolve, live.
  await simulate(page, account, 'ok');
  await expect(pane.getByRole('listitem').filter({ hasText: 'Camera reports OK again.' })).toBeVisible({ timeout: 10_000 });
  await expect(row).toContainText('Resolved');

  // The open ticket and the filters are in the address; a new filter starts a new list.
  await page.getByLabel('Incident', { exact: true }).selectOption('resolved');
  await expect(page).toHaveURL(/status=resolved/);
  await expect(pane).toBeHidden();
  await row.getByRole('button', { name: 'Camera failed' }).click();
  const url = page.url();
  await page.reload();
  await expect(page.getByRole('complementary', { name: 'Camera failed' })).toBeVisible();
  expect(page.url()).toBe(url);
  await expect(page.getByLabel('Incident', { exact: true })).toHaveValue('resolved');
});

test('a person raises a customer incident on a room', async ({ page }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/incidents');
  await page.getByRole('button', { name: 'Raise incident' }).click();
  const pane = page.getByRole('complementary', { name: 'Raise incident' });
  // Nothing chosen yet: said by the form, nothing sent.
  await pane.getByRole('button', { name: 'Raise incident' }).click();
  await expect(pane.getByRole('alert')).toContainText('Choose the room first.');
  await axe(page, testInfo, 'raise incident');

  await pane.getByRole('searchbox', { name: 'Room' }).fill('a');
  await pane.getByRole('list', { name: 'Matching rooms' }).getByRole('button').first().click();
  const title = uniqueName('Projector flickers');
  await pane.getByLabel('Title').fill(title);
  await pane.getByLabel('Severity').selectOption('high');
  await pane.getByLabel('What happened').fill('Every few minutes, since Monday.');
  await pane.getByRole('button', { name: 'Raise incident' }).click();
  const opened = page.getByRole('complementary', { name: title });
  await expect(opened).toBeVisible();
  await expect(opened).toContainText('Customer incident');
  await expect(opened.getByRole('listitem').first()).toContainText('Every few minutes, since Monday.');
  await expect(page.getByRole('row').filter({ hasText: title })).toContainText('High');
});

/** Raises a customer incident on the first room matching `search`, through the server function. */
async function raiseOn(page: Page, search: string, title: string): Promise<void> {
  const org = await orgOf(page);
  const rooms = await call<{ rows: { id: string }[] }>(page, 'list_rooms', {
    org,
    query: { search, sort: 'Name', descending: false, page: 0 },
  });
  expect(rooms.rows.length).toBeGreaterThan(0);
  await call(page, 'raise_incident', {
    org,
    input: { room: rooms.rows[0].id, title, severity: 'High', description: 'Raised by the browser test.' },
  });
}

test("a partner's all-tickets view lists two customers' incidents and none outside the scope", async ({ browser }, testInfo) => {
  const grace = await pageInNewContext(browser);
  await signIn(grace, 'grace@contoso.com');
  const us = uniqueName('Seattle projector');
  const munich = uniqueName('Munich projector');
  await raiseOn(grace, 'harbour', us);
  await raiseOn(grace, 'parkstadt', munich);
  const felix = await pageInNewContext(browser);
  await signIn(felix, 'felix@fabrikam.com');
  const berlin = uniqueName('Berlin projector');
  await raiseOn(felix, 'mitte', berlin);

  // Pia: Primary admin of Contoso over the US rooms, and of Fabrikam over all of them.
  const pia = await pageInNewContext(browser);
  await signIn(pia, 'pia@northwindmsp.com');
  const contoso = await call<{ customers: [string, string][] }>(pia, 'get_session', {});
  const contosoId = contoso.customers.find(([, name]) => name === 'Contoso')?.[0];
  expect(contosoId).toBeTruthy();
  await open(pia, `/partner/c/${contosoId}/incidents`);
  await expect(pia.getByRole('row').filter({ hasText: us })).toHaveCount(1);
  await pia.getByRole('switch', { name: 'Enable all tickets view' }).click();
  await expect(pia).toHaveURL(/\/partner\/tickets/);
  await expect(pia.getByRole('heading', { name: 'Incidents & tickets: all customers' })).toBeVisible();
  await expect(pia.getByRole('row').filter({ hasText: us })).toContainText('Contoso');
  await expect(pia.getByRole('row').filter({ hasText: berlin })).toContainText('Fabrikam');
  await expect(pia.getByRole('row').filter({ hasText: munich })).toHaveCount(0);

  // The customer filter narrows to one; the open ticket is the customer's, in the address.
  await pia.getByRole('search', { name: 'Filter incidents' }).getByRole('combobox', { name: 'Customer' }).selectOption({ label: 'Fabrikam' });
  await expect(pia.getByRole('row').filter({ hasText: us })).toHaveCount(0);
  await pia.getByRole('row').filter({ hasText: berlin }).getByRole('button', { name: berlin }).click();
  await expect(pia.getByRole('complementary', { name: berlin })).toBeVisible();
  await expect(pia).toHaveURL(/open=.*&in=/);
  await axe(pia, testInfo, 'all tickets with a ticket open');
});
