// The sync driver (session/sync_driver.h) through the Session, natively:
// a real Replica on a MemoryFileSystem, the real SyncService with an
// in-memory SQLite OpStore in-process, and between them a faulty transport
// that drops answers (after the server did the work), answers 5xx and 413,
// times out, and flaps online/offline. Whatever it does, nothing is lost and
// nothing the server answered is sent again; the device and the server end
// with the same State.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/demo.h"
#include "server/auth.h"
#include "server/compression.h"
#include "server/roles.h"
#include "server/op_store.h"
#include "server/sync_service.h"
#include "session/session.h"
#include "store/file_system.h"
#include "sync/protocol.h"

using namespace dh;
using Json = nlohmann::json;

namespace {

constexpr int64_t kStart = 1767225600000 + 30LL * 86400000;  // after the demo's stamps

// The server side: the real SyncService behind the routes the app uses
// (as http_api.cpp decodes them), without sockets.
struct InProcessServer {
  std::unique_ptr<SyncService> svc;
  OpenAccess auth;
  // Pushes are made with this role and checked by the real role rules
  // (roles.cpp) unless it is "open"; the clock rule always applies.
  std::string role = "open";
  int clock_refusals = 0;  // pushes answered 422 clock_far_ahead
  struct RoleAuth : Authenticator {
    std::string name() const override { return "test-roles"; }
    Result<Principal> authenticate(const RequestContext&) override { return make_error("unauthorized", "unused"); }
    Status authorize_push(const Principal& who, const Operation& op, const State& state) override {
      return role_may_push(who, op, state);
    }
    Status authorize_pull(const Principal&) override { return ok_status(); }
  } roles;
  InProcessServer() {
    auto store = OpStore::open(":memory:");
    REQUIRE(store.ok());
    auto s = SyncService::open(std::move(store).value());
    REQUIRE(s.ok());
    svc = std::move(s).value();
  }
  session::HttpReply handle(const std::string& method, const std::string& path, const std::string& body,
                            int64_t now) {
    if (method == "GET" && path == "/api/v1/health") return {200, sync::encode_health(svc->health("open", now))};
    // Enrolment (the real one is tested against the server process): any code gives a kiosk token.
    if (method == "POST" && path == "/api/v1/enrol") return {200, R"({"token":"tok-kiosk-1","role":"kiosk"})"};
    if (method == "POST" && path == "/api/v1/ops") {
      auto req = sync::decode_push_request(body);
      if (!req) return {400, sync::encode_error(req.error())};
      Authenticator& a = role == "open" ? static_cast<Authenticator&>(auth) : roles;
      auto resp = svc->push(req.value(), Principal{req->device, role}, a, now);
      if (!resp && resp.error().code == "clock_far_ahead") return ++clock_refusals, session::HttpReply{422, sync::encode_clock_error(resp.error(), now)};
      if (!resp) return {503, sync::encode_error(resp.error())};
      return {200, sync::encode_push_response(resp.value())};
    }
    const std::string prefix = "/api/v1/ops?after=";
    if (method == "GET" && path.rfind(prefix, 0) == 0) {
      const size_t amp = path.find("&limit=");
      auto q = sync::parse_pull_query(path.substr(prefix.size(), amp - prefix.size()), path.substr(amp + 7));
      if (!q) return {400, sync::encode_error(q.error())};
      auto r = svc->pull(q.value(), now);
      if (!r) return {503, sync::encode_error(r.error())};
      return {200, std::move(r).value()};
    }
    // First start (docs/sync-protocol.md "Snapshot for a new device"), when
    // this test server offers it; `snapshot_body` replaces the real document.
    if (method == "GET" && path == sync::SyncClient::kSnapshotPath && serve_snapshot) {
      if (!snapshot_body.empty()) return {200, snapshot_body};
      auto snap = svc->snapshot();
      if (!snap) return {503, sync::encode_error(snap.error())};
      auto plain = gzip_decompress(snap.value()->gzip);
      REQUIRE(plain.has_value());
      return {200, *plain};
    }
    return {404, sync::encode_error(make_error("not_found", "no route"))};
  }
  bool serve_snapshot = false;
  std::string snapshot_body;
};

enum class Fault { none, drop_answer, error_5xx, too_large, timeout };

// The transport: every request meets the next fault of a fixed, repeating
// script; answers arrive on a later take() (after `delay` ticks).
class FaultyHttp : public session::Http {
 public:
  FaultyHttp(InProcessServer& server, int64_t& now) : server_(server), now_(now) {}

