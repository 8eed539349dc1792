// Auto-scheduler: hard rules one by one, known optima by brute force,
// determinism, a property test on a larger random instance, unfilled
// reasons, and the path from State to committed sign-ups.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/scheduler.h"
#include "core/state.h"
#include "support/splitmix.h"

using namespace dh;

namespace {

using TestRng = dh::test::SplitMix64;

Json vol(const std::string& id, Json extra = Json::object()) {
  Json v{{"id", id}, {"availability", Json::array({"mon 00:00-23:59", "tue 00:00-23:59", "wed 00:00-23:59",
                                                   "thu 00:00-23:59", "fri 00:00-23:59", "sat 00:00-23:59",
                                                   "sun 00:00-23:59"})},
         {"birth_date", "1980-05-05"}};
  for (auto it = extra.begin(); it != extra.end(); ++it) v[it.key()] = it.value();
  return v;
}

// 2026-12-07 is a Monday.
Json shift(const std::string& id, const std::string& start, const std::string& end, Json extra = Json::object()) {
  Json s{{"id", id}, {"station", "hall"}, {"start", start}, {"end", end}, {"open_places", 1}};
  for (auto it = extra.begin(); it != extra.end(); ++it) s[it.key()] = it.value();
  return s;
}

SchedulingProblem problem(Json vols, Json shifts, Json existing = Json::array()) {
  Json j{{"from", "2026-12-01"}, {"until", "2026-12-31"}, {"volunteers", vols}, {"shifts", shifts},
         {"existing", existing}};
  auto p = problem_from_json(j);
  REQUIRE(p.ok());
  return p.value();
}

std::set<std::pair<std::string, std::string>> pairs(const Proposal& p) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& a : p.assignments) out.insert({a.shift, a.volunteer});
  return out;
}

bool assigned(const Proposal& p, const std::string& shift, const std::string& volunteer) {
  return pairs(p).count({shift, volunteer}) > 0;
}

// Every feasible assignment of the problem, enumerated: the least objective.
int64_t brute_force_optimum(const SchedulingProblem& p, const SchedulerOptions& o,
                            std::vector<std::pair<std::string, std::string>>* best_list = nullptr) {
  const size_t nv = p.volunteers.size();
  int64_t best = INT64_MAX;
  std::vector<std::pair<std::string, std::string>> chosen;
  std::function<void(size_t)> rec = [&](size_t s) {
    if (s == p.shifts.size()) {
      Evaluation e = evaluate_assignments(p, chosen, o);
      if (e.violations.empty() && e.objective60 < best) {
        best = e.objective60;
        if (best_list) *best_list = chosen;
      }
      return;
    }
    // Every subset of volunteers of size <= open places.
    for (uint32_t mask = 0; mask < (1u << nv); ++mask) {
      int bits = 0;
      for (size_t v = 0; v < nv; ++v) bits += (mask >> v) & 1u;
      if (bits > p.shifts[s].open_places) continue;
      const size_t before = chosen.size();
      for (size_t v = 0; v < nv; ++v)
        if ((mask >> v) & 1u) chosen.push_back({p.shifts[s].id, p.volunteers[v].id});
      rec(s + 1);
      chosen.resize(before);
    }
  };
  rec(0);
  return best;
}

SchedulingProblem random_problem(uint64_t seed, int nv, int ns, int max_open) {
  TestRng r{seed};
  static const char* const kSkills[] = {"first_aid", "legal", "cooking"};
  static const char* const kStations[] = {"hall", "st-a", "st-b"};
  static const char* const kGrids[] = {"g1", "g2"};
  Json vols = Json::array();
  for (int v = 0; v < nv; ++v) {
    Json extra = Json::object();
    Json skills = Json::array();
    for (const char* k : kSkills)
      if (r.below(2) == 0) skills.push_back(k);
    extra["skills"] = skills;
    if (r.below(3) == 0) extra["preferred_station"] = kStations[r.below(3)];
    extra["home_grid"] = kGrids[r.below(2)];
    if (r.below(3) == 0) extra["max_weekly_hours"] = 2 + r.below(4);
    if (r.below(4) == 0) extra["availability"] = Json::array({"mon 08:00-13:00", "tue 14:00-20:00", "sat 08:00-20:00"});
    vols.push_back(vol("v" + std::to_string(v), extra));
  }
  Json shifts = Json::array();
  static const char* const kDays[] = {"2026-12-07", "2026-12-08", "2026-12-12", "2026-12-14"};
  for (int s = 0; s < ns; ++s) {
    const int start = 8 * 60 + 30 * r.below(20);
    const int len = 60 + 30 * r.below(6);
    const std::string day = kDays[r.below(4)];
    Json extra{{"station", kStations[r.below(3)]}, {"station_grid", kGrids[r.below(2)]},
               {"open_places", 1 + r.below(max_open)}};
    if (r.below(3) == 0) extra["required_skills"] = Json::array({kSkills[r.below(3)]});
    shifts.push_back(shift("s" + std::to_string(s), day + "T" + format_time_of_day(start),
                           day + "T" + format_time_of_day(start + len), extra));
  }
  return problem(vols, shifts);
}

}  // namespace

