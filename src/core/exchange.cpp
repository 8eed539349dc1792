#include "core/exchange.h"

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>

#include "core/civil_time.h"
#include "core/schema.h"
#include "core/text.h"
#include "core/volunteering.h"

namespace dh {

namespace {

const char kBom[] = "\xEF\xBB\xBF";

const char* pick(Lang lang, const char* zh, const char* en) { return lang == Lang::zh ? zh : en; }

std::string percent(double share) {
  // One decimal, rounded half up, without locale-dependent printf.
  long long tenths = static_cast<long long>(share * 1000.0 + 0.5);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

// Skill keys and their Chinese names (exported in zh, both read on import).
const std::vector<std::pair<std::string, std::string>>& skill_names() {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"first_aid", "急救"},   {"tutoring", "辅导"},    {"legal", "法律"},   {"elderly_care", "助老"},
      {"cleaning", "保洁"},    {"photography", "摄影"}, {"driving", "驾驶"}, {"computer", "电脑"},
      {"cooking", "烹饪"},     {"sports", "体育"},      {"arts", "文艺"},    {"tea", "茶艺"}};
  return names;
}

std::string skill_label(const std::string& key, Lang lang) {
  if (lang == Lang::en) return key;
  for (const auto& [k, zh] : skill_names())
    if (k == key) return zh;
  return key;
}

std::string join_list(const Json& list, Lang lang, bool skills) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += "; ";
    out += skills ? skill_label(v.get<std::string>(), lang) : v.get<std::string>();
  }
  return out;
}

std::string entity_name(const State& state, const std::string& kind, const std::string& id) {
  const Entity* e = state.find(kind, id);
  return e ? e->text("name") : "";
}

}  // namespace

// ---------------------------------------------------------------- CSV out

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_text(const std::vector<std::vector<std::string>>& rows) {
  std::string out = kBom;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      out += csv_field(row[i]);
    }
    out += "\r\n";
  }
  return out;
}

