#include "core/typed_when.h"

#include <cstdlib>

#include "core/civil_time.h"

namespace dh {

namespace {

// One piece of what was typed: a run of digits or one separator.
struct Token {
  char sep = 0;         // 0 for a number; else '-', '/', '.', ':', ' ', 'T', 'Y' (年), 'M' (月), 'D' (日/号)
  std::string digits;   // the number as typed
  int value() const { return digits.size() > 6 ? 1000000 : std::atoi(digits.c_str()); }
};

Error fail(const char* code, std::string message, std::vector<std::string> params = {}) {
  Error e = make_error(code, std::move(message));
  e.params = std::move(params);
  return e;
}

// Splits the text into tokens; false on a character no accepted form has.
bool tokenize(std::string_view s, std::vector<Token>* out) {
  auto push_sep = [&](char c) {
    if (c == ' ' && (out->empty() || out->back().sep == ' ')) return;  // collapse spaces
    Token t;
    t.sep = c;
    out->push_back(t);
  };
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    char digit = 0, sep = 0;
    size_t len = 1;
    if (c >= '0' && c <= '9') digit = static_cast<char>(c);
    else if (c == '-' || c == '/' || c == '.' || c == ':' || c == ' ' || c == '\t') sep = c == '\t' ? ' ' : static_cast<char>(c);
    else if (c == 'T' || c == 't') sep = 'T';
    else if (s.compare(i, 3, "\xEF\xBC\x9A") == 0) sep = ':', len = 3;   // ：
    else if (s.compare(i, 3, "\xEF\xBC\x8F") == 0) sep = '/', len = 3;   // ／
    else if (s.compare(i, 3, "\xEF\xBC\x8D") == 0) sep = '-', len = 3;   // －
    else if (s.compare(i, 3, "\xEF\xBC\x8E") == 0) sep = '.', len = 3;   // ．
    else if (s.compare(i, 3, "\xE3\x80\x80") == 0) sep = ' ', len = 3;   // ideographic space
    else if (s.compare(i, 3, "\xE5\xB9\xB4") == 0) sep = 'Y', len = 3;   // 年
    else if (s.compare(i, 3, "\xE6\x9C\x88") == 0) sep = 'M', len = 3;   // 月
    else if (s.compare(i, 3, "\xE6\x97\xA5") == 0) sep = 'D', len = 3;   // 日
    else if (s.compare(i, 3, "\xE5\x8F\xB7") == 0) sep = 'D', len = 3;   // 号
    else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
             static_cast<unsigned char>(s[i + 2]) >= 0x90 && static_cast<unsigned char>(s[i + 2]) <= 0x99)
      digit = static_cast<char>('0' + (static_cast<unsigned char>(s[i + 2]) - 0x90)), len = 3;  // full-width digit
    else return false;
    if (digit) {
      if (out->empty() || out->back().sep != 0) out->push_back(Token{});
      out->back().digits += digit;
    } else {
      push_sep(sep);
    }
    i += len;
  }
  while (!out->empty() && out->back().sep == ' ') out->pop_back();
  if (!out->empty() && out->front().sep == ' ') out->erase(out->begin());
  return true;
}

bool is_num(const std::vector<Token>& t, size_t i) { return i < t.size() && t[i].sep == 0; }
bool is_sep(const std::vector<Token>& t, size_t i, char c) { return i < t.size() && t[i].sep == c; }

