// SyncService and OpStore without HTTP (in-memory and on-disk SQLite): the
// logic the HTTP layer and the issue-3 convergence tests drive.
#include <catch2/catch.hpp>

#include "core/demo.h"
#include "core/state.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/roles.h"
#include "server/sync_service.h"
#include "push_request.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

using test::request_of;

std::unique_ptr<SyncService> open_service(const std::string& path) {
  auto store = OpStore::open(path);
  REQUIRE(store.ok());
  auto svc = SyncService::open(std::move(store).value());
  REQUIRE(svc.ok());
  return std::move(svc).value();
}

// Refuses one operation type, to show the Authenticator seam is consulted.
class NoExperts : public OpenAccess {
 public:
  Status authorize_push(const Principal&, const Operation& op, const State&) override {
    if (op.type.rfind("expert.", 0) == 0) return make_error("forbidden", "This role may not add experts.");
    return ok_status();
  }
};

}  // namespace

TEST_CASE("in-memory service: pushes, the authorizer, and pulls", "[server]") {
  auto svc = open_service(":memory:");
  DemoOptions o;
  o.households = 30;
  auto ops = generate_demo(o);
  NoExperts auth;
  Principal who{"demo", "open"};
  // The server's clock: after the demo's last stamp (its requests and
  // meetings are stamped at their own times in 2026), else stamps would be
  // "far ahead" of it.
  int64_t now = 1767225600000;
  for (const auto& op : ops) now = std::max(now, op.hlc.wall_ms + 1000);
  auto r = svc->push(request_of("demo", ops), who, auth, now);
  REQUIRE(r.ok());
  size_t accepted = 0, forbidden = 0;
  State expected;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (r->results[i].status == sync::PushStatus::accepted) {
      ++accepted;
      expected.apply(ops[i]);
    } else if (r->results[i].code == "forbidden") {
      ++forbidden;
    }
  }
  CHECK(forbidden == 103);  // every expert op and nothing else that depends on them
  CHECK(accepted + forbidden <= ops.size());
  CHECK(svc->op_count() == accepted);
  CHECK(svc->state_hash() == expected.hash_hex());

  auto page = svc->pull(sync::PullQuery{0, 1000}, 0);
  REQUIRE(page.ok());
  auto decoded = sync::decode_pull_response(page.value());
  REQUIRE(decoded.ok());
  CHECK(decoded->ops.size() == std::min<size_t>(accepted, 1000));
}

TEST_CASE("on-disk store: reopening folds the same state and keeps seqs", "[native][server]") {
  dh::test::TempDir dir;
  std::string path = dir.path() + "/server.sqlite";
  DemoOptions o;
  o.households = 25;
  auto ops = generate_demo(o);
  std::string hash;
  uint64_t head = 0;
  {
    auto svc = open_service(path);
    auto loaded = svc->load_if_empty(ops, "demo", 1767225600000);
    REQUIRE(loaded.ok());
    CHECK(loaded.value() == ops.size());
    hash = svc->state_hash();
    head = svc->head();
    CHECK(head == ops.size());
    auto again = svc->load_if_empty(ops, "demo", 1767225600000);
    REQUIRE(again.ok());
    CHECK(again.value() == 0);
  }
  auto svc = open_service(path);
  CHECK(svc->state_hash() == hash);
  CHECK(svc->head() == head);
  CHECK(svc->op_count() == ops.size());
  OpenAccess open;
  auto r = svc->push(request_of("demo", {ops[0]}), Principal{"demo", "open"}, open, 1767225600000);
  REQUIRE(r.ok());
  CHECK(r->results[0].status == sync::PushStatus::duplicate);
  CHECK(r->results[0].seq == 1);
}

namespace {

// A device's core without a store: makes operations as the app would.
struct Tablet {
  State state;
  OpSource source;
  int64_t now;
  Tablet(const std::string& device, int64_t t) : now(t) {
    source.device = device;
    source.author = "staff:" + device;
  }
  Operation make(const Command& c) {
    auto op = make_operation(state, c, source, now++);
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    state.apply(op.value());
    return op.value();
  }
};

std::vector<sync::PushResult> push_all(SyncService& svc, const std::vector<Operation>& ops, int64_t now = 1767225700000) {
  OpenAccess open;
  auto r = svc.push(request_of(ops.front().id.device, ops), Principal{ops.front().id.device, "open"}, open, now);
  REQUIRE(r.ok());
  return r->results;
}

}  // namespace

