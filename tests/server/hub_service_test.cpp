// Hub mode inside the server (docs/sync-protocol.md "Hub mode"), without
// HTTP: withdrawals take a seq of their own and pull pages never step over
// one; a withdrawn operation leaves the state and a push of it again gets the
// parent's answer; operations from the parent are stored once, marked
// "@upstream"; the role "hub". Real SyncService and SQLite (in memory), the
// real role rules. The processes and the network: hub_test.cpp.
#include <catch2/catch.hpp>

#include "core/commands.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/roles.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

constexpr int64_t kNow = 1796083200000;  // 2026-12-01T00:00Z

std::unique_ptr<SyncService> open_service(const std::string& own = SyncService::kServerDevice) {
  auto store = OpStore::open(":memory:");
  REQUIRE(store.ok());
  auto s = SyncService::open(std::move(store).value(), own);
  REQUIRE(s.ok());
  return std::move(s).value();
}

// n grids made on device `device`.
std::vector<Operation> grids(const std::string& device, int n, int first = 0) {
  State empty;
  OpSource src{device, "staff:" + device, static_cast<uint64_t>(first + 1), HlcClock{}};
  std::vector<Operation> ops;
  for (int i = first; i < first + n; ++i) {
    auto op = make_operation(empty, CreateEntity{"grid", Json{{"name", "网格" + std::to_string(i)},
                                                              {"code", "G-" + std::to_string(i)}}, ""},
                             src, kNow + i);
    REQUIRE(op.ok());
    ops.push_back(op.value());
  }
  return ops;
}

sync::PushResponse push(SyncService& svc, const std::string& device, const std::vector<Operation>& ops) {
  OpenAccess open;
  auto req = sync::decode_push_request(sync::encode_push_request(device, ops));
  REQUIRE(req.ok());
  auto r = svc.push(req.value(), Principal{device, "open"}, open, kNow);
  REQUIRE(r.ok());
  return r.value();
}

sync::PullResponse pull(SyncService& svc, uint64_t after, size_t limit) {
  auto text = svc.pull(sync::PullQuery{after, limit}, kNow);
  REQUIRE(text.ok());
  auto page = sync::decode_pull_response(text.value());
  REQUIRE(page.ok());
  return page.value();
}

}  // namespace

TEST_CASE("hub: a withdrawal has its own seq; pages never step over it; the state and pushes follow it",
          "[server][hub]") {
  auto svc = open_service();
  auto first = grids("tab1", 5);
  push(*svc, "tab1", first);  // seqs 1..5
  const std::string gone = first[1].id.to_string();
  auto w = svc->withdraw(gone, "already_signed_up", "The parent says no.", kNow);
  REQUIRE(w.ok());
  CHECK(w.value());
  CHECK(svc->head() == 6);  // the withdrawal's seq
  auto again = svc->withdraw(gone, "x", "y", kNow);
  REQUIRE(again.ok());
  CHECK_FALSE(again.value());  // once only
  auto missing = svc->withdraw("tab1:99", "x", "y", kNow);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing.value());  // not stored: nothing to withdraw
  push(*svc, "tab1", grids("tab1", 2, 5));  // seqs 7, 8 (6 is taken)
  CHECK(svc->head() == 8);
  svc->read_state([](const State& s) { CHECK(s.count("grid") == 6); });

  // Pages of 3: 1,2,3 | 4,5,w6 | 7,8.
  auto p1 = pull(*svc, 0, 3);
  CHECK(p1.ops.size() == 3);
  CHECK(p1.withdrawn.empty());
  CHECK(p1.next == 3);
  CHECK(p1.more);
  auto p2 = pull(*svc, 3, 3);
  REQUIRE(p2.ops.size() == 2);
  REQUIRE(p2.withdrawn.size() == 1);
  CHECK(p2.withdrawn[0].seq == 6);
  CHECK(p2.withdrawn[0].id == gone);
  CHECK(p2.withdrawn[0].code == "already_signed_up");
  CHECK(p2.withdrawn[0].reason == "The parent says no.");
  CHECK(p2.next == 6);
  CHECK(p2.more);
  auto p3 = pull(*svc, 6, 3);
  CHECK(p3.ops.size() == 2);
  CHECK(p3.withdrawn.empty());
  CHECK(p3.next == 8);
  CHECK_FALSE(p3.more);
  // A page that ends on the withdrawal alone.
  auto p4 = pull(*svc, 5, 1);
  CHECK(p4.ops.empty());
  CHECK(p4.withdrawn.size() == 1);
  CHECK(p4.next == 6);
  CHECK(p4.more);

  // Pushed again: the parent's answer, as a remembered refusal.
  auto r = push(*svc, "tab1", {first[1]});
  REQUIRE(r.results.size() == 1);
  CHECK(r.results[0].status == sync::PushStatus::rejected);
  CHECK(r.results[0].code == "already_signed_up");
  CHECK(r.results[0].reason == "The parent says no.");
  // Others still duplicates.
  CHECK(push(*svc, "tab1", {first[0]}).results[0].status == sync::PushStatus::duplicate);
}

