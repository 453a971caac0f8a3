// Customer mode, issue 4: a custom role made with the wizard over one room group, its member
// seeing exactly the scoped rooms and refused the rest; the enrollment key's reset; the audit
// log's CSV export. Every test makes its own rooms and names, so they run on any demo data.

import type { APIRequestContext, Page } from '@playwright/test';

import { call, expect, open, pageInNewContext, rowOf, signIn, signOut, test, uniqueName, waitForHydration } from './helpers';

type Room = { id: string; display_name: string };

/** Creates a room through the Rooms page's form and returns it as the server answered. */
async function createRoom(page: Page, name: string, account: string, site: string, country: string): Promise<Room> {
  await page.getByRole('button', { name: 'New room' }).click();
  const pane = page.getByRole('complementary', { name: 'New room' });
  await pane.getByLabel('Display name').fill(name);
  await pane.getByLabel('Resource account').fill(account);
  await pane.getByLabel('Site or building').fill(site);
  await pane.getByLabel('City').fill('Testville');
  await pane.getByLabel('Country/region').fill(country);
  await pane.getByLabel('Platform').selectOption('windows');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/create_room'));
  await pane.getByRole('button', { name: 'Create room' }).click();
  const response = await answer;
  expect(response.status()).toBe(200);
  const room = (await response.json()) as Room;
  await expect(page.getByRole('complementary', { name })).toBeVisible();
  return room;
}

