// Smoke test for the local identity provider (idp/server.mjs), without a browser.
// Run while the provider is running:  node idp/selftest.mjs   (exits 1 on the first failure)
//
// Plays the portal's part with fetch: code flow + PKCE S256 + client_secret_basic, and checks
// the failure paths the portal relies on. It never contacts the redirect URI itself; it stops
// at the redirect that points there and reads the query string.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEMO = JSON.parse(fs.readFileSync(path.join(HERE, 'demo.json'), 'utf8'));
const REDIRECT_URI = (process.env.ROOMS_REDIRECT_URIS ?? 'http://127.0.0.1:3000/auth/callback').split(',')[0].trim();
const POST_LOGOUT_URI = (process.env.ROOMS_POST_LOGOUT_URIS ?? 'http://127.0.0.1:3000/login?signed_out=1').split(',')[0].trim();

const issuerUrl = (entry) => `http://127.0.0.1:${entry.port}`;
const CUSTOMERS = DEMO.issuers.find((i) => i.key === 'customers');
const CUSTOMERS_URL = issuerUrl(CUSTOMERS);

function check(condition, message, detail) {
  if (!condition) {
    console.error(`FAIL - ${message}${detail === undefined ? '' : `\n       ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`);
    process.exit(1);
  }
  console.log(`ok - ${message}`);
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// Minimal cookie jar. Cookies ignore ports, so one jar for 127.0.0.1 is what a browser has too.
class Jar {
  cookies = new Map(); // name -> { value, path }

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const attr = (key) => attrs.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=')[1];
      const expires = attr('expires');
      if (attr('max-age') === '0' || (expires && Date.parse(expires) < Date.now())) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, { value, path: attr('path') ?? '/' });
      }
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.cookies]
      .filter(([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }
}

// Fetches `url` and follows redirects (303 after a POST becomes a GET) until a page is returned
// or the next hop is the client's redirect URI, which is returned unfetched as `clientRedirect`.
async function browse(jar, url, { method = 'GET', form, headers = {} } = {}) {
  for (let hops = 0; hops < 10; hops += 1) {
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(url), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (!location) return { status: response.status, url, html: await response.text() };
    const next = new URL(location, url).href;
    if (next.startsWith(REDIRECT_URI) || next.startsWith(POST_LOGOUT_URI)) {
      return { status: response.status, url, clientRedirect: new URL(next) };
    }
    url = next;
    method = 'GET';
    form = undefined;
  }
  throw new Error(`too many redirects at ${url}`);
}

function authorizationUrl(issuer, { pkce = true, loginHint } = {}) {
  const verifier = b64url(crypto.randomBytes(32));
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const state = b64url(crypto.randomBytes(16));
  const nonce = b64url(crypto.randomBytes(16));
  const url = new URL(`${issuerUrl(issuer)}/auth`);
  url.search = new URLSearchParams({
    client_id: issuer.client_id,
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: REDIRECT_URI,
    state,
    nonce,
    ...(pkce ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    ...(loginHint ? { login_hint: loginHint } : {}),
  });
  return { url: url.href, verifier, state, nonce };
}

// Starts a sign-in and returns the login page plus the URLs of its two form actions.
async function openLoginPage(jar, issuer, options) {
  const request = authorizationUrl(issuer, options);
  const page = await browse(jar, request.url);
  const action = /<form method="post" action="([^"]+)"/.exec(page.html ?? '')?.[1];
  const cancel = /formaction="([^"]+)"/.exec(page.html ?? '')?.[1];
  return {
    request, page,
    loginUrl: action && new URL(action, page.url).href,
    cancelUrl: cancel && new URL(cancel, page.url).href,
  };
}

async function tokenRequest(issuer, params, secret = issuer.client_secret) {
  const basic = Buffer.from(`${encodeURIComponent(issuer.client_id)}:${encodeURIComponent(secret)}`).toString('base64');
  const response = await fetch(`${issuerUrl(issuer)}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, ...params }),
  });
  return { status: response.status, body: await response.json() };
}