TEST_CASE("an edit stamped before an archive but arriving after it is kept; the record stays archived",
          "[server][concurrent]") {
  Tablet a("tab-a", 1767225600000);
  const Operation grid = a.make(CreateEntity{"grid", {{"name", "一网格"}, {"code", "G1"}}, ""});
  const std::string id = grid.payload["entity"];
  Tablet b("tab-b", 1767225600000);
  b.state = a.state;  // b pulled the grid
  b.now = a.now;      // b's edit is stamped first ...
  const Operation edit = b.make(EditEntity{"grid", id, {{"name", "一网格（新）"}}});
  a.now = b.now + 1000;  // ... a's archive later
  const Operation archive = a.make(ArchiveEntity{"grid", id, "合并"});
  // An edit stamped after the archive (a third tablet that had not seen it).
  Tablet c("tab-c", b.now + 5000);
  c.state.apply(grid);
  const Operation late_edit = c.make(EditEntity{"grid", id, {{"code", "G9"}}});

  std::string hashes[2];
  for (int order = 0; order < 2; ++order) {
    auto svc = open_service(":memory:");
    REQUIRE(push_all(*svc, {grid})[0].status == sync::PushStatus::accepted);
    std::vector<std::vector<Operation>> pushes = {{archive}, {edit}, {late_edit}};
    if (order == 1) pushes = {{late_edit}, {edit}, {archive}};
    for (const auto& p : pushes) {
      auto res = push_all(*svc, p);
      INFO("order " << order << " " << p[0].type << " " << res[0].code);
      CHECK(res[0].status == sync::PushStatus::accepted);
    }
    svc->read_state([&](const State& s) {
      const Entity* g = s.find("grid", id);
      REQUIRE(g != nullptr);
      CHECK(g->archived());                       // the archive is the only archive/restore: it stands
      CHECK(g->text("name") == "一网格（新）");  // the edit's fields apply by stamp
      CHECK(g->text("code") == "G9");
    });
    hashes[order] = svc->state_hash();
  }
  CHECK(hashes[0] == hashes[1]);  // arrival order does not matter
  // Archive and restore race the same way: a restore of a live record and an
  // archive of an archived one are kept, and the later stamp decides.
  Tablet d("tab-d", a.now + 10);
  d.state = a.state;  // sees the grid archived
  const Operation restore = d.make(RestoreEntity{"grid", id});
  for (int order = 0; order < 2; ++order) {
    auto svc = open_service(":memory:");
    push_all(*svc, {grid});
    if (order == 0) {
      CHECK(push_all(*svc, {restore})[0].status == sync::PushStatus::accepted);  // not archived yet here
      CHECK(push_all(*svc, {archive})[0].status == sync::PushStatus::accepted);
    } else {
      CHECK(push_all(*svc, {archive})[0].status == sync::PushStatus::accepted);
      CHECK(push_all(*svc, {restore})[0].status == sync::PushStatus::accepted);
    }
    svc->read_state([&](const State& s) { CHECK_FALSE(s.find("grid", id)->archived()); });  // the restore is later
  }
}

