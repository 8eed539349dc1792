// Long work off the frame (docs/architecture.md, "Long work off the frame"):
// while the auto-scheduler plans the demo month in the browser, frames keep
// coming (no gap over 50 ms between requestAnimationFrame callbacks), the
// progress figure moves, cancel stops it, and the proposal it makes is the
// one the native solver makes on the same data; applying it commits it.
// Real server with the demo, the demo month pushed as another device would
// (dianhong schedule --demo-month 2026-12 --write-ops), Debian's Chromium.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./lib/harness');

const CLI = process.env.DH_CLI || path.join(h.ROOT, 'build/native/src/cli/dianhong');
const MONTH = '2026-12';
// Issue 9: no frame waits more than 50 ms for long work. The app measures
// the time each tick gives the job (status().longest_job_slice_ms): that is
// the contract, asserted below. The gaps between animation frames also hold
// the frame's own drawing, which headless Chromium rasterises in software
// (SwiftShader) in its GPU process: on a loaded 2-core machine one swap alone
// takes 40-480 ms now and then, whatever the page does (measured with the
// tick split into phases: draw 0.2-13 ms, session 0.0 ms, GL swap up to
// 480 ms in frames of the same run). So the gaps are compared with ordinary
// frames (mouse moves) measured just before, at the median, where one slow
// swap does not decide: the job may add at most its slice; and the longest
// gap may not exceed three times the ordinary longest (a solver that held
// the main thread for its whole run, 1-5 s, would).
const MAX_GAP_MS = 50;

