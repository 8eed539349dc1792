// The app loads from the real server, renders, is crisp on high-DPI screens,
// stays idle without input, draws rare name characters, and lets only one tab
// write.
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

test('loads, pulls the demo data, renders widgets and a non-black frame', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  const s = await h.waitReady(page);
  assert.ok(s.op_count > 10000, 'demo operations ingested: ' + s.op_count);
  assert.equal(s.read_only, false);
  assert.deepEqual(s.problems, []);
  const saved = await h.waitSaved(page);
  assert.equal(saved.flushed_generation >= saved.write_generation, true);

  const widgets = await page.evaluate(() => window.dianhong.widgets());
  assert.ok(widgets.length > 10, 'widgets of the last frame: ' + widgets.length);
  const nav = widgets.find((w) => w.key === 'nav-base');
  assert.ok(nav && nav.w > 0 && nav.h > 0, 'navigation button located');

  const px = h.pixelSummary(await page.screenshot());
  assert.ok(px.litShare > 0.5, 'screenshot is not black: ' + px.litShare);
  assert.ok(px.colours > 20, 'screenshot has drawn content: ' + px.colours + ' colours');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('high-DPI: canvas backing store is CSS size x devicePixelRatio', async () => {
  const ctx = await h.newContext(browser, { deviceScaleFactor: 2, viewport: { width: 900, height: 700 } });
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  const dims = await h.poll(async () => {
    const d = await page.evaluate(() => {
      const c = document.getElementById('canvas');
      const r = c.getBoundingClientRect();
      return { w: c.width, h: c.height, cssW: r.width, cssH: r.height, dpr: devicePixelRatio };
    });
    return d.w === Math.floor(d.cssW * d.dpr) ? d : false;
  }, { what: 'canvas size = CSS x DPR' });
  assert.equal(dims.dpr, 2);
  assert.equal(dims.w, 1800);
  assert.equal(dims.h, 1400);
  // Resize: the backing store follows.
  await page.setViewportSize({ width: 700, height: 500 });
  await h.poll(() => page.evaluate(() => document.getElementById('canvas').width === 1400), { what: 'resize' });
  // Widgets are reported in CSS pixels, inside the viewport.
  const nav = await h.findWidget(page, 'nav-home');
  assert.ok(nav.x >= 0 && nav.x + nav.w <= 700 && nav.y + nav.h <= 500, JSON.stringify(nav));
  await ctx.close();
});

test('idle: no frames are rendered without input; input renders again', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.waitSaved(page);
  await page.waitForTimeout(1500);
  const f0 = await page.evaluate(() => window.dianhong.frames());
  // Idle across a background sync poll (every 15 s) that brings nothing new.
  const since = (await page.evaluate(() => window.dianhong.syncStatus())).last_success_ms;
  await h.poll(async () => (await page.evaluate(() => window.dianhong.syncStatus())).last_success_ms > since,
    { timeout: 40000, interval: 500, what: 'a background sync poll' });
  await page.waitForTimeout(1000);
  const f1 = await page.evaluate(() => window.dianhong.frames());
  assert.equal(f1, f0, 'frames rendered while idle (a sync poll must not draw)');
  await page.mouse.move(400, 300);
  await page.mouse.move(420, 310);
  await h.poll(() => page.evaluate((f) => window.dianhong.frames() > f, f1), { what: 'a frame after input' });
  await ctx.close();
});

test('rare name characters (堃 喆 燊 玥 䶮) have glyphs; the full face fills in the rest', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.poll(async () => (await h.status(page)).full_font_loaded, { what: 'the full font', timeout: 60000 });
  const missing = await page.evaluate(() => window.dianhong.missingGlyphs('堃喆燊玥䶮昇珺·张三'));
  assert.equal(missing, '');
  // A CJK Extension A character that no GB2312 subset has: only the full face.
  assert.equal(await page.evaluate(() => window.dianhong.missingGlyphs('㐀㑇')), '');
  await ctx.close();
});

test('a second tab opens read-only and says why', async () => {
  const ctx = await h.newContext(browser);
  const first = await ctx.newPage();
  await first.goto(server.url + '/');
  await h.waitReady(first);
  const second = await ctx.newPage();
  await second.goto(server.url + '/');
  const s = await h.waitReady(second, { demo: false });
  assert.equal(s.read_only, true);
  assert.match(s.read_only_reason, /read-only/);
  assert.ok(s.op_count > 10000, 'the read-only tab still shows the data');
  assert.equal((await h.status(first)).read_only, false);
  await ctx.close();
});
