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
  if (r1.ec != std::errc() || r1.ptr != b + dot || h.wall_ms < 0 || h.wall_ms > kMaxWallMs) return std::nullopt;
  // Canonical digits only: no sign, no leading zero (the text is part of the
  // operation's canonical JSON).
  if (text[0] == '-' || text[dot + 1] == '-') return std::nullopt;
  if ((text[0] == '0' && dot > 1) || (text[dot + 1] == '0' && text.size() > dot + 2)) return std::nullopt;
  auto r2 = std::from_chars(b + dot + 1, b + text.size(), h.logical);
  if (r2.ec != std::errc() || r2.ptr != b + text.size() || h.logical > kMaxLogical) return std::nullopt;
  return h;
}

namespace {
// The stamp after (wall, logical): logical + 1, or the next millisecond when
// the counter is full.
Hlc next_after(int64_t wall, uint32_t logical) {
  if (logical >= kMaxLogical) return Hlc{wall + 1, 0};
  return Hlc{wall, logical + 1};
}
}  // namespace

Hlc HlcClock::tick(int64_t now_ms) {
  now_ms = std::min(std::max<int64_t>(now_ms, 0), kMaxWallMs);
  if (now_ms > last_.wall_ms) {
    last_ = Hlc{now_ms, 0};
  } else {
    last_ = next_after(last_.wall_ms, last_.logical);
  }
  return last_;
}

HlcClock::Observed HlcClock::observe(const Hlc& remote, int64_t now_ms) {
  if (remote.wall_ms - max_drift_ms_ > now_ms) return Observed::too_far_ahead;
  now_ms = std::min(std::max<int64_t>(now_ms, 0), kMaxWallMs);
  const int64_t wall = std::max({last_.wall_ms, remote.wall_ms, now_ms});
  if (wall == last_.wall_ms && wall == remote.wall_ms) {
    last_ = next_after(wall, std::max(last_.logical, remote.logical));
  } else if (wall == last_.wall_ms) {
    last_ = next_after(wall, last_.logical);
  } else if (wall == remote.wall_ms) {
    last_ = next_after(wall, remote.logical);
  } else {
    last_ = Hlc{wall, 0};
  }
  return Observed::adopted;
}

}  // namespace dh
