// The Lagrangian lower bound of bench/schedule_bound.h on tiny random
// instances, against brute force that uses only the scheduler's own rule check
// and objective (evaluate_assignments):
//   - L(λ) of the model equals L(λ) computed by enumerating every set of
//     shifts of each volunteer (the DP solves the sub-problems exactly, with
//     the same hard rules), for several λ;
//   - the maximised bound never exceeds the optimum over all plans leaving at
//     most that many places open, and is at least L(0);
//   - the weaker sub-problem (station set dropped) gives L no higher.
// Instances span a week boundary and have existing sign-ups (confirmed in the
// range, confirmed before it in the same week, waitlisted), so the weekly
// cap, the fairness base and the existing stations are all exercised.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "core/civil_time.h"
#include "core/scheduler.h"
#include "schedule_bound.h"
#include "support/splitmix.h"

using namespace dh;

namespace {

using Rng = dh::test::SplitMix64;

SchedulingProblem tiny(uint64_t seed) {
  Rng rng{seed};
  SchedulingProblem p;
  p.from_day = *parse_date("2027-03-05");  // a Friday: the range runs into the next week
  p.to_day = p.from_day + 5;
  const char* const stations[] = {"a", "b", "c"};
  for (int i = 0; i < 6; ++i) {
    SchedShift sh;
    sh.id = "s" + std::to_string(i);
    const int st = rng.below(3);
    sh.station = stations[st];
    sh.station_grid = st == 0 ? "g1" : "g2";
    const int64_t day = p.from_day + rng.below(5);
    const int64_t start = 7 * 60 + 30 * rng.below(20);
    sh.when = {day * 1440 + start, day * 1440 + start + 60 + 30 * rng.below(5)};
    sh.open_places = 1 + rng.below(2);
    p.shifts.push_back(sh);
  }
  std::sort(p.shifts.begin(), p.shifts.end(), [](const SchedShift& a, const SchedShift& b) {
    return a.when.start != b.when.start ? a.when.start < b.when.start : a.id < b.id;
  });
  const int caps[] = {0, 3, 4};
  for (int i = 0; i < 3; ++i) {
    SchedVolunteer v;
    v.id = "v" + std::to_string(i);
    for (int d = 0; d < 7; ++d) v.availability.push_back({d, 0, 1439});
    v.max_weekly_hours = caps[rng.below(3)];
    const int pref = rng.below(4);
    if (pref < 3) v.preferred_station = stations[pref];
    v.home_grid = rng.below(2) ? "g1" : "g2";
    p.volunteers.push_back(v);
  }
  const int64_t d0 = p.from_day;
  // v0: confirmed in the range at station c; v1: confirmed on the Wednesday
  // before the range (same week: counts toward the cap only); v2: waitlisted
  // in the range (blocks overlap and rest only).
  p.existing.push_back({"v0", "x0", "c", {(d0 + 1) * 1440 + 12 * 60, (d0 + 1) * 1440 + 14 * 60}, true});
  p.existing.push_back({"v1", "x1", "a", {(d0 - 2) * 1440 + 9 * 60, (d0 - 2) * 1440 + 12 * 60}, true});
  p.existing.push_back({"v2", "x2", "b", {d0 * 1440 + 10 * 60, d0 * 1440 + 12 * 60}, false});
  return p;
}

struct Brute {
  // Per volunteer: every set of their shifts that keeps the rules, as (problem shift indexes, cost60).
  std::vector<std::vector<std::pair<std::vector<int>, int64_t>>> sets;
  int64_t base60 = 0;  // objective60 of the empty plan without its unfilled term
  int total_open = 0;
};

Brute brute(const SchedulingProblem& p, const SchedulerOptions& o) {
  Brute b;
  for (const auto& s : p.shifts) b.total_open += s.open_places;
  const int64_t empty60 = evaluate_assignments(p, {}, o).objective60;
  b.base60 = empty60 - 60LL * o.w_unfilled * b.total_open;
  // Every shift a volunteer could take (eligible_volunteers is what is being
  // tested against, so not used here): all of them, the rule check decides.
  for (size_t v = 0; v < p.volunteers.size(); ++v) {
    std::vector<std::pair<std::vector<int>, int64_t>> list;
    const size_t n = p.shifts.size();
    for (uint32_t bits = 0; bits < (1u << n); ++bits) {
      std::vector<std::pair<std::string, std::string>> plan;
      std::vector<int> shifts;
      for (size_t s = 0; s < n; ++s)
        if (bits & (1u << s)) {
          plan.push_back({p.shifts[s].id, p.volunteers[v].id});
          shifts.push_back(static_cast<int>(s));
        }
      const Evaluation ev = evaluate_assignments(p, plan, o);
      if (!ev.violations.empty()) continue;
      list.push_back({shifts, ev.objective60 - empty60 + 60LL * o.w_unfilled * static_cast<int64_t>(shifts.size())});
    }
    b.sets.push_back(std::move(list));
  }
  return b;
}

// L(λ) by enumeration: Σ λ·open + base + Σ_v min over their sets + the unfilled term.
int64_t brute_lagrangian(const SchedulingProblem& p, const Brute& b, const std::vector<int64_t>& lambda, int max_unfilled) {
  int64_t L = b.base60;
  for (size_t s = 0; s < p.shifts.size(); ++s) L += lambda[s] * p.shifts[s].open_places;
  for (const auto& list : b.sets) {
    int64_t best = INT64_MAX;
    for (const auto& [shifts, cost] : list) {
      int64_t c = cost;
      for (int s : shifts) c -= lambda[static_cast<size_t>(s)];
      best = std::min(best, c);
    }
    L += best;
  }
  // min over u[s] in 0..open[s], Σu <= max_unfilled, of −Σ λ[s]·u[s], by enumeration.
  std::function<int64_t(size_t, int)> umin = [&](size_t s, int left) -> int64_t {
    if (s == p.shifts.size()) return 0;
    int64_t best = INT64_MAX;
    for (int u = 0; u <= std::min(left, p.shifts[s].open_places); ++u)
      best = std::min(best, -lambda[s] * u + umin(s + 1, left - u));
    return best;
  };
  return L + umin(0, max_unfilled);
}

// The optimum (without the unfilled term) over plans leaving at most
// max_unfilled places open; INT64_MAX if there is none.
int64_t brute_optimum(const SchedulingProblem& p, const Brute& b, int max_unfilled) {
  std::vector<int> taken(p.shifts.size(), 0);
  int64_t best = INT64_MAX;
  std::function<void(size_t, int64_t, int)> go = [&](size_t v, int64_t cost, int filled) {
    if (v == b.sets.size()) {
      if (b.total_open - filled <= max_unfilled) best = std::min(best, b.base60 + cost);
      return;
    }
    for (const auto& [shifts, c] : b.sets[v]) {
      bool ok = true;
      for (int s : shifts) ok = ok && taken[static_cast<size_t>(s)] < p.shifts[static_cast<size_t>(s)].open_places;
      if (!ok) continue;
      for (int s : shifts) ++taken[static_cast<size_t>(s)];
      go(v + 1, cost + c, filled + static_cast<int>(shifts.size()));
      for (int s : shifts) --taken[static_cast<size_t>(s)];
    }
  };
  go(0, 0, 0);
  return best;
}

}  // namespace

