#include "core/scheduler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/volunteering.h"

namespace dh {

int64_t schedule_day_of(int64_t minute) { return minute >= 0 ? minute / 1440 : -((-minute + 1439) / 1440); }
int64_t schedule_week_of(int64_t minute) {
  const int64_t d = schedule_day_of(minute);
  return d - weekday_of_days(d);
}

namespace {

// Hours as a reason's parameter: "2.5" (the UI adds the unit).
std::string hours_param(int64_t minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(minutes) / 60.0);
  return buf;
}

// Rule codes, in the order they are checked (the first that fails is counted).
enum Rule {
  kSkill,
  kAgeUnknown,
  kTooYoung,
  kGuardian,
  kNoAvailability,
  kAvailability,
  kUnavailableDate,
  kAlreadySignedUp,
  kOverlap,
  kRest,
  kWeeklyCap,
  kOnThisShift,
  kEligible,
  kRuleCount
};
const char* const kRuleCodes[kRuleCount] = {"missing_skill",      "age_unknown",     "too_young",
                                             "guardian_consent",   "no_availability", "not_available",
                                             "unavailable_date",   "already_signed_up", "overlap",
                                             "rest",               "weekly_cap",      "on_this_shift",
                                             "free"};
struct Busy {
  int64_t start, end;
  int shift;  // problem shift index, or -1 for an existing sign-up
};

class Engine {
 public:
  Engine(const SchedulingProblem& p, const SchedulerOptions& o) : p_(p), o_(o) {
    nv_ = static_cast<int>(p.volunteers.size());
    ns_ = static_cast<int>(p.shifts.size());
    std::map<std::string, int> vol_index;
    for (int v = 0; v < nv_; ++v) vol_index[p.volunteers[v].id] = v;
    std::map<std::string, int> station_index;
    auto station_id = [&](const std::string& s) {
      auto it = station_index.find(s);
      if (it != station_index.end()) return it->second;
      int id = static_cast<int>(station_index.size());
      station_index[s] = id;
      return id;
    };
    for (const auto& s : p.shifts) shift_station_.push_back(station_id(s.station));
    std::map<std::string, int> grid_index;
    for (const auto& s : p.shifts) {
      if (s.station_grid.empty()) {
        shift_grid_.push_back(-1);
        continue;
      }
      auto it = grid_index.emplace(s.station_grid, static_cast<int>(grid_index.size())).first;
      shift_grid_.push_back(it->second);
    }
    for (const auto& v : p.volunteers) {
      auto st = station_index.find(v.preferred_station);
      vol_pref_.push_back(v.preferred_station.empty() || st == station_index.end() ? -1 : st->second);
      auto g = grid_index.find(v.home_grid);
      vol_grid_.push_back(v.home_grid.empty() || g == grid_index.end() ? -1 : g->second);
    }
    busy_.assign(nv_, {});
    weeks_.assign(nv_, {});
    stations_.assign(nv_, {});
    minutes_.assign(nv_, 0);
    cap_.assign(nv_, 0);
    already_.assign(nv_, {});
    std::map<std::string, int> shift_index;
    for (int s = 0; s < ns_; ++s) shift_index[p.shifts[s].id] = s;
    for (int v = 0; v < nv_; ++v) {
      const auto& vol = p.volunteers[v];
      cap_[v] = static_cast<int64_t>(vol.max_weekly_hours > 0 ? vol.max_weekly_hours : o.default_max_weekly_hours) * 60;
    }
    for (const auto& e : p.existing) {
      auto it = vol_index.find(e.volunteer);
      if (it == vol_index.end()) continue;
      const int v = it->second;
      busy_[v].push_back({e.when.start, e.when.end, -1});
      auto sh = shift_index.find(e.shift);
      if (sh != shift_index.end()) already_[v].push_back(sh->second);
      if (!e.confirmed) continue;
      add_week(v, schedule_week_of(e.when.start), e.when.minutes());
      const int64_t d = schedule_day_of(e.when.start);
      if (d >= p.from_day && d < p.to_day) {
        minutes_[v] += e.when.minutes();
        add_station(v, station_id(e.station), 1);
      }
    }
    for (auto& a : already_) std::sort(a.begin(), a.end());
    existing_busy_count_.resize(nv_);
    for (int v = 0; v < nv_; ++v) existing_busy_count_[v] = busy_[v].size();
    // Static eligibility.
    std::map<std::string, int> skill_index;
    auto skills_of = [&](const std::vector<std::string>& names) {
      std::vector<int> out;
      for (const auto& n : names) {
        auto it = skill_index.find(n);
        if (it == skill_index.end()) it = skill_index.emplace(n, static_cast<int>(skill_index.size())).first;
        out.push_back(it->second);
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return out;
    };
    vol_skills_.resize(nv_);
    for (int v = 0; v < nv_; ++v) vol_skills_[v] = skills_of(p.volunteers[v].skills);
    shift_skills_.resize(ns_);
    for (int s = 0; s < ns_; ++s) shift_skills_[s] = skills_of(p.shifts[s].required_skills);
    for (int v = 0; v < nv_; ++v) {
      unavailable_.push_back(p.volunteers[v].unavailable_days);
      std::sort(unavailable_.back().begin(), unavailable_.back().end());
    }
    candidates_.resize(ns_);
    assigned_.resize(ns_);
  }

  // Static eligibility, one shift per call (the longest part of the setup:
  // shifts x volunteers rule checks); true when every shift is done.
  bool setup_unit() {
    if (setup_next_ < ns_) {
      const int s = setup_next_++;
      for (int v = 0; v < nv_; ++v) {
        if (static_rule(v, s) == kEligible) candidates_[s].push_back(v);
      }
    }
    return setup_next_ >= ns_;
  }
  void setup_all() {
    while (!setup_unit()) {
    }
  }
  double setup_fraction() const { return ns_ == 0 ? 1.0 : static_cast<double>(setup_next_) / ns_; }

  // First static rule volunteer v breaks for shift s, or kEligible.
  Rule static_rule(int v, int s) const {
    const auto& vol = p_.volunteers[v];
    const auto& sh = p_.shifts[s];
    if (!std::includes(vol_skills_[v].begin(), vol_skills_[v].end(), shift_skills_[s].begin(), shift_skills_[s].end()))
      return kSkill;
    const int64_t day = schedule_day_of(sh.when.start);
    const int age = vol.birth_day == INT64_MIN ? -1 : age_on(vol.birth_day, day);
    if (sh.min_age > 0) {
      if (age < 0) return kAgeUnknown;
      if (age < sh.min_age) return kTooYoung;
    }
    if (age >= 0 && age < 18 && !vol.guardian_consent) return kGuardian;
    if (vol.availability.empty()) {
      if (!o_.available_without_slots) return kNoAvailability;
    } else if (!covered(vol.availability, sh.when)) {
      return kAvailability;
    }
    const auto& un = unavailable_[v];
    for (int64_t d = day; d <= schedule_day_of(sh.when.end - 1); ++d) {
      if (std::binary_search(un.begin(), un.end(), d)) return kUnavailableDate;
    }
    if (std::binary_search(already_[v].begin(), already_[v].end(), s)) return kAlreadySignedUp;
    for (size_t i = 0; i < existing_busy_count_[v]; ++i) {
      const Busy& b = busy_[v][i];
      if (b.start < sh.when.end && sh.when.start < b.end) return kOverlap;
    }
    for (size_t i = 0; i < existing_busy_count_[v]; ++i) {
      const Busy& b = busy_[v][i];
      if (b.start < sh.when.end + o_.min_rest_minutes && sh.when.start < b.end + o_.min_rest_minutes) return kRest;
    }
    return kEligible;
  }

  // Whether the weekly slots cover [when.start, when.end) entirely (adjacent
  // slots join; a slot ending 23:59 runs to midnight).
  static bool covered(const std::vector<WeeklySlot>& slots, const Interval& when) {
    int64_t cur = when.start;
    while (cur < when.end) {
      const int64_t d = schedule_day_of(cur);
      const int wd = weekday_of_days(d);
      const int64_t m = cur - d * 1440;
      int64_t best = -1;
      for (const auto& sl : slots) {
        if (sl.weekday != wd) continue;
        const int64_t end = sl.end_min >= 1439 ? 1440 : sl.end_min;
        if (sl.start_min <= m && m < end) best = std::max(best, end);
      }
      if (best < 0) return false;
      cur = d * 1440 + best;
    }
    return true;
  }

  // Dynamic rule: with v's current schedule, ignoring shift `ignore` (swaps).
  Rule dynamic_rule(int v, int s, int ignore = -1) const {
    const auto& sh = p_.shifts[s];
    const int rest = o_.min_rest_minutes;
    Rule r = kEligible;
    for (size_t i = existing_busy_count_[v]; i < busy_[v].size(); ++i) {
      const Busy& b = busy_[v][i];
      if (b.shift == ignore) continue;
      if (b.shift == s) return kOnThisShift;
      if (b.start < sh.when.end && sh.when.start < b.end) r = std::min(r, kOverlap);
      else if (b.start < sh.when.end + rest && sh.when.start < b.end + rest) r = std::min(r, kRest);
    }
    if (r != kEligible) return r;
    const int64_t w = schedule_week_of(sh.when.start);
    int64_t used = week_minutes(v, w);
    if (ignore >= 0 && schedule_week_of(p_.shifts[ignore].when.start) == w) used -= p_.shifts[ignore].when.minutes();
    if (used + sh.when.minutes() > cap_[v]) return kWeeklyCap;
    return kEligible;
  }

  int64_t week_minutes(int v, int64_t w) const {
    for (const auto& [wk, m] : weeks_[v])
      if (wk == w) return m;
    return 0;
  }
  void add_week(int v, int64_t w, int64_t m) {
    for (auto& [wk, mm] : weeks_[v]) {
      if (wk == w) {
        mm += m;
        return;
      }
    }
    weeks_[v].push_back({w, m});
  }
  int station_count(int v, int st) const {
    for (const auto& [s, c] : stations_[v])
      if (s == st) return c;
    return 0;
  }
  void add_station(int v, int st, int d) {
    for (auto& [s, c] : stations_[v]) {
      if (s == st) {
        c += d;
        return;
      }
    }
    stations_[v].push_back({st, d});
  }

  // Preferred station and home grid as numbers (set up once; -1 none), so
  // the search compares integers, not strings.
  bool prefers(int v, int s) const { return vol_pref_[v] >= 0 && vol_pref_[v] == shift_station_[s]; }
  bool near(int v, int s) const { return vol_grid_[v] >= 0 && vol_grid_[v] == shift_grid_[s]; }

  // Exact change (x60) of volunteer v's terms when it gives up shift `rem`
  // and takes shift `add` (either may be -1).
  int64_t vol_delta(int v, int rem, int add) const {
    const int64_t m0 = minutes_[v];
    int64_t m1 = m0;
    int64_t d = 0;
    if (rem >= 0) {
      m1 -= p_.shifts[rem].when.minutes();
      if (prefers(v, rem)) d += 60LL * o_.w_preference * p_.shifts[rem].when.minutes();
      if (near(v, rem)) d += 60LL * o_.w_nearness * p_.shifts[rem].when.minutes();
    }
    if (add >= 0) {
      m1 += p_.shifts[add].when.minutes();
      if (prefers(v, add)) d -= 60LL * o_.w_preference * p_.shifts[add].when.minutes();
      if (near(v, add)) d -= 60LL * o_.w_nearness * p_.shifts[add].when.minutes();
    }
    d += static_cast<int64_t>(o_.w_fairness) * (m1 * m1 - m0 * m0);
    if (rem >= 0 && add >= 0 && shift_station_[rem] == shift_station_[add]) return d;
    if (rem >= 0 && station_count(v, shift_station_[rem]) == 1) d -= 60LL * o_.w_continuity;
    if (add >= 0 && station_count(v, shift_station_[add]) == 0) d += 60LL * o_.w_continuity;
    return d;
  }

  void assign(int v, int s) {
    const auto& sh = p_.shifts[s];
    busy_[v].push_back({sh.when.start, sh.when.end, s});
    add_week(v, schedule_week_of(sh.when.start), sh.when.minutes());
    minutes_[v] += sh.when.minutes();
    add_station(v, shift_station_[s], 1);
    assigned_[s].push_back(v);
  }
  void unassign(int v, int s) {
    const auto& sh = p_.shifts[s];
    for (size_t i = existing_busy_count_[v]; i < busy_[v].size(); ++i) {
      if (busy_[v][i].shift == s) {
        busy_[v].erase(busy_[v].begin() + static_cast<long>(i));
        break;
      }
    }
    add_week(v, schedule_week_of(sh.when.start), -sh.when.minutes());
    minutes_[v] -= sh.when.minutes();
    add_station(v, shift_station_[s], -1);
    auto& a = assigned_[s];
    a.erase(std::find(a.begin(), a.end(), v));
  }

  int64_t objective60() const {
    int64_t total = 0;
    for (int v = 0; v < nv_; ++v) {
      total += static_cast<int64_t>(o_.w_fairness) * minutes_[v] * minutes_[v];
      for (const auto& [st, c] : stations_[v])
        if (c > 0) total += 60LL * o_.w_continuity;
    }
    for (int s = 0; s < ns_; ++s) {
      const int64_t m = p_.shifts[s].when.minutes();
      for (int v : assigned_[s]) {
        if (prefers(v, s)) total -= 60LL * o_.w_preference * m;
        if (near(v, s)) total -= 60LL * o_.w_nearness * m;
      }
      const int open = p_.shifts[s].open_places - static_cast<int>(assigned_[s].size());
      if (open > 0) total += 60LL * o_.w_unfilled * open;
    }
    return total;
  }

  // Best feasible volunteer to add to s (lowest marginal cost, then lowest index); -1 if none.
  int best_addition(int s, int64_t* cost) {
    int best = -1;
    int64_t best_cost = 0;
    for (int v : candidates_[s]) {
      ++evaluations_;
      if (dynamic_rule(v, s) != kEligible) continue;
      const int64_t c = vol_delta(v, -1, s);
      if (best < 0 || c < best_cost) {
        best = v;
        best_cost = c;
      }
    }
    *cost = best_cost;
    return best;
  }

  // The constructive pass, one shift at a time (construct_order() once, then
  // construct_shift() for each index of it): the same order and choices as
  // one loop.
  std::vector<int> construct_order() const {
    std::vector<int> order(ns_);
    for (int s = 0; s < ns_; ++s) order[s] = s;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      // Fewest candidates per open place first (shifts are already sorted by start, id).
      const int64_t ca = static_cast<int64_t>(candidates_[a].size()) * std::max(1, p_.shifts[b].open_places);
      const int64_t cb = static_cast<int64_t>(candidates_[b].size()) * std::max(1, p_.shifts[a].open_places);
      return ca < cb;
    });
    return order;
  }
  void construct_shift(int s) {
    for (int k = 0; k < p_.shifts[s].open_places; ++k) {
      int64_t c;
      int v = best_addition(s, &c);
      if (v < 0) break;
      assign(v, s);
    }
  }

