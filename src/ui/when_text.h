// Dates and times as people read them (issue 12): the one formatting of the
// app, in the UI's language, never an ISO string and never a "T".
//   zh-CN  "12月3日 周四 09:00–11:00"     en  "Thu 3 Dec 09:00–11:00"
// A span that ends on another day names both days; a date with its year
// (birth dates, the date fields of records) reads "2026年12月3日 周四" /
// "Thu 3 Dec 2026". The words come from the string tables ("when.*",
// strings_time.cpp); pure text, no ImGui, so the tests and the CLI link it.
//
// The typed form shown in an input field is "2026-12-03 09:00" (one of the
// forms core/typed_when.h reads back), also never with a "T".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/civil_time.h"
#include "core/result.h"
#include "ui/strings.h"

namespace dh::ui {

// "12月3日 周四" / "Thu 3 Dec"; with_year: "2026年12月3日 周四" / "Thu 3 Dec 2026".
std::string day_text(int64_t days, bool with_year = false);
// "12月3日 周四 09:00" (a moment), or with an end "12月3日 周四 09:00–11:00" /
// "12月3日 周四 22:00–12月4日 周五 06:00".
std::string when_text(int64_t start_minutes, std::optional<int64_t> end_minutes = std::nullopt);
// The same from stored "YYYY-MM-DDTHH:MM" strings (end may be empty); a value
// that cannot be read is shown as stored, with the "T" made a space.
std::string when_text(const std::string& start, const std::string& end = "");
// A stored "YYYY-MM-DD" with its year; unreadable: as stored.
std::string date_field_text(const std::string& date);
// "09:00–11:00": the times of a span alone (the day shown elsewhere).
std::string time_span_text(int64_t start_minutes, int64_t end_minutes);

// A weekly availability slot: "周一 09:00–12:00" / "Mon 09:00–12:00".
std::string weekly_slot_text(const WeeklySlot& slot);

// The text an input field shows for a stored value: "2026-12-03 09:00" for a
// date and time, the date as stored for a date.
std::string typed_form_of(const std::string& stored);

// A date-typing error (core/typed_when.h) in words: "error.<code>" with its parameters.
std::string when_problem_text(const Error& error);

// Weekday names, 0 = Monday: "周一" / "Mon"; and the short column heads of
// the calendar and the availability grid: "一" / "Mo".
std::string weekday_name(int weekday);
std::string weekday_short(int weekday);
// "2026年12月" / "December 2026": a calendar's title.
std::string month_title(int year, unsigned month);

}  // namespace dh::ui
