// PENDING (tests/e2e/pending, not run by npm test): written with issue 12's
// hall-live branch but never run, because the web build (wasm) did not finish
// on the loaded machine before that session's deadline. The native
// counterparts ran (tests/ui/layout_fit_test.cpp, tests/ui/status_line_test.cpp,
// tests/session/push_channel_test.cpp [live]). Move it to tests/e2e/ (harness
// path back to ./lib/) once it passes.
// The hall, live (issue 12): the status bar tells the truth about sync, a
// kiosk's sign-up appears on the coordinator's screen by itself within 2 s of
// reaching the server (the push channel, docs/sync-protocol.md), and an idle
// page runs no animation frames yet handles the next click.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');
const hall = require('./lib/hall');

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { if (browser) await browser.close(); });

const syncLine = async (page) => hall.text(await h.findWidget(page, 'status-sync'));
// "20:15" (today) in the community's time, as the status bar writes it.
const hhmm = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(11, 16);

// Counts requestAnimationFrame calls from the page's start.
async function countRaf(ctx) {
  await ctx.addInitScript(() => {
    const raf = window.requestAnimationFrame.bind(window);
    window.__dhRaf = 0;
    window.requestAnimationFrame = (cb) => { window.__dhRaf++; return raf(cb); };
  });
}

test('the status bar never says synced while offline or while changes wait, and says when it last synced', async () => {
  const server = await h.startServer();
  try {
    const dev = await h.openDevice(browser, server.url, { what: 'coordinator' });
    const { page, ctx } = dev;
    await h.poll(async () => (await syncLine(page)) === '已同步', { what: 'the bar to say 已同步' });
    const last = (await h.status(page)).sync.last_success_ms;

    await ctx.setOffline(true);
    await h.poll(async () => !(await h.status(page)).online, { what: 'the app to notice it is offline' });
    const offline = await h.poll(async () => { const l = await syncLine(page); return l !== '已同步' ? l : false; },
      { what: 'the bar to stop saying 已同步' });
    assert.ok(hall.text(await h.findWidget(page, 'status-offline')), '离线 is shown');
    // The last sync's time, in the bar's format (today: HH:MM).
    const since = (await h.status(page)).sync.last_success_ms;
    assert.ok(since >= last);
    assert.equal(offline, '上次同步 ' + hhmm(since));

    // A change made offline waits, and the bar says so (with the last sync).
    assert.equal(await page.evaluate(() => window.dianhongBench.commitEdits(1)), 1);
    await h.waitSaved(page);
    await h.poll(async () => (await syncLine(page)) === '待上传 1 条 · 上次同步 ' + hhmm(since),
      { what: 'the bar to count the waiting change' });

    // The same in English.
    await h.clickWidget(page, 'nav-settings');
    await h.clickWidget(page, 'lang-en');
    await h.poll(async () => (await syncLine(page)) === '1 waiting to upload · last synced ' + hhmm(since),
      { what: 'the English bar' });
    await h.clickWidget(page, 'lang-zh');

    // Back online: the change goes up, and only then is it 已同步 again.
    await ctx.setOffline(false);
    await h.waitSynced(page, since);
    await h.poll(async () => (await syncLine(page)) === '已同步', { what: 'the bar to say 已同步 again' });

    // The server stops answering: the page is online but not in contact.
    await server.stop();
    await h.poll(async () => { const l = await syncLine(page); return l.startsWith('连不上服务器') ? l : false; },
      { timeout: 60000, what: 'the bar to say the server is unreachable' });
    await ctx.close();
  } finally {
    await server.stop();
  }
});