std::string format_hours(int64_t minutes) {
  const bool negative = minutes < 0;
  const int64_t hundredths = ((negative ? -minutes : minutes) * 100 + 30) / 60;
  std::string frac = std::to_string(hundredths % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return (negative ? "-" : "") + std::to_string(hundredths / 100) + "." + frac;
}

std::string hours_csv(const std::vector<HoursRow>& rows, HoursGrouping by, Lang lang) {
  const char* key_header = "";
  switch (by) {
    case HoursGrouping::volunteer: key_header = pick(lang, "志愿者编号", "volunteer_id"); break;
    case HoursGrouping::squad: key_header = pick(lang, "队伍编号", "squad_id"); break;
    case HoursGrouping::station: key_header = pick(lang, "站点编号", "station_id"); break;
    case HoursGrouping::month: key_header = pick(lang, "月份", "month"); break;
  }
  std::vector<std::vector<std::string>> out;
  out.push_back({key_header, pick(lang, "名称", "name"), pick(lang, "核实时长(小时)", "verified_hours"),
                 pick(lang, "补录时长(小时)", "hand_added_hours"), pick(lang, "合计(小时)", "total_hours"),
                 pick(lang, "核实分钟", "verified_minutes"), pick(lang, "补录分钟", "hand_added_minutes"),
                 pick(lang, "合计分钟", "total_minutes")});
  HoursTotals sum;
  for (const auto& r : rows) {
    out.push_back({r.key, r.label, format_hours(r.totals.verified_minutes), format_hours(r.totals.manual_minutes),
                   format_hours(r.totals.total()), std::to_string(r.totals.verified_minutes),
                   std::to_string(r.totals.manual_minutes), std::to_string(r.totals.total())});
    sum.verified_minutes += r.totals.verified_minutes;
    sum.manual_minutes += r.totals.manual_minutes;
  }
  out.push_back({pick(lang, "合计", "total"), "", format_hours(sum.verified_minutes), format_hours(sum.manual_minutes),
                 format_hours(sum.total()), std::to_string(sum.verified_minutes),
                 std::to_string(sum.manual_minutes), std::to_string(sum.total())});
  return csv_text(out);
}

std::string coverage_csv(const Coverage& c, Lang lang) {
  std::vector<std::vector<std::string>> out;
  out.push_back({pick(lang, "班次编号", "shift_id"), pick(lang, "站点", "station"), pick(lang, "岗位", "role"),
                 pick(lang, "开始", "start"), pick(lang, "结束", "end"), pick(lang, "名额", "places"),
                 pick(lang, "已确认", "filled"), pick(lang, "空缺", "open"), pick(lang, "候补", "waitlist"),
                 pick(lang, "覆盖率", "share")});
  for (const auto& r : c.shifts) {
    out.push_back({r.shift_id, r.station_name, r.role, r.start, r.end, std::to_string(r.places),
                   std::to_string(r.filled), std::to_string(r.open), std::to_string(r.waitlist), percent(r.share())});
  }
  out.push_back({pick(lang, "合计", "total"), "", "", "", "", std::to_string(c.places), std::to_string(c.filled),
                 std::to_string(c.open), "", percent(c.share())});
  return csv_text(out);
}

std::string no_show_csv(const std::vector<NoShowRow>& rows, NoShowGrouping by, Lang lang) {
  std::vector<std::vector<std::string>> out;
  out.push_back({by == NoShowGrouping::volunteer ? pick(lang, "志愿者编号", "volunteer_id")
                                                 : pick(lang, "站点编号", "station_id"),
                 pick(lang, "名称", "name"), pick(lang, "已到岗", "attended"),
                 pick(lang, "已签到未签退", "checked_in_not_out"), pick(lang, "请假", "excused"),
                 pick(lang, "爽约", "no_show"), pick(lang, "未登记考勤", "not_checked_in"),
                 pick(lang, "有考勤结果", "with_outcome"), pick(lang, "爽约率", "no_show_rate")});
  for (const auto& r : rows) {
    out.push_back({r.key, r.label, std::to_string(r.attended), std::to_string(r.checked_in),
                   std::to_string(r.excused), std::to_string(r.no_show), std::to_string(r.not_checked_in),
                   std::to_string(r.with_outcome()), percent(r.rate())});
  }
  return csv_text(out);
}

std::string participation_csv(const Participation& p, Lang lang) {
  return csv_text({{pick(lang, "户数", "households"), pick(lang, "参与户数", "households_taking_part"),
                    pick(lang, "参与率", "share")},
                   {std::to_string(p.households), std::to_string(p.taking_part), percent(p.share())}});
}

std::string ledger_csv(const State& state, const std::vector<LedgerLine>& ledger, Lang lang) {
  std::vector<std::vector<std::string>> out;
  out.push_back({pick(lang, "志愿者编号", "volunteer_id"), pick(lang, "姓名", "name"), pick(lang, "日期", "date"),
                 pick(lang, "分钟", "minutes"), pick(lang, "小时", "hours"), pick(lang, "类型", "kind"),
                 pick(lang, "站点", "station"), pick(lang, "记录人", "author"), pick(lang, "原因", "reason"),
                 pick(lang, "来源编号", "source_id")});
  for (const auto& l : ledger) {
    out.push_back({l.volunteer, volunteer_name(state, l.volunteer), l.date, std::to_string(l.minutes),
                   format_hours(l.minutes),
                   l.verified ? pick(lang, "核实", "verified") : pick(lang, "手工补录", "hand_added"),
                   station_name(state, l.station), l.author, l.reason, l.source});
  }
  return csv_text(out);
}

std::string volunteer_phone(const State& state, const std::string& volunteer_id) {
  const Entity* v = state.find("volunteer", volunteer_id);
  const Entity* r = v ? state.find("resident", v->text("resident")) : nullptr;
  if (!r) return "";
  if (!r->text("phone").empty()) return r->text("phone");
  const Entity* h = state.find("household", r->text("household"));
  return h ? h->text("phone") : "";
}

namespace {
std::string shown_phone(const State& state, const std::string& volunteer_id, PhoneDisplay phones) {
  if (phones == PhoneDisplay::hidden) return "";
  const std::string p = volunteer_phone(state, volunteer_id);
  return phones == PhoneDisplay::full ? p : mask_phone(p);
}

const char* attendance_label(Attendance a, Lang lang) {
  switch (a) {
    case Attendance::attended: return pick(lang, "已到岗", "attended");
    case Attendance::checked_in: return pick(lang, "已签到", "checked in");
    case Attendance::excused: return pick(lang, "请假", "excused");
    case Attendance::no_show: return pick(lang, "爽约", "no-show");
    case Attendance::not_checked_in: return pick(lang, "未登记", "not checked in");
  }
  return "";
}
}  // namespace

std::string roster_csv(const State& state, const std::string& shift_id, PhoneDisplay phones, Lang lang) {
  VolunteerIndex index(state);
  const Roster r = index.roster(shift_id);
  std::vector<std::vector<std::string>> out;
  out.push_back({pick(lang, "站点", "station"), pick(lang, "岗位", "role"), pick(lang, "开始", "start"),
                 pick(lang, "结束", "end"), pick(lang, "名单", "list"), pick(lang, "序号", "number"),
                 pick(lang, "姓名", "name"), pick(lang, "电话", "phone"), pick(lang, "考勤", "attendance"),
                 pick(lang, "签到", "check_in"), pick(lang, "签退", "check_out")});
  if (!r.shift) return csv_text(out);
  const std::string station = station_name(state, r.shift->text("station"));
  auto add = [&](const std::vector<RosterEntry>& list, const char* which) {
    int n = 0;
    for (const auto& e : list) {
      const std::string vol = e.signup->text("volunteer");
      out.push_back({station, r.shift->text("role"), r.shift->text("start"), r.shift->text("end"), which,
                     std::to_string(++n), volunteer_name(state, vol), shown_phone(state, vol, phones),
                     attendance_label(attendance_of(*e.signup), lang), e.signup->text("check_in"),
                     e.signup->text("check_out")});
    }
  };
  add(r.confirmed, pick(lang, "确认", "confirmed"));
  add(r.waitlist, pick(lang, "候补", "waitlist"));
  return csv_text(out);
}

namespace {

// Import columns: canonical key, Chinese header, English header.
struct Column {
  const char* key;
  const char* zh;
  const char* en;
};
const std::vector<Column> kVolunteerColumns = {
    {"resident_id", "居民编号", "resident_id"},     {"name", "姓名", "name"},
    {"address", "住址", "address"},                 {"squad", "队伍", "squad"},
    {"group", "小组", "group"},                     {"skills", "技能", "skills"},
    {"joined", "加入日期", "joined"},               {"guardian_consent", "监护人同意", "guardian_consent"},
    {"availability", "可服务时间", "availability"}, {"unavailable_dates", "不可服务日期", "unavailable_dates"},
    {"preferred_station", "常驻站点", "preferred_station"},
    {"max_weekly_hours", "每周最多小时", "max_weekly_hours"},
    {"note", "备注", "note"}};
const std::vector<Column> kShiftColumns = {
    {"station", "站点", "station"},   {"role", "岗位", "role"},
    {"start", "开始", "start"},       {"end", "结束", "end"},
    {"capacity", "名额", "capacity"}, {"required_skills", "所需技能", "required_skills"},
    {"min_age", "最低年龄", "min_age"}, {"note", "备注", "note"}};

std::vector<std::string> header_row(const std::vector<Column>& cols, Lang lang) {
  std::vector<std::string> out;
  for (const auto& c : cols) out.push_back(lang == Lang::zh ? c.zh : c.en);
  return out;
}

}  // namespace

std::string volunteers_csv(const State& state, Lang lang) {
  std::vector<std::vector<std::string>> out;
  out.push_back(header_row(kVolunteerColumns, lang));
  for (const Entity* v : state.list("volunteer")) {
    const Entity* r = state.find("resident", v->text("resident"));
    const Entity* h = r ? state.find("household", r->text("household")) : nullptr;
    const Json& consent = v->get("guardian_consent");
    const Json& cap = v->get("max_weekly_hours");
    out.push_back({v->text("resident"), r ? r->text("name") : "", h ? h->text("address") : "",
                   entity_name(state, "squad", v->text("squad")),
                   entity_name(state, "volunteer_group", v->text("group")), join_list(v->get("skills"), lang, true),
                   v->text("joined"),
                   consent.is_boolean() ? (consent.get<bool>() ? pick(lang, "是", "yes") : pick(lang, "否", "no")) : "",
                   join_list(v->get("availability"), lang, false), join_list(v->get("unavailable_dates"), lang, false),
                   station_name(state, v->text("preferred_station")),
                   cap.is_number_integer() ? std::to_string(cap.get<long long>()) : "", v->text("note")});
  }
  return csv_text(out);
}

std::string shifts_csv(const State& state, int64_t from_day, int64_t to_day, Lang lang) {
  std::vector<std::vector<std::string>> out;
  out.push_back(header_row(kShiftColumns, lang));
  std::vector<const Entity*> shifts;
  for (const Entity* s : state.list("shift")) {
    Interval when;
    if (!shift_interval(*s, &when)) continue;
    const int64_t day = when.start / 1440;
    if (day >= from_day && day < to_day) shifts.push_back(s);
  }
  std::stable_sort(shifts.begin(), shifts.end(),
                   [](const Entity* a, const Entity* b) { return a->text("start") < b->text("start"); });
  for (const Entity* s : shifts) {
    auto num = [&](const char* f) {
      const Json& j = s->get(f);
      return j.is_number_integer() ? std::to_string(j.get<long long>()) : std::string();
    };
    out.push_back({station_name(state, s->text("station")), s->text("role"), s->text("start"), s->text("end"),
                   num("capacity"), join_list(s->get("required_skills"), lang, true), num("min_age"),
                   s->text("note")});
  }
  return csv_text(out);
}

// ---------------------------------------------------------------- CSV in

Result<std::vector<CsvRecord>> parse_csv(const std::string& text) {
  std::vector<CsvRecord> out;
  size_t i = text.compare(0, 3, kBom) == 0 ? 3 : 0;
  size_t line = 1;
  const size_t n = text.size();
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool record_done = false;
    while (!record_done) {
      field.clear();
      if (i < n && text[i] == '"') {
        const size_t quote_line = line;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\r') {
            ++line;
            if (i + 1 < n && text[i + 1] == '\n') {
              field += "\r\n";
              i += 2;
              continue;
            }
          } else if (c == '\n') {
            ++line;
          }
          field += c;
          ++i;
        }
        if (!closed)
          return make_error("unterminated_quote", "Line " + std::to_string(quote_line) +
                                                      ": a quoted field is never closed (a \" is missing).");
        // Text after the closing quote up to the separator is kept as is (lenient).
        while (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n') field += text[i++];
      } else {
        while (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n') field += text[i++];
      }
      rec.fields.push_back(field);
      if (i >= n) {
        record_done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
        ++i;
        ++line;
        record_done = true;
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

namespace {

bool blank_record(const CsvRecord& r) {
  for (const auto& f : r.fields)
    if (!trim(f).empty()) return false;
  return true;
}

std::string lower_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Splits a list cell at ; ； 、 , ，
std::vector<std::string> split_list(const std::string& cell) {
  std::string s = cell;
  for (const char* sep : {"\xEF\xBC\x9B", "\xE3\x80\x81", "\xEF\xBC\x8C"}) {  // ； 、 ，
    for (size_t at; (at = s.find(sep)) != std::string::npos;) s.replace(at, 3, ";");
  }
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ';' || c == ',') {
      if (!trim(cur).empty()) out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!trim(cur).empty()) out.push_back(trim(cur));
  return out;
}

struct Table {
  std::vector<CsvRecord> records;
  std::map<std::string, size_t> column;  // key -> index
  std::vector<std::string> ignored;
};

Result<Table> read_table(const std::string& csv, const std::vector<Column>& cols) {
  auto parsed = parse_csv(csv);
  if (!parsed) return parsed.error();
  Table t;
  auto& recs = parsed.value();
  size_t h = 0;
  while (h < recs.size() && blank_record(recs[h])) ++h;
  if (h >= recs.size()) return make_error("empty_file", "The file has no header row.");
  for (size_t i = 0; i < recs[h].fields.size(); ++i) {
    const std::string name = trim(recs[h].fields[i]);
    bool known = false;
    for (const auto& c : cols) {
      if (name == c.zh || lower_ascii(name) == c.en) {
        if (t.column.count(c.key))
          return make_error("duplicate_column", "The column \"" + name + "\" appears twice in the header.");
        t.column[c.key] = i;
        known = true;
      }
    }
    if (!known && !name.empty()) t.ignored.push_back(name);
  }
  for (size_t i = h + 1; i < recs.size(); ++i)
    if (!blank_record(recs[i])) t.records.push_back(std::move(recs[i]));
  return t;
}

// The cell's text, trimmed; a line break inside a cell (Alt+Enter in Excel)
// becomes one space, as every text field of the model is a single line.
std::string cell(const Table& t, const CsvRecord& r, const char* key) {
  auto it = t.column.find(key);
  if (it == t.column.end() || it->second >= r.fields.size()) return "";
  std::string out;
  const std::string& raw = r.fields[it->second];
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' || raw[i] == '\n') {
      if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      out += ' ';
    } else {
      out += raw[i];
    }
  }
  return trim(out);
}

// An entity of kind by id, else by its unique live name.
Result<std::string> resolve_by_name(const State& state, const std::string& kind, const std::string& value,
                                    const char* what) {
  if (const Entity* e = state.find(kind, value); e && e->live()) return e->id;
  std::string found;
  for (const Entity* e : state.list(kind)) {
    if (e->text("name") == value) {
      if (!found.empty())
        return make_error("ambiguous", std::string("More than one ") + what + " is called \"" + value +
                                           "\"; write its id instead.");
      found = e->id;
    }
  }
  if (found.empty()) return make_error("not_found", std::string("There is no ") + what + " called \"" + value + "\".");
  return found;
}

Result<Json> skills_value(const std::string& text) {
  Json list = Json::array();
  for (const std::string& item : split_list(text)) {
    std::string key;
    for (const auto& [k, zh] : skill_names())
      if (item == zh || lower_ascii(item) == k) key = k;
    if (key.empty()) return make_error("unknown_skill", "\"" + item + "\" is not a known skill.");
    list.push_back(key);
  }
  return list;
}

Result<Json> integer_value(const std::string& text, const char* what) {
  if (text.empty() || text.size() > 9) return make_error("not_a_number", std::string(what) + " must be a whole number, not \"" + text + "\".");
  long long v = 0;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i >= text.size()) return make_error("not_a_number", std::string(what) + " must be a whole number, not \"" + text + "\".");
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9')
      return make_error("not_a_number", std::string(what) + " must be a whole number, not \"" + text + "\".");
    v = v * 10 + (text[i] - '0');
  }
  return Json(negative ? -v : v);
}

