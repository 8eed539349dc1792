#include "core/hlc.h"

#include <algorithm>
#include <charconv>

namespace dh {

std::string Hlc::to_string() const {
  return std::to_string(wall_ms) + "." + std::to_string(logical);
}

std::optional<Hlc> Hlc::parse(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size()) return std::nullopt;
  Hlc h;
  const char* b = text.data();
  auto r1 = std::from_chars(b, b + dot, h.wall_ms);
  if (r1.ec != std::errc() || r1.ptr != b + dot || h.wall_ms < 0) return std::nullopt;
  auto r2 = std::from_chars(b + dot + 1, b + text.size(), h.logical);
  if (r2.ec != std::errc() || r2.ptr != b + text.size()) return std::nullopt;
  return h;
}

Hlc HlcClock::tick(int64_t now_ms) {
  if (now_ms > last_.wall_ms) {
    last_ = Hlc{now_ms, 0};
  } else {
    ++last_.logical;
  }
  return last_;
}

HlcClock::Observed HlcClock::observe(const Hlc& remote, int64_t now_ms) {
  if (remote.wall_ms > now_ms + max_drift_ms_) return Observed::too_far_ahead;
  const int64_t wall = std::max({last_.wall_ms, remote.wall_ms, now_ms});
  uint32_t logical = 0;
  if (wall == last_.wall_ms && wall == remote.wall_ms) {
    logical = std::max(last_.logical, remote.logical) + 1;
  } else if (wall == last_.wall_ms) {
    logical = last_.logical + 1;
  } else if (wall == remote.wall_ms) {
    logical = remote.logical + 1;
  }
  last_ = Hlc{wall, logical};
  return Observed::adopted;
}

}  // namespace dh
