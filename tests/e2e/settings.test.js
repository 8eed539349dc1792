// Language and large text are this device's own choices (issue 9): kept in
// the device's settings file beside the log (IDBFS), across a reload, and
// never as operations in the shared log. Real server, Debian's Chromium.
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

test('a kiosk set to large text and English remembers it after a reload; no operation is made', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.waitSaved(page);
  const before = await h.status(page);
  assert.equal(before.large_text, false);
  assert.equal(before.language, 'zh-CN');

  await h.clickWidget(page, 'nav-settings');
  await h.clickWidget(page, 'lang-en');
  await h.poll(async () => (await h.status(page)).language === 'en', { what: 'English' });
  await page.waitForTimeout(300);  // the relaid-out frame is the one the locator reports
  await h.clickWidget(page, 'large-text');
  let seen = null;
  const set = await h.poll(async () => {
    const s = await h.status(page);
    seen = { large_text: s.large_text, language: s.language, saved: s.saved, flushing: s.flush_in_progress };
    return s.large_text && s.language === 'en' && s.saved && !s.flush_in_progress ? s : false;
  }, { what: 'the settings to be saved' }).catch((e) => { throw new Error(e.message + ' ' + JSON.stringify(seen)); });
  assert.equal(set.op_count, before.op_count, 'settings are not operations');
  // The flush that writes settings.json completes (flushes_completed moves).
  await h.poll(async () => (await h.status(page)).flushes_completed > before.flushes_completed,
    { what: 'the settings flush' });

  await page.reload();
  const again = await h.waitReady(page);
  assert.equal(again.large_text, true);
  assert.equal(again.language, 'en');
  assert.equal(again.op_count, before.op_count);
  await h.clickWidget(page, 'nav-kiosk');
  assert.ok((await h.status(page)).large_text);
  assert.deepEqual(errors, []);
  await ctx.close();
});
