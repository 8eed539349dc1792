// County figures (src/core/county.h): counts over one community's State, on
// a small hand-built community whose answers are known, and totals that
// recompute the rate from summed counts.
#include <catch2/catch.hpp>

#include "core/commands.h"
#include "core/county.h"
#include "core/talent.h"

using namespace dh;

namespace {

struct SmallCommunity {
  State state;
  OpSource source;
  int64_t now = 1767225600000;  // 2026-01-01T00:00Z

  SmallCommunity() {
    source.device = "hall";
    source.author = "staff:secretary";
  }
  void run(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now++);
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    state.apply(op.value());
  }
  std::string make(const std::string& kind, Json fields) {
    auto op = make_operation(state, CreateEntity{kind, std::move(fields), ""}, source, now++);
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    state.apply(op.value());
    return op->payload["entity"].get<std::string>();
  }
  void step(const std::string& request, const std::string& step, const std::string& at, const std::string& expert = "") {
    make("request_step", talent::step_fields(request, step, at, expert, "", 0, ""));
  }
};

}  // namespace

TEST_CASE("County figures count one community's households, hours, requests and meetings", "[core][county]") {
  SmallCommunity c;
  const std::string grid = c.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
  const std::string hh1 = c.make("household", Json{{"address", "幸福里1栋101室"}, {"grid", grid}});
  const std::string hh2 = c.make("household", Json{{"address", "幸福里2栋202室"}, {"grid", grid}});
  const std::string hh3 = c.make("household", Json{{"address", "幸福里3栋303室"}, {"grid", grid}});
  const std::string hh4 = c.make("household", Json{{"address", "幸福里4栋404室"}, {"grid", grid}});
  const std::string archived_hh = c.make("household", Json{{"address", "幸福里5栋505室"}, {"grid", grid}});
  const std::string r1 = c.make("resident", Json{{"name", "李堃"}, {"household", hh1}});
  const std::string r2 = c.make("resident", Json{{"name", "王玥"}, {"household", hh2}});
  const std::string r3 = c.make("resident", Json{{"name", "杨燊"}, {"household", hh3}});
  const std::string r5 = c.make("resident", Json{{"name", "赵琳"}, {"household", archived_hh}});
  const std::string v1 = c.make("volunteer", Json{{"resident", r1}});
  const std::string v2 = c.make("volunteer", Json{{"resident", r2}});  // signed up, never served
  const std::string v5 = c.make("volunteer", Json{{"resident", r5}});
  const std::string station = c.make("station", Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}});

  // v1 serves 120 minutes (checked in and out) and gets 90 added by hand.
  const std::string shift = c.make("shift", Json{{"station", station}, {"role", "夜间巡逻"},
                                                {"start", "2026-01-02T09:00"}, {"end", "2026-01-02T11:00"},
                                                {"capacity", 3}});
  const std::string s1 = c.make("signup", Json{{"shift", shift}, {"volunteer", v1}, {"channel", "coordinator"}});
  c.run(EditEntity{"signup", s1, Json{{"check_in", "2026-01-02T09:00"}, {"check_out", "2026-01-02T11:00"}}});
  c.make("signup", Json{{"shift", shift}, {"volunteer", v2}, {"channel", "coordinator"}});
  c.make("hours_adjustment", Json{{"volunteer", v1}, {"date", "2026-01-03"}, {"minutes", 90}, {"reason", "纸质签到表补录"}});
  // v5 serves 30 minutes, but the household is archived: the minutes count, the household does not.
  c.make("hours_adjustment", Json{{"volunteer", v5}, {"date", "2026-01-03"}, {"minutes", 30}, {"reason", "补录"}});
  c.run(ArchiveEntity{"household", archived_hh, "moved"});

  // Three requests: hh3 is a party; one resolved, one not resolved, one open.
  const std::string expert = c.make("expert", Json{{"name", "段明"}, {"fields", Json::array({"dispute_mediation"})}});
  auto request = [&](const std::string& party) {
    return c.make("request", Json{{"category", "dispute_mediation"}, {"urgency", 2}, {"grid", grid},
                                  {"parties", Json::array({party})}, {"description", "楼上漏水"},
                                  {"intake_channel", "hall"}, {"recorded_at", "2026-01-05T09:00"}});
  };
  const std::string q1 = request(r3), q2 = request(r3);
  request(r3);
  c.step(q1, "assign", "2026-01-05T10:00", expert);
  c.step(q1, "resolve", "2026-01-05T12:00", expert);
  c.step(q2, "assign", "2026-01-05T10:00", expert);
  c.step(q2, "not_resolve", "2026-01-05T12:00", expert);

  // Two meetings, one adjourned.
  const std::string council = c.make("council", Json{{"name", "社区议事会"}, {"tier", "level2"}, {"council_scope", "community"}});
  const std::string m1 = c.make("meeting", Json{{"council", council}, {"title", "第一季度议事会"}, {"start", "2026-01-20T14:00"}});
  c.make("meeting", Json{{"council", council}, {"title", "第二季度议事会"}, {"start", "2026-04-20T14:00"}});
  c.run(EditEntity{"meeting", m1, Json{{"meeting_state", "in_session"}}});
  c.run(EditEntity{"meeting", m1, Json{{"meeting_state", "adjourned"}}});

  const CountyFigures f = county_figures(c.state);
  CHECK(f.households == 4);
  CHECK(f.households_taking_part == 2);  // hh1 served, hh3 asked; hh2 only signed up, hh4 nothing
  CHECK(f.volunteer_minutes == 120 + 90 + 30);
  CHECK(f.verified_minutes == 120);
  CHECK(f.requests == 3);
  CHECK(f.requests_resolved == 1);
  CHECK(f.requests_not_resolved == 1);
  CHECK(f.resolution_rate() == Approx(0.5));
  CHECK(f.meetings == 2);
  CHECK(f.meetings_held == 1);

  const Json j = county_figures_json(f);
  CHECK(j.size() == 10);
  CHECK(j["households_taking_part"] == 2);
  CHECK(j["resolution_rate"].get<double>() == Approx(0.5));
  (void)hh4;
}

TEST_CASE("County totals add counts and compute the rate from the sums", "[core][county]") {
  CountyFigures a, b;
  a.households = 10;
  a.requests_resolved = 1;
  a.requests_not_resolved = 0;  // rate 1.0
  b.households = 5;
  b.requests_resolved = 1;
  b.requests_not_resolved = 3;  // rate 0.25
  CountyFigures total;
  total += a;
  total += b;
  CHECK(total.households == 15);
  CHECK(total.resolution_rate() == Approx(2.0 / 5.0));  // not the mean of 1.0 and 0.25
  CHECK(CountyFigures{}.resolution_rate() == 0.0);
  CHECK(county_figures(State{}).households == 0);
}
