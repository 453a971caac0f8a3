// The first load of a page on a phone-class connection, as issue 11 item 11 defines it: Chromium
// with its CPU slowed 4× and the network at 1.6 Mbit/s down, 750 kbit/s up and 150 ms latency
// (the Chrome DevTools Protocol's throttling), a cold cache, and the release build. Prints, per
// page, the compressed WebAssembly fetched, everything fetched, when the page first shows
// content, and when it answers clicks (hydrated). Run by bench/first-load.sh.
//
//   node end2end/scripts/bench-first-load.mjs <base-url> [screenshot-dir]
import { launch, signedIn } from './bench-signin.mjs';

const [base, shots] = process.argv.slice(2);
const RUNS = 3;

// Records when the page became interactive: the app marks <html data-hydrated> once the page's
// code (its route's split-out chunks included) has hydrated it (frontend/src/lib.rs). The
// script runs before <html> exists, so it watches the document.
const PROBE = `new MutationObserver(() => {
  if (document.documentElement.hasAttribute('data-hydrated')) globalThis.__hydratedAt ??= performance.now();
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });`;

const browser = await launch();

async function signIn() {
  const context = await signedIn(browser, base);
  const state = await context.storageState();
  await context.close();
  return state;
}

async function firstLoad(path, storageState, shot) {
  const context = await browser.newContext({ storageState, viewport: { width: 390, height: 844 } });
  await context.addInitScript(PROBE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    // Bytes per second: 1.6 Mbit/s and 750 kbit/s in SI units (the slower reading).
    downloadThroughput: 1_600_000 / 8,
    uploadThroughput: 750_000 / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const urls = new Map();
  const bytes = { wasm: 0, js: 0, all: 0, wasmFiles: 0 };
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId) ?? '';
    bytes.all += e.encodedDataLength;
    if (/\.wasm(\?|$)/.test(url)) { bytes.wasm += e.encodedDataLength; bytes.wasmFiles++; }
    if (/\.js(\?|$)/.test(url)) bytes.js += e.encodedDataLength;
  });
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  await page.waitForFunction(() => globalThis.__hydratedAt !== undefined, undefined, { timeout: 60_000, polling: 50 });
  await page.waitForLoadState('networkidle');
  const t = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    interactive: globalThis.__hydratedAt,
  }));
  if (shot) await page.screenshot({ path: shot });
  await context.close();
  return { ...t, ...bytes };
}

const grace = await signIn();
const cases = [
  ['/login', '/login', undefined],
  ['/ (overview)', '/', grace],
  ['/rooms', '/rooms', grace],
  ['/incidents', '/incidents', grace],
];
const kb = (n) => `${(n / 1024).toFixed(0).padStart(5)} KB`;
const s = (ms) => `${(ms / 1000).toFixed(2).padStart(5)} s`;
console.log(`== first load, cold cache, CPU 4× slower, 1.6 Mbit/s down, 150 ms latency, 390×844 (median of ${RUNS})`);
console.log('page             WASM (compressed, files)   all fetched   content shown   interactive');
for (const [name, path, state] of cases) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const shot = shots && i === 0 ? `${shots}/${path.replace(/\W+/g, '_') || 'root'}.png` : undefined;
    runs.push(await firstLoad(path, state, shot));
  }
  runs.sort((a, b) => a.interactive - b.interactive);
  const m = runs[Math.floor(RUNS / 2)];
  console.log(`${name.padEnd(16)} ${kb(m.wasm)} (${m.wasmFiles})              ${kb(m.all)}      ${s(m.fcp)}         ${s(m.interactive)}`);
}
await browser.close();
