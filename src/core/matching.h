// Matching requests to experts (issue 10; format and cost model: docs/matching.md).
//
// The batch solver works on numbers only: requests 0..R-1, experts 0..E-1,
// admissible (request, expert, cost) arcs, and per expert its remaining
// capacity as a non-decreasing list of marginal costs (the cost of its 1st,
// 2nd, ... extra case; a convex load cost). It returns an exact optimum of:
//   1. as many requests assigned as possible (each to at most one expert,
//      each expert at most its capacity, only along admissible arcs), then
//   2. among those, the least total cost = sum of the chosen arcs' costs +
//      sum over experts of their first k marginal costs (k = cases given).
// It is a min-cost flow (source -> request -> expert -> sink, the expert's
// k-th unit at its k-th marginal cost), solved exactly in two phases with
// LEMON: Preflow finds the maximum number F of assignable requests, then
// NetworkSimplex finds the least-cost flow of value exactly F. No big-M.
//
// Costs are 64-bit integers (negative allowed). A problem is refused when
// the sum of the absolute values of all its costs exceeds kMaxCostSum (so no
// potential or total inside the solver can overflow).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace dh::matching {

// The bound on sum(|arc cost|) + sum(|marginal cost|) of a problem: 2^60.
constexpr int64_t kMaxCostSum = int64_t(1) << 60;

struct BatchExpert {
  // extra_costs[k] = cost of the (k+1)-th extra case; size() = remaining
  // capacity (0 = takes nothing more). Must be non-decreasing.
  std::vector<int64_t> extra_costs;
};

struct BatchArc {
  int request = 0;   // 0..request_count-1
  int expert = 0;    // index into experts
  int64_t cost = 0;  // cost of giving this request to this expert
};

struct BatchProblem {
  int request_count = 0;
  std::vector<BatchExpert> experts;
  std::vector<BatchArc> arcs;  // at most one per (request, expert)
};

struct BatchResult {
  std::vector<int> expert_of_request;  // expert index per request, or -1
  int assigned = 0;
  int64_t total_cost = 0;
};

// Checks indices, duplicates, order of marginal costs and the cost bound.
// The error's message names the entry at fault, e.g.
// "experts[3].extra_costs[2]: must not be less than the one before".
Status validate(const BatchProblem& problem);

// The exact optimum described above (validate() first; its error if refused).
Result<BatchResult> solve_batch(const BatchProblem& problem);

// The total cost of an assignment (expert index per request, -1 = none), or an
// error naming why it is not feasible (no such arc, over capacity). For tests
// and for checking a result from elsewhere.
Result<int64_t> assignment_cost(const BatchProblem& problem, const std::vector<int>& expert_of_request);

}  // namespace dh::matching
