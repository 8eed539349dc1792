#include <catch2/catch.hpp>

#include "core/hlc.h"

using dh::Hlc;
using dh::HlcClock;

TEST_CASE("HLC stamps from one clock strictly increase even when the wall clock stalls or steps back", "[core][hlc]") {
  HlcClock clock;
  Hlc a = clock.tick(1000);
  Hlc b = clock.tick(1000);
  Hlc c = clock.tick(900);  // wall clock stepped back
  Hlc d = clock.tick(2000);
  CHECK(a < b);
  CHECK(b < c);
  CHECK(c < d);
  CHECK(d == Hlc{2000, 0});
}

TEST_CASE("Observing a remote stamp moves the clock past it", "[core][hlc]") {
  HlcClock clock;
  clock.tick(1000);
  Hlc remote{1500, 7};
  REQUIRE(clock.observe(remote, 1200) == HlcClock::Observed::adopted);
  Hlc next = clock.tick(1200);
  CHECK(remote < next);
}

TEST_CASE("A remote clock far ahead is not adopted and is reported", "[core][hlc]") {
  HlcClock clock(60'000);
  clock.tick(1'000'000);
  const int64_t day = 24ll * 3600 * 1000;
  CHECK(clock.observe(Hlc{1'000'000 + day, 0}, 1'000'000) == HlcClock::Observed::too_far_ahead);
  // Our clock stays near our own time.
  CHECK(clock.tick(1'000'001).wall_ms == 1'000'001);
  // Within the bound it is adopted.
  CHECK(clock.observe(Hlc{1'030'000, 0}, 1'000'002) == HlcClock::Observed::adopted);
  CHECK(clock.last().wall_ms == 1'030'000);
}

TEST_CASE("HLC text form round-trips and rejects garbage", "[core][hlc]") {
  Hlc h{1764147600000, 42};
  auto parsed = Hlc::parse(h.to_string());
  REQUIRE(parsed);
  CHECK(*parsed == h);
  CHECK_FALSE(Hlc::parse(""));
  CHECK_FALSE(Hlc::parse("123"));
  CHECK_FALSE(Hlc::parse("12.x"));
  CHECK_FALSE(Hlc::parse("-5.1"));
  CHECK_FALSE(Hlc::parse(".1"));
  CHECK_FALSE(Hlc::parse("1."));
}

TEST_CASE("A restored clock never issues a stamp it issued before a restart", "[core][hlc]") {
  HlcClock before;
  Hlc last = before.tick(5000);
  last = before.tick(5000);
  HlcClock after;
  after.restore(last);
  CHECK(last < after.tick(4000));
}

// Issue 8: a logical counter of 2^32-1 was accepted and overflowed on the next
// tick; milliseconds past 2^53 lose precision in JavaScript.
TEST_CASE("HLC text is bounded at parse time and a tick never overflows", "[core][hlc][bounds]") {
  CHECK_FALSE(Hlc::parse("1767225600000.4294967295").has_value());
  CHECK_FALSE(Hlc::parse("1767225600000.2147483648").has_value());
  CHECK(Hlc::parse("1767225600000.2147483647").has_value());
  CHECK_FALSE(Hlc::parse("9007199254740992.0").has_value());  // 2^53
  CHECK(Hlc::parse("9007199254740991.0").has_value());
  CHECK_FALSE(Hlc::parse("9223372036854775807.0").has_value());
  CHECK_FALSE(Hlc::parse("-1.0").has_value());
  CHECK_FALSE(Hlc::parse("01.0").has_value());  // canonical digits only
  CHECK_FALSE(Hlc::parse("1.00").has_value());
  CHECK(Hlc::parse("0.0").has_value());

  // The counter is full: the next stamp moves to the next millisecond.
  HlcClock clock;
  const Hlc full{1000, dh::kMaxLogical};
  clock.restore(full);
  Hlc next = clock.tick(900);
  CHECK(next == Hlc{1001, 0});
  CHECK(full < next);
  HlcClock observer;
  observer.tick(1000);
  REQUIRE(observer.observe(full, 1000) == HlcClock::Observed::adopted);
  CHECK(full < observer.last());
  // An absurd wall clock is clamped, never wraps.
  HlcClock wild;
  CHECK(wild.tick(INT64_MAX).wall_ms == dh::kMaxWallMs);
  CHECK(wild.tick(INT64_MIN) > Hlc{dh::kMaxWallMs, 0});
}
