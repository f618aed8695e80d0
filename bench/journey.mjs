#!/usr/bin/env node
// P8 (#29): one operator's journey on a slow phone link, timed in Chromium.
//
// The link: Chromium's network emulation at 400 kbit/s down and up with
// 400 ms round trips, in a fresh browser context (empty cache) per run.
// The journey: open /login, fill Username and Password, log in, open the
// charger page from the overview, set 10 A and confirm, until the page
// shows CLEMAP's "received" outcome. Timed from the navigation start of
// /login to that outcome on screen.
//
// On the charger page the person does what the page offers: the slider
// (there before the wasm since #29, where scripts run; the journey waits
// up to JOURNEY_SLIDER_WAIT_MS, default 15000, for it, else uses the
// number field), then the review step if the wasm has arrived, or the
// plain form's confirm box and "Set target" if not.
// JOURNEY_MODE=form skips the wait and uses the form at once.
//
// Usage: node bench/journey.mjs [BASE]
//   BASE               http://127.0.0.1:3000 (or the first argument)
//   JOURNEY_USER       admin
//   JOURNEY_PASSWORD   (required)
//   JOURNEY_CHARGER    id of the charger; default the first on the overview
//   JOURNEY_RUNS       5
//   CHROMIUM_PATH      /usr/bin/chromium
// Prints one JSON line on stdout: {"runs":[ms…],"median_ms":…, …};
// a readable log, with the wasm and js requests of each run, on stderr.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../end2end/package.json'));
const { chromium } = require('playwright');

