#!/usr/bin/env node
// Page-load benchmark of the web app in headless Chromium (Debian's, through
// Playwright; SwiftShader WebGL, so GPU-bound numbers are pessimistic).
//
//   node bench/page_load/run.js [--idle-seconds 60] [--frames 120] [--runs 3] [--json]
//   node bench/page_load/run.js --first-start-only [--runs 3]
//
// Starts the real server with the demo data (DH_SERVER / DH_WEB_DIST as in
// tests/e2e) and measures:
//   cold  first interactive frame of a first visit (no cache, no data), and the
//         moment the demo data set is pulled, ingested and saved on the device;
//   warm  first interactive frame of the next visit (service worker + IndexedDB,
//         full demo data folded at start);
//   idle  frames rendered per minute with no input;
//   cpu   main-thread task time per rendered frame on the busiest screen (the
//         households list of 3,058 rows) while the mouse moves;
//   size  .js .wasm and fonts, raw and gzipped; peak wasm memory;
//   first start (issue 13): a new profile until the whole community is on
//         screen (the first frame after the first sync round, dhGlue.dataShown)
//         and its reload until the first frame with it, against a server that
//         offers the snapshot (after) and one started with --no-snapshot
//         (before: the paged pull), in the same run, median of --runs; and
//         the same in tabs opened 0.5 s before the address is typed (as a
//         person does), so that the new tab's own start-up, which Playwright's
//         newPage + goto runs alongside the page's, is apart; and in a browser
//         without the omnibox popup's preloaded WebUI (NO_OMNIBOX_WEBUI below).
// Requires playwright-core from tests/e2e (tests/e2e/run installs it).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const zlib = require('node:zlib');
const h = require('../../tests/e2e/lib/harness');
const { settleThenReload } = require('./reload');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const IDLE_SECONDS = arg('idle-seconds', 60);
const CPU_FRAMES = arg('frames', 120);
const RUNS = arg('runs', 3);
const FIRST_START_ONLY = process.argv.includes('--first-start-only');
const SETTLED_TAB_MS = 500;

const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };

// One new profile on server: until the community is on screen, saved, then a reload.
// settledTabMs: the tab is open (on about:blank) this long before the
// address is typed, as when a person opens the browser and then the page;
// 0: the page is asked for the moment the tab exists (Playwright's usual
// newPage + goto), so the new tab's own start-up runs alongside the page's.
async function firstStart(browser, server, settledTabMs = 0) {
  const health = await (await fetch(server.url + '/api/v1/health')).json();
  const ctx = await h.newContext(browser);
  const api = [];
  ctx.on('request', (req) => { const u = new URL(req.url()); if (u.pathname.startsWith('/api/v1/')) api.push(u.pathname); });
  const page = await ctx.newPage();
  if (settledTabMs > 0) {
    await page.goto('about:blank');
    await page.waitForTimeout(settledTabMs);
  }
  await page.goto(server.url + '/');
  const shown = await h.poll(() => page.evaluate(() => window.dianhong && window.dianhong.dataShown()),
    { timeout: 300000, interval: 20, what: 'the community on screen' });
  const first = await page.evaluate(() => window.dianhong.interactiveAt());
  const s = await h.waitSaved(page, 120000);
  const saved = await page.evaluate(() => performance.now());
  // The reload is measured on a device that is set up (reload.js).
  const warmFirst = await settleThenReload(page);
  const warm = await h.waitReady(page, { demo: false });
  await ctx.close();
  if (shown.ops !== health.ops || s.state_hash !== health.state_hash) {
    throw new Error('the device did not get the whole community: ' + shown.ops + ' of ' + health.ops + ' operations');
  }
  return {
    first_frame_ms: first, community_on_screen_ms: shown.at, saved_ms: saved, ops: shown.ops,
    snapshot_requests: api.filter((p) => p === '/api/v1/snapshot').length,
    pull_requests: api.filter((p) => p === '/api/v1/ops').length,
    reload_first_frame_ms: warmFirst, reload_ops: warm.op_count,
  };
}

// Headless Chromium 156 opens every new window (Playwright: every new
// context) with its top-chrome WebUI for the omnibox popup preloaded: a
// renderer of its own that spends 0.8-1.1 s of CPU in the first 1.5 s, as
// much as the page's own renderer, on a 2-core machine. A person's browser
// did that when its window opened, not when the address was typed. The
// figure is also measured with that preloading off (these features), apart
// from the main figures, which keep the browser as it comes.
const NO_OMNIBOX_WEBUI = ['--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup'];