// "2026-12-01T16:00", "2026-12-01 16:00", "2026/12/1 9:00" -> "2026-12-01T09:00"; "" if unreadable.
std::string normalise_datetime(const std::string& text) {
  int parts[5] = {0, 0, 0, 0, 0};
  int digits[5] = {0, 0, 0, 0, 0};
  int p = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (digits[p] >= 4) return "";
      parts[p] = parts[p] * 10 + (c - '0');
      ++digits[p];
    } else {
      if (digits[p] == 0 || p >= 4) return "";
      static const char seps[] = {'-', '-', 'T', ':'};
      const char want = seps[p];
      const bool ok = c == want || (p < 2 && c == '/') || (p == 2 && c == ' ');
      if (!ok || ++p > 4) return "";
    }
  }
  if (p != 4 || digits[4] == 0 || digits[0] != 4 || digits[1] > 2 || digits[2] > 2 || digits[3] > 2 ||
      digits[4] != 2)
    return "";
  auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  return std::to_string(parts[0]) + "-" + two(parts[1]) + "-" + two(parts[2]) + "T" + two(parts[3]) + ":" +
         two(parts[4]);
}


Result<ImportResult> run_import(const State& state, const Table& t, const std::string& kind, OpSource& source,
                                int64_t now_ms,
                                const std::function<Result<Json>(const State&, const CsvRecord&)>& build,
                                const std::function<void(const Json&)>& kept = nullptr) {
  ImportResult result;
  result.ignored_columns = t.ignored;
  State work = state;
  for (const CsvRecord& r : t.records) {
    ++result.rows;
    auto fields = build(work, r);
    if (!fields) {
      result.problems.push_back({r.line, fields.error().message, fields.error().code, fields.error().params});
      continue;
    }
    auto op = make_operation(work, CreateEntity{kind, fields.value(), ""}, source, now_ms);
    if (!op) {
      result.problems.push_back({r.line, op.error().message, op.error().code, op.error().params});
      continue;
    }
    work.apply(op.value());
    if (kept) kept(fields.value());
    result.operations.push_back(std::move(op).value());
    result.operation_lines.push_back(r.line);
  }
  return result;
}

}  // namespace

