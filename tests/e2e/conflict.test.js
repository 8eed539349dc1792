// Concurrent changes to one record (issue 15): two tablets go offline; one
// archives a squad while the other edits it. Back online, both show the same
// record (the server's state: archived, with the edit's fields, since edits
// never touch the archived flag and nothing is refused), and the tablet whose
// change no longer shows says so in the UI's language, with "make it again".
// The archiving tablet, which had created the squad, is told nothing: its
// archive stands, and the other tablet's later edit of a field its create set
// is an ordinary later change (sync/client.h OverriddenOp). Making it again
// restores the squad everywhere; that restore was made knowing the archive,
// so it is an ordinary later change too and the archiving tablet is not told.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { if (browser) await browser.close(); });

const squadsNamed = (page, name) => page.evaluate((n) => window.dianhong.entities('squad', n, 10), name);
const health = async (url) => (await fetch(url + '/api/v1/health')).json();

const openDevice = (url) => h.openDevice(browser, url);

// Commits what `act` clicks and waits for one more operation.
async function committing(dev, what, act) {
  const before = (await h.status(dev.page)).op_count;
  await act();
  await h.poll(async () => (await h.status(dev.page)).op_count > before, { what });
}

// Base data -> squads, searched by name, the one row opened.
async function openSquad(dev, name, id) {
  const { page, cdp } = dev;
  await h.clickWidget(page, 'nav-base');
  await h.clickWidget(page, 'kind-squad');
  await h.clickWidget(page, 'search');
  await h.poll(async () => (await h.status(page)).want_text_input, { what: 'the search field to take text' });
  await page.keyboard.press('Control+A');
  await h.insertText(page, cdp, name);
  await h.clickWidget(page, 'row-' + id);
}

// Both devices hold exactly what the server holds.
async function sameAsServer(url, a, b, what) {
  await h.poll(async () => {
    const s = await health(url);
    const [sa, sb] = [await h.status(a.page), await h.status(b.page)];
    return sa.state_hash === s.state_hash && sb.state_hash === s.state_hash &&
      sa.op_count === s.ops && sb.op_count === s.ops && sa.sync.waiting === 0 && sb.sync.waiting === 0;
  }, { timeout: 90000, what });
}

async function online(dev) {
  await dev.ctx.setOffline(false);
  await h.poll(async () => (await h.status(dev.page)).online, { what: 'online' });
}

