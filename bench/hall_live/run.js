#!/usr/bin/env node
// The hall, live (issue 12): figures in headless Chromium (Debian's, through
// playwright-core from tests/e2e) against the real server with the demo data:
//
//   node bench/hall_live/run.js [--runs 20] [--idle-s 60] [--json]
//
// 1. Kiosk sign-up -> coordinator's screen: a kiosk (one browser context)
//    signs a resident up for a shift on its screen; the coordinator (another
//    context, the shift's roster open, untouched) draws the roster line by
//    itself. Measured from the moment the sign-up is listed by the server
//    (node polls GET /api/v1/ops every 10 ms) to the first frame of the
//    coordinator's page that has the line (its widget hook, polled every
//    10 ms): median and worst over --runs, each a different resident.
// 2. Idle: for the home page and the kiosk screen, over --idle-s seconds of
//    no input (scaled to a minute): main-thread time (CDP
//    Performance.getMetrics TaskDuration), requestAnimationFrame callbacks
//    (an injected counter), frames drawn and loop wakes.
// Needs build/native (dianhong_server) and build/wasm/dist.
'use strict';
const h = require('../../tests/e2e/lib/harness');
const hall = require('../../tests/e2e/lib/hall');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 20);
const IDLE_S = arg('idle-s', 60);
const JSON_OUT = process.argv.includes('--json');

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), worst: s[s.length - 1], best: s[0] };
};

async function countRaf(ctx) {
  await ctx.addInitScript(() => {
    const raf = window.requestAnimationFrame.bind(window);
    window.__dhRaf = 0;
    window.requestAnimationFrame = (cb) => { window.__dhRaf++; return raf(cb); };
  });
}

async function idleMinute(page, cdp) {
  await cdp.send('Performance.enable');
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    const p = await page.evaluate(() => ({ raf: window.__dhRaf, loop: window.dianhong.loop() }));
    return { task_s: m.TaskDuration, script_s: m.ScriptDuration, raf: p.raf, frames: p.loop.frames,
      wakes: p.loop.wake_ticks, t: Date.now() };
  };
  const a = await metric();
  await page.waitForTimeout(IDLE_S * 1000);
  const b = await metric();
  const scale = 60000 / (b.t - a.t);
  const per = (k) => Math.round((b[k] - a[k]) * scale * 10) / 10;
  return { main_thread_ms_per_min: Math.round((b.task_s - a.task_s) * 1000 * scale),
    script_ms_per_min: Math.round((b.script_s - a.script_s) * 1000 * scale),
    raf_per_min: per('raf'), frames_per_min: per('frames'), wake_ticks_per_min: per('wakes'), seconds: (b.t - a.t) / 1000 };
}

async function main() {
  const browser = await h.launch();
  const server = await h.startServer();
  const figures = {};
  try {
    const people = hall.kioskPeople((await hall.serverOps(server.url)).ops).slice(0, RUNS);
    if (people.length < RUNS) throw new Error('only ' + people.length + ' residents a kiosk can find');
    // The coordinator works at a tall hall monitor (1280x1400): the shift
    // list fills the top of the page, the open roster sits below it.
    const coordinator = await h.openDevice(browser, server.url,
      { what: 'coordinator', viewport: { width: 1280, height: 1400 } });
    const kiosk = await h.openDevice(browser, server.url, { what: 'kiosk' });

    // 1. Sign-up -> coordinator's screen. Five sign-ups to a shift, then a
    // new shift: the open roster stays short enough to show its newest line
    // on screen (the widget hook sees only what is on screen), as a
    // coordinator watching one shift fill would.
    const day = hall.tomorrow();
    const ms = [];
    for (let group = 0; group * 5 < people.length; group++) {
      const role = '实时报名基准' + (group + 1);
      const shift = await hall.createShift(coordinator, { station: 'hall', role, start: day + 'T' + String(8 + group).padStart(2, '0') + ':00',
        end: day + 'T' + String(9 + group).padStart(2, '0') + ':00', capacity: 8 });
      await h.poll(async () => (await kiosk.page.evaluate((s) => window.dianhong.entities('shift', s, 5), role)).length === 1,
        { timeout: 60000, what: 'the kiosk to receive the shift' });
      await h.clickWidget(coordinator.page, 'nav-schedule');
      await h.clickWidget(coordinator.page, 'sched-tab-shifts');
      await h.openScheduledShift(coordinator.page, shift);
      for (const person of people.slice(group * 5, group * 5 + 5)) {
        const r = await hall.timedSignUp(server, kiosk, coordinator, person, shift);
        ms.push(r.ms);
        if (process.env.DH_BENCH_VERBOSE) console.error('sign-up', ms.length, r.ms, 'ms');
      }
    }
    figures.signup_to_coordinator_ms = stats(ms);
    await kiosk.ctx.close();
    await coordinator.ctx.close();

    // 2. Idle minutes: the home page, then the kiosk screen.
    const ctx = await h.newContext(browser);
    await countRaf(ctx);
    const page = await ctx.newPage();
    await page.goto(server.url + '/');
    await h.waitReady(page);
    await h.waitSaved(page);
    await h.poll(async () => (await h.status(page)).full_font_loaded, { timeout: 60000, what: 'the full font' });
    // The push channel answered once (the bar's words settle on "已同步"),
    // then the loop pauses once nothing is left to draw.
    await h.poll(async () => (await h.status(page)).sync.push_live, { timeout: 60000, what: 'the push channel to answer' });
    await h.poll(async () => (await page.evaluate(() => window.dianhong.loop())).paused, { what: 'the loop to pause' });
    const cdp = await ctx.newCDPSession(page);
    figures.idle_home = await idleMinute(page, cdp);
    await h.clickWidget(page, 'nav-kiosk');
    await page.mouse.move(1, 1);
    await page.waitForTimeout(1500);
    figures.idle_kiosk = await idleMinute(page, cdp);
    await ctx.close();
  } finally {
    await server.stop();
    await browser.close();
  }
  if (JSON_OUT) console.log(JSON.stringify(figures, null, 2));
  else {
    const s = figures.signup_to_coordinator_ms;
    console.log(`kiosk sign-up on the server -> coordinator's screen: median ${s.median} ms, worst ${s.worst} ms (n=${s.n})`);
    for (const k of ['idle_home', 'idle_kiosk']) {
      const f = figures[k];
      console.log(`${k}: main thread ${f.main_thread_ms_per_min} ms/min (script ${f.script_ms_per_min}), ` +
        `rAF ${f.raf_per_min}/min, frames ${f.frames_per_min}/min, wake ticks ${f.wake_ticks_per_min}/min`);
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