  // The local search as resumable units (LongJob slicing). The loop it runs:
  //   improved = true
  //   while (improved && evaluations < budget) {
  //     improved = false
  //     for c in cliques while evaluations < budget: improved |= solve_clique(c)
  //     if (!improved) improved = swap_round()   // for s1 in shifts: swap_shift(s1)
  //   }
  // search_unit() does one step of it (a loop head, one clique or one s1), so
  // the units run back to back give exactly the loop's result.
  enum class SearchPhase { head, clique, walk, swap, done };
  bool search_done() const { return phase_ == SearchPhase::done; }
  void search_unit() {
    const int64_t budget = o_.search_budget;
    switch (phase_) {
      case SearchPhase::head:
        if (!(improved_ && evaluations_ < budget)) {
          phase_ = SearchPhase::done;
          return;
        }
        if (cliques_.empty() && ns_ > 0) build_cliques();
        improved_ = false;
        cursor_ = 0;
        phase_ = SearchPhase::clique;
        return;
      case SearchPhase::clique:
        if (cursor_ < static_cast<int>(cliques_.size()) && evaluations_ < budget) {
          if (solve_clique(cursor_++)) improved_ = true;
          return;
        }
        if (!improved_) {
          swap_any_ = false;
          cursor_ = 0;
          phase_ = SearchPhase::walk;
        } else {
          phase_ = SearchPhase::head;
        }
        return;
      case SearchPhase::walk:
        if (cursor_ < ns_ && evaluations_ < budget) {
          const int seed = cursor_++;
          if (o_.lns_set_size > 0 && p_.shifts[seed].open_places > 0 && !candidates_[seed].empty() &&
              solve_set(walk_set(seed)))
            swap_any_ = true;
          return;
        }
        if (swap_any_) {
          walk_idle_ = 0;
          improved_ = true;
          phase_ = SearchPhase::head;
          return;
        }
        cursor_ = 0;
        // Nothing better with these sets: new draws with sets twice as large
        // (variable neighbourhood), kWalkRounds times, then the swap sweep.
        if (o_.lns_set_size > 0 && ++walk_idle_ < kWalkRounds) return;
        walk_idle_ = 0;
        phase_ = SearchPhase::swap;
        return;
      case SearchPhase::swap:
        if (cursor_ < ns_ && evaluations_ < budget) {
          swap_shift(cursor_++, budget);
          return;
        }
        improved_ = swap_any_;
        phase_ = SearchPhase::head;
        return;
      case SearchPhase::done:
        return;
    }
  }
  int64_t evaluations() const { return evaluations_; }

