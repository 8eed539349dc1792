// Batch matching (core/matching.h): the min-cost-flow optimum against a brute
// force enumerator on thousands of small random instances (capacities, convex
// marginal costs, negative costs, ties, unassignable requests), known cases,
// empty problems, and the refusals with the entry named.
#include <catch2/catch.hpp>

#include <limits>

#include "core/matching.h"
#include "support/splitmix.h"

using namespace dh::matching;

namespace {

using Rng = dh::test::SplitMix64;

// Every assignment (each request to one of its admissible experts or to none,
// within capacities): the best (most assigned, then least cost).
struct Best {
  int assigned = -1;
  int64_t cost = 0;
};

void enumerate(const BatchProblem& p, const std::vector<std::vector<std::pair<int, int64_t>>>& options, size_t r,
               std::vector<int>& load, int assigned, int64_t cost, Best* best) {
  if (r == options.size()) {
    if (assigned > best->assigned || (assigned == best->assigned && cost < best->cost)) *best = {assigned, cost};
    return;
  }
  enumerate(p, options, r + 1, load, assigned, cost, best);
  for (const auto& [e, c] : options[r]) {
    const auto& m = p.experts[static_cast<size_t>(e)].extra_costs;
    int& k = load[static_cast<size_t>(e)];
    if (static_cast<size_t>(k) >= m.size()) continue;
    const int64_t marginal = m[static_cast<size_t>(k)];
    ++k;
    enumerate(p, options, r + 1, load, assigned + 1, cost + c + marginal, best);
    --k;
  }
}

Best brute_force(const BatchProblem& p) {
  std::vector<std::vector<std::pair<int, int64_t>>> options(static_cast<size_t>(p.request_count));
  for (const auto& a : p.arcs) options[static_cast<size_t>(a.request)].push_back({a.expert, a.cost});
  std::vector<int> load(p.experts.size(), 0);
  Best best;
  enumerate(p, options, 0, load, 0, 0, &best);
  return best;
}

struct Shape {
  int max_requests, max_experts, max_capacity;
  int64_t cost_lo, cost_hi;  // pair costs
  int64_t step_hi;           // marginal increments 0..step_hi
  int density_percent;       // chance of each (request, expert) pair
};

BatchProblem random_problem(Rng& rng, const Shape& s) {
  BatchProblem p;
  p.request_count = rng.below(s.max_requests + 1);
  p.experts.resize(static_cast<size_t>(rng.below(s.max_experts + 1)));
  for (auto& e : p.experts) {
    const int cap = rng.below(s.max_capacity + 1);
    int64_t m = rng.between(s.cost_lo, s.cost_hi);
    for (int k = 0; k < cap; ++k) {
      e.extra_costs.push_back(m);
      m += rng.between(0, s.step_hi);
    }
  }
  for (int r = 0; r < p.request_count; ++r)
    for (int e = 0; e < static_cast<int>(p.experts.size()); ++e)
      if (rng.below(100) < s.density_percent) p.arcs.push_back({r, e, rng.between(s.cost_lo, s.cost_hi)});
  // Shuffle the arcs so their order says nothing about requests.
  for (size_t i = p.arcs.size(); i > 1; --i) std::swap(p.arcs[i - 1], p.arcs[static_cast<size_t>(rng.below(static_cast<int>(i)))]);
  return p;
}

void check_against_brute_force(const BatchProblem& p) {
  auto solved = solve_batch(p);
  REQUIRE(solved.ok());
  const BatchResult& res = solved.value();
  const Best best = brute_force(p);
  REQUIRE(res.assigned == best.assigned);
  REQUIRE(res.total_cost == best.cost);
  // The assignment itself is feasible and has the reported count and cost.
  REQUIRE(res.expert_of_request.size() == static_cast<size_t>(p.request_count));
  int count = 0;
  for (int e : res.expert_of_request) count += e >= 0 ? 1 : 0;
  REQUIRE(count == res.assigned);
  auto cost = assignment_cost(p, res.expert_of_request);
  REQUIRE(cost.ok());
  REQUIRE(cost.value() == res.total_cost);
}

}  // namespace

