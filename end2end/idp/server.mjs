// Local OpenID Connect identity provider for Rooms MTM end-to-end tests and demos.
//
// One oidc-provider instance per entry of demo.json `issuers`, each on http://127.0.0.1:<port>.
// Users, tenants and client secrets come from demo.json (also read by the portal's demo seeder),
// so the portal and this provider always agree on who exists. Demo only: the password is public.
//
// Run: `npm run idp` (or `node idp/server.mjs`) in end2end/. Stop with Ctrl-C or SIGTERM.
// Env: ROOMS_REDIRECT_URIS, ROOMS_POST_LOGOUT_URIS (comma-separated) override the client's URIs.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider, { errors } from 'oidc-provider';

import { errorPage, loginPage, logoutPage, signedOutPage } from './html.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEMO = JSON.parse(fs.readFileSync(path.join(HERE, 'demo.json'), 'utf8'));
const KEYS_DIR = path.join(HERE, 'keys'); // git-ignored

const LOGIN_FAILED = 'Incorrect email address or password.';

function uriList(name, fallback) {
  const list = (process.env[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error(`${name} must list at least one URI`);
  return list;
}
const REDIRECT_URIS = uriList('ROOMS_REDIRECT_URIS', 'http://127.0.0.1:3000/auth/callback');
const POST_LOGOUT_URIS = uriList('ROOMS_POST_LOGOUT_URIS', 'http://127.0.0.1:3000/login?signed_out=1');

// Compare fixed-length SHA-256 digests so timingSafeEqual never sees buffers of different length.
const sha256 = (text) => crypto.createHash('sha256').update(text, 'utf8').digest();
const PASSWORD_DIGEST = sha256(DEMO.password);
const passwordMatches = (given) => crypto.timingSafeEqual(sha256(given), PASSWORD_DIGEST);

// The accounts of one issuer: every user of every organisation that signs in there, including
// the operator's organisations (added with `server org add`, never by the portal's seed).
// `jit_only` users are ordinary users here; the flag only matters to the portal's seeder.
const ALL_ORGANISATIONS = [...DEMO.organisations, ...(DEMO.operator_organisations ?? [])];
function accountsOf(issuerKey) {
  const byUpn = new Map();
  const bySub = new Map();
  for (const org of ALL_ORGANISATIONS.filter((o) => o.issuer === issuerKey)) {
    for (const user of org.users) {
      const claims = {
        sub: user.sub,
        email: user.upn,
        email_verified: true,
        name: user.name,
        preferred_username: user.upn,
        oid: user.oid,
        tid: org.tenant_id,
      };
      byUpn.set(user.upn.toLowerCase(), claims);
      bySub.set(user.sub, claims);
    }
  }
  return { byUpn, bySub };
}

// One RS256 key per issuer, created on first start and kept on disk so the key id (the provider
// derives it from the JWK thumbprint) and therefore cached JWKS stay valid across restarts.
function signingKey(issuerKey) {
  const file = path.join(KEYS_DIR, `${issuerKey}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' };
  fs.mkdirSync(KEYS_DIR, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
  return jwk;
}

function createProvider(issuerEntry, accounts) {
  const issuer = `http://127.0.0.1:${issuerEntry.port}`;
  const sendHtml = (ctx, html) => {
    ctx.type = 'html';
    ctx.body = html;
  };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: issuerEntry.client_id,
      client_secret: issuerEntry.client_secret,
      // oidc-provider holds a client to exactly one token endpoint auth method.
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: REDIRECT_URIS,
      post_logout_redirect_uris: POST_LOGOUT_URIS,
    }],
    responseTypes: ['code'],
    pkce: { required: () => true }, // v9 only supports S256
    claims: {
      openid: ['sub', 'tid'], // tid on openid, as Entra ID does
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'oid'],
    },
    // Put the scope's claims into the ID token of the code flow too; the portal reads them from there.
    conformIdTokenClaims: false,
    async findAccount(ctx, sub) {
      const claims = accounts.bySub.get(sub);
      return claims && { accountId: sub, claims: async () => ({ ...claims }) };
    },
    jwks: { keys: [signingKey(issuerEntry.key)] },
    cookies: {
      // Cookies ignore the port: both issuers and the portal share the host 127.0.0.1, so the
      // default names (_session, ...) would let one issuer overwrite the other's session.
      names: {
        session: `idp_${issuerEntry.key}_session`,
        interaction: `idp_${issuerEntry.key}_interaction`,
        resume: `idp_${issuerEntry.key}_resume`,
      },
      // Sessions live in memory only, so per-process cookie keys lose nothing on restart.
      keys: [crypto.randomBytes(32).toString('base64url')],
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false }, // they accept any password; we serve our own login page
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => sendHtml(ctx, logoutPage({ issuerName: issuerEntry.name, form })),
        postLogoutSuccessSource: async (ctx) => sendHtml(ctx, signedOutPage({ issuerName: issuerEntry.name })),
      },
    },
    // Explicit lifetimes (seconds) instead of the library defaults it warns about.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    async renderError(ctx, out) {
      sendHtml(ctx, errorPage({ heading: 'Sign-in error', details: [out.error, out.error_description] }));
    },
  });
  provider.on('server_error', (ctx, err) => console.error(`${issuer}: server error`, err));
  return provider;
}

