#!/usr/bin/env node
// Time from the browser's `online` event to the last operation applied, for a
// device that was offline with N operations (issue 3's figure), in headless
// Chromium against the real server with the demo data.
//
//   node bench/sync_online/run.js [--ops 1000] [--runs 3] [--json]
//
// Two directions, each measured on the page's clock (performance.now()):
//   up    the device made N changes offline (window.dianhongBench.commitEdits,
//         the same commit path as the UI); from `online` until the server has
//         answered all N (sync.waiting == 0) and holds them (health ops).
//   down  another device made N changes while this one was offline; from
//         `online` until all N are ingested, folded and saved on this device.
// Polls window.dianhong.syncStatus() (no state hash) every 10 ms, so the
// figures carry up to ~10 ms of polling delay.
// Requires playwright-core from tests/e2e (tests/e2e/run installs it).
'use strict';
const h = require('../../tests/e2e/lib/harness');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = arg('ops', 1000);
const RUNS = arg('runs', 3);
const JSON_OUT = process.argv.includes('--json');

const sync = (page) => page.evaluate(() => window.dianhong.syncStatus());
async function health(url) { return (await fetch(url + '/api/v1/health')).json(); }

async function armOnline(page) {
  await page.evaluate(() => {
    window.__dhOnlineAt = null;
    window.addEventListener('online', () => { window.__dhOnlineAt = performance.now(); }, { once: true });
  });
}

// Polls cond(syncStatus) on the page; returns page-clock ms from `online`.
async function timeUntil(page, cond, what, timeout = 300000) {
  const end = Date.now() + timeout;
  for (;;) {
    const r = await page.evaluate(() => ({ s: window.dianhong.syncStatus(), t: performance.now(), on: window.__dhOnlineAt }));
    if (r.on !== null && (await cond(r.s))) return r.t - r.on;
    if (Date.now() > end) throw new Error('timed out: ' + what + ' ' + JSON.stringify(r.s));
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function open(browser, url) {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(url + '/');
  await h.waitReady(page);
  await h.waitSaved(page);
  await h.waitSynced(page);
  return { ctx, page };
}

async function offline(dev) {
  await dev.ctx.setOffline(true);
  await h.poll(async () => !(await sync(dev.page)).online, { what: 'offline' });
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], runs: s };
}

async function main() {
  const server = await h.startServer();
  const browser = await h.launch();
  const up = [], down = [];
  try {
    const a = await open(browser, server.url);
    const b = await open(browser, server.url);
    for (let run = 0; run < RUNS; run++) {
      // up: A makes N changes offline.
      await offline(a);
      const made = await a.page.evaluate((n) => window.dianhongBench.commitEdits(n), N);
      if (made !== N) throw new Error('committed ' + made + ' of ' + N);
      await h.poll(async () => { const s = await sync(a.page); return s.saved && s.waiting === N; },
        { what: N + ' changes saved and waiting' });
      const serverBefore = (await health(server.url)).ops;
      await armOnline(a.page);
      await a.ctx.setOffline(false);
      up.push(await timeUntil(a.page, async (s) => s.waiting === 0 && !s.in_progress, 'all pushed'));
      const serverAfter = (await health(server.url)).ops;
      if (serverAfter !== serverBefore + N) throw new Error('server has ' + (serverAfter - serverBefore) + ' of ' + N);

      // down: B was offline while A's next N changes reached the server.
      await h.poll(async () => (await sync(b.page)).op_count === serverAfter,
        { timeout: 120000, what: 'B to catch up before going offline' });
      await offline(b);
      const bBefore = (await sync(b.page)).op_count;
      const more = await a.page.evaluate((n) => window.dianhongBench.commitEdits(n), N);
      if (more !== N) throw new Error('committed ' + more + ' of ' + N);
      await h.waitSynced(a.page, Date.now() - 1);
      await armOnline(b.page);
      await b.ctx.setOffline(false);
      down.push(await timeUntil(b.page, async (s) => s.op_count >= bBefore + N && s.saved && !s.in_progress,
        'all applied and saved'));
    }
    const result = { ops: N, up_ms: stats(up), down_ms: stats(down) };
    if (JSON_OUT) console.log(JSON.stringify(result));
    else {
      console.log(`sync_online: device offline with ${N} operations, ${RUNS} runs (page clock, ±10 ms polling)`);
      console.log(`  up   (own changes pushed and answered): median ${result.up_ms.median.toFixed(0)} ms ` +
        `(min ${result.up_ms.min.toFixed(0)}, max ${result.up_ms.max.toFixed(0)})`);
      console.log(`  down (others' changes applied and saved): median ${result.down_ms.median.toFixed(0)} ms ` +
        `(min ${result.down_ms.min.toFixed(0)}, max ${result.down_ms.max.toFixed(0)})`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
