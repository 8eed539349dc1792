// The locked kiosk (issue 12; docs/web-app.md "Kiosk mode"): a tablet in the
// hall, portrait 768x1024 then landscape 1280x800, real server, Debian's
// Chromium. Settings -> "lock as a kiosk" asks for the staff PIN twice and
// locks: the kiosk alone, no navigation, every button at least 48 px tall and
// inside the window. A resident signs up, cancels before check-in, signs up
// again; a coordinator's device checks them in; the kiosk syncs, says 已签到
// and offers no cancel. A wrong PIN is refused, the right one leaves. The
// language, large text and the lock survive a reload.
//
// The person, the station and the shift are pushed through the server's API
// the way a coordinator's device pushes them (open access on loopback, as in
// checkin.test.js), so the test does not depend on the demo's shifts or on
// the shift form.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');

let server;
let browser;
const DEVICE = 'e2ecoordlock';
const ids = {};
const PERSON = { name: '欧阳锁屏', phone: '13822224321' };
const ROLE = '锁屏测试岗';
const PIN = '1357';
let seq = 0;

// Community-local (UTC+8) "YYYY-MM-DDTHH:MM", minutes from now.
const local = (minutes) => new Date(Date.now() + 8 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);

async function api(path, body) {
  const res = await fetch(server.url + path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

// Pushes operations as the coordinator's device; returns the server's results.
async function push(list) {
  const ops = list.map(([type, payload]) => {
    seq += 1;
    const id = DEVICE + ':' + seq;
    return { id, hlc: Date.now() + '.' + seq, author: 'staff:e2e', type, payload: { entity: id, ...payload } };
  });
  const r = await api('/api/v1/ops', { protocol: 2, device: DEVICE, ops });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.results.map((x, i) => ({ ...x, entity: ops[i].payload.entity }));
}

before(async () => {
  server = await h.startServer();
  browser = await h.launch();
  const first = await api('/api/v1/ops?after=0&limit=200');
  const grid = first.body.ops.find((o) => o.op.type === 'grid.create').op.payload.entity;
  const [station, hh] = await push([
    ['station.create', { fields: { name: '锁屏测试站', station_type: 'station' } }],
    ['household.create', { fields: { address: '幸福里 98 号', grid } }],
  ]);
  const [resident] = await push([['resident.create', { fields: { name: PERSON.name, household: hh.entity, phone: PERSON.phone } }]]);
  const [volunteer] = await push([['volunteer.create', { fields: { resident: resident.entity } }]]);
  // Starts in an hour: open for sign-up, and a check-in is allowed from 2 hours before.
  const [shift] = await push([['shift.create', { fields: { station: station.entity, role: ROLE, start: local(60),
    end: local(180), capacity: 3 } }]]);
  for (const r of [station, hh, resident, volunteer, shift]) assert.equal(r.status, 'accepted', JSON.stringify(r));
  Object.assign(ids, { volunteer: volunteer.entity, shift: shift.entity });
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const text = (w) => (w && w.label ? w.label.split('##')[0] : '');
const widgets = (page) => page.evaluate(() => window.dianhong.widgets());

// Every visible widget whose key starts with one of the prefixes is at least
// 48 CSS px tall and inside the window. Items a scrolling list cuts at its
// edge are clipped by the locator; only the widgets named here are checked,
// and the test's rows are at the top of their lists.
async function checkTargets(page, prefixes, what) {
  const vp = page.viewportSize();
  const list = (await widgets(page)).filter((w) => w.visible && prefixes.some((p) => w.key.startsWith(p)));
  assert.ok(list.length > 0, what + ': no widget with ' + prefixes.join(', '));
  for (const w of list) {
    const where = what + ': ' + w.key + ' ' + JSON.stringify({ x: w.x, y: w.y, w: w.w, h: w.h }) + ' in ' + JSON.stringify(vp);
    assert.ok(w.h >= 48, where + ' is under 48 px tall');
    assert.ok(w.x >= 0 && w.y >= 0 && w.x + w.w <= vp.width + 0.5 && w.y + w.h <= vp.height + 0.5, where + ' leaves the window');
  }
  return list;
}

async function noNavigation(page) {
  const nav = (await widgets(page)).filter((w) => w.visible && /^(nav-|goto-base|status-ops|kind-)/.test(w.key));
  assert.deepEqual(nav.map((w) => w.key), [], 'the locked kiosk shows no navigation');
}

async function typePin(page, digits) {
  for (const d of digits) await h.clickWidget(page, 'pin-key-' + d);
  await h.clickWidget(page, 'pin-ok');
}

const kioskLines = async (page) => (await widgets(page)).filter((w) => w.visible && /^kiosk-line-/.test(w.key)).map(text);

// At the kiosk's start screen: find the person by name and open their shifts.
async function openPerson(dev) {
  const { page, cdp } = dev;
  for (const back of ['kiosk-ok', 'kiosk-finish']) {
    if (await page.evaluate((k) => !!window.dianhong.find(k), back)) await h.clickWidget(page, back);
  }
  await h.focusField(page, 'kiosk-search');
  await page.keyboard.press('Control+A');
  await h.insertText(page, cdp, PERSON.name);
  await h.clickWidget(page, 'kiosk-pick-' + ids.volunteer);
  await h.findWidget(page, 'kiosk-find');
}

async function signUp(dev, what) {
  const { page } = dev;
  await openPerson(dev);
  await h.clickWidget(page, 'kiosk-find');
  const button = await h.kioskShowShift(page, ids.shift);
  assert.equal(text(button), '报名');
  await checkTargets(page, ['kiosk-signup-' + ids.shift, 'kiosk-staff'], what);
  await h.clickWidget(page, 'kiosk-signup-' + ids.shift);
  await h.poll(async () => text(await page.evaluate(() => window.dianhong.find('kiosk-title'))) === '报名成功！',
    { what: 'the kiosk to confirm the sign-up' });
  await checkTargets(page, ['kiosk-more', 'kiosk-ok'], what + ', done');
  const live = await page.evaluate((s) => window.dianhong.entities('signup', s, 10), ids.shift);
  assert.equal(live.length, 1, 'one live sign-up: ' + JSON.stringify(live));
  return live[0].id;
}

test('a locked kiosk at 768x1024 and 1280x800: sign up, cancel before check-in, 已签到 without cancel after, PIN to leave; settings survive a reload', async () => {
  const ctx = await h.newContext(browser, { viewport: { width: 768, height: 1024 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.waitSaved(page);
  await h.waitSynced(page);
  const cdp = await ctx.newCDPSession(page);
  const dev = { ctx, page, cdp };

  // Settings -> lock as a kiosk: the staff PIN first, twice.
  await h.clickWidget(page, 'nav-settings');
  assert.equal((await h.status(page)).staff_pin_set, false);
  await h.clickWidget(page, 'kiosk-lock-on');
  await h.findWidget(page, 'pin-title');
  await typePin(page, PIN);
  await typePin(page, PIN);
  const locked = await h.poll(async () => {
    const s = await h.status(page);
    return s.locked_area === 'kiosk' && s.kiosk_lock && s.staff_pin_set ? s : false;
  }, { what: 'the device to lock as a kiosk' });
  assert.equal(locked.area, 'kiosk');
  assert.equal(locked.large_text, false, 'the setting is untouched; the locked kiosk draws large text anyway');
  await h.findWidget(page, 'kiosk-search');
  await noNavigation(page);
  await checkTargets(page, ['kiosk-staff', 'kiosk-search', 'kiosk-request'], '768x1024 start');
  // The URL cannot reach another screen either.
  await page.evaluate(() => { location.hash = '#base'; });
  await page.waitForTimeout(300);
  assert.equal((await h.status(page)).area, 'kiosk');

  // Sign up, then cancel before any check-in.
  const first = await signUp(dev, '768x1024 open shifts');
  await openPerson(dev);
  let lines = await kioskLines(page);
  assert.ok(lines.some((l) => l.includes(ROLE) && l.includes('已确认')), 'your shifts: ' + JSON.stringify(lines));
  await checkTargets(page, ['kiosk-cancel-' + first, 'kiosk-find', 'kiosk-finish'], '768x1024 your shifts');
  await h.clickWidget(page, 'kiosk-cancel-' + first);
  await h.poll(async () => (await page.evaluate((s) => window.dianhong.entities('signup', s, 10), ids.shift)).length === 0,
    { what: 'the sign-up to be cancelled' });
  assert.equal(text(await h.findWidget(page, 'kiosk-message')), '已取消这个班次的报名。');

  // Landscape 1280x800: again; the sign-up reaches the server.
  await page.setViewportSize({ width: 1280, height: 800 });
  await h.poll(async () => (await h.findWidget(page, 'kiosk-staff')).x > 768, { what: 'the landscape frame' });
  await checkTargets(page, ['kiosk-staff', 'kiosk-find', 'kiosk-finish'], '1280x800 your shifts');
  const since = Date.now();
  const signup = await signUp(dev, '1280x800 open shifts');
  await h.waitSaved(page);
  await h.waitSynced(page, since);

  // The coordinator's device checks the person in (pushed to the server).
  const [checkIn] = await push([['signup.edit', { entity: signup, fields: { check_in: local(0), check_in_method: 'list' } }]]);
  assert.equal(checkIn.status, 'accepted', JSON.stringify(checkIn));
  // The kiosk syncs and says 已签到, with no cancel.
  await h.poll(async () => {
    const s = (await page.evaluate((shift) => window.dianhong.entities('signup', shift, 100), ids.shift))
      .find((e) => e.id === signup);
    return s && s.fields.check_in;
  }, { timeout: 60000, what: 'the kiosk to receive the check-in' });
  for (const size of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(300);
    await openPerson(dev);
    lines = await kioskLines(page);
    const at = size.width + 'x' + size.height;
    assert.ok(lines.some((l) => l.includes(ROLE) && l.includes('已签到')), at + ' checked in: ' + JSON.stringify(lines));
    assert.ok(!lines.some((l) => l.includes(ROLE) && l.includes('已确认')), at + ' not 已确认: ' + JSON.stringify(lines));
    assert.equal(await page.evaluate((k) => window.dianhong.find(k), 'kiosk-cancel-' + signup), null, at + ': no cancel after check-in');
    await checkTargets(page, ['kiosk-find', 'kiosk-finish', 'kiosk-staff'], at + ' your shifts, checked in');
    await noNavigation(page);
  }

  // Leaving: a wrong PIN is refused, the right one opens the workbench.
  await h.clickWidget(page, 'kiosk-staff');
  await h.findWidget(page, 'pin-title');
  await checkTargets(page, ['pin-key-', 'pin-clear', 'pin-ok', 'pin-back'], '768x1024 PIN pad');
  await typePin(page, '2468');
  const refused = await h.poll(async () => text(await page.evaluate(() => window.dianhong.find('pin-message'))),
    { what: 'the wrong PIN to be refused' });
  assert.match(refused, /^密码不对/);
  assert.equal((await h.status(page)).locked_area, 'kiosk');
  await noNavigation(page);
  await typePin(page, PIN);
  const left = await h.poll(async () => {
    const s = await h.status(page);
    return s.locked_area === '' ? s : false;
  }, { what: 'the right PIN to leave the kiosk' });
  assert.equal(left.kiosk_lock, false);
  assert.equal(left.area, 'settings');
  await h.findWidget(page, 'nav-base');

  // Settings of this device: English, large text, locked again; a reload keeps them.
  await h.clickWidget(page, 'lang-en');
  await h.poll(async () => (await h.status(page)).language === 'en', { what: 'English' });
  await page.waitForTimeout(300);
  await h.clickWidget(page, 'large-text');
  await h.poll(async () => (await h.status(page)).large_text, { what: 'large text' });
  await page.waitForTimeout(300);
  const before = await h.status(page);
  await h.clickWidget(page, 'kiosk-lock-on');  // the PIN is set: it locks at once
  await h.poll(async () => {
    const s = await h.status(page);
    return s.locked_area === 'kiosk' && s.kiosk_lock && s.saved && !s.flush_in_progress &&
      s.flushes_completed > before.flushes_completed ? s : false;
  }, { what: 'the lock to be saved' });
  await cdp.detach();
  await page.reload();
  const again = await h.waitReady(page);
  assert.equal(again.language, 'en');
  assert.equal(again.large_text, true);
  assert.equal(again.kiosk_lock, true);
  await h.poll(async () => (await h.status(page)).locked_area === 'kiosk', { what: 'the reloaded page to be locked' });
  assert.equal(text(await h.findWidget(page, 'kiosk-staff')), 'Staff');
  await noNavigation(page);
  await checkTargets(page, ['kiosk-staff', 'kiosk-search', 'kiosk-request'], '768x1024 after the reload');
  assert.deepEqual(errors, []);
  await ctx.close();
});
