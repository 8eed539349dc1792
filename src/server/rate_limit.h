// Failure counting for guessable secrets (issue 8): enrolment codes, QR
// check-in lookups. A key (an address, a shift, "all") that failed
// max_failures times within one window is refused until the window ends.
//
// Contracts
// - Fixed window per key, opened by the key's first failure; successes do not
//   count and do not reset the count (a guesser who also knows one right
//   answer gains nothing).
// - blocked_for() says how long (ms) the key must wait, 0 if it may try now;
//   the caller checks it BEFORE looking anything up.
// - Memory is bounded: at most max_keys keys are tracked; past that, expired
//   windows are dropped first, then the oldest (an overall key is the
//   backstop against an attacker with many addresses).
// - Thread-safe. Time comes from the caller (tests drive it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dh {

class FailureLimiter {
 public:
  FailureLimiter(int max_failures, int64_t window_ms, size_t max_keys = 10000)
      : max_failures_(max_failures), window_ms_(window_ms), max_keys_(max_keys) {}

  int64_t blocked_for(const std::string& key, int64_t now_ms);
  void record_failure(const std::string& key, int64_t now_ms);

  int max_failures() const { return max_failures_; }
  int64_t window_ms() const { return window_ms_; }

 private:
  struct Window {
    int64_t start_ms = 0;
    int failures = 0;
  };
  void make_room(int64_t now_ms);

  const int max_failures_;
  const int64_t window_ms_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

// Whole seconds for a Retry-After header (at least 1).
inline int64_t retry_after_seconds(int64_t ms) { return ms <= 0 ? 1 : (ms + 999) / 1000; }

}  // namespace dh
