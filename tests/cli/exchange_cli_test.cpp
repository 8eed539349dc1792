// The real `dianhong` binary's export and import commands (docs/cli.md,
// docs/exports.md): files written with BOM, bad CSV rows reported by line with
// exit status 1 while the good rows are written as operations that validate.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/state.h"


namespace {

using namespace dh::cli_test;
using Run = CliRun;
struct Dir : TempDir {
  Dir() : TempDir("dh-exchange-cli") {}
};
const auto& slurp = read_all;
const auto& spit = write_all;
const auto& cli = run_cli;


// A small log made through the rule book: a station, two volunteers, a shift across midnight.
struct SmallLog {
  dh::State state;
  dh::OpSource source;
  int64_t now = 1767225600000;
  std::string text, station, shift, v1, v2, signup;
  std::string make(const std::string& kind, dh::Json fields) {
    auto op = dh::make_operation(state, dh::CreateEntity{kind, std::move(fields), ""}, source, now++);
    REQUIRE(op.ok());
    state.apply(op.value());
    text += dh::to_json_text(op.value()) + "\n";
    return op->payload["entity"].get<std::string>();
  }
  SmallLog() {
    source.device = "coord";
    source.author = "staff:zhang";
    std::string grid = make("grid", dh::Json{{"name", "第一网格"}, {"code", "DC-01"}});
    std::string hh = make("household", dh::Json{{"address", "幸福里1栋101室"}, {"grid", grid}, {"phone", "13812345678"}});
    station = make("station", dh::Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}});
    v1 = make("volunteer", dh::Json{{"resident", make("resident", dh::Json{{"name", "李堃"}, {"household", hh}})}});
    v2 = make("volunteer", dh::Json{{"resident", make("resident", dh::Json{{"name", "王玥"}, {"household", hh}})}});
    make("resident", dh::Json{{"name", "赵琳"}, {"household", hh}});
    shift = make("shift", dh::Json{{"station", station}, {"role", "夜间巡逻"}, {"start", "2026-12-31T22:00"},
                                   {"end", "2027-01-01T02:00"}, {"capacity", 2}});
    signup = make("signup", dh::Json{{"shift", shift}, {"volunteer", v1}, {"channel", "coordinator"}});
    auto op = dh::make_operation(state, dh::EditEntity{"signup", signup, dh::Json{{"check_in", "2026-12-31T22:00"},
                                                                                {"check_out", "2027-01-01T02:00"}}},
                                 source, now++);
    REQUIRE(op.ok());
    state.apply(op.value());
    text += dh::to_json_text(op.value()) + "\n";
  }
};

}  // namespace

TEST_CASE("cli exports hours, ledger, roster, calendar and service record", "[native][cli]") {
  Dir dir;
  SmallLog log;
  const std::string path = dir.path() + "/log.jsonl";
  spit(path, log.text);

  Run hours = cli(dir.path(), "export-hours '" + path + "' --by month --out '" + dir.path() + "/h.csv'");
  REQUIRE(hours.status == 0);
  const std::string h = slurp(dir.path() + "/h.csv");
  CHECK(h.substr(0, 3) == "\xEF\xBB\xBF");
  CHECK(h.find("2026-12,2026-12,4.00,0.00,4.00,240,0,240\r\n") != std::string::npos);

  Run en = cli(dir.path(), "export-hours '" + path + "' --by volunteer --lang en");
  REQUIRE(en.status == 0);
  CHECK(en.out.find("volunteer_id,name,verified_hours") != std::string::npos);
  CHECK(en.out.find(log.v1 + ",李堃,4.00") != std::string::npos);

  Run ledger = cli(dir.path(), "export-ledger '" + path + "'");
  CHECK(ledger.out.find(",李堃,2026-12-31,240,4.00,核实,幸福里党群服务点,staff:zhang,") != std::string::npos);

  Run roster = cli(dir.path(), "export-roster '" + path + "' '" + log.shift + "' --html --out '" + dir.path() + "/r.html'");
  REQUIRE(roster.status == 0);
  const std::string r = slurp(dir.path() + "/r.html");
  CHECK(r.find("138****5678") != std::string::npos);
  CHECK(r.find("李堃") != std::string::npos);

  Run ics = cli(dir.path(), "export-ics '" + path + "' '" + log.v1 + "' --now 2026-12-01T08:00");
  REQUIRE(ics.status == 0);
  CHECK(ics.out.find("UID:" + log.signup + "@dianhong\r\n") != std::string::npos);
  CHECK(ics.out.find("DTSTART;TZID=Asia/Shanghai:20261231T220000\r\n") != std::string::npos);

  Run rec = cli(dir.path(), "service-record '" + path + "' '" + log.v1 + "' --year 2026 --issued 2027-01-05");
  REQUIRE(rec.status == 0);
  CHECK(rec.out.find("东城社区") != std::string::npos);
  CHECK(rec.out.find("4.00 小时") != std::string::npos);

  CHECK(cli(dir.path(), "export-hours '" + path + "' --by year").status == 2);
  CHECK(cli(dir.path(), "export-roster '" + path + "' no-such-shift").status == 2);
  CHECK(cli(dir.path(), "export-hours '" + dir.path() + "/missing.jsonl'").status == 2);
}

