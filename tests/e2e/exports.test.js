// Exports and printing from the scheduling screen reach the browser
// (src/platform/files_web.cpp): the hours CSV and a shift's roster arrive as
// downloads with their names and the UTF-8 BOM, and "print roster" opens the
// page from a Blob URL in a new window. Real server, Debian's Chromium.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const h = require('./lib/harness');

let server;
let browser;
const DEVICE = 'e2eexport';
let shiftId;

// Community-local (UTC+8) "YYYY-MM-DDTHH:MM", minutes from now.
const local = (minutes) => new Date(Date.now() + 8 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);

before(async () => {
  server = await h.startServer();  // --demo on loopback: open access for the test's push
  browser = await h.launch();
  // A station of its own and a shift tomorrow, as another device would add them.
  let seq = 0;
  const ops = [];
  const op = (type, fields) => {
    seq += 1;
    const id = DEVICE + ':' + seq;
    ops.push({ id, hlc: Date.now() + '.' + seq, author: 'staff:e2e', type, payload: { entity: id, fields } });
    return id;
  };
  const station = op('station.create', { name: '导出测试站', station_type: 'station' });
  shiftId = op('shift.create', { station, role: '阅读空间', start: local(24 * 60), end: local(26 * 60), capacity: 2 });
  const res = await fetch(server.url + '/api/v1/ops', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ protocol: 2, device: DEVICE, ops }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  for (const x of body.results) assert.equal(x.status, 'accepted', JSON.stringify(x));
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function download(page, key) {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), h.clickWidget(page, key)]);
  const file = await d.path();
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(file) };
}

test('the hours CSV and a roster download with their names and BOM; the roster prints from a Blob URL', async () => {
  const ctx = await h.newContext(browser, { acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.clickWidget(page, 'nav-schedule');
  await h.clickWidget(page, 'sched-tab-hours');

  const hours = await download(page, 'hours-export');
  assert.match(hours.name, /^服务时长-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.deepEqual([...hours.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
  assert.ok(hours.bytes.toString('utf8').includes('志愿者编号'), 'Chinese header');
  assert.ok(hours.bytes.toString('utf8').endsWith('\r\n'));

  await h.clickWidget(page, 'sched-tab-shifts');
  await h.openScheduledShift(page, shiftId);
  const roster = await download(page, 'sched-export-roster');
  assert.match(roster.name, /^名单-\d{4}-\d{2}-\d{2}-\d{4}-.+\.csv$/);
  assert.deepEqual([...roster.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.ok(roster.bytes.toString('utf8').startsWith('\ufeff站点,岗位'), 'roster header');

  const [popup] = await Promise.all([page.waitForEvent('popup', { timeout: 15000 }), h.clickWidget(page, 'sched-print-roster')]);
  await popup.waitForLoadState('load');
  assert.match(popup.url(), /^blob:/);
  const html = await popup.content();
  assert.ok(html.includes('lang="zh-CN"'), 'the printable roster page');
  assert.ok(html.includes('阅读空间') && html.includes('导出测试站'), 'the shift\'s role and station');
  assert.deepEqual(errors, []);
  await ctx.close();
});