/** Calls a server function from the signed-in page, as the browser would. */
async function callServer(page: Page, endpoint: string, body: unknown): Promise<number> {
  return page.evaluate(
    async ({ endpoint, body }) => {
      const r = await fetch(`/api/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return r.status;
    },
    { endpoint, body },
  );
}

async function orgOf(page: Page): Promise<string> {
  // The export form carries the organisation; the session endpoint is simpler to read.
  return page.evaluate(async () => {
    const r = await fetch('/api/get_session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const s = (await r.json()) as { actor: { org: string } };
    return s.actor.org;
  });
}

async function enroll(request: APIRequestContext, key: string, account: string) {
  return request.post('/api/agent/v1/enroll', {
    data: { enrollment_key: key, resource_account: account, display_name: 'Agent room', platform: 'android' },
  });
}

test('a custom role made with the wizard scopes its member to one room group', async ({ page }, testInfo) => {
  const tag = uniqueName('e2e').replace(/\s+/g, '-').toLowerCase();
  const site = `Site ${tag}`;
  const otherSite = `Elsewhere ${tag}`;
  const group = `Group ${tag}`;
  const role = `Role ${tag}`;

  await signIn(page, 'grace@contoso.com');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rooms' }).click();
  await expect(page).toHaveURL('/rooms');
  const inside = await createRoom(page, `Inside ${tag}`, `inside-${tag}@contoso.com`, site, 'NZ');
  const outside = await createRoom(page, `Outside ${tag}`, `outside-${tag}@contoso.com`, otherSite, 'NZ');

  // A rule-based room group: every room at the site.
  await open(page, '/room-groups');
  await page.getByRole('button', { name: 'New room group' }).click();
  const newGroup = page.getByRole('complementary', { name: 'New room group' });
  await newGroup.getByLabel('Name').fill(group);
  await newGroup.getByLabel('Site').fill(site);
  await newGroup.getByRole('button', { name: 'Create group' }).click();
  const groupPane = page.getByRole('complementary', { name: group });
  await expect(groupPane.getByRole('list', { name: 'Rooms in the group' })).toContainText(`Inside ${tag}`);
  await expect(groupPane.getByRole('list', { name: 'Rooms in the group' })).not.toContainText(`Outside ${tag}`);

  // The wizard.
  await open(page, '/settings/roles');
  await page.getByRole('link', { name: 'Create custom role' }).click();
  await expect(page).toHaveURL('/settings/roles/new');
  await expect(page.getByRole('heading', { level: 2, name: 'General' })).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter a name for the role.');
  await page.getByLabel('Name', { exact: true }).fill(role);
  await page.getByLabel('Description (optional)').fill('Looks after one site');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { level: 2, name: 'Permissions' })).toBeVisible();
  const rooms = page.getByRole('group', { name: 'Rooms', exact: true });
  await rooms.getByLabel('View').check();
  await rooms.getByLabel('Modify').check();
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { level: 2, name: 'Assignment' })).toBeVisible();
  await page.getByLabel('Assignment name').fill(`Omar at ${site}`);
  await page.getByLabel('Send e-mail notifications to the members').check();
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { level: 2, name: 'Members' })).toBeVisible();
  await page.getByLabel('Search for the user or security group').fill('omar');
  await page.getByRole('button', { name: /^Omar Haddad/ }).click();
  await expect(page.getByRole('list', { name: 'Members' })).toContainText('Omar Haddad');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { level: 2, name: 'Scope' })).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('alert')).toHaveText('Choose rooms or room groups, or all rooms.');
  await page.getByLabel(new RegExp(`^${group} \\(1 room\\)$`)).check();
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { level: 2, name: 'Finish' })).toBeVisible();
  await expect(page.getByText(`Room groups: ${group}`)).toBeVisible();
  await expect(page.getByText('Rooms: View, Rooms: Modify')).toBeVisible();
  const shot = testInfo.outputPath('wizard-finish.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('wizard, finish step', { path: shot, contentType: 'image/png' });
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page).toHaveURL(/\/settings\/roles\?role=/);
  await expect(rowOf(page, role)).toContainText('Custom');
  const org = await orgOf(page);
  await signOut(page);

  // The member sees exactly the scoped room.
  await signIn(page, 'omar@contoso.com');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Roles' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Rooms' }).click();
  // One room: the group's. (A retry's member also holds the earlier attempt's role and room.)
  const held = testInfo.retry + 1;
  await expect(page.getByRole('status').filter({ hasText: /^Rooms / })).toHaveText(`Rooms 1–${held} of ${held}`);
  await expect(page.getByRole('table').getByRole('button', { name: `Inside ${tag}` })).toBeVisible();
  await expect(page.getByText(`Outside ${tag}`)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reset key' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New room' })).toHaveCount(0);
  await page.getByRole('button', { name: `Inside ${tag}` }).click();
  const pane = page.getByRole('complementary', { name: `Inside ${tag}` });
  await expect(pane.getByText('Rooms: View, Rooms: Modify', { exact: true })).toBeVisible();
  await expect(pane.getByRole('button', { name: 'Unenroll room' })).toHaveCount(0);
  const scoped = testInfo.outputPath('scoped-rooms.png');
  await page.screenshot({ path: scoped, fullPage: true });
  await testInfo.attach('the member sees one room', { path: scoped, contentType: 'image/png' });

  // And is refused the rest, from outside the page: a room outside the scope is not even found.
  expect(await callServer(page, 'get_room', { org, id: outside.id })).toBe(404);
  expect(await callServer(page, 'get_room', { org, id: inside.id })).toBe(200);
  expect(await callServer(page, 'unenroll_room', { org, id: inside.id })).toBe(403);
  expect(await callServer(page, 'reset_enrollment_key', { org })).toBe(403);
  expect(await callServer(page, 'list_roles', { org })).toBe(403);
  await open(page, '/settings/roles');
  await expect(page.getByRole('alert')).toContainText(/not allow|outside|access/i);
});

test('resetting the enrollment key makes the old key stop working at once', async ({ page, request }) => {
  const tag = uniqueName('key').replace(/\s+/g, '-').toLowerCase();
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  // *Download key* downloads it, and shows it with a button to copy it.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download key' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('enrollment-key.txt');
  const saved = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const keyBox = page.getByLabel('Your key');
  await expect(keyBox).toHaveValue(/^rek_/);
  const oldKey = await keyBox.inputValue();
  expect(saved).toBe(oldKey);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByText('Key copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(oldKey);
  expect((await enroll(request, oldKey, `before-${tag}@contoso.com`)).status()).toBe(201);

  await page.getByRole('button', { name: 'Reset key' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('stops working immediately');
  await dialog.getByRole('button', { name: 'Reset key' }).click();
  await expect(page.getByText('Key reset. The old key no longer works')).toBeVisible();
  await expect(keyBox).not.toHaveValue(oldKey);
  const newKey = await keyBox.inputValue();

  const refused = await enroll(request, oldKey, `after-${tag}@contoso.com`);
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ error: 'invalid_enrollment_key' });
  expect((await enroll(request, newKey, `after-${tag}@contoso.com`)).status()).toBe(201);
});

test("a Site Tech's key enrolls only the rooms of their site", async ({ page, request }, testInfo) => {
  await signIn(page, 'tariq@contoso.com');
  await open(page, '/rooms');
  await expect(page.getByText('It enrolls only the rooms you manage')).toBeVisible();
  await page.getByRole('button', { name: 'Download key' }).click();
  const keyBox = page.getByLabel('Your key');
  await expect(keyBox).toHaveValue(/^rek_/);
  const key = await keyBox.inputValue();
  const shot = testInfo.outputPath('site-tech-key.png');
  await page.screenshot({ path: shot, fullPage: false });
  await testInfo.attach('the Site Tech downloads their own key', { path: shot, contentType: 'image/png' });
  // A London room, outside Seattle Harbour: its device keeps its credential.
  const london = await enroll(request, key, 'paddington-101@contoso.co.uk');
  expect(london.status()).toBe(403);
  expect(await london.json()).toMatchObject({ error: 'out_of_reach' });
  // A new room needs someone who manages all rooms.
  expect((await enroll(request, key, `new-${Date.now()}@contoso.com`)).status()).toBe(403);
  // A Seattle room enrolls.
  expect((await enroll(request, key, 'harbour-101@contoso.com')).status()).toBe(201);
});

test('the audit log keeps its filters in the address, searches as you type and exports what it shows', async ({ page }) => {
  const ring = uniqueName('Ring');
  await signIn(page, 'grace@contoso.com');
  await open(page, '/update-rings');
  await page.getByRole('button', { name: 'New update ring' }).click();
  const pane = page.getByRole('complementary', { name: 'New update ring' });
  await pane.getByLabel('Name').fill(ring);
  await pane.getByLabel('Deferral (days)').fill('5');
  await pane.getByRole('button', { name: 'Create ring' }).click();
  await expect(rowOf(page, ring)).toContainText('5 days');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit logs' }).click();
  await expect(rowOf(page, ring)).toContainText('Successful');
  // Who acted, by name, UPN and organisation.
  await expect(rowOf(page, ring)).toContainText('grace@contoso.com · Contoso');

  // Typing searches once typing pauses, and the address keeps it.
  await page.getByLabel('Search', { exact: true }).pressSequentially(ring.toLowerCase(), { delay: 20 });
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.getByRole('status').filter({ hasText: /^\d+ entr/ })).toHaveText('1 entry');
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(today);
  await expect(page).toHaveURL(new RegExp(`from=${today}`));
  await page.getByLabel('To', { exact: true }).fill(today);
  await expect(page).toHaveURL(new RegExp(`to=${today}`));
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue(ring.toLowerCase());
  await expect(page.getByLabel('From', { exact: true })).toHaveValue(today);
  await expect(rowOf(page, ring)).toBeVisible();

  // The export is what the list shows: the same filters.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export as CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`audit-log-${today}-to-${today}.csv`);
  const csv = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe(
    'activity.category,activity.objectName,activity.operation,activity.resultStatus,activity.tenantId,creationTime,user.userId,user.userTenantId',
  );
  expect(lines.length, lines.join('\n')).toBe(2);
  expect(lines[1]).toMatch(new RegExp(`^UpdateRing,${ring},Create,Successful,`));
  const cells = lines[1].split(',');
  expect(cells[5]).toMatch(new RegExp(`^${today}T\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$`));
  expect(cells[4]).toBe(cells[7]);

  // An end before the start is said once, by the field, and the export waits for a range.
  await page.getByLabel('To', { exact: true }).fill(yesterday);
  await expect(page.getByLabel('To', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The end date must not be before the start date.')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Export as CSV' })).toBeDisabled();
  await expect(page).toHaveURL(/\/settings\/audit-logs/);
  // Back: the range before, and the export again.
  await page.goBack();
  await expect(page.getByLabel('To', { exact: true })).toHaveValue(today);
  await expect(page.getByRole('link', { name: 'Export as CSV' })).toBeVisible();

  // Outside the 180 days: refused with a message, never a 500.
  const old = await page.evaluate(async () => (await fetch('/api/audit-log/export?org=00000000-0000-0000-0000-000000000000&from=2000-01-01&to=2000-01-02')).status);
  expect(old).toBe(422);
});

test('the role wizard moves on with Enter, says a taken name on its first step, keeps a draft while you look elsewhere, and says when the role is made', async ({ page }, testInfo) => {
  const role = uniqueName('Wizard');
  await signIn(page, 'grace@contoso.com');
  await open(page, '/settings/roles/new');
  const name = page.getByLabel('Name', { exact: true });

  // A built-in role's name, typed in another case, is refused by the field on the first step.
  await name.fill('site lead');
  await name.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('That name is already taken.');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('heading', { level: 2, name: 'General' })).toBeVisible();

  // Enter in the name field is Next: it moves on and creates nothing.
  await name.fill(role);
  await name.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Permissions' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByRole('group', { name: 'Rooms', exact: true }).getByLabel('View').check();

  // Leaving half-way to look at the rooms, and coming back, finds the draft as it was left.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Rooms' }).click();
  await expect(page).toHaveURL('/rooms');
  await nav.getByRole('link', { name: 'Roles' }).click();
  await expect(rowOf(page, role)).toHaveCount(0);
  await page.getByRole('link', { name: 'Create custom role' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'the role you started earlier' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Permissions' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Rooms', exact: true }).getByLabel('View')).toBeChecked();
  const kept = testInfo.outputPath('wizard-draft-kept.png');
  await page.screenshot({ path: kept, fullPage: true });
  await testInfo.attach('wizard, draft kept', { path: kept, contentType: 'image/png' });

  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Assignment name').fill(`${role} for Omar`);
  await page.getByLabel('Assignment name').press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Members' })).toBeVisible();
  await page.getByLabel('Search for the user or security group').fill('omar');
  await page.getByRole('button', { name: /^Omar Haddad/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('All rooms', { exact: true }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Finish' })).toBeVisible();
  await page.getByRole('button', { name: 'Create role' }).click();

  // The new role's pane is open, its address says so, and the page says it was made.
  await expect(page).toHaveURL(/\/settings\/roles\?role=[0-9a-f-]{36}$/);
  await expect(page.getByRole('status').filter({ hasText: 'created' })).toHaveText(`Role “${role}” created.`);
  await expect(page.getByRole('complementary', { name: role })).toBeVisible();
  const made = testInfo.outputPath('wizard-created.png');
  await page.screenshot({ path: made, fullPage: true });
  await testInfo.attach('role created', { path: made, contentType: 'image/png' });

  // A reload shows the same pane, and does not say "created" again; the wizard starts empty.
  await page.reload();
  await expect(page.getByRole('complementary', { name: role })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'created' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Create custom role' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('');
  await expect(page.getByRole('status').filter({ hasText: 'the role you started earlier' })).toHaveCount(0);
});

test('a refused save keeps what was typed and says why once, by the field', async ({ page }, testInfo) => {
  const tag = uniqueName('kept').replace(/\s+/g, '-').toLowerCase();
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  await createRoom(page, `Kept ${tag}`, `kept-${tag}@contoso.com`, `Site ${tag}`, 'US');
  const pane = page.getByRole('complementary', { name: `Kept ${tag}` });
  await pane.getByLabel('City').fill('Redmond WA typed');
  await pane.getByLabel('Country/region').fill('USA');
  await pane.getByRole('button', { name: 'Save changes' }).click();
  const countryError = 'Enter a two-letter country/region code, like US or GB.';
  await expect(pane.getByText(countryError)).toHaveCount(1);
  await expect(pane.getByLabel('Country/region')).toHaveAttribute('aria-invalid', 'true');
  await expect(pane.getByLabel('Country/region')).toHaveAccessibleDescription(/two-letter country\/region code/);
  await expect(pane.getByLabel('City')).toHaveValue('Redmond WA typed');
  await expect(pane.getByLabel('Country/region')).toHaveValue('USA');
  await expect(page.getByText(countryError)).toHaveCount(1);
  const shot = testInfo.outputPath('room-refused-save.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('a refused room save keeps the input', { path: shot, contentType: 'image/png' });
  // Corrected, it saves what was typed.
  await pane.getByLabel('Country/region').fill('US');
  await pane.getByRole('button', { name: 'Save changes' }).click();
  await expect(pane.getByText('Room saved.')).toBeVisible();
  await expect(pane.getByText(countryError)).toHaveCount(0);
  await expect(pane.getByText('Redmond WA typed')).toBeVisible();

  // The same in a room group's pane.
  const group = `Kept group ${tag}`;
  await open(page, '/room-groups');
  await page.getByRole('button', { name: 'New room group' }).click();
  const newGroup = page.getByRole('complementary', { name: 'New room group' });
  await newGroup.getByLabel('Name').fill(group);
  await newGroup.getByRole('button', { name: 'Create group' }).click();
  const groupPane = page.getByRole('complementary', { name: group });
  await groupPane.getByRole('button', { name: 'Change group' }).click();
  await groupPane.getByLabel('Description').fill('Typed, not yet saved');
  await groupPane.getByLabel('Country/region code').fill('USA');
  await groupPane.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(countryError)).toHaveCount(1);
  await expect(groupPane.getByLabel('Country/region code')).toHaveAccessibleDescription(/two-letter country\/region code/);
  await expect(groupPane.getByLabel('Description')).toHaveValue('Typed, not yet saved');
  await expect(groupPane.getByLabel('Country/region code')).toHaveValue('USA');
});

test('the overview says what a Site Lead holds and each figure opens its list, which keeps filters, sort and the open room in the address', async ({ page }, testInfo) => {
  await signIn(page, 'sofia@contoso.com');
  await open(page, '/');
  const held = page.getByRole('region', { name: 'What you hold' });
  // The US rooms: the demo's 192 and any an earlier test added.
  await expect(held).toContainText(/Site Lead over All US rooms · \d+ rooms/);
  const reach = Number(/· (\d+) rooms/.exec((await held.textContent()) ?? '')?.[1]);
  expect(reach).toBeGreaterThanOrEqual(192);
  await expect(page.getByRole('heading', { name: `Your rooms (${reach})` })).toBeVisible();
  // A Site Lead does not read the audit log: no refusals are offered.
  await expect(page.getByRole('heading', { name: 'Refused attempts' })).toHaveCount(0);
  const shot = testInfo.outputPath('overview-site-lead.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('overview of a Site Lead', { path: shot, contentType: 'image/png' });

  // The first health with rooms: its figure is the length of the list it opens.
  const tiles = page.getByRole('list', { name: 'Rooms by health' }).getByRole('link');
  let chosen = -1;
  let figure = 0;
  for (let i = 0; i < (await tiles.count()); i++) {
    figure = Number(await tiles.nth(i).locator('.tile-figure').textContent());
    if (figure > 0) {
      chosen = i;
      break;
    }
  }
  expect(chosen).toBeGreaterThanOrEqual(0);
  await tiles.nth(chosen).click();
  await expect(page).toHaveURL(/\/rooms\?health=\w+/);
  const health = new URL(page.url()).searchParams.get('health') ?? '';
  await expect(page.getByLabel('Health', { exact: true })).toHaveValue(health);
  await expect(page.getByRole('status').filter({ hasText: /^Rooms / })).toHaveText(new RegExp(` of ${figure}$`));

  // Sorting by a column header and opening a room are in the address too.
  await page.getByRole('columnheader', { name: 'Site' }).getByRole('button').click();
  await expect(page).toHaveURL(/sort=site/);
  await expect(page.getByRole('columnheader', { name: 'Site' })).toHaveAttribute('aria-sort', 'ascending');
  const first = page.getByRole('table').getByRole('rowheader').first().getByRole('button');
  const name = ((await first.textContent()) ?? '').trim();
  await first.click();
  await expect(page).toHaveURL(/open=/);
  await expect(page.getByRole('complementary', { name })).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole('complementary', { name })).toBeVisible();
  await expect(page.getByLabel('Health', { exact: true })).toHaveValue(health);
  await expect(page.getByRole('columnheader', { name: 'Site' })).toHaveAttribute('aria-sort', 'ascending');
  // Back: the list as it was before the room was opened.
  await page.goBack();
  await expect(page).not.toHaveURL(/open=/);
  await expect(page.getByRole('complementary', { name })).toHaveCount(0);
  await expect(page).toHaveURL(/sort=site/);
});

test('by keyboard alone: the skip link, a room opened with Enter, Escape closing it and focus back on its row', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();

  const first = page.getByRole('table').getByRole('rowheader').first().getByRole('button');
  const name = ((await first.textContent()) ?? '').trim();
  for (let i = 0; i < 60 && !(await first.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(first).toBeFocused();
  await page.keyboard.press('Enter');
  const pane = page.getByRole('complementary', { name });
  await expect(pane).toBeVisible();
  await expect(pane.getByRole('heading', { name })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(pane).toHaveCount(0);
  await expect(page).not.toHaveURL(/open=/);
  await expect(first).toBeFocused();
});

test('a large room group opens with its actions first and its rooms a page at a time, searchable', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/room-groups');
  await page.getByRole('button', { name: 'All US rooms', exact: true }).click();
  const pane = page.getByRole('complementary', { name: 'All US rooms' });
  // The group's actions come before its rooms, in view as the pane opens.
  await expect(pane.getByRole('button', { name: 'Delete group' })).toBeInViewport();
  await expect(pane.getByRole('heading', { name: /^Rooms \(\d+\)$/ })).toBeVisible();
  const total = Number(/\((\d+)\)/.exec((await pane.getByRole('heading', { name: /^Rooms \(/ }).textContent()) ?? '')?.[1]);
  expect(total).toBeGreaterThanOrEqual(192);
  const rooms = pane.getByRole('list', { name: 'Rooms in the group' }).getByRole('listitem');
  await expect(rooms).toHaveCount(20);
  await expect(pane.getByText(`20 of ${total} rooms listed`)).toBeVisible();
  const firstPage = await rooms.first().textContent();
  await pane.getByRole('navigation', { name: 'Pages of the group\'s rooms' }).getByRole('button', { name: 'Next' }).click();
  await expect(pane.getByText(/^Page 2 of \d+$/)).toBeVisible();
  await expect(rooms.first()).not.toHaveText(firstPage ?? '');

  // Searching the group's rooms as you type; the search box keeps focus and what was typed.
  const search = pane.getByLabel('Find a room in the group');
  await search.pressSequentially('harbour', { delay: 20 });
  await expect(pane.getByText(/^\d+ of \d+ rooms listed$/)).not.toHaveText(`20 of ${total} rooms listed`);
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('harbour');
  const found = await rooms.allTextContents();
  expect(found.length).toBeGreaterThan(0);
  for (const text of found) expect(text.toLowerCase()).toContain('harbour');
  await search.fill('no such room anywhere');
  await search.press('Enter');
  await expect(pane.getByText('No room of the group matches.')).toBeVisible();
});

test('the rooms list shows as many rooms a page as chosen, and the address keeps the choice', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  const status = page.getByRole('status').filter({ hasText: /^Rooms / });
  await expect(status).toHaveText(/^Rooms 1–25 of \d+$/);
  await page.getByLabel('Rooms a page').selectOption('50');
  await expect(page).toHaveURL(/per_page=50/);
  await expect(status).toHaveText(/^Rooms 1–50 of \d+$/);
  await expect(page.getByRole('table').getByRole('rowheader')).toHaveCount(50);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next' }).click();
  await expect(status).toHaveText(/^Rooms 51–100 of \d+$/);
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByLabel('Rooms a page')).toHaveValue('50');
  await expect(status).toHaveText(/^Rooms 51–100 of \d+$/);
});

test('room groups, update rings and security groups keep the open item in the address: Reload and a link show it, Back closes it', async ({ page, browser }) => {
  await signIn(page, 'grace@contoso.com');
  for (const list of ['/room-groups', '/update-rings', '/settings/security-groups']) {
    await open(page, list);
    const first = page.getByRole('table').getByRole('rowheader').first().getByRole('button');
    const name = (await first.textContent())?.trim() ?? '';
    await first.click();
    const pane = page.getByRole('complementary', { name });
    await expect(pane).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`${list}\\?open=[0-9a-f-]{36}$`));
    await expect(first).toHaveAttribute('aria-expanded', 'true');
    const link = page.url();

    await page.reload();
    await waitForHydration(page);
    await expect(pane).toBeVisible();
    await expect(page.getByRole('table').getByRole('rowheader').first().getByRole('button')).toHaveAttribute('aria-expanded', 'true');

    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`${list}$`));
    await expect(pane).toBeHidden();

    // The link, opened by a colleague in a browser of their own, shows the same item.
    const colleague = await pageInNewContext(browser);
    await signIn(colleague, 'grace@contoso.com');
    await open(colleague, link);
    await expect(colleague.getByRole('complementary', { name })).toBeVisible();
    await colleague.context().close();
  }
});

test('an update ring is deleted after a confirmation that says how many rooms it holds, and its rooms are then in no ring', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/update-rings');
  const name = uniqueName('Short-lived ring');
  await page.getByRole('button', { name: 'New update ring' }).click();
  const form = page.getByRole('complementary', { name: 'New update ring' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Deferral (days)').fill('5');
  await form.getByRole('button', { name: 'Create ring' }).click();
  const pane = page.getByRole('complementary', { name });
  await expect(pane).toBeVisible();
  const ring = new URL(page.url()).searchParams.get('open');
  const { actor } = await call<{ actor: { org: string } }>(page, 'get_session', {});
  const rooms = await call<{ rows: { id: string; display_name: string }[] }>(page, 'list_rooms', {
    org: actor.org,
    query: { search: '', country: null, site: null, platform: null, health: null, enrollment: null, ring: null, sort: 'Name', descending: false, page: 0 },
  });
  const room = rooms.rows[0];
  await call(page, 'set_room_ring', { org: actor.org, id: room.id, ring });
  await page.reload();
  await waitForHydration(page);
  await expect(pane.getByRole('status').filter({ hasText: '1 of your rooms' })).toBeVisible();

  await pane.getByRole('button', { name: 'Delete ring' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete this update ring?' });
  await expect(dialog).toContainText(`${name} will be deleted, and the rooms in it (1 of yours) will be in no update ring`);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Update ring deleted.' })).toBeVisible();
  await expect(dialog).toHaveCount(0);
  await expect(pane).toHaveCount(0);
  await expect(page).not.toHaveURL(/open=/);
  await expect(page.getByRole('table').getByRole('button', { name, exact: true })).toHaveCount(0);
  const after = await call<{ room: { update_ring: unknown } }>(page, 'get_room', { org: actor.org, id: room.id });
  expect(after.room.update_ring).toBeNull();
});

test('a room group is deleted through its dialog, and the page says so once', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/room-groups');
  const name = uniqueName('Short-lived group');
  await page.getByRole('button', { name: 'New room group' }).click();
  const form = page.getByRole('complementary', { name: 'New room group' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Create group' }).click();
  const pane = page.getByRole('complementary', { name });
  await expect(pane).toBeVisible();
  await pane.getByRole('button', { name: 'Delete group' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete this room group?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(pane).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Room group deleted.' })).toHaveCount(1);
  await expect(page.getByRole('table').getByRole('button', { name, exact: true })).toHaveCount(0);
});

/** Rooms made through the server functions, named `<prefix> 1`, `<prefix> 2`, … */
async function roomsNamed(page: Page, org: string, prefix: string, count: number): Promise<Room[]> {
  const made: Room[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `${prefix} ${i}`;
    const account = `${name.replace(/\W+/g, '-').toLowerCase()}@contoso.com`;
    made.push(await call<Room>(page, 'create_room', {
      org,
      input: { display_name: name, resource_account: account, site: 'Bulk site', city: 'Testville', country: 'US', platform: 'Windows' },
    }));
  }
  return made;
}

test('a room is deleted from its pane after a confirmation that says what goes with it', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  const org = await orgOf(page);
  const [room] = await roomsNamed(page, org, uniqueName('Doomed room'), 1);
  await open(page, `/rooms?q=${encodeURIComponent(room.display_name)}&open=${room.id}`);
  const pane = page.getByRole('complementary', { name: room.display_name });
  await expect(pane).toBeVisible();

  await pane.getByRole('button', { name: 'Delete room' }).click();
  const dialog = page.getByRole('alertdialog', { name: `Delete ${room.display_name}?` });
  await expect(dialog).toContainText('its device can no longer report, and its incidents and their tickets are deleted with it');
  await dialog.getByRole('button', { name: 'Delete room' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Room deleted, with its device credential, incidents and tickets.' })).toBeVisible();
  await expect(dialog).toHaveCount(0);
  await expect(pane).toHaveCount(0);
  await expect(page).not.toHaveURL(/open=/);
  await expect(page.getByText('No rooms match these filters.')).toBeVisible();
  const left = await call<{ total: number }>(page, 'list_rooms', {
    org,
    query: { search: room.display_name, country: null, site: null, platform: null, health: null, enrollment: null, ring: null, sort: 'Name', descending: false, page: 0 },
  });
  expect(left.total).toBe(0);
});

test('selected rooms are moved to an update ring and added to a room group, with progress and a report', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await open(page, '/rooms');
  const org = await orgOf(page);
  const prefix = uniqueName('Bulk room');
  const rooms = await roomsNamed(page, org, prefix, 3);
  const ring = await call<{ id: string; name: string }>(page, 'create_update_ring', {
    org,
    input: { name: uniqueName('Bulk ring'), deferral_days: '4' },
  });
  const group = await call<{ id: string; name: string }>(page, 'create_room_group', {
    org,
    input: { name: uniqueName('Bulk group'), description: '', rule_country: '', rule_site: '' },
  });
  await open(page, `/rooms?q=${encodeURIComponent(prefix)}`);
  const table = page.getByRole('table');
  await expect(table.getByRole('rowheader')).toHaveCount(3);

  // Every room on the page, to a ring.
  await page.getByRole('checkbox', { name: 'Select every room on this page' }).check();
  const bar = page.getByRole('region', { name: '3 rooms selected' });
  await expect(bar).toBeVisible();
  await bar.getByLabel('Update ring').selectOption({ label: `${ring.name} (4 days)` });
  await bar.getByRole('button', { name: 'Move to ring' }).click();
  const done = page.getByRole('status').filter({ hasText: `3 of 3 rooms moved to ${ring.name}.` });
  await expect(done).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No rooms selected' })).toBeVisible();
  for (const room of rooms) {
    await expect(table.getByRole('row').filter({ hasText: room.display_name })).toContainText(ring.name);
  }

  // Two of them, picked one by one, to a group.
  await page.getByRole('checkbox', { name: `Select ${rooms[0].display_name}` }).check();
  await page.getByRole('checkbox', { name: `Select ${rooms[2].display_name}` }).check();
  const two = page.getByRole('region', { name: '2 rooms selected' });
  await two.getByLabel('Room group').selectOption({ label: group.name });
  await two.getByRole('button', { name: 'Add to group' }).click();
  await expect(page.getByRole('status').filter({ hasText: `2 of 2 rooms added to ${group.name}.` })).toBeVisible();
  const after = await call<{ group: { room_count: number }; members: [{ display_name: string }, boolean][] }>(page, 'get_room_group', {
    org,
    id: group.id,
  });
  expect(after.group.room_count).toBe(2);
  expect(after.members.map(([r]) => r.display_name).sort()).toEqual([rooms[0].display_name, rooms[2].display_name]);
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await expect(page.getByRole('region', { name: /selected/ })).toHaveCount(0);
});
