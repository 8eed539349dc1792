// Shared helpers of the browser tests: the real server process, Debian's
// Chromium through Playwright, and input on real pixels found through the
// app's widget locator (window.dianhong.widgets()).
'use strict';
const { spawn } = require('node:child_process');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = process.env.DH_SERVER || path.join(ROOT, 'build/native/src/server/dianhong_server');
const DIST = process.env.DH_WEB_DIST || path.join(ROOT, 'build/wasm/dist');
const CHROMIUM = process.env.DH_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader'];

function checkBuilt() {
  const missing = [];
  if (!fs.existsSync(SERVER)) missing.push(SERVER);
  if (!fs.existsSync(path.join(DIST, 'index.html'))) missing.push(path.join(DIST, 'index.html'));
  if (missing.length) throw new Error('Build first (script/test does): missing ' + missing.join(', '));
}

// Starts dianhong_server on a free port with a fresh data folder and the demo
// data; resolves when it prints its address.
async function startServer(options = {}) {
  checkBuilt();
  const dataDir = options.dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'dh-e2e-'));
  const args = ['--port', '0', '--data', dataDir, '--web', options.web || DIST];
  if (options.demo !== false) args.push('--demo');
  if (options.args) args.push(...options.args);
  const proc = spawn(SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 60 s:\n' + log)), 60000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/open (http:\/\/[^\s/]+)\/?/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error('server exited ' + code + ':\n' + log)); });
  });
  return {
    url, dataDir, proc,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => { proc.once('exit', r); setTimeout(r, 5000); });
      }
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

async function newContext(browser, options = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, ...options });
}

async function poll(fn, { timeout = 30000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error('timed out waiting for ' + what + ' (last: ' + JSON.stringify(String(last)) + ')');
    await new Promise((r) => setTimeout(r, interval));
  }
}

const status = (page) => page.evaluate(() => (window.dianhong ? window.dianhong.status() : null));

// Waits until the app drew its first frame with the data (and, by default,
// until the demo data pull is finished and saved).
// Ready: the data open, the first round over (demo), and the full font
// merged or failed: the app merges it once input has been quiet for a moment
// (src/app/main.cpp ui_quiet), which can move text, so a test acts only after.
async function waitReady(page, { demo = true, timeout = 120000 } = {}) {
  return poll(async () => {
    const s = await status(page);
    if (!s || !s.ready || s.frames < 1) return false;
    if (demo && !s.demo_done) return false;
    if (!s.full_font_settled && s.online) return false;  // offline: the service worker may not hold it yet
    return s;
  }, { timeout, what: 'the app to be ready' });
}

async function waitSaved(page, timeout = 30000) {
  return poll(async () => {
    const s = await status(page);
    return s && s.saved && !s.flush_in_progress && s.op_count > 0 ? s : false;
  }, { timeout, what: 'the data to be saved on the device' });
}

async function findWidget(page, key, timeout = 15000) {
  return poll(() => page.evaluate((k) => window.dianhong.find(k), key), { timeout, what: 'widget ' + key });
}

// Clicks the centre of a widget through the real mouse path.
async function clickWidget(page, key) {
  const w = await findWidget(page, key);
  await page.mouse.click(w.x + Math.min(w.w / 2, 40), w.y + w.h / 2);
  await page.waitForTimeout(150);
  return w;
}

// Pinyin through an IME composition (CDP), as a real IME delivers it.
async function typeWithIme(page, cdp, pinyin, text) {
  for (let i = 1; i <= pinyin.length; i++) {
    const part = pinyin.slice(0, i);
    await cdp.send('Input.imeSetComposition', { text: part, selectionStart: part.length, selectionEnd: part.length });
  }
  await cdp.send('Input.insertText', { text });
  await page.waitForTimeout(150);
}

// Minimal PNG decoder (8-bit RGB/RGBA, non-interlaced) for screenshot checks.
function decodePng(buf) {
  let pos = 8, width = 0, height = 0, colorType = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); colorType = data[9]; }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      let p;
      if (f === 0) p = 0; else if (f === 1) p = a; else if (f === 2) p = b; else if (f === 3) p = (a + b) >> 1;
      else { const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c); p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      out[y * stride + x] = (v + p) & 255;
    }
  }
  return { width, height, bpp, data: out };
}

