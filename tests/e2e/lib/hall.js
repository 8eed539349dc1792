// Steps of the service hall shared by the live-status browser test
// (live.test.js) and its benchmark (bench/hall_live/run.js): the demo's
// people a kiosk finds, a shift made through base data, a kiosk sign-up, the
// server's operations. The same steps as kiosk.test.js, done as a person does
// them on the screen.
'use strict';
const assert = require('node:assert/strict');
const h = require('./harness');

const text = (w) => (w && w.label ? w.label.split('##')[0] : '');

// Tomorrow's date in the community (UTC+8, as the app's clock), "YYYY-MM-DD".
const tomorrow = () => new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);

async function serverOps(url, after = 0) {
  const out = [];
  for (;;) {
    const r = await fetch(url + '/api/v1/ops?after=' + after + '&limit=1000');
    assert.equal(r.status, 200);
    const body = await r.json();
    out.push(...body.ops);
    after = body.next;
    if (!body.more) return { ops: out, next: after };
  }
}

// Adult volunteers a kiosk finds unambiguously by name (no other volunteer's
// name contains theirs) with an 11-digit mobile; with uniqueLast4, also by the
// last four digits of it (the kiosk falls back to the household's phone, so
// does this).
function kioskPeople(ops, { uniqueLast4 = false } = {}) {
  const e = {};
  for (const { op } of ops) {
    const [kind, action] = op.type.split('.');
    if (action === 'create') e[op.payload.entity] = { kind, ...op.payload.fields };
  }
  const people = [];
  for (const [id, v] of Object.entries(e)) {
    if (v.kind !== 'volunteer') continue;
    const r = e[v.resident];
    if (!r) continue;
    let phone = r.phone || '';
    if (!phone && e[r.household]) phone = e[r.household].phone || '';
    const digits = phone.replace(/\D/g, '');
    people.push({ volunteer: id, name: r.name, birth: r.birth_date || '', phone: digits, last4: digits.slice(-4) });
  }
  const last4 = new Map();
  for (const p of people) last4.set(p.last4, (last4.get(p.last4) || 0) + 1);
  return people.filter((p) => p.phone.length === 11 && p.phone[0] === '1' && p.birth && p.birth < '2000' &&
    (!uniqueLast4 || last4.get(p.last4) === 1) && people.every((q) => q === p || !q.name.includes(p.name)));
}

// The coordinator: base data -> shift -> new, every field typed or picked.
async function createShift(dev, { station, role, start, end, capacity }) {
  const { page, cdp } = dev;
  await h.clickWidget(page, 'nav-base');
  await h.clickWidget(page, 'kind-shift');
  await h.clickWidget(page, 'new');
  await h.clickWidget(page, 'f-station');
  await h.clickWidget(page, 'opt-' + station);
  await h.poll(() => page.evaluate((k) => !window.dianhong.find(k), 'opt-' + station), { what: 'the station list to close' });
  for (const [field, value] of [['role', role], ['start', start], ['end', end], ['capacity', String(capacity)]]) {
    await h.focusField(page, 'f-' + field);
    await h.insertText(page, cdp, value);
  }
  const before = (await h.status(page)).op_count;
  await h.clickWidget(page, 'create');
  await h.poll(async () => (await h.status(page)).op_count > before, { what: 'the shift to be committed' });
  const shifts = await page.evaluate((r) => window.dianhong.entities('shift', r, 10), role);
  assert.equal(shifts.length, 1, 'one shift made: ' + JSON.stringify(shifts));
  return shifts[0].id;
}

// At the kiosk: find the person by name, pick them, open "sign up for a
// shift" and get ready to sign up for `shift`. Returns the sign-up button
// (the caller clicks it, so that it can time what follows).
async function kioskOpenSignUp(dev, person, shift) {
  const { page, cdp } = dev;
  await h.clickWidget(page, 'nav-kiosk');
  if (await page.evaluate(() => !!window.dianhong.find('kiosk-ok'))) await h.clickWidget(page, 'kiosk-ok');
  await h.focusField(page, 'kiosk-search');
  await page.keyboard.press('Control+A');
  await h.insertText(page, cdp, person.name);
  await h.clickWidget(page, 'kiosk-pick-' + person.volunteer);
  await h.clickWidget(page, 'kiosk-find');
  return h.kioskShowShift(page, shift);
}

// Clicks the kiosk's sign-up button and measures, with node's clock, when the
// sign-up reached the server (its operation is listed there) and when the
// coordinator's screen drew its roster line. Returns {signup, ms}.
async function timedSignUp(server, kiosk, coordinator, person, shift, { interval = 10 } = {}) {
  const head = (await (await fetch(server.url + '/api/v1/health')).json()).ops;
  const button = await kioskOpenSignUp(kiosk, person, shift);
  const atServer = h.poll(async () => {
    const { ops } = await serverOps(server.url, head);
    const op = ops.find((o) => o.op.type === 'signup.create' && o.op.payload.fields.volunteer === person.volunteer &&
      o.op.payload.fields.shift === shift);
    return op ? { t: Date.now(), signup: op.op.payload.entity } : false;
  }, { interval, timeout: 60000, what: 'the sign-up of ' + person.name + ' on the server' });
  await kiosk.page.mouse.click(button.x + Math.min(button.w / 2, 40), button.y + button.h / 2);
  const seen = await atServer;
  const shownAt = await h.poll(async () => {
    const drawn = await coordinator.page.evaluate((k) => !!window.dianhong.find(k), 'sched-row-' + seen.signup);
    return drawn ? Date.now() : false;
  }, { interval, timeout: 180000, what: 'the sign-up on the coordinator\'s screen' });
  return { signup: seen.signup, ms: shownAt - seen.t };
}

module.exports = { text, tomorrow, serverOps, kioskPeople, createShift, kioskOpenSignUp, timedSignUp };
