// Reports over volunteering (src/core/reports.h): hours by volunteer, squad,
// station and month (verified apart from hand-added, across midnight),
// coverage, no-show rates (never inferred from a missing check-in) and the
// share of households taking part.
#include <catch2/catch.hpp>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/reports.h"

using namespace dh;

namespace {

struct ReportWorld {
  State state;
  OpSource source;
  int64_t now = 1767225600000;
  std::string station, hall, squad, a, b, c;

  ReportWorld() {
    source.device = "coord";
    source.author = "staff:zhang";
    std::string grid = make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
    std::string hh1 = make("household", Json{{"address", "幸福里1栋101室"}, {"grid", grid}});
    std::string hh2 = make("household", Json{{"address", "幸福里2栋202室"}, {"grid", grid}});
    make("household", Json{{"address", "税务小区3栋301室"}, {"grid", grid}});
    station = make("station", Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}});
    hall = make("station", Json{{"name", "东城社区党群服务中心"}, {"station_type", "hall"}});
    squad = make("squad", Json{{"name", "文明劝导队"}});
    a = make("volunteer", Json{{"resident", make("resident", Json{{"name", "李堃"}, {"household", hh1}})},
                               {"squad", squad}});
    b = make("volunteer", Json{{"resident", make("resident", Json{{"name", "王玥"}, {"household", hh1}})}});
    c = make("volunteer", Json{{"resident", make("resident", Json{{"name", "赵琳"}, {"household", hh2}})},
                               {"squad", squad}});
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
  std::string shift(const std::string& at, const std::string& start, const std::string& end, int capacity) {
    return make("shift", Json{{"station", at}, {"role", "夜间巡逻"}, {"start", start}, {"end", end}, {"capacity", capacity}});
  }
  std::string sign_up(const std::string& shift_id, const std::string& vol) {
    return make("signup", Json{{"shift", shift_id}, {"volunteer", vol}, {"channel", "coordinator"}});
  }
  void edit(const std::string& id, Json fields) {
    auto op = run(EditEntity{"signup", id, std::move(fields)});
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
  }
};

