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
//    and once: the chair's publish (its button) -> figures on the projector.
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
async function projectAndTime(chair, proj, pick, type, split = null) {
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
  }, { interval: 5, timeout: 30000, what: type + ' on the projector' }).catch(async (e) => {
    const x = await projector(proj);
    const find = (k) => chair.evaluate((key) => { const w = window.dianhong.find(key); return w && w.label; }, k);
    const diag = { t0, now: Date.now(), projector: x && { screen: x.screen, key: x.key, shown_at: x.shown_at, frames: x.frames },
      proj_sync: (await h.status(proj)).sync, chair_sync: (await h.status(chair)).sync,
      chair_state: await find('proj-state'), chair_now: await find('projector-now'), button: w };
    throw new Error(e.message + ' ' + JSON.stringify(diag));
  });
  if (split) {
    // Where the time went on the same computer: the chair's side (click ->
    // the slide posted on the channel) and the projector's (message -> first frame).
    const arrived = await proj.evaluate((k) => window.__dhArrived && window.__dhArrived[k], p.content);
    if (arrived) split.push({ chair: arrived - t0, projector: p.shown_at - arrived });
  }
  return p.shown_at - t0;
}

// Records when each distinct slide arrives on the BroadcastChannel (the
// projector page's own listener does the same; this one is the bench's).
async function recordArrivals(page) {
  await page.evaluate(() => {
    window.__dhArrived = {};
    let last = null;
    const ch = new BroadcastChannel('dianhong-projector');
    ch.onmessage = (e) => {
      const m = e.data || {};
      // A slide that differs from the one before (the heartbeat repeats it).
      if (m.t === 'slide' && typeof m.content === 'string' && m.content !== last) {
        last = m.content;
        window.__dhArrived[m.content] = Date.now();
      }
    };
    window.__dhArrivalChannel = ch;
  });
}

