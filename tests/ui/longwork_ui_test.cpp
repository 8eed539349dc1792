// Issue 9 in the UI, drawn for real (headless ImGui, the widget locator):
// the auto-scheduler runs as a job between frames (progress, cancel, a stale
// proposal is not applied), and the kiosk says a sign-up is done only from the
// commit's result.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/state.h"
#include "imgui.h"
#include "ui/workbench.h"
#include "volunteering_fixture.h"

using namespace dh;
using namespace dh::ui;
using namespace dh::test::volunteering;

TEST_CASE("scheduling: the solver runs between frames with a moving progress figure and can be cancelled",
          "[ui][native][longwork]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  WARN("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  Driver d(c);
  d.status.author = "staff:wang";
  REQUIRE(d.wb.set_area("schedule"));
  d.run(2);
  d.click("sched-tab-auto");

  // Paused between frames: the job exists, nothing is proposed, cancel drops it.
  d.jobs_paused = true;
  d.click("sched-auto-run");
  REQUIRE(d.find("sched-auto-working"));
  CHECK(d.jobs.count() == 1);
  d.click("sched-auto-cancel");
  CHECK(d.jobs.count() == 0);
  d.run(2);
  CHECK_FALSE(d.find("sched-auto-working"));
  CHECK_FALSE(d.find("sched-proposal-summary"));
  CHECK(d.emitted.empty());

  // One unit of work between two frames: the figure moves frame by frame.
  d.jobs_paused = false;
  double clock = 0;
  d.job_clock = [&clock] { return clock += 1.0; };
  d.job_budget_ms = 0.5;
  d.click("sched-auto-run");
  std::set<std::string> figures;
  int frames = 0;
  while (d.find("sched-auto-working") && frames < 200) {
    figures.insert(d.visible("sched-auto-working"));
    d.run();
    ++frames;
  }
  CHECK(frames > 3);
  CHECK(figures.size() >= 3);
  REQUIRE(d.find("sched-proposal-summary"));
  CHECK(d.find("sched-assign-2"));
  CHECK(d.emitted.empty());  // nothing emitted before Apply
#endif
}

TEST_CASE("scheduling: a proposal made before the data changed is not applied; planning again is", "[ui][native][longwork]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  WARN("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  Driver d(c);
  d.status.author = "staff:wang";
  REQUIRE(d.wb.set_area("schedule"));
  d.run(2);
  d.click("sched-tab-auto");
  d.click("sched-auto-run");
  d.run();
  REQUIRE(d.find("sched-proposal-summary"));
  CHECK_FALSE(d.find("sched-proposal-stale"));

  // Another change arrives (as from another device): the State moved on.
  REQUIRE(c.w.commit(CreateEntity{"grid", {{"name", "第二网格"}, {"code", "G2"}}, ""}).rfind("error", 0) != 0);
  const size_t signups = c.w.state.count("signup");
  d.run();
  REQUIRE(d.find("sched-proposal-stale"));
  d.click("sched-auto-apply");  // disabled: nothing is emitted
  CHECK(d.emitted.empty());
  CHECK(c.w.state.count("signup") == signups);

  // Planning again on the current data, then applying, works.
  d.click("sched-auto-replan");
  d.run();
  REQUIRE(d.find("sched-proposal-summary"));
  CHECK_FALSE(d.find("sched-proposal-stale"));
  d.click("sched-auto-apply");
  CHECK_FALSE(d.emitted.empty());
  CHECK(d.errors.empty());
  CHECK(c.w.state.count("signup") > signups);
#endif
}

TEST_CASE("kiosk: a sign-up is shown as done only from its commit result", "[ui][native][kiosk]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  WARN("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  {
    Driver d(c);
    REQUIRE(d.wb.set_area("kiosk"));
    d.run(2);
    d.type_into("kiosk-search", "5678");
    d.click("kiosk-pick-" + c.volunteers[0]);
    d.click("kiosk-find");
    // The app has not answered yet: the kiosk says it is saving, not "报名成功".
    d.hold_commits = true;
    d.click("kiosk-signup-" + c.shifts[0]);
    REQUIRE(d.held.size() == 1);
    d.run(3);
    CHECK(d.find("kiosk-waiting"));
    CHECK(d.visible("kiosk-title") != "报名成功！");
    CHECK(c.w.state.count("signup") == 0);
    for (const auto& t : d.all_text) CHECK(t.find("报名成功") == std::string::npos);
  }
  // With the result (the one commit path reports it): done.
  Driver d(c);
  REQUIRE(d.wb.set_area("kiosk"));
  d.run(2);
  d.type_into("kiosk-search", "5678");
  d.click("kiosk-pick-" + c.volunteers[0]);
  d.click("kiosk-find");
  d.click("kiosk-signup-" + c.shifts[0]);
  CHECK(d.visible("kiosk-title") == "报名成功！");
  CHECK(c.w.state.count("signup") == 1);
#endif
}