  // ---- The clique neighbourhood (docs/auto-scheduling.md "The solver") ----
  //
  // Two shifts clash for one person (overlap or less than the rest between
  // them) exactly when their windows [start, end + rest) intersect, so the
  // clash graph is an interval graph and its maximal cliques are the sets of
  // shifts whose windows share a point. Within a clique a volunteer takes at
  // most one shift, so with every other place held fixed, the best way to
  // fill all of the clique's places at once is a min-cost bipartite
  // transportation problem whose costs are EXACT objective changes (each
  // volunteer's fairness, preference, nearness and continuity terms given the
  // rest of their plan). solve_clique() solves it exactly by successive
  // shortest paths and keeps the answer when it is strictly better. This
  // contains every move, every swap and every ejection chain, of any length,
  // among the clique's places and free volunteers.

  void build_cliques() {
    const int64_t rest = o_.min_rest_minutes;
    std::vector<int> active;
    size_t i = 0;
    std::vector<int> order;
    for (int s = 0; s < ns_; ++s)
      if (p_.shifts[s].open_places > 0 && !candidates_[s].empty()) order.push_back(s);
    // Shifts are sorted by start.
    while (i < order.size()) {
      const int64_t point = p_.shifts[order[i]].when.start;
      active.erase(std::remove_if(active.begin(), active.end(),
                                  [&](int s) { return p_.shifts[s].when.end + rest <= point; }),
                   active.end());
      while (i < order.size() && p_.shifts[order[i]].when.start == point) active.push_back(order[i++]);
      // Maximal unless every member still covers the next start point.
      bool maximal = i >= order.size();
      if (!maximal) {
        const int64_t next = p_.shifts[order[i]].when.start;
        for (int s : active) maximal = maximal || p_.shifts[s].when.end + rest <= next;
      }
      if (maximal) {
        std::vector<int> c = active;
        std::sort(c.begin(), c.end());
        cliques_.push_back(std::move(c));
      }
    }
    clique_solved_.assign(cliques_.size(), -1);
    vol_changed_.assign(nv_, 0);
    match_.assign(nv_, -1);
    arcs_of_.assign(nv_, {});
    hold_.assign(nv_, 0);
  }

  void note_changed(int v) { vol_changed_[v] = ++change_clock_; }

  bool clique_dirty(int c) const {
    if (clique_solved_[c] < 0) return true;
    for (int s : cliques_[c])
      for (int v : candidates_[s])
        if (vol_changed_[v] > clique_solved_[c]) return true;
    return false;
  }

  // Re-fills every place of clique c optimally with everything else fixed;
  // true when the objective went strictly down.
  bool solve_clique(int c) {
    if (!clique_dirty(c)) return false;
    const bool better = solve_set(cliques_[c]);
    clique_solved_[c] = change_clock_;
    return better;
  }

  // The exact move on any set W of shifts (sorted, distinct): every place of
  // W is emptied and re-filled at least cost with everything outside W held
  // fixed, under the neighbourhood's one restriction that each volunteer
  // takes at most one shift of W. Volunteers who hold two or more shifts of
  // W keep them (so the current plan is always in the neighbourhood). Then
  // each (volunteer, shift) cost is the exact change of the objective given
  // the rest of the volunteer's plan, and the best re-fill is a min-cost
  // transportation problem (solved by successive shortest paths). For a
  // clique (shifts that pairwise clash) the restriction is a hard rule and
  // the move is the clique's exact optimum. True when strictly better.
  bool solve_set(const std::vector<int>& shifts) {
    const int k = static_cast<int>(shifts.size());
    const int64_t unfilled_cost = 60LL * o_.w_unfilled;
    std::vector<int> room(k);  // places of each shift the move fills
    for (int i = 0; i < k; ++i)
      for (int v : assigned_[shifts[i]]) ++hold_[v];
    // Take the set's single holders off; the cost of the old filling is
    // what taking them off saved.
    std::vector<std::pair<int, int>> old;  // (volunteer, set index)
    int64_t old_cost = 0;
    for (int i = 0; i < k; ++i) {
      const int s = shifts[i];
      old_cost += unfilled_cost * std::max(0, p_.shifts[s].open_places - static_cast<int>(assigned_[s].size()));
      for (size_t a = assigned_[s].size(); a-- > 0;) {
        const int v = assigned_[s][a];
        if (hold_[v] != 1) continue;
        old_cost -= vol_delta(v, s, -1);
        unassign(v, s);
        old.push_back({v, i});
      }
      room[i] = p_.shifts[s].open_places - static_cast<int>(assigned_[s].size());
    }
    for (int i = 0; i < k; ++i)
      for (int v : assigned_[shifts[i]]) hold_[v] = 0;
    for (const auto& [v, i] : old) hold_[v] = 0;
    int open_total = 0;
    for (int i = 0; i < k; ++i) open_total += room[i];
    // Arcs: every volunteer free for a shift of the set now, at the exact
    // cost. Per shift only the open_total + 1 cheapest are kept, sorted: at
    // most open_total of them are ever matched, so the cheapest free one is
    // always among them (the order is total, cost then volunteer, so the
    // kept prefix is the same on every platform).
    if (by_shift_.size() < static_cast<size_t>(k)) by_shift_.resize(static_cast<size_t>(k));
    auto& by_shift = by_shift_;  // (cost, volunteer)
    std::vector<int> touched;
    for (int i = 0; i < k; ++i) {
      const int s = shifts[i];
      auto& list = by_shift[i];
      list.clear();
      for (int v : candidates_[s]) {
        ++evaluations_;
        if (dynamic_rule(v, s) != kEligible) continue;
        const int64_t cost = vol_delta(v, -1, s);
        list.push_back({cost, v});
        if (arcs_of_[v].empty()) touched.push_back(v);
        arcs_of_[v].push_back({i, cost});
      }
      const size_t keep = std::min(list.size(), static_cast<size_t>(open_total) + 1);
      if (keep < list.size()) {
        std::nth_element(list.begin(), list.begin() + static_cast<long>(keep), list.end());
        list.resize(keep);
      }
      std::sort(list.begin(), list.end());
    }
    // Successive shortest paths on the shifts: node i = "shift i needs one
    // more person"; from i either a free volunteer ends the path, or a
    // volunteer matched to j moves to i and the path goes on from j.
    std::vector<int> load(k, 0), next_free(k, 0);
    std::vector<int> matched_list;
    const int64_t inf = INT64_MAX / 4;
    std::vector<int64_t> dist(k);
    std::vector<std::pair<int, int>> pred(k);  // (from node, volunteer)
    int64_t new_cost = 0;
    for (int placed = 0; placed < open_total; ++placed) {
      for (int i = 0; i < k; ++i) {
        dist[i] = load[i] < room[i] ? 0 : inf;
        pred[i] = {-1, -1};
      }
      // Bellman-Ford over the matched volunteers' moves (no negative cycle:
      // every intermediate flow of successive shortest paths is optimal).
      for (int round = 0; round < k; ++round) {
        bool changed = false;
        for (int v : matched_list) {
          const int j = match_[v];
          int64_t here = 0;
          for (const auto& [i, cost] : arcs_of_[v])
            if (i == j) here = cost;
          for (const auto& [i, cost] : arcs_of_[v]) {
            if (i == j || dist[i] >= inf) continue;
            const int64_t d = dist[i] + cost - here;
            if (d < dist[j]) {
              dist[j] = d;
              pred[j] = {i, v};
              changed = true;
            }
          }
        }
        if (!changed) break;
      }
      int end = -1;
      int end_vol = -1;
      int64_t best = inf;
      for (int i = 0; i < k; ++i) {
        if (dist[i] >= inf) continue;
        auto& list = by_shift[i];
        int& at = next_free[i];
        while (at < static_cast<int>(list.size()) && match_[list[at].second] >= 0) ++at;
        if (at >= static_cast<int>(list.size())) continue;
        const int64_t d = dist[i] + list[at].first;
        if (d < best) {
          best = d;
          end = i;
          end_vol = list[at].second;
        }
      }
      if (end < 0 || best >= unfilled_cost) break;  // leaving the rest open is no worse
      new_cost += best;
      match_[end_vol] = end;
      matched_list.push_back(end_vol);
      int node = end;
      while (pred[node].first >= 0) {
        const auto [from, v] = pred[node];
        match_[v] = from;
        node = from;
      }
      ++load[node];
    }
    int left = open_total - static_cast<int>(matched_list.size());
    new_cost += unfilled_cost * left;
    const bool better = new_cost < old_cost;
    if (better) {
      std::sort(matched_list.begin(), matched_list.end());
      for (int v : matched_list) {
        assign(v, shifts[match_[v]]);
        note_changed(v);
      }
      for (const auto& [v, i] : old)
        if (match_[v] != i) note_changed(v);
      ++improvements_;
    } else {
      for (auto it = old.rbegin(); it != old.rend(); ++it) assign(it->first, shifts[it->second]);
    }
    for (int v : matched_list) match_[v] = -1;
    for (int v : touched) arcs_of_[v].clear();
    return better;
  }