TEST_CASE("an edit that arrives before its create is kept and applies once the create arrives", "[server][concurrent]") {
  Tablet a("tab-a", 1767225600000);
  const Operation grid = a.make(CreateEntity{"grid", {{"name", "一网格"}, {"code", "G1"}}, ""});
  const std::string id = grid.payload["entity"];
  const Operation edit = a.make(EditEntity{"grid", id, {{"name", "二网格"}}});
  const Operation archive = a.make(ArchiveEntity{"grid", id, "撤并"});
  auto in_order = open_service(":memory:");
  push_all(*in_order, {grid, edit, archive});
  auto early = open_service(":memory:");
  // An import pushing the edit and the archive before the create.
  auto r = push_all(*early, {edit, archive});
  CHECK(r[0].status == sync::PushStatus::accepted);
  CHECK(r[1].status == sync::PushStatus::accepted);
  early->read_state([&](const State& s) { CHECK(s.find("grid", id) == nullptr); });  // not listed yet
  CHECK(push_all(*early, {grid})[0].status == sync::PushStatus::accepted);
  early->read_state([&](const State& s) {
    REQUIRE(s.find("grid", id) != nullptr);
    CHECK(s.find("grid", id)->text("name") == "二网格");
    CHECK(s.find("grid", id)->archived());
  });
  CHECK(early->state_hash() == in_order->state_hash());
  // The field checks still apply to an early edit.
  Operation bad = edit;
  bad.id.seq = 99;
  bad.payload["fields"]["name"] = "";
  CHECK(push_all(*early, {bad})[0].code == "missing_field");
}

TEST_CASE("a refusal is remembered: the same operation gets the same answer later and after a restart",
          "[native][server][rejections]") {
  dh::test::TempDir dir;
  const std::string path = dir.path() + "/server.sqlite";
  // tab-a saw tab-b's grid (out of band) and put a household in it; its push
  // reaches the server before tab-b's, so the reference is refused.
  Tablet b("tab-b", 1767225600000);
  const Operation g = b.make(CreateEntity{"grid", {{"name", "九网格"}, {"code", "G9"}}, ""});
  Tablet a("tab-a", 1767225600000);
  a.state.apply(g);
  const Operation hh = a.make(CreateEntity{"household", {{"address", "东城小区1栋"}, {"grid", g.payload["entity"]}}, ""});
  {
    auto svc = open_service(path);
    auto r = push_all(*svc, {hh});
    REQUIRE(r[0].status == sync::PushStatus::rejected);
    CHECK(r[0].code == "unknown_reference");
    // The grid arrives now; the refused household stays refused.
    REQUIRE(push_all(*svc, {g})[0].status == sync::PushStatus::accepted);
    auto again = push_all(*svc, {hh});
    CHECK(again[0].status == sync::PushStatus::rejected);
    CHECK(again[0].code == "unknown_reference");
    CHECK(again[0].reason == r[0].reason);
  }
  auto svc = open_service(path);  // remembered on disk
  auto again = push_all(*svc, {hh});
  CHECK(again[0].status == sync::PushStatus::rejected);
  CHECK(again[0].code == "unknown_reference");
  // The same id with another body is not the same operation.
  Operation other = hh;
  other.payload["fields"]["address"] = "东城小区2栋";
  auto reused = push_all(*svc, {other});
  CHECK(reused[0].status == sync::PushStatus::rejected);
  CHECK(reused[0].code == "id_reused");
  // Role refusals are remembered too.
  NoExperts auth;
  Tablet e("tab-e", 1767225600000);
  const Operation expert = e.make(CreateEntity{"expert", {{"name", "张律师"}, {"fields", {"legal_publicity"}}}, ""});
  OpenAccess open;
  for (int i = 0; i < 2; ++i) {  // refused by the role rule, then asked again where it would pass
    Authenticator& rules = i == 0 ? static_cast<Authenticator&>(auth) : static_cast<Authenticator&>(open);
    auto r = svc->push(request_of("tab-e", {expert}), Principal{"tab-e", "open"}, rules, 1767225700000);
    REQUIRE(r.ok());
    CHECK(r->results[0].status == sync::PushStatus::rejected);
    CHECK(r->results[0].code == "forbidden");
  }
}

namespace {
class Roles : public OpenAccess {
 public:
  Status authorize_push(const Principal& who, const Operation& op, const State& state) override {
    return role_may_push(who, op, state);
  }
};
}  // namespace

