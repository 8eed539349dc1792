#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "core/commands.h"
#include "core/demo.h"
#include "core/state.h"

using namespace dh;

namespace {

// Several devices, each with its own state, make random valid changes and now
// and then exchange everything they know. Returns all operations made.
std::vector<Operation> random_history(uint32_t seed, int devices, int steps) {
  std::mt19937 rng(seed);
  struct Device {
    State state;
    OpSource source;
    std::vector<Operation> known;
  };
  std::vector<Device> ds(static_cast<size_t>(devices));
  for (int i = 0; i < devices; ++i) {
    ds[static_cast<size_t>(i)].source.device = "dev-" + std::to_string(i);
    ds[static_cast<size_t>(i)].source.author = "tester";
  }
  std::vector<Operation> all;
  int64_t now = 1767225600000;
  for (int step = 0; step < steps; ++step) {
    Device& d = ds[rng() % ds.size()];
    now += static_cast<int64_t>(rng() % 3);  // clocks often tie: the id must break ties
    auto grids = d.state.list("grid", true);
    Command cmd;
    const unsigned what = rng() % 6;
    if (grids.empty() || what == 0) {
      cmd = CreateEntity{"grid", Json{{"name", "g" + std::to_string(rng() % 50)}, {"code", "C" + std::to_string(step)}}, ""};
    } else {
      const Entity* g = grids[rng() % grids.size()];
      if (what == 1) {
        cmd = g->archived() ? Command(RestoreEntity{"grid", g->id}) : Command(ArchiveEntity{"grid", g->id, "r"});
      } else if (what == 2) {
        cmd = CreateEntity{"micro_grid", Json{{"name", "m" + std::to_string(step)}, {"grid", g->id}}, ""};
      } else {
        cmd = EditEntity{"grid", g->id, Json{{"name", "n" + std::to_string(rng() % 7)}, {"note", std::to_string(rng() % 3)}}};
      }
    }
    auto op = make_operation(d.state, cmd, d.source, now);
    if (op) {
      d.state.apply(op.value());
      d.known.push_back(op.value());
      all.push_back(op.value());
    }
    if (rng() % 10 == 0) {  // two devices meet and exchange
      Device& a = ds[rng() % ds.size()];
      Device& b = ds[rng() % ds.size()];
      for (const auto& o : a.known) b.state.apply(o);
      for (const auto& o : b.known) a.state.apply(o);
      auto merged = a.known;
      merged.insert(merged.end(), b.known.begin(), b.known.end());
      a.known = merged;
      b.known = merged;
      // Clocks observe what they saw.
      for (const auto& o : merged) {
        a.source.clock.observe(o.hlc, now);
        b.source.clock.observe(o.hlc, now);
      }
    }
  }
  return all;
}

}  // namespace

TEST_CASE("The fold gives the same state for any order of the same operations, with duplicates", "[core][state][property]") {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    auto ops = random_history(seed, 4, 120);
    State reference;
    for (const auto& o : ops) reference.apply(o);
    std::mt19937 rng(seed * 7919u);
    for (int round = 0; round < 3; ++round) {
      auto shuffled = ops;
      // Duplicate some operations, then shuffle: delivery may repeat and reorder.
      for (size_t i = 0; i < ops.size(); i += 1 + rng() % 5) shuffled.push_back(ops[i]);
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      State s;
      for (const auto& o : shuffled) s.apply(o);
      INFO("seed " << seed << " round " << round);
      REQUIRE(s.hash() == reference.hash());
    }
  }
}

TEST_CASE("Applying an operation twice changes nothing", "[core][state]") {
  auto ops = random_history(99, 2, 200);
  State once, twice;
  for (const auto& o : ops) once.apply(o);
  for (const auto& o : ops) {
    twice.apply(o);
    twice.apply(o);
  }
  CHECK(once.hash() == twice.hash());
}

