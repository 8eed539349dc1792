// FlushScheduler: one flush in flight, coalescing, watchdog, "saved" only for
// the generation a completed flush covered.
#include <catch2/catch.hpp>

#include <vector>

#include "platform/flush_scheduler.h"

using dh::platform::FlushScheduler;

namespace {
struct Recorder {
  std::vector<uint64_t> started;
  FlushScheduler scheduler{[this](uint64_t token) { started.push_back(token); }, 10000};
};
}  // namespace

TEST_CASE("one flush in flight; requests meanwhile coalesce into one more", "[platform][flush]") {
  Recorder r;
  r.scheduler.request(1, 0);
  REQUIRE(r.started.size() == 1);
  REQUIRE(r.scheduler.in_flight());
  r.scheduler.request(2, 1);
  r.scheduler.request(3, 2);
  r.scheduler.request(4, 3);
  REQUIRE(r.started.size() == 1);  // no overlapping flushes
  REQUIRE(r.scheduler.again());
  r.scheduler.on_done(r.started[0], "", 5);
  REQUIRE(r.scheduler.flushed_generation() == 1);  // covers what was wanted when it started
  REQUIRE(r.started.size() == 2);                   // exactly one follow-up
  r.scheduler.on_done(r.started[1], "", 6);
  REQUIRE(r.scheduler.flushed_generation() == 4);
  REQUIRE_FALSE(r.scheduler.in_flight());
  REQUIRE(r.started.size() == 2);
}

TEST_CASE("a failed flush is reported and does not claim the generation", "[platform][flush]") {
  Recorder r;
  r.scheduler.request(5, 0);
  r.scheduler.on_done(r.started[0], "This device's storage is full.", 1);
  REQUIRE(r.scheduler.flushed_generation() == 0);
  REQUIRE(r.scheduler.error() == "This device's storage is full.");
  REQUIRE(r.started.size() == 1);  // no retry loop on its own
  r.scheduler.request(5, 2);       // the next action (or page hide) asks again
  r.scheduler.on_done(r.started[1], "", 3);
  REQUIRE(r.scheduler.flushed_generation() == 5);
  REQUIRE(r.scheduler.error().empty());
}

TEST_CASE("watchdog gives up on a flush whose callback never comes", "[platform][flush]") {
  Recorder r;
  r.scheduler.request(7, 1000);
  r.scheduler.tick(5000);
  REQUIRE(r.scheduler.in_flight());
  r.scheduler.tick(11001);
  REQUIRE_FALSE(r.scheduler.in_flight());
  REQUIRE(r.scheduler.timed_out());
  REQUIRE_FALSE(r.scheduler.error().empty());
  REQUIRE(r.scheduler.flushed_generation() == 0);
  // The next request starts a new flush.
  r.scheduler.request(8, 12000);
  REQUIRE(r.started.size() == 2);
  // A late callback of the abandoned flush still counts for what it covered.
  r.scheduler.on_done(r.started[0], "", 12500);
  REQUIRE(r.scheduler.flushed_generation() == 7);
  REQUIRE(r.scheduler.in_flight());  // the new one is still running
  r.scheduler.on_done(r.started[1], "", 13000);
  REQUIRE(r.scheduler.flushed_generation() == 8);
  REQUIRE_FALSE(r.scheduler.timed_out());
}

TEST_CASE("synchronous completion (native) works and never recurses forever", "[platform][flush]") {
  FlushScheduler* self = nullptr;
  int calls = 0;
  FlushScheduler s([&](uint64_t token) {
    ++calls;
    self->on_done(token, "", 0);
  });
  self = &s;
  s.request(3, 0);
  REQUIRE(calls == 1);
  REQUIRE(s.flushed_generation() == 3);
  REQUIRE_FALSE(s.in_flight());
  s.request(3, 1);  // nothing new: flushes again (cheap), still one call
  REQUIRE(calls == 2);
}