TEST_CASE("a refused foreign op id is not remembered: no device can block another's ids", "[server][rejections]") {
  auto svc = open_service(":memory:");
  Roles roles;
  Tablet a("tab-a", 1767225600000);
  const Operation grid = a.make(CreateEntity{"grid", {{"name", "一网格"}, {"code", "G1"}}, ""});
  // A kiosk pushes tab-a's next id first (with another body): forbidden, not remembered.
  Operation squat = grid;
  squat.payload["fields"]["name"] = "占位";
  auto k = svc->push(request_of("kiosk1", {squat}), Principal{"kiosk1", "kiosk"}, roles, 1767225700000);
  REQUIRE(k.ok());
  CHECK(k->results[0].status == sync::PushStatus::rejected);
  CHECK(k->results[0].code == "forbidden");
  auto r = svc->push(request_of("tab-a", {grid}), Principal{"tab-a", "coordinator"}, roles, 1767225700000);
  REQUIRE(r.ok());
  CHECK(r->results[0].status == sync::PushStatus::accepted);
  // Its own operation a role may not push is remembered: re-enrolled as a
  // coordinator later, the grid worker gets the same answer.
  Tablet g("tab-g", 1767225600000);
  const Operation station = g.make(CreateEntity{"station", {{"name", "东城站"}, {"station_type", "station"}}, ""});
  auto first = svc->push(request_of("tab-g", {station}), Principal{"tab-g", "grid_worker"}, roles, 1767225700000);
  REQUIRE(first.ok());
  REQUIRE(first->results[0].status == sync::PushStatus::rejected);
  auto later = svc->push(request_of("tab-g", {station}), Principal{"tab-g", "coordinator"}, roles, 1767225700000);
  REQUIRE(later.ok());
  CHECK(later->results[0].status == sync::PushStatus::rejected);
  CHECK(later->results[0].code == first->results[0].code);
}

// The one rule across records (docs/architecture.md "Concurrent changes",
// rule 4): a rule that compares two records (one sign-up per volunteer and
// shift, clashing shifts) is checked against the server's state when the
// operation arrives. The first to arrive keeps its place; the other is
// refused, and that answer is final: the same operation gets it again later
// (also once the winner is cancelled), and the device that made it undoes it
// (tests/sync, tests/server/convergence_test.cpp). Either arrival order ends
// with exactly one of the two, never both and never neither.
TEST_CASE("a rule across records: the first to arrive keeps its place, the other is refused for good",
          "[server][concurrent][rejections]") {
  Tablet base("tab-base", 1767225600000);
  std::vector<Operation> setup;
  auto add = [&](const Command& c) {
    setup.push_back(base.make(c));
    return setup.back().payload["entity"].get<std::string>();
  };
  const std::string grid = add(CreateEntity{"grid", {{"name", "一网格"}, {"code", "G1"}}, ""});
  const std::string hh = add(CreateEntity{"household", {{"address", "幸福里 1 号"}, {"grid", grid}}, ""});
  const std::string res = add(CreateEntity{"resident", {{"name", "李梅"}, {"household", hh}, {"phone", "13812345678"}}, ""});
  const std::string vol = add(CreateEntity{"volunteer", {{"resident", res}}, ""});
  const std::string station = add(CreateEntity{"station", {{"name", "东城站"}, {"station_type", "station"}}, ""});
  const std::string shift = add(CreateEntity{"shift", {{"station", station}, {"role", "值班"}, {"start", "2026-12-01T09:00"},
                                                       {"end", "2026-12-01T12:00"}, {"capacity", 3}}, ""});
  // Two coordinators' tablets, both offline, sign the same volunteer up for the same shift.
  Tablet a("tab-a", base.now + 10), b("tab-b", base.now + 10);
  a.state = base.state;
  b.state = base.state;
  const Json fields{{"shift", shift}, {"volunteer", vol}, {"channel", "coordinator"}};
  const Operation by_a = a.make(CreateEntity{"signup", fields, ""});
  b.now = a.now + 5000;  // b's is stamped later
  const Operation by_b = b.make(CreateEntity{"signup", fields, ""});
  const std::string sa = by_a.payload["entity"], sb = by_b.payload["entity"];

  for (int order = 0; order < 2; ++order) {
    INFO("order " << order);
    auto svc = open_service(":memory:");
    for (const auto& r : push_all(*svc, setup)) REQUIRE(r.status == sync::PushStatus::accepted);
    const Operation& first = order == 0 ? by_a : by_b;
    const Operation& second = order == 0 ? by_b : by_a;
    const std::string kept = order == 0 ? sa : sb, lost = order == 0 ? sb : sa;
    CHECK(push_all(*svc, {first})[0].status == sync::PushStatus::accepted);
    auto refused = push_all(*svc, {second});
    CHECK(refused[0].status == sync::PushStatus::rejected);
    CHECK(refused[0].code == "already_signed_up");
    svc->read_state([&](const State& s) {
      // Exactly one sign-up: the one that arrived first, whichever is stamped first.
      CHECK(s.find("signup", kept) != nullptr);
      CHECK(s.find("signup", lost) == nullptr);
    });
    // The winner is cancelled; the refused sign-up sent again still gets the first answer.
    Tablet coord("tab-c", b.now + 10000);
    svc->read_state([&](const State& s) { coord.state = s; });
    const Operation cancel = coord.make(ArchiveEntity{"signup", kept, "改期"});
    CHECK(push_all(*svc, {cancel})[0].status == sync::PushStatus::accepted);
    auto again = push_all(*svc, {second});
    CHECK(again[0].status == sync::PushStatus::rejected);
    CHECK(again[0].code == "already_signed_up");
  }
}