Result<ImportResult> import_volunteers_csv(const State& state, const std::string& csv, OpSource& source,
                                           int64_t now_ms) {
  auto table = read_table(csv, kVolunteerColumns);
  if (!table) return table.error();
  const Table& t = table.value();
  if (!t.column.count("resident_id") && !(t.column.count("name") && t.column.count("address")))
    return make_error("missing_column",
                      "The header needs a column 居民编号 (resident_id), or both 姓名 (name) and 住址 (address).");
  // Residents by name, to find them by name and household address.
  std::unordered_map<std::string, std::vector<const Entity*>> by_name;
  for (const Entity* r : state.list("resident")) by_name[r->text("name")].push_back(r);
  std::unordered_map<std::string, std::string> volunteer_of;  // resident -> a live volunteer (or "imported")
  for (const Entity* v : state.list("volunteer")) volunteer_of.emplace(v->text("resident"), v->id);
  auto build = [&](const State& work, const CsvRecord& r) -> Result<Json> {
    Json f = Json::object();
    std::string resident = cell(t, r, "resident_id");
    const std::string name = cell(t, r, "name"), address = cell(t, r, "address");
    if (!resident.empty()) {
      const Entity* e = work.find("resident", resident);
      if (!e || !e->live()) return make_error("not_found", "There is no resident with the id \"" + resident + "\".");
      if (!name.empty() && e->text("name") != name)
        return make_error("mismatch", "The resident " + resident + " is called \"" + e->text("name") +
                                          "\", not \"" + name + "\".");
    } else {
      if (name.empty() || address.empty())
        return make_error("missing_field", "Give the resident's id, or both the name and the household address.");
      std::vector<const Entity*> matches;
      auto it = by_name.find(name);
      if (it != by_name.end()) {
        for (const Entity* e : it->second) {
          const Entity* h = work.find("household", e->text("household"));
          if (e->live() && h && h->text("address") == address) matches.push_back(e);
        }
      }
      if (matches.empty())
        return make_error("not_found", "No resident called \"" + name + "\" lives at \"" + address + "\".");
      if (matches.size() > 1)
        return make_error("ambiguous", "More than one resident called \"" + name + "\" lives at \"" + address +
                                           "\"; give the resident's id instead.");
      resident = matches[0]->id;
    }
    if (auto it = volunteer_of.find(resident); it != volunteer_of.end())
      return make_error("already_volunteer", it->second.empty()
                                                 ? "This resident is already a volunteer (an earlier row of this file)."
                                                 : "This resident is already a volunteer (" + it->second + ").");
    f["resident"] = resident;
    if (auto s = cell(t, r, "squad"); !s.empty()) {
      auto id = resolve_by_name(work, "squad", s, "squad");
      if (!id) return id.error();
      f["squad"] = id.value();
    }
    if (auto g = cell(t, r, "group"); !g.empty()) {
      auto id = resolve_by_name(work, "volunteer_group", g, "volunteer group");
      if (!id) return id.error();
      f["group"] = id.value();
    }
    if (auto s = cell(t, r, "skills"); !s.empty()) {
      auto skills = skills_value(s);
      if (!skills) return skills.error();
      if (!skills->empty()) f["skills"] = skills.value();
    }
    if (auto j = cell(t, r, "joined"); !j.empty()) f["joined"] = j;
    if (auto g = cell(t, r, "guardian_consent"); !g.empty()) {
      const std::string v = lower_ascii(g);
      if (v == "是" || v == "yes" || v == "y" || v == "true" || v == "1") {
        f["guardian_consent"] = true;
      } else if (v == "否" || v == "no" || v == "n" || v == "false" || v == "0") {
        f["guardian_consent"] = false;
      } else {
        return make_error("bad_value", "Guardian consent must be 是 or 否 (yes or no), not \"" + g + "\".");
      }
    }
    if (auto a = cell(t, r, "availability"); !a.empty()) {
      auto slots = parse_availability_text(a);
      if (!slots) return slots.error();
      if (!slots->empty()) f["availability"] = slots.value();
    }
    if (auto d = cell(t, r, "unavailable_dates"); !d.empty()) f["unavailable_dates"] = split_list(d);
    if (auto p = cell(t, r, "preferred_station"); !p.empty()) {
      auto id = resolve_by_name(work, "station", p, "station");
      if (!id) return id.error();
      f["preferred_station"] = id.value();
    }
    if (auto m = cell(t, r, "max_weekly_hours"); !m.empty()) {
      auto v = integer_value(m, "The weekly maximum of hours");
      if (!v) return v.error();
      f["max_weekly_hours"] = v.value();
    }
    if (auto n = cell(t, r, "note"); !n.empty()) f["note"] = n;
    return f;
  };
  return run_import(state, t, "volunteer", source, now_ms, build,
                    [&](const Json& fields) { volunteer_of.emplace(fields["resident"].get<std::string>(), ""); });
}