TEST_CASE("scheduler: fairness spreads three shifts over three people", "[scheduler]") {
  auto p = problem(Json::array({vol("a"), vol("b"), vol("c")}),
                   Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00"),
                                shift("s2", "2026-12-08T09:00", "2026-12-08T11:00"),
                                shift("s3", "2026-12-09T09:00", "2026-12-09T11:00")}));
  Proposal r = auto_schedule(p);
  REQUIRE(r.summary.filled == 3);
  std::set<std::string> people;
  for (const auto& a : r.assignments) people.insert(a.volunteer);
  CHECK(people.size() == 3);
  CHECK(r.summary.spread_served.std_dev_hours == Approx(0.0));
  CHECK(r.summary.objective60 == brute_force_optimum(p, {}));
}

TEST_CASE("scheduler: matches the brute-force optimum on small random instances", "[scheduler]") {
  int equal = 0, total = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    auto p = random_problem(seed, 4, 4, 2);
    SchedulerOptions o;
    Proposal r = auto_schedule(p, o);
    std::vector<std::pair<std::string, std::string>> best_list;
    const int64_t best = brute_force_optimum(p, o, &best_list);
    std::vector<std::pair<std::string, std::string>> sv;
    for (const auto& a : r.assignments) sv.push_back({a.shift, a.volunteer});
    Evaluation e = evaluate_assignments(p, sv, o);
    INFO("seed " << seed);
    REQUIRE(e.violations.empty());
    REQUIRE(e.objective60 == r.summary.objective60);
    REQUIRE(r.summary.objective60 >= best);
    ++total;
    if (r.summary.objective60 == best) ++equal;
    else {
      std::string h, b;
      for (const auto& x : sv) h += x.first + "=" + x.second + " ";
      for (const auto& x : best_list) b += x.first + "=" + x.second + " ";
      WARN("seed " << seed << ": gap " << (r.summary.objective60 - best) / 60.0 << " points; got " << h << "; best " << b);
    }
  }
  // A heuristic for the whole problem (exact per clique of clashing shifts
  // and per linked set of shifts, pair swaps and chains across cliques): it
  // finds the optimum in 36 of these 40 (32 before the clique neighbourhood,
  // 34 before the set move); the test holds it to at least 36 so a
  // regression shows.
  CHECK(equal >= 36);
}

TEST_CASE("scheduler: the set move reaches optima the clique and swap moves miss", "[scheduler]") {
  // Instances where a better plan needs several volunteers to move at once
  // across shifts that do not clash (an ejection chain or cycle through
  // different cliques, idle volunteers joining): with the set move off
  // (lns_set_size 0) the search stops short on 10 of these 60; with it, it
  // reaches the brute-force optimum on 7 of those 10 and never does worse.
  // The other 3 need one volunteer to take two shifts of the set at once
  // (e.g. seed 2: v4 takes s2 and s4 from v3 in a cycle of four people),
  // which the set move's "at most one shift of the set each" excludes.
  int missed_without = 0, found_with = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    auto p = random_problem(seed * 104729, 5, 5, 1);
    SchedulerOptions off;
    off.lns_set_size = 0;
    SchedulerOptions on;
    const int64_t best = brute_force_optimum(p, on);
    const Proposal without = auto_schedule(p, off);
    const Proposal with = auto_schedule(p, on);
    INFO("seed " << seed);
    std::vector<std::pair<std::string, std::string>> sv;
    for (const auto& a : with.assignments) sv.push_back({a.shift, a.volunteer});
    REQUIRE(evaluate_assignments(p, sv, on).violations.empty());
    CHECK(with.summary.objective60 <= without.summary.objective60);
    if (without.summary.objective60 > best) {
      ++missed_without;
      if (with.summary.objective60 == best) ++found_with;
    }
  }
  INFO("missed without the set move: " << missed_without << ", of which found with it: " << found_with);
  CHECK(missed_without >= 3);       // the instances do exercise the move
  CHECK(found_with >= 7);
}

