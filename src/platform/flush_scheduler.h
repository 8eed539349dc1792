// Flush coalescing for the store's folder (pure logic, no I/O; tested natively).
//
// Contract
// - request(gen): the caller appended bytes up to write generation `gen` and
//   wants them durable. At most one flush is in flight; a request while one is
//   in flight sets the "again" flag, and one more flush starts when it ends.
// - on_done(token, error): the platform's flush callback. A successful flush
//   covers the generation that was current when it started; flushed_generation()
//   only ever moves forward. The UI may say "saved" only when
//   flushed_generation() >= the store's current write generation.
// - tick(now): a flush whose callback has not come after watchdog_ms is given
//   up (Emscripten 3.1.6 drops the callback on QuotaExceededError): error() says
//   so in plain words and the next request starts a new flush. A late callback
//   of a given-up flush is still honoured.
// - set_held(true): no flush starts until set_held(false); requests meanwhile
//   are remembered and one flush starts when the hold ends (a flush already
//   in flight finishes normally). A new device holds its flushes until its
//   first frame is on screen (src/app/main.cpp).
// - set_observer(on_start, on_finish): on_start(token) runs right BEFORE the
//   platform flush of `token` begins (so what it records was in the files the
//   flush copies); on_finish(token, ok) runs when its callback arrives, also for
//   a late one. The sync client's flush handshake hangs on these.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace dh::platform {

class FlushScheduler {
 public:
  // start(token) must begin a flush and later call on_done(token, ...).
  using StartFn = std::function<void(uint64_t token)>;
  explicit FlushScheduler(StartFn start, int64_t watchdog_ms = 10000);

  using FinishFn = std::function<void(uint64_t token, bool ok)>;
  void set_observer(StartFn on_start, FinishFn on_finish) {
    on_start_ = std::move(on_start);
    on_finish_ = std::move(on_finish);
  }

  void request(uint64_t generation, int64_t now_ms);
  void on_done(uint64_t token, const std::string& error, int64_t now_ms);
  void tick(int64_t now_ms);
  void set_held(bool held, int64_t now_ms);

  uint64_t wanted_generation() const { return wanted_; }
  uint64_t flushed_generation() const { return flushed_; }
  bool in_flight() const { return in_flight_; }
  bool again() const { return again_; }
  // Empty when the last flush worked; plain words otherwise.
  const std::string& error() const { return error_; }
  bool timed_out() const { return timed_out_; }
  uint64_t flushes_started() const { return started_count_; }
  uint64_t flushes_completed() const { return completed_count_; }
  // Moves whenever anything above changes (the frame loop redraws on change).
  uint64_t change_counter() const { return changes_; }

 private:
  void start(int64_t now_ms);
  void start_unless_held(int64_t now_ms);
  StartFn start_fn_;
  StartFn on_start_;
  FinishFn on_finish_;
  int64_t watchdog_ms_;
  uint64_t wanted_ = 0;
  uint64_t flushed_ = 0;
  bool in_flight_ = false;
  bool again_ = false;
  bool held_ = false;
  // A flush is due when the hold ends. Only set while none is in flight (a
  // request during one sets again_; its end then asks here), and nothing
  // starts one while held: none is in flight when the hold ends.
  bool asked_while_held_ = false;
  bool timed_out_ = false;
  uint64_t token_ = 0;           // token of the flush in flight (or last)
  uint64_t token_generation_ = 0;
  int64_t started_at_ = 0;
  std::string error_;
  uint64_t started_count_ = 0;
  uint64_t completed_count_ = 0;
  uint64_t changes_ = 0;
  // generation covered by each token still expected (only the last few matter)
  uint64_t late_token_ = 0, late_generation_ = 0;
};

}  // namespace dh::platform