Result<ImportResult> import_shifts_csv(const State& state, const std::string& csv, OpSource& source, int64_t now_ms) {
  auto table = read_table(csv, kShiftColumns);
  if (!table) return table.error();
  const Table& t = table.value();
  for (const char* key : {"station", "role", "start", "end", "capacity"}) {
    if (!t.column.count(key)) {
      for (const auto& c : kShiftColumns)
        if (std::string(c.key) == key)
          return make_error("missing_column", std::string("The header needs a column ") + c.zh + " (" + c.en + ").");
    }
  }
  auto build = [&](const State& work, const CsvRecord& r) -> Result<Json> {
    Json f = Json::object();
    const std::string station = cell(t, r, "station");
    if (station.empty()) return make_error("missing_field", "The shift needs a station (name or id).");
    auto id = resolve_by_name(work, "station", station, "station");
    if (!id) return id.error();
    f["station"] = id.value();
    f["role"] = cell(t, r, "role");
    for (const char* key : {"start", "end"}) {
      const std::string raw = cell(t, r, key);
      const std::string norm = normalise_datetime(raw);
      if (norm.empty())
        return make_error("bad_format", std::string("The ") + key + " \"" + raw +
                                            "\" is not a date and time like 2026-12-01 16:00.");
      f[key] = norm;
    }
    auto cap = integer_value(cell(t, r, "capacity"), "The number of places");
    if (!cap) return cap.error();
    f["capacity"] = cap.value();
    if (auto s = cell(t, r, "required_skills"); !s.empty()) {
      auto skills = skills_value(s);
      if (!skills) return skills.error();
      if (!skills->empty()) f["required_skills"] = skills.value();
    }
    if (auto a = cell(t, r, "min_age"); !a.empty()) {
      auto v = integer_value(a, "The minimum age");
      if (!v) return v.error();
      f["min_age"] = v.value();
    }
    if (auto n = cell(t, r, "note"); !n.empty()) f["note"] = n;
    return f;
  };
  return run_import(state, t, "shift", source, now_ms, build);
}