TEST_CASE("scheduler: exact when every shift clashes with every other (one clique)", "[scheduler]") {
  // All shifts contain 09:00 on one day, so a volunteer takes at most one of
  // them and the clique neighbourhood is the whole problem: the plan must be
  // the brute-force optimum every time, whatever the weights make of it.
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    TestRng r{seed * 7919};
    Json vols = Json::array();
    static const char* const kStations[] = {"hall", "st-a", "st-b"};
    for (int v = 0; v < 5; ++v) {
      Json extra = Json::object();
      if (r.below(2) == 0) extra["preferred_station"] = kStations[r.below(3)];
      extra["home_grid"] = r.below(2) == 0 ? "g1" : "g2";
      if (r.below(3) == 0) extra["skills"] = Json::array({"first_aid"});
      vols.push_back(vol("v" + std::to_string(v), extra));
    }
    Json shifts = Json::array();
    for (int s = 0; s < 3; ++s) {
      const int start = 8 * 60 + 30 * r.below(3);            // 08:00 .. 09:00
      const int len = 90 + 30 * r.below(5);                  // ends after 09:30
      Json extra{{"station", kStations[r.below(3)]}, {"station_grid", r.below(2) == 0 ? "g1" : "g2"},
                 {"open_places", 1 + r.below(2)}};
      if (r.below(4) == 0) extra["required_skills"] = Json::array({"first_aid"});
      shifts.push_back(shift("s" + std::to_string(s), "2026-12-07T" + format_time_of_day(start),
                             "2026-12-07T" + format_time_of_day(start + len), extra));
    }
    auto p = problem(vols, shifts);
    SchedulerOptions o;
    Proposal got = auto_schedule(p, o);
    INFO("seed " << seed);
    CHECK(got.summary.objective60 == brute_force_optimum(p, o));
  }
}