let server;
let browser;
let tmp;
let expected;  // the native solver's proposal on the same problem

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-longwork-'));
  server = await h.startServer();  // --demo on loopback: open access for the push below
  browser = await h.launch();
  // The month's shifts and availability, as pushes of device "demo-month".
  const opsFile = path.join(tmp, 'month.jsonl');
  const problemFile = path.join(tmp, 'problem.json');
  execFileSync(CLI, ['schedule', '--demo-month', MONTH, '--write-ops', opsFile, '--write-problem', problemFile]);
  for (const line of fs.readFileSync(opsFile, 'utf8').split('\n').filter(Boolean)) {
    const res = await fetch(server.url + '/api/v1/ops', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: line,
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body).slice(0, 500));
    for (const x of body.results) assert.equal(x.status, 'accepted', JSON.stringify(x));
  }
  expected = JSON.parse(execFileSync(CLI, ['schedule', problemFile], { maxBuffer: 64 << 20 }).toString());
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// Records the gaps between animation frames from now on.
function startFrameRecorder(page) {
  return page.evaluate(() => {
    window.__gaps = [];
    window.__recording = true;
    let last = performance.now();
    const f = (t) => {
      window.__gaps.push(t - last);
      last = t;
      if (window.__recording) requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  });
}
async function stopFrameRecorder(page) {
  return page.evaluate(() => {
    window.__recording = false;
    return window.__gaps;
  });
}
const label = (w) => (w ? w.label.split('##')[0] : '');

test('the auto-scheduler plans the demo month off the frame: frames keep coming, progress moves, cancel works, the proposal applies', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  await h.waitReady(page, { timeout: 240000 });
  await h.poll(async () => (await page.evaluate(() => window.dianhong.entities('shift', '', 100000).length)) > 100,
    { timeout: 120000, what: 'the month of shifts to arrive' });
  const shifts = await page.evaluate(() => window.dianhong.entities('shift', '', 100000).length);
  await h.clickWidget(page, 'nav-schedule');
  await h.clickWidget(page, 'sched-tab-auto');
  const cdp = await ctx.newCDPSession(page);
  await h.clickWidget(page, 'sched-auto-month');
  await page.keyboard.press('Control+A');
  await h.insertText(page, cdp, MONTH);

  // Reference: ordinary frames (the mouse moving over the page), no job.
  await startFrameRecorder(page);
  for (let i = 0; i < 30; i++) {
    await page.mouse.move(700 + (i % 10) * 7, 500 + (i % 7) * 5);
    await page.waitForTimeout(30);
  }
  const refGaps = (await stopFrameRecorder(page)).slice(1);
  const refLongest = Math.max(...refGaps);
  const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
  const refMedian = median(refGaps);

  // The whole run, with the frames measured. (status() hashes the State: not
  // while the recorder runs. The progress probe below reads the last frame's
  // widgets, a few milliseconds of the page's time, every 50 ms.)
  const framesBefore = (await h.status(page)).frames;
  await startFrameRecorder(page);
  const t0 = Date.now();
  await h.clickWidget(page, 'sched-auto-run');
  const seen = new Set();
  await h.poll(async () => {
    const w = await page.evaluate(() => window.dianhong.find('sched-auto-working'));
    if (w) seen.add(label(w));
    return page.evaluate(() => window.dianhong.find('sched-proposal-summary'));
  }, { timeout: 120000, interval: 50, what: 'the proposal' });
  const solveMs = Date.now() - t0;
  const gaps = await stopFrameRecorder(page);
  const after = await h.status(page);
  const framesDuring = after.frames - framesBefore;
  const longest = Math.max(...gaps);
  const sorted = [...gaps].sort((a, b) => a - b);
  const jobMedian = median(gaps);
  console.log(`ordinary frames: ${refGaps.length}, median gap ${refMedian.toFixed(1)} ms, longest ${refLongest.toFixed(1)} ms`);
  console.log(`demo month: ${shifts} shifts; planned in ${solveMs} ms wall; ${framesDuring} app frames; ` +
    `${gaps.length} animation frames, median gap ${jobMedian.toFixed(1)} ms, longest ${longest.toFixed(1)} ms, ` +
    `p99 ${sorted[Math.floor(sorted.length * 0.99)].toFixed(1)} ms; in the app: longest job slice ` +
    `${after.longest_job_slice_ms} ms, longest frame ${after.longest_frame_ms} ms; progress seen: ${[...seen].join(' | ')}`);
  assert.ok(seen.size >= 3, 'the progress figure moves: ' + [...seen].join(' | '));
  assert.ok(framesDuring >= 10, 'the app kept drawing: ' + framesDuring);
  assert.ok(after.longest_job_slice_ms <= MAX_GAP_MS,
    `the job held a frame for ${after.longest_job_slice_ms} ms (limit ${MAX_GAP_MS})`);
  const medianLimit = refMedian + MAX_GAP_MS;
  assert.ok(jobMedian <= medianLimit,
    `median gap between frames while planning ${jobMedian.toFixed(1)} ms (ordinary ${refMedian.toFixed(1)} ms + ${MAX_GAP_MS})`);
  const longestLimit = Math.max(4 * MAX_GAP_MS, 3 * refLongest);
  assert.ok(longest <= longestLimit, `longest gap between frames ${longest.toFixed(1)} ms (limit ${longestLimit.toFixed(1)})`);

  // Cancel: start, see it working, cancel; nothing proposed, no job left.
  await h.clickWidget(page, 'sched-auto-run');
  await h.findWidget(page, 'sched-auto-working', 5000);
  await h.clickWidget(page, 'sched-auto-cancel');
  await h.poll(async () => (await h.status(page)).jobs === 0 && !(await page.evaluate(() => window.dianhong.find('sched-auto-working'))),
    { timeout: 5000, what: 'the job to be cancelled' });
  assert.equal(await page.evaluate(() => window.dianhong.find('sched-proposal-summary')), null);

  // Plan again (to the end) for the apply below.
  await h.clickWidget(page, 'sched-auto-run');
  await h.findWidget(page, 'sched-proposal-summary', 120000);

  // The same proposal as the native solver on the same data.
  const summary = label(await h.findWidget(page, 'sched-proposal-summary'));
  assert.ok(summary.includes(String(expected.assignments.length)), summary + ' vs ' + expected.assignments.length);
  const last = expected.assignments.length - 1;
  await h.findWidget(page, 'sched-assign-0');

  // Apply: every proposed sign-up is committed (channel auto_schedule).
  await h.clickWidget(page, 'sched-auto-apply');
  const applied = await h.poll(async () => {
    const n = await page.evaluate(() => window.dianhong.entities('signup', 'auto_schedule', 100000).length);
    return n >= expected.assignments.length ? n : false;
  }, { timeout: 60000, what: 'the proposal to be committed' });
  assert.equal(applied, expected.assignments.length);
  assert.ok(last >= 0);
  assert.deepEqual(errors, []);
  await ctx.close();
});