// ---------------------------------------------------------------- Calendar

std::string ics_escape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' || c == ',' || c == ';') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\\n";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ics_fold(const std::string& line) {
  std::string out;
  size_t i = 0;
  size_t limit = 75;  // octets on this physical line, the leading space of continuations included
  while (line.size() - i > limit) {
    size_t cut = i + limit;
    while (cut > i && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out.append(line, i, cut - i);
    out += "\r\n ";
    i = cut;
    limit = 74;
  }
  out.append(line, i, std::string::npos);
  out += "\r\n";
  return out;
}

namespace {
std::string ics_local(const std::string& datetime) {  // "2026-12-01T16:00" -> "20261201T160000"
  std::string d = datetime;
  d.erase(std::remove(d.begin(), d.end(), '-'), d.end());
  d.erase(std::remove(d.begin(), d.end(), ':'), d.end());
  return d + "00";
}
}  // namespace

std::string volunteer_ics(const State& state, const std::string& volunteer_id, int64_t now_minutes) {
  std::string out;
  auto line = [&](const std::string& l) { out += ics_fold(l); };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//Dianhong//Volunteer shifts//ZH");
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  line("X-WR-CALNAME:" + ics_escape("志愿服务 " + volunteer_name(state, volunteer_id)));
  line("X-WR-TIMEZONE:Asia/Shanghai");
  line("BEGIN:VTIMEZONE");
  line("TZID:Asia/Shanghai");
  line("BEGIN:STANDARD");
  line("DTSTART:19700101T000000");
  line("TZOFFSETFROM:+0800");
  line("TZOFFSETTO:+0800");
  line("TZNAME:CST");
  line("END:STANDARD");
  line("END:VTIMEZONE");
  const std::string dtstamp = ics_local(format_datetime(now_minutes - 8 * 60)) + "Z";
  VolunteerIndex index(state);
  std::vector<std::pair<std::string, const Entity*>> events;
  for (const Entity* s : index.signups_of(volunteer_id)) {
    const Entity* shift = state.find("shift", s->text("shift"));
    Interval when;
    if (!shift || !shift->live() || !shift_interval(*shift, &when) || when.end <= now_minutes) continue;
    events.emplace_back(shift->text("start"), s);
  }
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [start, s] : events) {
    const Entity* shift = state.find("shift", s->text("shift"));
    const Roster r = index.roster(shift->id);
    bool confirmed = false;
    for (const auto& e : r.confirmed) confirmed = confirmed || e.signup == s;
    const Entity* station = state.find("station", shift->text("station"));
    const std::string sname = station ? station->text("name") : "";
    std::string location = sname;
    if (station && !station->text("address").empty()) location += ", " + station->text("address");
    line("BEGIN:VEVENT");
    line("UID:" + ics_escape(s->id) + "@dianhong");
    line("DTSTAMP:" + dtstamp);
    line("DTSTART;TZID=Asia/Shanghai:" + ics_local(shift->text("start")));
    line("DTEND;TZID=Asia/Shanghai:" + ics_local(shift->text("end")));
    line("SUMMARY:" + ics_escape(shift->text("role") + " @ " + sname + (confirmed ? "" : " (候补 waitlist)")));
    line("LOCATION:" + ics_escape(location));
    if (!shift->text("note").empty()) line("DESCRIPTION:" + ics_escape(shift->text("note")));
    line(std::string("STATUS:") + (confirmed ? "CONFIRMED" : "TENTATIVE"));
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

// ---------------------------------------------------------------- HTML

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

const char kPageStyle[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:2em;color:#000}"
    "h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.2em 0 .4em}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #333;padding:.35em .5em;text-align:left}"
    "td.sign{min-width:6em;height:2em}.meta td{border:none;padding:.15em .5em .15em 0}"
    ".stamp{margin-top:3em;display:flex;justify-content:space-between}"
    "@media print{body{margin:1cm}button{display:none}}";

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(title) +
         "</title>\n<style>" + kPageStyle + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
}

std::string td(const std::string& v, const char* cls = nullptr) {
  return std::string("<td") + (cls ? std::string(" class=\"") + cls + "\"" : "") + ">" + html_escape(v) + "</td>";
}

}  // namespace

