// The volunteer kiosk offline (issue 4): a resident signs up at a tablet in
// the hall while the network is off, the page is reloaded (the service worker
// serves it), the network comes back and a coordinator's browser shows the
// sign-up on the shift's roster. Then two kiosks, both offline, give the last
// place of a shift to two different people: after the merge the coordinator
// sees the shift among those over-filled by a merge, one confirmed and one on
// the waitlist, and every device agrees (same state hash).
//
// The demo data has no shifts, so the coordinator makes them first through
// base data -> shift -> new, as a person would; nothing is written to the
// server except by the browsers' own sync.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');
const hall = require('./lib/hall');

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { if (browser) await browser.close(); });

const { tomorrow, text } = hall;

async function serverHealth(url) {
  return (await fetch(url + '/api/v1/health')).json();
}

const serverOps = async (url) => (await hall.serverOps(url)).ops;

// Adult volunteers of the demo data a kiosk finds unambiguously, by name and
// by the last four digits of their mobile.
const kioskPeople = (ops) => hall.kioskPeople(ops, { uniqueLast4: true });

// The page can be reloaded offline.
const openDevice = (url, what) => h.openDevice(browser, url, { what, offlineReload: true });

const focusField = h.focusField;

// The coordinator makes the shift on the screen (lib/hall.js); it is stored
// as typed.
async function createShift(dev, fields) {
  const id = await hall.createShift(dev, fields);
  const [shift] = (await dev.page.evaluate((r) => window.dianhong.entities('shift', r, 10), fields.role));
  assert.equal(shift.fields.start, fields.start);
  assert.equal(shift.fields.capacity, fields.capacity);
  return id;
}

const kioskLines = async (page) => (await page.evaluate(() => window.dianhong.widgets()))
  .filter((w) => w.visible && /^kiosk-line-/.test(w.key)).map(text);

// At the kiosk: find the person by `query` (name or last four digits), pick
// them, open "sign up for a shift" and sign up for `shift`; waits for the
// confirmation screen and returns the lines it shows.
async function kioskSignUp(dev, person, query, shift) {
  const { page, cdp } = dev;
  await h.clickWidget(page, 'nav-kiosk');
  await focusField(page, 'kiosk-search');
  await h.insertText(page, cdp, query);
  const pick = await h.findWidget(page, 'kiosk-pick-' + person.volunteer);
  // The person sees their name and a masked phone, never the whole number.
  assert.match(text(pick), new RegExp('^' + person.name + '\\s+' + person.phone.slice(0, 3) + '\\*{4}' + person.last4 + '$'));
  assert.ok(!text(pick).includes(person.phone));
  await h.clickWidget(page, 'kiosk-pick-' + person.volunteer);
  assert.equal(text(await h.findWidget(page, 'kiosk-title')), '您好，' + person.name + '！');
  await h.clickWidget(page, 'kiosk-find');
  const button = await h.kioskShowShift(page, shift);
  assert.equal(text(button), '报名');
  await h.clickWidget(page, 'kiosk-signup-' + shift);
  await h.poll(async () => text(await page.evaluate(() => window.dianhong.find('kiosk-title'))) === '报名成功！',
    { what: 'the kiosk to confirm the sign-up of ' + person.name });
  await h.findWidget(page, 'kiosk-saved');  // "已保存在本设备上。" once it is durable
  return kioskLines(page);
}

// The kiosk's "your shifts" list for a person (after "好的" back to the start).
async function kioskMyShifts(dev, person) {
  const { page, cdp } = dev;
  await h.clickWidget(page, 'nav-kiosk');
  if (await page.evaluate(() => !!window.dianhong.find('kiosk-ok'))) await h.clickWidget(page, 'kiosk-ok');
  await focusField(page, 'kiosk-search');
  await page.keyboard.press('Control+A');
  await h.insertText(page, cdp, person.name);
  await h.clickWidget(page, 'kiosk-pick-' + person.volunteer);
  await h.findWidget(page, 'kiosk-title');
  return kioskLines(page);
}

