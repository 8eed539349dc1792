// Coordinator actions on the scheduling screen (issue 4): moving a person to
// another shift in one step ("move to…", one signup.move operation) and
// exports/printing (the UI asks through UiOutput::files; the app hands the
// bytes to platform/files.h). Drawn for real in a headless ImGui context and
// driven through the widget locator, like volunteering_ui_test.cpp.
#include <catch2/catch.hpp>

#include "skip.h"

#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/state.h"
#include "core/volunteering.h"
#include "imgui.h"
#include "platform/widget_locator.h"
#include "ui/workbench.h"
#include "volunteering_fixture.h"

using namespace dh;
using namespace dh::ui;
using namespace dh::test::volunteering;

namespace {

std::string starts(const std::string& s, size_t n) { return s.substr(0, std::min(n, s.size())); }

std::vector<std::string> roster_ids(const State& s, const std::string& shift, bool waitlist) {
  Roster r = VolunteerIndex(s).roster(shift);
  std::vector<std::string> out;
  for (const auto& e : waitlist ? r.waitlist : r.confirmed) out.push_back(e.signup->text("volunteer"));
  return out;
}

}  // namespace

TEST_CASE("scheduling: move to… puts a person on another shift in one operation, waitlisted when full", "[ui][native][move]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  auto sign = [&](const std::string& shift, const std::string& vol) {
    std::string id = c.w.commit(CreateEntity{"signup", {{"shift", shift}, {"volunteer", vol}, {"channel", "coordinator"}}, ""});
    REQUIRE(id.rfind("error:", 0) != 0);
    return id;
  };
  // Shift 0 (2 places): 李师傅, 王老师, then 张阿姨 waiting. Shift 1 (1 place): 张阿姨.
  const std::string li = sign(c.shifts[0], c.volunteers[1]);
  sign(c.shifts[0], c.volunteers[2]);
  const std::string zhang_waiting = sign(c.shifts[0], c.volunteers[0]);
  sign(c.shifts[1], c.volunteers[0]);
  Driver d(c);
  REQUIRE(d.wb.set_area("schedule"));
  d.run(2);
  d.click("sched-shift-" + c.shifts[0]);
  REQUIRE(d.find("sched-move-" + li));
  CHECK_FALSE(d.find("sched-move-to-" + c.shifts[1]));  // the picker opens on demand
  d.click("sched-move-" + li);
  REQUIRE(d.find("sched-move-to-" + c.shifts[1]));
  CHECK_FALSE(d.find("sched-move-to-" + c.shifts[0]));  // not the shift it is on
  CHECK(d.visible("sched-move-to-" + c.shifts[1]).find("已满") != std::string::npos);
  CHECK(d.emitted.empty());

  d.click("sched-move-to-" + c.shifts[1]);
  REQUIRE(d.emitted.size() == 1);
  const auto* move = std::get_if<MoveSignup>(&d.emitted[0]);
  REQUIRE(move);
  CHECK(move->id == li);
  CHECK(move->fields["shift"] == c.shifts[1]);
  CHECK(move->fields["seen_place"] == "waitlist");
  CHECK(move->fields["clash_override"] == false);
  // Committed: 李师傅 waits on shift 1; 张阿姨 moved up on shift 0.
  CHECK(roster_ids(c.w.state, c.shifts[1], true) == std::vector<std::string>{c.volunteers[1]});
  CHECK(roster_ids(c.w.state, c.shifts[0], false) == std::vector<std::string>{c.volunteers[2], c.volunteers[0]});
  CHECK(d.visible("sched-message").find("已把李师傅调到") != std::string::npos);
  CHECK_FALSE(d.find("sched-error"));
  CHECK_FALSE(d.find("sched-move-to-" + c.shifts[1]));  // the picker closed
  (void)zhang_waiting;
#endif
}