TEST_CASE("Lagrangian bound: exact sub-problems, and never above the brute-force optimum", "[bench][schedule_bound]") {
  SchedulerOptions o;
  o.default_max_weekly_hours = 5;
  int checked_optima = 0, tight = 0;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    INFO("seed " << seed);
    const SchedulingProblem p = tiny(seed);
    const Brute b = brute(p, o);
    int min_unfilled = b.total_open;
    while (min_unfilled > 0 && brute_optimum(p, b, min_unfilled - 1) != INT64_MAX) --min_unfilled;
    Rng rng{seed * 7919};
    for (int max_unfilled : {0, min_unfilled, b.total_open}) {
      INFO("max_unfilled " << max_unfilled);
      const bench::LagrangianModel model(p, o, max_unfilled);
      const bench::LagrangianModel relaxed(p, o, max_unfilled, 1);  // every sub-problem with the weaker station rule
      REQUIRE(model.relaxed_volunteers() == 0);
      REQUIRE(relaxed.relaxed_volunteers() == static_cast<int>(p.volunteers.size()));
      for (int trial = 0; trial < 6; ++trial) {
        std::vector<int64_t> lambda(p.shifts.size(), 0);
        if (trial > 0)
          for (auto& l : lambda) l = static_cast<int64_t>(rng.below(60000)) - 15000;
        const int64_t exact = brute_lagrangian(p, b, lambda, max_unfilled);
        std::vector<std::pair<int, int>> chosen;
        std::vector<int> unfilled;
        REQUIRE(model.evaluate(lambda, &chosen, &unfilled) == exact);
        // The minimiser it reports is one: each volunteer's set keeps the
        // rules, and the sets and the unfilled places add up to L.
        int64_t value = b.base60;
        for (size_t s = 0; s < p.shifts.size(); ++s) value += lambda[s] * (p.shifts[s].open_places - unfilled[s]);
        int total_unfilled = 0;
        for (size_t s = 0; s < p.shifts.size(); ++s) {
          REQUIRE(unfilled[s] >= 0);
          REQUIRE(unfilled[s] <= p.shifts[s].open_places);
          total_unfilled += unfilled[s];
        }
        REQUIRE(total_unfilled <= max_unfilled);
        for (size_t v = 0; v < p.volunteers.size(); ++v) {
          std::vector<int> mine;
          for (const auto& [cv, cs] : chosen)
            if (cv == static_cast<int>(v)) mine.push_back(cs);
          std::sort(mine.begin(), mine.end());
          bool found = false;
          for (const auto& [shifts, cost] : b.sets[v]) {
            if (shifts != mine) continue;
            found = true;
            value += cost;
            for (int s : shifts) value -= lambda[static_cast<size_t>(s)];
          }
          REQUIRE(found);
        }
        REQUIRE(value == exact);
        REQUIRE(relaxed.evaluate(lambda) <= exact);
      }
      const int64_t opt = brute_optimum(p, b, max_unfilled);
      if (opt == INT64_MAX) continue;  // no plan leaves so few places open
      const auto r = bench::lagrangian_bound(p, o, max_unfilled, opt);
      REQUIRE(r.bound60 <= opt);
      REQUIRE(r.bound60 >= model.evaluate(std::vector<int64_t>(p.shifts.size(), 0)));
      ++checked_optima;
      tight += r.bound60 == opt ? 1 : 0;
    }
  }
  // Instances must actually have been compared with an optimum.
  REQUIRE(checked_optima >= 25);
  WARN("optima checked " << checked_optima << ", bound equal to the optimum on " << tight);
}
