// Signed-in pages against their own server functions, on a kept-alive connection as browsers
// keep them, and the rooms page under 16 concurrent connections. Prints medians and p95 in ms
// beside each other. Run by bench/pages.sh, which starts the identity provider and the portal.
//
//   node end2end/scripts/bench-pages.mjs <base-url> <label>
import { launch, signedIn } from './bench-signin.mjs';

const [base, label] = process.argv.slice(2);
const ROUNDS = 200;

async function signIn() {
  const browser = await launch();
  const context = await signedIn(browser, base);
  const cookies = await context.cookies(base);
  await browser.close();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

const cookie = await signIn();
const get = (path) => fetch(`${base}${path}`, { headers: { cookie } });
const post = (fn, body) =>
  fetch(`${base}/api/${fn}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', origin: base },
    body: JSON.stringify(body),
  });

async function once(request) {
  const t0 = performance.now();
  const r = await request();
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`${r.status} ${r.url}`);
  return performance.now() - t0;
}

const p = (times, q) => [...times].sort((a, b) => a - b)[Math.floor(times.length * q)];

// The page and its server functions take turns, round after round, so that whatever else the
// machine does meanwhile weighs on both sides of the ratio alike.
async function timed(page, fns) {
  const pageTimes = [];
  const fnTimes = fns.map(() => []);
  for (let i = 0; i < ROUNDS; i++) {
    pageTimes.push(await once(page));
    for (const [k, fn] of fns.entries()) fnTimes[k].push(await once(fn));
  }
  return {
    page: { p50: p(pageTimes, 0.5), p95: p(pageTimes, 0.95) },
    fns: fnTimes.reduce((sum, times) => sum + p(times, 0.5), 0),
  };
}

const session = await (await post('get_session', {})).json();
const org = session.actor.org;
const rooms = { search: '', country: null, site: null, platform: null, health: null, enrollment: null, ring: null, sort: 'Name', descending: false, page: 0 };
const incidents = { status: null, ticket: null, severity: null, category: null, room: null, text: '', from: null, to: null, customer: null, sort: 'Newest', page: 'First' };
const audit = { from: null, to: null, category: null, result_status: null, page: 0 };
const cases = [
  ['/ (overview)', '/', [['get_overview', {}]]],
  ['/rooms', '/rooms', [['list_rooms', { org, query: rooms }], ['room_facets', { org }], ['get_enrollment_key', { org }]]],
  ['/incidents', '/incidents', [['list_incidents', { org, query: incidents }]]],
  ['/settings/audit-logs', '/settings/audit-logs', [['list_audit', { org, query: audit }]]],
];
const ms = (x) => x.toFixed(2).padStart(7);
console.log(`== ${label}: ${ROUNDS} rounds of the page and its server fns in turn, one kept-alive connection (median / p95, ms)`);
console.log('page                      page p50    p95 | its server fns p50 (sum) | page ÷ fns');
for (const [name, path, fns] of cases) {
  const { page, fns: sum } = await timed(() => get(path), fns.map(([fn, body]) => () => post(fn, body)));
  console.log(`${name.padEnd(24)} ${ms(page.p50)} ${ms(page.p95)} | ${ms(sum)}                  | ${(page.p50 / sum).toFixed(2)}`);
}

// 16 connections asking for the rooms page for 5 s.
const until = performance.now() + 5000;
let served = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (performance.now() < until) {
      const r = await get('/rooms');
      await r.arrayBuffer();
      if (r.ok) served++;
    }
  }),
);
console.log(`/rooms under 16 concurrent connections: ${(served / 5).toFixed(0)} pages/s`);
