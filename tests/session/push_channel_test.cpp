// The sync driver's push channel (session/sync_driver.h, docs/sync-protocol.md
// "Push channel"), natively: the real Session and SyncService in-process, a
// transport that holds GET /api/v1/wait until the server's head passes
// `after` (as the server does). A change another device pushes reaches this
// one at once instead of at the next 15 s poll; a server that stops answering
// means lost contact until it answers again.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

#include "core/commands.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/sync_service.h"
#include "session/session.h"
#include "store/file_system.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

constexpr int64_t kStart = 1767225600000 + 30LL * 86400000;

struct Server {
  std::unique_ptr<SyncService> svc;
  OpenAccess auth;
  bool down = false;
  Server() {
    auto store = OpStore::open(":memory:");
    REQUIRE(store.ok());
    auto s = SyncService::open(std::move(store).value());
    REQUIRE(s.ok());
    svc = std::move(s).value();
  }
};

// Requests are answered on a later take(); waits only once the head moved.
class WaitingHttp : public session::Http {
 public:
  WaitingHttp(Server& server, int64_t& now) : server_(server), now_(now) {}
  int waits_sent = 0, pulls_sent = 0;

  int request(const std::string& method, const std::string& path, const std::string& body,
              const std::string&) override {
    const int id = ++next_;
    pending_[id] = Pending{method, path, body, now_};
    if (path.rfind("/api/v1/wait", 0) == 0) ++waits_sent;
    if (method == "GET" && path.rfind("/api/v1/ops", 0) == 0) ++pulls_sent;
    return id;
  }
  bool take(int id, session::HttpReply& out) override {
    auto it = pending_.find(id);
    if (it == pending_.end()) return false;
    const Pending p = it->second;
    if (server_.down) {
      out = {0, "connection refused"};
      pending_.erase(it);
      return true;
    }
    if (p.path.rfind("/api/v1/wait?after=", 0) == 0) {
      const uint64_t after = std::stoull(p.path.substr(19, p.path.find('&') - 19));
      const size_t t = p.path.find("timeout_ms=");
      const int64_t timeout = t == std::string::npos ? 20000 : std::stoll(p.path.substr(t + 11));
      // Still waiting, until the head moves or the wait times out (then the
      // server answers with the unchanged head).
      if (server_.svc->head() <= after && now_ - p.sent_ms < timeout) return false;
      out = {200, "{\"head\":" + std::to_string(server_.svc->head()) + "}"};
    } else if (p.path.rfind("/api/v1/snapshot", 0) == 0) {  // first start: this test server offers none
      out = {404, sync::encode_error(make_error("no_snapshot", "none here"))};
    } else if (p.path == "/api/v1/health") {
      out = {200, sync::encode_health(server_.svc->health("open", now_))};
    } else if (p.method == "POST") {
      auto req = sync::decode_push_request(p.body);
      REQUIRE(req.ok());
      auto resp = server_.svc->push(req.value(), Principal{req->device, "open"}, server_.auth, now_);
      REQUIRE(resp.ok());
      out = {200, sync::encode_push_response(resp.value())};
    } else {
      const std::string prefix = "/api/v1/ops?after=";
      const size_t amp = p.path.find("&limit=");
      auto q = sync::parse_pull_query(p.path.substr(prefix.size(), amp - prefix.size()), p.path.substr(amp + 7));
      REQUIRE(q.ok());
      auto r = server_.svc->pull(q.value(), now_);
      REQUIRE(r.ok());
      out = {200, std::move(r).value()};
    }
    pending_.erase(it);
    return true;
  }
  bool online() const override { return true; }

 private:
  struct Pending {
    std::string method, path, body;
    int64_t sent_ms = 0;
  };
  Server& server_;
  int64_t& now_;
  int next_ = 0;
  std::map<int, Pending> pending_;
};

class InstantFlusher : public session::Flusher {
 public:
  void request_flush(uint64_t g) override { wanted_ = std::max(wanted_, g), again_ = true; }
  void flush_now() override { again_ = true; }
  void set_observer(StartFn s, FinishFn f) override { start_ = std::move(s), finish_ = std::move(f); }
  uint64_t flushed_generation() const override { return flushed_; }
  bool in_flight() const override { return false; }
  std::string error() const override { return ""; }
  void pump() {
    if (!again_) return;
    again_ = false;
    const uint64_t t = ++token_;
    if (start_) start_(t);
    flushed_ = wanted_;
    if (finish_) finish_(t, true);
  }

 private:
  uint64_t wanted_ = 0, flushed_ = 0, token_ = 0;
  bool again_ = false;
  StartFn start_;
  FinishFn finish_;
};

struct Device {
  MemoryFileSystem fs;
  InstantFlusher flusher;
  WaitingHttp http;
  session::Session session;
  Device(Server& server, int64_t& now, const char* id) : http(server, now), session(fs, "/data", flusher, &http) {
    session.set_write_access(true);
    REQUIRE(session.open(id, now));
    REQUIRE(session.start_sync());
  }
  void step(int64_t now) {
    session.tick(now);
    flusher.pump();
  }
};

}  // namespace

