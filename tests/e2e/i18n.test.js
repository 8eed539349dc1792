// Everything a person reads in the Chinese UI is Chinese (issue 12): every
// screen of the zh-CN app on the demo is walked, and every text the frame
// draws (ImGui's own text log, window.dianhong.captureText, src/app/test_hook.cpp)
// is checked for Latin words outside names, numbers and codes. Also: dates
// are never shown as an ISO string or with a "T", and the date picker and
// typed dates work in a shift form. Real server, Debian's Chromium.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');

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

// The text of the next frame the app draws.
async function frameText(page) {
  const before = await page.evaluate(() => window.dianhong.capturedText().frame);
  await page.evaluate(() => window.dianhong.captureText());
  await page.mouse.move(2, 2);  // input wakes the loop if it sleeps
  const got = await h.poll(async () => {
    const c = await page.evaluate(() => window.dianhong.capturedText());
    return c && c.frame > before ? c : false;
  }, { what: 'a captured frame' });
  return got.text;
}

// Words of Latin letters a Chinese screen may show: codes and units people
// know in their Latin form.
// "English" is the language's own name on the language switch, as every
// app shows it.
const ALLOWED = new Set(['English', 'QR', 'CSV', 'ICS', 'PDF', 'PIN', 'ID', 'SHA', 'HTML', 'URL', 'WebGL', 'IndexedDB', 'UTC']);

// Latin words that are neither allowed codes nor parts of an id/code (a
// token with a digit, "_", "-", "." or ":" in it, such as "hh-0001",
// "dispute_mediation:3", "127.0.0.1"), each with its line.
function latinWords(text) {
  const found = [];
  for (const line of text.split('\n')) {
    // A record's id ("编号：hall") is a code, shown as stored.
    const words = line.replace(/编号：\S+/g, '');
    const tokens = words.match(/[A-Za-z][A-Za-z0-9_.:\/@?=&#%-]*/g) || [];
    for (const t of tokens) {
      const word = t.replace(/[.:]+$/, '');
      if (/[0-9_\-.:\/@?=&#%]/.test(word)) continue;  // an id, a code, an address
      if (word.length < 2 || ALLOWED.has(word)) continue;
      found.push(word + '  ←  ' + line.trim().slice(0, 120));
    }
  }
  return found;
}

function isoDates(text) {
  return text.split('\n').filter((l) => /\d{4}-\d\d-\d\dT\d\d:\d\d/.test(l) || /\d\dT\d\d:\d\d/.test(l));
}

test('every screen of the Chinese UI shows no Latin words and no ISO dates', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.waitSaved(page);
  assert.equal((await h.status(page)).language, 'zh-CN');

  // Screens: every area, the tabs of those that have them, every kind of
  // base record with its first record's form open.
  const screens = [];
  const areas = ['home', 'kiosk', 'schedule', 'talent', 'requests', 'deliberation', 'projector', 'sync', 'base', 'settings'];
  const tabs = {
    schedule: ['sched-tab-shifts', 'sched-tab-auto', 'sched-tab-hours'],
    talent: ['talent-tab-experts', 'talent-tab-trainees', 'talent-tab-figures'],
    deliberation: ['delib-tab-councils', 'delib-tab-setup', 'delib-tab-chair', 'delib-tab-vote', 'delib-tab-minutes'],
  };
  const problems = [];
  const look = async (name) => {
    const text = await frameText(page);
    assert.ok(text.length > 20, name + ' drew text');
    screens.push(name);
    for (const w of latinWords(text)) problems.push(name + ': ' + w);
    for (const l of isoDates(text)) problems.push(name + ': ISO date: ' + l.trim().slice(0, 120));
  };
  for (const area of areas) {
    await h.clickWidget(page, 'nav-' + area);
    await look(area);
    for (const tab of tabs[area] || []) {
      if (!(await page.evaluate((k) => window.dianhong.find(k), tab))) continue;
      await h.clickWidget(page, tab);
      await look(area + '/' + tab);
    }
  }
  await h.clickWidget(page, 'nav-base');
  const kinds = await page.evaluate(() => window.dianhong.widgets().filter((w) => w.key.startsWith('kind-')).map((w) => w.key));
  assert.ok(kinds.length >= 10, 'the kinds of records are listed');
  for (const kind of kinds) {
    await h.clickWidget(page, kind);
    const row = await page.evaluate(() => {
      const r = window.dianhong.widgets().find((w) => w.visible && w.key.startsWith('row-'));
      return r ? r.key : null;
    });
    if (row) await h.clickWidget(page, row);
    await look('base/' + kind + (row ? '/' + row : ''));
  }
  assert.ok(screens.length >= 25, 'walked ' + screens.length + ' screens');
  assert.deepEqual(problems, [], 'Latin words or ISO dates on Chinese screens');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a shift is made with typed dates and the calendar, and shown in words', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.waitSaved(page);
  await h.clickWidget(page, 'nav-base');
  await h.clickWidget(page, 'kind-shift');
  await h.clickWidget(page, 'new');

  // A start in a form the old field refused, an end through the calendar.
  await h.focusField(page, 'f-start');
  await page.keyboard.type('2026/12/3 9:00');
  const reads = await h.poll(async () => (await frameText(page)).includes('即 12月3日 周四 09:00') || false,
    { what: 'the typed start read back in words' });
  assert.ok(reads);
  await h.clickWidget(page, 'f-end-pick');
  await h.clickWidget(page, 'f-end-next');      // January
  await h.clickWidget(page, 'f-end-prev');      // back to the month shown first
  await h.clickWidget(page, 'f-end-day-3');
  await h.clickWidget(page, 'f-end-done');      // a date with a time: 确定 closes the calendar
  const text = await frameText(page);
  assert.ok(/即 \d+月3日 周.* 09:00/.test(text), 'the picked day with the default time: ' + text.slice(0, 400));
  // A wrong date is named in Chinese.
  await h.focusField(page, 'f-start');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2月30日 9:00');
  await h.clickWidget(page, 'create');
  const refused = await frameText(page);
  assert.ok(refused.includes('2月30日不存在') || /\d{4}年2月30日不存在/.test(refused), 'the mistake is named');
  await ctx.close();
});
