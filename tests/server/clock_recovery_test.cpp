// Issue 15, "a clock that ran far ahead locks a device out for weeks": the
// HLC never went back, so after a device ran 40 days ahead and its clock was
// fixed, its next change was still stamped 40 days ahead and every push was
// refused. Now the server's clock bounds stamps (422 clock_far_ahead with
// server_ms) and the device re-stamps its unacknowledged operations
// (docs/sync-protocol.md "Clocks"). A real Replica on a MemoryFileSystem, the
// real SyncClient and SyncService (in-memory SQLite), no HTTP.
#include <catch2/catch.hpp>

#include "core/commands.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/sync_service.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "sync/client.h"
#include "sync/protocol.h"

using namespace dh;
using dh::sync::SyncClient;

namespace {

constexpr int64_t kTrue = 1796083200000;  // the server's (true) time at the start
constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;

struct Tablet {
  MemoryFileSystem fs;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<SyncClient> client;
  void open(int64_t device_now) {
    client.reset();
    replica.reset();
    auto r = Replica::open(fs, "/r", "tab1", device_now);
    REQUIRE(r.ok());
    replica = std::move(r).value();
    replica->set_author("staff:wang");
    auto c = SyncClient::open(fs, *replica);
    REQUIRE(c.ok());
    client = std::move(c).value();
  }
  Operation grid(const std::string& name, int64_t device_now) {
    auto op = replica->commit(CreateEntity{"grid", {{"name", name}, {"code", name}}, ""},
                              client->corrected_now(device_now));
    REQUIRE(op.ok());
    return op.value();
  }
  void flush() { REQUIRE(client->flush_completed(client->begin_flush()).ok()); }
};

struct Server {
  std::unique_ptr<SyncService> svc;
  OpenAccess auth;
  Server() {
    auto store = OpStore::open(":memory:");
    REQUIRE(store.ok());
    auto s = SyncService::open(std::move(store).value());
    REQUIRE(s.ok());
    svc = std::move(s).value();
  }
  // One push as HTTP would answer it: 200 + body, or 422 + the clock error.
  std::pair<int, std::string> push(const std::string& body, int64_t now) {
    auto req = sync::decode_push_request(body);
    REQUIRE(req.ok());
    auto r = svc->push(req.value(), Principal{req->device, "open"}, auth, now);
    if (!r) {
      REQUIRE(r.error().code == "clock_far_ahead");
      return {422, sync::encode_clock_error(r.error(), now)};
    }
    return {200, sync::encode_push_response(r.value())};
  }
};

// Pushes until nothing is left or a push fails; returns the statuses seen.
std::vector<int> sync_round(Tablet& t, Server& s, int64_t device_now, int64_t server_now) {
  std::vector<int> statuses;
  while (auto b = t.client->next_push(device_now)) {
    auto [status, body] = s.push(b->body, server_now);
    statuses.push_back(status);
    if (status != 200) {
      t.client->on_push_failed(*b, status, body);
      break;
    }
    REQUIRE(t.client->on_push_response(*b, body, device_now).ok());
  }
  return statuses;
}

}  // namespace

TEST_CASE("a device whose clock ran 40 days ahead recovers at its next sync and loses no change",
          "[server][sync][clock]") {
  Server server;
  Tablet t;
  const int64_t ahead = 40 * kDay;
  t.open(kTrue + ahead);
  // Offline with the wrong clock: three changes, a snapshot in between.
  std::vector<Operation> made;
  made.push_back(t.grid("A1", kTrue + ahead));
  made.push_back(t.grid("A2", kTrue + ahead + 1000));
  REQUIRE(t.replica->write_snapshot().ok());
  made.push_back(t.grid("A3", kTrue + ahead + 2000));
  // The clock is fixed. The HLC never goes back: this change is still stamped 40 days ahead.
  const int64_t fixed = kTrue + 5 * kMinute;
  made.push_back(t.grid("B1", fixed));
  CHECK(made.back().hlc.wall_ms >= kTrue + ahead);
  t.flush();

  // First push: refused whole, with the server's clock. The device re-stamps.
  auto first = sync_round(t, server, fixed, fixed);
  REQUIRE(first == std::vector<int>{422});
  CHECK(server.svc->op_count() == 0);
  CHECK_FALSE(t.client->clock_warning().empty());  // the person is told
  CHECK(t.client->state().server_offset_ms == 0);
  // Nothing goes up before the rewritten files are flushed.
  CHECK_FALSE(t.client->next_push(fixed).has_value());
  t.flush();
  auto second = sync_round(t, server, fixed, fixed + 1000);
  REQUIRE(second == std::vector<int>{200});
  REQUIRE(t.client->waiting_ops() == 0);
  CHECK(t.client->rejected().empty());

  // Every change arrived, under its own id, in the order it was made, stamped
  // by the server's clock.
  auto page = sync::decode_pull_response(server.svc->pull(sync::PullQuery{0, 100}, fixed).value());
  REQUIRE(page.ok());
  REQUIRE(page->ops.size() == 4);
  Hlc last{};
  for (size_t i = 0; i < 4; ++i) {
    const Operation& op = page->ops[i].op;
    CHECK(op.id == made[i].id);
    CHECK(op.payload == made[i].payload);
    CHECK(op.hlc.wall_ms <= fixed + sync::kMaxStampAheadMs);
    CHECK(last < op.hlc);
    last = op.hlc;
  }
  // The device holds exactly what the server holds.
  server.svc->read_state([&](const State& s) { CHECK(t.replica->state().hash_hex() == s.hash_hex()); });

  // Its next change is stamped by the right clock, also after a restart.
  auto next = t.grid("C1", fixed + 2000);
  CHECK(next.hlc.wall_ms <= fixed + 2000 + kMinute);
  t.flush();
  t.open(fixed + 3000);
  auto after_restart = t.grid("C2", fixed + 3000);
  CHECK(after_restart.hlc.wall_ms <= fixed + 3000 + kMinute);
  CHECK(next.hlc < after_restart.hlc);
  t.flush();
  auto third = sync_round(t, server, fixed + 4000, fixed + 4000);
  CHECK(third == std::vector<int>{200});
  CHECK(server.svc->op_count() == 6);
}

TEST_CASE("a clock a day ahead: the person is told and the changes arrive", "[server][sync][clock]") {
  Server server;
  Tablet t;
  const int64_t device = kTrue + kDay;  // the device's clock, never fixed
  t.open(device);
  t.grid("D1", device);  // no server time known yet: stamped a day ahead
  t.flush();
  REQUIRE(sync_round(t, server, device, kTrue) == std::vector<int>{422});
  CHECK(t.client->state().server_offset_ms == -kDay);
  CHECK(t.client->clock_warning().find("ahead") != std::string::npos);
  t.flush();
  REQUIRE(sync_round(t, server, device + 1000, kTrue + 1000) == std::vector<int>{200});
  CHECK(server.svc->op_count() == 1);
  // The answer still says the device clock is wrong (device_ms is a day ahead).
  CHECK(t.client->clock_warning().find("about 1 day ahead") != std::string::npos);
  // Later changes use the server-corrected clock and go straight up.
  t.grid("D2", device + 2000);
  t.flush();
  CHECK(sync_round(t, server, device + 3000, kTrue + 3000) == std::vector<int>{200});
  CHECK(server.svc->op_count() == 2);
}
