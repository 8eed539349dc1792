// Dates and times as people type them (issue 12): the forms' date and
// date-and-time fields accept more than the stored "YYYY-MM-DDTHH:MM". Pure,
// no I/O; tested in tests/core/typed_when_test.cpp.
//
// Accepted (spaces around the parts are free; full-width ：／－ and the
// ideographic space count as their ASCII forms; "T" may join date and time):
//   2026-12-02   2026/12/2   2026.12.2   2026年12月2日
//   12-02   12/2   12月2日   12月2号            (no year: the year that puts the
//                                                date nearest `today`)
//   any of these followed by a time  9:00   09:00   12:35
//   e.g. "2026-12-02 12:35", "2026-12-02T12:35", "2026/12/2 9:00", "12月2日 9:00",
//   "12月2日9:00".
// Errors are codes with parameters (Error::params), said by the UI's string
// tables as "error.<code>" (listed in core/error_codes.h):
//   when_empty          {}                 nothing typed
//   when_unreadable     {text}             not a date in any accepted form
//   when_no_such_date   {year, month, day} e.g. 2026-02-30
//   when_year_range     {year}             outside 1900..2100
//   when_bad_time       {time}             e.g. 25:00, 9:7
//   when_time_needed    {}                 a date-and-time field got only a date
//   when_time_not_here  {}                 a date field got a time
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace dh {

struct TypedWhen {
  int64_t day = 0;   // days since 1970-01-01
  int minute = -1;   // minutes after midnight; -1 when no time was typed
};

// Either form, with or without a time.
Result<TypedWhen> parse_typed_when(std::string_view text, int64_t today);
// A date field: the stored "YYYY-MM-DD" (a time is an error).
Result<std::string> typed_date(std::string_view text, int64_t today);
// A date-and-time field: the stored "YYYY-MM-DDTHH:MM" (a time is required).
Result<std::string> typed_datetime(std::string_view text, int64_t today);

}  // namespace dh
