// An organisation the operator adds with `server org add` (not the demo seed), with its own
// identity provider (the "tailspin" issuer of idp/demo.json, port 4013) and its client secret in
// a file, signs in; the Global admin the operator named becomes one at their first sign-in.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, open, org, rowOf, signIn, signOut, startSignIn, test } from './helpers';

const HERE = path.dirname(fileURLToPath(import.meta.url));

type Issuer = { key: string; name: string; port: number; client_id: string; client_secret: string };
type OperatorOrg = { name: string; domains: string[]; issuer: string; tenant_id: string; users: { upn: string; name: string }[] };
const DIRECTORY = JSON.parse(fs.readFileSync(path.join(HERE, '..', 'idp', 'demo.json'), 'utf8')) as {
  issuers: Issuer[];
  operator_organisations: OperatorOrg[];
};
const TAILSPIN = DIRECTORY.operator_organisations.find((o) => o.name === 'Tailspin Toys')!;
const TAILSPIN_IDP = DIRECTORY.issuers.find((i) => i.key === TAILSPIN.issuer)!;

type OrgView = { id: string; name: string; domains: string[]; client_secret: string; users: number; pending_global_admin: string | null };

function tailspinRow(): OrgView | undefined {
  return (JSON.parse(org('list', '--json')) as OrgView[]).find((o) => o.domains.includes(TAILSPIN.domains[0]));
}

test('an organisation added by the operator signs in with its own identity provider', async ({ page }) => {
  const issuer = `http://127.0.0.1:${TAILSPIN_IDP.port}`;
  // The identity provider's process serves this issuer too; it may still be starting it.
  await expect
    .poll(async () => (await fetch(`${issuer}/.well-known/openid-configuration`).catch(() => null))?.status)
    .toBe(200);
  // An earlier run against the same database: start from nothing.
  const earlier = tailspinRow();
  if (earlier) org('remove', earlier.id, '--yes');

  // Before the operator adds it, nobody of Tailspin can sign in.
  await open(page, '/login');
  await page.getByLabel('Work e-mail address').fill('kim@tailspintoys.com');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\/login\?.*error=unknown_domain/);

  // The secret stays in a file only the server reads; the database keeps the path.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rooms-operator-'));
  const secretFile = path.join(dir, 'tailspin.secret');
  fs.writeFileSync(secretFile, `${TAILSPIN_IDP.client_secret}\n`, { mode: 0o600 });
  const added = JSON.parse(
    org(
      'add', TAILSPIN.name,
      '--domain', TAILSPIN.domains[0],
      '--issuer', issuer,
      '--client-id', TAILSPIN_IDP.client_id,
      '--client-secret-file', secretFile,
      '--tenant-id', TAILSPIN.tenant_id,
      '--global-admin', 'kim@tailspintoys.com',
      '--json',
    ),
  ) as OrgView;
  expect(added.client_secret).toBe(`file:${secretFile}`);
  expect(added.pending_global_admin).toBe('kim@tailspintoys.com');

  // Lee signs in first, at Tailspin's own identity provider: a user, not an administrator.
  await startSignIn(page, 'lee@tailspintoys.com');
  await expect(page.getByRole('heading', { name: `Sign in to ${TAILSPIN_IDP.name}` })).toBeVisible();
  await signIn(page, 'lee@tailspintoys.com');
  await expect(page.getByText('Signed in as Lee Oliver (lee@tailspintoys.com) of Tailspin Toys.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'What you hold' })).toContainText('You have no role and no rooms to manage here yet.');
  await signOut(page);

  // Kim, the Global admin the operator named, is one from her first sign-in.
  await signIn(page, 'kim@tailspintoys.com');
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  const header = page.getByRole('banner');
  await expect(header).toContainText('Kim Abercrombie');
  await expect(header).toContainText('Tailspin Toys');
  await expect(page.getByText('Signed in as Kim Abercrombie (kim@tailspintoys.com) of Tailspin Toys.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'What you hold' })).toContainText('Global admin over all rooms');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administrators' }).click();
  await expect(page).toHaveURL('/settings/administrators');
  await expect(rowOf(page, 'Kim Abercrombie')).toContainText('Global admin');
  await expect(rowOf(page, 'Lee Oliver')).toHaveCount(0);

  const after = tailspinRow();
  expect(after?.users).toBe(2);
  expect(after?.pending_global_admin).toBeNull();

  // The operator removes it again: its users can no longer sign in.
  await signOut(page);
  org('remove', added.id, '--yes');
  await open(page, '/login');
  await page.getByLabel('Work e-mail address').fill('kim@tailspintoys.com');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\/login\?.*error=unknown_domain/);
  fs.rmSync(dir, { recursive: true, force: true });
});