TEST_CASE("scheduling: a move into a clash needs the override and its reason", "[ui][native][move]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  // 张阿姨 is on shift 1 (12-05 14:00-16:00) and shift 0; shift 2 overlaps shift 1.
  const std::string overlapping = c.w.commit(CreateEntity{
      "shift", {{"station", c.station}, {"role", "助老"}, {"start", "2026-12-05T15:00"}, {"end", "2026-12-05T17:00"}, {"capacity", 3}}, ""});
  const std::string on0 = c.w.commit(CreateEntity{"signup", {{"shift", c.shifts[0]}, {"volunteer", c.volunteers[0]}, {"channel", "coordinator"}}, ""});
  REQUIRE(c.w.commit(CreateEntity{"signup", {{"shift", c.shifts[1]}, {"volunteer", c.volunteers[0]}, {"channel", "coordinator"}}, ""}).rfind("error:", 0) != 0);
  Driver d(c);
  REQUIRE(d.wb.set_area("schedule"));
  d.run(2);
  d.click("sched-shift-" + c.shifts[0]);
  d.click("sched-move-" + on0);
  REQUIRE(d.find("sched-move-to-" + overlapping));
  CHECK(d.visible("sched-move-to-" + overlapping).find("时间冲突") != std::string::npos);
  d.click("sched-move-to-" + overlapping);  // disabled: nothing happens
  CHECK(d.emitted.empty());
  d.click("sched-move-override");
  d.click("sched-move-to-" + overlapping);  // still no reason
  CHECK(d.emitted.empty());
  d.type_into("sched-move-override-reason", "两处相邻");
  d.click("sched-move-to-" + overlapping);
  REQUIRE(d.emitted.size() == 1);
  const auto* move = std::get_if<MoveSignup>(&d.emitted[0]);
  REQUIRE(move);
  CHECK(move->fields["clash_override"] == true);
  CHECK(move->fields["override_reason"] == "两处相邻");
  const Entity* su = c.w.state.find("signup", on0);
  CHECK(su->text("shift") == overlapping);
  CHECK(su->text("override_reason") == "两处相邻");
  CHECK_FALSE(d.find("sched-error"));
#endif
}

TEST_CASE("scheduling: exports and printing are asked of the app with name, type and bytes", "[ui][native][files]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  const std::string su = c.w.commit(CreateEntity{"signup", {{"shift", c.shifts[0]}, {"volunteer", c.volunteers[0]}, {"channel", "coordinator"}}, ""});
  REQUIRE(su.rfind("error:", 0) != 0);
  Driver d(c);
  REQUIRE(d.wb.set_area("schedule"));
  d.run(2);
  d.click("sched-shift-" + c.shifts[0]);
  d.click("sched-export-roster");
  REQUIRE(d.files.size() == 1);
  CHECK(d.files[0].action == FileRequest::Action::save);
  CHECK(d.files[0].name == "名单-2026-12-02-0900-课后托管.csv");
  CHECK(d.files[0].mime == "text/csv;charset=utf-8");
  CHECK(starts(d.files[0].bytes, 9) == "\xEF\xBB\xBF站点");  // UTF-8 BOM, then the Chinese header
  CHECK(d.files[0].bytes.find("张阿姨") != std::string::npos);
  CHECK(d.files[0].bytes.find("13812345678") == std::string::npos);  // phones masked
  CHECK(d.files[0].bytes.find("138****5678") != std::string::npos);
  CHECK(d.emitted.empty());  // an export changes nothing
  CHECK(d.visible("sched-message").find("名单-2026-12-02-0900-课后托管.csv") != std::string::npos);

  d.click("sched-print-roster");
  REQUIRE(d.files.size() == 2);
  CHECK(d.files[1].action == FileRequest::Action::print);
  CHECK(d.files[1].mime == "text/html;charset=utf-8");
  CHECK(d.files[1].bytes.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(d.files[1].bytes.find("张阿姨") != std::string::npos);

  d.click("sched-export-coverage");
  REQUIRE(d.files.size() == 3);
  CHECK(d.files[2].name == "班次覆盖-2026-12-01-2026-12-14.csv");
  CHECK(starts(d.files[2].bytes, 3) == "\xEF\xBB\xBF");
  CHECK(d.files[2].bytes.find(c.shifts[1]) != std::string::npos);  // 12-05 is in the range

  d.click("sched-tab-hours");
  d.click("hours-export");
  REQUIRE(d.files.size() == 4);
  CHECK(d.files[3].name == "服务时长-2026-12-01.csv");
  CHECK(starts(d.files[3].bytes, 3) == "\xEF\xBB\xBF");
  d.type_into("hours-search", "张");
  d.click("hours-pick-" + c.volunteers[0]);
  d.click("hours-export-ics");
  REQUIRE(d.files.size() == 5);
  CHECK(d.files[4].name == "志愿服务-张阿姨.ics");
  CHECK(d.files[4].mime == "text/calendar;charset=utf-8");
  CHECK(starts(d.files[4].bytes, 17) == "BEGIN:VCALENDAR\r\n");
  CHECK(d.files[4].bytes.find("DTSTART;TZID=Asia/Shanghai:20261202T090000") != std::string::npos);
  d.click("hours-print-record");
  REQUIRE(d.files.size() == 6);
  CHECK(d.files[5].action == FileRequest::Action::print);
  CHECK(d.files[5].name == "服务记录-张阿姨-2026.html");
  CHECK(d.files[5].bytes.find("张阿姨") != std::string::npos);
  CHECK(d.emitted.empty());
#endif
}
