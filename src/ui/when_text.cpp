#include "ui/when_text.h"

#include <cstdio>

#include "core/civil_time.h"

namespace dh::ui {

namespace {

std::string num(int64_t v) { return std::to_string(v); }

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

std::string weekday_name(int weekday) { return tr("when.weekday." + std::to_string(weekday)); }
std::string weekday_short(int weekday) { return tr("when.weekday_short." + std::to_string(weekday)); }

std::string month_title(int year, unsigned month) {
  return trf("when.month_title", {num(year), num(month), tr("when.month_long." + std::to_string(month))});
}

std::string day_text(int64_t days, bool with_year) {
  int y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  return trf(with_year ? "when.day_year" : "when.day",
             {num(y), num(m), num(d), weekday_name(weekday_of_days(days)), tr("when.month." + std::to_string(m))});
}

std::string time_span_text(int64_t start_minutes, int64_t end_minutes) {
  const int64_t a = start_minutes - floor_div(start_minutes, 1440) * 1440;
  const int64_t b = end_minutes - floor_div(end_minutes, 1440) * 1440;
  return format_time_of_day(static_cast<int>(a)) + "–" + format_time_of_day(static_cast<int>(b));
}

std::string when_text(int64_t start_minutes, std::optional<int64_t> end_minutes) {
  const int64_t day = floor_div(start_minutes, 1440);
  std::string out = day_text(day) + " " + format_time_of_day(static_cast<int>(start_minutes - day * 1440));
  if (!end_minutes) return out;
  const int64_t end_day = floor_div(*end_minutes, 1440);
  out += "–";
  if (end_day != day) out += day_text(end_day) + " ";
  return out + format_time_of_day(static_cast<int>(*end_minutes - end_day * 1440));
}

std::string when_text(const std::string& start, const std::string& end) {
  auto s = parse_datetime(start);
  if (!s) return typed_form_of(start);
  if (end.empty()) return when_text(*s);
  auto e = parse_datetime(end);
  if (!e) return when_text(*s) + "–" + typed_form_of(end);
  return when_text(*s, *e);
}

std::string weekly_slot_text(const WeeklySlot& slot) {
  return weekday_name(slot.weekday) + " " + time_span_text(slot.start_min, slot.end_min);
}

std::string date_field_text(const std::string& date) {
  auto d = parse_date(date);
  return d ? day_text(*d, true) : date;
}

std::string typed_form_of(const std::string& stored) {
  std::string out = stored;
  if (out.size() == 16 && out[10] == 'T') out[10] = ' ';
  return out;
}

std::string when_problem_text(const Error& error) {
  const std::string key = "error." + error.code;
  if (!find_text(current_language(), key)) return error.message;
  std::string s = tr(key);
  for (size_t i = 0; i < error.params.size(); ++i) {
    const std::string ph = "{" + std::to_string(i) + "}";
    for (size_t at = s.find(ph); at != std::string::npos; at = s.find(ph, at + error.params[i].size()))
      s.replace(at, ph.size(), error.params[i]);
  }
  return s;
}

}  // namespace dh::ui
