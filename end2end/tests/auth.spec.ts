// Sign-in and sign-out through the organisations' identity providers (end2end/idp).

import { DEMO_PASSWORD, expect, open, rowOf, signIn, signOut, startSignIn, test, waitForHydration } from './helpers';

test('a customer Global admin signs in and sees the overview', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');

  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  const header = page.getByRole('banner');
  await expect(header.getByRole('link', { name: 'Rooms MTM' })).toBeVisible();
  await expect(header).toContainText('Grace Hopper');
  await expect(header).toContainText('Contoso');
  // Contoso does not manage customers: no mode switch.
  await expect(header.getByRole('navigation', { name: 'Mode' })).toHaveCount(0);
  await expect(page.getByText('Signed in as Grace Hopper (grace@contoso.com) of Contoso.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'What you hold' })).toContainText('Global admin over all rooms');

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Overview' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Administrators' })).toHaveAttribute('href', '/settings/administrators');
  await expect(nav.getByRole('link', { name: 'Security groups' })).toHaveAttribute('href', '/settings/security-groups');
});

test('a partner user signs in and opens partner mode', async ({ page }) => {
  await signIn(page, 'ada@northwindmsp.com');

  const header = page.getByRole('banner');
  await expect(header).toContainText('Northwind Managed Services');
  await expect(header).toContainText('Ada Okafor');
  const modes = header.getByRole('navigation', { name: 'Mode' });
  await expect(modes.getByRole('link', { name: 'Customer mode' })).toHaveAttribute('aria-current', 'page');

  await modes.getByRole('link', { name: 'Partner mode' }).click();
  await expect(page).toHaveURL('/partner');
  await expect(page.getByRole('heading', { level: 1, name: 'Partner mode' })).toBeVisible();
  await expect(modes.getByRole('link', { name: 'Partner mode' })).toHaveAttribute('aria-current', 'page');

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Overview' })).toHaveAttribute('href', '/partner');
  await nav.getByRole('link', { name: 'Tenant managers' }).click();
  await expect(page).toHaveURL('/partner/tenant-managers');
  await expect(page.getByRole('heading', { level: 1, name: 'Tenant managers' })).toBeVisible();
  await expect(rowOf(page, 'Tess Nakamura')).toContainText('tess@northwindmsp.com');
  await expect(rowOf(page, 'Customer onboarding')).toContainText('Security group');
});

test('a wrong password is refused at the identity provider and starts no session', async ({ page }) => {
  await startSignIn(page, 'grace@contoso.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('alert')).toHaveText('Incorrect email address or password.');
  await expect(page.getByRole('heading', { name: 'Sign in to Customer identity' })).toBeVisible();

  await page.goto('/');
  await expect(page).toHaveURL('/login?next=%2F');
  await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
});

test('cancelling at the identity provider returns to the login page', async ({ page }) => {
  await startSignIn(page, 'grace@contoso.com');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(page).toHaveURL(/\/login\?/);
  await expect(page.getByRole('alert')).toHaveText('Sign-in was cancelled. You can start again.');
  await page.goto('/');
  await expect(page).toHaveURL('/login?next=%2F');
});

test('an e-mail domain no organisation uses is refused', async ({ page }) => {
  await open(page, '/login');
  await page.getByLabel('Work e-mail address').fill('someone@unknown-example.org');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page).toHaveURL(/\/login\?.*error=unknown_domain/);
  await expect(page.getByRole('alert')).toHaveText(
    'No organisation uses Rooms MTM with that e-mail domain. Check the address, or ask your administrator.',
  );
  // The address is kept so it can be corrected.
  await expect(page.getByLabel('Work e-mail address')).toHaveValue('someone@unknown-example.org');
});

test('a signed-out visit to a protected page returns there after sign-in', async ({ page }) => {
  await page.goto('/settings/administrators');
  await expect(page).toHaveURL('/login?next=%2Fsettings%2Fadministrators');

  await signIn(page, 'grace@contoso.com');
  await expect(page).toHaveURL('/settings/administrators');
  await expect(page.getByRole('heading', { level: 1, name: 'Administrators' })).toBeVisible();
});

test('signing out ends the session here and at the identity provider', async ({ page }) => {
  await signIn(page, 'grace@contoso.com');
  await signOut(page);

  await expect(page).toHaveURL(/\/login\?signed_out=1/);
  await expect(page.getByRole('status')).toHaveText('You are signed out.');

  await page.goto('/');
  await expect(page).toHaveURL('/login?next=%2F');

  // The identity provider's session is gone too: signing in asks for the password again.
  await startSignIn(page, 'grace@contoso.com');
  await expect(page.getByLabel('Password')).toBeVisible();
});

// The login form works before hydration and without JavaScript: `next` and the e-mail address
// are in the server-rendered HTML, and hydration does not reset what the user typed.
test.describe('the login form without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('keeps the page asked for (?next=) through the sign-in', async ({ page }) => {
    await page.goto('/settings/administrators');
    await expect(page).toHaveURL('/login?next=%2Fsettings%2Fadministrators');
    await page.getByLabel('Work e-mail address').fill('grace@contoso.com');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.port === '3000' && !url.pathname.startsWith('/auth/'));
    await expect(page).toHaveURL('/settings/administrators', { timeout: 2_000 });
  });

  test('shows the refused address again', async ({ page }) => {
    await page.goto('/login?error=unknown_domain&email=someone%40unknown-example.org&next=%2F');
    await expect(page.getByRole('alert')).toContainText('No organisation uses Rooms MTM');
    await expect(page.getByLabel('Work e-mail address')).toHaveValue('someone@unknown-example.org', { timeout: 2_000 });
  });
});

test('an address typed while the page is still loading survives hydration', async ({ page }) => {
  // Hold the WebAssembly back so the user types first, as on a slow connection.
  await page.route('**/pkg/*.wasm', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  await page.goto('/login', { waitUntil: 'domcontentloaded' });
  await page.getByLabel('Work e-mail address').fill('grace@contoso.com');
  await waitForHydration(page);
  await expect(page.getByLabel('Work e-mail address')).toHaveValue('grace@contoso.com', { timeout: 2_000 });
});
