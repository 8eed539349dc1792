// Hybrid logical clock (Kulkarni et al.): a wall-clock millisecond part and a
// logical counter. Stamps from one clock are strictly increasing even when the
// physical clock stalls or steps back, and a clock that observes a remote stamp
// moves past it, so causally later operations carry larger stamps.
//
// Drift is bounded: a remote stamp more than max_drift_ms ahead of our
// physical clock is not adopted (our clock would run a day fast for ever);
// observe() reports it so the caller can tell the person or the device that
// a clock is wrong. Text form: "<wall_ms>.<logical>", e.g. "1764147600000.3".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace dh {

// Bounds (docs/operation-log.md "Numbers"): parse() refuses anything
// outside them, so every stamp a device or the server holds stays exact in a
// JavaScript number and a tick can never overflow.
constexpr int64_t kMaxWallMs = (int64_t{1} << 53) - 1;  // milliseconds since 1970 (year 287,396)
constexpr uint32_t kMaxLogical = (uint32_t{1} << 31) - 1;

struct Hlc {
  int64_t wall_ms = 0;    // 0 .. kMaxWallMs
  uint32_t logical = 0;   // 0 .. kMaxLogical

  std::string to_string() const;
  static std::optional<Hlc> parse(std::string_view text);

  friend bool operator<(const Hlc& a, const Hlc& b) {
    return std::tie(a.wall_ms, a.logical) < std::tie(b.wall_ms, b.logical);
  }
  friend bool operator==(const Hlc& a, const Hlc& b) {
    return a.wall_ms == b.wall_ms && a.logical == b.logical;
  }
  friend bool operator!=(const Hlc& a, const Hlc& b) { return !(a == b); }
  friend bool operator>(const Hlc& a, const Hlc& b) { return b < a; }
  friend bool operator<=(const Hlc& a, const Hlc& b) { return !(b < a); }
  friend bool operator>=(const Hlc& a, const Hlc& b) { return !(a < b); }
};

class HlcClock {
 public:
  static constexpr int64_t kDefaultMaxDriftMs = 5 * 60 * 1000;  // five minutes

  explicit HlcClock(int64_t max_drift_ms = kDefaultMaxDriftMs) : max_drift_ms_(max_drift_ms) {}

  // A stamp for a local event at physical time now_ms. Strictly greater than
  // every stamp this clock has issued or observed. When the logical counter
  // would pass kMaxLogical the stamp moves to the next millisecond instead
  // (never an overflow).
  Hlc tick(int64_t now_ms);

  enum class Observed { adopted, too_far_ahead };
  // Merge a remote stamp. If it is more than max_drift_ms ahead of now_ms the
  // clock is not moved to it (returns too_far_ahead); otherwise the clock moves
  // past it.
  Observed observe(const Hlc& remote, int64_t now_ms);

  // Restore after a restart: the clock never goes below what was issued.
  void restore(const Hlc& last_issued) { if (last_ < last_issued) last_ = last_issued; }
  // Sets the clock to exactly `to`, also BACKWARDS. Only for stamps nobody
  // else has seen (a device re-stamping its unacknowledged operations after
  // the server refused them as far ahead: docs/sync-protocol.md "Clocks").
  void reset(const Hlc& to) { last_ = to; }
  const Hlc& last() const { return last_; }
  int64_t max_drift_ms() const { return max_drift_ms_; }

 private:
  Hlc last_{};
  int64_t max_drift_ms_;
};

}  // namespace dh