bool real_date(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

Result<TypedWhen> parse_typed_when(std::string_view text, int64_t today) {
  std::vector<Token> t;
  const std::string shown(text);
  const auto unreadable = [&] {
    return fail("when_unreadable", "\"" + shown + "\" is not a date such as 2026-12-02, 12月2日 or 12-02.", {shown});
  };
  if (!tokenize(text, &t)) return unreadable();
  if (t.empty()) return fail("when_empty", "No date was given.");

  // The time: "H:MM" at the end, after a space, a "T", or straight after 日/号.
  TypedWhen out;
  size_t date_end = t.size();
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].sep != ':') continue;
    if (i == 0 || !is_num(t, i - 1) || !is_num(t, i + 1) || i + 2 != t.size()) return unreadable();
    const Token& h = t[i - 1];
    const Token& m = t[i + 1];
    const std::string typed = h.digits + ":" + m.digits;
    if (h.digits.size() > 2 || m.digits.size() > 2) return unreadable();  // digits run into the date
    if (m.digits.size() != 2 || h.value() > 23 || m.value() > 59)
      return fail("when_bad_time", "\"" + typed + "\" is not a time of day such as 09:00.", {typed});
    out.minute = h.value() * 60 + m.value();
    date_end = i - 1;
    if (date_end > 0 && (t[date_end - 1].sep == ' ' || t[date_end - 1].sep == 'T')) --date_end;
    else if (!(date_end > 0 && t[date_end - 1].sep == 'D')) return unreadable();
    if (date_end == 0) return unreadable();
  }
  // The date, without spaces (people write "12 月 2 日").
  std::vector<Token> d;
  for (size_t i = 0; i < date_end; ++i)
    if (t[i].sep != ' ') d.push_back(t[i]);
  if (!d.empty() && d.back().sep == 'D') d.pop_back();
  int y = -1, m = 0, day = 0;
  const auto plain_sep = [](char c) { return c == '-' || c == '/' || c == '.'; };
  if (d.size() == 5 && is_num(d, 0) && is_num(d, 2) && is_num(d, 4) && d[1].sep == d[3].sep && plain_sep(d[1].sep) &&
      d[0].digits.size() == 4) {
    y = d[0].value(), m = d[2].value(), day = d[4].value();
  } else if (d.size() == 5 && is_num(d, 0) && is_sep(d, 1, 'Y') && is_num(d, 2) && is_sep(d, 3, 'M') && is_num(d, 4) &&
             d[0].digits.size() == 4) {
    y = d[0].value(), m = d[2].value(), day = d[4].value();
  } else if (d.size() == 3 && is_num(d, 0) && is_num(d, 2) && (d[1].sep == '-' || d[1].sep == '/' || d[1].sep == 'M') &&
             d[0].digits.size() <= 2) {
    m = d[0].value(), day = d[2].value();
  } else {
    return unreadable();
  }
  if (d.size() == 5 && d[2].digits.size() > 2) return unreadable();
  if (d.back().digits.size() > 2) return unreadable();

  if (y >= 0) {
    if (y < 1900 || y > 2100)
      return fail("when_year_range", "The year " + std::to_string(y) + " is outside 1900-2100.", {std::to_string(y)});
    if (!real_date(y, m, day))
      return fail("when_no_such_date", std::to_string(y) + "-" + std::to_string(m) + "-" + std::to_string(day) +
                                           " is not a day of the calendar.",
                  {std::to_string(y), std::to_string(m), std::to_string(day)});
    out.day = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(day));
    return out;
  }
  // No year: of last year, this year and next year, the one nearest today.
  int ty;
  unsigned tm, td;
  civil_from_days(today, &ty, &tm, &td);
  bool found = false;
  int64_t best = 0;
  for (int cy = ty - 1; cy <= ty + 1; ++cy) {
    if (!real_date(cy, m, day)) continue;
    const int64_t cand = days_from_civil(cy, static_cast<unsigned>(m), static_cast<unsigned>(day));
    if (!found || std::llabs(cand - today) < std::llabs(best - today)) best = cand, found = true;
  }
  if (!found)
    return fail("when_no_such_date",
                std::to_string(ty) + "-" + std::to_string(m) + "-" + std::to_string(day) + " is not a day of the calendar.",
                {std::to_string(ty), std::to_string(m), std::to_string(day)});
  out.day = best;
  return out;
}

Result<std::string> typed_date(std::string_view text, int64_t today) {
  auto w = parse_typed_when(text, today);
  if (!w) return w.error();
  if (w->minute >= 0) return fail("when_time_not_here", "This field takes a date without a time.");
  return format_date(w->day);
}

Result<std::string> typed_datetime(std::string_view text, int64_t today) {
  auto w = parse_typed_when(text, today);
  if (!w) return w.error();
  if (w->minute < 0) return fail("when_time_needed", "Give a time too, e.g. 2026-12-02 09:00.");
  return format_datetime(w->day * 1440 + w->minute);
}

}  // namespace dh
