// A Lagrangian lower bound on the auto-scheduler's objective, for instances
// too large for an exact solver (schedule_bench --bound-only; issue 13 part 4;
// docs/auto-scheduling.md, "Exact comparison").
//
// The per-shift place rows  Σ_v x[v,s] + u[s] = open[s]  are relaxed with
// multipliers λ[s]. What is left splits by volunteer: each picks a set of
// their eligible shifts that keeps every rule about them alone (no overlap,
// minimum rest, weekly caps, existing sign-ups: eligible_volunteers plus the
// scheduler's own clash and cap conditions), at cost
//   w_fairness·(E+M)² − bonuses + 60·w_continuity·|stations| − Σ λ[s]   (×60)
// solved exactly by a DP over their shifts in time order; the unfilled places
// u pick the largest λ[s] (at most max_unfilled of them). For ANY λ,
//   L(λ) = Σ_s λ[s]·open[s] + Σ_v min_v(...) + min_u(−Σ λ[s]·u[s])
// is at most the objective of every plan leaving at most max_unfilled places
// open (each plan is feasible for every sub-problem, and there its Lagrangian
// equals its objective). L is maximised by subgradient steps; every value is
// computed exactly in 64-bit integers (λ rounded to integers of the
// objective's ×60 unit before each evaluation), so the best one is a proven
// bound, not an approximation of one.
#pragma once

#include <cstdint>
#include <vector>

#include "core/scheduler.h"

namespace dh::bench {

struct LagrangianOptions {
  int max_iterations = 2000;
  int stall_iterations = 30;      // halve the step factor after this many without a better bound
  double initial_theta = 1.0;     // Polyak step factor
  double min_theta = 1e-4;
  // DP states per volunteer above which their sub-problem drops the station
  // set from the state and charges continuity for max(|existing stations|,
  // 1 if they serve) instead: a lower bound of the sub-problem, so the bound
  // stays valid but weaker. Counted in LagrangianResult::relaxed_volunteers.
  int64_t max_states_per_volunteer = 400000;
};

struct LagrangianResult {
  // Proven: every plan leaving at most max_unfilled places open has
  // objective60 − 60·w_unfilled·(places it leaves open) ≥ bound60.
  int64_t bound60 = INT64_MIN;
  int64_t first60 = INT64_MIN;    // L at the starting multipliers
  int iterations = 0;
  int best_iteration = 0;
  double cpu_seconds = 0;
  int64_t states = 0;             // DP states over all volunteers
  int relaxed_volunteers = 0;     // sub-problems solved with the weaker station rule (0: all exact)
  bool proven_optimal = false;    // bound60 reached upper60
};

// The per-volunteer sub-problems, built once (their DP state graphs do not
// depend on λ), evaluated for any λ.
class LagrangianModel {
 public:
  LagrangianModel(const SchedulingProblem& problem, const SchedulerOptions& options, int max_unfilled,
                  int64_t max_states_per_volunteer = 400000);
  // L(λ)·60, exact; lambda60[s] in the objective's ×60 unit. When `chosen` is
  // given it receives each sub-problem's minimiser as (volunteer, shift)
  // index pairs, and `unfilled` the u[s] of the minimiser.
  int64_t evaluate(const std::vector<int64_t>& lambda60, std::vector<std::pair<int, int>>* chosen = nullptr,
                   std::vector<int>* unfilled = nullptr) const;
  int64_t states() const;
  int relaxed_volunteers() const;
  size_t shift_count() const { return open_.size(); }
  const std::vector<int>& open_places() const { return open_; }

 private:
  // One volunteer's DP: states grouped by position (their next candidate
  // shift), in time order; each has a successor when skipping that shift and
  // one when taking it. Terminal states (after the last shift) carry the
  // plan's fairness and continuity.
  struct Node {
    int skip = -1, take = -1;     // state indexes; take -1 when the weekly cap forbids the shift
  };
  struct Vol {
    std::vector<int> shifts;      // problem shift indexes, in time order
    std::vector<int64_t> lin60;   // −bonuses of each, ×60
    std::vector<int> offset;      // states of position i: [offset[i], offset[i+1]); terminal: from offset[n]
    std::vector<Node> nodes;      // non-terminal states; state 0 the start
    std::vector<int64_t> final60; // terminal states' fairness + continuity (×60)
    bool relaxed = false;
  };
  std::vector<Vol> vols_;
  std::vector<int> open_;
  int max_unfilled_ = 0;
};

// Maximises L by subgradient steps (Polyak, with the auto plan's value
// upper60 as target; the factor halves when the bound stalls).
LagrangianResult lagrangian_bound(const SchedulingProblem& problem, const SchedulerOptions& options, int max_unfilled,
                                  int64_t upper60, const LagrangianOptions& lo = {});

}  // namespace dh::bench
