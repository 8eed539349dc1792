#!/usr/bin/env node
// The projector's figures (issue 11, docs/projector.md), in headless Chromium
// (Debian's, through playwright-core from tests/e2e) against the real server:
//
//   node bench/projector/run.js [--runs 20] [--still-s 60] [--json]
//
// 1. Chair -> projector: the chair's tab clicks "project" (alternating the
//    motion and the agenda, so every click is a new slide); the time until
//    the projector page drew the first frame of that slide (its own record,
//    window.dianhong.projector().shown_at, on the same machine's clock as the
//    click). Median and worst over --runs, for
//      same-computer  a second tab of the chair's browser (BroadcastChannel)
//      server         another browser context enrolled as a projector, fed by
//                     the push channel (GET /api/v1/wait) through the server
//    and once: the chair's publish (imported) -> figures on the projector.
// 2. Frame time of the projector page at 1920x1080: the app's CPU time per
//    frame (projector().frame_ms: events to swap) and the interval between
//    frames, during cross-fades and while a live count runs (a ballot pushed
//    every 300 ms, the chair's tab updating the projected count).
// 3. Still: frames drawn, requestAnimationFrame callbacks and loop ticks per
//    minute while the slide does not change (--still-s seconds, scaled to a
//    minute).
// Needs build/native (dianhong_server, bench/projector_meeting_seed) and
// build/wasm/dist.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const h = require('../../tests/e2e/lib/harness');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 20);
const STILL_S = arg('still-s', 60);
const JSON_OUT = process.argv.includes('--json');
const SEED = path.join(h.ROOT, 'build/native/bench/projector_meeting_seed');

const projector = (page) => page.evaluate(() => window.dianhong && window.dianhong.projector());
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), worst: s[s.length - 1], best: s[0] };
};
const r1 = (x) => Math.round(x * 10) / 10;

async function api(url, p, body, token) {
  const r = await fetch(url + p, { method: 'POST', body, headers: { 'Content-Type': 'application/json',
    ...(token ? { Authorization: 'Bearer ' + token } : {}) } });
  return { status: r.status, body: await r.json().catch(() => null) };
}

// Counts requestAnimationFrame calls from the page's start.
async function countRaf(ctx) {
  await ctx.addInitScript(() => {
    const raf = window.requestAnimationFrame.bind(window);
    window.__dhRaf = 0;
    window.requestAnimationFrame = (cb) => { window.__dhRaf++; return raf(cb); };
  });
}

async function enrol(page, code) {
  const cdp = await page.context().newCDPSession(page);
  await h.poll(async () => (await h.status(page)).sync.needs_enrolment, { what: 'enrolment asked' });
  await h.clickWidget(page, 'nav-sync');
  await h.clickWidget(page, 'sync-enrol-code');
  await h.insertText(page, cdp, code);
  await h.clickWidget(page, 'sync-enrol');
}

// Clicks "project" for `pick` and returns ms until the projector shows it.
async function projectAndTime(chair, proj, pick, type) {
  await h.clickWidget(chair, 'proj-pick-' + pick);
  // The preview of the chosen slide is drawn (what the chair checks first).
  const want = pick === 'motion' ? '关于三号楼加装电梯的议案' : pick === 'agenda' ? '第四季度社区议事会' : '';
  await h.poll(async () => {
    const t = await chair.evaluate(() => window.dianhong.find('prev-title'));
    return t && t.label.includes(want);
  }, { what: 'the preview of ' + pick });
  const w = await h.findWidget(chair, 'proj-project');
  const t0 = Date.now();
  await chair.mouse.click(w.x + Math.min(w.w / 2, 40), w.y + w.h / 2);
  const p = await h.poll(async () => {
    const x = await projector(proj);
    return x && x.type === type && x.shown_at >= t0 ? x : false;
  }, { interval: 5, timeout: 20000, what: type + ' on the projector' });
  return p.shown_at - t0;
}

