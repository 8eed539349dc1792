#!/usr/bin/env node
// Where a new device's first start goes: one new profile against the demo
// server, traced by Chromium (devtools timeline, V8, wasm, GPU), summarised
// as a timeline on the page clock.
//
//   node bench/page_load/trace.js [--out /tmp/dh-trace.json] [--reload] [--warm] [--min-ms 8]
//
// Prints the resources (request start, response end), the page marks
// (dh-interactive, dh-data-shown), and every task of the renderer's main
// thread longer than --min-ms with the events that took most of it; and the
// GPU process's main-thread busy time in the same window. The raw trace is
// written to --out for chrome://tracing or Perfetto. --warm first runs one
// untraced first start in another profile of the same browser, as every run
// of run.js after its first (the GPU process and the caches warm).
// DH_SERVER / DH_WEB_DIST as in tests/e2e.
'use strict';
const fs = require('node:fs');
const h = require('../../tests/e2e/lib/harness');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const OUT = arg('out', '/tmp/dh-trace.json');
const MIN_MS = Number(arg('min-ms', 8));
const RELOAD = process.argv.includes('--reload');
const NO_TRACE = process.argv.includes('--no-trace');  // resources and marks only (tracing slows the page 2x)
const WARM = process.argv.includes('--warm');

const CATEGORIES = [
  'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'v8.wasm',
  'disabled-by-default-v8.wasm.detailed', 'blink.user_timing', 'loading', 'gpu', 'toplevel', 'blink',
  'disabled-by-default-devtools.timeline.frame', 'cc', 'viz',
];

async function main() {
  const server = await h.startServer();
  const browser = await h.launch();
  try {
    if (WARM) {
      const warmCtx = await h.newContext(browser);
      const warmPage = await warmCtx.newPage();
      await warmPage.goto(server.url + '/');
      await h.poll(() => warmPage.evaluate(() => window.dianhong && window.dianhong.dataShown()),
        { timeout: 120000, interval: 20, what: 'the community on screen (warm-up)' });
      await h.waitSaved(warmPage, 120000);
      await warmCtx.close();
    }
    const ctx = await h.newContext(browser);
    const page = await ctx.newPage();
    if (RELOAD) {
      await page.goto(server.url + '/');
      await h.poll(() => page.evaluate(() => window.dianhong && window.dianhong.dataShown()),
        { timeout: 120000, interval: 20, what: 'the community on screen' });
      await h.waitSaved(page, 120000);
      await h.waitSynced(page);
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.waitForTimeout(1000);
    }
    if (!NO_TRACE) await browser.startTracing(page, { categories: CATEGORIES });
    if (RELOAD) await page.reload(); else await page.goto(server.url + '/');
    const shownWhat = RELOAD ? 'interactiveAt' : 'dataShown';
    await h.poll(() => page.evaluate((w) => window.dianhong && window.dianhong[w](), shownWhat),
      { timeout: 120000, interval: 20, what: 'the community on screen' });
    const marks = await page.evaluate(() => ({
      interactive: window.dianhong.interactiveAt(),
      shown: window.dianhong.dataShown(),
      resources: performance.getEntriesByType('resource').map((r) => ({
        name: r.name.replace(/^https?:\/\/[^/]+/, ''), start: r.startTime, end: r.responseEnd,
        size: r.transferSize,
      })),
      nav: performance.getEntriesByType('navigation').map((n) => ({ start: n.startTime, end: n.responseEnd })),
    }));
    await page.waitForTimeout(300);
    if (NO_TRACE) {
      summarise([], marks);
    } else {
      const buf = await browser.stopTracing();
      fs.writeFileSync(OUT, buf);
      summarise(JSON.parse(buf.toString()), marks);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

function summarise(trace, marks) {
  const events = trace.traceEvents || trace;
  const threadNames = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(e.pid + ':' + e.tid, e.args.name);
  }
  // The page clock's origin: the navigationStart of the traced navigation.
  const nav = events.filter((e) => e.name === 'navigationStart' && e.args && e.args.data &&
    e.args.data.isLoadingMainFrame !== false).sort((a, b) => b.ts - a.ts)[0];
  const origin = nav ? nav.ts : 0;
  const mainKey = nav ? nav.pid + ':' + nav.tid : null;
  const ms = (ts) => ((ts - origin) / 1000).toFixed(0);

  console.log('marks: interactive ' + (marks.interactive || 0).toFixed(0) + ' ms, data shown ' +
    JSON.stringify(marks.shown));
  console.log('\nresources (page clock, ms):');
  for (const n of marks.nav) console.log('  document         ' + n.start.toFixed(0) + ' -> ' + n.end.toFixed(0));
  for (const r of marks.resources) {
    console.log('  ' + r.name.slice(0, 40).padEnd(40) + ' ' + r.start.toFixed(0).padStart(5) + ' -> ' +
      r.end.toFixed(0).padStart(5) + '  ' + r.size + ' B');
  }

  // Complete events per thread, nested by time.
  const byThread = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined) continue;
    const k = e.pid + ':' + e.tid;
    if (!byThread.has(k)) byThread.set(k, []);
    byThread.get(k).push(e);
  }
  const top = (list) => {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const out = [];
    let end = -1;
    for (const e of list) {
      if (e.ts >= end) { out.push(e); end = e.ts + e.dur; }
    }
    return out;
  };
  const childSummary = (list, parent) => {
    const inside = list.filter((e) => e !== parent && e.ts >= parent.ts && e.ts + e.dur <= parent.ts + parent.dur);
    // Self-time-free summary: the longest distinct names at the first nesting levels.
    const byName = new Map();
    for (const e of inside) {
      const name = e.name + (e.args && e.args.data && e.args.data.url ? '(' + String(e.args.data.url).split('/').pop().slice(0, 24) + ')' : '');
      byName.set(name, Math.max(byName.get(name) || 0, e.dur));
    }
    return [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6)
      .map(([n, d]) => n + ' ' + (d / 1000).toFixed(0)).join(', ');
  };
  const shownAt = (marks.shown && marks.shown.at) || marks.interactive || 0;
  const windowEnd = origin + (shownAt + 200) * 1000;
  for (const [k, list] of byThread) {
    const name = threadNames.get(k) || k;
    if (k !== mainKey && !/CrGpuMain|VizCompositor|DedicatedWorker|v8:Worker|ThreadPoolForeground/.test(name)) continue;
    const tasks = top(list).filter((e) => e.ts < windowEnd && e.ts + e.dur > origin);
    const busy = tasks.reduce((s, e) => s + e.dur, 0) / 1000;
    if (busy < 5) continue;
    console.log('\n' + name + (k === mainKey ? ' (page main thread)' : '') + ': busy ' + busy.toFixed(0) +
      ' ms up to the community on screen');
    if (k !== mainKey && !/CrGpuMain/.test(name)) continue;
    for (const t of tasks) {
      if (t.dur / 1000 < MIN_MS) continue;
      console.log('  ' + ms(t.ts).padStart(5) + ' +' + (t.dur / 1000).toFixed(0).padStart(4) + ' ' + t.name + ': ' +
        childSummary(list, t));
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