// Share of pixels that are not (near) black, and the number of distinct colours.
function pixelSummary(png) {
  const img = decodePng(png);
  let lit = 0;
  const colours = new Set();
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const o = i * img.bpp;
    const r = img.data[o], g = img.data[o + 1], b = img.data[o + 2];
    if (r + g + b > 30) lit++;
    if (colours.size < 5000) colours.add((r << 16) | (g << 8) | b);
  }
  return { litShare: lit / n, colours: colours.size, width: img.width, height: img.height };
}

// Text into the focused field as one insertion (CDP), as a paste or a
// committed IME composition arrives.
async function insertText(page, cdp, text) {
  await cdp.send('Input.insertText', { text });
  await page.waitForTimeout(150);
}

// Waits until the page's last sync round ended well after `since` (ms since
// 1970) with nothing waiting to go up.
async function waitSynced(page, since = 0, timeout = 60000) {
  return poll(async () => {
    const s = await status(page);
    return s && s.sync && !s.sync.in_progress && s.sync.waiting === 0 && s.sync.last_success_ms > since &&
      !s.sync.last_error ? s : false;
  }, { timeout, what: 'a completed sync round' });
}

// A browser context on the app with the demo pulled, saved and synced.
// offlineReload: also wait for the service worker, so the page can be
// reloaded with the network off.
async function openDevice(browser, url, { what, offlineReload = false, viewport } = {}) {
  const ctx = await newContext(browser, viewport ? { viewport } : {});
  const page = await ctx.newPage();
  await page.goto(url + '/');
  await waitReady(page);
  await waitSaved(page);
  await waitSynced(page);
  if (offlineReload) await page.evaluate(() => navigator.serviceWorker.ready);
  const cdp = await ctx.newCDPSession(page);
  return { ctx, page, cdp, what };
}