async function latencyRuns(chair, proj) {
  const out = [];
  for (let i = 0; i < RUNS; i++) {
    const [pick, type] = i % 2 === 0 ? ['motion', 'motion'] : ['agenda', 'agenda'];
    out.push(await projectAndTime(chair, proj, pick, type));
    await proj.waitForTimeout(600);  // the fade is over
  }
  return out;
}

async function main() {
  const browser = await h.launch();
  const seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-proj-bench-'));
  execFileSync(SEED, [seedDir, '--voters', '40', '--live']);
  const seed = JSON.parse(fs.readFileSync(path.join(seedDir, 'seed.json'), 'utf8'));
  const ballots = fs.readdirSync(path.join(seedDir, 'ballots')).sort((a, b) => parseInt(a) - parseInt(b))
    .map((f) => fs.readFileSync(path.join(seedDir, 'ballots', f), 'utf8'));
  const server = await h.startServer({ demo: false, args: ['--auth', 'devices'] });
  const figures = {};
  try {
    const adminCode = fs.readFileSync(path.join(server.dataDir, 'admin-enrolment-code.txt'), 'utf8').trim();
    const admin = await api(server.url, '/api/v1/enrol', JSON.stringify({ code: adminCode, device: 'benchadmin', name: 'b' }));
    const token = admin.body.token;
    const setup = await api(server.url, '/api/v1/ops', fs.readFileSync(path.join(seedDir, 'setup.json'), 'utf8'), token);
    if (setup.status !== 200) throw new Error('setup refused: ' + JSON.stringify(setup.body).slice(0, 300));
    const code = async (role) => (await api(server.url, '/api/v1/admin/codes', JSON.stringify({ role }), token)).body.code;

    // The chair, and a projector tab in the chair's own browser.
    const chairCtx = await h.newContext(browser);
    await countRaf(chairCtx);
    const chair = await chairCtx.newPage();
    await chair.goto(server.url + '/');
    await h.waitReady(chair, { demo: false });
    await enrol(chair, await code('coordinator'));
    await h.poll(async () => (await h.status(chair)).op_count >= 10, { timeout: 60000, what: 'chair pulled the meeting' });
    await h.clickWidget(chair, 'nav-projector');

    // (The same-computer path is not timed here: headless tabs of one browser
    // share one window and only the front one gets animation frames, so the
    // projector tab would wait for the chair's tab to step back. It is
    // checked by tests/e2e/projector.test.js with the windows brought forward.)
    figures.same_computer_ms = null;

    // A projector laptop through the server.
    const projCtx = await h.newContext(browser, { viewport: { width: 1920, height: 1080 } });
    await countRaf(projCtx);
    const proj = await projCtx.newPage();
    await proj.goto(server.url + '/');
    await h.waitReady(proj, { demo: false });
    await enrol(proj, await code('projector'));
    await h.poll(async () => { const s = await h.status(proj); return s.sync.role === 'projector' && s.saved ? s : false; },
      { timeout: 60000, what: 'projector enrolled' });
    await proj.goto(server.url + '/?view=projector');
    await h.poll(async () => { const p = await projector(proj); return p && p.frames > 0 ? p : false; }, { what: 'projector page' });
    const viaServer = await latencyRuns(chair, proj);
    figures.server_ms = stats(viaServer);

    // Frame times during cross-fades (the runs above switched slides 20 times).
    const afterRuns = await projector(proj);
    figures.fade_frames = afterRuns.fade_frames;

    // Cross-fade frame time, measured on fresh switches with rAF intervals.
    const fadeCpu = [];
    const fadeIntervals = [];
    for (let i = 0; i < 6; i++) {
      const before = (await projector(proj)).frames;
      await projectAndTime(chair, proj, i % 2 === 0 ? 'motion' : 'agenda', i % 2 === 0 ? 'motion' : 'agenda');
      const iv = await proj.evaluate(() => new Promise((resolve) => {
        const ts = [];
        const step = (t) => { ts.push(t); if (ts.length < 20) requestAnimationFrame(step); else resolve(ts); };
        requestAnimationFrame(step);
      }));
      for (let k = 1; k < iv.length; k++) fadeIntervals.push(iv[k] - iv[k - 1]);
      await proj.waitForTimeout(600);
      const p = await projector(proj);
      const n = p.frames - before;
      fadeCpu.push(...p.frame_ms.slice(-n));
    }
    figures.crossfade_frame_cpu_ms = stats(fadeCpu.map(r1));
    figures.crossfade_frame_interval_ms = stats(fadeIntervals.map(r1));

    // Live count: project it, then a ballot every 300 ms.
    await h.clickWidget(chair, 'proj-pick-live_count');
    await h.clickWidget(chair, 'proj-project');
    await h.poll(async () => (await projector(proj)).type === 'live_count', { what: 'live count up' });
    await proj.waitForTimeout(800);
    const liveBefore = await projector(proj);
    const t0 = Date.now();
    for (const b of ballots) {
      await api(server.url, '/api/v1/ops', b, token);
      await new Promise((r) => setTimeout(r, 300));
    }
    const last = await h.poll(async () => {
      const p = await projector(proj);
      return p && JSON.parse(p.content).received === ballots.length ? p : false;
    }, { timeout: 30000, what: 'all ballots counted on the projector' });
    await proj.waitForTimeout(1000);
    const liveAfter = await projector(proj);
    const liveFrames = liveAfter.frames - liveBefore.frames;
    figures.live_count = {
      ballots: ballots.length, seconds: r1((Date.now() - t0) / 1000), frames: liveFrames,
      frame_cpu_ms: stats(liveAfter.frame_ms.slice(-Math.min(liveFrames, 600)).map(r1)),
      last_ballot_to_projector_ms: last.content_at - t0 - 300 * (ballots.length - 1),
    };

    // Still: nothing changes for STILL_S seconds.
    await proj.waitForTimeout(1500);
    const s0 = await projector(proj);
    const raf0 = await proj.evaluate(() => window.__dhRaf);
    await proj.waitForTimeout(STILL_S * 1000);
    const s1 = await projector(proj);
    const raf1 = await proj.evaluate(() => window.__dhRaf);
    const perMin = (x) => r1(x * 60 / STILL_S);
    figures.still_per_minute = { frames: perMin(s1.frames - s0.frames), raf_callbacks: perMin(raf1 - raf0),
      loop_ticks: perMin(s1.ticks - s0.ticks), measured_s: STILL_S };

    figures.runs = RUNS;
    await chairCtx.close();
    await projCtx.close();
  } finally {
    await server.stop();
    await browser.close();
    fs.rmSync(seedDir, { recursive: true, force: true });
  }
  if (JSON_OUT) {
    console.log(JSON.stringify(figures, null, 2));
    return;
  }
  const f = figures;
  console.log(`chair -> projector, through the server (push channel), ${f.server_ms.n} runs: median ${f.server_ms.median} ms, worst ${f.server_ms.worst} ms`);
  console.log(`cross-fade at 1920x1080: app CPU per frame median ${f.crossfade_frame_cpu_ms.median} ms, p95 ${f.crossfade_frame_cpu_ms.p95}, worst ${f.crossfade_frame_cpu_ms.worst} (${f.crossfade_frame_cpu_ms.n} frames); frame interval median ${f.crossfade_frame_interval_ms.median} ms, worst ${f.crossfade_frame_interval_ms.worst}`);
  console.log(`live count (${f.live_count.ballots} ballots in ${f.live_count.seconds} s): ${f.live_count.frames} frames, app CPU per frame median ${f.live_count.frame_cpu_ms.median} ms, p95 ${f.live_count.frame_cpu_ms.p95}, worst ${f.live_count.frame_cpu_ms.worst}; last ballot pushed -> shown ${f.live_count.last_ballot_to_projector_ms} ms`);
  console.log(`still slide, per minute: ${f.still_per_minute.frames} frames, ${f.still_per_minute.raf_callbacks} requestAnimationFrame callbacks, ${f.still_per_minute.loop_ticks} loop ticks (timer) — measured over ${f.still_per_minute.measured_s} s`);
}

main().catch((e) => { console.error(e); process.exit(1); });