TEST_CASE("hub: the parent's operations are stored once, marked @upstream, without validation", "[server][hub]") {
  auto hub = open_service("hub-room");
  auto mine = grids("tab1", 2);
  push(*hub, "tab1", mine);
  std::vector<sync::PulledOp> from_parent;
  uint64_t seq = 100;
  for (const auto& op : grids("direct", 3)) from_parent.push_back(sync::PulledOp{++seq, op});
  from_parent.push_back(sync::PulledOp{++seq, mine[0]});  // one of ours coming back
  // An edit of a grid nobody has: the parent accepted it, so the hub stores it.
  Operation edit = grids("direct", 1, 7)[0];
  edit.type = "grid.edit";
  edit.payload = Json{{"entity", "nowhere:1"}, {"fields", Json{{"name", "x"}}}};
  from_parent.push_back(sync::PulledOp{++seq, edit});
  auto n = hub->ingest_upstream(from_parent, kNow);
  REQUIRE(n.ok());
  CHECK(n.value() == 4);
  auto again = hub->ingest_upstream(from_parent, kNow);
  REQUIRE(again.ok());
  CHECK(again.value() == 0);
  CHECK(hub->op_count() == 6);
  auto row = hub->stored(from_parent[0].op.id.to_string());
  REQUIRE(row.ok());
  REQUIRE(row.value());
  CHECK(row.value()->pushed_by == SyncService::kFromUpstream);
  auto own = hub->stored(mine[0].id.to_string());
  REQUIRE(own.ok());
  CHECK(own.value()->pushed_by == "tab1");
  hub->read_state([](const State& s) { CHECK(s.count("grid") == 5); });
}

TEST_CASE("hub: the role hub forwards other devices' operations, signs qr: only as itself, manages nothing",
          "[server][hub][auth]") {
  State state;
  const Principal hub{"hub-room", "hub"};
  Operation foreign = grids("tab1", 1)[0];
  CHECK(role_may_push(hub, foreign, state).ok());
  const Principal coordinator{"coord1", "coordinator"};
  CHECK(role_may_push(coordinator, foreign, state).error().code == "forbidden");
  Operation qr_foreign = foreign;
  qr_foreign.author = "qr:v1";
  CHECK(role_may_push(hub, qr_foreign, state).error().code == "author_reserved");
  Operation qr_own = grids("hub-room", 1)[0];
  qr_own.author = "qr:v1";
  CHECK(role_may_push(hub, qr_own, state).ok());
  CHECK(is_valid_role("hub"));
}

TEST_CASE("hub: the server's own operations carry the hub's device id", "[server][hub]") {
  auto hub = open_service("hub-room");
  CHECK(hub->own_device() == "hub-room");
  auto made = hub->author(
      [](const State&) -> Result<SyncService::ServerCommand> {
        return SyncService::ServerCommand{CreateEntity{"grid", Json{{"name", "门口"}, {"code", "QR-1"}}, ""}, "qr:v1"};
      },
      kNow);
  REQUIRE(made.ok());
  CHECK(made->op.id.device == "hub-room");
  CHECK(made->op.id.seq == 1);
  auto plain = open_service();
  CHECK(plain->own_device() == "server");
}
