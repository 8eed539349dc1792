#!/usr/bin/python3
"""Reference solvers for bench/match_bench: Debian's python3-networkx and python3-scipy.

    /usr/bin/python3 bench/match_bench_reference.py DIR

Reads every `dianhong match` problem file ("costs" form, docs/matching.md) that
match_bench wrote to DIR (batch-N.json, 1to1-N.json), and solves each with

  - networkx.max_flow_min_cost on the same flow network as core/matching
    (source -> request -> expert -> one unit node per extra case -> sink), the
    maximum number of requests first, then the least cost; and
  - for the one-to-one instances (every expert capacity 1) also
    scipy.optimize.linear_sum_assignment on the requests x experts matrix,
    inadmissible pairs at a cost M larger than any sum of real costs, so the
    most admissible pairs come first, then the least cost.

Prints progress to stderr and, as the last line on stdout, one JSON object:
{"networkx": {name: {"assigned", "total_cost", "seconds"}}, "scipy": {...}}.
Times are the median of repeated solves and exclude building the graph or
matrix (in the references' favour).
"""
import glob
import json
import os
import statistics
import sys
import time

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment


def extra_costs(expert):
    cap = expert.get("capacity")
    if "extra_costs" in expert:
        costs = expert["extra_costs"]
        return costs[: cap] if cap is not None else costs
    rule = expert["extra_cost_rule"]
    return [rule["base"] + rule["step"] * k for k in range(cap)]


def pairs_of(problem):
    for p in problem["pairs"]:
        if isinstance(p, list):
            yield p[0], p[1], p[2]
        else:
            yield p["request"], p["expert"], p["cost"]


def timed(fn, min_runs, min_seconds):
    times, spent, result = [], 0.0, None
    while len(times) < min_runs or spent < min_seconds:
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        times.append(dt)
        spent += dt
        if len(times) >= 200:
            break
    return result, statistics.median(times)


def solve_networkx(problem):
    g = nx.DiGraph()
    for r in problem["requests"]:
        g.add_edge("s", ("q", r), capacity=1, weight=0)
    for r, e, c in pairs_of(problem):
        g.add_edge(("q", r), ("e", e), capacity=1, weight=c)
    for ex in problem["experts"]:
        for k, m in enumerate(extra_costs(ex)):
            g.add_edge(("e", ex["id"]), ("u", ex["id"], k), capacity=1, weight=m)
            g.add_edge(("u", ex["id"], k), "t", capacity=1, weight=0)
    if "t" not in g or "s" not in g:
        return {"assigned": 0, "total_cost": 0, "seconds": 0.0}

    def run():
        flow = nx.max_flow_min_cost(g, "s", "t")
        return flow

    flow, seconds = timed(run, 3, 1.0)
    assigned = sum(flow["s"][v] for v in flow["s"])
    cost = nx.cost_of_flow(g, flow)
    return {"assigned": int(assigned), "total_cost": int(cost), "seconds": seconds}


def solve_scipy(problem):
    experts = problem["experts"]
    requests = problem["requests"]
    col = {ex["id"]: j for j, ex in enumerate(experts)}
    row = {r: i for i, r in enumerate(requests)}
    first = [extra_costs(ex) for ex in experts]
    assert all(len(f) <= 1 for f in first), "scipy reference: one-to-one instances only"
    total_abs = sum(abs(c) for _, _, c in pairs_of(problem)) + sum(abs(f[0]) for f in first if f)
    big = total_abs + 1
    matrix = np.full((len(requests), len(experts)), big, dtype=np.int64)
    for r, e, c in pairs_of(problem):
        j = col[e]
        if first[j]:
            matrix[row[r], j] = c + first[j][0]

    def run():
        return linear_sum_assignment(matrix)

    (rows, cols), seconds = timed(run, 5, 0.3)
    chosen = matrix[rows, cols]
    real = chosen[chosen < big]
    return {"assigned": int(real.size), "total_cost": int(real.sum()), "seconds": seconds}


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = {"networkx": {}, "scipy": {}, "versions": {"networkx": nx.__version__, "numpy": np.__version__}}
    import scipy

    out["versions"]["scipy"] = scipy.__version__
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
        name = os.path.basename(path)[: -len(".json")]
        with open(path, encoding="utf-8") as f:
            problem = json.load(f)
        print(f"reference: {name} networkx ...", file=sys.stderr, flush=True)
        out["networkx"][name] = solve_networkx(problem)
        if name.startswith("1to1-"):
            print(f"reference: {name} scipy ...", file=sys.stderr, flush=True)
            out["scipy"][name] = solve_scipy(problem)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
