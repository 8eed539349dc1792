// PENDING (tests/e2e/pending, not run by npm test): written with issue 12's
// hall-live branch but never run, because the web build (wasm) did not finish
// on the loaded machine before that session's deadline. The native
// counterparts ran (tests/ui/layout_fit_test.cpp, tests/ui/status_line_test.cpp,
// tests/session/push_channel_test.cpp [live]). Move it to tests/e2e/ (harness
// path back to ./lib/) once it passes.
// Layout that fits (issue 12): every screen at a portrait tablet (768x1024),
// a landscape tablet (1280x800) and a desktop (1920x1080), in normal and
// large text. On each, the widget hook's rectangles (window.dianhong.widgets())
// are checked against the window: nothing lies outside it, nothing is cut
// off where no scrolling can reach it (a cell too narrow, a fixed panel too
// small: the hook's `cut`), and controls are tall enough to press (roster
// buttons at least 40 px).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');
const hall = require('./lib/hall');

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { if (browser) await browser.close(); });

const SIZES = [[768, 1024], [1280, 800], [1920, 1080]];
const MIN_CONTROL_PX = 30;   // every control (a 20 px font's frame is 34 px)
const MIN_ROSTER_PX = 40;    // 签到/请假/缺席/调到…/取消报名 on the roster (not the shift's own cancel)

const loop = (page) => page.evaluate(() => window.dianhong.loop());

// Does `act`, then waits until a frame was drawn after it and the loop went
// back to sleep (the layout has settled: every pending frame is drawn).
async function settle(page, act) {
  const before = (await loop(page)).frames;
  if (act) await act();
  await h.poll(async () => { const l = await loop(page); return l.frames > before && l.paused; },
    { timeout: 30000, what: 'the page to draw and settle' });
}

// What is wrong on the screen now: a list of words, empty when all fits.
async function problems(page, width, height, where) {
  const widgets = await page.evaluate(() => window.dianhong.widgets());
  const out = [];
  for (const w of widgets) {
    const name = (w.key || w.label || '#' + w.id) + ' (' + w.window + ')';
    // A child window's or table's own item (its rectangle is the window
    // itself, clipped by its parent): not a control.
    if (w.label && (w.label === w.window || w.window.endsWith('/' + w.label))) continue;
    if (w.cut) out.push(where + ': ' + name + ' is cut off (' + w.cut + ') ' + JSON.stringify(w.full));
    if (!w.visible) continue;
    if (w.x < -1 || w.y < -1 || w.x + w.w > width + 1 || w.y + w.h > height + 1)
      out.push(where + ': ' + name + ' lies outside the window ' + JSON.stringify([w.x, w.y, w.w, w.h]));
    // A control: a labelled item that is not shown text (status_text).
    const control = !w.text && !!w.label;
    const fullH = w.full ? w.full[3] : w.h;
    if (control && fullH < MIN_CONTROL_PX) out.push(where + ': ' + name + ' is only ' + fullH + ' px tall');
    if (/^sched-(in|out|excused|noshow|move|cancel)-(?!shift$|reason$)/.test(w.key || '') && fullH < MIN_ROSTER_PX)
      out.push(where + ': roster button ' + name + ' is only ' + fullH + ' px tall');
  }
  return out;
}

test('every screen fits at 768x1024, 1280x800 and 1920x1080, in normal and large text', { timeout: 1200000 }, async () => {
  const server = await h.startServer();
  try {
    const dev = await h.openDevice(browser, server.url, { what: 'coordinator' });
    const { page, cdp } = dev;
    // A shift with one person on its roster, so the roster's buttons show.
    const day = hall.tomorrow();
    const shift = await hall.createShift(dev, { station: 'hall', role: '版面测试', start: day + 'T09:00',
      end: day + 'T11:00', capacity: 3 });
    const person = hall.kioskPeople((await hall.serverOps(server.url)).ops)[0];
    await h.clickWidget(page, 'nav-schedule');
    await h.clickWidget(page, 'sched-tab-shifts');
    await h.openScheduledShift(page, shift);
    await h.focusField(page, 'sched-vol-search');
    await h.insertText(page, cdp, person.name);
    await h.clickWidget(page, 'sched-add-' + person.volunteer);
    await h.poll(async () => (await page.evaluate((s) => window.dianhong.entities('signup', s, 5), shift)).length === 1,
      { what: 'the sign-up' });

    // Every area, and the views inside the ones that have several.
    const screens = [
      ['home', ['nav-home']],
      ['kiosk', ['nav-kiosk']],
      ['schedule/shifts', ['nav-schedule', 'sched-tab-shifts']],
      ['schedule/auto', ['nav-schedule', 'sched-tab-auto']],
      ['schedule/hours', ['nav-schedule', 'sched-tab-hours']],
      ['talent', ['nav-talent']],
      ['requests', ['nav-requests']],
      ['deliberation', ['nav-deliberation']],
      ['projector', ['nav-projector']],
      ['sync', ['nav-sync']],
      ['base/shift form', ['nav-base', 'kind-shift', 'new']],
      ['settings', ['nav-settings']],
    ];
    const found = [];
    for (const large of [false, true]) {
      for (const [width, height] of SIZES) {
        const vp = page.viewportSize();
        if (vp.width !== width || vp.height !== height) await settle(page, () => page.setViewportSize({ width, height }));
        const s = await h.status(page);
        if (s.large_text !== large) {
          await settle(page, () => h.clickWidget(page, 'nav-settings'));
          await settle(page, () => h.clickWidget(page, 'large-text'));
          await h.poll(async () => (await h.status(page)).large_text === large, { what: 'large text ' + large });
        }
        for (const [name, clicks] of screens) {
          for (const key of clicks) {
            // A control of a sub-view may sit below the fold at this size:
            // the view under test then is whatever opened last.
            if (!(await page.evaluate((k) => window.dianhong.find(k), key))) {
              found.push(`${width}x${height}${large ? ' large' : ''} ${name}: ${key} cannot be reached`);
              continue;
            }
            await settle(page, () => h.clickWidget(page, key));
          }
          if (name === 'schedule/shifts') {
            // The roster of the shift with its buttons.
            await h.findWidget(page, 'sched-places');
          }
          found.push(...await problems(page, width, height, `${width}x${height}${large ? ' large' : ''} ${name}`));
        }
      }
    }
    assert.deepEqual(found, [], found.length + ' layout problems:\n' + found.join('\n'));
    await dev.ctx.close();
  } finally {
    await server.stop();
  }
});
