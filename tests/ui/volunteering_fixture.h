// Test fixture of the volunteering UI tests: a small community (three
// volunteers, two of them sharing the last four phone digits, a station and
// two shifts) and the Driver that draws the Workbench over it
// (ui_driver.h). "Now" is 2026-12-01 08:00 local.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/state.h"
#include "ui_driver.h"

namespace dh::test::volunteering {

using namespace dh;

struct World {
  State state;
  OpSource source{"test-vol-ui", "staff:test", 1, HlcClock{}};
  int64_t now_ms = 1767225600000;
  std::string commit(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now_ms += 1000);
    if (!op) return "error:" + op.error().code;
    state.apply(op.value());
    return op->payload["entity"].get<std::string>();
  }
};

inline const char* kPhones[] = {"13812345678", "13900005678", "13711112222"};
inline const char* kNames[] = {"张阿姨", "李师傅", "王老师"};

struct Community {
  World w;
  std::vector<std::string> volunteers, residents, shifts;
  std::string station;
};

// Three volunteers (two share the last four phone digits), a station and
// shifts on 2026-12-02 (a Wednesday) and 2026-12-05; "now" is 2026-12-01 08:00.
inline Community community() {
  Community c;
  World& w = c.w;
  std::string g = w.commit(CreateEntity{"grid", {{"name", "第一网格"}, {"code", "G1"}}, ""});
  c.station = w.commit(CreateEntity{"station", {{"name", "幸福里站"}, {"station_type", "station"}}, ""});
  for (int i = 0; i < 3; ++i) {
    std::string h = w.commit(
        CreateEntity{"household", {{"address", "幸福里 " + std::to_string(i + 7) + " 号"}, {"grid", g}}, ""});
    std::string r = w.commit(CreateEntity{"resident", {{"name", kNames[i]}, {"household", h}, {"phone", kPhones[i]}}, ""});
    c.residents.push_back(r);
    Json avail = Json::array();
    for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) avail.push_back(std::string(d) + " 07:00-21:00");
    c.volunteers.push_back(w.commit(CreateEntity{"volunteer", {{"resident", r}, {"availability", avail}}, ""}));
  }
  c.shifts.push_back(w.commit(CreateEntity{
      "shift", {{"station", c.station}, {"role", "课后托管"}, {"start", "2026-12-02T09:00"}, {"end", "2026-12-02T11:00"}, {"capacity", 2}}, ""}));
  c.shifts.push_back(w.commit(CreateEntity{
      "shift", {{"station", c.station}, {"role", "阅读空间"}, {"start", "2026-12-05T14:00"}, {"end", "2026-12-05T16:00"}, {"capacity", 1}}, ""}));
  for (const auto& s : c.shifts) REQUIRE(s.rfind("error:", 0) != 0);
  for (const auto& v : c.volunteers) REQUIRE(v.rfind("error:", 0) != 0);
  return c;
}

inline int64_t now_minutes() { return *parse_datetime("2026-12-01T08:00"); }

struct Driver : dh::test::UiDriver {
  Community& c;
  explicit Driver(Community& community)
      : UiDriver(community.w.state, community.w.source, community.w.now_ms), c(community) {
    status.author = "kiosk";
    status.now_local_minutes = now_minutes();
  }
};

}  // namespace dh::test::volunteering