  std::vector<Fault> script;  // cycled; empty: no faults
  size_t too_large_over = 5;  // a push with more ops than this gets 413 (Fault::too_large)
  bool is_online = true;
  int64_t tick = 0;

  // Observations.
  std::set<std::string> answered;  // op ids the device got a 200 answer for
  int resent_after_answer = 0;     // pushes of an op the device had its answer for
  std::map<Fault, int> faults_met;
  size_t largest_push_after_413 = 0;
  bool saw_413 = false;

  std::map<std::string, int> requests_to;  // path without the query -> requests
  int request(const std::string& method, const std::string& path, const std::string& body,
              const std::string&) override {
    const int id = ++next_id_;
    ++requests_to[path.substr(0, path.find('?'))];
    Pending p;
    p.ready_at = tick + 1;
    std::vector<std::string> ids;
    const bool push = method == "POST" && path == "/api/v1/ops";
    if (push) {
      auto req = sync::decode_push_request(body);
      REQUIRE(req.ok());
      for (const auto& item : req->items) {
        const std::string& op_id = item.id;
        ids.push_back(op_id);
        if (answered.count(op_id)) ++resent_after_answer;
      }
      if (saw_413) largest_push_after_413 = std::max(largest_push_after_413, ids.size());
    }
    Fault f = Fault::none;
    if (!script.empty()) f = script[(counter_++) % script.size()];
    if (f == Fault::too_large && !(push && ids.size() > too_large_over)) f = Fault::none;
    if (!is_online) {
      p.reply = {0, "offline"};
    } else {
      ++faults_met[f];
      switch (f) {
        case Fault::none:
          p.reply = server_.handle(method, path, body, now_);
          if (push && p.reply.status == 200) answered.insert(ids.begin(), ids.end());
          break;
        case Fault::drop_answer:  // the server did it; the answer is lost on the way
          (void)server_.handle(method, path, body, now_);
          p.reply = {0, "connection reset"};
          break;
        case Fault::error_5xx:
          p.reply = {503, sync::encode_error(make_error("store_error", "The server is busy."))};
          break;
        case Fault::too_large:
          saw_413 = true;
          p.reply = {413, sync::encode_error(make_error("too_large", "The request is too large."))};
          break;
        case Fault::timeout:
          p.reply = {0, "timeout"};
          p.ready_at = tick + 30;
          break;
      }
    }
    pending_[id] = p;
    return id;
  }
  bool take(int id, session::HttpReply& out) override {
    auto it = pending_.find(id);
    if (it == pending_.end() || it->second.ready_at > tick) return false;
    out = it->second.reply;
    pending_.erase(it);
    return true;
  }
  bool online() const override { return is_online; }

 private:
  struct Pending {
    session::HttpReply reply;
    int64_t ready_at = 0;
  };
  InProcessServer& server_;
  int64_t& now_;
  int next_id_ = 0;
  size_t counter_ = 0;
  std::map<int, Pending> pending_;
};

// Flushes complete on pump(), in order, like the platform's callbacks.
class FakeFlusher : public session::Flusher {
 public:
  void request_flush(uint64_t generation) override { wanted_ = std::max(wanted_, generation), again_ = true; }
  void flush_now() override { again_ = true; }
  void set_observer(StartFn on_start, FinishFn on_finish) override {
    on_start_ = std::move(on_start);
    on_finish_ = std::move(on_finish);
  }
  uint64_t flushed_generation() const override { return flushed_; }
  bool in_flight() const override { return false; }
  std::string error() const override { return ""; }
  int flushes = 0;
  void pump() {
    if (!again_) return;
    again_ = false;
    ++flushes;
    const uint64_t token = ++token_;
    const uint64_t gen = wanted_;
    if (on_start_) on_start_(token);
    flushed_ = std::max(flushed_, gen);
    if (on_finish_) on_finish_(token, true);
  }

