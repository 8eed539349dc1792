// Exchange formats (src/core/exchange.h, docs/exports.md): Excel-safe CSV
// (BOM, RFC 4180 quoting, CRLF) read back by the importer, line numbers of
// bad rows across quoted newlines, .ics folding and escaping, printable HTML.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/exchange.h"

using namespace dh;

namespace {

struct ExWorld {
  State state;
  OpSource source;
  int64_t now = 1767225600000;
  std::string grid, hh1, hh2, station, hall, squad, r1, r2, r3;

  ExWorld() {
    source.device = "coord";
    source.author = "staff:zhang";
    grid = make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
    hh1 = make("household", Json{{"address", "幸福里1栋101室"}, {"grid", grid}, {"phone", "13812345678"}});
    hh2 = make("household", Json{{"address", "税务小区3栋301室, \"东\"门"}, {"grid", grid}});
    station = make("station", Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}, {"address", "幸福里1号"}});
    hall = make("station", Json{{"name", "东城社区党群服务中心"}, {"station_type", "hall"}});
    squad = make("squad", Json{{"name", "文明劝导队"}});
    r1 = make("resident", Json{{"name", "李堃"}, {"household", hh1}, {"birth_date", "1980-05-01"}});
    r2 = make("resident", Json{{"name", "王玥"}, {"household", hh2}, {"phone", "13900001111"}});
    r3 = make("resident", Json{{"name", "李喆"}, {"household", hh1}, {"birth_date", "2012-03-01"}});
  }
  Result<Operation> run(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now++);
    if (op) state.apply(op.value());
    return op;
  }
  std::string make(const std::string& kind, Json fields) {
    auto op = run(CreateEntity{kind, std::move(fields), ""});
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    return op->payload["entity"].get<std::string>();
  }
};

std::vector<std::string> lines_of(const std::string& text) {  // split at CRLF
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find("\r\n", at);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  return out;
}

bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("CSV output is Excel-safe: BOM, CRLF, RFC 4180 quoting", "[core][exchange]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("幸福里") == "幸福里");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\rhere") == "\"cr\rhere\"");
  const std::string text = csv_text({{"姓名", "备注"}, {"李堃", "第一行\r\n第二行, \"引号\""}, {"", "x"}});
  CHECK(text.substr(0, 3) == "\xEF\xBB\xBF");
  CHECK(text == "\xEF\xBB\xBF姓名,备注\r\n李堃,\"第一行\r\n第二行, \"\"引号\"\"\"\r\n,x\r\n");
  // And the parser reads it back exactly, fields and all.
  auto parsed = parse_csv(text);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 3);
  CHECK(parsed.value()[0].fields == std::vector<std::string>{"姓名", "备注"});
  CHECK(parsed.value()[1].fields == std::vector<std::string>{"李堃", "第一行\r\n第二行, \"引号\""});
  CHECK(parsed.value()[2].fields == std::vector<std::string>{"", "x"});
  CHECK(parsed.value()[0].line == 1);
  CHECK(parsed.value()[1].line == 2);
  CHECK(parsed.value()[2].line == 4);  // the quoted field spanned two physical lines
}