test('a kiosk\'s sign-up is on the coordinator\'s screen within 2 s of reaching the server, without a click', async () => {
  const server = await h.startServer();
  try {
    const people = hall.kioskPeople((await hall.serverOps(server.url)).ops).slice(0, 3);
    assert.equal(people.length, 3);
    const coordinator = await h.openDevice(browser, server.url, { what: 'coordinator' });
    const kiosk = await h.openDevice(browser, server.url, { what: 'kiosk' });
    const day = hall.tomorrow();
    const shift = await hall.createShift(coordinator, { station: 'hall', role: '实时报名测试', start: day + 'T09:00',
      end: day + 'T11:00', capacity: 10 });
    await h.poll(async () => (await kiosk.page.evaluate((s) => window.dianhong.entities('shift', s, 5), '实时报名测试')).length === 1,
      { timeout: 30000, what: 'the kiosk to receive the new shift' });
    // The coordinator has the shift's roster open and leaves it alone.
    await h.clickWidget(coordinator.page, 'nav-schedule');
    await h.clickWidget(coordinator.page, 'sched-tab-shifts');
    await h.openScheduledShift(coordinator.page, shift);
    await h.findWidget(coordinator.page, 'sched-places');
    const times = [];
    for (const person of people) {
      const before = await coordinator.page.evaluate(() => window.dianhong.loop());
      const { ms, signup } = await hall.timedSignUp(server, kiosk, coordinator, person, shift);
      times.push(ms);
      assert.match(hall.text(await h.findWidget(coordinator.page, 'sched-row-' + signup)), new RegExp('^' + person.name + '\\s'));
      // Drawn by a wake of the coordinator's paused loop (nobody touched it).
      const afterLoop = await coordinator.page.evaluate(() => window.dianhong.loop());
      assert.ok(afterLoop.wake_ticks > before.wake_ticks, 'the coordinator\'s loop was woken: ' + JSON.stringify([before, afterLoop]));
    }
    times.sort((a, b) => a - b);
    // Within 2 s (the median of three: one slow moment of a loaded machine
    // does not decide); the 15 s poll this replaces could not come near.
    assert.ok(times[1] <= 2000, 'sign-up -> coordinator\'s screen, ms: ' + JSON.stringify(times));
    assert.ok(times[2] <= 8000, 'every one well under the poll interval, ms: ' + JSON.stringify(times));
    await kiosk.ctx.close();
    await coordinator.ctx.close();
  } finally {
    await server.stop();
  }
});

// A full minute, as the issue asks: it spans push-channel waits that answer
// (every 20 s) and sync activity without drawing. bench/hall_live measures
// the main thread's time over the same minute.
const IDLE_MS = 61000;

test('an idle home page runs no animation frame callbacks, and the next click is handled and drawn', async () => {
  const server = await h.startServer();
  try {
    const ctx = await h.newContext(browser);
    await countRaf(ctx);
    const page = await ctx.newPage();
    await page.goto(server.url + '/');
    await h.waitReady(page);
    await h.waitSaved(page);
    await h.waitSynced(page);
    await h.poll(async () => (await h.status(page)).full_font_loaded, { timeout: 60000, what: 'the full font' });
    await h.findWidget(page, 'home-value-households');
    // The loop pauses once nothing is left to draw.
    // The push channel answered once (the bar's words settle on "已同步"),
    // then the loop pauses once nothing is left to draw.
    await h.poll(async () => (await h.status(page)).sync.push_live, { timeout: 60000, what: 'the push channel to answer' });
    await h.poll(async () => (await page.evaluate(() => window.dianhong.loop())).paused, { what: 'the loop to pause' });
    const start = await page.evaluate(() => ({ raf: window.__dhRaf, loop: window.dianhong.loop() }));
    await page.waitForTimeout(IDLE_MS);
    const end = await page.evaluate(() => ({ raf: window.__dhRaf, loop: window.dianhong.loop() }));
    assert.equal(end.raf - start.raf, 0, 'requestAnimationFrame calls while idle: ' + JSON.stringify({ start, end }));
    assert.equal(end.loop.frames, start.loop.frames, 'frames drawn while idle');
    assert.ok(end.loop.paused);
    assert.ok(end.loop.wake_ticks > start.loop.wake_ticks, 'the sync ran meanwhile (timers, answers): ' + JSON.stringify({ start, end }));

    // A click after idling: handled (the settings screen opens) and drawn.
    await h.clickWidget(page, 'nav-settings');
    await h.findWidget(page, 'large-text');
    const after = await page.evaluate(() => ({ raf: window.__dhRaf, loop: window.dianhong.loop() }));
    assert.ok(after.loop.frames > end.loop.frames, 'the click was drawn');
    // And the loop goes back to sleep.
    await h.poll(async () => (await page.evaluate(() => window.dianhong.loop())).paused, { what: 'the loop to pause again' });
    // Text typed while paused is not lost: the author field takes it and
    // "save" keeps it (the status bar shows the new author).
    await h.focusField(page, 'author');
    await h.poll(async () => (await page.evaluate(() => window.dianhong.loop())).paused, { what: 'paused with the field focused' });
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Input.insertText', { text: '闲时测试' });
    await h.clickWidget(page, 'author-save');
    await h.poll(async () => hall.text(await h.findWidget(page, 'status-author')).includes('闲时测试'),
      { what: 'the author typed while idle to be saved' });
    await ctx.close();
  } finally {
    await server.stop();
  }
});
