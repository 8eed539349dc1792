// match_bench: the exact batch matching (core/matching.h) on generated weeks
// of 50, 200, 500 and 1,000 open requests for the 103 experts, natively, in
// wasm under node, and against Debian's networkx (max_flow_min_cost) and, on
// one-to-one instances (every expert capacity 1), scipy's
// linear_sum_assignment, all in the same run. The (assigned, total cost) pair
// of every solver must be equal, or the bench fails (exit 1). Figures:
// bench/README.md.
//
//   build/native/bench/match_bench [--seed N] [--wasm build/wasm/bench/match_bench.js]
//                                  [--reference bench/match_bench_reference.py] [--no-reference]
//   node build/wasm/bench/match_bench.js --solve-only DIR   (what the native run calls)
//
// The instances are written as `dianhong match` problem files ("costs" form,
// docs/matching.md) to a temporary folder; the reference script and the wasm
// build read those same files. Times are per solve: ours includes checking
// the problem and building the graph; the references' exclude building their
// graph/matrix (in their favour).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/matching.h"
#include "support/splitmix.h"

using dh::Json;
namespace fs = std::filesystem;
namespace m = dh::matching;

namespace {

using Rng = dh::test::SplitMix64;  // tests/support/splitmix.h

constexpr int kExperts = 103;
constexpr int kFields = 11;  // legal, mediation, business, data, psych, elderly, child, education, health, sports, housekeeping
constexpr int kGridsX = 4, kGridsY = 3;

// A week's batch as the record-based model would cost it (docs/matching.md):
// fields with levels, grid distance, urgency, availability, load.
Json generate(uint64_t seed, int requests, bool one_to_one) {
  Rng rng{seed * 1000003ull + static_cast<uint64_t>(requests) * 7 + (one_to_one ? 1 : 0)};
  struct Ex {
    int level[kFields] = {};
    int gx, gy, open, capacity;
    bool weekday, evening;
  };
  std::vector<Ex> ex(kExperts);
  Json experts = Json::array();
  for (int e = 0; e < kExperts; ++e) {
    Ex& x = ex[static_cast<size_t>(e)];
    const int nfields = 1 + rng.below(3);
    for (int f = 0; f < nfields; ++f) x.level[rng.below(kFields)] = 1 + rng.below(3);
    x.gx = rng.below(kGridsX);
    x.gy = rng.below(kGridsY);
    x.capacity = 2 + rng.below(5);
    x.open = rng.below(x.capacity);
    x.weekday = rng.below(4) != 0;
    x.evening = rng.below(3) == 0;
    const int remaining = one_to_one ? 1 : x.capacity - x.open;
    // The k-th extra case costs 12 per case already carried (load spread).
    experts.push_back({{"id", "e" + std::to_string(e + 1)},
                       {"capacity", remaining},
                       {"extra_cost_rule", {{"base", 12 * x.open}, {"step", 12}}}});
  }
  Json ids = Json::array(), pairs = Json::array();
  for (int r = 0; r < requests; ++r) {
    const std::string id = "q" + std::to_string(r + 1);
    ids.push_back(id);
    // Mediation and elderly care are the common categories.
    const int roll = rng.below(100);
    const int field = roll < 30 ? 1 : roll < 50 ? 5 : rng.below(kFields);
    const int gx = rng.below(kGridsX), gy = rng.below(kGridsY);
    const int urgency = 1 + rng.below(3);
    const bool evening_only = rng.below(5) == 0;
    for (int e = 0; e < kExperts; ++e) {
      const Ex& x = ex[static_cast<size_t>(e)];
      const int level = x.level[field];
      if (level == 0) continue;
      if (rng.below(100) == 0) continue;  // conflict of interest (a party, or the party's household)
      const int distance = std::abs(gx - x.gx) + std::abs(gy - x.gy);
      int64_t cost = (3 - level) * 40 + distance * 15;
      if (urgency == 3 && level < 3) cost += 25;
      if (evening_only ? !x.evening : !x.weekday) cost += 30;
      pairs.push_back(Json::array({id, "e" + std::to_string(e + 1), cost}));
    }
  }
  return Json{{"form", "costs"}, {"requests", ids}, {"experts", experts}, {"pairs", pairs}};
}

struct Timed {
  int assigned = 0;
  int64_t total_cost = 0;
  double seconds = 0;        // median per solve, after the first
  double first_seconds = 0;  // the first solve of the instance in this process
  size_t arcs = 0;
};

// Solves once (timed apart: in wasm the first solves run in V8's baseline
// code while the optimizing compiler works in the background, see
// bench/README.md), then repeatedly (at least 5 times and 0.3 s) and takes
// the median of those.
Timed solve_timed(const Json& problem) {
  auto batch = m::costs_problem_from_json(problem);
  if (!batch) {
    std::cerr << "match_bench: generated problem refused: " << batch.error().message << "\n";
    std::exit(1);
  }
  Timed t;
  t.arcs = batch->problem.arcs.size();
  std::vector<double> times;
  double spent = 0;
  bool first = true;
  while (times.size() < 5 || spent < 0.3) {
    const auto t0 = std::chrono::steady_clock::now();
    auto res = m::solve_batch(batch->problem);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!res) {
      std::cerr << "match_bench: " << res.error().message << "\n";
      std::exit(1);
    }
    t.assigned = res->assigned;
    t.total_cost = res->total_cost;
    if (first) {
      t.first_seconds = s;
      first = false;
      continue;
    }
    times.push_back(s);
    spent += s;
    if (times.size() >= 1000) break;
  }
  std::sort(times.begin(), times.end());
  t.seconds = times[times.size() / 2];
  return t;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

struct Instance {
  std::string name, file;
  int requests;
  bool one_to_one;
};

std::vector<Instance> instances() {
  std::vector<Instance> out;
  for (bool one : {false, true})
    for (int n : {50, 200, 500, 1000}) {
      const std::string name = std::string(one ? "1to1-" : "batch-") + std::to_string(n);
      out.push_back({name, name + ".json", n, one});
    }
  return out;
}

// --solve-only DIR: solve every instance file there, print one JSON object.
int solve_only(const std::string& dir) {
  Json out = Json::object();
  for (const Instance& in : instances()) {
    Json j = Json::parse(read_file(dir + "/" + in.file), nullptr, false);
    if (j.is_discarded()) {
      std::cerr << "match_bench: cannot read " << dir << "/" << in.file << "\n";
      return 2;
    }
    Timed t = solve_timed(j);
    out[in.name] = {{"assigned", t.assigned}, {"total_cost", t.total_cost}, {"seconds", t.seconds}, {"first_seconds", t.first_seconds}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}

Json run_json(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) return Json();
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) {
    std::cerr << "match_bench: \"" << command << "\" failed (status " << rc << ")\n";
    return Json();
  }
  // The last line that starts with '{' is the JSON object.
  const size_t at = text.rfind("\n{");
  return Json::parse(at == std::string::npos ? text : text.substr(at + 1), nullptr, false);
}

std::string ms(double s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(s < 0.01 ? 3 : 1) << s * 1000;
  return o.str();
}

std::string ratio(double a, double b) {
  if (b <= 0) return "-";
  std::ostringstream o;
  o << std::fixed << std::setprecision(a / b < 10 ? 2 : 0) << a / b << "x";
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 2026;
  std::string wasm_js, reference = "bench/match_bench_reference.py", solve_dir;
  bool no_reference = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--wasm" && i + 1 < argc) wasm_js = argv[++i];
    else if (a == "--reference" && i + 1 < argc) reference = argv[++i];
    else if (a == "--no-reference") no_reference = true;
    else if (a == "--solve-only" && i + 1 < argc) solve_dir = argv[++i];
    else {
      std::cerr << "usage: match_bench [--seed N] [--wasm match_bench.js] [--reference script.py] [--no-reference]\n"
                   "       match_bench --solve-only DIR\n";
      return 2;
    }
  }
  if (!solve_dir.empty()) return solve_only(solve_dir);

