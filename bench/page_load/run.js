#!/usr/bin/env node
// Page-load benchmark of the web app in headless Chromium (Debian's, through
// Playwright; SwiftShader WebGL, so GPU-bound numbers are pessimistic).
//
//   node bench/page_load/run.js [--idle-seconds 60] [--frames 120] [--json]
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
//   size  .js .wasm and fonts, raw and gzipped; peak wasm memory.
// Requires playwright-core from tests/e2e (tests/e2e/run installs it).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const zlib = require('node:zlib');
const h = require('../../tests/e2e/lib/harness');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const IDLE_SECONDS = arg('idle-seconds', 60);
const CPU_FRAMES = arg('frames', 120);

async function metrics(cdp) {
  const m = await cdp.send('Performance.getMetrics');
  const out = {};
  for (const x of m.metrics) out[x.name] = x.value;
  return out;
}

async function main() {
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
}

main().catch((e) => { console.error(e); process.exit(1); });
