// A council meeting with a secret poll (issue 11, docs/deliberation.md): the
// chair's laptop and two tablets are three browser contexts enrolled with the
// real server (--auth devices). The chair prints ballot cards (the printable
// page is the only place the codes exist), opens the demo's secret poll;
// both tablets go offline and take three votes with cards, each showing the
// vote is saved on the tablet; back online, the chair sees three ballots,
// closes and publishes. The result's counts are right, and what a projector
// device pulls from the server carries no voter, no card code and no marks.
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

async function enrolledDevice(server, code) {
  const ctx = await h.newContext(browser);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page, { demo: false });
  const cdp = await ctx.newCDPSession(page);
  await h.clickWidget(page, 'nav-sync');
  await h.clickWidget(page, 'sync-enrol-code');
  await h.poll(async () => (await h.status(page)).want_text_input, { what: 'the code field to take text' });
  await h.insertText(page, cdp, code);
  await h.clickWidget(page, 'sync-enrol');
  let last = null;
  await h.poll(async () => {
    const s = await h.status(page);
    last = s && s.sync;
    return s.sync.role === 'coordinator' && s.op_count > 10000 ? s : false;
  }, { timeout: 300000, what: 'enrolment and the first pull' }).catch((e) => {
    throw new Error(e.message + ' ' + JSON.stringify(last));
  });
  await h.waitSynced(page);
  await h.waitSaved(page);
  return { ctx, page, cdp };
}

const entity = async (page, kind, needle) => {
  const list = await page.evaluate(([k, n]) => window.dianhong.entities(k, n, 5), [kind, needle]);
  return list && list.length ? list[0] : null;
};

async function castSecret(dev, pollId, code, option) {
  const { page, cdp } = dev;
  await h.clickWidget(page, 'delib-vote-poll-' + pollId);
  await h.clickWidget(page, 'delib-vote-card');
  await h.poll(async () => (await h.status(page)).want_text_input, { what: 'the card field to take text' });
  await h.insertText(page, cdp, code);
  await h.clickWidget(page, 'delib-vote-opt-' + option);
  const before = (await h.status(page)).op_count;
  await h.clickWidget(page, 'delib-vote-cast');
  await h.poll(async () => (await h.status(page)).op_count === before + 1, { what: 'the ballot committed on the tablet' });
  await h.waitSaved(page);
  const saved = await h.findWidget(page, 'delib-vote-saved');
  assert.match(saved.label, /已保存在本平板/);
  assert.match((await h.findWidget(page, 'delib-vote-pending')).label, /尚未送达/);
  // The tablet no longer shows the choice: only "saved" and "next voter".
  assert.equal(await page.evaluate(() => window.dianhong.find('delib-vote-opt-0')), null);
}

