// splitmix64: the random numbers of generated test and benchmark instances
// (tests/, bench/), the same on every platform (std::mt19937's distributions
// are not), seeded by the caller: SplitMix64 rng{seed}.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace dh::test {

struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // 0 .. n-1 (n > 0).
  int below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
  // True with the given chance in percent.
  bool chance(int percent) { return below(100) < percent; }
  // lo .. hi inclusive.
  int64_t between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(below(static_cast<int>(i)))]);
  }
};

}  // namespace dh::test
