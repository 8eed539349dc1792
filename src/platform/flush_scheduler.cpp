#include "platform/flush_scheduler.h"

#include <utility>

namespace dh::platform {

FlushScheduler::FlushScheduler(StartFn start, int64_t watchdog_ms)
    : start_fn_(std::move(start)), watchdog_ms_(watchdog_ms) {}

void FlushScheduler::request(uint64_t generation, int64_t now_ms) {
  if (generation > wanted_) wanted_ = generation;
  if (in_flight_) {
    if (!again_) ++changes_;
    again_ = true;
    return;
  }
  start_unless_held(now_ms);
}

void FlushScheduler::start_unless_held(int64_t now_ms) {
  if (!held_) return start(now_ms);
  again_ = false;
  if (!asked_while_held_) ++changes_;
  asked_while_held_ = true;
}

void FlushScheduler::set_held(bool held, int64_t now_ms) {
  if (held == held_) return;
  held_ = held;
  ++changes_;
  if (held || !asked_while_held_) return;
  asked_while_held_ = false;
  start(now_ms);
}

void FlushScheduler::start(int64_t now_ms) {
  in_flight_ = true;
  again_ = false;
  ++token_;
  token_generation_ = wanted_;
  started_at_ = now_ms;
  ++started_count_;
  ++changes_;
  if (on_start_) on_start_(token_);
  start_fn_(token_);  // may call on_done() synchronously (native)
}

void FlushScheduler::on_done(uint64_t token, const std::string& error, int64_t now_ms) {
  uint64_t covered = 0;
  bool current = in_flight_ && token == token_;
  if (current) {
    covered = token_generation_;
  } else if (token == late_token_) {
    covered = late_generation_;  // a flush the watchdog gave up on came back after all
    late_token_ = 0;
  } else {
    return;  // unknown token
  }
  ++completed_count_;
  ++changes_;
  if (on_finish_) on_finish_(token, error.empty());
  if (error.empty()) {
    if (covered > flushed_) flushed_ = covered;
    error_.clear();
    timed_out_ = false;
  } else {
    error_ = error;
  }
  if (!current) return;
  in_flight_ = false;
  // Start the coalesced follow-up: after success when more was appended, and
  // after a failure only when someone asked again meanwhile (no retry loop).
  if (again_ || (error.empty() && wanted_ > flushed_)) start_unless_held(now_ms);
}

void FlushScheduler::tick(int64_t now_ms) {
  if (!in_flight_ || now_ms - started_at_ < watchdog_ms_) return;
  late_token_ = token_;
  late_generation_ = token_generation_;
  in_flight_ = false;
  timed_out_ = true;
  error_ =
      "Saving to this device did not finish (the browser's storage may be full): "
      "recent changes are not saved.";
  ++changes_;
  if (again_) start_unless_held(now_ms);
}

}  // namespace dh::platform
