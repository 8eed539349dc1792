// Data entered through the UI (clicks on real pixels, Chinese through an IME
// composition) is committed, saved on the device, survives a reload, and is
// there when the app opens offline from the service worker. A corrupt segment
// planted in IndexedDB is reported and the rest of the data survives.
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

const NAME = '张三突击队';
const LEADER = '王堃';

async function squadsNamed(page, name) {
  return page.evaluate((n) => window.dianhong.entities('squad', n, 10), name);
}

test('IME input lands in a field, is committed, saved, and survives reload and offline', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.waitSaved(page);
  await page.evaluate(() => navigator.serviceWorker.ready);

  // Base data -> squads -> new.
  await h.clickWidget(page, 'nav-base');
  await h.clickWidget(page, 'kind-squad');
  await h.clickWidget(page, 'new');

  // Name: pinyin composition through CDP, as a real IME delivers it.
  const cdp = await ctx.newCDPSession(page);
  await h.clickWidget(page, 'f-name');
  await h.poll(async () => (await h.status(page)).want_text_input, { what: 'the name field to take text' });
  await h.poll(() => page.evaluate(() => document.activeElement && document.activeElement.id === 'dh-ime'),
    { what: 'the IME input to have focus' });
  await h.typeWithIme(page, cdp, 'zhangsan', '张三');
  await h.typeWithIme(page, cdp, 'tujidui', '突击队');

  // Leader: a rare name character, then Backspace and retype (keys reach ImGui).
  await h.clickWidget(page, 'f-leader_name');
  await h.typeWithIme(page, cdp, 'wang', '王');
  await h.typeWithIme(page, cdp, 'kun', '坤');
  await page.keyboard.press('Backspace');
  await h.typeWithIme(page, cdp, 'kun', '堃');
  await page.waitForTimeout(200);

  const before = (await h.status(page)).op_count;
  await h.clickWidget(page, 'create');
  await h.poll(async () => (await h.status(page)).op_count > before, { what: 'the squad to be committed' });
  const squads = await squadsNamed(page, NAME);
  assert.equal(squads.length, 1, 'committed squad: ' + JSON.stringify(squads));
  assert.equal(squads[0].fields.name, NAME);
  assert.equal(squads[0].fields.leader_name, LEADER);
  const saved = await h.waitSaved(page);
  assert.ok(saved.saved);

  // Reload: the data is read back from IndexedDB.
  await page.reload();
  await h.waitReady(page);
  assert.equal((await squadsNamed(page, NAME)).length, 1, 'after reload');

  // Offline: the page, .js, .wasm and fonts come from the service worker.
  await ctx.setOffline(true);
  await page.reload();
  const s = await h.waitReady(page);
  assert.equal((await squadsNamed(page, NAME)).length, 1, 'offline after reload');
  assert.ok(s.op_count > 10000);
  const px = h.pixelSummary(await page.screenshot());
  assert.ok(px.colours > 20, 'offline page renders');
  await ctx.setOffline(false);
  await ctx.close();
});

test('paste from the system clipboard reaches the focused field', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  await h.clickWidget(page, 'nav-base');
  await h.clickWidget(page, 'kind-squad');
  await h.clickWidget(page, 'new');
  await h.clickWidget(page, 'f-name');
  await h.poll(() => page.evaluate(() => document.activeElement && document.activeElement.id === 'dh-ime'),
    { what: 'the IME input to have focus' });
  // A real paste event with clipboard data, as the browser fires on Ctrl+V.
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', '粘贴服务队');
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
  });
  await page.waitForTimeout(200);
  const before = (await h.status(page)).op_count;
  await h.clickWidget(page, 'create');
  await h.poll(async () => (await h.status(page)).op_count > before, { what: 'the pasted squad to be committed' });
  assert.equal((await squadsNamed(page, '粘贴服务队')).length, 1);
  await ctx.close();
});

test('a corrupt segment in IndexedDB is reported and the rest of the data survives', async () => {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page);
  const good = await h.waitSaved(page);

  // Leave the app (the tab's writer lock goes with it), then damage the newest
  // segment record in the IDBFS database from a page of the same origin.
  await page.goto(server.url + '/manifest.webmanifest');
  const planted = await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('/data');
    open.onerror = () => reject(new Error('cannot open the IDBFS database'));
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('FILE_DATA', 'readwrite');
      const store = tx.objectStore('FILE_DATA');
      const keysReq = store.getAllKeys();
      keysReq.onsuccess = () => {
        const segs = keysReq.result.filter((k) => /\/seg-\d+\.log$/.test(k)).sort();
        if (!segs.length) { reject(new Error('no segment files in ' + JSON.stringify(keysReq.result))); return; }
        const key = segs[segs.length - 1];
        const getReq = store.get(key);
        getReq.onsuccess = () => {
          const rec = getReq.result;
          const bytes = new Uint8Array(rec.contents);
          const mid = Math.floor(bytes.length / 2);
          for (let i = mid; i < Math.min(bytes.length, mid + 64); i++) bytes[i] = 0x5a;  // garbage
          rec.contents = bytes;  // same timestamp: the reload must not overwrite it
          store.put(rec, key);
        };
      };
      tx.oncomplete = () => resolve({ segs: keysReq.result.filter((k) => /seg-/.test(k)).length, key: keysReq.result.filter((k) => /\/seg-\d+\.log$/.test(k)).sort().pop() });
      tx.onerror = () => reject(tx.error);
    };
  }));

  await page.goto(server.url + '/');
  const s = await h.waitReady(page, { demo: false });
  const file = planted.key.split('/').pop();
  assert.ok(s.problems.some((p) => p.includes(file)), 'problem reported for ' + file + ': ' + JSON.stringify(s.problems));
  assert.ok(s.op_count > 0.9 * good.op_count, 'kept ' + s.op_count + ' of ' + good.op_count);
  assert.equal(s.read_only, false);
  // The app keeps working: a new record commits and is saved.
  await h.clickWidget(page, 'nav-base');
  await h.clickWidget(page, 'kind-squad');
  await h.clickWidget(page, 'new');
  await h.clickWidget(page, 'f-name');
  await page.keyboard.type('After repair');
  const before = s.op_count;
  await h.clickWidget(page, 'create');
  await h.poll(async () => (await h.status(page)).op_count > before, { what: 'a commit after the repair' });
  await h.waitSaved(page);
  await ctx.close();
});
