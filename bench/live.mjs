#!/usr/bin/env node
// LIVE (#41): live pages measured from the outside, over HTTP as a
// browser's EventSource reads them (Node's fetch, no browser needed).
//
//   node bench/live.mjs latency SET_BASE SET_COOKIE WATCH_BASE WATCH_COOKIE CHARGER RUNS
//     LIVE1: a page of charger CHARGER streams from WATCH_BASE in one
//     session; RUNS sets go to SET_BASE in another (the same server, or another instance on one
//     PostgreSQL), alternating 10 and 11 A. Each is timed from sending the
//     set until the stream brings the charger page's region that shows it.
//     Prints {"runs":[ms…],"p50_ms":…}.
//   node bench/live.mjs streams BASE COOKIE COUNT PAGE
//     LIVE2: holds COUNT streams of PAGE open (reading them) until killed;
//     prints {"open":COUNT} once all are open.
//   node bench/live.mjs bytes BASE COOKIE PAGE SECONDS
//     LIVE3: the bytes one stream of PAGE brings over SECONDS, and its
//     events. Prints {"bytes":…,"events":…}.

const [mode, ...args] = process.argv.slice(2);

function streamUrl(base, page) {
  return `${base}/live?page=${encodeURIComponent(page)}&since=`;
}

/** Reads a stream; calls onEvent(name, data) per event, onBytes(n) per chunk. */
async function follow(url, cookie, onEvent, onBytes = () => {}) {
  const res = await fetch(url, { headers: { cookie, accept: 'text/event-stream' } });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onBytes(value.length);
      text += decoder.decode(value, { stream: true });
      let end;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        let name = '';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).replace(/^ /, '');
        }
        if (name) onEvent(name, data);
      }
    }
  })().catch(() => {});
  return reader;
}

async function latency([setBase, setCookie, watchBase, watchCookie, charger, runs]) {
  let waiting = null;
  await follow(streamUrl(watchBase, `/chargers/${charger}`), watchCookie, (name, data) => {
    if (name !== 'regions' || !waiting) return;
    const region = (JSON.parse(data).html ?? []).find(([key]) => key === 'charger-live');
    // The target line as the page shows it: "10 A until 14:32 (…)".
    const at = region ? region[1].indexOf('data-testid="active-target"') : -1;
    const end = at >= 0 ? region[1].indexOf('>', at) : -1;
    const text = end >= 0 ? region[1].slice(end + 1, end + 300).replace(/<[^>]*>/g, '') : '';
    if (text.trimStart().startsWith(`${waiting.amps} A `)) {
      waiting.resolve(performance.now());
    }
  });
  // The first event is the page as it stands.
  await new Promise((r) => setTimeout(r, 500));
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    const amps = 10 + (i % 2);
    const seen = new Promise((resolve) => (waiting = { amps, resolve }));
    const started = performance.now();
    const res = await fetch(`${setBase}/api/set_target`, {
      method: 'POST',
      headers: {
        cookie: setCookie,
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `charger_id=${charger}&amps=${amps}&duration=600&confirmed=on`,
    });
    if (!res.ok) throw new Error(`set: HTTP ${res.status} ${await res.text()}`);
    const at = await Promise.race([seen, new Promise((r) => setTimeout(() => r(null), 10_000))]);
    if (at === null) throw new Error(`run ${i}: the set was not pushed within 10 s`);
    times.push(Math.round(at - started));
    waiting = null;
    // A person does not set twice within a second.
    await new Promise((r) => setTimeout(r, 500));
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(JSON.stringify({ runs: times, p50_ms: sorted[Math.floor(sorted.length / 2)] }));
  process.exit(0);
}

async function streams([base, cookie, count, page]) {
  const readers = [];
  for (let i = 0; i < Number(count); i++) {
    readers.push(await follow(streamUrl(base, page), cookie, () => {}));
  }
  console.log(JSON.stringify({ open: readers.length }));
  // Held until killed.
  setInterval(() => {}, 1 << 30);
}

async function bytes([base, cookie, page, seconds]) {
  let total = 0;
  let events = 0;
  let first = true;
  await follow(
    streamUrl(base, page),
    cookie,
    () => {
      // The first event is the whole page (no `since`): not a round's.
      if (first) {
        first = false;
        total = 0;
        return;
      }
      events += 1;
    },
    (n) => (total += n),
  );
  await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
  console.log(JSON.stringify({ bytes: total, events }));
  process.exit(0);
}

const modes = { latency, streams, bytes };
if (!modes[mode]) {
  console.error('usage: live.mjs latency|streams|bytes …');
  process.exit(2);
}
modes[mode](args).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