TEST_CASE("Snapshot round-trip and snapshot-then-rest equal the full fold", "[core][state][property]") {
  for (uint32_t seed = 300; seed < 340; ++seed) {
    auto ops = random_history(seed, 3, 150);
    State full;
    for (const auto& o : ops) full.apply(o);
    const size_t cut = ops.size() / 2;
    State first;
    for (size_t i = 0; i < cut; ++i) first.apply(ops[i]);
    auto restored = State::from_snapshot(Json::parse(first.to_snapshot().dump()));
    REQUIRE(restored.ok());
    CHECK(restored->hash() == first.hash());
    // Replaying a few already-covered operations after the snapshot is harmless.
    for (size_t i = cut > 5 ? cut - 5 : 0; i < ops.size(); ++i) restored->apply(ops[i]);
    INFO("seed " << seed);
    REQUIRE(restored->hash() == full.hash());
    CHECK(restored->max_hlc() == full.max_hlc());
  }
}

TEST_CASE("An edit that arrives before its create is kept and shown once the create arrives", "[core][state]") {
  State s;
  Operation create;
  create.id = OpId{"a", 1};
  create.hlc = Hlc{100, 0};
  create.author = "x";
  create.type = "grid.create";
  create.payload = Json{{"entity", "g1"}, {"fields", {{"name", "old"}, {"code", "C"}}}};
  Operation edit = create;
  edit.id = OpId{"b", 1};
  edit.hlc = Hlc{200, 0};
  edit.type = "grid.edit";
  edit.payload = Json{{"entity", "g1"}, {"fields", {{"name", "new"}}}};
  s.apply(edit);
  CHECK(s.find("grid", "g1") == nullptr);
  CHECK(s.count("grid") == 0);
  s.apply(create);
  REQUIRE(s.find("grid", "g1") != nullptr);
  CHECK(s.find("grid", "g1")->text("name") == "new");
}

TEST_CASE("Operations of unknown types are counted and ignored, not fatal", "[core][state]") {
  State s;
  Operation op;
  op.id = OpId{"a", 1};
  op.hlc = Hlc{1, 0};
  op.author = "x";
  op.type = "hologram.create";
  op.payload = Json{{"entity", "h"}};
  s.apply(op);
  CHECK(s.ignored_ops() == 1);
  CHECK(s.hash() == State().hash());
}

TEST_CASE("A corrupt snapshot is refused with a plain reason", "[core][state]") {
  CHECK(State::from_snapshot(Json::parse("{}")).error().code == "corrupt_snapshot");
  CHECK(State::from_snapshot(Json::parse(R"({"format":"dianhong-state","version":2})")).error().message.find("version") !=
        std::string::npos);
  auto bad = Json::parse(R"({"format":"dianhong-state","version":1,"max_hlc":"1.0","devices":["a"],"authors":["x"],"kinds":{"grid":[["g",[1,0,0,1],"x",{"name":["x",1,0,7,1]}]]}})");
  CHECK_FALSE(State::from_snapshot(bad).ok());
}

// FieldMap::find scans small maps (lengths compared first) and binary-searches
// larger ones: both must find exactly the names inserted, whatever their
// order of insertion, with names that share lengths and prefixes.
TEST_CASE("FieldMap finds exactly its names, small and large", "[core][state]") {
  std::mt19937 rng(7);
  for (size_t n : {0u, 1u, 2u, 7u, 15u, 16u, 17u, 40u}) {
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i) names.push_back("f" + std::string(i % 5, 'x') + std::to_string(i));
    std::vector<std::string> order = names;
    std::shuffle(order.begin(), order.end(), rng);
    FieldMap m;
    for (const std::string& name : order) m.emplace(name, FieldValue(Json(name + "!"), no_origin()));
    REQUIRE(m.size() == n);
    for (const std::string& name : names) {
      auto it = m.find(name);
      REQUIRE(it != m.end());
      CHECK(it->first == name);
      CHECK(it->second.value == Json(name + "!"));
      const FieldMap& cm = m;
      CHECK(cm.find(name) != cm.end());
      CHECK(cm.count(name) == 1);
      // Absent: a prefix, a longer name, the same length with other bytes
      // (unless that is one of the names too).
      std::string other = name;
      other.back() = other.back() == 'z' ? 'y' : 'z';
      for (const std::string& absent : {name.substr(0, name.size() - 1), name + "0", other}) {
        if (std::find(names.begin(), names.end(), absent) != names.end()) continue;
        CHECK(m.find(absent) == m.end());
      }
    }
    CHECK(m.find("") == m.end());
    // Kept in name order (the snapshot and the hash rely on it).
    std::vector<std::string> seen;
    for (const auto& [name, v] : m) seen.push_back(name);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
  }
}