TEST_CASE("matching: optimum equals brute force on random small batches", "[matching]") {
  const Shape shapes[] = {
      {6, 4, 3, 0, 20, 10, 50},         // general
      {6, 3, 1, 0, 50, 0, 60},          // one-to-one (capacity 1)
      {7, 2, 4, 0, 3, 1, 70},           // many ties: costs 0..3, steps 0..1
      {6, 4, 2, -30, 30, 15, 40},       // negative costs
      {5, 5, 3, 0, 1000, 500, 25},      // sparse: some requests unassignable
      {6, 1, 6, 0, 9, 9, 100},          // one expert, convex load only
  };
  Rng rng{20261202};
  int instances = 0, with_unassigned = 0;
  for (const Shape& s : shapes) {
    for (int i = 0; i < 800; ++i) {
      BatchProblem p = random_problem(rng, s);
      check_against_brute_force(p);
      auto res = solve_batch(p);
      if (res->assigned < p.request_count) ++with_unassigned;
      ++instances;
    }
  }
  REQUIRE(instances == 4800);
  // The generator really produces batches where not everyone can be served.
  REQUIRE(with_unassigned > 500);
}

TEST_CASE("matching: the one-to-one solver equals LEMON's min-cost flow on larger random batches", "[matching]") {
  // solve_batch takes the successive-shortest-path solver when every expert
  // has room for at most one case; solve_batch_flow always takes LEMON.
  // Beyond brute force's reach: up to 60 requests x 40 experts, capacity 0
  // or 1, negative costs, ties, sparse and dense.
  const Shape shapes[] = {
      {60, 40, 1, 0, 300, 0, 20},     // the bench's kind: positive costs
      {60, 40, 1, -50, 50, 0, 35},    // negative costs
      {40, 60, 1, 0, 3, 0, 50},       // more experts than requests, many ties
      {60, 10, 1, 0, 1000, 0, 5},     // very sparse: many unassignable
      {25, 25, 1, -1000, 1000, 0, 100},  // complete bipartite
  };
  Rng rng{20261203};
  int compared = 0, partial = 0;
  for (const Shape& s : shapes) {
    for (int i = 0; i < 300; ++i) {
      BatchProblem p = random_problem(rng, s);
      auto fast = solve_batch(p);
      auto flow = solve_batch_flow(p);
      REQUIRE(fast.ok());
      REQUIRE(flow.ok());
      REQUIRE(fast->assigned == flow->assigned);
      REQUIRE(fast->total_cost == flow->total_cost);
      auto cost = assignment_cost(p, fast->expert_of_request);
      REQUIRE(cost.ok());
      REQUIRE(cost.value() == fast->total_cost);
      int count = 0;
      for (int e : fast->expert_of_request) count += e >= 0 ? 1 : 0;
      REQUIRE(count == fast->assigned);
      if (fast->assigned < std::min<int>(p.request_count, static_cast<int>(p.experts.size()))) ++partial;
      ++compared;
    }
  }
  REQUIRE(compared == 1500);
  REQUIRE(partial > 100);  // the shapes really leave requests or experts out
}

TEST_CASE("matching: as many assigned as possible comes before cost", "[matching]") {
  // Request 0 would be cheapest with expert 0, but only expert 0 can take
  // request 1: the optimum assigns both, at a higher cost.
  BatchProblem p;
  p.request_count = 2;
  p.experts = {{{0}}, {{0}}};
  p.arcs = {{0, 0, 0}, {0, 1, 100}, {1, 0, 1000}};
  auto res = solve_batch(p);
  REQUIRE(res.ok());
  CHECK(res->assigned == 2);
  CHECK(res->total_cost == 1100);
  CHECK(res->expert_of_request == std::vector<int>{1, 0});
}

TEST_CASE("matching: the convex load cost spreads cases", "[matching]") {
  // Two experts, four equal requests; the k-th extra case costs 1, 10, 100.
  BatchProblem p;
  p.request_count = 4;
  p.experts = {{{1, 10, 100}}, {{1, 10, 100}}};
  for (int r = 0; r < 4; ++r) {
    p.arcs.push_back({r, 0, 5});
    p.arcs.push_back({r, 1, 5});
  }
  auto res = solve_batch(p);
  REQUIRE(res.ok());
  CHECK(res->assigned == 4);
  CHECK(res->total_cost == 4 * 5 + 2 * (1 + 10));
  int load0 = 0;
  for (int e : res->expert_of_request) load0 += e == 0 ? 1 : 0;
  CHECK(load0 == 2);
}