TEST_CASE("scheduler: each hard rule keeps a volunteer off the shift", "[scheduler]") {
  const Json s1 = shift("s1", "2026-12-07T09:00", "2026-12-07T11:00");
  SECTION("required skill") {
    auto p = problem(Json::array({vol("a"), vol("b", {{"skills", {"first_aid"}}})}),
                     Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00",
                                        {{"required_skills", {"first_aid"}}})}));
    CHECK(pairs(auto_schedule(p)) == std::set<std::pair<std::string, std::string>>{{"s1", "b"}});
  }
  SECTION("availability must cover the whole shift; adjacent slots join") {
    auto p = problem(Json::array({vol("a", {{"availability", {"mon 09:00-10:30"}}}),
                                  vol("b", {{"availability", {"mon 09:00-10:00", "mon 10:00-11:00"}}})}),
                     Json::array({s1}));
    CHECK(pairs(auto_schedule(p)) == std::set<std::pair<std::string, std::string>>{{"s1", "b"}});
  }
  SECTION("no availability recorded: never, unless the option says so") {
    Json a = vol("a");
    a.erase("availability");
    auto p = problem(Json::array({a}), Json::array({s1}));
    CHECK(auto_schedule(p).summary.filled == 0);
    SchedulerOptions o;
    o.available_without_slots = true;
    CHECK(auto_schedule(p, o).summary.filled == 1);
  }
  SECTION("unavailable date") {
    auto p = problem(Json::array({vol("a", {{"unavailable_dates", {"2026-12-07"}}})}), Json::array({s1}));
    Proposal r = auto_schedule(p);
    CHECK(r.summary.filled == 0);
    REQUIRE(r.unfilled.size() == 1);
    CHECK(r.unfilled[0].rule_counts == std::vector<std::pair<std::string, int>>{{"unavailable_date", 1}});
  }
  SECTION("overlap with an existing sign-up; back-to-back is fine with no rest") {
    Json ex = Json::array({Json{{"volunteer", "a"}, {"shift", "x"}, {"station", "hall"},
                                {"start", "2026-12-07T10:30"}, {"end", "2026-12-07T12:00"}}});
    CHECK(auto_schedule(problem(Json::array({vol("a")}), Json::array({s1}), ex)).summary.filled == 0);
    Json ex2 = Json::array({Json{{"volunteer", "a"}, {"shift", "x"}, {"station", "hall"},
                                 {"start", "2026-12-07T11:00"}, {"end", "2026-12-07T12:00"}}});
    SchedulerOptions o;
    o.min_rest_minutes = 0;
    CHECK(auto_schedule(problem(Json::array({vol("a")}), Json::array({s1}), ex2), o).summary.filled == 1);
    // With the default 60 minutes of rest, back-to-back is refused.
    Proposal r = auto_schedule(problem(Json::array({vol("a")}), Json::array({s1}), ex2));
    CHECK(r.summary.filled == 0);
    REQUIRE(r.unfilled.size() == 1);
    CHECK(r.unfilled[0].rule_counts == std::vector<std::pair<std::string, int>>{{"rest", 1}});
  }
  SECTION("no overlap and minimum rest between proposed shifts") {
    auto p = problem(Json::array({vol("a")}),
                     Json::array({s1, shift("s2", "2026-12-07T10:00", "2026-12-07T12:00"),
                                  shift("s3", "2026-12-07T11:30", "2026-12-07T13:00"),
                                  shift("s4", "2026-12-07T12:00", "2026-12-07T13:00")}));
    SchedulerOptions o;
    o.default_max_weekly_hours = 40;
    Proposal r = auto_schedule(p, o);
    // s1 with s4 (one hour apart) is the only compatible pair.
    CHECK(r.summary.filled == 2);
    CHECK(assigned(r, "s1", "a"));
    CHECK(assigned(r, "s4", "a"));
  }
  SECTION("weekly cap, counting existing confirmed hours of that week") {
    Json ex = Json::array({Json{{"volunteer", "a"}, {"shift", "x"}, {"station", "hall"},
                                {"start", "2026-12-06T09:00"}, {"end", "2026-12-06T12:00"}},  // Sunday: week before
                           Json{{"volunteer", "a"}, {"shift", "y"}, {"station", "hall"},
                                {"start", "2026-12-08T09:00"}, {"end", "2026-12-08T11:00"}}});
    auto p = problem(Json::array({vol("a", {{"max_weekly_hours", 3}})}), Json::array({s1}), ex);
    Proposal r = auto_schedule(p);
    CHECK(r.summary.filled == 0);
    CHECK(r.unfilled.at(0).rule_counts == std::vector<std::pair<std::string, int>>{{"weekly_cap", 1}});
    auto p2 = problem(Json::array({vol("a", {{"max_weekly_hours", 4}})}), Json::array({s1}), ex);
    CHECK(auto_schedule(p2).summary.filled == 1);
  }
  SECTION("minimum age, unknown age, guardian consent") {
    Json young = vol("young", {{"birth_date", "2010-01-01"}, {"guardian_consent", true}});
    Json minor = vol("minor", {{"birth_date", "2010-01-01"}});
    Json unknown = vol("unknown");
    unknown.erase("birth_date");
    auto p = problem(Json::array({young, minor, unknown}),
                     Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00", {{"min_age", 18}})}));
    Proposal r = auto_schedule(p);
    CHECK(r.summary.filled == 0);
    CHECK(r.unfilled.at(0).rule_counts ==
          std::vector<std::pair<std::string, int>>{{"age_unknown", 1}, {"too_young", 2}});
    // Without a minimum age: the minor with consent and the person of unknown age may go, not the minor without.
    auto p2 = problem(Json::array({young, minor, unknown}),
                      Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00", {{"open_places", 3}})}));
    auto got = pairs(auto_schedule(p2));
    CHECK(got == std::set<std::pair<std::string, std::string>>{{"s1", "young"}, {"s1", "unknown"}});
  }
  SECTION("already signed up for the shift") {
    Json ex = Json::array({Json{{"volunteer", "a"}, {"shift", "s1"}, {"station", "hall"},
                                {"start", "2026-12-07T09:00"}, {"end", "2026-12-07T11:00"}, {"confirmed", false}}});
    Proposal r = auto_schedule(problem(Json::array({vol("a")}), Json::array({s1}), ex));
    CHECK(r.summary.filled == 0);
  }
}

TEST_CASE("scheduler: soft goals decide between equals", "[scheduler]") {
  SECTION("preferred station") {
    auto p = problem(Json::array({vol("a"), vol("b", {{"preferred_station", "st-x"}})}),
                     Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00", {{"station", "st-x"}})}));
    Proposal r = auto_schedule(p);
    CHECK(assigned(r, "s1", "b"));
    REQUIRE(r.assignments.size() == 1);
    CHECK(r.assignments[0].why.size() >= 2);
    // Reasons are codes (the UI says them); the second term is the preference.
    CHECK(r.assignments[0].why[1] == SchedReason{"preference", {}});
  }
  SECTION("nearness") {
    auto p = problem(Json::array({vol("a", {{"home_grid", "g1"}}), vol("b", {{"home_grid", "g2"}})}),
                     Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00", {{"station_grid", "g2"}})}));
    CHECK(assigned(auto_schedule(p), "s1", "b"));
  }
  SECTION("fairness outweighs preference") {
    Json ex = Json::array({Json{{"volunteer", "b"}, {"shift", "x"}, {"station", "hall"},
                                {"start", "2026-12-02T09:00"}, {"end", "2026-12-02T13:00"}}});
    auto p = problem(Json::array({vol("a"), vol("b", {{"preferred_station", "st-x"}})}),
                     Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00", {{"station", "st-x"}})}), ex);
    CHECK(assigned(auto_schedule(p), "s1", "a"));
  }
}

TEST_CASE("scheduler: deterministic, whatever the input order", "[scheduler]") {
  auto p = random_problem(99, 40, 60, 3);
  const Json first = proposal_to_json(auto_schedule(p));
  CHECK(proposal_to_json(auto_schedule(p)) == first);
  Json j = problem_to_json(p);
  std::reverse(j["volunteers"].begin(), j["volunteers"].end());
  std::reverse(j["shifts"].begin(), j["shifts"].end());
  auto p2 = problem_from_json(j);
  REQUIRE(p2.ok());
  CHECK(proposal_to_json(auto_schedule(p2.value())) == first);
}

TEST_CASE("scheduler: property, no rule broken on larger random instances", "[scheduler]") {
  for (uint64_t seed = 500; seed < 505; ++seed) {
    auto p = random_problem(seed, 30, 80, 3);
    SchedulerOptions o;
    Proposal r = auto_schedule(p, o);
    std::vector<std::pair<std::string, std::string>> sv;
    for (const auto& a : r.assignments) sv.push_back({a.shift, a.volunteer});
    Evaluation e = evaluate_assignments(p, sv, o);
    INFO("seed " << seed << (e.violations.empty() ? "" : ": " + e.violations[0]));
    CHECK(e.violations.empty());
    CHECK(e.objective60 == r.summary.objective60);
    CHECK(r.summary.objective60 <= r.summary.constructive_objective60);
    // Independent check of overlap, rest and weekly caps.
    std::map<std::string, std::vector<Interval>> by_vol;
    std::map<std::string, const SchedShift*> shifts;
    for (const auto& s : p.shifts) shifts[s.id] = &s;
    for (const auto& a : r.assignments) by_vol[a.volunteer].push_back(shifts[a.shift]->when);
    for (auto& [v, list] : by_vol) {
      std::sort(list.begin(), list.end(), [](const Interval& x, const Interval& y) { return x.start < y.start; });
      for (size_t i = 1; i < list.size(); ++i) CHECK(list[i].start >= list[i - 1].end + o.min_rest_minutes);
      int cap = o.default_max_weekly_hours;
      for (const auto& sv2 : p.volunteers)
        if (sv2.id == v && sv2.max_weekly_hours > 0) cap = sv2.max_weekly_hours;
      std::map<int64_t, int64_t> week;
      for (const auto& w : list) {
        const int64_t d = w.start / 1440;
        week[d - weekday_of_days(d)] += w.minutes();
      }
      for (const auto& [wk, m] : week) CHECK(m <= cap * 60);
    }
    // Filled + unfilled = open.
    int left = 0;
    for (const auto& u : r.unfilled) left += u.places;
    CHECK(r.summary.filled + left == r.summary.open_places);
  }
}

TEST_CASE("scheduler: unfilled places say why in plain words", "[scheduler]") {
  Json ex = Json::array({Json{{"volunteer", "b"}, {"shift", "x"}, {"station", "hall"},
                              {"start", "2026-12-07T08:00"}, {"end", "2026-12-07T12:00"}}});
  auto p = problem(Json::array({vol("a"), vol("b", {{"skills", {"first_aid"}}}),
                                vol("c", {{"skills", {"first_aid"}}, {"availability", {"sat 09:00-12:00"}}})}),
                   Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00",
                                      {{"required_skills", {"first_aid"}}, {"open_places", 2}})}),
                   ex);
  Proposal r = auto_schedule(p);
  REQUIRE(r.unfilled.size() == 1);
  CHECK(r.unfilled[0].places == 2);
  CHECK(r.unfilled[0].rule_counts ==
        std::vector<std::pair<std::string, int>>{{"missing_skill", 1}, {"not_available", 1}, {"overlap", 1}});
  // A code with parameters, not an English sentence (ui/sched_text.h says it):
  // of the two who have first_aid, one is not available and one is busy.
  CHECK(r.unfilled[0].reason == SchedReason{"skilled_not_free", {{"skills", "first_aid"}, {"qualified", "2"}}});
  CHECK(r.unfilled[0].reason_rules ==
        std::vector<std::pair<std::string, int>>{{"not_available", 1}, {"overlap", 1}});
  const Json j = proposal_to_json(r);
  CHECK(j["unfilled"][0]["reason"]["code"] == "skilled_not_free");
  CHECK(j["unfilled"][0]["reason"]["params"]["qualified"] == "2");
  CHECK(j["unfilled"][0]["reason"]["rules"][1] == Json{{"code", "overlap"}, {"count", 1}});
  CHECK_FALSE(j["unfilled"][0]["reason"].contains("text"));

  // Nobody with the skill at all: "no_skill", with no rules listed.
  auto p2 = problem(Json::array({vol("a"), vol("b")}),
                    Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00",
                                       {{"required_skills", {"legal", "tea"}}})}));
  Proposal r2 = auto_schedule(p2);
  REQUIRE(r2.unfilled.size() == 1);
  CHECK(r2.unfilled[0].reason == SchedReason{"no_skill", {{"skills", "legal,tea"}}});
  CHECK(r2.unfilled[0].reason_rules.empty());
  // No skill needed, nobody free: "not_free" over all volunteers.
  auto p3 = problem(Json::array({vol("a", {{"unavailable_dates", {"2026-12-07"}}})}),
                    Json::array({shift("s1", "2026-12-07T09:00", "2026-12-07T11:00")}));
  Proposal r3 = auto_schedule(p3);
  REQUIRE(r3.unfilled.size() == 1);
  CHECK(r3.unfilled[0].reason == SchedReason{"not_free", {{"volunteers", "1"}}});
  CHECK(r3.unfilled[0].reason_rules == std::vector<std::pair<std::string, int>>{{"unavailable_date", 1}});
  // proposal_to_json adds words only through the text function it is given.
  const Json j3 = proposal_to_json(r3, [](const SchedReason& reason, const std::vector<std::pair<std::string, int>>* rules) {
    return reason.code + (rules ? "+" + std::to_string(rules->size()) : std::string());
  });
  CHECK(j3["unfilled"][0]["reason"]["text"] == "not_free+1");
}