TEST_CASE("CSV parsing: LF files, no BOM, line numbers across quoted newlines, unclosed quotes", "[core][exchange]") {
  auto p = parse_csv("a,b\n\"x\ny\nz\",1\n\n\"q\"\"\",2\nlast,3");
  REQUIRE(p.ok());
  REQUIRE(p->size() == 5);
  CHECK(p.value()[1].fields[0] == "x\ny\nz");
  CHECK(p.value()[1].line == 2);
  CHECK(p.value()[2].line == 5);  // the blank line
  CHECK(p.value()[3].fields == std::vector<std::string>{"q\"", "2"});
  CHECK(p.value()[3].line == 6);
  CHECK(p.value()[4].line == 7);
  CHECK(p.value()[4].fields == std::vector<std::string>{"last", "3"});
  auto bad = parse_csv("a,b\r\nok,1\r\n\"never closed,2\r\nmore\r\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "unterminated_quote");
  CHECK(bad.error().message.find("Line 3") != std::string::npos);
  // A trailing comma is an empty last field.
  auto t = parse_csv("a,\r\n");
  REQUIRE(t.ok());
  CHECK(t.value()[0].fields == std::vector<std::string>{"a", ""});
}

TEST_CASE("Volunteers round trip: import what was exported (Chinese and English headers)", "[core][exchange]") {
  ExWorld base;
  ExWorld full;
  full.make("volunteer", Json{{"resident", full.r1}, {"squad", full.squad}, {"skills", {"first_aid", "tea"}},
                              {"joined", "2024-03-01"}, {"availability", {"tue 16:00-18:00", "sat 09:00-12:00"}},
                              {"preferred_station", full.station}, {"max_weekly_hours", 6},
                              {"note", "会讲彝语, \"老李\"; 周末优先"}});
  full.make("volunteer", Json{{"resident", full.r2}, {"unavailable_dates", {"2026-12-24"}}});
  full.make("volunteer", Json{{"resident", full.r3}, {"guardian_consent", true}});
  for (Lang lang : {Lang::zh, Lang::en}) {
    const std::string csv = volunteers_csv(full.state, lang);
    CHECK(csv.substr(0, 3) == "\xEF\xBB\xBF");
    OpSource src;
    src.device = "import";
    src.author = "staff:zhang";
    auto result = import_volunteers_csv(base.state, csv, src, base.now);
    REQUIRE(result.ok());
    INFO(csv);
    CHECK(result->problems.empty());
    CHECK(result->ignored_columns.empty());
    REQUIRE(result->operations.size() == 3);
    State after = base.state;
    for (const auto& op : result->operations) {
      REQUIRE(validate_operation(after, op).ok());
      after.apply(op);
    }
    // Same field values, volunteer by volunteer (ids differ).
    for (const Entity* want : full.state.list("volunteer")) {
      const Entity* got = nullptr;
      for (const Entity* v : after.list("volunteer"))
        if (v->text("resident") == want->text("resident")) got = v;
      REQUIRE(got);
      for (const auto& [name, fv] : want->fields) {
        INFO(name);
        CHECK(got->get(name) == fv.value);
      }
      CHECK(got->fields.size() == want->fields.size());
    }
  }
}

TEST_CASE("Volunteer import by name and address; bad rows listed with their line, good rows kept", "[core][exchange]") {
  ExWorld w;
  const std::string csv =
      "\xEF\xBB\xBF"
      "姓名,住址,技能,备注,队伍,籍贯\r\n"           // line 1 (籍贯 is unknown: ignored)
      "李堃,幸福里1栋101室,急救、茶艺,\"第一行\r\n第二行\",文明劝导队,云南\r\n"  // lines 2-3
      "张三,幸福里1栋101室,,,,\r\n"                 // line 4: no such resident
      "王玥,\"税务小区3栋301室, \"\"东\"\"门\",飞行,,,\r\n"  // line 5: unknown skill
      "\r\n"                                         // line 6: blank, skipped
      "王玥,\"税务小区3栋301室, \"\"东\"\"门\",legal,\"多行\n备注\n第三行\",,\r\n"  // lines 7-9: good
      "李喆,幸福里1栋101室,,,,\r\n"                   // line 10: good (no age rule for volunteers)
      "李堃,幸福里1栋101室,,,,\r\n"                   // line 11: already a volunteer (row 2)
      "王玥,幸福里1栋101室,,,不存在的队,\r\n";        // line 12: no such squad... and not at that address
  OpSource src;
  src.device = "import";
  src.author = "staff:zhang";
  auto r = import_volunteers_csv(w.state, csv, src, w.now);
  REQUIRE(r.ok());
  CHECK(r->rows == 7);
  CHECK(r->ignored_columns == std::vector<std::string>{"籍贯"});
  REQUIRE(r->operations.size() == 3);
  CHECK(r->operation_lines == std::vector<size_t>{2, 7, 10});
  REQUIRE(r->problems.size() == 4);
  CHECK(r->problems[0].line == 4);
  CHECK(r->problems[0].reason.find("张三") != std::string::npos);
  CHECK(r->problems[1].line == 5);
  CHECK(r->problems[1].reason.find("飞行") != std::string::npos);
  CHECK(r->problems[2].line == 11);
  CHECK(r->problems[2].reason.find("already a volunteer") != std::string::npos);
  CHECK(r->problems[3].line == 12);
  const Json& f = r->operations[0].payload["fields"];
  CHECK(f["skills"] == Json::array({"first_aid", "tea"}));
  CHECK(f["note"] == "第一行 第二行");  // a line break in a cell becomes a space
  CHECK(f["squad"] == w.squad);
  CHECK(r->operations[1].payload["fields"]["resident"] == w.r2);
  // Missing identifying columns is a file-level error.
  auto no_cols = import_volunteers_csv(w.state, "技能\r\n急救\r\n", src, w.now);
  REQUIRE_FALSE(no_cols.ok());
  CHECK(no_cols.error().code == "missing_column");
}

TEST_CASE("Volunteer import reads availability in Chinese or English; a bad cell refuses its row only", "[core][exchange]") {
  ExWorld w;
  const std::string csv =
      "居民编号,可服务时间\r\n" +
      w.r1 + ",周一 08:00-12:00; 周三 14:00-17:30\r\n" +   // line 2
      w.r2 + ",\"mon 8:00-9:00, sun 10:00-11:00\"\r\n" +      // line 3
      w.r3 + ",周八 08:00-09:00\r\n";                         // line 4: no such day
  OpSource src;
  src.device = "import";
  src.author = "staff:zhang";
  auto r = import_volunteers_csv(w.state, csv, src, w.now);
  REQUIRE(r.ok());
  REQUIRE(r->operations.size() == 2);
  CHECK(r->operations[0].payload["fields"]["availability"] == Json::array({"mon 08:00-12:00", "wed 14:00-17:30"}));
  CHECK(r->operations[1].payload["fields"]["availability"] == Json::array({"mon 08:00-09:00", "sun 10:00-11:00"}));
  REQUIRE(r->problems.size() == 1);
  CHECK(r->problems[0].line == 4);
  CHECK(r->problems[0].code == "bad_availability");
  CHECK(r->problems[0].params == std::vector<std::string>{"周八 08:00-09:00"});
}

TEST_CASE("Shift import: station by name or id, Excel-style times, rule book errors by line", "[core][exchange]") {
  ExWorld w;
  const std::string csv =
      "station,role,start,end,capacity,required_skills,min_age,note\n"     // line 1, English, LF, no BOM
      "幸福里党群服务点,课后托管,2026-12-01 16:00,2026-12-01 18:00,3,tutoring,,\n"  // 2 good
      + w.hall + ",\"法律援助, 咨询\",2026/12/2 9:00,2026/12/2 11:30,2,,18,\"带\n材料\"\n"  // 3-4 good
      "幸福里党群服务点,巡逻,2026-12-03T20:00,2026-12-03T19:00,2,,,\n"      // 5 end before start (rule book)
      "没有这个站,巡逻,2026-12-03T18:00,2026-12-03T20:00,2,,,\n"            // 6 unknown station
      "幸福里党群服务点,巡逻,明天,2026-12-03T20:00,2,,,\n"                  // 7 bad time
      "幸福里党群服务点,巡逻,2026-12-03T18:00,2026-12-03T20:00,二,,,\n"     // 8 bad capacity
      "幸福里党群服务点,,2026-12-03T18:00,2026-12-03T20:00,2,,,\n";         // 9 role missing (rule book)
  OpSource src;
  src.device = "import";
  src.author = "staff:zhang";
  auto r = import_shifts_csv(w.state, csv, src, w.now);
  REQUIRE(r.ok());
  REQUIRE(r->operations.size() == 2);
  CHECK(r->operation_lines == std::vector<size_t>{2, 3});
  const Json& f2 = r->operations[1].payload["fields"];
  CHECK(f2["station"] == w.hall);
  CHECK(f2["role"] == "法律援助, 咨询");
  CHECK(f2["start"] == "2026-12-02T09:00");
  CHECK(f2["end"] == "2026-12-02T11:30");
  CHECK(f2["min_age"] == 18);
  CHECK(f2["note"] == "带 材料");
  std::vector<size_t> bad_lines;
  for (const auto& p : r->problems) bad_lines.push_back(p.line);
  CHECK(bad_lines == std::vector<size_t>{5, 6, 7, 8, 9});
  CHECK(r->problems[0].reason == "A shift must end after it starts.");
  CHECK(r->problems[1].reason.find("没有这个站") != std::string::npos);

  // Round trip: export the imported shifts, import them into the bare state again.
  State after = w.state;
  for (const auto& op : r->operations) after.apply(op);
  const std::string out = shifts_csv(after);
  OpSource src2;
  src2.device = "import2";
  src2.author = "staff:zhang";
  auto again = import_shifts_csv(w.state, out, src2, w.now);
  REQUIRE(again.ok());
  CHECK(again->problems.empty());
  REQUIRE(again->operations.size() == 2);
  for (size_t i = 0; i < 2; ++i) CHECK(again->operations[i].payload["fields"] == r->operations[i].payload["fields"]);
}

TEST_CASE("Calendar lines fold at 75 octets without splitting a character", "[core][exchange]") {
  std::string line = "SUMMARY:";
  for (int i = 0; i < 60; ++i) line += (i % 7 == 3) ? "a" : "滇红慧";
  const std::string folded = ics_fold(line);
  auto lines = lines_of(folded);
  REQUIRE(lines.size() > 3);
  std::string unfolded;
  for (size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i].size() <= 75);
    if (i > 0) {
      REQUIRE(lines[i][0] == ' ');
      unfolded += lines[i].substr(1);
    } else {
      unfolded += lines[i];
    }
    const std::string content = i > 0 ? lines[i].substr(1) : lines[i];
    CHECK(valid_utf8(content));  // never starts or ends inside a character
  }
  CHECK(unfolded == line);
  CHECK(ics_fold("SHORT:x") == "SHORT:x\r\n");
  CHECK(ics_fold(std::string(75, 'x')) == std::string(75, 'x') + "\r\n");
  CHECK(ics_fold(std::string(76, 'x')) == std::string(75, 'x') + "\r\n x\r\n");
}

