// First start on a new tablet (issue 13 part 1; docs/sync-protocol.md
// "Snapshot for a new device"): a fresh browser profile fetches the server's
// snapshot once, pulls only the tail after it, and shows the whole demo
// community with the server's state hash; a reload starts from what it saved
// and fetches no snapshot again. Device A makes the tail (a squad created
// after the server built its snapshot at start).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { if (browser) await browser.close(); });

async function serverHealth(url) {
  const r = await fetch(url + '/api/v1/health');
  return r.json();
}

// Every API request of a browser context (page and service worker), by path.
function recordApi(ctx) {
  const seen = [];
  ctx.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname.startsWith('/api/')) seen.push({ path: u.pathname, query: u.search });
  });
  return seen;
}

test('a fresh profile gets the demo community from the snapshot plus the tail', async () => {
  const server = await h.startServer();
  try {
    // The tail: device A (itself a new device) creates a squad.
    const a = await h.openDevice(browser, server.url);
    const before = (await h.status(a.page)).op_count;
    await h.clickWidget(a.page, 'nav-base');
    await h.clickWidget(a.page, 'kind-squad');
    await h.clickWidget(a.page, 'new');
    await h.focusField(a.page, 'f-name');
    await h.insertText(a.page, a.cdp, '首启尾队');
    await h.focusField(a.page, 'f-leader_name');
    await h.insertText(a.page, a.cdp, '尾巴');
    await h.clickWidget(a.page, 'create');
    await h.poll(async () => (await h.status(a.page)).op_count > before, { what: 'the squad committed' });
    await h.waitSaved(a.page);
    await h.poll(async () => (await serverHealth(server.url)).ops > before, { what: 'the squad on the server' });
    await a.ctx.close();
    const health = await serverHealth(server.url);

    // Device B: a fresh profile. When the page first uses the store's
    // database for anything but creating it (the first flush's check).
    const ctx = await h.newContext(browser);
    await ctx.addInitScript(() => {
      // Every WebGL context asked for, and whether the app had started.
      window.dhContextCalls = [];
      const getContext = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (...args) {
        // With the operations the app held then (null before it started).
        let ops = null;
        try { const st = window.dianhong && window.dianhong.syncStatus(); ops = st ? st.op_count : null; } catch (e) { /* not yet */ }
        window.dhContextCalls.push({ type: args[0], appStarted: !!(window.Module && Module.calledRun),
                                     ops: ops, width: this.width, height: this.height });
        return getContext.apply(this, args);
      };
      // The keys every IndexedDB write of the page stored.
      window.dhPuts = [];
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        window.dhPuts.push(String(args[1]));
        return put.apply(this, args);
      };
      const transaction = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (...args) {
        if (this.name === '/data' && window.dhFirstStoreTransactionAt === undefined) {
          window.dhFirstStoreTransactionAt = performance.now();
        }
        return transaction.apply(this, args);
      };
    });
    const api = recordApi(ctx);
    const page = await ctx.newPage();
    await page.goto(server.url + '/');
    await h.waitReady(page);
    const s = await h.waitSaved(page);
    assert.equal(s.op_count, health.ops, 'every operation is on the device');
    assert.equal(s.state_hash, health.state_hash, 'the device folds to the server\'s state');
    assert.deepEqual(s.problems, [], 'no problem reported');
    const squads = await page.evaluate(() => window.dianhong.entities('squad', '首启尾队', 10));
    assert.equal(squads.length, 1, 'the tail\'s squad is there');
    // The download was written into the store folder and renamed there
    // (Replica::adopt_server_snapshot_file), not left beside it.
    const files = await page.evaluate(() => Module.FS.readdir('/data/log'));
    assert.ok(files.includes('server-base.bin'), 'the snapshot is kept as server-base.bin: ' + files.join(' '));
    assert.ok(!files.includes('server-base.bin.download'), 'no download left over: ' + files.join(' '));

    // This page created the store's database: the app started from the
    // empty folder without reading it back (web/glue.js storeCreated), and
    // its first flush found the store still empty before writing it.
    assert.equal(await page.evaluate(() => window.dhGlue.storeStartedEmpty), '/data', 'started from the empty store');
    assert.equal(await page.evaluate(() => window.dhGlue.storeVerified), true, 'the first flush checked the store');

    const snapshots = api.filter((r) => r.path === '/api/v1/snapshot');
    const pulls = api.filter((r) => r.path === '/api/v1/ops' && r.query.startsWith('?after='));
    assert.equal(snapshots.length, 1, 'one snapshot download');
    assert.ok(pulls.length >= 1, 'the tail was pulled');
    const firstAfter = Number(new URLSearchParams(pulls[0].query).get('after'));
    assert.ok(firstAfter > 30000, 'the first pull starts after the snapshot (after=' + firstAfter + ')');
    assert.ok(firstAfter < health.head, 'the snapshot is older than the tail');
    const shown = await page.evaluate(() => window.dianhong.dataShown());
    assert.ok(shown && shown.ops > 0, 'the data-shown mark was set');
    // The loading screen stayed up until the community came: the first frame
    // drawn already showed it (no empty workbench drawn and redrawn before).
    // Checked by what that frame drew, not by comparing two clocks: the
    // data-shown mark may come a few ms after the first frame on a busy
    // machine. (On a machine so slow that the data took longer than the
    // hold's 4 s after the store opened, the first frame comes at the hold's
    // end, with whatever there was: still not before 4 s of the page's clock.)
    const firstFrameAt = await page.evaluate(() => window.dianhong.interactiveAt());
    const firstFrameOps = await page.evaluate(() => window.dianhong.firstFrameOps());
    assert.ok(firstFrameOps > 0 || firstFrameAt >= 4000, 'the first frame drew the community (first frame at ' +
      firstFrameAt + ' ms with ' + firstFrameOps + ' operations; data shown at ' + shown.at + ' ms)');
    assert.ok(firstFrameAt <= shown.at, 'the data-shown mark is not before the first frame');
    // No flush before the first frame (src/app/main.cpp, hold_flushes): the
    // copy of the adopted snapshot into IndexedDB waits until it is on screen.
    const firstStoreUse = await page.evaluate(() => window.dhFirstStoreTransactionAt);
    assert.ok(firstStoreUse !== undefined, 'the store was flushed');
    assert.ok(firstStoreUse > firstFrameAt, 'the first flush began after the first frame (flush at ' +
      firstStoreUse + ' ms, first frame at ' + firstFrameAt + ' ms)');
    // The WebGL context was made by the app's first frame, with the
    // community already in (src/app/main.cpp ensure_renderer): not by the
    // page's glue or by main() while the GPU process was still busy with the
    // browser's frames of the page's load; at the canvas's size (not SDL's
    // 1x1 probe).
    const contexts = (await page.evaluate(() => window.dhContextCalls)).filter((c) => c.type === 'webgl2');
    assert.ok(contexts.length >= 1, 'a WebGL2 context was made');
    assert.equal(contexts[0].appStarted, true, 'the first WebGL2 context was made by the app: ' + JSON.stringify(contexts));
    assert.ok(contexts[0].ops > 30000, 'the first WebGL2 context was made with the snapshot adopted: ' +
      JSON.stringify(contexts));
    assert.ok(contexts[0].width > 1 && contexts[0].height > 1, 'made at the canvas\'s size: ' + JSON.stringify(contexts));
    // The app's script is asked for after the page's load event (web/glue.js):
    // it does not hold the load event, so the browser stops animating the
    // tab's loading indicator early instead of redrawing its window every
    // frame while the app starts.
    const order = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const app = performance.getEntriesByType('resource').find((r) => r.name.includes(window.DH_ASSETS.appJs));
      return { loadStart: nav.loadEventStart, appStart: app ? app.startTime : null };
    });
    assert.ok(order.appStart !== null, 'the app script was loaded');
    assert.ok(order.loadStart > 0 && order.appStart >= order.loadStart,
      'the app script was asked for once the load event fired: ' + JSON.stringify(order));

    // A reload starts from IndexedDB: no snapshot again, same state.
    api.length = 0;
    await h.waitSynced(page);
    await page.evaluate(() => navigator.serviceWorker.ready);  // installed: the reload is served by it
    await page.reload();
    const r = await h.waitReady(page);
    assert.equal(r.op_count, health.ops);
    assert.equal(r.state_hash, health.state_hash);
    await h.waitSynced(page);
    assert.equal(api.filter((x) => x.path === '/api/v1/snapshot').length, 0, 'no snapshot after a reload');
    assert.equal(await page.evaluate(() => window.dhGlue.storeStartedEmpty), undefined,
      'a reload reads the store it has');
    assert.equal(await page.evaluate(() => localStorage.getItem('dianhong-device-has-data')), '1',
      'the page knows this browser holds data (web/glue.js DATA_HINT)');
    // The page read the store as it started, once it held the writer lock
    // (web/glue.js storeRecords), not after the app had started; the files
    // kept their records' times: no flush since the reload writes more than
    // what changed (not the 4.7 MB of the adopted snapshot again).
    assert.equal(await page.evaluate(() => window.dhGlue.storeReadEarly), '/data', 'the store was read early');
    // The page and the app's files came from the service worker's cache by
    // its static routes (web/sw.js), without its fetch handler.
    const sources = await page.evaluate(() => [performance.getEntriesByType('navigation')[0],
      ...performance.getEntriesByType('resource')].map((r) => ({ path: new URL(r.name).pathname, source: r.workerFinalSourceType })));
    for (const name of ['/', '/' + (await page.evaluate(() => window.DH_ASSETS.appWasm)), '/' + (await page.evaluate(() => window.DH_ASSETS.appJs))]) {
      const entry = sources.find((x) => x.path === name);
      assert.ok(entry && entry.source === 'cache', name + ' from the cache by a static route: ' + JSON.stringify(sources));
    }
    await page.evaluate(() => window.dianhongBench.commitEdits(1));  // dhPuts: every write since the reload
    await h.waitSaved(page);
    const puts = await page.evaluate(() => window.dhPuts.slice());
    assert.ok(puts.length >= 1, 'the edit was flushed');
    assert.ok(!puts.includes('/data/log/server-base.bin'), 'the snapshot file was not written again: ' + puts.join(' '));
    await h.waitSynced(page);

    // The hint is only a hint: a device that holds data but lost it (or never
    // had it) may download a snapshot, but starts from its own data, keeps
    // it, and has the hint again.
    await page.evaluate(() => localStorage.removeItem('dianhong-device-has-data'));
    api.length = 0;
    await page.reload();
    const again = await h.waitReady(page);
    await h.waitSynced(page);
    const healthNow = await serverHealth(server.url);  // with the edit above
    assert.equal(again.op_count, healthNow.ops);
    assert.equal(again.state_hash, healthNow.state_hash);
    await h.poll(() => page.evaluate(() => localStorage.getItem('dianhong-device-has-data') === '1'),
      { timeout: 30000, what: 'the hint set again' });
    assert.deepEqual((await h.status(page)).problems, [], 'no problem reported');
    await ctx.close();
  } finally {
    await server.stop();
  }
});