TEST_CASE("scheduler: every reason is one of the listed codes, with its parameters", "[scheduler]") {
  auto in = [](const std::vector<std::string>& list, const std::string& code) {
    return std::find(list.begin(), list.end(), code) != list.end();
  };
  std::set<std::string> why_seen, unfilled_seen;
  for (uint64_t seed = 600; seed < 604; ++seed) {
    Proposal r = auto_schedule(random_problem(seed, 25, 60, 3));
    for (const auto& a : r.assignments) {
      REQUIRE_FALSE(a.why.empty());
      CHECK(a.why[0].code.rfind("fairness", 0) == 0);  // the fairness term comes first
      for (const auto& w : a.why) {
        INFO(w.code);
        CHECK(in(scheduler_why_codes(), w.code));
        why_seen.insert(w.code);
        if (w.code.rfind("fairness", 0) == 0) CHECK_FALSE(w.param("hours").empty());
        if (w.code == "fairness_others") CHECK(std::stoi(w.param("others")) > 0);
        if (w.code == "fairness_others_fewer") CHECK(std::stoi(w.param("fewer")) > 0);
        if (w.code == "continuity") CHECK(std::stoi(w.param("count")) > 0);
      }
    }
    for (const auto& u : r.unfilled) {
      INFO(u.reason.code);
      CHECK(in(scheduler_unfilled_codes(), u.reason.code));
      unfilled_seen.insert(u.reason.code);
      for (const auto& [code, n] : u.reason_rules) {
        CHECK(in(scheduler_rule_codes(), code));
        CHECK(code != "missing_skill");  // the reason lists why those with the skills are not free
        CHECK(n > 0);
      }
      for (const auto& [code, n] : u.rule_counts) CHECK(in(scheduler_rule_codes(), code));
    }
  }
  CHECK(why_seen.size() >= 3);
  CHECK_FALSE(unfilled_seen.empty());
}