TEST_CASE("Calendar text escapes , ; \\ and newlines", "[core][exchange]") {
  CHECK(ics_escape("a,b;c\\d") == "a\\,b\\;c\\\\d");
  CHECK(ics_escape("第一行\n第二行\r\n第三行") == "第一行\\n第二行\\n第三行");
  CHECK(ics_escape("plain 文本") == "plain 文本");
}

TEST_CASE("A volunteer's calendar: upcoming shifts with TZID=Asia/Shanghai and a VTIMEZONE", "[core][exchange]") {
  ExWorld w;
  std::string v = w.make("volunteer", Json{{"resident", w.r1}});
  std::string other = w.make("volunteer", Json{{"resident", w.r2}});
  auto shift = [&](const std::string& role, const std::string& s, const std::string& e, int cap) {
    return w.make("shift", Json{{"station", w.station}, {"role", role}, {"start", s}, {"end", e}, {"capacity", cap},
                                {"note", "带上工作证; 门口集合, 谢谢 \\ 联系王老师"}});
  };
  std::string past = shift("巡逻", "2026-11-01T09:00", "2026-11-01T11:00", 2);
  std::string next = shift("课后托管, 作业辅导", "2026-12-01T16:00", "2026-12-01T18:00", 2);
  std::string full = shift("长者助餐", "2026-12-02T11:00", "2026-12-02T13:00", 1);
  auto sign = [&](const std::string& s, const std::string& vol) {
    return w.make("signup", Json{{"shift", s}, {"volunteer", vol}, {"channel", "kiosk"}});
  };
  sign(past, v);
  std::string su_next = sign(next, v);
  sign(full, other);
  std::string su_wait = sign(full, v);
  const std::string ics = volunteer_ics(w.state, v, *parse_datetime("2026-11-26T10:30"));
  auto lines = lines_of(ics);
  CHECK(ics.size() >= 2);
  CHECK(ics.substr(ics.size() - 2) == "\r\n");
  CHECK(ics.find('\n') == ics.find("\r\n") + 1);
  for (const auto& l : lines) CHECK(l.size() <= 75);
  // Unfold for content checks.
  std::string unfolded;
  for (const auto& l : lines) unfolded += (l.size() && l[0] == ' ') ? l.substr(1) : "\n" + l;
  CHECK(lines.front() == "BEGIN:VCALENDAR");
  CHECK(lines.back() == "END:VCALENDAR");
  CHECK(unfolded.find("\nBEGIN:VTIMEZONE\nTZID:Asia/Shanghai\nBEGIN:STANDARD") != std::string::npos);
  CHECK(unfolded.find("TZOFFSETTO:+0800") != std::string::npos);
  CHECK(std::count(unfolded.begin(), unfolded.end(), '\n') > 10);
  size_t events = 0;
  for (size_t at = unfolded.find("BEGIN:VEVENT"); at != std::string::npos; at = unfolded.find("BEGIN:VEVENT", at + 1))
    ++events;
  CHECK(events == 2);  // the past shift is left out
  CHECK(unfolded.find("\nUID:" + su_next + "@dianhong\n") != std::string::npos);
  CHECK(unfolded.find("\nUID:" + su_wait + "@dianhong\n") != std::string::npos);
  CHECK(unfolded.find("\nDTSTAMP:20261126T023000Z\n") != std::string::npos);
  CHECK(unfolded.find("\nDTSTART;TZID=Asia/Shanghai:20261201T160000\nDTEND;TZID=Asia/Shanghai:20261201T180000\n") !=
        std::string::npos);
  CHECK(unfolded.find("\nSUMMARY:课后托管\\, 作业辅导 @ 幸福里党群服务点\n") != std::string::npos);
  CHECK(unfolded.find("\nLOCATION:幸福里党群服务点\\, 幸福里1号\n") != std::string::npos);
  CHECK(unfolded.find("\nDESCRIPTION:带上工作证\\; 门口集合\\, 谢谢 \\\\ 联系王老师\n") != std::string::npos);
  CHECK(unfolded.find("STATUS:TENTATIVE") != std::string::npos);  // the waitlisted one
  CHECK(unfolded.find("STATUS:CONFIRMED") != std::string::npos);
}