async function launchWithoutOmniboxWebUI() {
  h.CHROMIUM_FLAGS.push(...NO_OMNIBOX_WEBUI);
  try {
    return await h.launch();
  } finally {
    h.CHROMIUM_FLAGS.splice(h.CHROMIUM_FLAGS.length - NO_OMNIBOX_WEBUI.length, NO_OMNIBOX_WEBUI.length);
  }
}

async function firstStarts(browser) {
  const out = {};
  for (const [name, args] of [['before', ['--no-snapshot']], ['after', []]]) {
    const server = await h.startServer({ args });
    try {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await firstStart(browser, server));
      const pick = (k) => median(runs.map((r) => r[k]));
      out[name] = { runs, ops: runs[0].ops, first_frame_ms: pick('first_frame_ms'),
        community_on_screen_ms: pick('community_on_screen_ms'), saved_ms: pick('saved_ms'),
        reload_first_frame_ms: pick('reload_first_frame_ms'), snapshot_requests: runs[0].snapshot_requests,
        pull_requests: runs[0].pull_requests };
      // The same in tabs opened a moment before the address is typed.
      const settled = [];
      for (let i = 0; i < RUNS; i++) settled.push(await firstStart(browser, server, SETTLED_TAB_MS));
      out[name].settled_runs = settled;
      out[name].settled_community_on_screen_ms = median(settled.map((r) => r.community_on_screen_ms));
      // The same in a browser without the omnibox popup's preloaded WebUI.
      const quiet = await launchWithoutOmniboxWebUI();
      try {
        const runs2 = [];
        for (let i = 0; i < RUNS; i++) runs2.push(await firstStart(quiet, server));
        out[name].no_omnibox_webui_runs = runs2;
        out[name].no_omnibox_webui_community_on_screen_ms = median(runs2.map((r) => r.community_on_screen_ms));
      } finally {
        await quiet.close();
      }
    } finally {
      await server.stop();
    }
  }
  return out;
}

function printFirstStarts(f) {
  const ms = (x) => x.toFixed(0) + ' ms';
  console.log('First start (median of ' + RUNS + ' new profiles each; demo data ' + f.after.ops + ' operations)');
  console.log('| figure | before (--no-snapshot: paged pull) | after (snapshot + tail) |\n| --- | --- | --- |');
  console.log('| new profile: first interactive frame | ' + ms(f.before.first_frame_ms) + ' | ' + ms(f.after.first_frame_ms) + ' |');
  console.log('| new profile: full community on screen | ' + ms(f.before.community_on_screen_ms) + ' | ' +
    ms(f.after.community_on_screen_ms) + ' |');
  console.log('| new profile, tab open ' + SETTLED_TAB_MS + ' ms before the address is typed: full community on screen | ' +
    ms(f.before.settled_community_on_screen_ms) + ' | ' + ms(f.after.settled_community_on_screen_ms) + ' |');
  console.log('| new profile, browser without its preloaded omnibox WebUI (' + NO_OMNIBOX_WEBUI.join(' ') +
    '): full community on screen | ' + ms(f.before.no_omnibox_webui_community_on_screen_ms) + ' | ' +
    ms(f.after.no_omnibox_webui_community_on_screen_ms) + ' |');
  console.log('| new profile: saved on the device | ' + ms(f.before.saved_ms) + ' | ' + ms(f.after.saved_ms) + ' |');
  console.log('| reload: first frame with the full community | ' + ms(f.before.reload_first_frame_ms) + ' | ' +
    ms(f.after.reload_first_frame_ms) + ' |');
  console.log('| requests: snapshot / pull pages | ' + f.before.snapshot_requests + ' / ' + f.before.pull_requests +
    ' | ' + f.after.snapshot_requests + ' / ' + f.after.pull_requests + ' |');
}

async function metrics(cdp) {
  const m = await cdp.send('Performance.getMetrics');
  const out = {};
  for (const x of m.metrics) out[x.name] = x.value;
  return out;
}

