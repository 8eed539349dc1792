#include "schedule_bound.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>

#include "core/civil_time.h"

namespace dh::bench {

namespace {

constexpr int64_t kInf = std::numeric_limits<int64_t>::max() / 4;


struct Key {
  uint64_t a;     // minutes served << 16 | minutes in the current shift's week
  uint64_t mask;  // stations served (local bits), or bit 0 "serves" when relaxed
  bool operator==(const Key& o) const { return a == o.a && mask == o.mask; }
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    uint64_t h = k.a * 0x9E3779B97F4A7C15ULL ^ (k.mask + 0x7F4A7C159E3779B9ULL + (k.a << 6) + (k.a >> 2));
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

}  // namespace

LagrangianModel::LagrangianModel(const SchedulingProblem& p, const SchedulerOptions& o, int max_unfilled,
                                 int64_t max_states_per_volunteer)
    : max_unfilled_(max_unfilled) {
  const size_t ns = p.shifts.size();
  const size_t nv = p.volunteers.size();
  for (const auto& s : p.shifts) open_.push_back(s.open_places);
  // Eligibility exactly as the scheduler decides it (skills, age, consent,
  // availability, away days, existing sign-ups with overlap and rest).
  const auto elig = eligible_volunteers(p, o);
  std::vector<std::vector<int>> by_vol(nv);
  for (size_t s = 0; s < ns; ++s)
    for (int v : elig[s]) by_vol[static_cast<size_t>(v)].push_back(static_cast<int>(s));  // shifts in problem order: by start
  std::map<std::string, int> vol_index;
  for (size_t v = 0; v < nv; ++v) vol_index[p.volunteers[v].id] = static_cast<int>(v);
  // Existing confirmed sign-ups: their minutes in the range and stations
  // count in the objective, their minutes in any week count toward the cap.
  std::vector<int64_t> base_minutes(nv, 0);
  std::vector<std::vector<std::string>> base_stations(nv);
  std::vector<std::map<int64_t, int64_t>> base_week(nv);
  for (const auto& e : p.existing) {
    auto it = vol_index.find(e.volunteer);
    if (it == vol_index.end() || !e.confirmed) continue;
    const auto v = static_cast<size_t>(it->second);
    base_week[v][schedule_week_of(e.when.start)] += e.when.minutes();
    const int64_t d = schedule_day_of(e.when.start);
    if (d >= p.from_day && d < p.to_day) {
      base_minutes[v] += e.when.minutes();
      if (std::find(base_stations[v].begin(), base_stations[v].end(), e.station) == base_stations[v].end())
        base_stations[v].push_back(e.station);
    }
  }
  const int64_t rest = o.min_rest_minutes;
  vols_.resize(nv);
  for (size_t v = 0; v < nv; ++v) {
    Vol& vol = vols_[v];
    const auto& sv = p.volunteers[v];
    vol.shifts = by_vol[v];
    const size_t n = vol.shifts.size();
    const int64_t cap = static_cast<int64_t>(sv.max_weekly_hours > 0 ? sv.max_weekly_hours : o.default_max_weekly_hours) * 60;
    std::vector<int64_t> minutes(n), week(n);
    std::vector<int> station_bit(n);
    std::vector<size_t> next(n);
    std::map<std::string, int> local_station;
    for (size_t i = 0; i < n; ++i) {
      const auto& sh = p.shifts[static_cast<size_t>(vol.shifts[i])];
      minutes[i] = sh.when.minutes();
      week[i] = schedule_week_of(sh.when.start);
      station_bit[i] = local_station.emplace(sh.station, static_cast<int>(local_station.size())).first->second;
      int64_t lin = 0;
      if (!sv.preferred_station.empty() && sv.preferred_station == sh.station) lin -= 60LL * o.w_preference * minutes[i];
      if (!sv.home_grid.empty() && sv.home_grid == sh.station_grid) lin -= 60LL * o.w_nearness * minutes[i];
      vol.lin60.push_back(lin);
    }
    // The scheduler's clash (overlap or rest): a.start < b.end + rest and
    // b.start < a.end + rest. With shifts by start, i and a later j clash iff
    // start_j < end_i + rest; so after taking i the next candidate is the
    // first j starting at or after end_i + rest, and it clashes with no
    // earlier pick either (their ends + rest are at most start_i's next
    // candidates'). The chosen shifts are then exactly the clash-free sets.
    for (size_t i = 0; i < n; ++i) {
      const auto& a = p.shifts[static_cast<size_t>(vol.shifts[i])].when;
      size_t j = i + 1;
      while (j < n && p.shifts[static_cast<size_t>(vol.shifts[j])].when.start < a.end + rest) ++j;
      next[i] = j;
    }
    uint64_t base_mask = 0;
    int base_other = 0;  // existing stations none of whose shifts this volunteer could take
    for (const auto& st : base_stations[v]) {
      auto it = local_station.find(st);
      if (it != local_station.end() && it->second < 64) base_mask |= 1ULL << it->second;
      else ++base_other;
    }
    const int64_t E = base_minutes[v];
    const int base_count = static_cast<int>(base_stations[v].size());
    auto build = [&](bool relaxed) -> bool {
      vol.nodes.clear();
      vol.final60.clear();
      vol.relaxed = relaxed;
      std::vector<std::vector<Key>> keys(n + 1);
      std::vector<std::unordered_map<Key, int, KeyHash>> index(n + 1);
      auto intern = [&](size_t pos, const Key& k) {
        auto [it, fresh] = index[pos].emplace(k, static_cast<int>(keys[pos].size()));
        if (fresh) keys[pos].push_back(k);
        return it->second;
      };
      std::vector<std::vector<std::pair<int, int>>> succ(n);  // per position, per key: (skip, take) local indexes
      std::vector<std::vector<int>> take_pos(n);
      intern(0, Key{0, relaxed ? 0 : base_mask});
      int64_t total = 1;
      for (size_t pos = 0; pos < n; ++pos) {
        for (size_t k = 0; k < keys[pos].size(); ++k) {
          const Key key = keys[pos][k];
          const uint64_t M = key.a >> 16, wM = key.a & 0xFFFF;
          const size_t sp = pos + 1;
          const uint64_t swM = sp < n && week[sp] == week[pos] ? wM : 0;
          const size_t before = keys[sp].size();
          const int skip = intern(sp, Key{M << 16 | swM, key.mask});
          int take = -1;
          size_t tp = next[pos];
          auto bw = base_week[v].find(week[pos]);
          const int64_t used = static_cast<int64_t>(wM) + (bw == base_week[v].end() ? 0 : bw->second);
          if (used + minutes[pos] <= cap) {
            const uint64_t M2 = M + static_cast<uint64_t>(minutes[pos]);
            const uint64_t w2 = tp < n && week[tp] == week[pos] ? wM + static_cast<uint64_t>(minutes[pos]) : 0;
            const uint64_t mask2 = relaxed ? 1 : station_bit[pos] < 64 ? key.mask | 1ULL << station_bit[pos] : key.mask;
            const size_t tb = keys[tp].size();
            take = intern(tp, Key{M2 << 16 | w2, mask2});
            total += static_cast<int64_t>(keys[tp].size() - tb);
          }
          total += static_cast<int64_t>(keys[sp].size() - before);
          succ[pos].push_back({skip, take});
          take_pos[pos].push_back(static_cast<int>(tp));
          if (total > max_states_per_volunteer && !relaxed) return false;
        }
      }
      vol.offset.assign(n + 2, 0);
      for (size_t pos = 0; pos <= n; ++pos) vol.offset[pos + 1] = vol.offset[pos] + static_cast<int>(keys[pos].size());
      vol.nodes.resize(static_cast<size_t>(vol.offset[n]));
      for (size_t pos = 0; pos < n; ++pos)
        for (size_t k = 0; k < keys[pos].size(); ++k) {
          Node& nd = vol.nodes[static_cast<size_t>(vol.offset[pos]) + k];
          nd.skip = vol.offset[pos + 1] + succ[pos][k].first;
          nd.take = succ[pos][k].second < 0 ? -1 : vol.offset[static_cast<size_t>(take_pos[pos][k])] + succ[pos][k].second;
        }
      vol.final60.resize(keys[n].size());
      for (size_t k = 0; k < keys[n].size(); ++k) {
        const int64_t M = E + static_cast<int64_t>(keys[n][k].a >> 16);
        // Stations: exact, or when relaxed at least the existing ones and at
        // least one if they serve here (a lower bound of the true count).
        const int64_t count = relaxed ? std::max<int64_t>(base_count, static_cast<int64_t>(keys[n][k].mask))
                                      : __builtin_popcountll(keys[n][k].mask) + base_other;
        vol.final60[k] = static_cast<int64_t>(o.w_fairness) * M * M + 60LL * o.w_continuity * count;
      }
      return true;
    };
    // More than 64 stations among one volunteer's shifts: the relaxed rule.
    if (local_station.size() > 64 || !build(false)) build(true);
  }
}

int64_t LagrangianModel::states() const {
  int64_t t = 0;
  for (const auto& v : vols_) t += static_cast<int64_t>(v.nodes.size() + v.final60.size());
  return t;
}

int LagrangianModel::relaxed_volunteers() const {
  int t = 0;
  for (const auto& v : vols_) t += v.relaxed ? 1 : 0;
  return t;
}

int64_t LagrangianModel::evaluate(const std::vector<int64_t>& lambda60, std::vector<std::pair<int, int>>* chosen,
                                  std::vector<int>* unfilled) const {
  int64_t L = 0;
  for (size_t s = 0; s < open_.size(); ++s) L += lambda60[s] * open_[s];
  // Backward: h[state] = the least cost from it to the end; then the
  // minimiser is read forward (the branch whose cost equals h).
  std::vector<int64_t> h;
  if (chosen) chosen->clear();
  for (size_t v = 0; v < vols_.size(); ++v) {
    const Vol& vol = vols_[v];
    const size_t n = vol.shifts.size();
    const size_t inner = vol.nodes.size();
    h.resize(inner + vol.final60.size());
    std::copy(vol.final60.begin(), vol.final60.end(), h.begin() + static_cast<long>(inner));
    for (size_t pos = n; pos-- > 0;) {
      const int64_t c = vol.lin60[pos] - lambda60[static_cast<size_t>(vol.shifts[pos])];
      for (int u = vol.offset[pos + 1]; u-- > vol.offset[pos];) {
        const Node& nd = vol.nodes[static_cast<size_t>(u)];
        int64_t best = h[static_cast<size_t>(nd.skip)];
        if (nd.take >= 0) best = std::min(best, c + h[static_cast<size_t>(nd.take)]);
        h[static_cast<size_t>(u)] = best;
      }
    }
    L += h[0];
    if (chosen) {
      // Forward along the minimiser (skipping on ties).
      size_t u = 0, pos = 0;
      while (pos < n) {
        const Node& nd = vol.nodes[u];
        if (h[static_cast<size_t>(nd.skip)] != h[u]) {
          chosen->push_back({static_cast<int>(v), vol.shifts[pos]});
          u = static_cast<size_t>(nd.take);
          // The state taken to belongs to the next candidate's position.
          size_t q = pos + 1;
          while (q < n && static_cast<int>(u) >= vol.offset[q + 1]) ++q;
          pos = q;
        } else {
          u = static_cast<size_t>(nd.skip);
          ++pos;
        }
      }
    }
  }
  // Unfilled places: u[s] in 0..open[s], Σ u ≤ max_unfilled; the minimum of
  // −Σ λ[s]·u[s] takes the largest positive λ first.
  std::vector<int> order;
  for (size_t s = 0; s < open_.size(); ++s)
    if (lambda60[s] > 0 && open_[s] > 0) order.push_back(static_cast<int>(s));
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return lambda60[static_cast<size_t>(a)] != lambda60[static_cast<size_t>(b)]
               ? lambda60[static_cast<size_t>(a)] > lambda60[static_cast<size_t>(b)]
               : a < b;
  });
  if (unfilled) unfilled->assign(open_.size(), 0);
  int left = max_unfilled_;
  for (int s : order) {
    if (left <= 0) break;
    const int u = std::min(left, open_[static_cast<size_t>(s)]);
    L -= lambda60[static_cast<size_t>(s)] * u;
    left -= u;
    if (unfilled) (*unfilled)[static_cast<size_t>(s)] = u;
  }
  return L;
}