  // A set of shifts for solve_set, linked by the volunteers who could move
  // between them: from the seed shift, again and again pick a shift x of the
  // set and one of x's candidates u (drawn with a fixed-seed generator), and
  // add a shift u holds. solve_set then finds the best ejection chains,
  // cycles and swaps of any length among them (each volunteer moving at most
  // once), with every free candidate able to join.
  std::vector<int> walk_set(int seed) {
    const size_t size = static_cast<size_t>(o_.lns_set_size) << walk_idle_;
    std::vector<int> w{seed};
    for (size_t tries = 0; tries < 16 * size && w.size() < size; ++tries) {
      const int x = w[draw(w.size())];
      const auto& cand = candidates_[x];
      if (cand.empty()) continue;
      const int u = cand[draw(cand.size())];
      const size_t first = existing_busy_count_[u];
      if (busy_[u].size() <= first) continue;
      // u must hold no shift of the set yet: a volunteer holding two is
      // kept in place by solve_set, and u is the link this draw adds.
      bool holds = false;
      for (size_t b = first; b < busy_[u].size() && !holds; ++b)
        holds = std::find(w.begin(), w.end(), busy_[u][b].shift) != w.end();
      if (holds) continue;
      w.push_back(busy_[u][first + draw(busy_[u].size() - first)].shift);
    }
    std::sort(w.begin(), w.end());
    return w;
  }
  // A draw in [0, n) from splitmix64 (64-bit on every platform).
  size_t draw(size_t n) {
    uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<size_t>(z % static_cast<uint64_t>(n));
  }

  // Swap sweep (one s1 of it): two holders of places on different shifts
  // trade places, or a holder moves to a free place on another shift and a
  // free candidate takes the place left behind. Pairs in a fixed order; the
  // first improving one is applied.
  void swap_shift(int s1, int64_t budget) {
    for (size_t i = 0; i < assigned_[s1].size() && evaluations_ < budget; ++i) {
      const int a = assigned_[s1][i];
      bool moved = false;
      for (int s2 = s1 + 1; s2 < ns_ && !moved && evaluations_ < budget; ++s2) {
        if (!is_candidate(a, s2)) continue;
        for (size_t k = 0; k < assigned_[s2].size(); ++k) {
          const int b = assigned_[s2][k];
          ++evaluations_;
          if (a == b || !is_candidate(b, s1)) continue;
          const int64_t d = vol_delta(a, s1, s2) + vol_delta(b, s2, s1);
          if (d >= 0) continue;
          if (dynamic_rule(b, s1, s2) != kEligible || dynamic_rule(a, s2, s1) != kEligible) continue;
          unassign(a, s1);
          unassign(b, s2);
          assign(a, s2);
          assign(b, s1);
          note_changed(a);
          note_changed(b);
          ++improvements_;
          swap_any_ = moved = true;
          break;
        }
        if (moved || static_cast<int>(assigned_[s2].size()) >= p_.shifts[s2].open_places) continue;
        // a takes the free place on s2; the best free candidate takes a's place on s1.
        ++evaluations_;
        if (dynamic_rule(a, s2, s1) != kEligible) continue;
        const int64_t da = vol_delta(a, s1, s2);
        unassign(a, s1);
        assign(a, s2);
        int64_t c;
        const int b = best_addition(s1, &c);
        if (b >= 0 && da + c < 0) {
          assign(b, s1);
          note_changed(a);
          note_changed(b);
          ++improvements_;
          swap_any_ = moved = true;
        } else {
          unassign(a, s2);
          assign(a, s1);
        }
      }
      if (moved) --i;  // the list changed: look at this slot again
    }
  }

  const std::vector<std::vector<int>>& candidates() const { return candidates_; }

  bool is_candidate(int v, int s) const {
    return std::binary_search(candidates_[s].begin(), candidates_[s].end(), v);
  }

  // For an unfilled shift: how many volunteers each rule excluded (first failing rule).
  std::vector<int> exclusion_counts(int s, std::vector<std::pair<std::string, int>>* missing_skills) const {
    std::vector<int> counts(kRuleCount, 0);
    std::map<std::string, int> skills;
    for (int v = 0; v < nv_; ++v) {
      Rule r = static_rule(v, s);
      if (r == kEligible) r = dynamic_rule(v, s);
      ++counts[r];
      if (r == kSkill) {
        for (const auto& need : p_.shifts[s].required_skills) {
          const auto& has = p_.volunteers[v].skills;
          if (std::find(has.begin(), has.end(), need) == has.end()) ++skills[need];
        }
      }
    }
    missing_skills->assign(skills.begin(), skills.end());
    return counts;
  }

  std::vector<SchedReason> why(int v, int s) const {
    std::vector<SchedReason> out;
    const auto& sh = p_.shifts[s];
    const int64_t before = minutes_[v] - sh.when.minutes();
    // The other qualified volunteers free for it (their hours in the range).
    int others = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int fewer = 0;
    for (int u : candidates_[s]) {
      if (u == v || dynamic_rule(u, s) != kEligible) continue;
      ++others;
      lo = std::min(lo, minutes_[u]);
      hi = std::max(hi, minutes_[u]);
      if (minutes_[u] < before) ++fewer;
    }
    if (others == 0) {
      out.push_back({"fairness_alone", {{"hours", hours_param(before)}}});
    } else {
      SchedReason f{fewer > 0 ? "fairness_others_fewer" : "fairness_others",
                    {{"hours", hours_param(before)},
                     {"others", std::to_string(others)},
                     {"low", hours_param(lo)},
                     {"high", hours_param(hi)}}};
      if (fewer > 0) f.params.push_back({"fewer", std::to_string(fewer)});
      out.push_back(std::move(f));
    }
    if (prefers(v, s)) out.push_back({"preference", {}});
    const int same = station_count(v, shift_station_[s]) - 1;
    if (same > 0) out.push_back({"continuity", {{"count", std::to_string(same)}}});
    if (near(v, s)) out.push_back({"nearness", {}});
    return out;
  }

