// The demo's year of volunteering (issue 12, docs/demo.md): the generated
// year reaches the report's scale, every screen has real-looking work, the
// auto-scheduler has next month to plan, and the log is the same bytes in the
// native and the wasm build (this file runs in both Catch2 suites).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "core/civil_time.h"
#include "core/demo.h"
#include "core/reports.h"
#include "core/scheduler.h"
#include "core/sha256.h"
#include "core/state.h"
#include "core/volunteering.h"

using namespace dh;

namespace {
const std::vector<Operation>& demo_ops() {
  static const std::vector<Operation> ops = generate_demo();
  return ops;
}
const State& demo_state() {
  static const State s = [] {
    State st;
    for (const auto& op : demo_ops()) st.apply(op);
    return st;
  }();
  return s;
}
int64_t day(const char* d) { return *parse_date(d); }
}  // namespace

TEST_CASE("The demo's year of volunteering reaches the report's scale", "[core][demo][demo_life]") {
  const State& s = demo_state();
  const HomeFigures h = home_figures(s, day("2026-12-02"));
  // Over 12,000 hours in the year so far (1 January to the demo's today).
  CHECK(h.minutes_this_year / 60 == 13690);
  CHECK(h.verified_minutes_this_year / 60 == 13169);
  // About 80% of households take part (have a volunteer with hours this year).
  CHECK(h.households == 3058);
  CHECK(h.households_taking_part == 2447);
  CHECK(h.volunteers == 2447);
  CHECK(h.active_volunteers == 999);
  // Every past month of 2026 has its work: over 1,000 hours, most places filled.
  REQUIRE(h.months.size() == 12);
  CHECK(h.months.front().month == "2026-01");
  for (size_t i = 0; i + 1 < h.months.size(); ++i) {
    INFO(h.months[i].month);
    CHECK(h.months[i].minutes > 1000 * 60);
    CHECK(h.months[i].filled * 100 > h.months[i].places * 90);
    CHECK(h.months[i].households > 300);
  }
  // This month: signed up ahead, fewer the further away.
  CHECK(h.signups_this_month == 352);
  CHECK(h.places == 590);
  CHECK(h.stations.size() == 5);
  for (const auto& st : h.stations) CHECK(st.places > 0);

  // Attendance on past shifts: about 88% checked in and out, 4% no-shows,
  // 5% excused, the rest not recorded (never counted as a no-show).
  const auto rows = no_show_report(s, NoShowGrouping::station, *parse_datetime("2026-12-02T09:00"));
  int attended = 0, no_show = 0, excused = 0, none = 0, present = 0;
  for (const auto& r : rows) {
    attended += r.attended;
    no_show += r.no_show;
    excused += r.excused;
    none += r.not_checked_in;
    present += r.checked_in;
  }
  const int all = attended + no_show + excused + none + present;
  CHECK(attended == 5234);
  CHECK(no_show == 240);
  CHECK(excused == 294);
  CHECK(none == 196);
  CHECK(attended * 100 / all == 87);
  CHECK(no_show * 100 / all == 4);
  // Shift templates for the hall and the four stations; templates' shifts through next month.
  CHECK(s.count("shift_template") == 77);
  std::set<std::string> template_stations;
  for (const auto* t : s.list("shift_template")) template_stations.insert(t->text("station"));
  CHECK(template_stations.size() == 5);
  // Every volunteer but a few has weekly availability.
  int with_slots = 0;
  for (const auto* v : s.list("volunteer")) with_slots += v->get("availability").is_array();
  CHECK(with_slots * 100 / 2447 >= 95);
}

TEST_CASE("The auto-scheduler has the demo's next month to plan and fills it", "[core][demo][demo_life]") {
  const State& s = demo_state();
  const SchedulingProblem problem = problem_from_state(s, day("2027-01-01"), day("2027-02-01"));
  const Proposal p = auto_schedule(problem);
  WARN("2027-01: " << p.summary.filled << " of " << p.summary.open_places << " open places filled, "
                   << p.unfilled.size() << " shifts left with open places");
  CHECK(p.summary.open_places > 400);
  CHECK(p.summary.filled == p.summary.open_places);
}