test('one tablet archives a squad while the other edits it: both end the same, only the one whose change is hidden says so, and can make it again', async () => {
  const server = await h.startServer();
  try {
    const a = await openDevice(server.url);
    const b = await openDevice(server.url);

    // A makes the squad; B receives it.
    await h.clickWidget(a.page, 'nav-base');
    await h.clickWidget(a.page, 'kind-squad');
    await h.clickWidget(a.page, 'new');
    await h.clickWidget(a.page, 'f-name');
    await h.poll(async () => (await h.status(a.page)).want_text_input, { what: 'the name field to take text' });
    await h.insertText(a.page, a.cdp, '冲突测试队');
    await h.clickWidget(a.page, 'f-leader_name');
    await h.insertText(a.page, a.cdp, '张队长');
    await committing(a, 'the squad created', () => h.clickWidget(a.page, 'create'));
    const [squad] = await squadsNamed(a.page, '冲突测试队');
    assert.ok(squad, 'A has the squad');
    await h.clickWidget(b.page, 'nav-sync');
    await h.clickWidget(b.page, 'sync-now');
    await h.poll(async () => (await squadsNamed(b.page, '冲突测试队')).length === 1,
      { timeout: 60000, what: 'B to receive the squad' });
    await sameAsServer(server.url, a, b, 'both devices to hold the squad');

    // Both offline. A archives the squad; then B, not knowing, changes its leader.
    await a.ctx.setOffline(true);
    await b.ctx.setOffline(true);
    for (const d of [a, b]) await h.poll(async () => !(await h.status(d.page)).online, { what: 'offline' });
    await openSquad(a, '冲突测试队', squad.id);
    await h.clickWidget(a.page, 'archive');
    await committing(a, 'the archive', () => h.clickWidget(a.page, 'archive-confirm'));
    assert.equal((await squadsNamed(a.page, '冲突测试队')).length, 0, 'archived on A');
    await openSquad(b, '冲突测试队', squad.id);
    await h.clickWidget(b.page, 'f-leader_name');
    await h.poll(async () => (await h.status(b.page)).want_text_input, { what: 'the leader field to take text' });
    await b.page.keyboard.press('Control+A');
    await h.insertText(b.page, b.cdp, '李新队长');
    await committing(b, 'the edit', () => h.clickWidget(b.page, 'save'));
    for (const d of [a, b]) assert.equal((await h.waitSaved(d.page)).sync.waiting, 1, 'one change waits on each');

    // A reconnects first (its archive reaches the server first), then B.
    await online(a);
    await h.poll(async () => (await h.status(a.page)).sync.waiting === 0, { timeout: 60000, what: 'A pushed its archive' });
    await online(b);
    await sameAsServer(server.url, a, b, 'both devices to hold the server\'s state after the conflict');

    // The same record on both: archived (neither lists it), with B's leader in it.
    for (const d of [a, b]) assert.equal((await squadsNamed(d.page, '冲突测试队')).length, 0, 'archived everywhere');
    const sb = await h.status(b.page);
    assert.equal(sb.sync.rejected.length, 0, 'nothing was refused: both changes are kept');
    assert.equal(sb.sync.overridden.length, 1, 'B was told: ' + JSON.stringify(sb.sync.overridden));
    assert.equal(sb.sync.overridden[0].how, 'archived');
    assert.equal(sb.sync.overridden[0].type, 'squad.edit');
    assert.equal(sb.sync.overridden[0].entity, squad.id);
    assert.equal(sb.sync.overridden[0].by, (await h.status(a.page)).device_id);
    assert.equal((await h.status(a.page)).sync.overridden.length, 0, 'A\'s archive stands: nothing to tell A');

    // B says so in the UI's language: the status bar, then the sync area with "make it again".
    assert.match((await h.findWidget(b.page, 'status-sync-overridden')).label, /1 条修改被其他设备盖过/);
    await h.clickWidget(b.page, 'nav-sync');
    const line = await h.findWidget(b.page, 'sync-overridden-0');
    assert.match(line.label, /服务队 · 修改「冲突测试队」：这条记录已被另一台设备归档，你的修改不再显示/);
    assert.match((await h.findWidget(b.page, 'sync-overridden-count')).label, /：1 条/);
    const redo = await h.findWidget(b.page, 'sync-overridden-0-redo');
    assert.match(redo.label, /重新提交/);

    // Made again: B restores the squad (its leader is already in the record); A gets it.
    await committing(b, 'the change made again', () => h.clickWidget(b.page, 'sync-overridden-0-redo'));
    await h.findWidget(b.page, 'sync-overridden-0-redone');
    await h.clickWidget(b.page, 'sync-now');
    await h.clickWidget(a.page, 'nav-sync');
    await h.clickWidget(a.page, 'sync-now');
    await h.poll(async () => {
      const [r] = await squadsNamed(a.page, '冲突测试队');
      return r && r.fields.leader_name === '李新队长';
    }, { timeout: 60000, what: 'A to show the squad again, with B\'s leader' });
    await sameAsServer(server.url, a, b, 'both devices to hold the server\'s state after the redo');
    const [onB] = await squadsNamed(b.page, '冲突测试队');
    assert.equal(onB.fields.leader_name, '李新队长');
    // B restored it knowing A's archive: an ordinary later change, nothing to tell A.
    assert.equal((await h.status(a.page)).sync.overridden.length, 0, 'A is not told of an informed restore');
    assert.equal((await h.status(b.page)).sync.overridden[0].redone_as !== '', true, 'B\'s notice is marked made again');
    await a.ctx.close();
    await b.ctx.close();
  } finally {
    await server.stop();
  }
});