std::string roster_html(const State& state, const std::string& shift_id, PhoneDisplay phones) {
  VolunteerIndex index(state);
  const Roster r = index.roster(shift_id);
  if (!r.shift) return page("名单 Roster", "<p>找不到该班次。The shift does not exist.</p>\n");
  const Entity& s = *r.shift;
  const std::string station = station_name(state, s.text("station"));
  const std::string start = s.text("start"), end = s.text("end");
  const std::string when = start.substr(0, 10) + " " + start.substr(11) + "–" +
                           (end.substr(0, 10) == start.substr(0, 10) ? end.substr(11) : end.substr(0, 10) + " " + end.substr(11));
  std::string b;
  b += "<h1>志愿服务班次签到表 Shift roster</h1>\n<table class=\"meta\">";
  b += "<tr><td>站点 Station</td>" + td(station) + "</tr>";
  b += "<tr><td>岗位 Role</td>" + td(s.text("role")) + "</tr>";
  b += "<tr><td>时间 Time</td>" + td(when) + "</tr>";
  b += "<tr><td>名额 Places</td>" + td(std::to_string(r.confirmed.size()) + " / " + std::to_string(r.capacity)) + "</tr>";
  if (s.archived()) b += "<tr><td>已取消 Cancelled</td>" + td(s.text("archive_reason")) + "</tr>";
  b += "</table>\n";
  auto table = [&](const std::vector<RosterEntry>& list, bool sign) {
    std::string t = "<table>\n<tr><th>序号 No.</th><th>姓名 Name</th>";
    if (phones != PhoneDisplay::hidden) t += "<th>电话 Phone</th>";
    t += sign ? "<th>签到 In</th><th>签退 Out</th><th>签名 Signature</th><th>考勤 Attendance</th>" : "";
    t += "</tr>\n";
    int n = 0;
    for (const auto& e : list) {
      const std::string vol = e.signup->text("volunteer");
      t += "<tr>" + td(std::to_string(++n)) + td(volunteer_name(state, vol));
      if (phones != PhoneDisplay::hidden) t += td(shown_phone(state, vol, phones));
      if (sign) {
        t += td(e.signup->text("check_in").size() > 11 ? e.signup->text("check_in").substr(11) : "", "sign");
        t += td(e.signup->text("check_out").size() > 11 ? e.signup->text("check_out").substr(11) : "", "sign");
        t += td("", "sign");
        const Attendance a = attendance_of(*e.signup);
        t += td(a == Attendance::not_checked_in ? "" : attendance_label(a, Lang::zh), "sign");
      }
      t += "</tr>\n";
    }
    if (list.empty()) t += "<tr><td colspan=\"7\">（无 none）</td></tr>\n";
    return t + "</table>\n";
  };
  b += "<h2>确认名单 Confirmed</h2>\n" + table(r.confirmed, true);
  b += "<h2>候补名单 Waitlist</h2>\n" + table(r.waitlist, false);
  b += "<div class=\"stamp\"><span>负责人签字 Coordinator: ____________</span><span>日期 Date: ____________</span></div>\n";
  return page("签到表 " + station + " " + s.text("role") + " " + start.substr(0, 10), b);
}