  const fs::path dir = fs::temp_directory_path() / ("dh-match-bench-" + std::to_string(seed));
  fs::create_directories(dir);
  std::vector<Timed> ours;
  for (const Instance& in : instances()) {
    Json problem = generate(seed, in.requests, in.one_to_one);
    std::ofstream(dir / in.file, std::ios::binary) << problem.dump() << "\n";
    ours.push_back(solve_timed(problem));
  }
  Json wasm, ref;
  if (!wasm_js.empty()) {
    wasm = run_json("node --no-experimental-fetch '" + wasm_js + "' --solve-only '" + dir.string() + "'");
    if (!wasm.is_object()) {
      std::cerr << "match_bench: the wasm run gave no result\n";
      return 1;
    }
  }
  if (!no_reference) {
    ref = run_json("/usr/bin/python3 '" + reference + "' '" + dir.string() + "'");
    if (!ref.is_object()) {
      std::cerr << "match_bench: the reference run gave no result (Debian's python3-networkx and python3-scipy "
                   "are needed; script/bootstrap installs them)\n";
      return 1;
    }
  }

  bool all_equal = true;
  std::cout << "match_bench: seed " << seed << ", " << kExperts << " experts, problems in " << dir.string() << "\n"
            << "times in ms per solve (median after the first solve; wasm 1st = the wasm build's first solve of it);\n"
            << "ratio = reference time / ours\n\n";
  std::cout << std::left << std::setw(12) << "instance" << std::right << std::setw(7) << "arcs" << std::setw(9)
            << "assigned" << std::setw(12) << "total_cost" << std::setw(10) << "native" << std::setw(10) << "wasm" << std::setw(10) << "wasm 1st"
            << std::setw(11) << "networkx" << std::setw(10) << "scipy" << std::setw(10) << "nx/nat" << std::setw(10)
            << "nx/wasm" << std::setw(10) << "sp/nat" << std::setw(10) << "sp/wasm" << "\n";
  const auto list = instances();
  for (size_t i = 0; i < list.size(); ++i) {
    const Instance& in = list[i];
    const Timed& o = ours[i];
    auto check = [&](const Json& other, const char* who) -> double {
      if (!other.is_object() || !other.contains(in.name)) return -1;
      const Json& r = other[in.name];
      if (r["assigned"] != o.assigned || r["total_cost"] != o.total_cost) {
        std::cerr << "MISMATCH on " << in.name << ": ours (" << o.assigned << ", " << o.total_cost << "), " << who
                  << " (" << r["assigned"] << ", " << r["total_cost"] << ")\n";
        all_equal = false;
      }
      return r["seconds"].get<double>();
    };
    const double w = check(wasm, "wasm");
    Json nx = ref.is_object() && ref.contains("networkx") ? ref["networkx"] : Json();
    Json sp = ref.is_object() && ref.contains("scipy") ? ref["scipy"] : Json();
    const double n = check(nx, "networkx");
    const double s = in.one_to_one ? check(sp, "scipy") : -1;
    std::cout << std::left << std::setw(12) << in.name << std::right << std::setw(7) << o.arcs << std::setw(9)
              << o.assigned << std::setw(12) << o.total_cost << std::setw(10) << ms(o.seconds) << std::setw(10)
              << (w >= 0 ? ms(w) : "-") << std::setw(10)
              << (w >= 0 ? ms(wasm[in.name]["first_seconds"].get<double>()) : "-") << std::setw(11) << (n >= 0 ? ms(n) : "-") << std::setw(10)
              << (s >= 0 ? ms(s) : "-") << std::setw(10) << (n >= 0 ? ratio(n, o.seconds) : "-") << std::setw(10)
              << (n >= 0 && w >= 0 ? ratio(n, w) : "-") << std::setw(10) << (s >= 0 ? ratio(s, o.seconds) : "-")
              << std::setw(10) << (s >= 0 && w >= 0 ? ratio(s, w) : "-") << "\n";
  }
  if (!all_equal) {
    std::cerr << "match_bench: FAILED: the solvers disagree on (assigned, total cost)\n";
    return 1;
  }
  if (wasm.is_null() && ref.is_null())
    std::cout << "\nno other solver ran (--no-reference, no --wasm): nothing compared\n";
  else
    std::cout << "\nall solvers that ran agree on (assigned, total cost) for every instance\n";
  return 0;
}