 private:
  uint64_t wanted_ = 0, flushed_ = 0, token_ = 0;
  bool again_ = false;
  StartFn on_start_;
  FinishFn on_finish_;
};

struct Device {
  MemoryFileSystem fs;
  FakeFlusher flusher;
  FaultyHttp http;
  session::Session session;
  int64_t skew = 0;  // this device's clock minus the server's
  Device(InProcessServer& server, int64_t& now, int64_t clock_skew = 0)
      : http(server, now), session(fs, "/data", flusher, &http), skew(clock_skew) {
    session.set_write_access(true);
    REQUIRE(session.open("k7f3a9c2d1e0", now + skew));
    REQUIRE(session.start_sync());
  }
  void step(int64_t now) {
    ++http.tick;
    session.tick(now + skew);
    flusher.pump();
  }
  // Edits of household member counts through the one commit path.
  size_t edit(int n, int64_t now) {
    std::vector<Command> cmds;
    for (const Entity* e : session.state().list("household")) {
      if (static_cast<int>(cmds.size()) >= n) break;
      auto it = e->fields.find("members");
      int64_t m = it != e->fields.end() && it->second.value.is_number_integer() ? it->second.value.get<int64_t>() : 1;
      cmds.push_back(EditEntity{"household", e->id, Json{{"members", m % 8 + 1}}});
    }
    size_t reported = 0;
    const size_t n_ok = session.commit(cmds, now, [&](size_t, const Error* e) {
      CHECK(e == nullptr);
      ++reported;
    });
    CHECK(reported == cmds.size());
    return n_ok;
  }
};

// Another device's edits, straight into the service (so pulls have news).
size_t other_device_edits(InProcessServer& server, State& other_state, OpSource& other, int n, int64_t now) {
  server.svc->read_state([&](const State& s) { other_state = s; });
  std::vector<Operation> ops;
  for (const Entity* e : other_state.list("household")) {
    if (static_cast<int>(ops.size()) >= n) break;
    auto op = make_operation(other_state, EditEntity{"household", e->id, Json{{"note", "n" + std::to_string(now)}}},
                             other, now);
    REQUIRE(op.ok());
    other_state.apply(op.value());
    ops.push_back(op.value());
  }
  auto req = sync::decode_push_request(sync::encode_push_request(other.device, ops));
  REQUIRE(req.ok());
  Principal who{other.device, "open"};
  auto r = server.svc->push(req.value(), who, server.auth, now);
  REQUIRE(r.ok());
  return ops.size();
}

// Runs until the device has nothing waiting and holds every server op.
void settle(Device& d, InProcessServer& server, int64_t& now) {
  d.http.script.clear();
  d.http.is_online = true;
  d.session.sync()->request_round();
  for (int i = 0; i < 2000; ++i) {
    now += 1000;
    d.step(now);
    const auto st = d.session.sync()->status();
    if (!st.in_progress && st.waiting_ops == 0 && d.session.replica()->operation_count() == server.svc->op_count() &&
        d.session.sync()->client().state().cursor == server.svc->head())
      return;
    if (i % 50 == 49) d.session.sync()->request_round();
  }
  const auto st = d.session.sync()->status();
  FAIL("the device did not settle: in progress " << st.in_progress << ", waiting " << st.waiting_ops << ", ops "
       << d.session.replica()->operation_count() << " of " << server.svc->op_count() << ", cursor "
       << d.session.sync()->client().state().cursor << " of " << server.svc->head() << ", rejected "
       << st.rejected.size() << (st.rejected.empty() ? "" : " " + st.rejected[0].type + " " + st.rejected[0].code + " " + st.rejected[0].reason) << ", error " << st.last_error.code << " " << d.session.sync()->client().last_error());
}

}  // namespace

TEST_CASE("sync driver: dropped answers, 5xx, 413, timeouts and flapping lose nothing and resend nothing answered",
          "[session][sync][native]") {
  int64_t now = kStart;
  InProcessServer server;
  DemoOptions o;
  o.households = 40;
  o.experts = 3;
  o.trainees = 1;
  REQUIRE(server.svc->load_if_empty(generate_demo(o), "demo", now).ok());
  const size_t demo_ops = server.svc->op_count();

  Device d(server, now);
  // Every kind of fault, over and over, with a clean answer in between.
  d.http.script = {Fault::none,       Fault::drop_answer, Fault::none, Fault::error_5xx, Fault::too_large,
                   Fault::none,       Fault::timeout,     Fault::none, Fault::drop_answer, Fault::none,
                   Fault::too_large,  Fault::none,        Fault::error_5xx};
  d.http.too_large_over = 4;

  State other_state;
  OpSource other;
  other.device = "x9y8z7w6v5u4";
  other.author = "staff:li";
  size_t own = 0, others = 0;
  bool first_pull_done = false;
  for (int i = 0; i < 3000; ++i) {
    now += 1000;
    // Flapping: offline for 20 s out of every 70 s.
    d.http.is_online = (i % 70) < 50;
    d.step(now);
    if (!first_pull_done && d.session.replica()->operation_count() >= demo_ops) first_pull_done = true;
    if (first_pull_done && i % 37 == 0) own += d.edit(1 + (i % 9), now);
    if (i % 101 == 0) others += other_device_edits(server, other_state, other, 3, now);
  }
  REQUIRE(first_pull_done);
  settle(d, server, now);

  // Every fault was met.
  CHECK(d.http.faults_met[Fault::drop_answer] > 0);
  CHECK(d.http.faults_met[Fault::error_5xx] > 0);
  CHECK(d.http.faults_met[Fault::too_large] > 0);
  CHECK(d.http.faults_met[Fault::timeout] > 0);
  CHECK(own > 50);
  CHECK(others > 0);
  // Nothing lost: the server holds the demo, every own edit and every other
  // device's edit, each once; the device holds exactly the same.
  CHECK(server.svc->op_count() == demo_ops + own + others);
  CHECK(d.session.replica()->operation_count() == server.svc->op_count());
  CHECK(d.session.state().hash_hex() == server.svc->state_hash());
  // Nothing answered was sent again; nothing was refused.
  CHECK(d.http.resent_after_answer == 0);
  CHECK(d.session.sync()->client().rejected().empty());
  CHECK(d.session.sync()->status().waiting_ops == 0);
  // After a 413 the same operations went in smaller batches.
  CHECK(d.http.saw_413);
  CHECK(d.http.largest_push_after_413 <= d.http.too_large_over);
}