TEST_CASE("cli import-volunteers lists bad rows by line and writes the good ones", "[native][cli]") {
  Dir dir;
  SmallLog log;
  const std::string path = dir.path() + "/log.jsonl";
  spit(path, log.text);
  spit(dir.path() + "/v.csv",
       "\xEF\xBB\xBF姓名,住址,技能,备注\r\n"
       "赵琳,幸福里1栋101室,急救,\"两行\r\n备注\"\r\n"  // lines 2-3: good
       "李堃,幸福里1栋101室,,\r\n"                       // line 4: already a volunteer
       "无名,幸福里1栋101室,,\r\n");                      // line 5: no such resident
  Run imp = cli(dir.path(), "import-volunteers '" + path + "' '" + dir.path() + "/v.csv' --out '" + dir.path() + "/new.jsonl'");
  CHECK(imp.status == 1);
  CHECK(imp.err.find("v.csv:4: ") != std::string::npos);
  CHECK(imp.err.find("v.csv:5: ") != std::string::npos);
  CHECK(imp.err.find("v.csv:2: ") == std::string::npos);
  CHECK(imp.err.find("imported: 1, bad: 2") != std::string::npos);
  spit(dir.path() + "/merged.jsonl", log.text + slurp(dir.path() + "/new.jsonl"));
  Run val = cli(dir.path(), "validate '" + dir.path() + "/merged.jsonl'");
  CHECK(val.status == 0);
  CHECK(val.out.find("volunteer: 3") != std::string::npos);
}

TEST_CASE("cli volunteers and shifts round trip through CSV", "[native][cli]") {
  Dir dir;
  dh::DemoOptions o;
  o.households = 40;
  std::string all, without;
  for (const auto& op : dh::generate_demo(o)) {
    const std::string line = dh::to_json_text(op) + "\n";
    all += line;
    if (op.type.rfind("volunteer.", 0) != 0) without += line;
  }
  spit(dir.path() + "/all.jsonl", all);
  spit(dir.path() + "/without.jsonl", without);
  REQUIRE(cli(dir.path(), "export-volunteers '" + dir.path() + "/all.jsonl' --out '" + dir.path() + "/v.csv'").status == 0);
  Run imp = cli(dir.path(), "import-volunteers '" + dir.path() + "/without.jsonl' '" + dir.path() + "/v.csv' --out '" +
                              dir.path() + "/new.jsonl'");
  INFO(imp.err);
  CHECK(imp.status == 0);
  spit(dir.path() + "/merged.jsonl", without + slurp(dir.path() + "/new.jsonl"));
  Run a = cli(dir.path(), "fold '" + dir.path() + "/all.jsonl'");
  Run b = cli(dir.path(), "validate '" + dir.path() + "/merged.jsonl'");
  CHECK(b.status == 0);
  auto count = [](const std::string& s) {
    auto at = s.find("  volunteer: ");
    return at == std::string::npos ? std::string() : s.substr(at, s.find('\n', at) - at);
  };
  CHECK(!count(a.out).empty());
  CHECK(count(a.out) == count(b.out));
}
