// Incidents & tickets, issue 10: a device breaks its camera through the agent API and the
// incident appears on the open Incidents page without a reload; it is opened, commented and set
// in progress; the device heals and the page shows it resolved. A Site Lead and a partner see
// only what their scope holds. Every test makes its own rooms, so they run on any demo data.

import type { APIRequestContext, Page } from '@playwright/test';

import { axe, expect, open, pageInNewContext, signIn, test, uniqueName } from './helpers';

/** Calls a server function from the signed-in page, as the browser would, and returns its JSON. */
async function call<T>(page: Page, endpoint: string, body: unknown): Promise<T> {
  return page.evaluate(
    async ({ endpoint, body }) => {
      const r = await fetch(`/api/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${endpoint}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    { endpoint, body },
  );
}

async function orgOf(page: Page): Promise<string> {
  const s = await call<{ actor: { org: string } }>(page, 'get_session', {});
  return s.actor.org;
}

/** Enrolls a new room with the signed-in admin's key; its device token. */
async function newDevice(page: Page, request: APIRequestContext, account: string, name: string): Promise<string> {
  const key = await call<string>(page, 'get_enrollment_key', { org: await orgOf(page) });
  const r = await request.post('/api/agent/v1/enroll', {
    data: { enrollment_key: key, resource_account: account, display_name: name, platform: 'windows' },
  });
  expect(r.status()).toBe(201);
  return ((await r.json()) as { device_token: string }).device_token;
}

async function camera(request: APIRequestContext, token: string, signal: 'ok' | 'error'): Promise<void> {
  const r = await request.post('/api/agent/v1/heartbeat', {
    headers: { authorization: `Bearer ${token}` },
    data: { sent_at: new Date().toISOString(), software_version: '1.0', components: { camera: signal } },
  });
  expect(r.status()).toBe(202);
}

test('a broken camera appears live, is worked on, and resolves itself', async ({ page, request }, testInfo) => {
  await signIn(page, 'grace@contoso.com');
  const name = uniqueName('Live room');
  const account = `${name.replace(/\W+/g, '-').toLowerCase()}@contoso.com`;
  const token = await newDevice(page, request, account, name);
  await camera(request, token, 'ok');

  await open(page, '/incidents');
  await expect(page.getByRole('heading', { name: 'Incidents & tickets' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toHaveCount(0);

  // The device reports a failed camera; the open page shows it without a reload.
  await camera(request, token, 'error');
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
  await camera(request, token, 'ok');
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