async function latencyRuns(chair, proj, split = null) {
  const out = [];
  for (let i = 0; i < RUNS; i++) {
    const [pick, type] = i % 2 === 0 ? ['motion', 'motion'] : ['agenda', 'agenda'];
    out.push(await projectAndTime(chair, proj, pick, type, split));
    if (process.env.DH_BENCH_VERBOSE) console.error('run', i, pick, out[out.length - 1], 'ms');
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

    // The same computer: a second WINDOW of the chair's browser (window.open
    // with "popup", as a chair drags it to the projector's screen). Tabs of
    // one headless window would not do: only the front tab gets animation
    // frames. The popup shares the chair's profile, so the chair's tab keeps
    // the writer lock and the popup is fed by the BroadcastChannel.
    {
      const [win] = await Promise.all([chair.waitForEvent('popup', { timeout: 20000 }),
        chair.evaluate((u) => { window.open(u, 'dh-projector', 'popup,width=1920,height=1080'); },
          server.url + '/?view=projector')]);
      await win.setViewportSize({ width: 1920, height: 1080 });
      await h.poll(async () => { const p = await projector(win); return p && p.frames > 0 && p.screen !== 'lost' ? p : false; },
        { timeout: 60000, what: 'the projector window on the chair\'s computer' });
      const src = (await projector(win)).source;
      if (src !== 'channel') throw new Error('the projector window is fed by ' + src + ', not the BroadcastChannel');
      await recordArrivals(win);
      const split = [];
      figures.same_computer_ms = stats(await latencyRuns(chair, win, split));
      figures.same_computer_split_ms = { chair_to_channel: stats(split.map((x) => x.chair)),
        channel_to_first_frame: stats(split.map((x) => x.projector)) };
      await win.close();
    }

    // A projector laptop through the server.
    const projCtx = await h.newContext(browser, { viewport: { width: 1920, height: 1080 } });
    await countRaf(projCtx);
    const proj = await projCtx.newPage();
    await proj.goto(server.url + '/');
    await h.waitReady(proj, { demo: false });
    await enrol(proj, await code('projector'));
    // Enrolled AND durable before the page is left for ?view=projector: the
    // enrolment (device.json) and the first pull are kept by a flush; leaving
    // as soon as the role shows (what this benchmark did first) lost the
    // enrolment, and the projector page sat unenrolled ("lost contact").
    await h.poll(async () => {
      const s = await h.status(proj);
      return s.sync.role === 'projector' && s.op_count >= seed.ops - 2 ? s : false;  // --live: setup = all but close and publish
    }, { timeout: 60000, what: 'projector enrolled with the meeting pulled' });
    await h.waitSynced(proj);
    await h.waitSaved(proj);
    await proj.goto(server.url + '/?view=projector');
    await h.poll(async () => { const p = await projector(proj); return p && p.frames > 0 ? p : false; }, { what: 'projector page' });
    const pst = await h.status(proj);
    if (!pst.sync || pst.sync.role !== 'projector') throw new Error('the projector page is not enrolled: ' + JSON.stringify(pst.sync));
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

    // The chair's publish -> the figures on the projector, through the
    // server, once (a poll publishes once): the result slide is projected
    // (still "not published"), the chair closes the poll and presses
    // publish in the deliberation area; the chair's tab captures the slide
    // again with the figures (projection::follow_up) and the projector draws
    // them. Same transport as the switches above plus that follow-up edit.
    await h.clickWidget(chair, 'proj-pick-result');
    await h.findWidget(chair, 'proj-result-hidden');
    await h.clickWidget(chair, 'proj-project');
    await h.poll(async () => (await projector(proj)).type === 'result', { what: 'the result slide (unpublished) up' });
    await h.clickWidget(chair, 'nav-deliberation');
    await h.clickWidget(chair, 'delib-tab-chair');
    await h.clickWidget(chair, 'delib-close-' + seed.poll);
    const pubButton = await h.findWidget(chair, 'delib-publish-' + seed.poll, 30000);
    await proj.waitForTimeout(1000);
    const tp = Date.now();
    await chair.mouse.click(pubButton.x + Math.min(pubButton.w / 2, 40), pubButton.y + pubButton.h / 2);
    const pub = await h.poll(async () => {
      const x = await projector(proj);
      return x && /"published":true/.test(x.content) ? x : false;
    }, { interval: 5, timeout: 30000, what: 'the published figures on the projector' });
    figures.publish_ms = pub.content_at - tp;
    figures.publish_counts = JSON.parse(pub.content).bars.map((b) => b.count);
    if (JSON.stringify(figures.publish_counts) !== JSON.stringify(seed.counts)) {
      throw new Error('the projector shows ' + figures.publish_counts + ', the ballots were ' + seed.counts);
    }

    // Still: nothing changes for STILL_S seconds.
    await proj.waitForTimeout(1500);
    const s0 = await projector(proj);
    const raf0 = await proj.evaluate(() => window.__dhRaf);
    await proj.waitForTimeout(STILL_S * 1000);
    const s1 = await projector(proj);
    const raf1 = await proj.evaluate(() => window.__dhRaf);
    const perMin = (x) => r1(x * 60 / STILL_S);
    const why = {};
    for (const [k, v] of Object.entries(s1.frame_reasons || {})) {
      const d = v - ((s0.frame_reasons || {})[k] || 0);
      if (d) why[k] = d;
    }
    figures.still_per_minute = { frames: perMin(s1.frames - s0.frames), raf_callbacks: perMin(raf1 - raf0),
      loop_ticks: perMin(s1.ticks - s0.ticks), measured_s: STILL_S, frames_drawn_for: why };

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
  console.log(`chair -> projector, same computer (BroadcastChannel, a second window), ${f.same_computer_ms.n} runs: median ${f.same_computer_ms.median} ms, worst ${f.same_computer_ms.worst} ms`);
  console.log(`  of which the chair's tab (click -> slide posted): median ${f.same_computer_split_ms.chair_to_channel.median} ms, worst ${f.same_computer_split_ms.chair_to_channel.worst}; the projector window (message -> first frame): median ${f.same_computer_split_ms.channel_to_first_frame.median} ms, worst ${f.same_computer_split_ms.channel_to_first_frame.worst}`);
  console.log(`chair -> projector, through the server (push channel), ${f.server_ms.n} runs: median ${f.server_ms.median} ms, worst ${f.server_ms.worst} ms`);
  console.log(`the chair's publish (deliberation area) -> figures on the projector through the server, once: ${f.publish_ms} ms (counts ${f.publish_counts.join('/')})`);
  console.log(`cross-fade at 1920x1080: app CPU per frame median ${f.crossfade_frame_cpu_ms.median} ms, p95 ${f.crossfade_frame_cpu_ms.p95}, worst ${f.crossfade_frame_cpu_ms.worst} (${f.crossfade_frame_cpu_ms.n} frames); frame interval median ${f.crossfade_frame_interval_ms.median} ms, worst ${f.crossfade_frame_interval_ms.worst}`);
  console.log(`live count (${f.live_count.ballots} ballots in ${f.live_count.seconds} s): ${f.live_count.frames} frames, app CPU per frame median ${f.live_count.frame_cpu_ms.median} ms, p95 ${f.live_count.frame_cpu_ms.p95}, worst ${f.live_count.frame_cpu_ms.worst}; last ballot pushed -> shown ${f.live_count.last_ballot_to_projector_ms} ms`);
  console.log(`still slide, per minute: ${f.still_per_minute.frames} frames, ${f.still_per_minute.raf_callbacks} requestAnimationFrame callbacks, ${f.still_per_minute.loop_ticks} loop ticks (timer) — measured over ${f.still_per_minute.measured_s} s; frames drawn for: ${JSON.stringify(f.still_per_minute.frames_drawn_for)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
