// Devices in the app (issue 12) and the voting tablet role (issue 11), with
// the real server (--auth devices) and three browser contexts. The community
// secretary enrols the laptop's browser as administrator in 同步, makes two
// voting-tablet codes in 设备管理 (shown large and as a QR code of the app's
// address with the code), and prepares a secret poll. One tablet enrols by
// typing its code, the other opens the QR code's address and finds the code
// filled in. Both show the voting screen alone (a 表决平板 header, no
// navigation), cast ballots that reach the chair's count, and pull nothing
// of residents or other ballots. The secretary sees both tablets in the
// device list with their role and last contact, revokes one, and that
// tablet's next sync is refused with a translated message.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./lib/harness');

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { if (browser) await browser.close(); });

const POLL_TITLE = '冬季老年助餐点扩容';

// Waits until the field takes text, clicking it again if a click came while
// the area was being laid out.
async function focusText(page, key) {
  await h.poll(async () => {
    if ((await h.status(page)).want_text_input) return true;
    await h.clickWidget(page, key);
    await page.waitForTimeout(500);
    return (await h.status(page)).want_text_input;
  }, { what: key + ' to take text' });
}

// Waits for the sync round after enrolment: the role, and at least minOps pulled.
async function enrolled(page, role, minOps) {
  let last = null;
  await h.poll(async () => {
    const s = await h.status(page);
    last = s && s.sync;
    return s.sync.role === role && s.op_count >= minOps ? s : false;
  }, { timeout: 300000, what: 'enrolment as ' + role + ' and the first pull' }).catch((e) => {
    throw new Error(e.message + ' ' + JSON.stringify(last));
  });
  await h.waitSynced(page);
  await h.waitSaved(page);
}

// A new browser context on url, enrolment asked for.
async function freshDevice(url) {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  const pulled = [];
  ctx.on('response', (r) => { if (r.url().includes('/api/v1/ops')) pulled.push(r.text().catch(() => '')); });
  await page.goto(url);
  await h.waitReady(page, { demo: false });
  const cdp = await ctx.newCDPSession(page);
  await h.poll(async () => (await h.status(page)).sync.needs_enrolment, { what: 'enrolment asked for' });
  return { ctx, page, cdp, pulled };
}