TEST_CASE("scheduler: bad problem files are refused with the entry named", "[scheduler]") {
  Json j{{"from", "2026-12-01"}, {"until", "2026-12-31"}, {"volunteers", Json::array({vol("a")})},
         {"shifts", Json::array({shift("s1", "2026-12-07T11:00", "2026-12-07T09:00")})}};
  auto p = problem_from_json(j);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message.find("shift \"s1\"") != std::string::npos);
  j["shifts"] = Json::array();
  j["volunteers"][0]["availability"] = Json::array({"monday 9-12"});
  auto p2 = problem_from_json(j);
  REQUIRE_FALSE(p2.ok());
  CHECK(p2.error().message.find("volunteer \"a\"") != std::string::npos);
  auto o = options_from_json(Json{{"min_rest", 5}});
  CHECK_FALSE(o.ok());
  auto o2 = options_from_json(Json{{"min_rest_minutes", 30}});
  REQUIRE(o2.ok());
  CHECK(o2->min_rest_minutes == 30);
  auto o3 = options_from_json(Json{{"lns_set_size", 0}});
  REQUIRE(o3.ok());
  CHECK(o3->lns_set_size == 0);
  CHECK_FALSE(options_from_json(Json{{"lns_set_size", -1}}).ok());
  CHECK_FALSE(options_from_json(Json{{"lns_set_size", 1001}}).ok());
}

