// The demo opens on a home page that tells the community's story (issue 12,
// docs/demo.md): live figures counted from the records, with non-zero
// volunteer hours and households taking part, each with its definition a
// click away; and the auto-scheduler plans next month of the demo and fills
// its places. Real server with the demo, Debian's Chromium; the page's clock
// is set to the demo's day (2026-12-02 09:30 in Fengqing, UTC+8) and runs on
// from there, so the test means the same whatever day it runs.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');

const DEMO_NOW = new Date('2026-12-02T01:30:00Z');  // 09:30 local
const NEXT_MONTH = '2027-01';

let server;
let browser;
before(async () => {
  server = await h.startServer();
  browser = await h.launch();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const text = (w) => w.label.split('##')[0];
const number = (w) => Number(text(w).replace(/,/g, ''));

test('the home page shows the year of volunteering; the auto-scheduler fills next month', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.clock.setSystemTime(DEMO_NOW);
  await page.goto(server.url + '/');
  await h.waitReady(page, { timeout: 240000 });

  // The home page is what the demo opens on; its figures come from the records.
  const hours = number(await h.findWidget(page, 'home-value-hours', 60000));
  const households = number(await h.findWidget(page, 'home-value-households'));
  const active = number(await h.findWidget(page, 'home-value-active'));
  const signups = number(await h.findWidget(page, 'home-value-signups'));
  console.log(`home: ${hours} h this year, ${households} households taking part, ${active} active, ${signups} sign-ups this month`);
  assert.ok(hours > 12000, 'volunteer hours this year: ' + hours);
  assert.ok(households > 3058 * 0.7 && households <= 3058, 'households taking part: ' + households);
  assert.ok(active > 0 && signups > 0);
  assert.match(text(await h.findWidget(page, 'home-value-coverage')), /^\d+\.\d%$/);
  assert.ok(await h.findWidget(page, 'home-chart'));
  assert.match(text(await h.findWidget(page, 'home-station-hall')), /^[\d,]+ \/ [\d,]+（/);

  // A figure's definition is a click away.
  await h.clickWidget(page, 'home-fig-households');
  await h.poll(async () => /户数/.test(text(await h.findWidget(page, 'home-def'))), { what: 'the households definition' });

  // The auto-scheduler plans next month and fills its places.
  await h.clickWidget(page, 'nav-schedule');
  await h.clickWidget(page, 'sched-tab-auto');
  const cdp = await ctx.newCDPSession(page);
  await h.focusField(page, 'sched-auto-month');
  await page.keyboard.press('Control+A');
  await h.insertText(page, cdp, NEXT_MONTH);
  await h.clickWidget(page, 'sched-auto-run');
  const summary = text(await h.findWidget(page, 'sched-proposal-summary', 180000));
  const m = summary.match(/建议填补(\d+)个空缺（共(\d+)个）/);
  assert.ok(m, summary);
  const [filled, open] = [Number(m[1]), Number(m[2])];
  console.log(`auto-schedule ${NEXT_MONTH}: ${summary}`);
  assert.ok(filled > 0, summary);
  assert.equal(filled, open, 'every open place of next month is filled: ' + summary);

  // Applied, the places are taken: sign-ups of channel auto_schedule.
  await h.clickWidget(page, 'sched-auto-apply');
  const applied = await h.poll(async () => {
    const n = await page.evaluate(() => window.dianhong.entities('signup', 'auto_schedule', 100000).length);
    return n >= filled ? n : false;
  }, { timeout: 120000, what: 'the proposal to be committed' });
  assert.equal(applied, filled);
  assert.deepEqual(errors, []);
  await ctx.close();
});