TEST_CASE("The demo log is pinned: the same bytes in the native and the wasm build", "[core][demo][demo_life]") {
  // Runs in both Catch2 suites (native and wasm under node): a compiler or
  // library that made other data (an unsequenced draw, a distribution) fails here.
  const auto& ops = demo_ops();
  std::string all;
  for (const auto& op : ops) {
    all += to_json_text(op);
    all += '\n';
  }
  CHECK(ops.size() == 35956);
  CHECK(sha256_hex(all) == "be32b0b8585634fb01e32140ac893d234fdbf8ac2291bbaa5dd2482e2a2b5410");
  CHECK(demo_state().hash_hex() == "536b2892aab71f75");
}

TEST_CASE("The home page's figures are the hours ledger's and the sign-up index's", "[core][demo][demo_life]") {
  // home_figures reads the records in one pass for speed; the same figures
  // computed from the ledger and the rosters, as the other screens do.
  const State& s = demo_state();
  const int64_t today = day("2026-12-02");
  const HomeFigures h = home_figures(s, today);
  REQUIRE(h.months.size() == 12);
  std::map<std::string, std::string> household_of;
  for (const Entity* v : s.list("volunteer")) {
    const Entity* r = s.find("resident", v->text("resident"));
    const Entity* hh = r && !r->archived() ? s.find("household", r->text("household")) : nullptr;
    if (hh && hh->live()) household_of[v->id] = hh->id;
  }
  auto month_index = [&](int64_t d) -> int {
    const std::string m = format_date(d).substr(0, 7);
    for (size_t i = 0; i < h.months.size(); ++i)
      if (h.months[i].month == m) return static_cast<int>(i);
    return -1;
  };
  std::vector<int64_t> minutes(12, 0), signups(12, 0);
  std::vector<int> places(12, 0), filled(12, 0);
  std::vector<std::set<std::string>> households(12);
  std::set<std::string> year_households, active;
  int64_t year_minutes = 0;
  const int64_t year_start = day("2026-01-01");
  for (const LedgerLine& l : hours_ledger(s, day("2025-09-01"), today + 1)) {
    if (l.minutes <= 0) continue;
    const int64_t d = *parse_date(l.date);
    auto hh = household_of.find(l.volunteer);
    if (d >= year_start) {
      year_minutes += l.minutes;
      if (hh != household_of.end()) year_households.insert(hh->second);
    }
    if (d > today - 90) active.insert(l.volunteer);
    const int mi = month_index(d);
    if (mi < 0) continue;
    minutes[mi] += l.minutes;
    if (hh != household_of.end()) households[mi].insert(hh->second);
  }
  const VolunteerIndex index(s);
  for (const Entity* sh : s.list("shift")) {
    Interval when;
    if (!shift_interval(*sh, &when)) continue;
    const int mi = month_index(when.start / 1440);
    if (mi < 0) continue;
    const Roster r = index.roster(sh->id);
    signups[mi] += static_cast<int64_t>(r.confirmed.size() + r.waitlist.size());
    places[mi] += r.capacity;
    filled[mi] += std::min(r.capacity, static_cast<int>(r.confirmed.size()));
  }
  CHECK(h.minutes_this_year == year_minutes);
  CHECK(h.households_taking_part == static_cast<int64_t>(year_households.size()));
  CHECK(h.active_volunteers == static_cast<int64_t>(active.size()));
  for (size_t i = 0; i < 12; ++i) {
    INFO(h.months[i].month);
    CHECK(h.months[i].minutes == minutes[i]);
    CHECK(h.months[i].households == static_cast<int64_t>(households[i].size()));
    CHECK(h.months[i].signups == signups[i]);
    CHECK(h.months[i].places == places[i]);
    CHECK(h.months[i].filled == filled[i]);
  }
  CHECK(h.signups_this_month == signups[11]);
  CHECK(h.places == places[11]);
  CHECK(h.filled == filled[11]);
}