test('two tablets vote offline in a secret poll; the chair closes and publishes; the projector pulls no voter', async () => {
  const server = await h.startServer({ args: ['--auth', 'devices'] });
  const contexts = [];
  try {
    const post = (p, body, token) => fetch(server.url + p, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const adminCode = fs.readFileSync(path.join(server.dataDir, 'admin-enrolment-code.txt'), 'utf8').trim();
    const admin = await post('/api/v1/enrol', { code: adminCode, device: 'e2eadmin01', name: 'secretary' });
    assert.equal(admin.status, 200);
    const codeFor = async (role) => (await post('/api/v1/admin/codes', { role }, admin.body.token)).body.code;

    const chair = await enrolledDevice(server, await codeFor('coordinator'));
    contexts.push(chair.ctx);
    const poll = await entity(chair.page, 'poll', POLL_TITLE);
    assert.ok(poll, 'the demo prepares the fourth quarter\'s secret poll');
    assert.equal(poll.fields.secret, true);
    assert.equal(poll.fields.poll_state, 'draft');

    // Setup: make and print ballot cards; the printed page is the only copy of the codes.
    await h.clickWidget(chair.page, 'nav-deliberation');
    await h.clickWidget(chair.page, 'delib-tab-setup');
    const [popup] = await Promise.all([chair.page.waitForEvent('popup', { timeout: 20000 }),
      h.clickWidget(chair.page, 'delib-make-cards')]);
    await popup.waitForLoadState('load');
    const cardsHtml = await popup.content();
    const codes = [...cardsHtml.matchAll(/<div class="code">([a-z0-9 ]+)<\/div>/g)].map((m) => m[1].replace(/ /g, ''));
    assert.equal(codes.length, 10, 'ten cards printed');
    await popup.close();
    await h.poll(async () => (await chair.page.evaluate(() => window.dianhong.entities('ballot_card', '', 100))).length >= 24,
      { what: 'the cards recorded (as digests)' });
    const cardRecords = await chair.page.evaluate(() => window.dianhong.entities('ballot_card', '', 100));
    for (const c of cardRecords) {
      assert.match(c.fields.digest, /^[0-9a-f]{64}$/);
      assert.ok(!codes.includes(c.fields.digest));
    }

    // Run: seven of the twelve members arrive (the council's quorum is half), the poll opens.
    await h.clickWidget(chair.page, 'delib-tab-chair');
    for (const name of ['杨丽华', '周建国', '李春梅', '王德明', '赵永红', '刀美兰', '字正清']) {
      const m = (await chair.page.evaluate((n) => window.dianhong.entities('council_member', n, 5), name))
        .find((e) => e.fields.name === name);
      await h.clickWidget(chair.page, 'delib-arrive-' + m.id);
    }
    await h.clickWidget(chair.page, 'delib-open-' + poll.id);
    await h.poll(async () => (await entity(chair.page, 'poll', POLL_TITLE)).fields.poll_state === 'open', { what: 'the poll open' });
    await h.waitSaved(chair.page);
    const chairSynced = (await h.status(chair.page)).sync.last_success_ms;
    await h.waitSynced(chair.page, chairSynced);

    // Two tablets, synced with the open poll, then offline.
    const a = await enrolledDevice(server, await codeFor('coordinator'));
    const b = await enrolledDevice(server, await codeFor('coordinator'));
    contexts.push(a.ctx, b.ctx);
    for (const d of [a, b]) {
      await h.poll(async () => (await entity(d.page, 'poll', POLL_TITLE)).fields.poll_state === 'open', { timeout: 60000, what: 'the tablet to know the poll is open' });
      await h.clickWidget(d.page, 'nav-deliberation');
      await h.clickWidget(d.page, 'delib-tab-vote');
      await d.ctx.setOffline(true);
      await h.poll(async () => !(await h.status(d.page)).online, { what: 'offline' });
    }
    await castSecret(a, poll.id, codes[0], 0);                 // yes
    await castSecret(b, poll.id, codes[1], 1);                 // no
    await h.clickWidget(b.page, 'delib-vote-next');
    await castSecret(b, poll.id, codes[2], 0);                 // yes

    // Back online: the chair sees three ballots received.
    for (const d of [a, b]) await d.ctx.setOffline(false);
    for (const d of [a, b]) {
      await h.poll(async () => (await h.status(d.page)).sync.waiting === 0, { timeout: 60000, what: 'the tablet\'s ballots to reach the server' });
      await h.findWidget(d.page, 'delib-vote-synced', 60000);
    }
    await h.poll(async () => /已收到 3 票/.test((await h.findWidget(chair.page, 'delib-count-' + poll.id)).label),
      { timeout: 60000, what: 'the chair to see 3 ballots' });

    // Close and publish.
    await h.clickWidget(chair.page, 'delib-close-' + poll.id);
    await h.poll(async () => (await entity(chair.page, 'poll', POLL_TITLE)).fields.poll_state === 'closed', { what: 'closed' });
    await h.clickWidget(chair.page, 'delib-publish-' + poll.id);
    const published = await h.poll(async () => {
      const p = await entity(chair.page, 'poll', POLL_TITLE);
      return p.fields.poll_state === 'published' ? p : false;
    }, { what: 'published' });
    const result = JSON.parse(published.fields.published_result);
    assert.equal(result.cast, 3);
    assert.equal(result.valid, 3);
    assert.deepEqual(result.votes, [2, 1, 0]);
    assert.equal(result.present, 7);
    assert.equal(result.entitled, 12);
    assert.equal(result.quorum_met, true);
    assert.equal(result.outcome, 'carried');
    const line = (await h.findWidget(chair.page, 'delib-result-' + poll.id)).label;
    assert.match(line, /投票 3/);
    assert.match(line, /赞成 2/);
    assert.match(line, /反对 1/);
    await h.waitSaved(chair.page);
    await h.poll(async () => (await h.status(chair.page)).sync.waiting === 0, { timeout: 60000, what: 'the publish to reach the server' });

    // What a projector device pulls: the published result, never who voted what.
    const proj = await post('/api/v1/enrol', { code: await codeFor('projector'), device: 'e2eproj01', name: 'projector' });
    assert.equal(proj.status, 200);
    let after = 0;
    let text = '';
    const ops = [];
    for (;;) {
      const r = await fetch(server.url + '/api/v1/ops?after=' + after + '&limit=1000',
        { headers: { Authorization: 'Bearer ' + proj.body.token } });
      assert.equal(r.status, 200);
      const body = await r.text();
      text += body;
      const page = JSON.parse(body);
      ops.push(...page.ops.map((x) => x.op));
      after = page.next;
      if (!page.more) break;
    }
    for (const code of codes) assert.ok(!text.includes(code), 'no card code reaches the projector');
    const ballots = ops.filter((op) => op.type === 'ballot.create' && op.payload.fields.poll === poll.id);
    assert.equal(ballots.length, 3);
    for (const op of ballots) {
      assert.deepEqual(Object.keys(op.payload.fields).sort(), ['poll', 'voter_digest']);
    }
    const publish = ops.filter((op) => op.type === 'poll.edit' && op.payload.entity === poll.id &&
      op.payload.fields.published_result);
    assert.equal(publish.length, 1);
    assert.deepEqual(JSON.parse(publish[0].payload.fields.published_result).votes, [2, 1, 0]);
    for (const op of ops.filter((o) => o.type === 'ballot_card.create')) assert.deepEqual(op.payload.fields, {});

    // The secret ballots in the full log name nobody either (the choice is kept apart from the voter).
    const adminOps = [];
    after = 0;
    for (;;) {
      const r = await fetch(server.url + '/api/v1/ops?after=' + after + '&limit=1000',
        { headers: { Authorization: 'Bearer ' + admin.body.token } });
      const page = await r.json();
      adminOps.push(...page.ops.map((x) => x.op));
      after = page.next;
      if (!page.more) break;
    }
    for (const op of adminOps.filter((o) => o.type === 'ballot.create' && o.payload.fields.poll === poll.id)) {
      assert.ok(!('voter' in op.payload.fields) && !('cast_for' in op.payload.fields));
      assert.ok(codes.includes(op.payload.fields.token));
    }
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    await server.stop();
  }
});
