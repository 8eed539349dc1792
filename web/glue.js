// Dianhong page glue: everything the wasm app needs from the page.
//
// - Module configuration, loading of the (content-hashed) app script and wasm.
// - The UI font fetched in parallel with the wasm; the full face on request.
// - Storage lifecycle: flush when the page is hidden or left; persist() asked.
// - One writing tab (Web Locks API).
// - IME: a transparent <input> at the caret carries pinyin composition, typed
//   text and paste into ImGui (canvas elements receive no composition).
// - Service worker registration and the update prompt.
// - window.dianhong: read-only observation for tests and benchmarks.
//
// The app pulls queued events once per tick (dhGlue.takeEvents) and calls
// dhGlue.<name>(arg) for requests (src/platform/host_web.cpp).
(function () {
  'use strict';

  // Asset names are filled in by the dist assembly (web/DIST-PLACEHOLDERS.md);
  // unreplaced placeholders fall back to plain names for local experiments.
  const given = window.DH_ASSETS || {};
  const pick = (v, dflt) => (typeof v === 'string' && v && v[0] !== '@' ? v : dflt);
  const assets = {
    appJs: pick(given.appJs, 'dianhong.js'),
    appWasm: pick(given.appWasm, 'dianhong.wasm'),
    fontUi: pick(given.fontUi, 'dh-ui.otf'),
    fontFull: pick(given.fontFull, 'dh-full.otf'),
    version: pick(given.version, 'dev'),
  };

  const t0 = performance.now();
  const events = [];
  // Idle means idle (src/app/main.cpp): the app's loop pauses when nothing is
  // left to draw; anything that arrives wakes it with one tick in a task of
  // its own (never inside a tick, never an animation frame by itself).
  let wakeQueued = false;
  let wakeTimer = null;
  function wake() {
    if (wakeQueued) return;
    wakeQueued = true;
    setTimeout(() => {
      wakeQueued = false;
      if (window.Module && Module.calledRun && Module._dh_wake) Module._dh_wake();
    }, 0);
  }
  const push = (e) => { events.push(e); wake(); };
  const canvas = document.getElementById('canvas');
  const overlay = document.getElementById('dh-overlay');

  function fetchBytes(url) {
    return fetch(url).then((r) => {
      if (!r.ok) throw new Error('HTTP ' + r.status + ' for ' + url);
      return r.arrayBuffer();
    });
  }

  // First start of a new device (docs/sync-protocol.md "Snapshot for a new
  // device"): with no storage folder yet (no IndexedDB database "/data", the
  // app's IDBFS mount) the server's snapshot is asked for at once, while the
  // wasm downloads and compiles. The app still decides whether it wants a
  // snapshot and checks it; when it asks (GET of this path, httpRequest) it
  // gets this answer if it was a 200, else it asks again itself (with its
  // token: a server that wants enrolment answers this anonymous one 401).
  // The projector and check-in pages never take a snapshot.
  // While such a first start is under way the app keeps the loading screen
  // up instead of drawing an empty workbench it would draw again at once
  // (event "first_start", src/app/main.cpp "hold_first_frame"): on a new
  // tablet the first frame shows the whole community.
  // A request to the server: {status, bytes} of its answer, given up after
  // 60 s with the body (AbortController, where the browser has one). Every
  // request to the server goes through it.
  function fetchAnswer(url, init) {
    const ctl = typeof AbortController !== 'undefined' ? new AbortController() : null;
    const timer = ctl ? setTimeout(() => ctl.abort(), 60000) : null;
    return fetch(url, ctl ? Object.assign({}, init, { signal: ctl.signal }) : init)
      .then((r) => r.arrayBuffer().then((buf) => ({ status: r.status, bytes: new Uint8Array(buf) })))
      .finally(() => { if (timer) clearTimeout(timer); });
  }

  const SNAPSHOT_PATH = '/api/v1/snapshot?format=2';
  const mainPage = !/[?&]view=/.test(location.search);
  // Whether this browser has shown the community's data before: a hint kept
  // in localStorage (set when the app first shows data, below), so that a
  // new device asks for the snapshot at once. Asking IndexedDB instead
  // (indexedDB.databases()) took 0.2-0.75 s on a new tablet before the
  // request could start. Only a hint: a device that has data but no hint
  // (cleared, or from before the hint) downloads a snapshot the app does not
  // use, once; a hint without data makes the app ask for the snapshot itself.
  const DATA_HINT = 'dianhong-device-has-data';
  let dataHint = null;  // true / false, or null where localStorage is unavailable
  try { dataHint = window.localStorage.getItem(DATA_HINT) === '1'; } catch (e) { dataHint = null; }
  let snapshotPrefetch = null;
  const prefetchSnapshot = () => {
    if (!window.dhGlue || window.dhGlue.interactiveAt === null) {
      showMessage('滇红慧 正在下载社区资料… Downloading the community’s data…');
    }
    // Within the app's own requests' limit: a stalled answer ends in
    // null, and the app asks again itself.
    return fetchAnswer(SNAPSHOT_PATH, { cache: 'no-store' }).then((a) => (a.status === 200 ? a.bytes : null));
  };
  if (mainPage && window.indexedDB) {
    if (dataHint === false) {
      events.push({ t: 'first_start', pending: true });
      snapshotPrefetch = Promise.resolve().then(prefetchSnapshot);
    } else if (dataHint === null && typeof indexedDB.databases === 'function') {
      events.push({ t: 'first_start', pending: true });
      snapshotPrefetch = indexedDB.databases()
        .then((dbs) => (dbs.some((d) => d.name === '/data') ? null : prefetchSnapshot()));
    }
    if (snapshotPrefetch) {
      snapshotPrefetch = snapshotPrefetch
        .catch(() => null)
        .then((bytes) => {
          if (!bytes) push({ t: 'first_start', pending: false });
          return bytes;
        });
    }
  }

  // The writer lock and the store are asked for here too, not only when the
  // app starts (about 1 s later on a new tablet): each is a round trip to the
  // browser process that took 0.2-0.6 s there, and the first sync round
  // waits for both.
  // The writer lock's answer (the event the app reads), the lock held until
  // the tab closes once granted.
  const askWriterLock = () => new Promise((resolve) => {
    navigator.locks.request('dianhong-writer', { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve({ t: 'lock', granted: false, reason: 'dianhong-writer lock held by another tab' });
        return undefined;
      }
      resolve({ t: 'lock', granted: true, reason: '' });
      return new Promise(() => {});  // held until the tab closes
    }).catch((err) => resolve({ t: 'lock', granted: false, reason: String(err) }));
  });
  const writerLock = mainPage && navigator.locks && navigator.locks.request ? askWriterLock() : null;
  // The store's database is opened at once too, with the schema Emscripten's IDBFS
  // gives it (library_idbfs.js of emsdk-version.txt: version 21, object
  // store FILE_DATA with index "timestamp"): on a new device this creates
  // it, and the app's own open finds it made.
  // storeCreated: true when this page's open created the database (an
  // upgrade from version 0: it did not exist) and this tab holds the writer
  // lock. Only the lock's holder writes the store, so it is empty, and the
  // app's storage load starts from the empty folder at once
  // (src/platform/host_web.cpp dh_js_storage_load) instead of waiting for
  // the new database's first commit and reading it back: on a new tablet
  // that commit came 0.45-0.6 s after the upgrade, 0.15-0.3 s after the app
  // was ready to open its store. Before its first flush the app checks that
  // the store is still empty (dh_js_flush), so that even a tab that wrote
  // it in between, which the lock rules out, would lose nothing. In every
  // other case (a database that exists, no lock, no IndexedDB, an error) it
  // is false and the app reads the store as always.
  //
  // storeRecords: on a device with data, every record of the store read at
  // once, in one transaction, as soon as this tab holds the writer lock (so
  // no other tab writes it afterwards), for the app's storage load
  // (dh_js_storage_load), which would otherwise start reading only once the
  // wasm has started: on a reload the read then overlaps the wasm's and the
  // app script's loading. null when there is nothing to read early (a new
  // store, no lock, an error): the app reads the store itself.
  let storeCreated = Promise.resolve(false);
  let storeRecords = Promise.resolve(null);
  if (mainPage && window.indexedDB) {
    // {created, db}: db is the open connection to a store that existed.
    const openStore = () => new Promise((resolve) => {
      try {
        const open = indexedDB.open('/data', 21);
        let settled = false;
        const settle = (answer) => {
          if (settled) return false;
          settled = true;
          resolve(answer);
          return true;
        };
        open.onupgradeneeded = (ev) => {
          const db = open.result;
          const store = db.objectStoreNames.contains('FILE_DATA')
            ? open.transaction.objectStore('FILE_DATA') : db.createObjectStore('FILE_DATA');
          if (!store.indexNames.contains('timestamp')) store.createIndex('timestamp', 'timestamp', { unique: false });
          if (ev.oldVersion === 0) settle({ created: true, db: null });
        };
        // A connection nobody will use (the store was created, or the open
        // was blocked and answered already) is closed at once.
        open.onsuccess = () => { if (!settle({ created: false, db: open.result })) open.result.close(); };
        open.onerror = (e) => { e.preventDefault(); settle({ created: false, db: null }); };  // the app's own open reports a problem
        open.onblocked = () => settle({ created: false, db: null });
      } catch (e) { resolve({ created: false, db: null }); }  // the app's own open reports it
    });
    const readAll = (db) => new Promise((resolve) => {
      try {
        const tx = db.transaction(['FILE_DATA'], 'readonly');
        const store = tx.objectStore('FILE_DATA');
        let keys = null, values = null;
        store.getAllKeys().onsuccess = (e) => { keys = e.target.result; };
        store.getAll().onsuccess = (e) => { values = e.target.result; };
        tx.oncomplete = () => resolve(keys && values && keys.length === values.length ? { keys, values } : null);
        tx.onerror = (e) => { e.preventDefault(); resolve(null); };
        tx.onabort = () => resolve(null);
      } catch (e) { resolve(null); }
    });
    const opened = openStore();
    const created = opened.then((o) => o.created);
    storeCreated = writerLock ? Promise.all([created, writerLock]).then(([yes, answer]) => yes && answer.granted) : Promise.resolve(false);
    storeRecords = Promise.all([opened, writerLock || Promise.resolve({ granted: false })]).then(([o, answer]) => {
      if (!o.db) return null;
      if (!answer.granted) { o.db.close(); return null; }
      return readAll(o.db).then((records) => { o.db.close(); return records; });
    }).catch(() => null);
  }

  // Start the UI font at once, in parallel with the wasm download.
  const uiFontPromise = fetchBytes(assets.fontUi);
  uiFontPromise.catch(() => {});

  function showMessage(text) {
    if (!overlay) return;
    overlay.style.display = 'flex';
    overlay.textContent = text;
  }

  // ---- IME input ---------------------------------------------------------------
  const ime = document.createElement('input');
  ime.id = 'dh-ime';
  ime.type = 'text';
  ime.autocomplete = 'off';
  ime.spellcheck = false;
  ime.setAttribute('autocapitalize', 'off');
  ime.setAttribute('autocorrect', 'off');
  ime.setAttribute('aria-label', 'text input');
  Object.assign(ime.style, {
    position: 'fixed', left: '0px', top: '0px', width: '8em', height: '20px',
    padding: '0', border: '0', margin: '0', outline: 'none', opacity: '0',
    background: 'transparent', color: 'transparent', caretColor: 'transparent',
    fontSize: '16px', pointerEvents: 'none', zIndex: '2',
  });
  document.body.appendChild(ime);

  let composing = false;
  let textActive = false;
  const specialKeys = new Set(['Backspace', 'Delete', 'Enter', 'Tab', 'Escape', 'ArrowLeft', 'ArrowRight',
    'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
  const ctrlKeys = new Set(['a', 'c', 'x', 'y', 'z', 'A', 'C', 'X', 'Y', 'Z']);

  function keyEvent(e, down) {
    return { t: 'key', key: e.key, down: down, ctrl: e.ctrlKey, shift: e.shiftKey, alt: e.altKey, meta: e.metaKey };
  }
  ime.addEventListener('keydown', (e) => {
    if (e.isComposing || e.keyCode === 229) return;  // the IME owns this key
    if (specialKeys.has(e.key) || ((e.ctrlKey || e.metaKey) && ctrlKeys.has(e.key))) {
      push(keyEvent(e, true));
      e.preventDefault();
    }
    // Ctrl+V is left to the browser: it fires 'paste' below.
  });
  const modifierKeys = new Set(['Control', 'Meta', 'Shift', 'Alt']);
  ime.addEventListener('keyup', (e) => {
    if (e.isComposing || e.keyCode === 229) return;
    // A released modifier is forwarded too, or ImGui would keep Ctrl held
    // after Ctrl+A and then ignore every typed character.
    if (specialKeys.has(e.key) || modifierKeys.has(e.key) || ((e.ctrlKey || e.metaKey) && ctrlKeys.has(e.key))) {
      push(keyEvent(e, false));
    }
  });
  ime.addEventListener('compositionstart', () => { composing = true; });
  ime.addEventListener('compositionend', (e) => {
    composing = false;
    if (e.data) push({ t: 'text', s: e.data });
    ime.value = '';
  });
  ime.addEventListener('input', (e) => {
    if (e.isComposing || composing) return;
    if (e.inputType === 'insertCompositionText' || e.inputType === 'insertFromComposition') { ime.value = ''; return; }
    const s = e.data || ime.value;
    if (s) push({ t: 'text', s: s });
    ime.value = '';
  });
  document.addEventListener('paste', (e) => {
    const s = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
    if (s) push({ t: 'paste', s: s });
    e.preventDefault();
  });
  // Keep SDL's keyboard on the canvas and the IME input out of its way.
  canvas.addEventListener('mousedown', () => { if (!textActive) canvas.focus(); });

  // ---- The glue object the app calls ------------------------------------------
  const glue = {
    assets: assets,
    fontBytes: [null, null],
    framesRendered: 0,
    interactiveAt: null,
    firstFrameOps: null,  // operations in the state the first frame drew
    dataShownAt: null,  // first frame after the first sync round, with data (bench/page_load)
    dataShownOps: 0,
    lockHeld: false,
    earlyContext: false,  // the page made the canvas's WebGL2 context (makeEarlyContext below)
    updateAccepted: false,
    waitingWorker: null,
    push: push,
    wake: wake,
    // The paused loop's timer for the next thing due (ms; negative: none).
    armWakeTimer(ms) {
      if (wakeTimer !== null) { clearTimeout(wakeTimer); wakeTimer = null; }
      if (ms >= 0) wakeTimer = setTimeout(() => { wakeTimer = null; wake(); }, Math.min(ms, 2147483647));
    },
    takeEvents() { return events.length ? events.splice(0, events.length) : null; },

    start() {
      window.addEventListener('online', () => push({ t: 'online', online: true }));
      window.addEventListener('offline', () => push({ t: 'online', online: false }));
      push({ t: 'online', online: navigator.onLine });
      const visible = () => push({ t: 'visibility', visible: document.visibilityState !== 'hidden' });
      document.addEventListener('visibilitychange', visible);
      visible();
      // Input and size changes wake a paused loop. Capture on the window runs
      // before SDL's own handlers queue the event; the wake's tick comes after
      // them in a later task, so it finds the event in SDL's queue.
      for (const type of ['mousedown', 'mouseup', 'mousemove', 'wheel', 'touchstart', 'touchmove', 'touchend',
        'touchcancel', 'pointerdown', 'pointerup', 'pointermove', 'keydown', 'keyup', 'focus', 'blur', 'resize']) {
        window.addEventListener(type, wake, { capture: true, passive: true });
      }
    },

    requestFont(arg) {
      const kind = arg.kind === 1 ? 1 : 0;
      const p = kind === 0 ? uiFontPromise : fetchBytes(assets.fontFull);
      p.then((buf) => {
        glue.fontBytes[kind] = buf;
        push({ t: 'font', kind: kind, ok: true, size: buf.byteLength });
      }).catch((err) => {
        console.warn('dianhong: font', kind, err);
        push({ t: 'font', kind: kind, ok: false, error: String(err) });
      });
    },

    requestLock() {
      if (!navigator.locks || !navigator.locks.request) {
        push({ t: 'lock', granted: true, reason: 'This browser cannot coordinate tabs.' });
        return;
      }
      // On the main page it was asked for when the page started (above).
      (writerLock || askWriterLock()).then((answer) => {
        if (answer.granted) glue.lockHeld = true;
        push(answer);
      });
    },

    // Promise of whether this page created the store's (empty) database while
    // holding the writer lock (above), for the app's storage load of `root`.
    storeCreated(root) {
      return root === '/data' ? storeCreated : Promise.resolve(false);
    },
    // Promise of the store's records read early (above): {keys, values} or
    // null; once (the page drops them after).
    takeStoreRecords(root) {
      if (root !== '/data') return Promise.resolve(null);
      const records = storeRecords;
      storeRecords = Promise.resolve(null);
      return records;
    },

    requestPersist() {
      if (!navigator.storage || !navigator.storage.persist) return;
      navigator.storage.persist().then((granted) => push({ t: 'persist', granted: !!granted }))
        .catch(() => push({ t: 'persist', granted: false }));
    },

    // One request to our own server. status 0 = no answer (offline, refused,
    // timed out after 60 s); the body then holds the error in words.
    // The answer's body stays here as bytes (httpBodies) until the app copies
    // it into its memory (takeHttpBody): a 6 MB snapshot is neither decoded
    // as text nor escaped into the event queue's JSON.
    // A POST body of 512 bytes or more (a push of operations) is sent gzipped
    // (Content-Encoding: gzip, which every POST route of the server accepts,
    // docs/sync-protocol.md "Compression"): about a ninth of the bytes on a
    // slow link. Browsers without CompressionStream send it plain.
    httpRequest(arg) {
      if (snapshotPrefetch && (arg.method || 'GET') === 'GET' && arg.url === SNAPSHOT_PATH) {
        const early = snapshotPrefetch;
        snapshotPrefetch = null;  // one use
        early.then((bytes) => {
          if (bytes) answered(arg.id, 200, bytes, arg.saveTo);
          else glue.httpRequest(arg);
        });
        return;
      }
      const headers = {};
      if (arg.bearer) headers.Authorization = 'Bearer ' + arg.bearer;
      const init = { method: arg.method || 'GET', cache: 'no-store', headers: headers };
      let body = Promise.resolve(null);
      if (init.method === 'POST') {
        headers['Content-Type'] = 'application/json';
        init.body = arg.body || '';
        body = gzipped(init.body);
      }
      body
        .then((packed) => {
          if (packed) {
            init.body = packed;
            headers['Content-Encoding'] = 'gzip';
          }
          return fetchAnswer(arg.url, init);
        })
        .then((a) => answered(arg.id, a.status, a.bytes, init.method === 'GET' ? arg.saveTo : undefined))
        .catch((err) => answered(arg.id, 0, new TextEncoder().encode(String(err))));
    },

    // The body of answer `id` into the app's memory at dst (size bytes, as
    // announced by its 'http' event); forgotten afterwards.
    takeHttpBody(id, heap, dst) {
      const bytes = httpBodies.get(id);
      httpBodies.delete(id);
      if (bytes && bytes.length) heap.set(bytes, dst);
    },

    applyUpdate() {
      glue.updateAccepted = true;
      const reg = glue.registration;
      const w = glue.waitingWorker || (reg && reg.waiting);
      if (w) w.postMessage({ type: 'skipWaiting' });
      else location.reload();
    },

    setTextInput(arg) {
      textActive = !!arg.active;
      if (textActive) {
        const r = canvas.getBoundingClientRect();
        ime.style.left = (r.left + arg.x) + 'px';
        ime.style.top = (r.top + arg.y) + 'px';
        ime.style.height = Math.max(arg.h, 12) + 'px';
        if (document.activeElement !== ime) ime.focus({ preventScroll: true });
      } else if (document.activeElement === ime) {
        ime.blur();
        canvas.focus({ preventScroll: true });
      }
    },

    copyText(arg) {
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(arg.text).catch(() => {});
    },

    dataShown(ops) {
      if (glue.dataShownAt !== null) return;
      glue.dataShownAt = performance.now();
      glue.dataShownOps = ops;
      if (ops > 0 && mainPage) {
        try { window.localStorage.setItem(DATA_HINT, '1'); } catch (e) { /* the hint is optional */ }
      }
      try { performance.mark('dh-data-shown'); } catch (e) { /* old browsers */ }
    },

    // The app could not make its WebGL2 context (src/app/main.cpp ensure_renderer).
    noWebGL() {
      showMessage('此浏览器无法启用 WebGL2 绘图，无法运行。请更新浏览器或换一台设备。' +
                  'This browser could not start WebGL2 drawing; please update it or use another device.');
    },

    interactive(ops) {
      if (glue.interactiveAt !== null) return;
      glue.interactiveAt = performance.now();
      glue.firstFrameOps = typeof ops === 'number' ? ops : null;
      try { performance.mark('dh-interactive'); } catch (e) { /* old browsers */ }
      if (overlay) overlay.style.display = 'none';
      setTimeout(registerServiceWorker, 0);
    },
  };
  window.dhGlue = glue;

  const httpBodies = new Map();  // request id -> Uint8Array, until takeHttpBody
  // saveTo (the app's save_to, platform/host.h): a 200 answer's bytes become
  // that file of the app's file system as they are (MEMFS keeps the array
  // itself: canOwn), not copied into the app's memory and written again; a
  // new device's snapshot. If that fails the body goes the usual way.
  function answered(id, status, bytes, saveTo) {
    if (saveTo && status === 200 && window.Module && Module.FS) {
      try {
        Module.FS.writeFile(saveTo, bytes, { canOwn: true });
        push({ t: 'http', id: id, status: status, size: bytes.length, inFile: true });
        return;
      } catch (e) {
        console.warn('dianhong: could not write ' + saveTo + ', keeping the answer in memory', e);
      }
    }
    httpBodies.set(id, bytes);
    push({ t: 'http', id: id, status: status, size: bytes.length });
  }

  // The gzip of text as an ArrayBuffer, or null (short text, no
  // CompressionStream, or it failed: then the body goes plain).
  function gzipped(text) {
    if (typeof CompressionStream === 'undefined') return Promise.resolve(null);
    try {
      const blob = new Blob([text]);
      if (blob.size < 512) return Promise.resolve(null);  // one small change: gzip would save nothing
      const stream = blob.stream().pipeThrough(new CompressionStream('gzip'));
      return new Response(stream).arrayBuffer().catch(() => null);
    } catch (e) {
      return Promise.resolve(null);
    }
  }

  // ---- Page lifecycle: flush when hidden or left (may not finish; flushes after
  // every committed action are what count) -----------------------------------------
  function pageHidden() {
    if (window.Module && Module.calledRun && Module._dh_on_page_hidden) Module._dh_on_page_hidden();
    wake();
  }
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') pageHidden(); });
  window.addEventListener('pagehide', pageHidden);

  // ---- Service worker ------------------------------------------------------------
  // Registered once the first frame is drawn (glue.interactive), or 10 s
  // after the page started if it never is: its first install downloads every
  // precached file again (cache: 'reload', 5 MB) and then the 8.7 MB full
  // font, which on a new tablet took network, CPU and the service worker
  // thread from the page's own first start (about 0.5 s of CPU of the 2.8 s
  // all of Chromium spent before the community was on screen).
  let serviceWorkerAsked = false;
  function registerServiceWorker() {
    if (serviceWorkerAsked || !('serviceWorker' in navigator)) return;
    serviceWorkerAsked = true;
    navigator.serviceWorker.register('sw.js').then((reg) => {
      glue.registration = reg;
      const offer = (w) => {
        if (!w || !navigator.serviceWorker.controller) return;  // first install: nothing to update
        glue.waitingWorker = w;
        push({ t: 'update' });
      };
      if (reg.waiting) offer(reg.waiting);
      reg.addEventListener('updatefound', () => {
        const nw = reg.installing;
        if (!nw) return;
        nw.addEventListener('statechange', () => { if (nw.state === 'installed') offer(nw); });
      });
    }).catch((err) => console.warn('dianhong: service worker', err));
  }
  if ('serviceWorker' in navigator) {
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (glue.updateAccepted && !reloading) { reloading = true; location.reload(); }
    });
    setTimeout(registerServiceWorker, 10000);
  }

  // ---- window.dianhong: read-only observation for tests and benchmarks ------------
  function callJson(name, types, args) {
    if (!window.Module || !Module.calledRun) return null;
    const p = Module.ccall(name, 'number', types || [], args || []);
    return JSON.parse(Module.UTF8ToString(p));
  }
  window.dianhong = {
    assets: assets,
    startedAt: t0,
    // Widgets of the last rendered frame, in CSS pixels of the page.
    widgets() {
      const list = callJson('dh_widgets_json') || [];
      const r = canvas.getBoundingClientRect();
      for (const w of list) { w.x += r.left; w.y += r.top; }
      return list;
    },
    find(key) { return this.widgets().find((w) => w.visible && (w.key === key || w.label === key)) || null; },
    status() { return callJson('dh_status_json'); },
    // Sync state and counts without the state hash: cheap to poll.
    syncStatus() { return callJson('dh_sync_status_json'); },
    entities(kind, needle, limit) {
      return callJson('dh_entities_json', ['string', 'string', 'number'], [kind, needle || '', limit || 50]);
    },
    // Characters of `text` the UI font cannot draw yet (rare-name test).
    missingGlyphs(text) {
      if (!window.Module || !Module.calledRun) return null;
      return Module.UTF8ToString(Module.ccall('dh_missing_glyphs', 'number', ['string'], [text]));
    },
    frames() { return glue.framesRendered; },
    // Every text the next frame draws (issue 12): ask, then read once the
    // frame is drawn ({frame, text}; frame 0 until then).
    captureText() {
      if (!window.Module || !Module.calledRun) return 0;
      const asked = Module.ccall('dh_capture_text', 'number', [], []);
      wake();  // a paused loop draws the frame asked for
      return asked;
    },
    capturedText() { return callJson('dh_captured_text_json'); },
    // The main loop: paused or not, pauses, wakes and the ticks they ran.
    loop() { return callJson('dh_loop_json'); },
    // The projector page (index.html?view=projector): what it shows, its
    // source, frames and recent frame times (docs/projector.md); null elsewhere.
    projector() { return callJson('dh_projector_json'); },
    interactiveAt() { return glue.interactiveAt; },
    // How many operations the state the first frame drew held (null before
    // it, and on the projector page, which draws no replica of its own).
    firstFrameOps() { return glue.firstFrameOps; },
    // The first frame after the first sync round with data: {at, ops} or null.
    dataShown() { return glue.dataShownAt === null ? null : { at: glue.dataShownAt, ops: glue.dataShownOps }; },
  };

  // Benchmarks only (bench/sync_online): commit n edits as if made here.
  window.dianhongBench = {
    commitEdits(n) {
      if (!window.Module || !Module.calledRun) return 0;
      return Module.ccall('dh_bench_commit_edits', 'number', ['number'], [n]);
    },
  };

  // ---- Start the app ----------------------------------------------------------------
  if (!window.WebGL2RenderingContext) {
    showMessage('此浏览器不支持 WebGL2，无法运行。This browser has no WebGL2 and cannot run the app.');
    return;
  }
  // The wasm is fetched and compiled from here, while the app's script is
  // still loading (it would only ask for it once it has run); the script's
  // instantiateWasm hook below waits for it. A browser without streaming
  // compilation, or a failed compile, falls back to the script's own loading.
  const wasmModule = typeof WebAssembly.compileStreaming === 'function'
    ? WebAssembly.compileStreaming(fetch(assets.appWasm, { credentials: 'same-origin' }))
    : null;
  if (wasmModule) wasmModule.catch(() => {});
  window.Module = {
    canvas: canvas,
    locateFile: (path) => (path.endsWith('.wasm') ? assets.appWasm : path),
    instantiateWasm: wasmModule ? (imports, receiveInstance) => {
      wasmModule
        .then((module) => WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module)))
        .catch((err) => {
          console.warn('dianhong: early wasm compile failed, loading it again', err);
          fetch(assets.appWasm, { credentials: 'same-origin' })
            .then((r) => r.arrayBuffer())
            .then((bytes) => WebAssembly.instantiate(bytes, imports))
            .then((out) => receiveInstance(out.instance, out.module))
            .catch((e) => showMessage('无法载入程序，请刷新页面。The app could not be loaded: ' + e + ' — please reload the page.'));
        });
      return {};  // asynchronous: Emscripten waits for receiveInstance
    } : undefined,
    print: (s) => console.log(s),
    printErr: (s) => console.warn(s),
    onAbort: (what) => showMessage('程序出错，请刷新页面。The app stopped: ' + what + ' — please reload the page.'),
  };
  const script = document.createElement('script');
  script.src = assets.appJs;
  script.async = true;
  script.onerror = () => showMessage('无法载入程序（离线且未缓存？）。The app could not be loaded (offline before the first visit?).');
  // Added once the page's load event has fired, not before: a script added
  // earlier holds the load event until it has run, and while a tab loads the
  // browser animates its loading indicator, redrawing its own window every
  // frame. On this machine's software GPU that kept the GPU process busy
  // until about 1.4 s (32 browser frames, 1.4 s of one core's time before the
  // community was on screen, traced); with the load event at about 0.25 s it
  // stops by 0.75 s (10 frames). The script itself is not on the critical
  // path: it is 56 KB and done long before the wasm has compiled. New
  // profiles alternated (bench/page_load/ab.js, 10 pairs): 1606 -> 1452 ms
  // to the community on screen, reload 761 -> 724 ms.
  if (document.readyState === 'complete') document.body.appendChild(script);
  else window.addEventListener('load', () => document.body.appendChild(script), { once: true });

  // On a device with data the WebGL2 context is made here, at once, while
  // the wasm and the font download and the store is read (docs/web-app.md
  // "Start-up"): making one is a blocking round trip to the GPU process
  // (0.1 s on a quiet machine, over 1 s on a busy one) that SDL would
  // otherwise make only once the wasm has started. A new device makes none
  // here: its app makes it with the first frame, after the snapshot's
  // decode (src/app/main.cpp ensure_renderer), when the GPU process has
  // finished the browser's own frames of the page's load; made here, at
  // once or when the wasm had compiled, it held this thread 0.1-0.4 s.
  // A canvas has one context: SDL's own getContext("webgl2", ...) later gets
  // this one back, so these must be exactly the attributes SDL asks for
  // with src/app/main.cpp's SDL_GL settings (SDL's defaults: no alpha, a
  // depth buffer, no stencil, no antialiasing). If they ever differ, the
  // console says so.
  const GL_ATTRIBUTES = { alpha: false, depth: true, stencil: false, antialias: false };
  const makeEarlyContext = () => {
    if (window.Module && Module.calledRun) return;  // SDL made it already
    // At the size the app gives it (host_web.cpp check_canvas_size: CSS size
    // x pixel ratio), so its drawing buffer is not made twice.
    const r = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    if (r.width >= 1 && r.height >= 1) {
      canvas.width = Math.trunc(r.width * ratio);
      canvas.height = Math.trunc(r.height * ratio);
    }
    // SDL2 2.26 makes its window by setting the canvas to 1x1 for a moment,
    // to see whether CSS sizes it (SDL_emscriptenvideo.c; index.html always
    // does), then to the real size: two new drawing buffers, the first a
    // blocking GPU round trip (0.05 s quiet, 0.6 s busy). Until SDL has set
    // a real size, a 1 is not applied; what SDL concludes is the same.
    const proto = HTMLCanvasElement.prototype;
    const sizes = { width: Object.getOwnPropertyDescriptor(proto, 'width'),
                    height: Object.getOwnPropertyDescriptor(proto, 'height') };
    if (sizes.width && sizes.height) {
      const stopSkipping = () => { delete canvas.width; delete canvas.height; };
      for (const name of ['width', 'height']) {
        Object.defineProperty(canvas, name, {
          configurable: true,
          get() { return sizes[name].get.call(canvas); },
          set(value) {
            if (Number(value) === 1) return;
            stopSkipping();
            sizes[name].set.call(canvas, value);
          },
        });
      }
      setTimeout(stopSkipping, 30000);  // in case SDL never sets a size
    }
    const nativeGetContext = canvas.getContext;
    const early = nativeGetContext.call(canvas, 'webgl2', GL_ATTRIBUTES);
    if (!early) return;  // SDL will try (and report) itself
    glue.earlyContext = true;  // main() makes its renderer at once (src/app/main.cpp)
    canvas.getContext = function (type, attributes) {
      if (type === 'webgl2' && attributes) {
        for (const key of Object.keys(GL_ATTRIBUTES)) {
          if (key in attributes && attributes[key] !== GL_ATTRIBUTES[key]) {
            console.warn('dianhong: the early WebGL context has ' + key + '=' + GL_ATTRIBUTES[key] +
                         ' but the app asks for ' + attributes[key] + ' (web/glue.js GL_ATTRIBUTES)');
          }
        }
      }
      return nativeGetContext.call(canvas, type, attributes);
    };
  };
  // Not on a new device: its app makes the context with its first frame,
  // after the snapshot's decode (src/app/main.cpp ensure_renderer). Made
  // here, at once or when the wasm had compiled, the blocking call waited
  // for the GPU process's main thread, busy with the browser's own frames
  // at that time, and held this thread 0.1-0.35 s in traces.
  if (!snapshotPrefetch) setTimeout(makeEarlyContext, 0);
})();
