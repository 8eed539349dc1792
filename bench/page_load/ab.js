#!/usr/bin/env node
// Two builds of the web app compared on new devices, alternated in one
// browser: the only comparison that holds on this machine, where two runs of
// run.js minutes apart differ by 0.4 s (README "Session 9").
//
//   node bench/page_load/ab.js <distA> <distB> [--pairs 12] [--reload]
//
// Starts a demo server for each dist (build/wasm/dist, or a copy of an older
// build's), opens one warm-up profile, then `pairs` times a new profile on A
// and one on B, in turn A-B then B-A. Prints each pair and the medians of
// "the full community on screen" (dhGlue.dataShown); with --reload also the
// first frame of a reload of the same profile once it has saved.
// DH_SERVER / DH_CHROMIUM as in tests/e2e.
'use strict';
const path = require('node:path');
const h = require('../../tests/e2e/lib/harness');
const { settleThenReload } = require('./reload');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const [distA, distB] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') &&
  !(i > 0 && all[i - 1] === '--pairs'));
const PAIRS = Number(arg('pairs', 12));
const RELOAD = process.argv.includes('--reload');
const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };

async function newDevice(browser, server) {
  const ctx = await h.newContext(browser);
  try {
    const page = await ctx.newPage();
    await page.goto(server.url + '/');
    const shown = await h.poll(() => page.evaluate(() => window.dianhong && window.dianhong.dataShown()),
      { timeout: 120000, interval: 20, what: 'the community on screen' });
    let reload = null;
    if (RELOAD) {
      await h.waitSaved(page, 120000);
      reload = await settleThenReload(page);
    }
    return { shown: shown.at, reload };
  } finally {
    await ctx.close();
  }
}

async function main() {
  if (!distA || !distB) {
    console.error('usage: node bench/page_load/ab.js <distA> <distB> [--pairs 12] [--reload]');
    process.exit(2);
  }
  const servers = { A: await h.startServer({ web: path.resolve(distA) }), B: await h.startServer({ web: path.resolve(distB) }) };
  const browser = await h.launch();
  const runs = { A: [], B: [] };
  try {
    await newDevice(browser, servers.A);  // warm-up: the browser's first window
    for (let i = 0; i < PAIRS; i++) {
      for (const k of (i % 2 ? ['B', 'A'] : ['A', 'B'])) runs[k].push(await newDevice(browser, servers[k]));
      const f = (r) => r.shown.toFixed(0) + (RELOAD ? ' / ' + r.reload.toFixed(0) : '');
      console.log('pair ' + (i + 1) + ': A ' + f(runs.A[i]) + ' ms, B ' + f(runs.B[i]) + ' ms');
    }
  } finally {
    await browser.close();
    await servers.A.stop();
    await servers.B.stop();
  }
  for (const k of ['A', 'B']) {
    console.log(k + ' (' + (k === 'A' ? distA : distB) + '): community on screen, median of ' + PAIRS + ': ' +
      median(runs[k].map((r) => r.shown)).toFixed(0) + ' ms' +
      (RELOAD ? '; reload ' + median(runs[k].map((r) => r.reload)).toFixed(0) + ' ms' : ''));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