// The first flush of a page that started from the empty store it created
// checks the store first: had another tab written it in between (which the
// writer lock rules out; forced here by writing a record from the page
// itself before the app's storage load goes on), nothing is flushed, the
// other tab's record stays, and the page says to reload.
test('a store written by someone else while a new device started is not overwritten', async () => {
  const server = await h.startServer();
  try {
    const ctx = await h.newContext(browser);
    await ctx.addInitScript(() => {
      let glue;
      Object.defineProperty(window, 'dhGlue', {
        configurable: true,
        get() { return glue; },
        set(v) {
          glue = v;
          const created = v.storeCreated;
          v.storeCreated = (root) => created.call(v, root).then((yes) => (!yes ? yes : new Promise((resolve, reject) => {
            const open = indexedDB.open('/data', 21);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const db = open.result;
              const tx = db.transaction(['FILE_DATA'], 'readwrite');
              tx.objectStore('FILE_DATA').put({ timestamp: new Date(), mode: 33188, contents: new Uint8Array([1, 2, 3]) },
                '/data/other-tab.bin');
              tx.oncomplete = () => { db.close(); resolve(yes); };
              tx.onerror = () => reject(tx.error);
            };
          })));
        },
      });
    });
    const page = await ctx.newPage();
    await page.goto(server.url + '/');
    const s = await h.poll(async () => {
      const st = await h.status(page);
      return /Another tab saved/.test(st.storage_error || '') ? st : null;
    }, { timeout: 60000, what: 'the storage error' });
    assert.equal(s.saved, false, 'not reported as saved');
    assert.equal(await page.evaluate(() => window.dhGlue.storeConflict), true);
    const keys = await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('/data', 21);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const req = open.result.transaction(['FILE_DATA'], 'readonly').objectStore('FILE_DATA').getAllKeys();
        req.onsuccess = () => { open.result.close(); resolve(req.result.map(String)); };
        req.onerror = () => reject(req.error);
      };
    }));
    assert.deepEqual(keys, ['/data/other-tab.bin'], 'the other record is kept and nothing was written');
    await ctx.close();
  } finally {
    await server.stop();
  }
});