  // The proposal, built shift by shift so that a job can spread it over
  // frames (the reasons and the unfilled places' exclusion counts cost a pass
  // over the volunteers each): result_unit(&out, &next) adds shifts from
  // `next` on, `chunk` at a time, and true when it finished the summary.
  Proposal result() const {
    Proposal out;
    int next = 0;
    while (!result_unit(&out, &next, ns_)) {
    }
    return out;
  }
  bool result_unit(Proposal* out_p, int* next, int chunk) const {
    Proposal& out = *out_p;
    auto& sum = out.summary;
    for (const int end = std::min(ns_, *next + chunk); *next < end; ++*next) {
      const int s = *next;
      const auto& sh = p_.shifts[s];
      sum.open_places += sh.open_places;
      std::vector<int> vs = assigned_[s];
      std::sort(vs.begin(), vs.end());
      for (int v : vs) out.assignments.push_back({sh.id, p_.volunteers[v].id, why(v, s)});
      sum.filled += static_cast<int>(vs.size());
      const int left = sh.open_places - static_cast<int>(vs.size());
      if (left <= 0) continue;
      UnfilledPlace u;
      u.shift = sh.id;
      u.places = left;
      std::vector<std::pair<std::string, int>> missing;
      std::vector<int> counts = exclusion_counts(s, &missing);
      for (int r = 0; r < kRuleCount; ++r)
        if (counts[r] > 0) u.rule_counts.push_back({kRuleCodes[r], counts[r]});
      std::sort(u.rule_counts.begin(), u.rule_counts.end());
      // The reason: the time rules among those who have the skills.
      std::vector<int> rules;
      for (int r = kAgeUnknown; r < kRuleCount; ++r)
        if (counts[r] > 0) rules.push_back(r);
      std::stable_sort(rules.begin(), rules.end(), [&](int a, int b) { return counts[a] > counts[b]; });
      std::string skills;
      for (const auto& k : sh.required_skills) skills += (skills.empty() ? "" : ",") + k;
      const int qualified = nv_ - counts[kSkill];
      if (qualified == 0 && !skills.empty()) {
        u.reason = {"no_skill", {{"skills", skills}}};
      } else {
        if (!skills.empty())
          u.reason = {"skilled_not_free", {{"skills", skills}, {"qualified", std::to_string(qualified)}}};
        else
          u.reason = {"not_free", {{"volunteers", std::to_string(nv_)}}};
        for (int r : rules) u.reason_rules.push_back({kRuleCodes[r], counts[r]});
      }
      out.unfilled.push_back(std::move(u));
    }
    if (*next < ns_) return false;
    // Spread of hours.
    auto stats = [&](bool served_only) {
      SpreadStats st;
      double sum_h = 0, sum_sq = 0;
      double mx = 0, mn = 0;
      for (int v = 0; v < nv_; ++v) {
        if (served_only && minutes_[v] == 0) continue;
        const double h = static_cast<double>(minutes_[v]) / 60.0;
        if (st.volunteers == 0 || h > mx) mx = h;
        if (st.volunteers == 0 || h < mn) mn = h;
        sum_h += h;
        sum_sq += h * h;
        ++st.volunteers;
      }
      if (st.volunteers > 0) {
        st.mean_hours = sum_h / st.volunteers;
        st.std_dev_hours = std::sqrt(std::max(0.0, sum_sq / st.volunteers - st.mean_hours * st.mean_hours));
        st.max_hours = mx;
        st.min_hours = mn;
      }
      return st;
    };
    sum.spread_served = stats(true);
    sum.spread_all = stats(false);
    sum.objective60 = objective60();
    sum.objective = static_cast<double>(sum.objective60) / 60.0;
    sum.evaluations = evaluations_;
    sum.improvements = improvements_;
    return true;
  }

  int shift_count() const { return ns_; }
  const std::vector<int>& assigned(int s) const { return assigned_[s]; }

  int64_t evaluations_ = 0;
  int64_t improvements_ = 0;

 private:
  const SchedulingProblem& p_;
  const SchedulerOptions& o_;
  int nv_ = 0, ns_ = 0;
  std::vector<int> shift_station_;
  std::vector<int> shift_grid_, vol_pref_, vol_grid_;  // -1: none
  std::vector<std::vector<Busy>> busy_;
  std::vector<size_t> existing_busy_count_;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> weeks_;
  std::vector<std::vector<std::pair<int, int>>> stations_;
  std::vector<int64_t> minutes_;
  std::vector<int64_t> cap_;
  std::vector<std::vector<int>> already_;
  std::vector<std::vector<int>> vol_skills_, shift_skills_;
  std::vector<std::vector<int64_t>> unavailable_;
  std::vector<std::vector<int>> candidates_;
  std::vector<std::vector<int>> assigned_;
  int setup_next_ = 0;  // next shift of setup_unit()
  // Local search position (search_unit).
  SearchPhase phase_ = SearchPhase::head;
  bool improved_ = true;
  bool swap_any_ = false;
  int cursor_ = 0;
  // The clique neighbourhood (build_cliques, solve_clique).
  std::vector<std::vector<int>> cliques_;      // shift indices, each sorted
  std::vector<int64_t> clique_solved_;         // change_clock_ when last solved, -1 never
  std::vector<int64_t> vol_changed_;           // change_clock_ of each volunteer's last change
  int64_t change_clock_ = 0;
  std::vector<int> match_;                     // scratch: clique index a volunteer is matched to, -1
  std::vector<std::vector<std::pair<int, int64_t>>> arcs_of_;  // scratch: (clique index, cost) per volunteer
  std::vector<int> hold_;                      // scratch: shifts of the set a volunteer holds
  std::vector<std::vector<std::pair<int64_t, int>>> by_shift_;  // scratch: solve_set's cheapest free per shift
  uint64_t rng_state_ = 0x5EEDULL;             // walk_set's draws
  static constexpr int kWalkRounds = 3;        // walk passes without improvement before the swap sweep
  int walk_idle_ = 0;                          // walk passes in a row without improvement
};

// ---- JSON helpers ----

