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
// by LEMON's NetworkSimplex with 64-bit integer costs (one-to-one batches:
// by successive shortest paths, solve_batch below).
//
// Costs may be negative. A problem is refused when the sum of the absolute
// values of all its costs exceeds kMaxCostSum = 2^58: then M <= 2^59 + 1 and
// no potential inside the solver (LEMON's start potentials are 2^62, plus
// path sums below 2^61) nor any total can overflow 64 bits.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/operation.h"  // Json
#include "core/result.h"
#include "core/talent.h"

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
// One-to-one problems (every expert's remaining capacity at most 1) go to a
// sparse successive-shortest-path assignment solver (faster there: see
// bench/README.md, match_bench); all others to LEMON's NetworkSimplex.
Result<BatchResult> solve_batch(const BatchProblem& problem);

// The same optimum, always by LEMON's NetworkSimplex (for tests and benches
// comparing the two solvers).
Result<BatchResult> solve_batch_flow(const BatchProblem& problem);

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

// ---- The record-based cost model (docs/matching.md, "Cost model") ----------
//
// From the talent pool's records to the solver's numbers. An expert is
// admissible for a request when the request's category is one of their
// fields, they are available (not archived or marked unavailable), they have
// room (capacity - open cases > 0; the current assignee always stays
// admissible for a shortlist), and there is no conflict of interest: the
// expert is not a party, and does not live in a party's household. Conflicts
// are hard filters, counted with their reason.
//
// Pair cost (whole numbers, lower is better):
//   (3 - level) * level_step                    field level 3 costs nothing
// + grid distance * distance_step
// + urgent_below_top   when urgency 3 and level < 3
// + no_weekly_slots    when the expert lists no weekly availability
// - earlier_bonus      when the expert handled a case of one of these parties
// Load: the expert's k-th extra case (k = 0, 1, ...) costs
//   load_step * (open cases + k)  -- convex: spreads cases over experts.
// An expert without a capacity on record (0) counts default_capacity.

struct CostModel {
  int64_t level_step = 40;
  int64_t distance_step = 15;
  int64_t urgent_below_top = 25;
  int64_t no_weekly_slots = 30;
  int64_t earlier_bonus = 20;
  int64_t load_step = 12;
  int default_capacity = 5;
};

// A reason in the UI's language is a code with parameters; the words are in
// src/ui/strings_talent.cpp under the same key (match.reason.*).
struct Reason {
  std::string code;                 // e.g. "match.reason.field_level"
  std::vector<std::string> params;  // e.g. {"dispute_mediation", "3"}
};

// Grid distance: 0 same grid, higher = farther (talent::grid_distance for a State).
using GridDistance = std::function<int(const std::string&, const std::string&)>;

struct Candidate {
  std::string expert_id;
  int64_t cost = 0;  // pair cost + the cost of this expert's next case
  int level = 0, distance = 0, open_cases = 0, capacity = 0, earlier_cases = 0;
  bool weekly_slots = false;
  std::vector<Reason> reasons;  // in display order
};

struct Shortlist {
  std::string request_id;
  std::vector<Candidate> ranked;  // best first (cost, then expert id)
  // Experts left out, by reason (an expert counts once, first reason that applies:
  // party, household, unavailable, full; experts of other fields are not counted).
  int filtered_party = 0, filtered_household = 0, filtered_unavailable = 0, filtered_full = 0;
  std::vector<Reason> filtered;  // the non-zero counts as reasons (match.reason.filtered_*)
};

// The ranked shortlist for one request (an error if there is no such request).
Result<Shortlist> shortlist(const talent::TalentView& view, const std::string& request_id, const GridDistance& distance,
                            const CostModel& model = {});
Result<Shortlist> shortlist(const State& state, const talent::TalentView& view, const std::string& request_id,
                            const CostModel& model = {});

// The week's batch: the open requests not yet assigned (recorded, triaged),
// every available expert with room, the costs of the model above.
struct RecordBatch {
  NamedBatch batch;                     // what the solver sees
  std::vector<Shortlist> per_request;   // index = request: its admissible experts with reasons
};
RecordBatch batch_from_view(const talent::TalentView& view, const GridDistance& distance, const CostModel& model = {});

// The solver's optimum as a proposal to review. Trainees: each assigned case
// whose expert mentors a trainee proposes that trainee beside them (each
// trainee at most once per batch, the one with the fewest case records first).
struct ProposedAssignment {
  std::string request_id, expert_id, trainee_id;  // trainee_id "" when none
  std::vector<Reason> reasons;
};
struct BatchProposal {
  std::vector<ProposedAssignment> assignments;  // in request order
  std::vector<std::string> unassigned;          // request ids nobody admissible could take
  int assigned = 0;
  int64_t total_cost = 0;
};
Result<BatchProposal> propose_from_batch(const RecordBatch& batch, const std::vector<talent::TraineeView>& trainees);
Result<BatchProposal> propose_batch(const talent::TalentView& view, const std::vector<talent::TraineeView>& trainees,
                                    const GridDistance& distance, const CostModel& model = {});
Result<BatchProposal> propose_batch(const State& state, long long now_minute, const CostModel& model = {});
// The proposal as `assign` steps (request_step records) stamped `at` ("YYYY-MM-DD HH:MM").
std::vector<Command> proposal_commands(const BatchProposal& proposal, const std::string& at);

// The problem file's "records" form -> (view, trainees, grid order); see docs/matching.md.
struct RecordsProblem {
  talent::TalentView view;
  std::vector<talent::TraineeView> trainees;
  std::vector<std::string> grid_order;  // distance = difference of positions; unknown grid = 4
  int distance(const std::string& a, const std::string& b) const;
};
Result<RecordsProblem> records_problem_from_json(const Json& j);
Json proposal_to_json(const BatchProposal& proposal, const RecordBatch& batch);

}  // namespace dh::matching