// Clicks a text field until it takes text (a click that lands while a popup
// is still closing, on a busy machine, only closes the popup).
async function focusField(page, key) {
  for (let attempt = 1; ; attempt++) {
    await clickWidget(page, key);
    try {
      return await poll(async () => (await status(page)).want_text_input, { timeout: 3000, what: key + ' to take text' });
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

// The community secretary's API access on a server started with
// --auth devices: enrols an administrator device with the server's first
// code; post(path, body, token?) answers {status, body}; codeFor(role) makes
// a one-time enrolment code.
async function adminApi(server, device = 'testadmin01') {
  const post = (p, body, token) => fetch(server.url + p, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const adminCode = fs.readFileSync(path.join(server.dataDir, 'admin-enrolment-code.txt'), 'utf8').trim();
  const admin = await post('/api/v1/enrol', { code: adminCode, device, name: 'secretary' });
  if (admin.status !== 200) throw new Error('admin enrolment refused: ' + JSON.stringify(admin.body));
  const token = admin.body.token;
  const codeFor = async (role) => {
    const r = await post('/api/v1/admin/codes', { role }, token);
    if (r.status !== 200) throw new Error('no enrolment code for ' + role + ': ' + JSON.stringify(r.body));
    return r.body.code;
  };
  return { post, token, codeFor };
}

// A shift as the device holds it ({id, fields}); fails when it is not there.
async function shiftOnDevice(page, shiftId) {
  const shift = (await page.evaluate(() => window.dianhong.entities('shift', '', 1e6))).find((e) => e.id === shiftId);
  assert(shift, 'shift ' + shiftId + ' is on the device');
  return shift;
}

// At the kiosk's "sign up for a shift" screen, brings `shiftId`'s sign-up
// button on screen as a resident would: steps to the shift's day (前一天 /
// 后一天), picks its station when the day offers a choice, and turns the
// pages of the day's list. Returns the button's widget.
async function kioskShowShift(page, shiftId) {
  const has = (k) => page.evaluate((key) => !!window.dianhong.find(key), k);
  const shift = await shiftOnDevice(page, shiftId);
  const day = shift.fields.start.slice(0, 10);
  await findWidget(page, 'kiosk-back');
  for (let i = 0; i < 16 && !(await has('kiosk-day-' + day)); i++) {
    const shown = (await page.evaluate(() => window.dianhong.widgets()))
      .find((w) => w.visible && /^kiosk-day-\d/.test(w.key));
    assert(shown, 'the kiosk shows a day');
    await clickWidget(page, shown.key.slice('kiosk-day-'.length) < day ? 'kiosk-day-next' : 'kiosk-day-prev');
  }
  await findWidget(page, 'kiosk-day-' + day);
  if (await has('kiosk-station-' + shift.fields.station)) await clickWidget(page, 'kiosk-station-' + shift.fields.station);
  for (let i = 0; i < 40 && !(await has('kiosk-signup-' + shiftId)); i++) {
    if (!(await has('kiosk-page-next'))) break;
    await clickWidget(page, 'kiosk-page-next');
  }
  return findWidget(page, 'kiosk-signup-' + shiftId);
}

// On the coordinator's 排班 screen (shifts tab), opens `shiftId` as a
// coordinator would among a month of shifts: picks the shift's station in
// the filter, then turns the mouse wheel over the list until its row shows
// (down first: the test's shifts are ahead of the list's first rows), and
// clicks it.
async function openScheduledShift(page, shiftId) {
  const key = 'sched-shift-' + shiftId;
  const has = (k) => page.evaluate((x) => !!window.dianhong.find(x), k);
  if (!(await has(key))) {
    const shift = await shiftOnDevice(page, shiftId);
    await clickWidget(page, 'sched-station');
    await clickWidget(page, 'opt-' + shift.fields.station);
    await poll(() => page.evaluate(() => !!window.dianhong.widgets().find((w) => w.visible && /^sched-shift-/.test(w.key))),
      { what: 'the shift list' });
    for (let i = 0; i < 120 && !(await has(key)); i++) {
      const row = (await page.evaluate(() => window.dianhong.widgets())).find((w) => w.visible && /^sched-shift-/.test(w.key));
      if (!row) break;
      await page.mouse.move(row.x + row.w / 2, row.y + row.h / 2);
      await page.mouse.wheel(0, i < 60 ? 120 : -120);
      await page.waitForTimeout(100);
    }
  }
  return clickWidget(page, key);
}

// A device locked as a kiosk (an enrolled kiosk, or the setting): staff
// press 工作人员, set the PIN first when none is set (twice), then type it
// to leave; the whole workbench opens at Settings.
async function staffUnlock(page, pin = '2580') {
  const typePin = async () => {
    for (const d of pin) await clickWidget(page, 'pin-key-' + d);
    await clickWidget(page, 'pin-ok');
  };
  await clickWidget(page, 'kiosk-staff');
  await findWidget(page, 'pin-title');
  if (!(await status(page)).staff_pin_set) {
    await typePin();
    await typePin();
    await poll(async () => (await status(page)).staff_pin_set, { what: 'the staff PIN to be set' });
    await clickWidget(page, 'kiosk-staff');
    await findWidget(page, 'pin-title');
  }
  await typePin();
  await poll(async () => (await status(page)).locked_area === '', { what: 'staff to leave the kiosk' });
  await findWidget(page, 'nav-base');
}

// No navigation on screen (a locked device).
async function noNavigation(page) {
  const nav = (await page.evaluate(() => window.dianhong.widgets())).filter((w) => w.visible && /^nav-/.test(w.key));
  assert.deepEqual(nav.map((w) => w.key), [], 'no navigation on a locked device');
}

// Scrolls the window under `at` (a widget key) with the mouse wheel until
// `key` is whole on screen; returns it.
async function wheelTo(page, key, at) {
  const vp = page.viewportSize();
  for (let i = 0; i < 40; i++) {
    const w = await page.evaluate((k) => window.dianhong.find(k), key);
    if (w && !w.cut && w.h >= (w.full ? w.full[3] - 0.5 : 0)) return w;
    const a = await page.evaluate((k) => window.dianhong.find(k), at);
    await page.mouse.move(a ? a.x + a.w / 2 : vp.width / 2, a ? a.y + a.h / 2 : vp.height / 2);
    await page.mouse.wheel(0, 100);
    await page.waitForTimeout(120);
  }
  return findWidget(page, key);
}

module.exports = {
  wheelTo, kioskShowShift, openScheduledShift, staffUnlock, noNavigation,
  ROOT, DIST, SERVER, CHROMIUM_FLAGS, startServer, launch, newContext, poll, status, waitReady, waitSaved,
  findWidget, clickWidget, typeWithIme, pixelSummary, insertText, waitSynced, openDevice, focusField, adminApi,
};