TEST_CASE("Exports of reports, ledger and roster; printable pages escape every value", "[core][exchange]") {
  ExWorld w;
  std::string evil = w.make("resident", Json{{"name", "<b>&\"小明\""}, {"household", w.hh1}});
  std::string v1 = w.make("volunteer", Json{{"resident", w.r1}, {"squad", w.squad}});
  std::string v2 = w.make("volunteer", Json{{"resident", evil}});
  std::string v3 = w.make("volunteer", Json{{"resident", w.r2}});
  std::string s = w.make("shift", Json{{"station", w.station}, {"role", "夜间巡逻"}, {"start", "2026-12-31T22:00"},
                                       {"end", "2027-01-01T02:00"}, {"capacity", 2}});
  std::string a = w.make("signup", Json{{"shift", s}, {"volunteer", v1}, {"channel", "coordinator"}});
  w.make("signup", Json{{"shift", s}, {"volunteer", v2}, {"channel", "coordinator"}});
  w.make("signup", Json{{"shift", s}, {"volunteer", v3}, {"channel", "kiosk"}});  // waitlist
  REQUIRE(w.run(EditEntity{"signup", a, Json{{"check_in", "2026-12-31T22:00"}, {"check_out", "2027-01-01T02:00"}}}).ok());
  w.make("hours_adjustment", Json{{"volunteer", v1}, {"date", "2026-12-05"}, {"minutes", 90},
                                  {"reason", "纸质签到表补录, 见\"12月\"档案"}});

  // Hours CSV, by volunteer, both languages.
  const std::string zh = hours_csv(hours_report(w.state, HoursGrouping::volunteer), HoursGrouping::volunteer);
  CHECK(zh.find("\xEF\xBB\xBF志愿者编号,名称,核实时长(小时),补录时长(小时),合计(小时)") == 0);
  CHECK(zh.find(v1 + ",李堃,4.00,1.50,5.50,240,90,330\r\n") != std::string::npos);
  CHECK(zh.find("合计,,4.00,1.50,5.50,240,90,330\r\n") != std::string::npos);
  const std::string en = hours_csv(hours_report(w.state, HoursGrouping::month), HoursGrouping::month, Lang::en);
  CHECK(en.find("\xEF\xBB\xBFmonth,name,verified_hours,hand_added_hours,total_hours") == 0);
  CHECK(en.find("2026-12,2026-12,4.00,1.50,5.50,240,90,330\r\n") != std::string::npos);

  // The ledger: each line with who recorded it and why.
  const std::string ledger = ledger_csv(w.state, hours_ledger(w.state));
  CHECK(ledger.find(v1 + ",李堃,2026-12-05,90,1.50,手工补录,,staff:zhang,\"纸质签到表补录, 见\"\"12月\"\"档案\"," ) !=
        std::string::npos);
  CHECK(ledger.find(v1 + ",李堃,2026-12-31,240,4.00,核实,幸福里党群服务点,staff:zhang,,") != std::string::npos);
  auto parsed = parse_csv(ledger);
  REQUIRE(parsed.ok());
  CHECK(parsed->size() == 3);

  // Coverage, no-show and participation CSVs.
  CHECK(coverage_csv(coverage_report(w.state, *parse_date("2026-12-01"), *parse_date("2027-01-01")))
            .find(",幸福里党群服务点,夜间巡逻,2026-12-31T22:00,2027-01-01T02:00,2,2,0,1,100.0%\r\n") != std::string::npos);
  const std::string ns = no_show_csv(no_show_report(w.state, NoShowGrouping::station, *parse_datetime("2027-01-02T00:00")),
                                     NoShowGrouping::station);
  CHECK(ns.find(w.station + ",幸福里党群服务点,1,0,0,0,1,1,0.0%\r\n") != std::string::npos);
  CHECK(participation_csv(participation_report(w.state), Lang::en).find("2,2,100.0%") != std::string::npos);

  // Roster CSV with masked phones (the household's phone when the resident has none).
  const std::string roster = roster_csv(w.state, s, PhoneDisplay::masked);
  CHECK(roster.find("确认,1,李堃,138****5678,已到岗") != std::string::npos);
  CHECK(roster.find("候补,1,王玥,139****1111,未登记") != std::string::npos);
  CHECK(roster_csv(w.state, s, PhoneDisplay::hidden).find("138") == std::string::npos);
  CHECK(roster_csv(w.state, s, PhoneDisplay::full).find("13812345678") != std::string::npos);

  // Printable roster: escaped, masked, confirmed and waitlist apart.
  const std::string html = roster_html(w.state, s, PhoneDisplay::masked);
  CHECK(html.find("<!DOCTYPE html>") == 0);
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(html.find("&lt;b&gt;&amp;&quot;小明&quot;") != std::string::npos);
  CHECK(html.find("<b>&") == std::string::npos);
  CHECK(html.find("138****5678") != std::string::npos);
  CHECK(html.find("13812345678") == std::string::npos);
  CHECK(html.find("候补名单") < html.find("王玥"));
  CHECK(html.find("确认名单") < html.find("李堃"));
  CHECK(html.find("2026-12-31 22:00–2027-01-01 02:00") != std::string::npos);

  // Service record: identity, each service, verified vs hand-added with author and reason, totals, issuer, stamp.
  ServiceRecordOptions o;
  o.year = 2026;
  o.id_number = "5308**********1234";
  o.issued_date = "2026-12-31";
  const std::string rec = service_record_html(w.state, v1, o);
  CHECK(rec.find("李堃") != std::string::npos);
  CHECK(rec.find("5308**********1234") != std::string::npos);
  CHECK(rec.find("幸福里1栋101室") != std::string::npos);
  CHECK(rec.find("夜间巡逻") != std::string::npos);
  CHECK(rec.find("纸质签到表补录, 见&quot;12月&quot;档案") != std::string::npos);
  CHECK(rec.find("staff:zhang") != std::string::npos);
  CHECK(rec.find("5.50 小时") != std::string::npos);
  CHECK(rec.find("东城社区") != std::string::npos);
  CHECK(rec.find("2026-12-31") != std::string::npos);
  CHECK(rec.find("盖章") != std::string::npos);
  o.year = 2027;
  CHECK(service_record_html(w.state, v1, o).find("0.00 小时") != std::string::npos);
}