std::string service_record_html(const State& state, const std::string& volunteer_id,
                                const ServiceRecordOptions& o) {
  const Entity* v = state.find("volunteer", volunteer_id);
  if (!v) return page("志愿服务记录 Service record", "<p>找不到该志愿者。The volunteer does not exist.</p>\n");
  const Entity* r = state.find("resident", v->text("resident"));
  const Entity* h = r ? state.find("household", r->text("household")) : nullptr;
  const std::string name = r ? r->text("name") : "";
  std::vector<LedgerLine> lines;
  for (auto& l : hours_ledger(state, days_from_civil(o.year, 1, 1), days_from_civil(o.year + 1, 1, 1)))
    if (l.volunteer == volunteer_id) lines.push_back(std::move(l));
  std::string b;
  b += "<h1>志愿服务记录证明 Volunteer service record " + std::to_string(o.year) + "</h1>\n";
  b += "<h2>志愿者信息 Volunteer</h2>\n<table class=\"meta\">";
  b += "<tr><td>姓名 Name</td>" + td(name) + "</tr>";
  if (!o.id_number.empty()) b += "<tr><td>证件号码 ID number</td>" + td(o.id_number) + "</tr>";
  b += "<tr><td>志愿者编号 Volunteer id</td>" + td(v->id) + "</tr>";
  b += "<tr><td>居民编号 Resident id</td>" + td(v->text("resident")) + "</tr>";
  b += "<tr><td>户籍住址 Household</td>" + td(h ? h->text("address") : "") + "</tr>";
  const Entity* squad = state.find("squad", v->text("squad"));
  if (squad) b += "<tr><td>所属队伍 Squad</td>" + td(squad->text("name")) + "</tr>";
  b += "</table>\n<h2>服务记录 Services</h2>\n<table>\n<tr><th>日期 Date</th><th>地点 Place</th>"
       "<th>服务内容 Service</th><th>时长(小时) Hours</th><th>记录方式 Recorded as</th>"
       "<th>记录人 Recorded by</th><th>说明 Reason</th></tr>\n";
  HoursTotals totals;
  for (const auto& l : lines) {
    std::string content;
    if (l.verified) {
      const Entity* su = state.find("signup", l.source);
      const Entity* shift = su ? state.find("shift", su->text("shift")) : nullptr;
      content = shift ? shift->text("role") : "";
    } else {
      content = "补录 hand-added";
    }
    b += "<tr>" + td(l.date) + td(station_name(state, l.station)) + td(content) + td(format_hours(l.minutes)) +
         td(l.verified ? "签到签退核实 verified (check-in/out)" : "手工补录 added by hand") + td(l.author) +
         td(l.reason) + "</tr>\n";
    (l.verified ? totals.verified_minutes : totals.manual_minutes) += l.minutes;
  }
  if (lines.empty()) b += "<tr><td colspan=\"7\">（本年度无记录 no service this year）</td></tr>\n";
  b += "</table>\n<table class=\"meta\">";
  b += "<tr><td>核实时长 Verified</td>" + td(format_hours(totals.verified_minutes) + " 小时 h") + "</tr>";
  b += "<tr><td>补录时长 Added by hand</td>" + td(format_hours(totals.manual_minutes) + " 小时 h") + "</tr>";
  b += "<tr><td>合计时长 Total</td>" + td(format_hours(totals.total()) + " 小时 h") + "</tr>";
  b += "</table>\n<table class=\"meta\">";
  b += "<tr><td>出具单位 Issued by</td>" + td(o.organisation) + "</tr>";
  b += "<tr><td>出具日期 Date issued</td>" + td(o.issued_date) + "</tr>";
  b += "</table>\n<p>本记录依据《志愿服务记录与证明出具办法》如实记录。Recorded under MCA Order 67 (2021): true, "
       "accurate, complete and timely; whoever records certifies.</p>\n";
  b += "<div class=\"stamp\"><span>（盖章 Stamp）</span><span>经办人签字 Signature: ____________</span></div>\n";
  return page("志愿服务记录 " + name + " " + std::to_string(o.year), b);
}

}  // namespace dh
