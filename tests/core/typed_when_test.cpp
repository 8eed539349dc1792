// Dates and times as people type them (core/typed_when.h, issue 12).
#include <catch2/catch.hpp>

#include "core/civil_time.h"
#include "core/error_codes.h"
#include "core/typed_when.h"

#include <algorithm>

using namespace dh;

namespace {
const int64_t kToday = days_from_civil(2026, 12, 2);  // a Wednesday

std::string dt(const char* s, int64_t today = kToday) {
  auto r = typed_datetime(s, today);
  return r ? r.value() : "error:" + r.error().code;
}
std::string d(const char* s, int64_t today = kToday) {
  auto r = typed_date(s, today);
  return r ? r.value() : "error:" + r.error().code;
}
}  // namespace

TEST_CASE("typed dates and times: every accepted form", "[typed_when]") {
  CHECK(dt("2026-12-02 12:35") == "2026-12-02T12:35");
  CHECK(dt("2026-12-02T12:35") == "2026-12-02T12:35");
  CHECK(dt("2026/12/2 9:00") == "2026-12-02T09:00");
  CHECK(dt("2026.12.2 09:00") == "2026-12-02T09:00");
  CHECK(dt("2026年12月2日 9:00") == "2026-12-02T09:00");
  CHECK(dt("12月2日 9:00") == "2026-12-02T09:00");
  CHECK(dt("12月2日9:00") == "2026-12-02T09:00");
  CHECK(dt("12月2号 18:30") == "2026-12-02T18:30");
  CHECK(dt("12-02 09:00") == "2026-12-02T09:00");
  CHECK(dt("12/2 09:00") == "2026-12-02T09:00");
  CHECK(dt("  2026-12-02   12:35  ") == "2026-12-02T12:35");
  // Full-width colon and digits and the ideographic space, as Chinese input methods type them.
  CHECK(dt("12月2日\xE3\x80\x80" "9\xEF\xBC\x9A" "00") == "2026-12-02T09:00");
  CHECK(dt("\xEF\xBC\x91\xEF\xBC\x92月\xEF\xBC\x92日 9:00") == "2026-12-02T09:00");
  CHECK(d("12月2日") == "2026-12-02");
  CHECK(d("12月2") == "2026-12-02");
  CHECK(d("12-02") == "2026-12-02");
  CHECK(d("2026-12-02") == "2026-12-02");
  CHECK(d("1950/3/8") == "1950-03-08");
  CHECK(d("1950年3月8日") == "1950-03-08");
}

TEST_CASE("typed dates without a year take the nearest year", "[typed_when]") {
  CHECK(d("1月3日") == "2027-01-03");                                   // early next year, seen from December
  CHECK(d("11-20") == "2026-11-20");                                    // a little while ago
  CHECK(d("12-30", days_from_civil(2027, 1, 2)) == "2026-12-30");       // the end of last year, seen from January
  CHECK(d("2-29", days_from_civil(2027, 6, 1)) == "2028-02-29");        // the nearest year that has the day
}

TEST_CASE("typed dates: each mistake is named with its parameters", "[typed_when]") {
  auto code = [](const char* s) {
    auto r = parse_typed_when(s, kToday);
    return r ? std::string("ok") : r.error().code;
  };
  CHECK(code("") == "when_empty");
  CHECK(code("   ") == "when_empty");
  CHECK(code("tomorrow") == "when_unreadable");
  CHECK(code("2026-12") == "when_unreadable");
  CHECK(code("9:00") == "when_unreadable");
  CHECK(code("2026-12-02 9") == "when_unreadable");
  CHECK(code("2026-12-0212:35") == "when_unreadable");
  CHECK(code("2026-12/02") == "when_unreadable");
  CHECK(code("2026-02-30") == "when_no_such_date");
  CHECK(code("2月30日") == "when_no_such_date");
  CHECK(code("1850-01-01") == "when_year_range");
  CHECK(code("2026-12-02 25:00") == "when_bad_time");
  CHECK(code("2026-12-02 9:7") == "when_bad_time");
  CHECK(dt("2026-12-02") == "error:when_time_needed");
  CHECK(d("2026-12-02 09:00") == "error:when_time_not_here");

  auto bad = parse_typed_when("2026-02-30", kToday);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().params == std::vector<std::string>{"2026", "2", "30"});
  auto unread = parse_typed_when("soon", kToday);
  REQUIRE_FALSE(unread);
  CHECK(unread.error().params == std::vector<std::string>{"soon"});
  auto time = parse_typed_when("12-02 24:10", kToday);
  REQUIRE_FALSE(time);
  CHECK(time.error().params == std::vector<std::string>{"24:10"});
  for (const char* s : {"", "x", "2026-02-30", "1850-01-01", "2026-12-02 25:00"}) {
    auto r = parse_typed_when(s, kToday);
    REQUIRE_FALSE(r);
    CHECK(std::find(core_error_codes().begin(), core_error_codes().end(), r.error().code) != core_error_codes().end());
  }
}

TEST_CASE("availability as written in a CSV cell", "[typed_when][availability]") {
  auto slots = [](const char* s) {
    auto r = parse_availability_text(s);
    if (!r) return std::vector<std::string>{"error:" + r.error().code};
    return r.value();
  };
  CHECK(slots("周一 08:00-12:00; 周三 14:00-17:30") == std::vector<std::string>{"mon 08:00-12:00", "wed 14:00-17:30"});
  CHECK(slots("mon 8:00-12:00, WED 14:00-17:30") == std::vector<std::string>{"mon 08:00-12:00", "wed 14:00-17:30"});
  CHECK(slots("星期五 9:00–11:00；周日 10：00至11:30") == std::vector<std::string>{"fri 09:00-11:00", "sun 10:00-11:30"});
  CHECK(slots("Saturday 09:00 ~ 10:00、周天 08:00-09:00") == std::vector<std::string>{"sat 09:00-10:00", "sun 08:00-09:00"});
  CHECK(slots(" ; ").empty());
  CHECK(slots("周一 12:00-08:00") == std::vector<std::string>{"error:bad_availability"});
  CHECK(slots("周八 08:00-09:00") == std::vector<std::string>{"error:bad_availability"});
  CHECK(slots("mon 08:00") == std::vector<std::string>{"error:bad_availability"});
  auto bad = parse_availability_text("周一 08:00-12:00; 周二 25:00-26:00");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().params == std::vector<std::string>{"周二 25:00-26:00"});
}

TEST_CASE("the availability grid and slots round-trip", "[typed_when][availability]") {
  const std::vector<std::string> slots = {"mon 08:00-12:00", "mon 14:00-15:30", "sun 20:00-23:59"};
  WeekGrid g = grid_from_slots(slots);
  CHECK(g.on[0][16]);
  CHECK(g.on[0][23]);
  CHECK_FALSE(g.on[0][24]);
  CHECK(g.on[6][47]);
  CHECK(slots_from_grid(g) == slots);
  // A slot off the half-hours takes every half-hour it touches.
  CHECK(slots_from_grid(grid_from_slots({"tue 09:15-10:10"})) == std::vector<std::string>{"tue 09:00-10:30"});
  CHECK(slots_from_grid(WeekGrid{}).empty());
}