TEST_CASE("push channel: a change pushed elsewhere is pulled at once, not at the next poll",
          "[session][projector]") {
  Server server;
  int64_t now = kStart;
  Device chair(server, now, "chair0000001");
  Device proj(server, now, "proj00000001");
  proj.session.sync()->set_push_channel(true);
  for (int i = 0; i < 20; ++i, now += 10) chair.step(now), proj.step(now);
  CHECK(proj.session.sync()->in_contact(now));
  const int pulls_before = proj.http.pulls_sent;
  CHECK(proj.http.waits_sent >= 1);

  // The chair makes a change; it reaches the server on the chair's round.
  const size_t n = chair.session.commit({CreateEntity{"squad", Json{{"name", "议事会志愿队"}}, ""}}, now,
                                        [](size_t, const Error* e) { CHECK(e == nullptr); });
  REQUIRE(n == 1);
  // A few ticks (well under a second of 10 ms ticks; the poll is 15 s away).
  for (int i = 0; i < 30; ++i, now += 10) chair.step(now), proj.step(now);
  CHECK(proj.session.state().count("squad") == 1);
  CHECK(proj.http.pulls_sent > pulls_before);

  // Without the channel the other device learns it only at its poll.
  Device late(server, now, "late00000001");
  for (int i = 0; i < 20; ++i, now += 10) late.step(now);
  REQUIRE(late.session.state().count("squad") == 1);
  REQUIRE(chair.session.commit({CreateEntity{"squad", Json{{"name", "第二队"}}, ""}}, now,
                               [](size_t, const Error*) {}) == 1);
  for (int i = 0; i < 30; ++i, now += 10) chair.step(now), proj.step(now), late.step(now);
  CHECK(proj.session.state().count("squad") == 2);
  CHECK(late.session.state().count("squad") == 1);
  now += session::SyncDriver::kPollMs;
  for (int i = 0; i < 10; ++i, now += 10) late.step(now);
  CHECK(late.session.state().count("squad") == 2);
}

TEST_CASE("push channel: no answer means lost contact, until the server answers again", "[session][projector]") {
  Server server;
  int64_t now = kStart;
  Device proj(server, now, "proj00000002");
  proj.session.sync()->set_push_channel(true);
  for (int i = 0; i < 20; ++i, now += 10) proj.step(now);
  REQUIRE(proj.session.sync()->in_contact(now));
  server.down = true;
  for (int i = 0; i < 5; ++i, now += 10) proj.step(now);
  CHECK_FALSE(proj.session.sync()->in_contact(now));
  server.down = false;
  now += 2500;  // the channel asks again after 2 s
  for (int i = 0; i < 5; ++i, now += 10) proj.step(now);
  // The wait is outstanding again and nothing failed since: in contact once it answers.
  // A push makes it answer.
  Device other(server, now, "other0000001");
  for (int i = 0; i < 20; ++i, now += 10) other.step(now), proj.step(now);
  REQUIRE(other.session.commit({CreateEntity{"squad", Json{{"name", "回来了"}}, ""}}, now,
                               [](size_t, const Error*) {}) == 1);
  for (int i = 0; i < 30; ++i, now += 10) other.step(now), proj.step(now);
  CHECK(proj.session.sync()->in_contact(now));
  CHECK(proj.session.state().count("squad") == 1);
}

TEST_CASE("push channel: a quiet answer confirms the device is up to date; the poll is only a safety net while it answers",
          "[session][projector][live]") {
  Server server;
  int64_t now = kStart;
  Device dev(server, now, "coord0000001");
  session::SyncDriver& sync = *dev.session.sync();
  sync.set_push_channel(true);
  for (int i = 0; i < 20; ++i, now += 10) dev.step(now);
  REQUIRE(dev.http.waits_sent >= 1);
  REQUIRE(sync.client().last_success_ms() > 0);
  const int64_t first_success = sync.client().last_success_ms();
  // Idle: nothing is due before the wait would be overdue, or the next poll.
  const int64_t due = sync.next_deadline_ms(now);
  CHECK(due > now);
  CHECK(due <= now + session::SyncDriver::kWaitTimeoutMs + session::SyncDriver::kContactGraceMs + 1);

  // Twenty quiet minutes in one-second ticks: every wait times out with the
  // head unchanged, each answer confirms "up to date", and no poll is sent
  // more often than the safety net's interval.
  const int pulls_before = dev.http.pulls_sent;
  for (int s = 0; s < 20 * 60; ++s, now += 1000) dev.step(now);
  CHECK(sync.status().push_live);
  CHECK(sync.client().last_success_ms() > first_success + 19 * 60 * 1000);
  CHECK(dev.http.pulls_sent - pulls_before <= 20 * 60 * 1000 / session::SyncDriver::kPollWithPushMs + 1);
  CHECK(dev.http.waits_sent >= 20 * 60 * 1000 / (session::SyncDriver::kWaitTimeoutMs + 1000) - 1);  // one-second ticks
  CHECK(sync.in_contact(now));

  // The page is hidden: the channel goes, the plain poll comes back.
  sync.set_push_channel(false);
  for (int i = 0; i < 3; ++i, now += 10) dev.step(now);  // the outstanding wait may still answer
  now += session::SyncDriver::kWaitTimeoutMs;
  dev.step(now);
  CHECK_FALSE(sync.status().push_live);
  const int pulls_hidden = dev.http.pulls_sent;
  for (int s = 0; s < 40; ++s, now += 1000) dev.step(now);
  CHECK(dev.http.pulls_sent >= pulls_hidden + 2);  // every 15 s (plus the answer's second)
}