std::string jstr(const Json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error bad(const std::string& where, const std::string& what) {
  return make_error("bad_problem", where + ": " + what);
}

Result<std::vector<std::string>> string_list(const Json& o, const char* k, const std::string& where) {
  std::vector<std::string> out;
  auto it = o.find(k);
  if (it == o.end() || it->is_null()) return out;
  if (!it->is_array()) return bad(where, std::string("\"") + k + "\" must be a list of texts");
  for (const auto& x : *it) {
    if (!x.is_string()) return bad(where, std::string("\"") + k + "\" must be a list of texts");
    out.push_back(x.get<std::string>());
  }
  return out;
}

Result<int64_t> int_field(const Json& o, const char* k, int64_t dflt, int64_t lo, int64_t hi, const std::string& where) {
  auto it = o.find(k);
  if (it == o.end() || it->is_null()) return dflt;
  if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
    return bad(where, std::string("\"") + k + "\" must be a whole number from " + std::to_string(lo) + " to " +
                          std::to_string(hi));
  return it->get<int64_t>();
}

void sort_problem(SchedulingProblem& p) {
  std::sort(p.volunteers.begin(), p.volunteers.end(),
            [](const SchedVolunteer& a, const SchedVolunteer& b) { return a.id < b.id; });
  std::sort(p.shifts.begin(), p.shifts.end(), [](const SchedShift& a, const SchedShift& b) {
    return std::tie(a.when.start, a.id) < std::tie(b.when.start, b.id);
  });
  std::sort(p.existing.begin(), p.existing.end(), [](const ExistingSignup& a, const ExistingSignup& b) {
    return std::tie(a.volunteer, a.when.start, a.shift) < std::tie(b.volunteer, b.when.start, b.shift);
  });
}

// problem_from_state in units (for AutoScheduleJob): the sign-up index a
// chunk at a time, the list of shifts, the list of volunteers, a chunk of
// shifts, a chunk of volunteers, then the sort. Construction is cheap. Reads
// the State in every unit; the caller makes sure it has not changed in
// between (State::applied_ops).
class ProblemBuilder {
 public:
  static constexpr size_t kChunk = 64;
  ProblemBuilder(const State& state, int64_t from_day, int64_t to_day)
      : state_(state), index_(state, VolunteerIndex::Deferred{}) {
    p_.from_day = from_day;
    p_.to_day = to_day;
  }
  // True when the problem is complete.
  bool unit() {
    if (!indexed_) {
      indexed_ = index_.build_unit();
      return false;
    }
    if (!listed_shifts_) {
      shifts_ = state_.list("shift");
      listed_shifts_ = true;
      return false;
    }
    if (!listed_volunteers_) {
      vols_ = state_.list("volunteer");
      listed_volunteers_ = true;
      return false;
    }
    if (next_shift_ < shifts_.size()) {
      for (size_t end = std::min(shifts_.size(), next_shift_ + kChunk); next_shift_ < end; ++next_shift_)
        add_shift(*shifts_[next_shift_]);
      return false;
    }
    if (next_vol_ < vols_.size()) {
      for (size_t end = std::min(vols_.size(), next_vol_ + kChunk); next_vol_ < end; ++next_vol_)
        add_volunteer(*vols_[next_vol_]);
      return false;
    }
    if (!sorted_) {
      sort_problem(p_);
      sorted_ = true;
    }
    return true;
  }
  double fraction() const {
    const size_t total = shifts_.size() + vols_.size() + 1;
    return static_cast<double>(next_shift_ + next_vol_ + (sorted_ ? 1 : 0)) / static_cast<double>(total);
  }
  SchedulingProblem take() { return std::move(p_); }

 private:
  void add_shift(const Entity& s) {
    Interval when;
    if (!shift_interval(s, &when)) return;
    const int64_t d = schedule_day_of(when.start);
    if (d < p_.from_day || d >= p_.to_day) return;
    const Roster r = index_.roster(s.id);
    if (r.open_places() <= 0) return;
    SchedShift sh;
    sh.id = s.id;
    sh.station = s.text("station");
    const Entity* st = state_.find("station", sh.station);
    sh.station_grid = st ? st->text("grid") : std::string();
    sh.role = s.text("role");
    sh.when = when;
    sh.open_places = r.open_places();
    const Json& req = s.get("required_skills");
    if (req.is_array())
      for (const auto& k : req)
        if (k.is_string()) sh.required_skills.push_back(k.get<std::string>());
    const Json& ma = s.get("min_age");
    sh.min_age = ma.is_number_integer() ? ma.get<int>() : 0;
    p_.shifts.push_back(std::move(sh));
  }
  void add_volunteer(const Entity& v) {
    SchedVolunteer sv;
    sv.id = v.id;
    const Entity* res = state_.find("resident", v.text("resident"));
    if (res) {
      sv.name = res->text("name");
      const Entity* hh = state_.find("household", res->text("household"));
      if (hh) sv.home_grid = hh->text("grid");
      if (auto b = parse_date(res->text("birth_date"))) sv.birth_day = *b;
    }
    auto list = [&](const char* name) {
      std::vector<std::string> out;
      const Json& j = v.get(name);
      if (j.is_array())
        for (const auto& x : j)
          if (x.is_string()) out.push_back(x.get<std::string>());
      return out;
    };
    sv.skills = list("skills");
    for (const auto& s : list("availability"))
      if (auto slot = parse_weekly_slot(s)) sv.availability.push_back(*slot);
    for (const auto& s : list("unavailable_dates"))
      if (auto d = parse_date(s)) sv.unavailable_days.push_back(*d);
    sv.preferred_station = v.text("preferred_station");
    const Json& mw = v.get("max_weekly_hours");
    sv.max_weekly_hours = mw.is_number_integer() ? mw.get<int>() : 0;
    sv.guardian_consent = v.get("guardian_consent").is_boolean() && v.get("guardian_consent").get<bool>();
    for (const Entity* su : index_.signups_of(v.id)) {
      const Entity* sh = state_.find("shift", su->text("shift"));
      Interval when;
      if (!sh || sh->archived() || !shift_interval(*sh, &when)) continue;
      // Nearby sign-ups only: they matter for rest, overlap and the weeks at the ends of the range.
      if (schedule_day_of(when.end) < p_.from_day - 8 || schedule_day_of(when.start) > p_.to_day + 8) continue;
      auto it = confirmed_of_shift_.find(sh->id);
      if (it == confirmed_of_shift_.end()) {
        std::set<std::string> ids;
        for (const auto& e : index_.roster(sh->id).confirmed) ids.insert(e.signup->id);
        it = confirmed_of_shift_.emplace(sh->id, std::move(ids)).first;
      }
      p_.existing.push_back({v.id, sh->id, sh->text("station"), when, it->second.count(su->id) > 0});
    }
    p_.volunteers.push_back(std::move(sv));
  }

  const State& state_;
  VolunteerIndex index_;
  std::vector<const Entity*> shifts_, vols_;
  size_t next_shift_ = 0, next_vol_ = 0;
  bool sorted_ = false;
  bool indexed_ = false, listed_shifts_ = false, listed_volunteers_ = false;
  std::map<std::string, std::set<std::string>> confirmed_of_shift_;  // shift -> confirmed sign-up ids
  SchedulingProblem p_;
};

}  // namespace

SchedulingProblem problem_from_state(const State& state, int64_t from_day, int64_t to_day) {
  ProblemBuilder b(state, from_day, to_day);
  while (!b.unit()) {
  }
  return b.take();
}