async function verifyIdToken(issuer, idToken) {
  const [header, payload, signature] = idToken.split('.');
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url'));
  const { keys } = await (await fetch(`${issuerUrl(issuer)}/jwks`)).json();
  const jwk = keys.find((k) => k.kid === kid);
  const valid = jwk && crypto.verify('sha256', Buffer.from(`${header}.${payload}`),
    crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'));
  return { alg, valid, claims: JSON.parse(Buffer.from(payload, 'base64url')) };
}

// --- discovery -------------------------------------------------------------------------------
for (const issuer of DEMO.issuers) {
  const config = await (await fetch(`${issuerUrl(issuer)}/.well-known/openid-configuration`)).json();
  check(config.issuer === issuerUrl(issuer), `discovery ${issuer.key}: issuer is ${issuerUrl(issuer)}`, config.issuer);
  check(config.code_challenge_methods_supported?.join() === 'S256', `discovery ${issuer.key}: only S256 PKCE`);
  check(Boolean(config.end_session_endpoint), `discovery ${issuer.key}: end_session_endpoint advertised`);
}

// --- happy path: grace@contoso.com on the customers issuer ------------------------------------
const grace = DEMO.organisations.flatMap((o) => o.users.map((u) => ({ ...u, tid: o.tenant_id })))
  .find((u) => u.upn === 'grace@contoso.com');
const jar = new Jar();
const login = await openLoginPage(jar, CUSTOMERS, { loginHint: grace.upn });
check(login.page.status === 200 && login.page.html.includes(`<title>Sign in to ${CUSTOMERS.name}</title>`),
  `login page titled "Sign in to ${CUSTOMERS.name}"`, login.page.html?.slice(0, 300));
check(/<label for="email">Email address<\/label>/.test(login.page.html) && /<label for="password">Password<\/label>/.test(login.page.html),
  'login page labels "Email address" and "Password"');
check(/<button type="submit"[^>]*>Sign in<\/button>/.test(login.page.html) && /<button type="submit"[^>]*>Cancel<\/button>/.test(login.page.html),
  'login page buttons "Sign in" and "Cancel"');
check(login.page.html.includes(`value="${grace.upn}"`), 'email pre-filled from login_hint');

const signedIn = await browse(jar, login.loginUrl, { method: 'POST', form: { email: 'Grace@Contoso.com', password: DEMO.password } });
const code = signedIn.clientRedirect?.searchParams.get('code');
check(code && signedIn.clientRedirect.searchParams.get('state') === login.request.state,
  'correct password (upn matched case-insensitively) redirects to the client with code and state', signedIn.clientRedirect?.href ?? signedIn.html?.slice(0, 300));

const tokens = await tokenRequest(CUSTOMERS, { code, code_verifier: login.request.verifier });
check(tokens.status === 200 && tokens.body.id_token, 'token request with client_secret_basic + code_verifier succeeds', tokens.body);
const idToken = await verifyIdToken(CUSTOMERS, tokens.body.id_token);
check(idToken.alg === 'RS256' && idToken.valid, 'ID token is RS256 and its signature verifies against /jwks');
const c = idToken.claims;
check(c.iss === CUSTOMERS_URL && c.aud === CUSTOMERS.client_id, 'ID token iss and aud', c);
check(c.sub === grace.sub && c.tid === grace.tid && c.oid === grace.oid && c.email === grace.upn
  && c.email_verified === true && c.name === grace.name && c.preferred_username === grace.upn && c.nonce === login.request.nonce,
  'ID token has sub, tid, oid, email, email_verified, name, preferred_username, nonce', c);
console.log(`       ${JSON.stringify({ sub: c.sub, tid: c.tid, oid: c.oid, email: c.email, name: c.name, nonce: c.nonce })}`);

const replay = await tokenRequest(CUSTOMERS, { code, code_verifier: login.request.verifier });
check(replay.status === 400 && replay.body.error === 'invalid_grant', 'a code cannot be redeemed twice', replay.body);

const silent = authorizationUrl(CUSTOMERS);
const silentResult = await browse(jar, silent.url);
const code2 = silentResult.clientRedirect?.searchParams.get('code');
check(Boolean(code2), 'existing session signs in again without the login page', silentResult.html?.slice(0, 300));
const wrongVerifier = await tokenRequest(CUSTOMERS, { code: code2, code_verifier: b64url(crypto.randomBytes(32)) });
check(wrongVerifier.status === 400 && wrongVerifier.body.error === 'invalid_grant', 'wrong code_verifier gets invalid_grant', wrongVerifier.body);

// --- RP-initiated logout ----------------------------------------------------------------------
const logoutUrl = new URL(`${CUSTOMERS_URL}/session/end`);
logoutUrl.search = new URLSearchParams({ id_token_hint: tokens.body.id_token, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye' });
const logoutPage = await browse(jar, logoutUrl.href);
check(logoutPage.status === 200 && />Sign out<\/button>/.test(logoutPage.html) && logoutPage.html.includes('name="logout" value="yes"'),
  'logout page has the sign-out form and a visible "Sign out" button', logoutPage.html?.slice(0, 300));
const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutPage.html)[1];
const confirmUrl = new URL(/<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(logoutPage.html)[1], logoutPage.url).href;
const loggedOut = await browse(jar, confirmUrl, { method: 'POST', form: { xsrf, logout: 'yes' } });
check(loggedOut.clientRedirect?.href.startsWith(POST_LOGOUT_URI) && loggedOut.clientRedirect.searchParams.get('state') === 'bye',
  'sign-out redirects to the post-logout URI with state', loggedOut.clientRedirect?.href ?? loggedOut.html?.slice(0, 300));
const afterLogout = await openLoginPage(jar, CUSTOMERS);
check(Boolean(afterLogout.loginUrl), 'after sign-out the login page is shown again');

// --- failures ---------------------------------------------------------------------------------
async function expectRefused(issuer, email, password, label) {
  const freshJar = new Jar(); // no earlier session may interfere
  const { loginUrl } = await openLoginPage(freshJar, issuer);
  const result = await browse(freshJar, loginUrl, { method: 'POST', form: { email, password } });
  check(result.clientRedirect === undefined && result.status === 200
    && result.html.includes('<p role="alert">Incorrect email address or password.</p>')
    && result.html.includes(`value="${email}"`),
  `${label}: form shown again with the alert, no code`, result.clientRedirect?.href ?? result.html.slice(0, 300));
}
await expectRefused(CUSTOMERS, grace.upn, 'not-the-password', 'wrong password');
await expectRefused(CUSTOMERS, 'nobody@contoso.com', DEMO.password, 'unknown user');
await expectRefused(CUSTOMERS, 'ada@northwindmsp.com', DEMO.password, 'user of the other issuer (ada on customers)');

const cancelJar = new Jar();
const toCancel = await openLoginPage(cancelJar, CUSTOMERS);
const cancelled = await browse(cancelJar, toCancel.cancelUrl, { method: 'POST', form: {} });
check(cancelled.clientRedirect?.searchParams.get('error') === 'access_denied'
  && cancelled.clientRedirect.searchParams.get('error_description') === 'The user cancelled the sign-in.'
  && cancelled.clientRedirect.searchParams.get('state') === toCancel.request.state,
  'Cancel redirects to the client with error=access_denied', cancelled.clientRedirect?.href ?? cancelled.html?.slice(0, 300));

const noPkce = await browse(new Jar(), authorizationUrl(CUSTOMERS, { pkce: false }).url);
check(noPkce.clientRedirect?.searchParams.get('error') === 'invalid_request',
  'missing code_challenge gets invalid_request', noPkce.clientRedirect?.href ?? noPkce.html?.slice(0, 300));

const staleJar = new Jar();
const stale = await openLoginPage(staleJar, CUSTOMERS);
const foreign = await browse(staleJar, stale.loginUrl.replace(/\/interaction\/[^/]+\//, '/interaction/not-this-one/'),
  { method: 'POST', form: { email: grace.upn, password: DEMO.password } });
check(foreign.status === 400 && foreign.clientRedirect === undefined, 'a form post for another interaction uid is rejected', foreign.status);

const badSecret = await tokenRequest(CUSTOMERS, { code: 'x', code_verifier: b64url(crypto.randomBytes(32)) }, 'wrong-secret');
check(badSecret.status === 401 && badSecret.body.error === 'invalid_client', 'wrong client secret gets invalid_client', badSecret.body);

console.log('selftest passed');