// The coordinator's roster line for a sign-up (sched-row-<signup>), once shown.
async function rosterRow(page, signup, timeout) {
  return text(await h.findWidget(page, 'sched-row-' + signup, timeout));
}

const signupsOf = (page, shift) => page.evaluate((s) => window.dianhong.entities('signup', s, 50), shift);

test('a resident signs up at a kiosk with the network off, the page is reloaded, the network comes back, and a coordinator\'s browser shows the sign-up', async () => {
  const server = await h.startServer();
  try {
    const person = kioskPeople(await serverOps(server.url))[0];
    assert.ok(person, 'the demo data has a volunteer the kiosk can find');
    const coordinator = await openDevice(server.url, 'coordinator');
    const kiosk = await openDevice(server.url, 'kiosk');

    // Tomorrow 09:00–11:00 at 幸福里, three places: made in the coordinator's browser.
    const day = tomorrow();
    const start = day + 'T09:00';
    const end = day + 'T11:00';
    const since = Date.now();
    const shift = await createShift(coordinator, { station: 'st-xingfuli', role: '敬老探访', start, end, capacity: 3 });
    await h.waitSynced(coordinator.page, since);
    await h.poll(async () => (await kiosk.page.evaluate((s) => window.dianhong.entities('shift', s, 5), '敬老探访')).length === 1,
      { timeout: 60000, what: 'the kiosk to receive the new shift' });

    // The network goes off at the kiosk.
    await kiosk.ctx.setOffline(true);
    await h.poll(async () => !(await h.status(kiosk.page)).online, { what: 'the kiosk to notice it is offline' });
    const ops0 = (await serverHealth(server.url)).ops;

    // Found by the last four digits of the phone.
    const done = await kioskSignUp(kiosk, person, person.last4, shift);
    assert.ok(done.includes('已确认'), 'the kiosk says the place is confirmed: ' + JSON.stringify(done));
    assert.ok(done.includes('现在没有网络，联网后会自动同步给协调员。'), 'and that it syncs later: ' + JSON.stringify(done));
    assert.ok(done.some((l) => l.includes('幸福里党群服务点') && l.includes('敬老探访') && l.includes('09:00–11:00')),
      'the shift is named: ' + JSON.stringify(done));
    const saved = await h.waitSaved(kiosk.page);
    assert.equal(saved.sync.waiting, 1, 'the sign-up waits on the kiosk');
    assert.equal((await serverHealth(server.url)).ops, ops0, 'nothing reached the server while offline');

    // Reload while still offline: the service worker serves the app, the
    // sign-up comes back from the device's storage and still waits to go up.
    // (A CDP session attached across the reload would make the new page's
    // navigator.onLine say true while the network is still off: detach it.)
    await kiosk.cdp.detach();
    await kiosk.page.reload();
    // No sync round can run offline, so do not wait for one (demo: false).
    const reloaded = await h.waitReady(kiosk.page, { demo: false });
    kiosk.cdp = await kiosk.ctx.newCDPSession(kiosk.page);
    assert.equal(reloaded.online, false, 'the reloaded app knows it is offline');
    assert.ok(reloaded.op_count > 14000, 'the data came from the device: ' + reloaded.op_count);
    const mine = await signupsOf(kiosk.page, shift);
    assert.equal(mine.length, 1, 'the sign-up survived the reload: ' + JSON.stringify(mine));
    assert.equal(mine[0].fields.volunteer, person.volunteer);
    assert.equal(mine[0].fields.channel, 'kiosk');
    assert.equal(mine[0].fields.seen_place, 'confirmed');
    const signup = mine[0].id;
    assert.equal((await h.status(kiosk.page)).sync.waiting, 1, 'still waiting to go up after the reload');
    // And the person sees it on the kiosk.
    const lines = await kioskMyShifts(kiosk, person);
    assert.ok(lines.some((l) => l.includes('敬老探访') && l.includes('已确认')), 'your shifts: ' + JSON.stringify(lines));

    // The coordinator has the shift's roster open, still empty.
    await h.clickWidget(coordinator.page, 'nav-schedule');
    await h.clickWidget(coordinator.page, 'sched-tab-shifts');
    await h.openScheduledShift(coordinator.page, shift);
    assert.equal(text(await h.findWidget(coordinator.page, 'sched-places')), '已确认 0/3，空缺 3，候补 0');

    // The network comes back: within the sync poll interval the coordinator's
    // browser shows the person on the roster.
    const back = Date.now();
    await kiosk.ctx.setOffline(false);
    const row = await rosterRow(coordinator.page, signup, 60000);
    assert.equal(row, person.name + '  未签到', 'the roster line');
    assert.equal(text(await h.findWidget(coordinator.page, 'sched-places')), '已确认 1/3，空缺 2，候补 0');
    await h.findWidget(coordinator.page, 'sched-cancel-' + signup);

    // The server has exactly that operation, and everyone holds the same state.
    // (The demo's year has sign-ups of its own: only this shift's count.)
    const pushed = (await serverOps(server.url))
      .filter((o) => o.op.type === 'signup.create' && o.op.payload.fields.shift === shift);
    assert.equal(pushed.length, 1);
    assert.equal(pushed[0].op.payload.entity, signup);
    assert.deepEqual({ shift: pushed[0].op.payload.fields.shift, volunteer: pushed[0].op.payload.fields.volunteer,
      channel: pushed[0].op.payload.fields.channel }, { shift, volunteer: person.volunteer, channel: 'kiosk' });
    const health = await serverHealth(server.url);
    assert.equal(health.ops, ops0 + 1);
    await h.waitSynced(kiosk.page, back);
    await h.poll(async () => {
      const [a, b] = [await h.status(kiosk.page), await h.status(coordinator.page)];
      return a.state_hash === health.state_hash && b.state_hash === health.state_hash;
    }, { timeout: 60000, what: 'kiosk and coordinator to hold the server\'s state' });
    await kiosk.ctx.close();
    await coordinator.ctx.close();
  } finally {
    await server.stop();
  }
});