const HoursRow* row(const std::vector<HoursRow>& rows, const std::string& key) {
  for (const auto& r : rows)
    if (r.key == key) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("Hours reports add across midnight and keep hand-added hours apart", "[core][reports]") {
  ReportWorld w;
  // 22:00 on New Year's Eve to 02:00 on New Year's Day: 240 minutes, on the day it started.
  std::string night = w.shift(w.station, "2026-12-31T22:00", "2027-01-01T02:00", 2);
  std::string su = w.sign_up(night, w.a);
  w.edit(su, Json{{"check_in", "2026-12-31T22:05"}, {"check_out", "2027-01-01T02:10"}});
  std::string day = w.shift(w.hall, "2027-01-02T09:00", "2027-01-02T11:30", 2);
  w.edit(w.sign_up(day, w.c), Json{{"check_in", "2027-01-02T09:00"}, {"check_out", "2027-01-02T11:30"}});
  w.make("hours_adjustment", Json{{"volunteer", w.a}, {"date", "2027-01-05"}, {"minutes", 90},
                                  {"reason", "纸质签到表补录"}, {"station", w.station}});

  auto by_vol = hours_report(w.state, HoursGrouping::volunteer);
  REQUIRE(row(by_vol, w.a));
  CHECK(row(by_vol, w.a)->label == "李堃");
  CHECK(row(by_vol, w.a)->totals.verified_minutes == 245);
  CHECK(row(by_vol, w.a)->totals.manual_minutes == 90);
  CHECK(row(by_vol, w.a)->totals.total() == 335);
  CHECK(row(by_vol, w.c)->totals.verified_minutes == 150);
  CHECK(row(by_vol, w.b) == nullptr);

  auto by_month = hours_report(w.state, HoursGrouping::month);
  REQUIRE(by_month.size() == 2);
  CHECK(row(by_month, "2026-12")->totals.verified_minutes == 245);
  CHECK(row(by_month, "2027-01")->totals.verified_minutes == 150);
  CHECK(row(by_month, "2027-01")->totals.manual_minutes == 90);

  auto by_station = hours_report(w.state, HoursGrouping::station);
  CHECK(row(by_station, w.station)->label == "幸福里党群服务点");
  CHECK(row(by_station, w.station)->totals.total() == 335);
  CHECK(row(by_station, w.hall)->totals.total() == 150);

  auto by_squad = hours_report(w.state, HoursGrouping::squad);
  CHECK(row(by_squad, w.squad)->label == "文明劝导队");
  CHECK(row(by_squad, w.squad)->totals.total() == 485);

  // A date range: only January.
  auto jan = hours_report(w.state, HoursGrouping::volunteer, *parse_date("2027-01-01"), *parse_date("2027-02-01"));
  CHECK(row(jan, w.a)->totals.verified_minutes == 0);
  CHECK(row(jan, w.a)->totals.manual_minutes == 90);

  HoursGrouping g;
  CHECK(parse_hours_grouping("station", &g));
  CHECK(g == HoursGrouping::station);
  CHECK_FALSE(parse_hours_grouping("year", &g));
}

TEST_CASE("A no-show is never inferred from a missing check-in", "[core][reports]") {
  ReportWorld w;
  std::string past = w.shift(w.station, "2026-12-01T16:00", "2026-12-01T18:00", 3);
  std::string s_a = w.sign_up(past, w.a);
  std::string s_b = w.sign_up(past, w.b);
  w.sign_up(past, w.c);  // nothing recorded for c
  w.edit(s_a, Json{{"check_in", "2026-12-01T16:00"}, {"check_out", "2026-12-01T18:00"}});
  w.edit(s_b, Json{{"attendance", "no_show"}});
  std::string future = w.shift(w.station, "2026-12-20T16:00", "2026-12-20T18:00", 3);
  w.edit(w.sign_up(future, w.a), Json{{"attendance", "no_show"}});  // marked ahead: not past, not counted

  const int64_t now = *parse_datetime("2026-12-10T12:00");
  auto by_vol = no_show_report(w.state, NoShowGrouping::volunteer, now);
  REQUIRE(by_vol.size() == 3);
  for (const auto& r : by_vol) {
    if (r.key == w.a) {
      CHECK(r.attended == 1);
      CHECK(r.no_show == 0);
      CHECK(r.rate() == 0.0);
    } else if (r.key == w.b) {
      CHECK(r.no_show == 1);
      CHECK(r.rate() == 1.0);
    } else {
      CHECK(r.key == w.c);
      CHECK(r.label == "赵琳");
      CHECK(r.no_show == 0);
      CHECK(r.not_checked_in == 1);
      CHECK(r.with_outcome() == 0);
      CHECK(r.rate() == 0.0);
    }
  }
  auto by_station = no_show_report(w.state, NoShowGrouping::station, now);
  REQUIRE(by_station.size() == 1);
  CHECK(by_station[0].label == "幸福里党群服务点");
  CHECK(by_station[0].attended == 1);
  CHECK(by_station[0].no_show == 1);
  CHECK(by_station[0].not_checked_in == 1);
  CHECK(by_station[0].rate() == Approx(0.5));
  // An excused absence is an outcome, not a no-show.
  w.edit(s_b, Json{{"attendance", "excused"}});
  by_station = no_show_report(w.state, NoShowGrouping::station, now);
  CHECK(by_station[0].no_show == 0);
  CHECK(by_station[0].excused == 1);
  CHECK(by_station[0].rate() == 0.0);
  // Later, the future shift is past too.
  by_station = no_show_report(w.state, NoShowGrouping::station, *parse_datetime("2026-12-21T00:00"));
  CHECK(by_station[0].no_show == 1);
}

TEST_CASE("Coverage counts places, filled, open and the waitlist", "[core][reports]") {
  ReportWorld w;
  std::string s1 = w.shift(w.station, "2026-12-01T16:00", "2026-12-01T18:00", 2);
  std::string s2 = w.shift(w.hall, "2026-12-02T09:00", "2026-12-02T12:00", 3);
  w.shift(w.hall, "2027-01-02T09:00", "2027-01-02T12:00", 5);  // outside the range
  w.sign_up(s1, w.a);
  w.sign_up(s1, w.b);
  w.sign_up(s1, w.c);  // waitlist
  w.sign_up(s2, w.a);
  Coverage c = coverage_report(w.state, *parse_date("2026-12-01"), *parse_date("2027-01-01"));
  REQUIRE(c.shifts.size() == 2);
  CHECK(c.shifts[0].shift_id == s1);
  CHECK(c.shifts[0].filled == 2);
  CHECK(c.shifts[0].open == 0);
  CHECK(c.shifts[0].waitlist == 1);
  CHECK(c.shifts[0].share() == 1.0);
  CHECK(c.shifts[1].station_name == "东城社区党群服务中心");
  CHECK(c.shifts[1].open == 2);
  CHECK(c.places == 5);
  CHECK(c.filled == 3);
  CHECK(c.open == 2);
  CHECK(c.share() == Approx(0.6));
}

TEST_CASE("About 80% of the demo households take part; the demo month's coverage adds up", "[core][reports]") {
  auto demo = generate_demo();
  State state;
  for (const auto& op : demo) state.apply(op);
  Participation p = participation_report(state);
  CHECK(p.households == 3058);
  CHECK(p.share() == Approx(0.8).margin(0.02));
  CHECK(p.share() == Approx(household_participation(state)));

  for (const auto& op : generate_month_of_shifts(demo, "2026-12", 7)) state.apply(op);
  Coverage c = coverage_report(state, *parse_date("2026-12-01"), *parse_date("2027-01-01"));
  CHECK(c.shifts.size() >= 500);
  int places = 0, filled = 0, open = 0;
  for (const auto& s : c.shifts) {
    places += s.places;
    filled += s.filled;
    open += s.open;
    CHECK(s.filled + s.open == s.places);
  }
  CHECK(places == c.places);
  CHECK(filled == c.filled);
  CHECK(open == c.open);
}
