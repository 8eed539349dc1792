// A new version of the app is offered with a prompt; accepting it flushes the
// storage, activates the new service worker and reloads into the new version
// with the data intact.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./lib/harness');

let server;
let browser;
let webDir;
before(async () => {
  // A private copy of the dist, so the test can publish a "new version".
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-e2e-web-'));
  fs.cpSync(h.DIST, webDir, { recursive: true });
  server = await h.startServer({ web: webDir });
  browser = await h.launch();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (webDir) fs.rmSync(webDir, { recursive: true, force: true });
});

test('a new version is offered, and accepting it reloads into it with the data', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  const saved = await h.waitSaved(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await h.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { what: 'the worker to control the page' });
  assert.equal(saved.update_available, false);

  // Publish a new version: a changed service worker (new cache version).
  const swPath = path.join(webDir, 'sw.js');
  const sw = fs.readFileSync(swPath, 'utf8');
  const m = sw.match(/const VERSION = '([^']*)';/);
  assert.ok(m, 'sw.js has a VERSION');
  const next = m[1] + '-next';
  fs.writeFileSync(swPath, sw.replace(m[0], "const VERSION = '" + next + "';"));
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));

  await h.poll(async () => (await h.status(page)).update_available, { what: 'the update prompt', timeout: 60000 });
  await page.evaluate(() => { window.__beforeUpdate = true; });
  await h.clickWidget(page, 'apply-update');
  await h.poll(() => page.evaluate(() => window.__beforeUpdate === undefined).catch(() => false),
    { what: 'the reload into the new version', timeout: 60000 });
  const s = await h.waitReady(page);
  assert.equal(s.op_count, saved.op_count, 'data intact after the update');
  assert.equal(s.update_available, false);
  const keys = await page.evaluate(() => caches.keys());
  assert.ok(keys.includes('dianhong-app-' + next), 'new cache in use: ' + JSON.stringify(keys));
  assert.ok(!keys.includes('dianhong-app-' + m[1]), 'old cache removed: ' + JSON.stringify(keys));
  await ctx.close();
});
