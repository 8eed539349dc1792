// Community-local civil time. Dongcheng is on China Standard Time (UTC+8, no
// daylight saving), and every time the volunteer corps writes down is local:
// "2026-12-01T16:00". We keep times as those strings in operations and convert
// to minutes since 1970-01-01T00:00 local for arithmetic; intervals are
// half-open [start, end), so back-to-back shifts do not clash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace dh {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int* y, unsigned* m, unsigned* d);

// "YYYY-MM-DD" -> days since epoch; nullopt unless a real date.
std::optional<int64_t> parse_date(std::string_view s);
std::string format_date(int64_t days);
// "HH:MM" (00:00..23:59) -> minutes after midnight.
std::optional<int> parse_time_of_day(std::string_view s);
std::string format_time_of_day(int minutes);
// "YYYY-MM-DDTHH:MM" -> minutes since epoch (local).
std::optional<int64_t> parse_datetime(std::string_view s);
std::string format_datetime(int64_t minutes);
// 0 = Monday ... 6 = Sunday.
int weekday_of_days(int64_t days);
// Whole years between a birth date and a day (both days since epoch).
int age_on(int64_t birth_days, int64_t on_days);

// Local minutes since epoch for a UTC millisecond instant (UTC+8).
inline int64_t local_minutes_from_utc_ms(int64_t ms) { return (ms / 60000) + 8 * 60; }

extern const char* const kWeekdayKeys[7];  // "mon" ... "sun"

// A weekly availability slot "mon 09:00-12:00" (end after start, same day).
struct WeeklySlot {
  int weekday = 0;
  int start_min = 0;
  int end_min = 0;
};
std::optional<WeeklySlot> parse_weekly_slot(std::string_view s);

}  // namespace dh

namespace dh {

// A week of availability as half-hours (the availability grid, issue 12):
// cell [day][k] is the half-hour starting at k*30 minutes, day 0 = Monday.
struct WeekGrid {
  bool on[7][48] = {};
  bool operator==(const WeekGrid& o) const;
};
// Slots -> cells: every half-hour a slot touches (unreadable slots ignored).
WeekGrid grid_from_slots(const std::vector<std::string>& slots);
// Cells -> slots "mon 09:00-12:00", by day then time, one per run of cells; a
// run to midnight ends "23:59" (a slot ends within its day).
std::vector<std::string> slots_from_grid(const WeekGrid& grid);

// Availability as written in a CSV cell (docs/exports.md): slots separated
// by ";" "；" "," "，" "、" or new lines, each a weekday and a time range:
//   "周一 08:00-12:00; 周三 14:00-17:30", "mon 8:00-12:00, wed 14:00-17:30",
//   "星期五 9:00–11:00". Weekdays: mon..sun (any case), Monday..Sunday,
//   周一..周日 (周天), 星期一..星期日 (星期天); the range's dash may be - – — ~ 至.
// -> stored slots "mon 08:00-12:00". Error "bad_availability" {the slot}
// for the first slot that cannot be read.
Result<std::vector<std::string>> parse_availability_text(std::string_view text);

}  // namespace dh
