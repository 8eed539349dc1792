// A small community for the fuzz targets (tests/fuzz/*_fuzz.cpp): a grid,
// two households, residents, a station and the hall, a squad, two volunteers,
// two shifts, a coordinator's sign-up and a kiosk's sign-up. Made through the
// core's make_operation (the one rule book), so every operation is valid in
// order; deterministic (fixed clock), so a crashing input reproduces.
//
// Devices: "coord" (coordinator) and "kiosk1" (kiosk). Ids are "<device>:<seq>":
// the seeds in tests/fuzz/corpus/ name them (e.g. an edit of "coord:2").
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/operation.h"
#include "core/state.h"

namespace dh::fuzz {

// 2026-01-01T00:00:00Z: the stamps of the world; the server's clock is a day later.
constexpr int64_t kWorldMs = 1767225600000;
constexpr int64_t kServerNowMs = kWorldMs + 24LL * 60 * 60 * 1000;

// An invariant the code promises was broken: report it as a crash, so
// libFuzzer keeps the input (crash-<sha1>) and the test fails.
[[noreturn]] inline void broken(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %s %s\n", what, detail.c_str());
  std::abort();
}

inline OpSource source_of(const std::string& device, const std::string& author) {
  OpSource s;
  s.device = device;
  s.author = author;
  return s;
}

struct World {
  State state;
  std::vector<Operation> ops;
  std::string grid, hh1, hh2, station, hall, squad, r1, r2, r3, v1, v2, shift1, shift2;

  World() {
    OpSource coord = source_of("coord", "staff:zhang");
    OpSource kiosk = source_of("kiosk1", "kiosk");
    int64_t now = kWorldMs;
    auto make = [&](OpSource& src, const std::string& kind, Json fields) {
      auto op = make_operation(state, CreateEntity{kind, std::move(fields), ""}, src, now++);
      if (!op) broken("world fixture", kind + ": " + op.error().message);
      state.apply(op.value());
      ops.push_back(op.value());
      return op->payload["entity"].get<std::string>();
    };
    grid = make(coord, "grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
    hh1 = make(coord, "household", Json{{"address", "幸福里1栋101室"}, {"grid", grid}, {"phone", "13812345678"}});
    hh2 = make(coord, "household", Json{{"address", "税务小区3栋301室, \"东\"门"}, {"grid", grid}});
    station = make(coord, "station",
                   Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}, {"address", "幸福里1号"}});
    hall = make(coord, "station", Json{{"name", "东城社区党群服务中心"}, {"station_type", "hall"}});
    squad = make(coord, "squad", Json{{"name", "文明劝导队"}});
    r1 = make(coord, "resident", Json{{"name", "李堃"}, {"household", hh1}, {"birth_date", "1980-05-01"}});
    r2 = make(coord, "resident", Json{{"name", "王玥"}, {"household", hh2}, {"phone", "13900001111"}});
    r3 = make(coord, "resident", Json{{"name", "李喆"}, {"household", hh1}, {"birth_date", "2012-03-01"}});
    v1 = make(coord, "volunteer", Json{{"resident", r1}, {"squad", squad}, {"skills", {"first_aid", "tea"}}});
    v2 = make(coord, "volunteer", Json{{"resident", r2}});
    shift1 = make(coord, "shift", Json{{"station", station}, {"role", "课后托管"}, {"start", "2026-01-05T16:00"},
                                       {"end", "2026-01-05T18:00"}, {"capacity", 3}});
    shift2 = make(coord, "shift", Json{{"station", hall}, {"role", "法律援助"}, {"start", "2026-01-06T09:00"},
                                       {"end", "2026-01-06T11:30"}, {"capacity", 2}});
    make(coord, "signup", Json{{"shift", shift1}, {"volunteer", v1}, {"channel", "coordinator"}});
    make(kiosk, "signup", Json{{"shift", shift2}, {"volunteer", v2}, {"channel", "kiosk"}});
  }
};

}  // namespace dh::fuzz