TEST_CASE("matching: empty and degenerate problems", "[matching]") {
  BatchProblem empty;
  auto res = solve_batch(empty);
  REQUIRE(res.ok());
  CHECK(res->assigned == 0);
  CHECK(res->total_cost == 0);
  CHECK(res->expert_of_request.empty());

  BatchProblem no_experts;
  no_experts.request_count = 3;
  res = solve_batch(no_experts);
  REQUIRE(res.ok());
  CHECK(res->expert_of_request == std::vector<int>{-1, -1, -1});

  BatchProblem no_capacity;  // arcs exist, but nobody can take a case
  no_capacity.request_count = 2;
  no_capacity.experts = {{{}}};
  no_capacity.arcs = {{0, 0, 1}, {1, 0, 2}};
  res = solve_batch(no_capacity);
  REQUIRE(res.ok());
  CHECK(res->assigned == 0);
  CHECK(res->total_cost == 0);
}

TEST_CASE("matching: large costs near the bound are exact", "[matching]") {
  Rng rng{7};
  const int64_t big = int64_t(1) << 53;
  for (int i = 0; i < 200; ++i) {
    BatchProblem p = random_problem(rng, {5, 3, 2, -big, big, big / 4, 60});
    // Within the bound 2^58: at most 5*3 arcs + 3*2 marginals, each below 2^54.
    check_against_brute_force(p);
  }
}

TEST_CASE("matching: costs summing to just under the bound do not overflow", "[matching]") {
  const int64_t c = (int64_t(1) << 56) - 1;  // three of them: 3 * 2^56 < 2^58
  BatchProblem p;
  p.request_count = 2;
  p.experts = {{{0}}, {{0}}};
  p.arcs = {{0, 0, c}, {0, 1, -c}, {1, 0, -c}};
  auto res = solve_batch(p);
  REQUIRE(res.ok());
  CHECK(res->assigned == 2);
  CHECK(res->total_cost == -2 * c);
  CHECK(res->expert_of_request == std::vector<int>{1, 0});
  // One more unit of cost passes the bound: refused, not solved wrongly.
  p.arcs.push_back({1, 1, (int64_t(1) << 58) - 3 * c + 1});
  CHECK_FALSE(solve_batch(p).ok());
}

TEST_CASE("matching: refusals name the entry at fault", "[matching]") {
  BatchProblem p;
  p.request_count = 2;
  p.experts = {{{1, 2}}, {{3}}, {{0}}, {{5, 6, 4}}};
  auto res = solve_batch(p);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().message == "experts[3].extra_costs[2]: must not be less than the one before");

  p.experts[3].extra_costs = {4, 5, 6};
  p.arcs = {{0, 0, 1}, {2, 0, 1}};
  res = solve_batch(p);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().message == "arcs[1].request: no request 2 (there are 2)");

  p.arcs = {{0, 0, 1}, {1, 4, 1}};
  res = solve_batch(p);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().message == "arcs[1].expert: no expert 4 (there are 4)");

  p.arcs = {{0, 1, 1}, {1, 0, 1}, {0, 1, 7}};
  res = solve_batch(p);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().message == "arcs[2]: request 0 and expert 1 are paired twice");

  // One cost over 2^58, and costs each fine but together over it.
  p.arcs = {{0, 0, kMaxCostSum + 1}};
  res = solve_batch(p);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().message.rfind("arcs[0].cost: the costs are too large", 0) == 0);
  p.arcs = {{0, 0, kMaxCostSum / 2}, {1, 0, -(kMaxCostSum / 2)}};
  res = solve_batch(p);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().message.rfind("arcs[1].cost: the costs are too large", 0) == 0);
  p.arcs = {{0, 0, std::numeric_limits<int64_t>::min()}};
  CHECK_FALSE(solve_batch(p).ok());

  // assignment_cost refuses infeasible assignments.
  p.arcs = {{0, 1, 1}, {1, 1, 1}};
  CHECK_FALSE(assignment_cost(p, {1, 1}).ok());   // expert 1 has capacity 1
  CHECK_FALSE(assignment_cost(p, {0, -1}).ok());  // no arc (0, 0)
  CHECK(assignment_cost(p, {1, -1}).value() == 1 + 3);
}
