// The locked kiosk (ui/device_lock.h, ui/kiosk_lock.h) drawn for real on a
// portrait tablet (768x1024) and landscape ones (1024x768, 1280x800): the kiosk alone, no navigation, touch targets
// at least 48 px inside the window; a checked-in shift reads 已签到 and has
// no cancel; staff leave with the PIN pad; Settings locks a device after
// setting the PIN. The PIN's check itself is the session's
// (tests/session/session_test.cpp); here every request is answered "done".
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/volunteering.h"
#include "skip.h"
#include "ui/device_lock.h"
#include "volunteering_fixture.h"

using namespace dh;
using namespace dh::test::volunteering;

namespace {

// Every visible widget of the last frame whose key starts with one of the
// prefixes: at least 48 px tall and inside the window.
void check_touch_targets(std::initializer_list<const char*> prefixes) {
  const ImVec2 size = ImGui::GetIO().DisplaySize;
  int seen = 0;
  for (const auto& r : dh::platform::widget_locator_last_frame()) {
    if (!r.visible) continue;
    bool wanted = false;
    for (const char* p : prefixes) wanted = wanted || r.key.rfind(p, 0) == 0;
    if (!wanted) continue;
    ++seen;
    INFO(r.key << " at " << r.x << "," << r.y << " " << r.w << "x" << r.h);
    CHECK(r.h >= 48.0f);
    CHECK(r.x >= 0.0f);
    CHECK(r.y >= 0.0f);
    CHECK(r.x + r.w <= size.x + 0.5f);
    CHECK(r.y + r.h <= size.y + 0.5f);
  }
  CHECK(seen > 0);
}

std::string pin_of(const Driver& d) {
  for (auto it = d.requests.rbegin(); it != d.requests.rend(); ++it)
    if (const auto* l = std::get_if<ui::LeaveKiosk>(&it->what)) return l->pin;
  return "";
}

}  // namespace

TEST_CASE("kiosk lock: a kiosk role or the setting locks to the kiosk, nothing else", "[ui][kiosk]") {
  CHECK(ui::locked_area("kiosk", false) == "kiosk");
  CHECK(ui::locked_area("", true) == "kiosk");
  CHECK(ui::locked_area("coordinator", true) == "kiosk");
  CHECK(ui::locked_area("coordinator", false).empty());
  CHECK(ui::locked_area("", false).empty());
}

TEST_CASE("locked kiosk on portrait and landscape tablets: no way out but the PIN, 已签到 without cancel",
          "[ui][native][kiosk]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  const ImVec2 screen = GENERATE(ImVec2(768, 1024), ImVec2(1024, 768), ImVec2(1280, 800));
  INFO("screen " << screen.x << "x" << screen.y);
  Community c = community();
  Driver d(c);
  ImGui::GetIO().DisplaySize = screen;
  d.wb.set_kiosk_lock(true);
  d.status.staff_pin_set = true;
  d.run(3);
  CHECK(d.wb.locked_area() == "kiosk");
  CHECK(d.wb.font_size_px() == 30.0f);  // large text on the locked kiosk
  // No navigation, no other area, whatever is asked.
  CHECK(d.wb.set_area("base"));
  d.run(2);
  CHECK(d.wb.area() == "kiosk");
  for (const char* area : {"home", "kiosk", "schedule", "base", "settings", "sync"})
    CHECK_FALSE(d.find(std::string("nav-") + area));
  CHECK_FALSE(d.find("status-ops"));
  REQUIRE(d.find("kiosk-search"));
  check_touch_targets({"kiosk-staff", "kiosk-request", "kiosk-search"});

  // Sign up: the 报名 button is whole and inside the portrait screen.
  d.type_into("kiosk-search", "张阿姨");
  check_touch_targets({"kiosk-pick-"});
  d.click("kiosk-pick-" + c.volunteers[0]);
  d.click("kiosk-find");
  REQUIRE(d.find("kiosk-signup-" + c.shifts[0]));
  check_touch_targets({"kiosk-signup-", "kiosk-back", "kiosk-staff"});
  d.click("kiosk-signup-" + c.shifts[0]);
  REQUIRE(d.errors.empty());
  REQUIRE(d.find("kiosk-ok"));
  check_touch_targets({"kiosk-more", "kiosk-ok"});
  d.click("kiosk-ok");
  d.type_into("kiosk-search", "张阿姨");
  d.click("kiosk-pick-" + c.volunteers[0]);
  std::vector<const Entity*> mine = VolunteerIndex(c.w.state).signups_of(c.volunteers[0]);
  REQUIRE(mine.size() == 1);
  const std::string su = mine[0]->id;
  // Before the check-in: 已确认 and a cancel button, whole.
  REQUIRE(d.find("kiosk-cancel-" + su));
  check_touch_targets({"kiosk-cancel-", "kiosk-find", "kiosk-finish"});
  auto has_line = [&](const std::string& word) {
    for (const auto& r : dh::platform::widget_locator_last_frame())
      if (r.key.rfind("kiosk-line-", 0) == 0 && r.label.find("课后托管") != std::string::npos &&
          r.label.find(word) != std::string::npos)
        return true;
    return false;
  };
  CHECK(has_line("已确认"));

  // A coordinator checks the person in (another device; the kiosk syncs).
  REQUIRE(c.w.commit(EditEntity{"signup", su, {{"check_in", "2026-12-02T08:40"}, {"check_in_method", "list"}}}).rfind("error:", 0) != 0);
  d.run(2);
  CHECK(has_line("已签到"));
  CHECK_FALSE(has_line("已确认"));
  CHECK_FALSE(d.find("kiosk-cancel-" + su));

  // Staff: the PIN pad; the digits go to the session as typed, shown as dots.
  d.click("kiosk-staff");
  REQUIRE(d.find("pin-title"));
  CHECK_FALSE(d.find("kiosk-search"));
  check_touch_targets({"pin-key-", "pin-clear", "pin-ok", "pin-back", "kiosk-staff"});
  for (const char* k : {"pin-key-2", "pin-key-4", "pin-key-6", "pin-key-8"}) d.click(k);
  CHECK(d.visible("pin-dots") == "● ● ● ●");
  d.click("pin-ok");
  CHECK(pin_of(d) == "2468");
  // The driver answers "right": the whole workbench, at the settings.
  d.run(2);
  CHECK(d.wb.locked_area().empty());
  CHECK_FALSE(d.wb.kiosk_lock());
  CHECK(d.wb.area() == "settings");
  REQUIRE(d.find("nav-base"));
#endif
}

