// Batch matching as min-cost flow with LEMON (see matching.h, docs/matching.md).
#include "core/matching.h"

#include <lemon/network_simplex.h>
#include <lemon/static_graph.h>

#include <algorithm>
#include <functional>
#include <limits>

#include <map>
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

// The indices of p.arcs grouped by request, in file order within a request
// (a stable counting sort; requests must be in range).
std::vector<size_t> arcs_by_request(const BatchProblem& p) {
  std::vector<size_t> start(static_cast<size_t>(p.request_count) + 1, 0);
  for (const BatchArc& a : p.arcs) ++start[static_cast<size_t>(a.request) + 1];
  for (size_t r = 1; r < start.size(); ++r) start[r] += start[r - 1];
  std::vector<size_t> order(p.arcs.size());
  for (size_t i = 0; i < p.arcs.size(); ++i) order[start[static_cast<size_t>(p.arcs[i].request)]++] = i;
  return order;
}

}  // namespace

namespace {

// validate(), also giving the sum of all |costs| (at most kMaxCostSum) and
// the arcs grouped by request (arcs_by_request), which solve_batch reuses.
Status check(const BatchProblem& p, int64_t* abs_sum, std::vector<size_t>* by_request) {
  if (p.request_count < 0) return bad("request_count", "must not be negative");
  size_t units = 0;
  for (const auto& ex : p.experts) units += ex.extra_costs.size();
  if (units > (size_t(1) << 30)) return bad("experts", "their capacities add up to more than 2^30 cases");
  int64_t sum = 0;
  const std::string too_big = "the costs are too large: the sum of their absolute values must not exceed 2^58 (" +
                              std::to_string(kMaxCostSum) + ")";
  for (size_t e = 0; e < p.experts.size(); ++e) {
    const auto& costs = p.experts[e].extra_costs;
    for (size_t k = 0; k < costs.size(); ++k) {
      if (k > 0 && costs[k] < costs[k - 1])
        return bad(at("experts", e) + "." + at("extra_costs", k), "must not be less than the one before");
      if (!add_abs(costs[k], &sum)) return bad(at("experts", e) + "." + at("extra_costs", k), too_big);
    }
  }
  // Range checks first (in file order), then duplicates: the arcs grouped by
  // request (a stable counting sort), each expert stamped with the last
  // request that named it. Linear time: this runs before every solve.
  for (size_t i = 0; i < p.arcs.size(); ++i) {
    const BatchArc& a = p.arcs[i];
    if (a.request < 0 || a.request >= p.request_count)
      return bad(at("arcs", i) + ".request", "no request " + std::to_string(a.request) + " (there are " +
                                                 std::to_string(p.request_count) + ")");
    if (a.expert < 0 || static_cast<size_t>(a.expert) >= p.experts.size())
      return bad(at("arcs", i) + ".expert", "no expert " + std::to_string(a.expert) + " (there are " +
                                                std::to_string(p.experts.size()) + ")");
    if (!add_abs(a.cost, &sum)) return bad(at("arcs", i) + ".cost", too_big);
  }
  std::vector<size_t> order = arcs_by_request(p);
  std::vector<int> stamp(p.experts.size(), -1);
  for (size_t i : order) {
    const BatchArc& a = p.arcs[i];
    int& last = stamp[static_cast<size_t>(a.expert)];
    if (last == a.request)
      return bad(at("arcs", i), "request " + std::to_string(a.request) + " and expert " + std::to_string(a.expert) +
                                    " are paired twice");
    last = a.request;
  }
  *abs_sum = sum;
  if (by_request) *by_request = std::move(order);
  return ok_status();
}

// A read-only arc map over a vector indexed by the arc's id (a StaticDigraph
// numbers its arcs in the order given to build()): no copy into an ArcMap.
template <typename Graph, typename V>
struct ArcVectorMap {
  using Key = typename Graph::Arc;
  using Value = V;
  const Graph* g;
  const std::vector<V>* values;
  V operator[](const Key& a) const { return (*values)[static_cast<size_t>(g->id(a))]; }
};

}  // namespace