// Issue 13: OpStore answers find()/find_rejection() of an id above its
// device's high-water mark without a query. The answers must be exactly the
// database's: before and after reopening, for stored, refused, withdrawn and
// never-seen ids, ids below a mark that were never stored (a device that
// skipped numbers), and another device's ids.
TEST_CASE("op store: the per-device marks answer as the database does", "[native][server]") {
  dh::test::TempDir dir;
  const std::string path = dir.path() + "/server.sqlite";
  auto op_of = [](const std::string& device, uint64_t seq) {
    Operation op;
    op.id = OpId{device, seq};
    op.hlc = Hlc{1767225600000 + static_cast<int64_t>(seq), 0};
    op.author = "staff:t";
    op.type = "note.create";
    op.payload = Json{{"entity", device + "-" + std::to_string(seq)}};
    return op;
  };
  std::vector<Operation> ops = {op_of("dev-a", 1), op_of("dev-a", 2), op_of("dev-a", 5), op_of("dev-b", 3)};
  auto check = [&](OpStore& store) {
    for (const char* id : {"dev-a:1", "dev-a:2", "dev-a:5", "dev-b:3"}) {
      auto f = store.find(id);
      REQUIRE(f.ok());
      CHECK(f.value().has_value());
    }
    for (const char* id : {"dev-a:3", "dev-a:4", "dev-a:6", "dev-a:500", "dev-b:1", "dev-b:4", "dev-c:1", "dev-a:05",
                           "not an id", "dev-b:7"}) {
      INFO(id);
      auto f = store.find(id);
      REQUIRE(f.ok());
      CHECK_FALSE(f.value().has_value());
    }
    auto r = store.find_rejection("dev-b:9");
    REQUIRE(r.ok());
    REQUIRE(r.value().has_value());
    CHECK(r.value()->code == "bad");
    for (const char* id : {"dev-b:8", "dev-b:10", "dev-a:9", "dev-c:9"}) {
      INFO(id);
      auto n = store.find_rejection(id);
      REQUIRE(n.ok());
      CHECK_FALSE(n.value().has_value());
    }
    auto w = store.find_rejection("dev-a:2");  // withdrawn (hub mode): refused and still stored
    REQUIRE(w.ok());
    REQUIRE(w.value().has_value());
    CHECK(w.value()->code == "parent_refused");
  };
  {
    auto opened = OpStore::open(path);
    REQUIRE(opened.ok());
    auto& store = *opened.value();
    std::vector<OpStore::NewOp> rows;
    for (const auto& op : ops) rows.push_back(OpStore::NewOp{&op, to_json_text(op), 1, op.id.device});
    REQUIRE(store.append(rows, {OpStore::Rejection{"dev-b:9", "{}", "bad", "Bad.", 1, "dev-b"}}).ok());
    REQUIRE(store.withdraw(OpStore::Rejection{"dev-a:2", to_json_text(ops[1]), "parent_refused", "No.", 2, ""}).ok());
    check(store);
  }
  auto reopened = OpStore::open(path);  // the marks read back from the file
  REQUIRE(reopened.ok());
  check(*reopened.value());
}