TEST_CASE("the observer sees each start before the flush begins and each finish, late ones too", "[platform][flush]") {
  std::vector<std::string> seen;
  FlushScheduler* self = nullptr;
  // Native flushes complete inside start(): the start hook must already have run.
  FlushScheduler s([&](uint64_t token) { seen.push_back("flush " + std::to_string(token)); }, 10000);
  self = &s;
  s.set_observer([&](uint64_t token) { seen.push_back("start " + std::to_string(token)); },
                 [&](uint64_t token, bool ok) { seen.push_back("finish " + std::to_string(token) + (ok ? " ok" : " failed")); });
  s.request(1, 0);
  REQUIRE(seen == std::vector<std::string>{"start 1", "flush 1"});
  s.on_done(1, "full", 1);
  REQUIRE(seen.back() == "finish 1 failed");
  s.request(2, 2);
  s.tick(20000);                   // watchdog gives up on flush 2
  s.on_done(2, "", 20001);         // ... and its callback comes after all
  REQUIRE(seen.back() == "finish 2 ok");
  REQUIRE(self->flushed_generation() == 2);
  s.on_done(99, "", 20002);        // unknown tokens are not reported
  REQUIRE(seen.back() == "finish 2 ok");
}

// A new device holds its flushes until its first frame is drawn (main.cpp):
// nothing is lost, the wanted generation is flushed once when the hold ends.
TEST_CASE("a held scheduler starts nothing, then one flush for all that was asked", "[platform][flush]") {
  Recorder r;
  r.scheduler.set_held(true, 0);
  r.scheduler.request(3, 1);
  r.scheduler.request(7, 2);
  REQUIRE(r.started.empty());
  REQUIRE_FALSE(r.scheduler.in_flight());
  REQUIRE(r.scheduler.wanted_generation() == 7);
  r.scheduler.tick(60000);  // no watchdog for a flush that never started
  REQUIRE(r.scheduler.error().empty());
  r.scheduler.set_held(false, 100);
  REQUIRE(r.started.size() == 1);
  r.scheduler.on_done(r.started[0], "", 101);
  REQUIRE(r.scheduler.flushed_generation() == 7);
  REQUIRE(r.started.size() == 1);
}

TEST_CASE("ending a hold nobody asked a flush during starts none", "[platform][flush]") {
  Recorder r;
  r.scheduler.set_held(true, 0);
  r.scheduler.set_held(false, 1);
  REQUIRE(r.started.empty());
}

TEST_CASE("a hold that begins while a flush is in flight delays only its follow-up", "[platform][flush]") {
  Recorder r;
  r.scheduler.request(1, 0);
  REQUIRE(r.started.size() == 1);
  r.scheduler.set_held(true, 1);
  r.scheduler.request(2, 2);
  r.scheduler.on_done(r.started[0], "", 3);  // the one in flight completes normally
  REQUIRE(r.scheduler.flushed_generation() == 1);
  REQUIRE(r.started.size() == 1);           // its follow-up waits for the hold
  r.scheduler.set_held(false, 4);
  REQUIRE(r.started.size() == 2);
  r.scheduler.on_done(r.started[1], "", 5);
  REQUIRE(r.scheduler.flushed_generation() == 2);
}

TEST_CASE("a watchdog give-up during a hold starts the asked-for flush when the hold ends", "[platform][flush]") {
  Recorder r;
  r.scheduler.request(1, 0);
  r.scheduler.set_held(true, 1);
  r.scheduler.request(2, 2);
  r.scheduler.tick(20000);  // given up; the follow-up is held
  REQUIRE(r.scheduler.timed_out());
  REQUIRE(r.started.size() == 1);
  r.scheduler.set_held(false, 20001);
  REQUIRE(r.started.size() == 2);
  r.scheduler.on_done(r.started[1], "", 20002);
  REQUIRE(r.scheduler.flushed_generation() == 2);
}