test('a snapshot that does not come holds the loading screen only a few seconds', async () => {
  const server = await h.startServer();
  try {
    const ctx = await h.newContext(browser);
    // The snapshot's answer never arrives (a stalled link): the page must not
    // wait for it forever before it draws the workbench.
    await ctx.route('**/api/v1/snapshot*', () => { /* never answered */ });
    const page = await ctx.newPage();
    await page.goto(server.url + '/');
    const first = await h.poll(() => page.evaluate(() => window.dianhong && window.dianhong.interactiveAt()),
      { timeout: 30000, interval: 50, what: 'the first frame without the snapshot' });
    const ready = await page.evaluate(() => window.dianhong.status());
    assert.ok(first < 15000, 'the workbench was drawn after ' + first + ' ms');
    assert.equal(ready.op_count, 0, 'nothing arrived: the workbench shows an empty device');
    await ctx.close();
  } finally {
    await server.stop();
  }
});

test('a new device whose browser cannot make a WebGL2 context says so', async () => {
  const server = await h.startServer();
  try {
    const ctx = await h.newContext(browser);
    // WebGL2 exists but no context can be made (a blocklisted or lost GPU):
    // the app finds out at its first frame (src/app/main.cpp ensure_renderer).
    await ctx.addInitScript(() => {
      const getContext = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        return type === 'webgl2' ? null : getContext.call(this, type, ...rest);
      };
    });
    const page = await ctx.newPage();
    await page.goto(server.url + '/');
    const text = await h.poll(async () => {
      const t = await page.evaluate(() => {
        const o = document.getElementById('dh-overlay');
        return o && o.style.display !== 'none' ? o.textContent : '';
      });
      return /WebGL2/.test(t) ? t : null;
    }, { timeout: 30000, interval: 100, what: 'the page saying that WebGL2 drawing cannot start' });
    assert.match(text, /无法启用 WebGL2/, 'said in Chinese first: ' + text);
    assert.equal(await page.evaluate(() => window.dianhong.interactiveAt()), null, 'no frame was drawn');
    await ctx.close();
  } finally {
    await server.stop();
  }
});
