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
// k-th unit at its k-th marginal cost, plus a source -> sink "not assigned"
// bypass costing M = 2S + 1, S = the sum of all |costs|: larger than any
// difference in real cost, so assigning one more always wins), solved exactly
// by LEMON's NetworkSimplex with 64-bit integer costs.
//
// Costs may be negative. A problem is refused when the sum of the absolute
// values of all its costs exceeds kMaxCostSum = 2^58: then M <= 2^59 + 1 and
// no potential inside the solver (LEMON's start potentials are 2^62, plus
// path sums below 2^61) nor any total can overflow 64 bits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/operation.h"  // Json
#include "core/result.h"

namespace dh::matching {

// The bound on sum(|arc cost|) + sum(|marginal cost|) of a problem: 2^58.
constexpr int64_t kMaxCostSum = int64_t(1) << 58;

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

// ---- The problem file's "costs" form (docs/matching.md) --------------------

// A batch with the outside names of its requests and experts.
struct NamedBatch {
  std::vector<std::string> request_ids;  // index = request
  std::vector<std::string> expert_ids;   // index = expert
  BatchProblem problem;
};

// Reads {"form": "costs", "requests": [...], "experts": [...], "pairs": [...]}.
// Errors name the entry at fault, e.g. "experts[3].extra_costs[2]: must not be
// less than the one before" or "pairs[7]: no expert \"e9\"".
Result<NamedBatch> costs_problem_from_json(const Json& j);

// {"assignments": [{"request", "expert" (or null)}...], "assigned", "unassigned", "total_cost"}.
Json batch_result_to_json(const NamedBatch& batch, const BatchResult& result);

}  // namespace dh::matching