Result<SchedulingProblem> problem_from_json(const Json& j) {
  if (!j.is_object()) return bad("the file", "it must be one JSON object");
  SchedulingProblem p;
  auto from = parse_date(jstr(j, "from"));
  auto until = parse_date(jstr(j, "until"));
  if (!from || !until || *until < *from)
    return bad("the file", "\"from\" and \"until\" must be dates YYYY-MM-DD, until not before from");
  p.from_day = *from;
  p.to_day = *until + 1;
  if (!j.contains("volunteers") || !j["volunteers"].is_array()) return bad("the file", "\"volunteers\" must be a list");
  if (!j.contains("shifts") || !j["shifts"].is_array()) return bad("the file", "\"shifts\" must be a list");
  std::set<std::string> vol_ids, shift_ids;
  size_t i = 0;
  for (const auto& v : j["volunteers"]) {
    const std::string where = "volunteer " + std::to_string(++i);
    if (!v.is_object()) return bad(where, "must be an object");
    SchedVolunteer sv;
    sv.id = jstr(v, "id");
    if (sv.id.empty()) return bad(where, "needs an \"id\"");
    if (!vol_ids.insert(sv.id).second) return bad(where, "the id \"" + sv.id + "\" appears twice");
    const std::string w = "volunteer \"" + sv.id + "\"";
    sv.name = jstr(v, "name");
    auto skills = string_list(v, "skills", w);
    if (!skills) return skills.error();
    sv.skills = skills.value();
    auto av = string_list(v, "availability", w);
    if (!av) return av.error();
    for (const auto& s : av.value()) {
      auto slot = parse_weekly_slot(s);
      if (!slot) return bad(w, "availability \"" + s + "\" is not like \"mon 09:00-12:00\"");
      sv.availability.push_back(*slot);
    }
    auto un = string_list(v, "unavailable_dates", w);
    if (!un) return un.error();
    for (const auto& s : un.value()) {
      auto d = parse_date(s);
      if (!d) return bad(w, "unavailable date \"" + s + "\" is not a date YYYY-MM-DD");
      sv.unavailable_days.push_back(*d);
    }
    sv.preferred_station = jstr(v, "preferred_station");
    sv.home_grid = jstr(v, "home_grid");
    auto mw = int_field(v, "max_weekly_hours", 0, 0, 168, w);
    if (!mw) return mw.error();
    sv.max_weekly_hours = static_cast<int>(mw.value());
    const std::string birth = jstr(v, "birth_date");
    if (!birth.empty()) {
      auto b = parse_date(birth);
      if (!b) return bad(w, "birth_date \"" + birth + "\" is not a date YYYY-MM-DD");
      sv.birth_day = *b;
    }
    if (v.contains("guardian_consent") && !v["guardian_consent"].is_boolean())
      return bad(w, "guardian_consent must be true or false");
    sv.guardian_consent = v.value("guardian_consent", false);
    p.volunteers.push_back(std::move(sv));
  }
  i = 0;
  for (const auto& s : j["shifts"]) {
    const std::string where = "shift " + std::to_string(++i);
    if (!s.is_object()) return bad(where, "must be an object");
    SchedShift sh;
    sh.id = jstr(s, "id");
    if (sh.id.empty()) return bad(where, "needs an \"id\"");
    if (!shift_ids.insert(sh.id).second) return bad(where, "the id \"" + sh.id + "\" appears twice");
    const std::string w = "shift \"" + sh.id + "\"";
    sh.station = jstr(s, "station");
    sh.station_grid = jstr(s, "station_grid");
    sh.role = jstr(s, "role");
    auto a = parse_datetime(jstr(s, "start"));
    auto b = parse_datetime(jstr(s, "end"));
    if (!a || !b || *b <= *a || *b - *a > 24 * 60)
      return bad(w, "\"start\" and \"end\" must be YYYY-MM-DDTHH:MM, end after start, at most 24 hours");
    sh.when = Interval{*a, *b};
    auto open = int_field(s, "open_places", 1, 0, 1000, w);
    if (!open) return open.error();
    sh.open_places = static_cast<int>(open.value());
    auto req = string_list(s, "required_skills", w);
    if (!req) return req.error();
    sh.required_skills = req.value();
    auto ma = int_field(s, "min_age", 0, 0, 120, w);
    if (!ma) return ma.error();
    sh.min_age = static_cast<int>(ma.value());
    p.shifts.push_back(std::move(sh));
  }
  if (j.contains("existing")) {
    if (!j["existing"].is_array()) return bad("the file", "\"existing\" must be a list");
    i = 0;
    for (const auto& e : j["existing"]) {
      const std::string w = "existing sign-up " + std::to_string(++i);
      if (!e.is_object()) return bad(w, "must be an object");
      ExistingSignup x;
      x.volunteer = jstr(e, "volunteer");
      if (!vol_ids.count(x.volunteer)) return bad(w, "names no listed volunteer");
      x.shift = jstr(e, "shift");
      x.station = jstr(e, "station");
      auto a = parse_datetime(jstr(e, "start"));
      auto b = parse_datetime(jstr(e, "end"));
      if (!a || !b || *b <= *a) return bad(w, "\"start\" and \"end\" must be YYYY-MM-DDTHH:MM, end after start");
      x.when = Interval{*a, *b};
      if (e.contains("confirmed") && !e["confirmed"].is_boolean()) return bad(w, "confirmed must be true or false");
      x.confirmed = e.value("confirmed", true);
      p.existing.push_back(std::move(x));
    }
  }
  sort_problem(p);
  return p;
}

Result<SchedulerOptions> options_from_json(const Json& j, SchedulerOptions o) {
  if (j.is_null()) return o;
  if (!j.is_object()) return bad("options", "must be an object");
  struct IntOpt {
    const char* name;
    int64_t lo, hi;
    int64_t* value;
  };
  int64_t rest = o.min_rest_minutes, cap = o.default_max_weekly_hours, wf = o.w_fairness, wp = o.w_preference,
          wn = o.w_nearness, wc = o.w_continuity, wu = o.w_unfilled, budget = o.search_budget, lns = o.lns_set_size;
  const IntOpt table[] = {{"min_rest_minutes", 0, 24 * 60, &rest},
                          {"default_max_weekly_hours", 1, 168, &cap},
                          {"w_fairness", 0, 1000, &wf},
                          {"w_preference", 0, 1000, &wp},
                          {"w_nearness", 0, 1000, &wn},
                          {"w_continuity", 0, 100000, &wc},
                          {"w_unfilled", 0, 1000000000, &wu},
                          {"search_budget", 0, 1000000000, &budget},
                          {"lns_set_size", 0, 1000, &lns}};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const auto& t : table) {
      if (it.key() != t.name) continue;
      known = true;
      auto v = int_field(j, t.name, *t.value, t.lo, t.hi, "options");
      if (!v) return v.error();
      *t.value = v.value();
    }
    if (it.key() == "available_without_slots") {
      known = true;
      if (!it->is_boolean()) return bad("options", "available_without_slots must be true or false");
      o.available_without_slots = it->get<bool>();
    }
    if (!known) return bad("options", "unknown option \"" + it.key() + "\"");
  }
  o.min_rest_minutes = static_cast<int>(rest);
  o.default_max_weekly_hours = static_cast<int>(cap);
  o.w_fairness = static_cast<int>(wf);
  o.w_preference = static_cast<int>(wp);
  o.w_nearness = static_cast<int>(wn);
  o.w_continuity = static_cast<int>(wc);
  o.w_unfilled = wu;
  o.search_budget = budget;
  o.lns_set_size = static_cast<int>(lns);
  return o;
}

Json problem_to_json(const SchedulingProblem& p) {
  Json j{{"from", format_date(p.from_day)}, {"until", format_date(p.to_day - 1)}};
  Json vols = Json::array();
  for (const auto& v : p.volunteers) {
    Json o{{"id", v.id}};
    if (!v.name.empty()) o["name"] = v.name;
    if (!v.skills.empty()) o["skills"] = v.skills;
    Json av = Json::array();
    for (const auto& s : v.availability)
      av.push_back(std::string(kWeekdayKeys[s.weekday]) + " " + format_time_of_day(s.start_min) + "-" +
                   format_time_of_day(s.end_min));
    if (!av.empty()) o["availability"] = av;
    Json un = Json::array();
    for (auto d : v.unavailable_days) un.push_back(format_date(d));
    if (!un.empty()) o["unavailable_dates"] = un;
    if (!v.preferred_station.empty()) o["preferred_station"] = v.preferred_station;
    if (v.max_weekly_hours > 0) o["max_weekly_hours"] = v.max_weekly_hours;
    if (!v.home_grid.empty()) o["home_grid"] = v.home_grid;
    if (v.birth_day != INT64_MIN) o["birth_date"] = format_date(v.birth_day);
    if (v.guardian_consent) o["guardian_consent"] = true;
    vols.push_back(std::move(o));
  }
  j["volunteers"] = std::move(vols);
  Json shifts = Json::array();
  for (const auto& s : p.shifts) {
    Json o{{"id", s.id},
           {"station", s.station},
           {"role", s.role},
           {"start", format_datetime(s.when.start)},
           {"end", format_datetime(s.when.end)},
           {"open_places", s.open_places}};
    if (!s.station_grid.empty()) o["station_grid"] = s.station_grid;
    if (!s.required_skills.empty()) o["required_skills"] = s.required_skills;
    if (s.min_age > 0) o["min_age"] = s.min_age;
    shifts.push_back(std::move(o));
  }
  j["shifts"] = std::move(shifts);
  Json ex = Json::array();
  for (const auto& e : p.existing)
    ex.push_back(Json{{"volunteer", e.volunteer},
                      {"shift", e.shift},
                      {"station", e.station},
                      {"start", format_datetime(e.when.start)},
                      {"end", format_datetime(e.when.end)},
                      {"confirmed", e.confirmed}});
  j["existing"] = std::move(ex);
  return j;
}

struct AutoScheduleJob::Impl {
  enum class Stage { build, init, setup, construct, search, result, done };
  // Built from a State: the builder reads it unit by unit.
  const State* state = nullptr;
  uint64_t version = 0;
  int64_t from_day = 0, to_day = 0;
  std::unique_ptr<ProblemBuilder> builder;
  int restarts = 0;

  SchedulingProblem problem;
  SchedulerOptions options;
  std::unique_ptr<Engine> engine;
  Stage stage = Stage::init;
  std::vector<int> order;
  size_t next = 0;  // index into order (construct)
  int next_result_shift = 0;  // result: the proposal is built from this shift on
  int64_t constructive = 0;
  double progress = 0;
  Proposal proposal;