LagrangianResult lagrangian_bound(const SchedulingProblem& problem, const SchedulerOptions& options, int max_unfilled,
                                  int64_t upper60, const LagrangianOptions& lo) {
  LagrangianResult r;
  const std::clock_t c0 = std::clock();
  LagrangianModel model(problem, options, max_unfilled, lo.max_states_per_volunteer);
  r.states = model.states();
  r.relaxed_volunteers = model.relaxed_volunteers();
  const size_t ns = model.shift_count();
  // Start: a shift's price is what it costs a volunteer with no hours to
  // take it alone (fairness and one station), without bonuses.
  std::vector<double> lambda(ns);
  for (size_t s = 0; s < ns; ++s) {
    const int64_t m = problem.shifts[s].when.minutes();
    lambda[s] = static_cast<double>(static_cast<int64_t>(options.w_fairness) * m * m + 60LL * options.w_continuity);
  }
  std::vector<int64_t> lam60(ns);
  std::vector<std::pair<int, int>> chosen;
  std::vector<int> unfilled;
  std::vector<int64_t> g(ns);
  double theta = lo.initial_theta;
  const bool trace = std::getenv("DH_BOUND_TRACE") != nullptr;  // progress on stderr
  int stall = 0;
  for (int it = 1; it <= lo.max_iterations; ++it) {
    for (size_t s = 0; s < ns; ++s) lam60[s] = std::llround(lambda[s]);
    const int64_t L = model.evaluate(lam60, &chosen, &unfilled);
    r.iterations = it;
    if (it == 1) r.first60 = L;
    if (L > r.bound60) {
      r.bound60 = L;
      r.best_iteration = it;
      stall = 0;
    } else if (++stall >= lo.stall_iterations) {
      theta /= 2;
      stall = 0;
      if (theta < lo.min_theta) break;
    }
    if (trace && (it % 25 == 0 || it == 1))
      std::fprintf(stderr, "  iteration %4d  L %.1f  best %.1f  theta %.5f  CPU %.1f s\n", it, static_cast<double>(L) / 60.0,
                   static_cast<double>(r.bound60) / 60.0, theta,
                   static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
    if (r.bound60 >= upper60) {
      r.proven_optimal = true;
      break;
    }
    // Subgradient: the relaxed rows' residuals open − taken − unfilled.
    const auto& open = model.open_places();
    for (size_t s = 0; s < ns; ++s) g[s] = open[s] - unfilled[s];
    for (const auto& [v, s] : chosen) --g[static_cast<size_t>(s)];
    double norm = 0;
    for (int64_t x : g) norm += static_cast<double>(x) * static_cast<double>(x);
    if (norm == 0) {
      // The sub-problems' choice is a plan, and L is its objective: optimal.
      r.proven_optimal = true;
      break;
    }
    const double step = theta * static_cast<double>(upper60 - L) / norm;
    for (size_t s = 0; s < ns; ++s) lambda[s] += step * static_cast<double>(g[s]);
  }
  r.cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  return r;
}

}  // namespace dh::bench
