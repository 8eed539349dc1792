// tally_bench: how long dh::tally::tally takes (bench/README.md, "tally_bench").
//
//   native: build/native/bench/tally_bench [elections folder] [repeats=15]
//   wasm:   node --no-experimental-fetch build/wasm/bench/tally_bench.js   (the
//           election files are embedded at /data/elections)
//
// 1. A level-1 poll with 3,058 household ballots (one per household of the
//    demo community): yes/no/abstain with a two-thirds-of-entitled threshold
//    and a quorum, and a single choice among 5 options.
// 2. Maine CD2 2018: 296,077 ranked ballots, one Ballot each (count 1), under
//    the state's rules (batch elimination, overvote exhausts, 2 skips exhaust);
//    and the same as its 1,564 distinct mark patterns with counts.
// 3. Reading the Maine file (JSON parse + conversion to ballots).
// Each figure is the median and the minimum of `repeats` runs, wall clock
// (steady_clock) and process CPU time (std::clock). Every run's result is
// checked against the official numbers, so a wrong fast tally cannot pass.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/tally.h"
#include "core/tally_json.h"

#ifndef DH_BENCH_ELECTIONS
#define DH_BENCH_ELECTIONS "tests/data/elections"
#endif

namespace t = dh::tally;

namespace {

struct Timing {
  double wall_median_ms, wall_min_ms, cpu_median_ms, cpu_min_ms;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

Timing time_it(int repeats, const std::function<void()>& work) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < repeats; ++i) {
    auto w0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    work();
    std::clock_t c1 = std::clock();
    auto w1 = std::chrono::steady_clock::now();
    wall.push_back(std::chrono::duration<double, std::milli>(w1 - w0).count());
    cpu.push_back(1000.0 * static_cast<double>(c1 - c0) / CLOCKS_PER_SEC);
  }
  return {median(wall), *std::min_element(wall.begin(), wall.end()), median(cpu),
          *std::min_element(cpu.begin(), cpu.end())};
}

void print(const char* what, const Timing& t) {
  std::printf("%-58s wall median %9.3f ms (min %9.3f)   cpu median %9.3f ms (min %9.3f)\n", what, t.wall_median_ms,
              t.wall_min_ms, t.cpu_median_ms, t.cpu_min_ms);
}

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "tally_bench: %s\n", why.c_str());
  std::exit(1);
}

uint64_t next(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

int main(int argc, char** argv) {
  std::string folder = argc > 1 && argv[1][0] ? argv[1] : DH_BENCH_ELECTIONS;
  int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 15;
#ifdef __EMSCRIPTEN__
  const char* platform = "wasm (node)";
#else
  const char* platform = "native";
#endif
  std::printf("tally_bench, %s, %d repeats\n", platform, repeats);

  // 1. Level-1 poll: 3,058 households.
  const int households = 3058;
  uint64_t seed = 20261202;
  std::vector<t::Ballot> motion_ballots, choice_ballots;
  for (int i = 0; i < households; ++i) {
    t::Ballot b;
    uint64_t r = next(seed) % 100;
    b.marks = {r < 71 ? t::kYes : r < 93 ? t::kNo : t::kAbstain};
    motion_ballots.push_back(b);
    t::Ballot c;
    c.marks = {static_cast<int>(next(seed) % 5)};
    choice_ballots.push_back(c);
  }
  t::PollSpec motion;
  motion.threshold.kind = t::ThresholdKind::two_thirds;
  motion.threshold.base = t::ThresholdBase::present;
  motion.quorum.required = true;
  motion.quorum.numerator = 1;
  motion.quorum.denominator = 2;
  motion.entitled = 3200;
  motion.present = households;
  t::TallyResult mr;
  print("level-1 motion, 3,058 household ballots (yes/no/abstain)", time_it(repeats * 20, [&] { mr = t::tally(motion, motion_ballots); }));
  if (mr.cast != households || mr.outcome.empty()) fail("level-1 motion miscounted");
  t::PollSpec choice;
  choice.method = t::Method::single_choice;
  choice.options = {"a", "b", "c", "d", "e"};
  choice.threshold.kind = t::ThresholdKind::none;
  t::TallyResult cr;
  print("level-1 single choice of 5, 3,058 household ballots", time_it(repeats * 20, [&] { cr = t::tally(choice, choice_ballots); }));
  if (cr.valid != households) fail("level-1 choice miscounted");

  // 3. Reading the Maine file.
  std::string path = folder + "/maine_cd2_2018.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  t::PollFile maine;
  print("Maine file: JSON parse + conversion (1,564 mark patterns)", time_it(repeats, [&] {
          auto p = t::poll_from_election_json(dh::Json::parse(text));
          if (!p) fail(p.error().message);
          maine = std::move(p.value());
        }));

  // 2. Maine, one Ballot per paper ballot.
  std::vector<t::Ballot> each;
  each.reserve(296077);
  for (const t::Ballot& b : maine.ballots)
    for (int64_t k = 0; k < b.count; ++k) {
      t::Ballot one = b;
      one.count = 1;
      each.push_back(one);
    }
  if (each.size() != 296077) fail("Maine: expected 296,077 ballots");
  auto check = [&](const t::TallyResult& r) {
    if (r.rounds.size() != 2 || r.rounds[1].votes[1] != 142440 || r.rounds[1].votes[3] != 138931 ||
        r.rounds[1].exhausted != 14706)
      fail("Maine: the result differs from the official one");
  };
  t::TallyResult r;
  print("Maine CD2 2018, 296,077 ranked ballots (count 1 each)", time_it(repeats, [&] { r = t::tally(maine.spec, each); }));
  check(r);
  print("Maine CD2 2018, as 1,564 distinct patterns with counts", time_it(repeats * 20, [&] { r = t::tally(maine.spec, maine.ballots); }));
  check(r);
  t::PollSpec single = maine.spec;
  single.ranked.elimination = t::EliminationRule::single;
  print("Maine, 296,077 ballots, one elimination per round (3 rounds)", time_it(repeats, [&] { r = t::tally(single, each); }));
  if (r.rounds.size() != 3 || r.rounds[2].votes[1] != 142440) fail("Maine (single elimination) differs");
  std::printf("all results checked against the official figures\n");
  return 0;
}