const labelOf = async (page, key) => (await h.findWidget(page, key)).label.replace(/##.*$/, '');
const navKeys = (page) => page.evaluate(() => window.dianhong.widgets().filter((w) => w.visible && /^nav-/.test(w.key))
  .map((w) => w.key));

async function makeCode(page, role) {
  const before = await page.evaluate(() => window.dianhong.find('devices-code'));
  await h.clickWidget(page, 'devices-role-' + role);
  await h.clickWidget(page, 'devices-make-code');
  return h.poll(async () => {
    const w = await page.evaluate(() => window.dianhong.find('devices-code'));
    if (!w || (before && w.label === before.label)) return false;
    const code = w.label.replace(/##.*$/, '');
    return /^\d{4}-\d{4}-\d{4}-\d{4}$/.test(code) ? code : false;
  }, { what: 'a new enrolment code on the screen' });
}

async function castSecret(dev, pollId, code, option) {
  const { page, cdp } = dev;
  await h.clickWidget(page, 'delib-vote-poll-' + pollId);
  await focusText(page, 'delib-vote-card');
  await h.insertText(page, cdp, code);
  await h.clickWidget(page, 'delib-vote-opt-' + option);
  const before = (await h.status(page)).op_count;
  await h.clickWidget(page, 'delib-vote-cast');
  await h.poll(async () => (await h.status(page)).op_count === before + 1, { what: 'the ballot committed on the tablet' });
  await h.findWidget(page, 'delib-vote-saved');
  await h.poll(async () => (await h.status(page)).sync.waiting === 0, { timeout: 60000, what: 'the ballot to reach the server' });
}

test('the secretary makes voting-tablet codes in the app; tablets enrol (typed and by QR address), vote, are listed and one is revoked', async () => {
  const server = await h.startServer({ args: ['--auth', 'devices'] });
  const contexts = [];
  try {
    // The secretary's laptop: enrolled as administrator in 同步.
    const adminCode = fs.readFileSync(path.join(server.dataDir, 'admin-enrolment-code.txt'), 'utf8').trim();
    const chair = await freshDevice(server.url + '/');
    contexts.push(chair.ctx);
    assert.ok(!(await navKeys(chair.page)).includes('nav-devices'), 'no device management before enrolment');
    await h.clickWidget(chair.page, 'nav-sync');
    await focusText(chair.page, 'sync-enrol-code');
    await h.insertText(chair.page, chair.cdp, adminCode);
    await h.clickWidget(chair.page, 'sync-enrol');
    await enrolled(chair.page, 'administrator', 10000);

    // 设备管理: two voting-tablet codes, each large and as a QR code of the app's address.
    await h.clickWidget(chair.page, 'nav-devices');
    await h.findWidget(chair.page, 'devices-count', 30000);
    const typedCode = await makeCode(chair.page, 'voting_tablet');
    assert.equal(await labelOf(chair.page, 'devices-code-role'), '角色：表决平板');
    assert.equal(await labelOf(chair.page, 'devices-qr'), server.url + '/?enrol=' + typedCode);
    const code = await h.findWidget(chair.page, 'devices-code');
    assert.ok(code.h >= 40, 'the code is shown large (' + code.h + ' px)');
    fs.mkdirSync(path.join(h.ROOT, 'build'), { recursive: true });
    const shot = h.pixelSummary(await chair.page.screenshot({ path: path.join(h.ROOT, 'build', 'devices-enrol-code.png') }));
    assert.ok(shot.colours >= 2, 'the code screen is drawn: ' + JSON.stringify(shot));
    const qrCode = await makeCode(chair.page, 'voting_tablet');
    assert.notEqual(qrCode, typedCode);
    const qrUrl = await labelOf(chair.page, 'devices-qr');
    assert.equal(qrUrl, server.url + '/?enrol=' + qrCode);

    // The meeting: ballot cards printed, seven members at the door, the secret poll open.
    const poll = (await chair.page.evaluate((t) => window.dianhong.entities('poll', t, 5), POLL_TITLE))[0];
    assert.ok(poll && poll.fields.secret === true);
    await h.clickWidget(chair.page, 'nav-deliberation');
    await h.clickWidget(chair.page, 'delib-tab-setup');
    const [popup] = await Promise.all([chair.page.waitForEvent('popup', { timeout: 20000 }),
      h.clickWidget(chair.page, 'delib-make-cards')]);
    await popup.waitForLoadState('load');
    const cards = [...(await popup.content()).matchAll(/<div class="code">([a-z0-9 ]+)<\/div>/g)]
      .map((m) => m[1].replace(/ /g, ''));
    assert.equal(cards.length, 10);
    await popup.close();
    await h.clickWidget(chair.page, 'delib-tab-chair');
    for (const name of ['杨丽华', '周建国', '李春梅', '王德明', '赵永红', '刀美兰', '字正清']) {
      const m = (await chair.page.evaluate((n) => window.dianhong.entities('council_member', n, 5), name))
        .find((e) => e.fields.name === name);
      await h.clickWidget(chair.page, 'delib-arrive-' + m.id);
    }
    await h.clickWidget(chair.page, 'delib-open-' + poll.id);
    await h.poll(async () => (await chair.page.evaluate((t) => window.dianhong.entities('poll', t, 5), POLL_TITLE))[0]
      .fields.poll_state === 'open', { what: 'the poll open' });
    await h.waitSaved(chair.page);
    await h.poll(async () => (await h.status(chair.page)).sync.waiting === 0, { timeout: 60000, what: 'the open poll on the server' });

    // Tablet A types its code in 同步.
    const a = await freshDevice(server.url + '/');
    contexts.push(a.ctx);
    await h.clickWidget(a.page, 'nav-sync');
    await focusText(a.page, 'sync-enrol-code');
    await h.insertText(a.page, a.cdp, typedCode);
    await h.clickWidget(a.page, 'sync-enrol');
    await enrolled(a.page, 'voting_tablet', 1);

    // Tablet B opens the QR code's address: the code is filled in, one tap enrols it.
    const b = await freshDevice(qrUrl);
    contexts.push(b.ctx);
    assert.ok(!b.page.url().includes('enrol='), 'the code leaves the address bar: ' + b.page.url());
    await h.findWidget(b.page, 'sync-enrol');
    await h.clickWidget(b.page, 'sync-enrol');
    await enrolled(b.page, 'voting_tablet', 1);

    for (const t of [a, b]) {
      // The voting screen alone: the header, no navigation, the open poll.
      assert.equal(await labelOf(t.page, 'tablet-header'), '表决平板');
      assert.deepEqual(await navKeys(t.page), []);
      for (const k of ['delib-tab-chair', 'delib-tab-setup', 'new', 'devices-make-code']) {
        assert.equal(await t.page.evaluate((key) => window.dianhong.find(key), k), null, k + ' on a voting tablet');
      }
      await h.findWidget(t.page, 'delib-vote-poll-' + poll.id, 60000);
      // It holds no resident, household, request, ballot card or other ballot.
      for (const kind of ['resident', 'household', 'volunteer', 'request', 'ballot_card', 'ballot']) {
        assert.equal((await t.page.evaluate((k) => window.dianhong.entities(k, '', 5), kind)).length, 0, kind + ' on a tablet');
      }
    }
    await castSecret(a, poll.id, cards[0], 0);  // yes
    await castSecret(b, poll.id, cards[1], 1);  // no
    // The tablet's ballots reach the chair.
    await h.poll(async () => /已收到 2 票/.test((await h.findWidget(chair.page, 'delib-count-' + poll.id)).label),
      { timeout: 60000, what: 'the chair to count 2 ballots' });
    for (const t of [a, b]) {
      const pulledText = (await Promise.all(t.pulled)).join('\n');
      assert.ok(pulledText.includes(poll.id), 'the tablet pulled the poll');
      for (const c of cards) assert.ok(!pulledText.includes(c), 'a card code in what a tablet pulled');
      assert.ok(!pulledText.includes('"marks"'), 'marks in what a tablet pulled');
    }

    // The device list: both tablets, their role and last contact.
    const idA = (await h.status(a.page)).device_id;
    const idB = (await h.status(b.page)).device_id;
    await h.clickWidget(chair.page, 'nav-devices');
    await h.clickWidget(chair.page, 'devices-refresh');
    await h.findWidget(chair.page, 'devices-row-' + idA, 30000);
    await h.findWidget(chair.page, 'devices-row-' + idB);
    const rows = await chair.page.evaluate(() => window.dianhong.widgets().map((w) => w.label).join('\n'));
    assert.match(rows, /表决平板/);
    assert.match(await labelOf(chair.page, 'devices-count'), /使用中 3 台/);

    // Revoke tablet A: confirm, the list says so, its next sync is refused in Chinese.
    await h.clickWidget(chair.page, 'devices-revoke-' + idA);
    await h.clickWidget(chair.page, 'devices-revoke-confirm-' + idA);
    await h.poll(async () => {
      const w = await chair.page.evaluate(() => window.dianhong.find('devices-revoked'));
      return w && w.label.includes(idA);
    }, { timeout: 30000, what: 'the revoke done' });
    await h.poll(async () => /使用中 2 台/.test(await labelOf(chair.page, 'devices-count')), { what: 'the list after revoking' });
    await a.ctx.setOffline(true);  // back online: the `online` event starts a round at once
    await h.poll(async () => !(await h.status(a.page)).online, { what: 'offline' });
    await a.ctx.setOffline(false);
    await h.poll(async () => (await h.status(a.page)).sync.needs_enrolment, { timeout: 60000, what: 'tablet A refused' });
    assert.match(await labelOf(a.page, 'tablet-not-enrolled'), /登记被撤销/);
    assert.match(await labelOf(a.page, 'status-sync'), /设备未登记/);
    assert.ok(await h.findWidget(a.page, 'sync-enrol'), 'it may be enrolled again');
    // Tablet B still syncs.
    await h.poll(async () => !(await h.status(b.page)).sync.needs_enrolment && (await h.status(b.page)).sync.waiting === 0,
      { what: 'tablet B still enrolled' });
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    await server.stop();
  }
});
