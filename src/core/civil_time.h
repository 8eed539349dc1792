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
