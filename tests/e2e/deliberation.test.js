// A council meeting with a secret poll (issue 11, docs/deliberation.md): the
// chair's laptop and two tablets are three browser contexts enrolled with the
// real server (--auth devices), the tablets as voting tablets (ballots only,
// the voting screen alone). The chair prints ballot cards (the printable
// page is the only place the codes exist), opens the demo's secret poll;
// both tablets go offline and take three votes with cards, each showing the
// vote is saved on the tablet; back online, the chair sees three ballots,
// closes and publishes. The result's counts are right, and what a projector
// device pulls from the server carries no voter, no card code and no marks.
//
// The room's projector (issue 11's proof) is a fourth context at 1920x1080,
// enrolled in the app as a projector device and then showing
// index.html?view=projector, fed by the server's push channel. The chair
// projects the poll's live count from the 投影 area before the tablets come
// back (the projector counts the ballots as they arrive, never how they
// voted), and after publishing projects the result: the projector page shows
// the poll's Chinese title and the right counts (widget hook,
// window.dianhong.projector() and build/deliberation-projector-result.png), and
// no member's name or card code is on it or in anything it pulled.
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

async function enrolledDevice(server, code, { role = 'coordinator', minOps = 10000, viewport, watch } = {}) {
  const ctx = await h.newContext(browser, viewport ? { viewport } : {});
  if (watch) ctx.on('response', watch);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  await h.waitReady(page, { demo: false });
  const cdp = await ctx.newCDPSession(page);
  await h.poll(async () => (await h.status(page)).sync.needs_enrolment, { what: 'enrolment asked for' });
  await h.clickWidget(page, 'nav-sync');
  // The field takes text once clicked (again if the click came while the area was being laid out).
  await h.poll(async () => {
    if ((await h.status(page)).want_text_input) return true;
    await h.clickWidget(page, 'sync-enrol-code');
    await page.waitForTimeout(500);
    return (await h.status(page)).want_text_input;
  }, { what: 'the code field to take text' });
  await h.insertText(page, cdp, code);
  await h.clickWidget(page, 'sync-enrol');
  let last = null;
  await h.poll(async () => {
    const s = await h.status(page);
    last = s && s.sync;
    return s.sync.role === role && s.op_count > minOps ? s : false;
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

const projectorOf = (page) => page.evaluate(() => window.dianhong && window.dianhong.projector());
async function waitProjector(page, pred, what, timeout = 30000) {
  let last = null;
  return h.poll(async () => {
    last = await projectorOf(page);
    return last && pred(last) ? last : false;
  }, { timeout, what }).catch((e) => {
    throw new Error(e.message + ' ' + JSON.stringify(last && { screen: last.screen, key: last.key, content: last.content }));
  });
}

// A click, then the frames it causes (the next click must not aim at the
// layout of the frame before: under load a frame can take longer than the
// harness's pause).
async function clickSettled(page, key) {
  const before = (await h.status(page)).frames;
  await h.clickWidget(page, key);
  await h.poll(async () => (await h.status(page)).frames >= before + 2, { what: 'frames after clicking ' + key });
}

// The chair's 投影 area: the meeting, the slide type and the poll, the
// preview checked (title and the slide's own widget), then "project". The
// choice is made again if the preview does not show it (a click that
// missed while the area was laid out anew).
async function projectPoll(chair, meetingId, pollId, slide) {
  await clickSettled(chair, 'nav-projector');
  const marker = slide === 'live_count' ? 'prev-received' : 'prev-title';
  const previewed = async () => {
    const [t, m] = await chair.evaluate((k) => [window.dianhong.find('prev-title'), window.dianhong.find(k)], marker);
    const hidden = await chair.evaluate(() => window.dianhong.find('proj-result-hidden'));
    const typeOk = slide === 'result' ? !!(hidden || (await chair.evaluate(() => window.dianhong.find('prev-bar-0')))) : !!m;
    return t && t.label.includes(POLL_TITLE) && typeOk;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await clickSettled(chair, 'proj-meeting');
      await clickSettled(chair, 'opt-' + meetingId);
      await clickSettled(chair, 'proj-pick-' + slide);
      await clickSettled(chair, 'proj-pick-poll');
      await clickSettled(chair, 'opt-' + pollId);
      await h.poll(previewed, { timeout: 5000, what: 'the preview of the ' + slide + ' of ' + POLL_TITLE });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await chair.keyboard.press('Escape');  // a combo left open by a click that missed
      await chair.waitForTimeout(300);
    }
  }
  await h.clickWidget(chair, 'proj-project');
  await h.poll(async () => {
    const w = await chair.evaluate(() => window.dianhong.find('proj-state'));
    return w && /已在投影/.test(w.label);
  }, { what: 'the chair\'s "on the projector"' });
}

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

test('two tablets vote offline in a secret poll; the chair closes, publishes and projects the result; the projector page shows the title and counts, no voter', async () => {
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

    // Two voting tablets (they may cast ballots only and show the voting
    // screen alone), synced with the open poll, then offline.
    const a = await enrolledDevice(server, await codeFor('voting_tablet'), { role: 'voting_tablet', minOps: 1 });
    const b = await enrolledDevice(server, await codeFor('voting_tablet'), { role: 'voting_tablet', minOps: 1 });
    contexts.push(a.ctx, b.ctx);
    // The projector laptop: enrolled in the app as a projector device, then
    // the projector page; everything it pulls is kept to be searched.
    const pulled = [];
    const watch = (r) => {
      if (r.url().includes('/api/v1/')) pulled.push(r.text().catch(() => ''));
    };
    const proj = await enrolledDevice(server, await codeFor('projector'),
      { role: 'projector', minOps: 0, viewport: { width: 1920, height: 1080 }, watch });
    contexts.push(proj.ctx);
    await proj.page.goto(server.url + '/?view=projector');
    const idle = await waitProjector(proj.page, (p) => p.frames > 0 && p.screen !== 'lost', 'the projector page');
    assert.equal(idle.source, 'server', 'the projector page is fed by the server');
    assert.equal(idle.crossfade, true, 'the cross-fade shader compiled');

    // The chair projects the poll's live count: ballots received, not yet any.
    await projectPoll(chair.page, poll.fields.meeting, poll.id, 'live_count');
    const live0 = await waitProjector(proj.page, (p) => p.type === 'live_count' && p.title === POLL_TITLE,
      'the live count on the projector');
    assert.equal(JSON.parse(live0.content).received, 0);

    for (const d of [a, b]) {
      await h.poll(async () => (await entity(d.page, 'poll', POLL_TITLE)).fields.poll_state === 'open', { timeout: 60000, what: 'the tablet to know the poll is open' });
      assert.match((await h.findWidget(d.page, 'tablet-header')).label, /^表决平板/);
      await h.findWidget(d.page, 'delib-vote-poll-' + poll.id);
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
    // The live count on the projector follows the ballots as they arrive.
    const live3 = await waitProjector(proj.page, (p) => p.type === 'live_count' && JSON.parse(p.content).received === 3,
      'the projector to count 3 ballots', 60000);
    assert.doesNotMatch(live3.content, /"bars":\[\{/, 'a live count says nothing of how they voted');
    await h.clickWidget(chair.page, 'nav-deliberation');
    await h.clickWidget(chair.page, 'delib-tab-chair');
    await h.poll(async () => /已收到 3 票/.test((await h.findWidget(chair.page, 'delib-count-' + poll.id)).label),
      { timeout: 60000, what: 'the chair to see 3 ballots' });

    // Close and publish.
    // Under load a click can land on a frame drawn before the button was
    // live; clicked again (only while the poll is still open) after 10 s.
    let closeClickedAt = 0;
    await h.poll(async () => {
      if ((await entity(chair.page, 'poll', POLL_TITLE)).fields.poll_state === 'closed') return true;
      if (Date.now() - closeClickedAt > 10000) {
        await h.clickWidget(chair.page, 'delib-close-' + poll.id);
        closeClickedAt = Date.now();
      }
      return false;
    }, { timeout: 60000, what: 'closed' });
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

    // The chair projects the published result; the projector page shows the
    // poll's Chinese title and the counts, from the push channel.
    await projectPoll(chair.page, poll.fields.meeting, poll.id, 'result');
    const shown = await waitProjector(proj.page, (p) => p.type === 'result' && p.screen === 'slide' &&
      /"published":true/.test(p.content), 'the published result on the projector', 60000);
    assert.equal(shown.title, POLL_TITLE);
    const slide = JSON.parse(shown.content);
    assert.equal(slide.cast, 3);
    assert.equal(slide.valid, 3);
    assert.deepEqual(slide.bars.map((b) => b.count), [2, 1, 0]);
    await proj.page.waitForTimeout(1200);  // the cross-fade is over, the bars have eased to their values
    const title = await h.findWidget(proj.page, 'proj-title');
    assert.match(title.label, new RegExp(POLL_TITLE));
    assert.ok(title.h >= 60, 'the title is at least 60 px tall at 1080p (' + title.h + ')');
    const bars = await Promise.all([0, 1, 2].map((i) => h.findWidget(proj.page, 'proj-bar-' + i)));
    assert.match(bars[0].label, /^赞成 2##/);
    assert.match(bars[1].label, /^反对 1##/);
    assert.match(bars[2].label, /^弃权 0##/);
    assert.match((await h.findWidget(proj.page, 'proj-count-0')).label, /^2 /);
    await h.poll(async () => (await h.status(proj.page)).full_font_loaded, { what: 'the full font on the projector' });
    assert.equal(await proj.page.evaluate((t) => window.dianhong.missingGlyphs(t), POLL_TITLE), '');
    fs.mkdirSync(path.join(h.ROOT, 'build'), { recursive: true });
    const png = await proj.page.screenshot({ path: path.join(h.ROOT, 'build', 'deliberation-projector-result.png') });
    const shot = h.pixelSummary(png);
    assert.ok(shot.litShare > 0.5 && shot.colours > 20, 'the result is on the projector\'s screen: ' + JSON.stringify(shot));

    // The secret ballot's voters are nowhere on the projector: not on the
    // screen, not in the slide, not in anything the projector page pulled.
    const members = (await chair.page.evaluate(() => window.dianhong.entities('council_member', '', 200)))
      .map((m) => m.fields.name).filter((n) => n);
    assert.ok(members.length >= 12);
    const onScreen = (await proj.page.evaluate(() => window.dianhong.widgets())).map((w) => w.label).join('\n') +
      shown.content;
    for (const n of members) assert.ok(!onScreen.includes(n), 'member ' + n + ' on the projector');
    for (const c of codes) assert.ok(!onScreen.includes(c), 'a ballot card on the projector');
    const pulledText = (await Promise.all(pulled)).join('\n');
    assert.ok(pulledText.includes(poll.id), 'the projector pulled the poll');
    for (const c of codes) assert.ok(!pulledText.includes(c), 'a ballot card code in what the projector pulled');
    const projBallots = await proj.page.evaluate((id) => window.dianhong.entities('ballot', '', 1000)
      .filter((b) => b.fields.poll === id), poll.id);
    assert.equal(projBallots.length, 3, 'the projector holds the three ballots, reduced');
    for (const b of projBallots) assert.deepEqual(Object.keys(b.fields).sort(), ['poll', 'voter_digest']);

    // What a projector device pulls: the published result, never who voted what.
    const projApi = await post('/api/v1/enrol', { code: await codeFor('projector'), device: 'e2eproj01', name: 'projector' });
    assert.equal(projApi.status, 200);
    let after = 0;
    let text = '';
    const ops = [];
    for (;;) {
      const r = await fetch(server.url + '/api/v1/ops?after=' + after + '&limit=1000',
        { headers: { Authorization: 'Bearer ' + projApi.body.token } });
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