async function main() {
  if (FIRST_START_ONLY) {
    const browser = await h.launch();
    let f;
    try {
      f = await firstStarts(browser);
    } finally {
      await browser.close();
    }
    if (process.argv.includes('--json')) console.log(JSON.stringify(f, null, 2));
    else printFirstStarts(f);
    return;
  }
  const server = await h.startServer();
  const browser = await h.launch();
  const result = { sizes: {}, cold: {}, warm: {}, idle: {}, cpu: {}, memory: {} };
  try {
    // Sizes from the dist's asset list.
    const manifest = JSON.parse(fs.readFileSync(path.join(h.DIST, 'dh-assets.json'), 'utf8'));
    for (const [k, name] of Object.entries(manifest.assets)) {
      const bytes = fs.readFileSync(path.join(h.DIST, name));
      result.sizes[k] = { name, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
    }

    const ctx = await h.newContext(browser);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');

    // Cold: first visit.
    await page.goto(server.url + '/');
    await h.poll(() => page.evaluate(() => window.dianhong && window.dianhong.interactiveAt() !== null),
      { timeout: 120000, what: 'first interactive frame' });
    result.cold.first_interactive_ms = await page.evaluate(() => window.dianhong.interactiveAt());
    const ready = await h.waitReady(page, { timeout: 300000 });
    result.cold.demo_ops = ready.op_count;
    await h.waitSaved(page, 120000);
    result.cold.data_saved_ms = await page.evaluate(() => performance.now());
    await page.evaluate(() => navigator.serviceWorker.ready);
    // Let the service worker finish caching (full font in the background).
    await h.poll(async () => (await h.status(page)).full_font_loaded, { timeout: 120000, what: 'full font' });
    await page.waitForTimeout(2000);

    // Warm: reload, served by the service worker, data from IndexedDB.
    await page.reload();
    await h.poll(() => page.evaluate(() => window.dianhong && window.dianhong.interactiveAt() !== null),
      { timeout: 120000, what: 'first interactive frame (warm)' });
    result.warm.first_interactive_ms = await page.evaluate(() => window.dianhong.interactiveAt());
    const warm = await h.waitReady(page);
    result.warm.ops_at_start = warm.op_count;
    result.warm.controlled_by_service_worker = await page.evaluate(() => !!navigator.serviceWorker.controller);

    // Idle frames per minute.
    await h.waitSaved(page);
    await page.waitForTimeout(1500);
    const f0 = await page.evaluate(() => window.dianhong.frames());
    await page.waitForTimeout(IDLE_SECONDS * 1000);
    const f1 = await page.evaluate(() => window.dianhong.frames());
    result.idle = { seconds: IDLE_SECONDS, frames: f1 - f0, frames_per_minute: ((f1 - f0) * 60) / IDLE_SECONDS };

    // CPU per frame on the busiest screen: the households list.
    await h.clickWidget(page, 'nav-base');
    await h.clickWidget(page, 'kind-household');
    await page.waitForTimeout(500);
    const m0 = await metrics(cdp);
    const fr0 = await page.evaluate(() => window.dianhong.frames());
    const t0 = Date.now();
    for (let i = 0; i < CPU_FRAMES; i++) {
      await page.mouse.move(400 + (i % 40) * 5, 300 + (i % 17) * 7);
      await page.waitForTimeout(16);
    }
    const m1 = await metrics(cdp);
    const fr1 = await page.evaluate(() => window.dianhong.frames());
    const frames = fr1 - fr0;
    result.cpu = {
      screen: 'base records: households',
      frames,
      wall_ms: Date.now() - t0,
      task_ms_per_frame: ((m1.TaskDuration - m0.TaskDuration) * 1000) / Math.max(frames, 1),
      script_ms_per_frame: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / Math.max(frames, 1),
    };
    const s = await h.status(page);
    result.memory = { wasm_memory_bytes: s.wasm_memory_bytes, js_heap_used_bytes: m1.JSHeapUsedSize, ops: s.op_count };
    result.first_start = await firstStarts(browser);
  } finally {
    await browser.close();
    await server.stop();
  }

  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const mb = (n) => (n / 1048576).toFixed(2) + ' MiB';
  console.log('Page load (headless Chromium, SwiftShader), demo data ' + result.cold.demo_ops + ' operations');
  console.log('| figure | value |\n| --- | --- |');
  console.log('| cold: first interactive frame | ' + result.cold.first_interactive_ms.toFixed(0) + ' ms |');
  console.log('| cold: demo data pulled, folded and saved | ' + result.cold.data_saved_ms.toFixed(0) + ' ms |');
  console.log('| warm (service worker, IndexedDB): first interactive frame with the data | ' +
    result.warm.first_interactive_ms.toFixed(0) + ' ms |');
  console.log('| idle frames per minute | ' + result.idle.frames_per_minute.toFixed(1) + ' |');
  console.log('| CPU per frame, ' + result.cpu.screen + ' | ' + result.cpu.task_ms_per_frame.toFixed(2) +
    ' ms task (' + result.cpu.script_ms_per_frame.toFixed(2) + ' ms script), ' + result.cpu.frames + ' frames |');
  console.log('| peak wasm memory | ' + mb(result.memory.wasm_memory_bytes) + ' |');
  for (const [k, v] of Object.entries(result.sizes)) {
    console.log('| size ' + k + ' (' + v.name + ') | ' + mb(v.raw) + ' raw, ' + mb(v.gzip) + ' gzip |');
  }
  console.log('');
  printFirstStarts(result.first_start);
}

main().catch((e) => { console.error(e); process.exit(1); });