TEST_CASE("scheduler: from the State to committed sign-ups, nothing changed before", "[scheduler]") {
  DemoOptions d;
  d.households = 200;
  auto demo = generate_demo(d);
  auto month = generate_month_of_shifts(demo, "2026-12", 3);
  REQUIRE(month.size() > 590);
  State state;
  for (const auto& op : demo) state.apply(op);
  for (const auto& op : month) state.apply(op);
  CHECK(state.count("shift") >= 590);
  CHECK(state.count("shift") <= 610);
  const std::string before = state.hash_hex();
  auto p = problem_from_state(state, *parse_date("2026-12-01"), *parse_date("2027-01-01"));
  CHECK(p.shifts.size() == state.count("shift"));
  Proposal r = auto_schedule(p);
  CHECK(state.hash_hex() == before);
  CHECK(r.summary.filled > 0);
  auto cmds = proposal_commands(state, r);
  REQUIRE(cmds.size() == r.assignments.size());
  OpSource src;
  src.device = "coordinator";
  src.author = "staff:test";
  int64_t now = state.max_hlc().wall_ms + 1000;
  for (const auto& c : cmds) {
    const auto& ce = std::get<CreateEntity>(c);
    CHECK(ce.fields["channel"] == "auto_schedule");
    auto op = make_operation(state, c, src, now += 10);
    INFO((op.ok() ? std::string() : op.error().message));
    REQUIRE(op.ok());
    state.apply(op.value());
  }
  // Scheduling again fills only what is still open: nothing new is proposed for filled places.
  auto p2 = problem_from_state(state, *parse_date("2026-12-01"), *parse_date("2027-01-01"));
  int open = 0;
  for (const auto& s : p2.shifts) open += s.open_places;
  CHECK(open == r.summary.open_places - r.summary.filled);
}