  // Progress: building the problem 0-10%, setup 10-30%, constructive pass
  // 30-40%, local search 40-99% (by evaluations used of the budget), the
  // proposal with its reasons at 99%.
  void unit() {
    switch (stage) {
      case Stage::build:
        if (state->applied_ops() != version) {
          // The State moved between two units: build again from the new one.
          version = state->applied_ops();
          builder = std::make_unique<ProblemBuilder>(*state, from_day, to_day);
          ++restarts;
        }
        if (builder->unit()) {
          problem = builder->take();
          builder.reset();
          state = nullptr;
          stage = Stage::init;
        }
        progress = std::max(progress, 0.1 * (builder ? builder->fraction() : 1.0));
        return;
      case Stage::init:
        engine = std::make_unique<Engine>(problem, options);
        stage = Stage::setup;
        progress = std::max(progress, 0.1);
        return;
      case Stage::setup:
        if (engine->setup_unit()) {
          order = engine->construct_order();
          stage = Stage::construct;
        }
        progress = 0.1 + 0.2 * engine->setup_fraction();
        return;
      case Stage::construct:
        if (next < order.size()) {
          engine->construct_shift(order[next++]);
          progress = 0.3 + 0.1 * static_cast<double>(next) / static_cast<double>(order.size());
          return;
        }
        constructive = engine->objective60();
        stage = Stage::search;
        progress = 0.4;
        return;
      case Stage::search:
        if (!engine->search_done()) {
          engine->search_unit();
          const double budget = static_cast<double>(std::max<int64_t>(1, options.search_budget));
          progress = std::max(progress, 0.4 + 0.59 * std::min(1.0, static_cast<double>(engine->evaluations()) / budget));
          return;
        }
        stage = Stage::result;
        return;
      case Stage::result:
        // A few shifts per unit: each unfilled one is a pass over every volunteer.
        if (!engine->result_unit(&proposal, &next_result_shift, 8)) return;
        proposal.summary.constructive_objective60 = constructive;
        engine.reset();
        stage = Stage::done;
        progress = 1.0;
        return;
      case Stage::done:
        return;
    }
  }
};

AutoScheduleJob::AutoScheduleJob(SchedulingProblem problem, SchedulerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->problem = std::move(problem);
  impl_->options = options;
}

AutoScheduleJob::AutoScheduleJob(const State& state, int64_t from_day, int64_t to_day, SchedulerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->state = &state;
  impl_->version = state.applied_ops();
  impl_->from_day = from_day;
  impl_->to_day = to_day;
  impl_->builder = std::make_unique<ProblemBuilder>(state, from_day, to_day);
  impl_->stage = Impl::Stage::build;
  impl_->options = options;
}

uint64_t AutoScheduleJob::state_version() const { return impl_->version; }
AutoScheduleJob::~AutoScheduleJob() = default;

bool AutoScheduleJob::step(const std::function<bool()>& should_stop) {
  while (impl_->stage != Impl::Stage::done) {
    impl_->unit();
    if (should_stop && should_stop()) break;
  }
  return impl_->stage == Impl::Stage::done;
}
double AutoScheduleJob::progress() const { return impl_->progress; }
bool AutoScheduleJob::done() const { return impl_->stage == Impl::Stage::done; }
const Proposal& AutoScheduleJob::proposal() const { return impl_->proposal; }

Proposal auto_schedule(const SchedulingProblem& problem, const SchedulerOptions& options) {
  AutoScheduleJob job(problem, options);
  job.step(nullptr);
  return job.proposal();
}

Evaluation evaluate_assignments(const SchedulingProblem& problem,
                                const std::vector<std::pair<std::string, std::string>>& shift_volunteer,
                                const SchedulerOptions& options) {
  Engine e(problem, options);
  e.setup_all();
  Evaluation out;
  std::map<std::string, int> shifts, vols;
  for (size_t s = 0; s < problem.shifts.size(); ++s) shifts[problem.shifts[s].id] = static_cast<int>(s);
  for (size_t v = 0; v < problem.volunteers.size(); ++v) vols[problem.volunteers[v].id] = static_cast<int>(v);
  for (const auto& [sid, vid] : shift_volunteer) {
    auto s = shifts.find(sid);
    auto v = vols.find(vid);
    if (s == shifts.end() || v == vols.end()) {
      out.violations.push_back("unknown shift or volunteer: " + sid + " / " + vid);
      continue;
    }
    Rule r = e.static_rule(v->second, s->second);
    if (r == kEligible) r = e.dynamic_rule(v->second, s->second);
    if (r != kEligible) out.violations.push_back(vid + " on " + sid + ": " + kRuleCodes[r]);
    if (static_cast<int>(e.assigned(s->second).size()) >= problem.shifts[s->second].open_places)
      out.violations.push_back(sid + ": more people than open places");
    e.assign(v->second, s->second);
  }
  out.objective60 = e.objective60();
  return out;
}

std::vector<std::vector<int>> eligible_volunteers(const SchedulingProblem& problem, const SchedulerOptions& options) {
  Engine e(problem, options);
  e.setup_all();
  return e.candidates();
}

std::string SchedReason::param(const std::string& name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return "";
}

const std::vector<std::string>& scheduler_why_codes() {
  static const std::vector<std::string> codes = {"fairness_alone", "fairness_others", "fairness_others_fewer",
                                                 "preference",     "continuity",      "nearness"};
  return codes;
}

const std::vector<std::string>& scheduler_unfilled_codes() {
  static const std::vector<std::string> codes = {"no_skill", "skilled_not_free", "not_free"};
  return codes;
}

const std::vector<std::string>& scheduler_rule_codes() {
  static const std::vector<std::string> codes(kRuleCodes, kRuleCodes + kRuleCount);
  return codes;
}

Json proposal_to_json(const Proposal& p, const ReasonText& text) {
  Json a = Json::array();
  auto reason = [&](const SchedReason& r) {
    Json params = Json::object();
    for (const auto& [name, value] : r.params) params[name] = value;
    Json out{{"code", r.code}, {"params", params}};
    if (text) out["text"] = text(r, nullptr);
    return out;
  };
  for (const auto& x : p.assignments) {
    Json why = Json::array();
    for (const auto& w : x.why) why.push_back(reason(w));
    a.push_back(Json{{"shift", x.shift}, {"volunteer", x.volunteer}, {"why", why}});
  }
  Json u = Json::array();
  for (const auto& x : p.unfilled) {
    Json rules = Json::object();
    for (const auto& [code, n] : x.rule_counts) rules[code] = n;
    Json r = reason(x.reason);
    Json listed = Json::array();
    for (const auto& [code, n] : x.reason_rules) listed.push_back(Json{{"code", code}, {"count", n}});
    r["rules"] = listed;
    if (text) r["text"] = text(x.reason, &x.reason_rules);
    u.push_back(Json{{"shift", x.shift}, {"places", x.places}, {"reason", r}, {"excluded_by_rule", rules}});
  }
  auto spread = [](const SpreadStats& s) {
    return Json{{"volunteers", s.volunteers},
                {"mean_hours", s.mean_hours},
                {"std_dev_hours", s.std_dev_hours},
                {"max_hours", s.max_hours},
                {"min_hours", s.min_hours}};
  };
  const auto& s = p.summary;
  return Json{{"assignments", a},
              {"unfilled", u},
              {"summary",
               {{"open_places", s.open_places},
                {"filled", s.filled},
                {"hours_served", spread(s.spread_served)},
                {"hours_all", spread(s.spread_all)},
                {"objective", s.objective},
                {"objective_after_construction", static_cast<double>(s.constructive_objective60) / 60.0},
                {"search_evaluations", s.evaluations},
                {"search_improvements", s.improvements}}}};
}

std::vector<Command> proposal_commands(const State& state, const Proposal& proposal) {
  VolunteerIndex index(state);
  std::vector<Command> out;
  for (const auto& a : proposal.assignments)
    out.push_back(CreateEntity{"signup", signup_fields(index, a.shift, a.volunteer, "auto_schedule"), ""});
  return out;
}

}  // namespace dh
