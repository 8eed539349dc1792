// The QR check-in page on a phone (docs/qr-checkin.md): web/checkin.html
// served by the real server, in Debian's Chromium. A volunteer finds
// themself by name, sees only a masked name, checks in, and the server's
// operation is there for every device to pull. A browser that has the app's
// service worker still gets the check-in page, not the app. A wrong key says
// so in plain words.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');

let server;
let browser;
const DEVICE = 'e2eqr';
const KEY = 'e2ekey0000000000abcd';
const ids = {};

// Community-local (UTC+8) "YYYY-MM-DDTHH:MM", minutes from now.
const local = (minutes) => new Date(Date.now() + 8 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);

async function api(path, body) {
  const res = await fetch(server.url + path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function pullAll() {
  const out = [];
  let after = 0;
  for (;;) {
    const r = await api('/api/v1/ops?after=' + after + '&limit=1000');
    assert.equal(r.status, 200);
    out.push(...r.body.ops);
    after = r.body.next;
    if (!r.body.more) return out;
  }
}

before(async () => {
  server = await h.startServer();  // --demo on loopback: open access for the test's pushes
  browser = await h.launch();
  const grid = (await pullAll()).find((o) => o.op.type === 'grid.create').op.payload.entity;
  let seq = 0;
  const ops = [];
  const op = (type, fields) => {
    seq += 1;
    const id = DEVICE + ':' + seq;
    ops.push({ id, hlc: Date.now() + '.' + seq, author: 'staff:e2e', type, payload: { entity: id, fields } });
    return id;
  };
  ids.station = op('station.create', { name: '扫码测试站', station_type: 'station' });
  const hh = op('household.create', { address: '幸福里 99 号', grid });
  const res = op('resident.create', { name: '欧阳明', household: hh, phone: '13812349876' });
  ids.volunteer = op('volunteer.create', { resident: res });
  ids.shift = op('shift.create', { station: ids.station, role: '课后托管', start: local(-10), end: local(60),
    capacity: 2, checkin_key: KEY });
  ids.signup = op('signup.create', { shift: ids.shift, volunteer: ids.volunteer, channel: 'coordinator' });
  const r = await api('/api/v1/ops', { protocol: 2, device: DEVICE, ops });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const x of r.body.results) assert.equal(x.status, 'accepted', JSON.stringify(x));
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const pageUrl = (key) => server.url + '/checkin.html#s=' + encodeURIComponent(ids.shift) + '&k=' + key;

test('a phone with the app installed finds itself on the roster and checks in', async () => {
  const ctx = await h.newContext(browser, { viewport: { width: 390, height: 800 } });
  const page = await ctx.newPage();
  // The app first, so its service worker controls this origin.
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await page.evaluate(() => navigator.serviceWorker.ready);

  await page.goto(pageUrl(KEY));
  await page.waitForSelector('#name', { state: 'visible', timeout: 15000 });
  // The service worker saw this navigation (it controls the page) and let it through.
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the app\'s service worker is in the path');
  assert.match(await page.title(), /签到/);
  assert.equal(await page.locator('canvas').count(), 0, 'the check-in page, not the app');

  // The whole name and the last 4 digits (exact matches only: docs/qr-checkin.md).
  await page.fill('#name', '欧阳明');
  await page.fill('#phone', '9876');
  await page.click('#find-button');
  const person = page.locator('button.person');
  await person.first().waitFor({ timeout: 15000 });
  assert.equal(await person.count(), 1);
  const text = await person.first().innerText();
  assert.match(text, /欧\*明/);
  assert.match(text, /签到/);
  const html = await page.content();
  assert.ok(!html.includes('欧阳明'), 'no full name on the page');
  assert.ok(!html.includes('13812349876') && !html.includes('9876'), 'no phone on the page');
  assert.match(await page.locator('#shift').innerText(), /扫码测试站/);

  await person.first().click();
  await h.poll(async () => (await page.locator('#done-title').innerText()).includes('签到成功'),
    { what: 'the check-in confirmation' });

  // The server's operation reaches everyone through the ordinary pull.
  const mine = (await pullAll()).filter((o) => o.op.id.startsWith('server:'));
  assert.equal(mine.length, 1);
  assert.equal(mine[0].op.author, 'qr:' + ids.volunteer);
  assert.equal(mine[0].op.type, 'signup.edit');
  assert.equal(mine[0].op.payload.entity, ids.signup);
  assert.equal(mine[0].op.payload.fields.check_in_method, 'qr');

  // Looking again offers check-out.
  await page.click('#again');
  await page.fill('#name', '欧阳明');
  await page.fill('#phone', '9876');
  await page.click('#find-button');
  await h.poll(async () => (await page.locator('button.person').first().innerText()).includes('签退'),
    { what: 'the check-out button' });
  await ctx.close();
});

test('the coordinator\'s app shows the shift\'s check-in code for this server', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.clickWidget(page, 'nav-schedule');
  await h.openScheduledShift(page, ids.shift);
  await h.clickWidget(page, 'sched-qr-' + ids.shift);
  const url = await h.findWidget(page, 'qr-url');
  // The page's own origin, the shift and its key: what the phone opens.
  assert.equal(url.label.split('##')[0], server.url + '/checkin.html#s=' + ids.shift + '&k=' + KEY);
  assert.equal((await h.findWidget(page, 'qr-where')).label.split('##')[0], '扫码测试站');
  // The code is drawn: the view is white with near-black text (both "lit":
  // r+g+b > 30), so only the pure black modules are dark, a large share.
  const px = h.pixelSummary(await page.screenshot());
  assert.ok(px.litShare > 0.5 && px.litShare < 0.97, 'dark QR modules on the screen: ' + JSON.stringify(px));
  await h.clickWidget(page, 'qr-close');
  await h.findWidget(page, 'sched-tab-shifts');
  await ctx.close();
});

test('a wrong key is explained in Chinese and English, and nothing is listed', async () => {
  const ctx = await h.newContext(browser, { viewport: { width: 390, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(pageUrl('wrongkey00000000'));
  await page.waitForSelector('#name', { state: 'visible', timeout: 15000 });
  await page.fill('#name', '欧阳明');
  await page.fill('#phone', '9876');
  await page.click('#find-button');
  await h.poll(async () => (await page.locator('#message').innerText()).includes('二维码已失效'),
    { what: 'the wrong-key message' });
  assert.match(await page.locator('#message').innerText(), /not valid/);
  assert.equal(await page.locator('button.person').count(), 0);
  // Without the fragment the page asks for a scan.
  await page.goto(server.url + '/checkin.html');
  await h.poll(async () => (await page.locator('#message').innerText()).includes('扫描'), { what: 'the scan hint' });
  assert.equal(await page.locator('#find').isVisible(), false);
  await ctx.close();
});
