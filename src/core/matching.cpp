// Batch matching as min-cost flow with LEMON (see matching.h, docs/matching.md).
#include "core/matching.h"

#include <lemon/network_simplex.h>
#include <lemon/preflow.h>
#include <lemon/static_graph.h>

#include <algorithm>

#include <set>
#include <utility>

namespace dh::matching {

namespace {

Error bad(const std::string& where, const std::string& what) {
  return make_error("bad_matching_problem", where + ": " + what);
}

std::string at(const char* list, size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; }

// Adds |c| to *sum unless that would pass kMaxCostSum; false if it would.
bool add_abs(int64_t c, int64_t* sum) {
  if (c < -kMaxCostSum || c > kMaxCostSum) return false;
  const int64_t a = c < 0 ? -c : c;
  if (*sum > kMaxCostSum - a) return false;
  *sum += a;
  return true;
}

}  // namespace

Status validate(const BatchProblem& p) {
  if (p.request_count < 0) return bad("request_count", "must not be negative");
  size_t units = 0;
  for (const auto& ex : p.experts) units += ex.extra_costs.size();
  if (units > (size_t(1) << 30)) return bad("experts", "their capacities add up to more than 2^30 cases");
  int64_t sum = 0;
  const std::string too_big = "the costs are too large: the sum of their absolute values must not exceed 2^60 (" +
                              std::to_string(kMaxCostSum) + ")";
  for (size_t e = 0; e < p.experts.size(); ++e) {
    const auto& costs = p.experts[e].extra_costs;
    for (size_t k = 0; k < costs.size(); ++k) {
      if (k > 0 && costs[k] < costs[k - 1])
        return bad(at("experts", e) + "." + at("extra_costs", k), "must not be less than the one before");
      if (!add_abs(costs[k], &sum)) return bad(at("experts", e) + "." + at("extra_costs", k), too_big);
    }
  }
  std::set<std::pair<int, int>> seen;
  for (size_t i = 0; i < p.arcs.size(); ++i) {
    const BatchArc& a = p.arcs[i];
    if (a.request < 0 || a.request >= p.request_count)
      return bad(at("arcs", i) + ".request", "no request " + std::to_string(a.request) + " (there are " +
                                                 std::to_string(p.request_count) + ")");
    if (a.expert < 0 || static_cast<size_t>(a.expert) >= p.experts.size())
      return bad(at("arcs", i) + ".expert", "no expert " + std::to_string(a.expert) + " (there are " +
                                                std::to_string(p.experts.size()) + ")");
    if (!seen.insert({a.request, a.expert}).second)
      return bad(at("arcs", i), "request " + std::to_string(a.request) + " and expert " + std::to_string(a.expert) +
                                    " are paired twice");
    if (!add_abs(a.cost, &sum)) return bad(at("arcs", i) + ".cost", too_big);
  }
  return ok_status();
}

Result<BatchResult> solve_batch(const BatchProblem& p) {
  if (Status s = validate(p); !s) return s.error();
  BatchResult result;
  result.expert_of_request.assign(static_cast<size_t>(p.request_count), -1);
  if (p.request_count == 0 || p.arcs.empty()) return result;

  // Nodes: 0 source, 1..R requests, R+1..R+E experts, R+E+1 sink. A
  // StaticDigraph takes its arcs sorted by source node, so the pairs go in
  // request order; arc i of the graph is arcs[i] below.
  using Graph = lemon::StaticDigraph;
  const int R = p.request_count;
  const int E = static_cast<int>(p.experts.size());
  const int source_id = 0, sink_id = R + E + 1;
  std::vector<std::pair<int, int>> arcs;
  std::vector<int> arc_capacity;
  std::vector<int64_t> arc_cost;
  arcs.reserve(static_cast<size_t>(R) + p.arcs.size() + static_cast<size_t>(E));
  auto add = [&](int from, int to, int cap, int64_t c) {
    arcs.emplace_back(from, to);
    arc_capacity.push_back(cap);
    arc_cost.push_back(c);
  };
  for (int r = 0; r < R; ++r) add(source_id, 1 + r, 1, 0);
  std::vector<size_t> pair_order(p.arcs.size());
  for (size_t i = 0; i < pair_order.size(); ++i) pair_order[i] = i;
  std::stable_sort(pair_order.begin(), pair_order.end(),
                   [&](size_t a, size_t b) { return p.arcs[a].request < p.arcs[b].request; });
  std::vector<int> pair_arc(p.arcs.size());
  for (size_t i : pair_order) {
    pair_arc[i] = static_cast<int>(arcs.size());
    add(1 + p.arcs[i].request, 1 + R + p.arcs[i].expert, 1, p.arcs[i].cost);
  }
  // Expert -> sink: the k-th unit costs extra_costs[k]. Runs of equal marginal
  // costs become one arc carrying the run's length (same optimum, fewer arcs).
  // The list is non-decreasing, so a min-cost flow takes the cheap units first
  // and pays exactly the sum of the first k marginals.
  for (int e = 0; e < E; ++e) {
    const auto& m = p.experts[static_cast<size_t>(e)].extra_costs;
    for (size_t k = 0; k < m.size();) {
      size_t run = k;
      while (run < m.size() && m[run] == m[k]) ++run;
      add(1 + R + e, sink_id, static_cast<int>(run - k), m[k]);
      k = run;
    }
  }
  Graph g;
  g.build(R + E + 2, arcs.begin(), arcs.end());
  Graph::ArcMap<int> capacity(g);
  Graph::ArcMap<int64_t> cost(g);
  for (size_t i = 0; i < arcs.size(); ++i) {
    capacity[g.arc(static_cast<int>(i))] = arc_capacity[i];
    cost[g.arc(static_cast<int>(i))] = arc_cost[i];
  }
  const Graph::Node source = g.node(source_id), sink = g.node(sink_id);

  // Phase 1: the largest number of requests that can be assigned at all.
  lemon::Preflow<Graph, Graph::ArcMap<int>> preflow(g, capacity, source, sink);
  preflow.runMinCut();
  const int most = static_cast<int>(preflow.flowValue());
  if (most == 0) return result;

  // Phase 2: the least-cost flow of exactly that value.
  lemon::NetworkSimplex<Graph, int, int64_t> simplex(g);
  simplex.upperMap(capacity).costMap(cost).stSupply(source, sink, most);
  const auto status = simplex.run();
  if (status != lemon::NetworkSimplex<Graph, int, int64_t>::OPTIMAL)
    return make_error("solver_failed", "the min-cost flow solver found no optimum for a feasible flow value "
                                       "(this is a defect; please report the problem file)");
  for (size_t i = 0; i < p.arcs.size(); ++i) {
    if (simplex.flow(g.arc(pair_arc[i])) > 0) result.expert_of_request[static_cast<size_t>(p.arcs[i].request)] = p.arcs[i].expert;
  }
  result.assigned = most;
  result.total_cost = simplex.totalCost<int64_t>();
  return result;
}

Result<int64_t> assignment_cost(const BatchProblem& p, const std::vector<int>& expert_of_request) {
  if (expert_of_request.size() != static_cast<size_t>(p.request_count))
    return make_error("bad_assignment", "the assignment lists " + std::to_string(expert_of_request.size()) +
                                            " requests, the problem has " + std::to_string(p.request_count));
  std::vector<std::vector<std::pair<int, int64_t>>> arcs_of(static_cast<size_t>(p.request_count));
  for (const BatchArc& a : p.arcs) arcs_of[static_cast<size_t>(a.request)].push_back({a.expert, a.cost});
  std::vector<size_t> load(p.experts.size(), 0);
  int64_t total = 0;
  for (size_t r = 0; r < expert_of_request.size(); ++r) {
    const int e = expert_of_request[r];
    if (e < 0) continue;
    if (static_cast<size_t>(e) >= p.experts.size())
      return make_error("bad_assignment", "request " + std::to_string(r) + " names no expert " + std::to_string(e));
    bool found = false;
    for (const auto& [ex, c] : arcs_of[r]) {
      if (ex == e) {
        total += c;
        found = true;
        break;
      }
    }
    if (!found)
      return make_error("bad_assignment", "request " + std::to_string(r) + " cannot go to expert " + std::to_string(e));
    const auto& m = p.experts[static_cast<size_t>(e)].extra_costs;
    if (load[static_cast<size_t>(e)] >= m.size())
      return make_error("bad_assignment", "expert " + std::to_string(e) + " is given more than " +
                                              std::to_string(m.size()) + " cases");
    total += m[load[static_cast<size_t>(e)]++];
  }
  return total;
}

}  // namespace dh::matching
