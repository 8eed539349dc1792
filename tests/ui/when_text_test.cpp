// Dates and times as people read and type them in the UI (issue 12):
// ui/when_text.h and the date fields of the forms (ui/form.h).
#include <catch2/catch.hpp>

#include <cctype>
#include <string>

#include "core/civil_time.h"
#include "core/schema.h"
#include "core/state.h"
#include "ui/form.h"
#include "ui/strings.h"
#include "ui/when_text.h"

using namespace dh;
using namespace dh::ui;

namespace {

struct LangGuard {
  Language saved = current_language();
  explicit LangGuard(Language l) { set_current_language(l); }
  ~LangGuard() { set_current_language(saved); }
};

int64_t at(int y, unsigned m, unsigned d, int h, int min) { return days_from_civil(y, m, d) * 1440 + h * 60 + min; }

const FieldSpec& field(const char* kind, const char* name) { return *find_kind(kind)->field(name); }

}  // namespace

TEST_CASE("when_text: Chinese and English, one day or two, never a T", "[when_text]") {
  {
    LangGuard zh(Language::zh_CN);
    CHECK(when_text(at(2026, 12, 3, 9, 0), at(2026, 12, 3, 11, 0)) == "12月3日 周四 09:00–11:00");
    CHECK(when_text("2026-12-03T09:00", "2026-12-03T11:00") == "12月3日 周四 09:00–11:00");
    CHECK(when_text("2026-12-03T22:00", "2026-12-04T06:00") == "12月3日 周四 22:00–12月4日 周五 06:00");
    CHECK(when_text(at(2026, 12, 7, 14, 5)) == "12月7日 周一 14:05");
    CHECK(day_text(days_from_civil(2026, 12, 6), true) == "2026年12月6日 周日");
    CHECK(date_field_text("1950-03-08") == "1950年3月8日 周三");
    CHECK(weekly_slot_text(*parse_weekly_slot("tue 16:00-18:00")) == "周二 16:00–18:00");
    CHECK(month_title(2026, 12) == "2026年12月");
  }
  {
    LangGuard en(Language::en);
    CHECK(when_text(at(2026, 12, 3, 9, 0), at(2026, 12, 3, 11, 0)) == "Thu 3 Dec 09:00–11:00");
    CHECK(when_text("2026-12-03T22:00", "2026-12-04T06:00") == "Thu 3 Dec 22:00–Fri 4 Dec 06:00");
    CHECK(day_text(days_from_civil(2026, 12, 6), true) == "Sun 6 Dec 2026");
    CHECK(month_title(2026, 12) == "December 2026");
  }
  // A value that cannot be read is shown as stored, without the T.
  CHECK(when_text("2026-12-03T25:00") == "2026-12-03 25:00");
  for (Language l : {Language::zh_CN, Language::en}) {
    LangGuard g(l);
    for (int64_t m = at(2026, 1, 1, 0, 0); m < at(2027, 1, 1, 0, 0); m += 1440 * 3 + 37) {
      const std::string s = when_text(m, m + 90);
      for (size_t i = 1; i + 1 < s.size(); ++i)  // no "09T10" anywhere
        CHECK_FALSE((s[i] == 'T' && isdigit(static_cast<unsigned char>(s[i - 1])) && isdigit(static_cast<unsigned char>(s[i + 1]))));
      CHECK(s.find(format_date(m / 1440)) == std::string::npos);  // never the ISO date
    }
  }
}

TEST_CASE("date fields take the typed forms and store the canonical value", "[when_text][form]") {
  LangGuard zh(Language::zh_CN);
  set_form_today(days_from_civil(2026, 12, 2));
  const FieldSpec& start = field("shift", "start");
  const FieldSpec& birth = field("resident", "birth_date");
  auto stored = [&](const FieldSpec& spec, const char* typed) {
    FieldBuffer b;
    b.text = typed;
    return from_buffer(spec, b);
  };
  CHECK(stored(start, "2026-12-02 12:35") == Json("2026-12-02T12:35"));
  CHECK(stored(start, "2026/12/2 9:00") == Json("2026-12-02T09:00"));
  CHECK(stored(start, "12月2日 9:00") == Json("2026-12-02T09:00"));
  CHECK(stored(start, "2026-12-02T12:35") == Json("2026-12-02T12:35"));
  CHECK(stored(birth, "1950年3月8日") == Json("1950-03-08"));
  CHECK(stored(field("shift_template", "start_time"), "9:00") == Json("09:00"));
  // Shown as typed, without the T; read back unchanged.
  CHECK(to_buffer(start, Json("2026-12-02T09:00")).text == "2026-12-02 09:00");

  State state;
  FieldBuffer b;
  b.text = "2026-02-30 09:00";
  CHECK(field_problem(state, *find_kind("shift"), start, b) == "2026年2月30日不存在。");
  b.text = "12月2日";
  CHECK(field_problem(state, *find_kind("shift"), start, b) == "请同时填写时间，如 12月2日 9:00。");
  b.text = "下周";
  CHECK(field_problem(state, *find_kind("shift"), start, b).find("看不懂“下周”") == 0);
  b.text = "12-02 9:00";
  CHECK(field_problem(state, *find_kind("shift"), start, b).empty());
  {
    LangGuard en(Language::en);
    b.text = "2026-12-02 25:00";
    CHECK(field_problem(state, *find_kind("shift"), start, b) ==
          "\"25:00\" is not a time of day: write hours and minutes like 09:00.");
  }
  // Lists: read as people read them.
  CHECK(display_value(state, start, Json("2026-12-03T09:00")) == "12月3日 周四 09:00");
  CHECK(display_value(state, field("volunteer", "availability"), Json::array({"mon 09:00-12:00", "wed 14:00-17:30"})) ==
        "周一 09:00–12:00、周三 14:00–17:30");
}
