// The reload step shared by run.js and ab.js: a device that has just shown
// the community for the first time is set up (saved, synced, the service
// worker installed and done with its one-off copy of the 8.7 MB full font,
// which would otherwise share the machine with the reload), then reloaded.
// Resolves to the reload's first frame on the page clock (ms).
'use strict';
const h = require('../../tests/e2e/lib/harness');

async function settleThenReload(page) {
  await h.waitSynced(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await h.poll(() => page.evaluate(async () => (await (await caches.open('dianhong-fonts')).keys()).length > 0),
    { timeout: 120000, interval: 100, what: 'the service worker to keep the full font' });
  await page.waitForTimeout(1000);
  await page.reload();
  return h.poll(() => page.evaluate(() => window.dianhong && window.dianhong.interactiveAt()),
    { timeout: 120000, interval: 20, what: 'the first frame of the reload' });
}

module.exports = { settleThenReload };