test('an over-filled shift after a merge shows its waitlist', async () => {
  const server = await h.startServer();
  try {
    const [first, second] = kioskPeople(await serverOps(server.url));
    const coordinator = await openDevice(server.url, 'coordinator');
    const k1 = await openDevice(server.url, 'kiosk 1');
    const k2 = await openDevice(server.url, 'kiosk 2');

    // Tomorrow 14:00–16:00 at the hall, one place.
    const day = tomorrow();
    const start = day + 'T14:00';
    const end = day + 'T16:00';
    const since = Date.now();
    const shift = await createShift(coordinator, { station: 'hall', role: '图书角值守', start, end, capacity: 1 });
    await h.waitSynced(coordinator.page, since);
    for (const k of [k1, k2]) {
      await h.poll(async () => (await k.page.evaluate((s) => window.dianhong.entities('shift', s, 5), '图书角值守')).length === 1,
        { timeout: 60000, what: k.what + ' to receive the new shift' });
    }

    for (const k of [k1, k2]) await k.ctx.setOffline(true);
    for (const k of [k1, k2]) await h.poll(async () => !(await h.status(k.page)).online, { what: k.what + ' offline' });

    // Each kiosk sees one free place and gives it away, to a different person.
    for (const [k, person] of [[k1, first], [k2, second]]) {
      const lines = await kioskSignUp(k, person, person.name, shift);
      assert.ok(lines.includes('已确认'), k.what + ' confirms ' + person.name + ': ' + JSON.stringify(lines));
      assert.equal((await h.waitSaved(k.page)).sync.waiting, 1);
    }
    const [s1] = await signupsOf(k1.page, shift);
    const [s2] = await signupsOf(k2.page, shift);
    assert.equal(s1.fields.volunteer, first.volunteer);
    assert.equal(s2.fields.volunteer, second.volunteer);

    // The coordinator is looking at the shift when the kiosks come back.
    await h.clickWidget(coordinator.page, 'nav-schedule');
    await h.openScheduledShift(coordinator.page, shift);
    assert.equal(text(await h.findWidget(coordinator.page, 'sched-places')), '已确认 0/1，空缺 1，候补 0');
    const ops0 = (await serverHealth(server.url)).ops;
    const back = Date.now();
    for (const k of [k1, k2]) await k.ctx.setOffline(false);

    // Both sign-ups reach the server; then all three devices hold its state
    // (the coordinator's within its 15 s poll).
    await h.poll(async () => (await serverHealth(server.url)).ops === ops0 + 2,
      { timeout: 60000, what: 'both kiosks to push their sign-up' });
    const pushed = (await serverOps(server.url))
      .filter((o) => o.op.type === 'signup.create' && o.op.payload.fields.shift === shift).map((o) => o.op.payload.entity);
    assert.deepEqual(pushed.sort(), [s1.id, s2.id].sort());
    for (const k of [k1, k2]) await h.waitSynced(k.page, back);
    const health = await serverHealth(server.url);
    const devices = [coordinator, k1, k2];
    await h.poll(async () => {
      for (const d of devices) if ((await h.status(d.page)).state_hash !== health.state_hash) return false;
      return true;
    }, { timeout: 60000, what: 'all three devices to hold the server\'s state ' + health.state_hash });

    // The merge: the sign-up made first (kiosk 1) keeps the place, the other
    // goes on the waitlist and is marked as bumped by the merge. The
    // coordinator lists the shift at the top, over-filled by the merge.
    const places = text(await h.findWidget(coordinator.page, 'sched-places'));
    const over = await coordinator.page.evaluate((id) => window.dianhong.find('sched-overfilled-' + id), shift);
    assert.ok(over, 'the coordinator lists the shift as over-filled by the merge (its roster says "' + places + '")');
    assert.match(text(over), new RegExp('图书角值守\\s+候补：' + second.name + '\\*$'), 'the over-filled shift and its waitlist');
    assert.equal(text(await h.findWidget(coordinator.page, 'sched-overfilled')),
      '离线合并后有1个班次超员：多出的人已转为候补，请联系他们。');
    await h.clickWidget(coordinator.page, 'sched-overfilled-' + shift);
    assert.equal(text(await h.findWidget(coordinator.page, 'sched-places')), '已确认 1/1，空缺 0，候补 1');
    assert.equal(await rosterRow(coordinator.page, s1.id), first.name + '  未签到');
    assert.equal(await rosterRow(coordinator.page, s2.id), '候补1：' + second.name + '  未签到  （合并后转候补）');
    await h.findWidget(coordinator.page, 'sched-excused-' + s1.id);  // attendance only for the confirmed
    assert.equal(await coordinator.page.evaluate((id) => window.dianhong.find('sched-excused-' + id), s2.id), null);

    // Each kiosk tells its person where they stand now.
    const l1 = await kioskMyShifts(k1, first);
    assert.ok(l1.some((l) => l.includes('图书角值守') && l.includes('已确认')), first.name + ': ' + JSON.stringify(l1));
    const l2 = await kioskMyShifts(k2, second);
    assert.ok(l2.some((l) => l.includes('图书角值守') && l.includes('候补第1位')), second.name + ': ' + JSON.stringify(l2));
    // The kiosks hold the same sign-ups as the coordinator.
    for (const k of [k1, k2]) {
      const [a, b] = [await signupsOf(k.page, shift), await signupsOf(coordinator.page, shift)];
      assert.deepEqual(a, b);
    }
    for (const d of devices) await d.ctx.close();
  } finally {
    await server.stop();
  }
});