async function readForm(req) {
  let body = '';
  req.setEncoding('utf8');
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function sendPage(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

// Consent is automatic: grant whatever the pending request is missing, then let the provider
// continue. This runs when the provider asks for the "consent" prompt, i.e. right after login.
async function grantConsent(provider, details, req, res) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  const consent = details.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

// Our interaction routes; everything else goes to the provider itself.
//   GET  /interaction/:uid         login page (or automatic consent)
//   POST /interaction/:uid/login   check e-mail + password
//   POST /interaction/:uid/cancel  finish with access_denied
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|cancel))?$/;

function createHandler(provider, issuerEntry, accounts) {
  const providerCallback = provider.callback();

  async function interaction(req, res, uid, action) {
    // Reads the interaction named by the provider's cookie; the uid in the URL must match it,
    // so a form for an older or foreign interaction is never accepted.
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      return sendPage(res, 400, errorPage({
        heading: 'Sign-in request not found',
        details: ['This sign-in page is out of date. Go back to the portal and sign in again.'],
      }));
    }
    const promptName = details.prompt.name;

    if (req.method === 'GET' && !action) {
      if (promptName === 'consent') return grantConsent(provider, details, req, res);
      return sendPage(res, 200, loginPage({
        issuerName: issuerEntry.name, uid, email: details.params.login_hint ?? '',
      }));
    }
    if (req.method !== 'POST' || !action) {
      res.writeHead(405, { Allow: action ? 'POST' : 'GET' });
      return res.end();
    }

    if (action === 'cancel') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'The user cancelled the sign-in.',
      }, { mergeWithLastSubmission: false });
    }

    if (promptName !== 'login') {
      return sendPage(res, 400, errorPage({ heading: 'Unexpected sign-in step', details: ['Go back to the portal and sign in again.'] }));
    }
    const form = await readForm(req);
    const email = (form.get('email') ?? '').trim();
    const account = accounts.byUpn.get(email.toLowerCase());
    // Check the password even for unknown users so both failures look and take the same.
    const passwordOk = passwordMatches(form.get('password') ?? '');
    if (!account || !passwordOk) {
      // 200, not 401: a 401 shows up as a console error in browser tests.
      return sendPage(res, 200, loginPage({ issuerName: issuerEntry.name, uid, email, error: LOGIN_FAILED }));
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }

  return async (req, res) => {
    const match = INTERACTION_PATH.exec(new URL(req.url, 'http://127.0.0.1').pathname);
    if (!match) return providerCallback(req, res);
    try {
      await interaction(req, res, match[1], match[2]);
    } catch (err) {
      if (res.headersSent) return res.destroy();
      if (err instanceof errors.SessionNotFound) {
        return sendPage(res, 400, errorPage({
          heading: 'Sign-in request not found',
          details: ['This sign-in request has expired or was already used. Go back to the portal and sign in again.'],
        }));
      }
      console.error(`${provider.issuer}: interaction error`, err);
      sendPage(res, 500, errorPage({ heading: 'Something went wrong', details: ['Try again from the portal.'] }));
    }
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const servers = [];
for (const issuerEntry of DEMO.issuers) {
  const accounts = accountsOf(issuerEntry.key);
  const provider = createProvider(issuerEntry, accounts);
  const server = http.createServer(createHandler(provider, issuerEntry, accounts));
  try {
    await listen(server, issuerEntry.port);
  } catch (err) {
    const reason = err.code === 'EADDRINUSE'
      ? `port ${issuerEntry.port} is already in use (is another identity provider still running?)`
      : err.message;
    console.error(`idp: cannot start issuer ${provider.issuer}: ${reason}`);
    for (const started of servers) started.close();
    process.exit(1);
  }
  servers.push(server);
  console.log(`issuer ${provider.issuer} ready (${accounts.bySub.size} users)`);
}

function shutdown(signal) {
  console.log(`idp: ${signal}, stopping`);
  for (const server of servers) {
    server.close();
    server.closeAllConnections(); // do not wait for browsers' idle keep-alive connections
  }
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
