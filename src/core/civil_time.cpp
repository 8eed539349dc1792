#include "core/civil_time.h"

#include <cstdio>

namespace dh {

const char* const kWeekdayKeys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yy + (*m <= 2));
}

namespace {
bool digits(std::string_view s, size_t from, size_t n, int* out) {
  int v = 0;
  for (size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}
}  // namespace

std::optional<int64_t> parse_date(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, &y) || !digits(s, 5, 2, &m) ||
      !digits(s, 8, 2, &d))
    return std::nullopt;
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > days[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string format_date(int64_t days) {
  int y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

std::optional<int> parse_time_of_day(std::string_view s) {
  int h, m;
  if (s.size() != 5 || s[2] != ':' || !digits(s, 0, 2, &h) || !digits(s, 3, 2, &m) || h > 23 || m > 59)
    return std::nullopt;
  return h * 60 + m;
}

std::string format_time_of_day(int minutes) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

std::optional<int64_t> parse_datetime(std::string_view s) {
  if (s.size() != 16 || s[10] != 'T') return std::nullopt;
  auto d = parse_date(s.substr(0, 10));
  auto t = parse_time_of_day(s.substr(11, 5));
  if (!d || !t) return std::nullopt;
  return *d * 1440 + *t;
}

std::string format_datetime(int64_t minutes) {
  int64_t days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
  return format_date(days) + "T" + format_time_of_day(static_cast<int>(minutes - days * 1440));
}

int weekday_of_days(int64_t days) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  int64_t w = (days + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

int age_on(int64_t birth_days, int64_t on_days) {
  int by, oy;
  unsigned bm, bd, om, od;
  civil_from_days(birth_days, &by, &bm, &bd);
  civil_from_days(on_days, &oy, &om, &od);
  int age = oy - by;
  if (om < bm || (om == bm && od < bd)) --age;
  return age;
}

std::optional<WeeklySlot> parse_weekly_slot(std::string_view s) {
  // "mon 09:00-12:00"
  if (s.size() != 15 || s[3] != ' ' || s[9] != '-') return std::nullopt;
  WeeklySlot slot;
  slot.weekday = -1;
  for (int i = 0; i < 7; ++i) {
    if (s.substr(0, 3) == kWeekdayKeys[i]) slot.weekday = i;
  }
  auto a = parse_time_of_day(s.substr(4, 5));
  auto b = parse_time_of_day(s.substr(10, 5));
  if (slot.weekday < 0 || !a || !b || *b <= *a) return std::nullopt;
  slot.start_min = *a;
  slot.end_min = *b;
  return slot;
}

}  // namespace dh

namespace dh {

bool WeekGrid::operator==(const WeekGrid& o) const {
  for (int d = 0; d < 7; ++d)
    for (int k = 0; k < 48; ++k)
      if (on[d][k] != o.on[d][k]) return false;
  return true;
}

WeekGrid grid_from_slots(const std::vector<std::string>& slots) {
  WeekGrid g;
  for (const auto& s : slots) {
    auto slot = parse_weekly_slot(s);
    if (!slot) continue;
    for (int k = slot->start_min / 30; k * 30 < slot->end_min && k < 48; ++k) g.on[slot->weekday][k] = true;
  }
  return g;
}

std::vector<std::string> slots_from_grid(const WeekGrid& grid) {
  std::vector<std::string> out;
  for (int d = 0; d < 7; ++d) {
    for (int k = 0; k < 48;) {
      if (!grid.on[d][k]) {
        ++k;
        continue;
      }
      int end = k;
      while (end < 48 && grid.on[d][end]) ++end;
      out.push_back(std::string(kWeekdayKeys[d]) + " " + format_time_of_day(k * 30) + "-" +
                    format_time_of_day(end == 48 ? 23 * 60 + 59 : end * 30));
      k = end;
    }
  }
  return out;
}

namespace {

// The weekday a word names, or -1.
int weekday_word(std::string w) {
  for (char& c : w)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  static const char* const longs[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  static const char* const zh[7] = {"一", "二", "三", "四", "五", "六", "日"};
  for (int i = 0; i < 7; ++i) {
    if (w == kWeekdayKeys[i] || w == longs[i]) return i;
    for (const char* prefix : {"周", "星期", "礼拜"})
      if (w == std::string(prefix) + zh[i]) return i;
  }
  if (w == "周天" || w == "星期天" || w == "礼拜天") return 6;
  return -1;
}

// "8:00" or "08:00" -> minutes.
std::optional<int> loose_time(const std::string& t) {
  return parse_time_of_day(t.size() == 4 && t[1] == ':' ? "0" + t : t);
}

std::string trimmed(std::string_view s) {
  size_t a = 0, b = s.size();
  auto space_at = [&](size_t i, size_t* len) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') return *len = 1, true;
    if (s.compare(i, 3, "\xE3\x80\x80") == 0) return *len = 3, true;
    return false;
  };
  size_t len = 0;
  while (a < b && space_at(a, &len)) a += len;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n')) --b;
  while (b >= a + 3 && s.compare(b - 3, 3, "\xE3\x80\x80") == 0) b -= 3;
  return std::string(s.substr(a, b - a));
}

}  // namespace

Result<std::vector<std::string>> parse_availability_text(std::string_view text) {
  // Split on ; ； , ， and new lines.
  std::vector<std::string> items;
  std::string cur;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ';' || text[i] == ',' || text[i] == '\n') {
      items.push_back(cur), cur.clear(), ++i;
    } else if (text.compare(i, 3, "\xEF\xBC\x9B") == 0 || text.compare(i, 3, "\xEF\xBC\x8C") == 0 ||
               text.compare(i, 3, "\xE3\x80\x81") == 0) {  // ； ， 、
      items.push_back(cur), cur.clear(), i += 3;
    } else {
      cur += text[i++];
    }
  }
  items.push_back(cur);
  std::vector<std::string> out;
  for (const auto& raw : items) {
    std::string item = trimmed(raw);
    if (item.empty()) continue;
    Error bad = make_error("bad_availability", "\"" + item + "\" is not a weekly time such as 周一 08:00-12:00 or mon 08:00-12:00.");
    bad.params = {item};
    // Normalise the range's dash and the full-width colon, then split "<day> <from>-<to>".
    std::string s;
    for (size_t i = 0; i < item.size();) {
      if (item.compare(i, 3, "\xE2\x80\x93") == 0 || item.compare(i, 3, "\xE2\x80\x94") == 0 ||
          item.compare(i, 3, "\xE8\x87\xB3") == 0 || item.compare(i, 3, "\xEF\xBD\x9E") == 0) {  // – — 至 ～
        s += '-', i += 3;
      } else if (item.compare(i, 3, "\xEF\xBC\x9A") == 0) {  // ：
        s += ':', i += 3;
      } else if (item[i] == '~') {
        s += '-', ++i;
      } else {
        s += item[i++];
      }
    }
    // The day: the text before the first digit.
    size_t first_digit = s.find_first_of("0123456789");
    if (first_digit == std::string::npos) return bad;
    const int day = weekday_word(trimmed(s.substr(0, first_digit)));
    if (day < 0) return bad;
    std::string range;
    for (char c : s.substr(first_digit))
      if (c != ' ') range += c;
    const size_t dash = range.find('-');
    if (dash == std::string::npos) return bad;
    auto a = loose_time(range.substr(0, dash));
    auto b = loose_time(range.substr(dash + 1));
    if (!a || !b || *b <= *a) return bad;
    out.push_back(std::string(kWeekdayKeys[day]) + " " + format_time_of_day(*a) + "-" + format_time_of_day(*b));
  }
  return out;
}

}  // namespace dh