Status validate(const BatchProblem& p) {
  int64_t abs_sum = 0;
  return check(p, &abs_sum, nullptr);
}

namespace {

// The min-cost flow below on a checked problem (abs_sum and pair_order from check()).
Result<BatchResult> solve_by_flow(const BatchProblem& p, int64_t abs_sum, const std::vector<size_t>& pair_order) {
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
  add(source_id, sink_id, R, 2 * abs_sum + 1);  // the bypass: "not assigned"
  std::vector<int> pair_arc(p.arcs.size());
  for (size_t i : pair_order) {
    pair_arc[i] = static_cast<int>(arcs.size());
    add(1 + p.arcs[i].request, 1 + R + p.arcs[i].expert, 1, p.arcs[i].cost);
  }
  const size_t first_expert_arc = arcs.size();
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
  const ArcVectorMap<Graph, int> capacity{&g, &arc_capacity};
  const ArcVectorMap<Graph, int64_t> cost{&g, &arc_cost};
  const Graph::Node source = g.node(source_id), sink = g.node(sink_id);

  // One least-cost flow of value R. Every request can always reach the sink:
  // through an expert (an assignment) or through the bypass arc, which costs
  // M = 2S + 1 (S = the sum of all |costs|, so any two assignments' real costs
  // differ by at most 2S < M). Hence one more assignment always beats any
  // saving in cost: the optimum assigns as many as possible, then costs least.
  //
  // Pivot rule: FIRST_ELIGIBLE, not LEMON's default BLOCK_SEARCH. Both are
  // exact; on these bipartite graphs (few experts, many requests, most arcs
  // never entering the basis) the first eligible arc after the last one
  // needs fewer instructions per solve: the same (50 requests) to 1.7x fewer
  // (1,000 requests), counted with callgrind on bench/match_bench's instances.
  using Simplex = lemon::NetworkSimplex<Graph, int, int64_t>;
  Simplex simplex(g);
  simplex.upperMap(capacity).costMap(cost).stSupply(source, sink, R);
  const auto status = simplex.run(Simplex::FIRST_ELIGIBLE);
  if (status != Simplex::OPTIMAL)
    return make_error("solver_failed", "the min-cost flow solver found no optimum "
                                       "(this is a defect; please report the problem file)");
  // The totals are summed here, not by LEMON: the bypass's M * flow could pass 64 bits.
  int64_t total = 0;
  for (size_t i = 0; i < p.arcs.size(); ++i) {
    if (simplex.flow(g.arc(pair_arc[i])) > 0) {
      result.expert_of_request[static_cast<size_t>(p.arcs[i].request)] = p.arcs[i].expert;
      total += p.arcs[i].cost;
      ++result.assigned;
    }
  }
  for (size_t i = first_expert_arc; i < arcs.size(); ++i)
    total += static_cast<int64_t>(simplex.flow(g.arc(static_cast<int>(i)))) * arc_cost[i];
  result.total_cost = total;
  return result;
}

// One-to-one batches (every expert takes at most one more case): a sparse
// shortest-augmenting-path assignment solver (the primal-dual method behind
// Jonker-Volgenant and scipy's linear_sum_assignment, on adjacency lists).
// Rows are the smaller side (experts with room, or requests), columns the
// other; a pair's weight is its cost plus the expert's first extra cost.
// Every row also has a private "none" column at M = 2S + 1 (S = the sum of
// all |weights|), so each row is always assigned; as with the flow's bypass,
// M exceeds any difference of real costs, so the optimum assigns as many
// pairs as possible, then costs least. Rows are added one at a time; each
// is a Dijkstra on reduced costs w + pi(row) - pi(column) >= 0 from the new
// row to the nearest free column, then the path is flipped and the settled
// nodes' potentials updated (all free columns keep equal potentials, so the
// nearest in reduced terms is the nearest in real terms). Magnitudes: the
// checked bound S <= 2^58 keeps M, distances and potentials below 2^62.
BatchResult solve_one_to_one(const BatchProblem& p, const std::vector<size_t>& pair_order) {
  const int R = p.request_count, E = static_cast<int>(p.experts.size());
  BatchResult result;
  result.expert_of_request.assign(static_cast<size_t>(R), -1);
  int experts_with_room = 0;
  for (const BatchExpert& e : p.experts) experts_with_room += e.extra_costs.empty() ? 0 : 1;
  const bool rows_are_experts = experts_with_room <= R;
  const int rows = rows_are_experts ? E : R, columns = rows_are_experts ? R : E;
  // Adjacency by row (CSR), in request order within an expert (deterministic ties).
  std::vector<int> first(static_cast<size_t>(rows) + 1, 0);
  auto usable = [&](const BatchArc& a) { return !p.experts[static_cast<size_t>(a.expert)].extra_costs.empty(); };
  for (const BatchArc& a : p.arcs)
    if (usable(a)) ++first[static_cast<size_t>(rows_are_experts ? a.expert : a.request) + 1];
  for (int r = 0; r < rows; ++r) first[static_cast<size_t>(r) + 1] += first[static_cast<size_t>(r)];
  std::vector<int> arc_column(static_cast<size_t>(first.back()));
  std::vector<int64_t> arc_weight(arc_column.size());
  int64_t weight_sum = 0;
  {
    std::vector<int> fill(first.begin(), first.end() - 1);
    for (size_t i : pair_order) {
      const BatchArc& a = p.arcs[i];
      if (!usable(a)) continue;
      const int row = rows_are_experts ? a.expert : a.request, column = rows_are_experts ? a.request : a.expert;
      const size_t k = static_cast<size_t>(fill[static_cast<size_t>(row)]++);
      arc_column[k] = column;
      arc_weight[k] = a.cost + p.experts[static_cast<size_t>(a.expert)].extra_costs[0];
      weight_sum += arc_weight[k] < 0 ? -arc_weight[k] : arc_weight[k];
    }
  }
  const int64_t none_weight = 2 * weight_sum + 1;  // M
  // Node ids: rows 0..rows-1, real columns rows..rows+columns-1, row i's none column rows+columns+i.
  const int real0 = rows, none0 = rows + columns, N = rows + columns + rows;
  std::vector<int64_t> pi(static_cast<size_t>(N), 0);
  // Feasible start: columns at 0, each row at minus its least weight (M if it has no pair).
  for (int r = 0; r < rows; ++r) {
    int64_t least = none_weight;
    for (int k = first[static_cast<size_t>(r)]; k < first[static_cast<size_t>(r) + 1]; ++k)
      least = std::min(least, arc_weight[static_cast<size_t>(k)]);
    pi[static_cast<size_t>(r)] = -least;
  }
  std::vector<int> row_of_column(static_cast<size_t>(N), -1);  // for column nodes
  std::vector<int> column_of_row(static_cast<size_t>(rows), -1);
  std::vector<int64_t> weight_of_row(static_cast<size_t>(rows), 0);  // weight of the row's matched pair
  std::vector<int64_t> dist(static_cast<size_t>(N));
  std::vector<int> pred(static_cast<size_t>(N));  // column node: the row that reached it
  std::vector<int64_t> pred_weight(static_cast<size_t>(N));
  std::vector<unsigned> seen(static_cast<size_t>(N), 0), done(static_cast<size_t>(N), 0);
  std::vector<int> settled;
  using Entry = std::pair<int64_t, int>;
  std::vector<Entry> heap;
  for (int start = 0; start < rows; ++start) {
    const unsigned round = static_cast<unsigned>(start) + 1;
    heap.clear();
    settled.clear();
    // Free columns are not queued: the nearest one seen so far is kept, and
    // nothing at or beyond its distance is queued or settled.
    int target = -1;
    int64_t reached = std::numeric_limits<int64_t>::max();
    auto relax = [&](int v, int64_t d, int from, int64_t w) {
      const size_t vi = static_cast<size_t>(v);
      if (d >= reached) return;
      if (v >= real0 && row_of_column[vi] < 0) {
        target = v;
        reached = d;
        pred[vi] = from;
        pred_weight[vi] = w;
        return;
      }
      if (done[vi] == round || (seen[vi] == round && d >= dist[vi])) return;
      seen[vi] = round;
      dist[vi] = d;
      pred[vi] = from;
      pred_weight[vi] = w;
      heap.emplace_back(d, v);
      std::push_heap(heap.begin(), heap.end(), std::greater<Entry>());
    };
    seen[static_cast<size_t>(start)] = round;
    dist[static_cast<size_t>(start)] = 0;
    heap.emplace_back(0, start);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), std::greater<Entry>());
      const auto [d, u] = heap.back();
      heap.pop_back();
      const size_t ui = static_cast<size_t>(u);
      if (done[ui] == round || d != dist[ui]) continue;
      if (d >= reached) break;  // the nearest free column is nearer than anything left
      done[ui] = round;
      settled.push_back(u);
      if (u < real0) {  // a row: its pairs other than the matched one, and its none column
        const int matched = column_of_row[ui];
        for (int k = first[ui]; k < first[ui + 1]; ++k) {
          const int c = real0 + arc_column[static_cast<size_t>(k)];
          if (c == matched) continue;  // the matched pair runs backwards
          const int64_t w = arc_weight[static_cast<size_t>(k)];
          relax(c, d + w + pi[ui] - pi[static_cast<size_t>(c)], u, w);
        }
        const int none = none0 + u;
        if (none != matched) relax(none, d + none_weight + pi[ui] - pi[static_cast<size_t>(none)], u, none_weight);
      } else {  // a matched column: back to its row
        const int row = row_of_column[ui];
        relax(row, d - weight_of_row[static_cast<size_t>(row)] + pi[ui] - pi[static_cast<size_t>(row)], u, 0);
      }
    }
    // The none column is always free or reachable, so a target exists.
    // Potentials: settled nodes += dist - D (all others += D: a common shift, skipped).
    for (int v : settled) pi[static_cast<size_t>(v)] += dist[static_cast<size_t>(v)] - reached;
    // Flip the path: target <- row <- its old column <- row ... <- start.
    int c = target;
    for (;;) {
      const int row = pred[static_cast<size_t>(c)];
      const int old = column_of_row[static_cast<size_t>(row)];
      row_of_column[static_cast<size_t>(c)] = row;
      column_of_row[static_cast<size_t>(row)] = c;
      weight_of_row[static_cast<size_t>(row)] = pred_weight[static_cast<size_t>(c)];
      if (row == start) break;
      c = old;
    }
  }
  for (int r = 0; r < rows; ++r) {
    const int c = column_of_row[static_cast<size_t>(r)];
    if (c < real0 || c >= none0) continue;  // "none"
    const int request = rows_are_experts ? c - real0 : r, expert = rows_are_experts ? r : c - real0;
    result.expert_of_request[static_cast<size_t>(request)] = expert;
    result.total_cost += weight_of_row[static_cast<size_t>(r)];
    ++result.assigned;
  }
  return result;
}

}  // namespace