TEST_CASE("settings: locking a device as a kiosk first sets the staff PIN, asked twice", "[ui][native][kiosk]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  Driver d(c);
  REQUIRE(d.wb.set_area("settings"));
  d.run(2);
  d.click("kiosk-lock-on");
  REQUIRE(d.find("pin-title"));
  for (const char* k : {"pin-key-1", "pin-key-3", "pin-key-5", "pin-key-7", "pin-ok"}) d.click(k);
  // A different second entry starts again.
  for (const char* k : {"pin-key-1", "pin-key-3", "pin-key-5", "pin-key-8", "pin-ok"}) d.click(k);
  REQUIRE(d.find("pin-message"));
  CHECK(d.wb.locked_area().empty());
  for (const char* k : {"pin-key-1", "pin-key-3", "pin-key-5", "pin-key-7", "pin-ok"}) d.click(k);
  for (const char* k : {"pin-key-1", "pin-key-3", "pin-key-5", "pin-key-7", "pin-ok"}) d.click(k);
  const ui::SetStaffPin* set = nullptr;
  for (const auto& r : d.requests)
    if (const auto* p = std::get_if<ui::SetStaffPin>(&r.what)) set = p;
  REQUIRE(set);
  CHECK(set->pin == "1357");
  CHECK(set->lock);
  d.run(2);
  CHECK(d.wb.kiosk_lock());
  CHECK(d.wb.locked_area() == "kiosk");
  CHECK_FALSE(d.find("nav-settings"));
#endif
}

TEST_CASE("roster: a checked-in row offers undo check-in instead of cancel; then it can be cancelled", "[ui][native][kiosk]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  const std::string su = c.w.commit(CreateEntity{
      "signup", {{"shift", c.shifts[0]}, {"volunteer", c.volunteers[0]}, {"channel", "coordinator"}}, ""});
  REQUIRE(su.rfind("error:", 0) != 0);
  REQUIRE(c.w.commit(EditEntity{"signup", su, {{"check_in", "2026-12-02T08:40"}, {"check_in_method", "list"}}}).rfind("error:", 0) != 0);
  Driver d(c);
  d.status.now_local_minutes = *parse_datetime("2026-12-02T09:00");
  REQUIRE(d.wb.set_area("schedule"));
  d.run(2);
  d.click("sched-shift-" + c.shifts[0]);
  REQUIRE(d.find("sched-row-" + su));
  CHECK_FALSE(d.find("sched-cancel-" + su));
  d.click("sched-undo-in-" + su);
  CHECK(d.errors.empty());
  CHECK(c.w.state.find("signup", su)->text("check_in").empty());
  CHECK(attendance_of(*c.w.state.find("signup", su)) == Attendance::not_checked_in);
  d.click("sched-cancel-" + su);
  CHECK(d.errors.empty());
  CHECK_FALSE(c.w.state.find("signup", su)->live());
#endif
}
