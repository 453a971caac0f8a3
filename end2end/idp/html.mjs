// HTML for the local identity provider's own pages (login, sign-out, errors).
// Every value that comes from a request or from demo.json goes through esc().
// No external fonts or scripts: the machines running the tests have no internet.

export function esc(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f3f4f6; color: #111827; }
  main { max-width: 24rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: .5rem;
         box-shadow: 0 1px 3px rgb(0 0 0 / .2); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { display: block; width: 100%; box-sizing: border-box; margin-top: .25rem; padding: .5rem; font: inherit; }
  .actions { display: flex; gap: .5rem; margin-top: 1.5rem; }
  button { font: inherit; padding: .5rem 1rem; cursor: pointer; }
  button.primary { background: #1d4ed8; color: #fff; border: 1px solid #1d4ed8; border-radius: .25rem; }
  button.secondary { background: #fff; color: #1f2937; border: 1px solid #6b7280; border-radius: .25rem; }
  [role=alert] { margin-top: 1rem; padding: .75rem; background: #fef2f2; color: #991b1b; border: 1px solid #fca5a5; }
  p.hint { color: #4b5563; font-size: .9rem; }`;

// `title` and `body` are trusted markup built by the functions below.
export function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

// One form, two submit buttons: "Cancel" posts to its own route via formaction and skips
// the `required` checks (formnovalidate), so cancelling never needs a typed e-mail address.
export function loginPage({ issuerName, uid, email = '', error = '' }) {
  const action = `/interaction/${esc(uid)}`;
  const alert = error ? `<p role="alert">${esc(error)}</p>` : '';
  return page(`Sign in to ${esc(issuerName)}`, `
<h1>Sign in to ${esc(issuerName)}</h1>
${alert}
<form method="post" action="${action}/login" autocomplete="on">
  <label for="email">Email address</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${esc(email)}"${email ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${email ? ' autofocus' : ''}>
  <div class="actions">
    <button type="submit" class="primary">Sign in</button>
    <button type="submit" class="secondary" formaction="${action}/cancel" formnovalidate>Cancel</button>
  </div>
</form>
<p class="hint">Local demo identity provider. Demo accounts only.</p>`);
}

// `form` is the provider's hidden form (id "op.logoutForm", carrying its CSRF token). The hidden
// `logout=yes` input ends the whole identity-provider session, not only this client's part of it.
export function logoutPage({ issuerName, form }) {
  return page(`Sign out of ${esc(issuerName)}`, `
<h1>Signing you out of ${esc(issuerName)}</h1>
${form}
<input type="hidden" name="logout" value="yes" form="op.logoutForm">
<p>If nothing happens, select the button.</p>
<button type="submit" class="primary" form="op.logoutForm">Sign out</button>
<script>document.getElementById('op.logoutForm').submit();</script>`);
}

export function signedOutPage({ issuerName }) {
  return page('You are signed out', `
<h1>You are signed out</h1>
<p>You have signed out of ${esc(issuerName)}. You can close this window.</p>`);
}

export function errorPage({ heading, details = [] }) {
  const lines = details.filter(Boolean).map((line) => `<p>${esc(line)}</p>`).join('\n');
  return page(esc(heading), `
<h1>${esc(heading)}</h1>
${lines}`);
}