Result<BatchResult> solve_batch_flow(const BatchProblem& p) {
  int64_t abs_sum = 0;
  std::vector<size_t> pair_order;
  if (Status s = check(p, &abs_sum, &pair_order); !s) return s.error();
  return solve_by_flow(p, abs_sum, pair_order);
}

Result<BatchResult> solve_batch(const BatchProblem& p) {
  int64_t abs_sum = 0;
  std::vector<size_t> pair_order;
  if (Status s = check(p, &abs_sum, &pair_order); !s) return s.error();
  const bool one_to_one = std::all_of(p.experts.begin(), p.experts.end(),
                                      [](const BatchExpert& e) { return e.extra_costs.size() <= 1; });
  if (one_to_one) return solve_one_to_one(p, pair_order);
  return solve_by_flow(p, abs_sum, pair_order);
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

// ---- The "costs" form of the problem file ---------------------------------

namespace dh::matching {

namespace {

// A JSON whole number that fits int64_t, or an error naming `where`.
Result<int64_t> whole_number(const Json& v, const std::string& where) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      return bad(where, "is too large for a 64-bit integer");
    return v.get<int64_t>();
  }
  if (v.is_number_float()) return bad(where, "must be a whole number, not " + v.dump());
  return bad(where, "must be a whole number");
}

constexpr int64_t kMaxCapacity = 1000000;

}  // namespace