const BASE = (process.argv[2] ?? process.env.BASE ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const USER = process.env.JOURNEY_USER ?? 'admin';
const PASSWORD = process.env.JOURNEY_PASSWORD;
const CHARGER = process.env.JOURNEY_CHARGER ?? '';
const RUNS = Number(process.env.JOURNEY_RUNS ?? 5);
const MODE = process.env.JOURNEY_MODE ?? 'auto';
const SLIDER_WAIT_MS = Number(process.env.JOURNEY_SLIDER_WAIT_MS ?? 15000);
const TARGET_A = 10;
const STEP_TIMEOUT_MS = 60_000;
const LINK = { latency: 400, kbit: 400 };

const log = (...a) => console.error('[journey]', ...a);
if (!PASSWORD) {
  log('JOURNEY_PASSWORD is required');
  process.exit(2);
}

const browser = await chromium.launch({
  // As in end2end/playwright.config.ts: Debian's Chromium.
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

/** One journey in a fresh context; returns its timings. */
async function journey(run) {
  const context = await browser.newContext({ baseURL: BASE });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: LINK.latency,
    downloadThroughput: (LINK.kbit * 1000) / 8,
    uploadThroughput: (LINK.kbit * 1000) / 8,
  });

  // Every request, from the DevTools protocol: its document, start and
  // end (monotonic seconds, turned into wall-clock ms with the offset the
  // first request gives), bytes on the wire, and how it ended.
  const requests = new Map();
  let offset = null; // wallTime - timestamp, seconds
  cdp.on('Network.requestWillBeSent', (e) => {
    if (offset === null) offset = e.wallTime - e.timestamp;
    const name = `${e.request.method} ${new URL(e.request.url).pathname}`;
    const before = requests.get(e.requestId);
    if (e.redirectResponse && before) {
      // A redirect (the POSTs answer 303): one request from the post on.
      Object.assign(before, { url: e.request.url, name: `${before.name} → ${name}`, doc: e.documentURL });
      return;
    }
    requests.set(e.requestId, { url: e.request.url, name, type: e.type, doc: e.documentURL, start: e.timestamp, got: 0 });
  });
  cdp.on('Network.dataReceived', (e) => {
    const r = requests.get(e.requestId);
    if (r) Object.assign(r, { got: r.got + e.encodedDataLength, last: e.timestamp });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) Object.assign(r, { end: e.timestamp, bytes: e.encodedDataLength, how: 'done' });
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = requests.get(e.requestId);
    if (r) Object.assign(r, { end: e.timestamp, how: e.canceled ? 'canceled' : `failed (${e.errorText})` });
  });

  const marks = {};
  const mark = async (name) => { marks[name] = await page.evaluate(() => Date.now()); };

  // /login: a plain form, usable before the wasm; do not wait for `load`
  // (the page preloads the wasm, which would hold `load` back).
  await page.goto('/login', { waitUntil: 'commit' });
  const origin = await page.evaluate(() => performance.timeOrigin);
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click({ noWaitAfter: true });
  await page.getByTestId('session').filter({ hasText: USER }).waitFor();
  await mark('overview');

  // The charger from the overview's list, as a person would open it.
  const link = CHARGER
    ? page.locator(`a[href="/chargers/${CHARGER}"]`).first()
    : page.locator('main a[href^="/chargers/"]').first();
  let chargerId = CHARGER;
  if (CHARGER && (await link.count()) === 0) {
    await page.goto(`/chargers/${CHARGER}`, { waitUntil: 'commit' });
  } else {
    if (!chargerId) chargerId = ((await link.getAttribute('href')) ?? '').split('/').pop();
    await link.click({ noWaitAfter: true });
  }
  await page.waitForURL(new RegExp(`/chargers/${chargerId}(\\?|$)`), { waitUntil: 'commit' });
  const form = page.getByTestId('target-form');
  await form.waitFor();
  await mark('charger');

  const slider = page.getByRole('slider', { name: 'Current (A), slider' });
  let used = 'form';
  if (MODE !== 'form') {
    try {
      await slider.waitFor({ timeout: SLIDER_WAIT_MS });
      used = 'slider';
    } catch {
      log(`run ${run}: no slider after ${SLIDER_WAIT_MS} ms; using the form`);
    }
  }
  await mark('controls');

  if (used === 'slider') {
    // The arrow keys move the slider a step at a time, as in journey.spec.ts.
    await slider.focus();
    const now = Number(await slider.inputValue());
    const key = now > TARGET_A ? 'ArrowLeft' : 'ArrowRight';
    for (let i = 0; i < Math.abs(now - TARGET_A); i++) await page.keyboard.press(key);
    const amps = page.getByRole('spinbutton', { name: 'Current (A)', exact: true });
    if ((await amps.inputValue()) !== String(TARGET_A)) throw new Error(`slider left ${await amps.inputValue()} A`);
    // Confirm with what the page offers now: the review step once the
    // wasm has arrived, the plain form's checkbox before.
    const review = page.getByRole('button', { name: 'Review…' });
    if (await review.isVisible()) {
      await review.click();
      const confirm = page.getByRole('group', { name: 'Confirm' });
      await confirm.getByRole('button', { name: 'Confirm' }).click({ noWaitAfter: true });
    } else {
      used = 'slider before the wasm';
      await page.getByLabel('I confirm this change to the charger').check();
      await page.getByRole('button', { name: 'Set target', exact: true }).click({ noWaitAfter: true });
    }
  } else {
    await page.getByRole('spinbutton', { name: 'Current (A)', exact: true }).fill(String(TARGET_A));
    await page.getByLabel('I confirm this change to the charger').check();
    await page.getByRole('button', { name: 'Set target', exact: true }).click({ noWaitAfter: true });
  }

  // The post lands on the charger page again with its outcome; the browser
  // notes the time of the first frame in which it is visible.
  const shown = await page.waitForFunction(
    (a) => {
      const el = document.querySelector('[data-testid="outcome"]');
      if (!el || !el.checkVisibility()) return false;
      const text = el.textContent ?? '';
      if (text.includes('CLEMAP received it') && text.includes(`${a} A`)) return Date.now();
      return false;
    },
    TARGET_A,
    { polling: 'raf', timeout: STEP_TIMEOUT_MS },
  );
  const end = await shown.jsonValue();
  const outcome = (await page.getByTestId('outcome').textContent())?.trim();

  const rel = (t) => Math.round((t + offset) * 1000 - origin);
  // The bundle's requests (wasm, js, css), and the documents for context. A request its
  // page left behind (a navigation) may never report its end: then its
  // last received bytes stand in for it.
  const bundle = [...requests.values()]
    .filter((r) => /\/pkg\/.*\.(wasm|js|css)$/.test(r.url) || r.type === 'Document')
    .map((r) => ({
      file: r.type === 'Document' ? r.name : r.url.split('.').pop(),
      on: new URL(r.doc ?? r.url).pathname,
      start_ms: rel(r.start),
      end_ms: r.end === undefined ? null : rel(r.end),
      last_data_ms: r.last === undefined ? null : rel(r.last),
      bytes: r.bytes ?? r.got,
      how: r.how ?? 'left behind',
    }));
  await context.close();
  const since = (t) => t - Math.round(origin);
  return {
    ms: Math.round(end - origin),
    used,
    charger: chargerId,
    outcome,
    overview_ms: since(marks.overview),
    charger_ms: since(marks.charger),
    controls_ms: since(marks.controls),
    bundle,
  };
}

const results = [];
for (let run = 1; run <= RUNS; run++) {
  const r = await journey(run);
  results.push(r);
  log(
    `run ${run}: ${r.ms} ms with the ${r.used} (overview at ${r.overview_ms}, charger page at ${r.charger_ms},` +
      ` ${r.used} ready at ${r.controls_ms}) on /chargers/${r.charger}: ${r.outcome}`,
  );
  for (const b of r.bundle) {
    const end = b.end_ms ?? `(${b.last_data_ms ?? '–'})`;
    log(`    ${b.file.padEnd(38)} on ${b.on.padEnd(14)} ${String(b.start_ms).padStart(6)} → ${String(end).padStart(6)} ms  ${b.how}, ${b.bytes} B`);
  }
}
await browser.close();

const runs = results.map((r) => r.ms);
const sorted = [...runs].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : Math.round((sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);
log(`median ${median} ms of ${runs.join(', ')}`);
console.log(
  JSON.stringify({
    runs,
    median_ms: median,
    link: { kbit_s: LINK.kbit, rtt_ms: LINK.latency },
    used: results.map((r) => r.used),
    controls_ms: results.map((r) => r.controls_ms),
    bundle: results.map((r) => r.bundle),
  }),
);