TEST_CASE("sync driver: errors reach the UI as codes with parameters", "[session][sync][native]") {
  int64_t now = kStart;
  InProcessServer server;
  Device d(server, now);
  d.http.script = {Fault::error_5xx};
  now += 1000;
  d.step(now);  // health -> 503
  now += 1000;
  d.step(now);
  auto st = d.session.sync()->status();
  // The server's code (its words translated by error.<code>), with the status.
  CHECK(st.last_error.code == "server.store_error");
  REQUIRE(st.last_error.params.size() == 1);
  CHECK(st.last_error.params[0] == "503");

  // No answer at all (the network dropped it): the server cannot be reached.
  d.http.script = {Fault::drop_answer};
  d.session.sync()->request_round();
  for (int i = 0; i < 400 && d.session.sync()->status().last_error.code != "sync.unreachable"; ++i) {
    now += 1000;
    d.step(now);
  }
  CHECK(d.session.sync()->status().last_error.code == "sync.unreachable");
  settle(d, server, now);
  CHECK(d.session.sync()->status().last_error.empty());
}

TEST_CASE("sync driver: an enrolment is not 'saved' until a flush covers its token", "[session][sync][native]") {
  int64_t now = kStart;
  InProcessServer server;
  Device d(server, now);
  settle(d, server, now);
  const Replica& r = *d.session.replica();
  REQUIRE(d.flusher.flushed_generation() >= r.write_generation());  // all saved
  d.session.sync()->enrol("ABCD-EFGH", "kiosk at the hall");
  const uint64_t before = r.write_generation();
  ++d.http.tick;
  d.session.tick(now);  // the answer arrives; the token is written to the folder
  CHECK(d.session.sync()->status().role == "kiosk");
  CHECK(d.fs.read("/data/device.json").value().find("tok-kiosk-1") != std::string::npos);
  // The UI's "saved" (flushed generation >= write generation) must wait...
  CHECK(r.write_generation() > before);
  CHECK(d.flusher.flushed_generation() < r.write_generation());
  // ...for the flush that covers the token.
  d.flusher.pump();
  CHECK(d.flusher.flushed_generation() >= r.write_generation());
}

// Issue 15 (the browser's kiosk test, natively): a kiosk whose clock runs a
// day ahead makes a change its role may not make. The first push is refused
// whole (422 clock_far_ahead), the device stamps it again with the server's
// time and sends it again; the server refuses it (role), and the device undoes
// it, so it ends with nothing waiting, one refusal, and the server's state.
TEST_CASE("sync driver: a kiosk a day ahead: its forbidden change is re-stamped, refused and undone",
          "[session][sync][native]") {
  int64_t now = kStart;
  InProcessServer server;
  server.role = "kiosk";
  DemoOptions o;
  o.households = 10;
  o.experts = 1;
  o.trainees = 1;
  REQUIRE(server.svc->load_if_empty(generate_demo(o), "demo", now).ok());
  Device d(server, now, 24LL * 3600 * 1000);
  settle(d, server, now);
  REQUIRE(d.session.state().hash_hex() == server.svc->state_hash());

  size_t ok = d.session.commit({CreateEntity{"squad", Json{{"name", "越权队"}, {"leader_name", "钱"}}, ""}}, now + d.skew,
                               [](size_t, const Error* e) { CHECK(e == nullptr); });
  REQUIRE(ok == 1);
  bool done = false;
  for (int i = 0; i < 600 && !done; ++i) {
    now += 1000;
    d.step(now);
    const auto st = d.session.sync()->status();
    done = st.rejected.size() == 1 && st.waiting_ops == 0;
    if (i % 20 == 19) d.session.sync()->request_round();
  }
  const auto st = d.session.sync()->status();
  INFO("last error: " << st.last_error.code << " " << d.session.sync()->client().last_error());
  REQUIRE(done);
  CHECK(st.rejected[0].type == "squad.create");
  CHECK(st.rejected[0].code == "forbidden");
  for (const Entity* e : d.session.state().list("squad")) CHECK(e->text("name") != "越权队");
  // The refused operation stays in the device's log (one more than the
  // server's), but not in its state.
  CHECK(d.session.replica()->operation_count() == server.svc->op_count() + 1);
  CHECK(d.session.state().hash_hex() == server.svc->state_hash());
  CHECK(d.session.sync()->client().clock_warning().find("day") != std::string::npos);
  INFO("pushes refused for the clock: " << server.clock_refusals);
}