Result<NamedBatch> costs_problem_from_json(const Json& j) {
  if (!j.is_object()) return bad("the file", "it must be one JSON object");
  if (!j.contains("form") || !j["form"].is_string()) return bad("form", "must be \"costs\" or \"records\"");
  if (j["form"] != "costs") return bad("form", "this reader takes the \"costs\" form, not " + j["form"].dump());
  for (const char* key : {"requests", "experts", "pairs"})
    if (!j.contains(key) || !j[key].is_array()) return bad(key, "must be a list");
  NamedBatch out;
  std::map<std::string, int> request_index, expert_index;
  const Json& requests = j["requests"];
  for (size_t i = 0; i < requests.size(); ++i) {
    const Json& r = requests[i];
    const std::string where = at("requests", i);
    if (!r.is_string() || r.get<std::string>().empty()) return bad(where, "must be a request id (a non-empty text)");
    const std::string id = r.get<std::string>();
    if (!request_index.emplace(id, static_cast<int>(i)).second)
      return bad(where, "the request \"" + id + "\" is listed twice");
    out.request_ids.push_back(id);
  }
  out.problem.request_count = static_cast<int>(out.request_ids.size());
  const Json& experts = j["experts"];
  for (size_t i = 0; i < experts.size(); ++i) {
    const Json& e = experts[i];
    const std::string where = at("experts", i);
    if (!e.is_object()) return bad(where, "must be an object");
    if (!e.contains("id") || !e["id"].is_string() || e["id"].get<std::string>().empty())
      return bad(where + ".id", "must be an expert id (a non-empty text)");
    const std::string id = e["id"].get<std::string>();
    if (!expert_index.emplace(id, static_cast<int>(i)).second)
      return bad(where + ".id", "the expert \"" + id + "\" is listed twice");
    out.expert_ids.push_back(id);
    const bool has_list = e.contains("extra_costs"), has_rule = e.contains("extra_cost_rule");
    if (has_list == has_rule)
      return bad(where, "needs exactly one of \"extra_costs\" (a list) or \"extra_cost_rule\" ({\"base\", \"step\"})");
    int64_t capacity = -1;
    if (e.contains("capacity")) {
      auto c = whole_number(e["capacity"], where + ".capacity");
      if (!c) return c.error();
      if (c.value() < 0 || c.value() > kMaxCapacity)
        return bad(where + ".capacity", "must be between 0 and " + std::to_string(kMaxCapacity));
      capacity = c.value();
    }
    BatchExpert be;
    if (has_list) {
      const Json& list = e["extra_costs"];
      if (!list.is_array()) return bad(where + ".extra_costs", "must be a list of whole numbers");
      if (capacity < 0) capacity = static_cast<int64_t>(list.size());
      if (static_cast<int64_t>(list.size()) < capacity)
        return bad(where + ".extra_costs", "lists " + std::to_string(list.size()) + " costs, fewer than the capacity " +
                                               std::to_string(capacity));
      if (capacity > kMaxCapacity) return bad(where + ".extra_costs", "lists more than " + std::to_string(kMaxCapacity) + " costs");
      for (size_t k = 0; k < static_cast<size_t>(capacity); ++k) {
        const std::string w = where + "." + at("extra_costs", k);
        auto c = whole_number(list[k], w);
        if (!c) return c.error();
        if (k > 0 && c.value() < be.extra_costs.back()) return bad(w, "must not be less than the one before");
        be.extra_costs.push_back(c.value());
      }
    } else {
      const Json& rule = e["extra_cost_rule"];
      const std::string w = where + ".extra_cost_rule";
      if (!rule.is_object() || !rule.contains("base") || !rule.contains("step"))
        return bad(w, "must be {\"base\": whole number, \"step\": whole number}");
      if (capacity < 0) return bad(where + ".capacity", "is needed with \"extra_cost_rule\"");
      auto base = whole_number(rule["base"], w + ".base");
      if (!base) return base.error();
      auto step = whole_number(rule["step"], w + ".step");
      if (!step) return step.error();
      if (step.value() < 0) return bad(w + ".step", "must not be negative (each extra case costs at least the one before)");
      if (base.value() < -kMaxCostSum || base.value() > kMaxCostSum ||
          (capacity > 1 && step.value() > (kMaxCostSum - base.value()) / (capacity - 1)))
        return bad(w, "base + step × (capacity − 1) is too large (the costs must stay within 2^58)");
      for (int64_t k = 0; k < capacity; ++k) be.extra_costs.push_back(base.value() + step.value() * k);
    }
    out.problem.experts.push_back(std::move(be));
  }
  const Json& pairs = j["pairs"];
  std::map<std::pair<int, int>, size_t> seen;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const Json& pr = pairs[i];
    const std::string where = at("pairs", i);
    Json rq, ex, cost;
    if (pr.is_array() && pr.size() == 3) {
      rq = pr[0], ex = pr[1], cost = pr[2];
    } else if (pr.is_object() && pr.contains("request") && pr.contains("expert") && pr.contains("cost")) {
      rq = pr["request"], ex = pr["expert"], cost = pr["cost"];
    } else {
      return bad(where, "must be [request id, expert id, cost] or {\"request\", \"expert\", \"cost\"}");
    }
    if (!rq.is_string() || !request_index.count(rq.get<std::string>()))
      return bad(where, "no request " + rq.dump() + " in \"requests\"");
    if (!ex.is_string() || !expert_index.count(ex.get<std::string>()))
      return bad(where, "no expert " + ex.dump() + " in \"experts\"");
    auto c = whole_number(cost, where + ".cost");
    if (!c) return c.error();
    BatchArc a{request_index[rq.get<std::string>()], expert_index[ex.get<std::string>()], c.value()};
    auto [it, fresh] = seen.emplace(std::make_pair(a.request, a.expert), i);
    if (!fresh)
      return bad(where, "request " + rq.dump() + " and expert " + ex.dump() + " are paired twice (first at " +
                            at("pairs", it->second) + ")");
    out.problem.arcs.push_back(a);
  }
  if (Status s = validate(out.problem); !s) {
    // The arcs are the pairs in file order: name them as the file does.
    std::string m = s.error().message;
    if (m.rfind("arcs[", 0) == 0) m = "pairs[" + m.substr(5);
    return make_error(s.error().code, m);
  }
  return out;
}

Json batch_result_to_json(const NamedBatch& batch, const BatchResult& result) {
  Json assignments = Json::array();
  for (size_t r = 0; r < batch.request_ids.size(); ++r) {
    const int e = r < result.expert_of_request.size() ? result.expert_of_request[r] : -1;
    assignments.push_back({{"request", batch.request_ids[r]},
                           {"expert", e >= 0 ? Json(batch.expert_ids[static_cast<size_t>(e)]) : Json(nullptr)}});
  }
  return Json{{"assignments", assignments},
              {"assigned", result.assigned},
              {"unassigned", static_cast<int>(batch.request_ids.size()) - result.assigned},
              {"total_cost", result.total_cost}};
}

}  // namespace dh::matching
