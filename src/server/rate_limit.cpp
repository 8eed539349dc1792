#include "server/rate_limit.h"

namespace dh {

int64_t FailureLimiter::blocked_for(const std::string& key, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end()) return 0;
  const int64_t end = it->second.start_ms + window_ms_;
  if (now_ms >= end) {
    windows_.erase(it);
    return 0;
  }
  return it->second.failures >= max_failures_ ? end - now_ms : 0;
}

void FailureLimiter::record_failure(const std::string& key, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(key);
  if (it != windows_.end() && now_ms >= it->second.start_ms + window_ms_) {
    windows_.erase(it);
    it = windows_.end();
  }
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) make_room(now_ms);
    it = windows_.emplace(key, Window{now_ms, 0}).first;
  }
  ++it->second.failures;
}

void FailureLimiter::make_room(int64_t now_ms) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = now_ms >= it->second.start_ms + window_ms_ ? windows_.erase(it) : std::next(it);
  }
  while (windows_.size() >= max_keys_) {
    auto oldest = windows_.begin();
    for (auto it = windows_.begin(); it != windows_.end(); ++it) {
      if (it->second.start_ms < oldest->second.start_ms) oldest = it;
    }
    windows_.erase(oldest);
  }
}

}  // namespace dh