TEST_CASE("sync driver: a new device starts from the server's snapshot, pulls the tail and flushes once",
          "[session][sync][native][snapshot]") {
  int64_t now = kStart;
  InProcessServer server;
  server.serve_snapshot = true;
  DemoOptions o;
  o.households = 300;
  REQUIRE(server.svc->load_if_empty(generate_demo(o), "demo", now).ok());
  REQUIRE(server.svc->snapshot().ok());  // built at the head, as the server does at start
  State other_state;
  OpSource other;
  other.device = "x9y8z7w6v5u4";
  other.author = "staff:li";
  const size_t tail = other_device_edits(server, other_state, other, 250, now);  // one page of tail
  REQUIRE(tail == 250);

  Device d(server, now);
  settle(d, server, now);
  CHECK(d.http.requests_to["/api/v1/snapshot"] == 1);
  CHECK(d.http.requests_to["/api/v1/ops"] == 1);
  CHECK(d.session.sync()->client().snapshot_seq() + tail == server.svc->head());
  CHECK(d.session.replica()->has_server_base());
  CHECK(d.session.sync()->snapshot_problem().empty());
  // Opening, the data once, then sync-state.json with the moved cursor.
  INFO("flushes " << d.flusher.flushes);
  CHECK(d.flusher.flushes <= 3);
  // ... and that flush covers everything written: the status says "saved".
  CHECK(d.flusher.flushed_generation() >= d.session.replica()->write_generation());
  std::string server_hash;
  server.svc->read_state([&](const State& s) { server_hash = s.hash_hex(); });
  CHECK(d.session.replica()->state().hash_hex() == server_hash);

  // Own changes from here on sync as usual.
  const size_t own = d.edit(5, now);
  settle(d, server, now);
  CHECK(server.svc->op_count() == d.session.replica()->operation_count());
  server.svc->read_state([&](const State& s) { server_hash = s.hash_hex(); });
  CHECK(d.session.replica()->state().hash_hex() == server_hash);
  CHECK(own == 5);
}

TEST_CASE("sync driver: a garbled snapshot is said in plain words and the device pulls page by page",
          "[session][sync][native][snapshot]") {
  int64_t now = kStart;
  InProcessServer server;
  server.serve_snapshot = true;
  DemoOptions o;
  o.households = 300;
  REQUIRE(server.svc->load_if_empty(generate_demo(o), "demo", now).ok());
  auto snap = server.svc->snapshot();
  REQUIRE(snap.ok());
  auto plain = gzip_decompress(snap.value()->gzip);
  REQUIRE(plain.has_value());
  server.snapshot_body = plain->substr(0, plain->size() - 100);  // cut off

  Device d(server, now);
  settle(d, server, now);
  CHECK(d.http.requests_to["/api/v1/snapshot"] == 1);
  CHECK(d.http.requests_to["/api/v1/ops"] == static_cast<int>((server.svc->head() + sync::kDefaultPullLimit - 1) / sync::kDefaultPullLimit));
  CHECK_FALSE(d.session.replica()->has_server_base());
  CHECK_FALSE(d.session.sync()->snapshot_problem().empty());
  ui::AppStatus st;
  d.session.fill_status(st);
  bool said = false;
  for (const auto& p : st.storage_problems) said = said || p.find("first start could not be used") != std::string::npos;
  CHECK(said);
  std::string server_hash;
  server.svc->read_state([&](const State& s) { server_hash = s.hash_hex(); });
  CHECK(d.session.replica()->state().hash_hex() == server_hash);
}
