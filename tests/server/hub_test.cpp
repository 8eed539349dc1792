// Hub mode (issue 14 "Hub mode"; issue 11: the chair's laptop runs the
// server, the tablets sync to it, it syncs onward when a connection
// returns). Real processes on loopback: a parent dianhong_server, a hub
// dianhong_server started with --upstream, both on real SQLite files; the
// hub reaches the parent through a TCP relay in this test, which is how the
// building's internet is cut and restored. Devices are real Replicas with the
// real SyncClient over HTTP (tablets enrolled with the hub; one device
// enrolled with the parent directly).
//
// The scenario: the hub takes the parent's data; the link is cut; the
// direct device signs a volunteer up for a shift at the parent; tablets make
// changes at the hub, one of them signing the same volunteer up for the same
// shift (the parent will refuse it: already_signed_up) and one making 1,500
// changes; the link returns, and the hub is killed (SIGKILL) while it sends
// them, then started again. Then: the parent holds every operation exactly
// once (read from its SQLite file), the refused one not at all; the hub
// holds the refusal with the parent's reason; the tablet that made it has it
// in SyncClient::rejected() with the parent's code and reason and has undone
// it; every device, the hub and the parent have the same state hash.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "core/commands.h"
#include "server_process.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "sync/client.h"
#include "sync/protocol.h"

using namespace dh;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Forwards 127.0.0.1:port() to the parent's port. cut() ends every
// connection and from then on closes each new one at once, unanswered (the
// hub's request fails, as when a building's uplink is down); restore()
// forwards again. The port stays bound throughout: a port given back to the
// system could be taken as another connection's source port meanwhile.
class Relay {
 public:
  explicit Relay(int target) : target_(target) {}
  ~Relay() {
    cut();
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  bool open() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0) {
      ::close(listen_fd_);
      listen_fd_ = -1;
      return false;
    }
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    on_ = true;
    acceptor_ = std::thread([this] { accept_loop(); });
    return true;
  }
  void cut() {
    on_ = false;
    while (live_pumps_.load() > 0) {  // again each time: one may have been accepted just now
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  void restore() { on_ = true; }
  int port() const { return port_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int in = ::accept(listen_fd_, nullptr, nullptr);
      if (in < 0) continue;
      if (!on_) {  // cut: no answer
        ::close(in);
        continue;
      }
      int out = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(target_));
      if (out < 0 || ::connect(out, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(in);
        if (out >= 0) ::close(out);
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.insert(in);
      open_fds_.insert(out);
      ++live_pumps_;
      std::thread([this, in, out] { pump(in, out); }).detach();
    }
  }
  void pump(int a, int b) {
    char buf[16384];
    for (;;) {
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 200) < 0) break;
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(p[i].fd, buf, sizeof buf);
        if (n <= 0) {
          done = true;
          break;
        }
        int to = i == 0 ? b : a;
        for (ssize_t off = 0; off < n;) {
          ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
          if (w <= 0) {
            done = true;
            break;
          }
          off += w;
        }
      }
      if (done) break;
    }
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.erase(a);
    open_fds_.erase(b);
    ::close(a);
    ::close(b);
    --live_pumps_;
  }

  int target_;
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> on_{false};
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::set<int> open_fds_;
  std::atomic<int> live_pumps_{0};
};

// A tablet: a Replica on a MemoryFileSystem with the real SyncClient, talking
// HTTP to one server (its port may change when that server is restarted).
struct Tablet {
  std::string id;
  std::string token;
  int port = 0;
  MemoryFileSystem fs;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<sync::SyncClient> client;

  Tablet(std::string device, std::string tok, int p) : id(std::move(device)), token(std::move(tok)), port(p) {
    auto r = Replica::open(fs, "/r", id, now_ms());
    REQUIRE(r.ok());
    replica = std::move(r).value();
    replica->set_author("staff:" + id);
    auto c = sync::SyncClient::open(fs, *replica);
    REQUIRE(c.ok());
    client = std::move(c).value();
  }
  std::string commit(const Command& cmd) {
    auto op = replica->commit(cmd, client->corrected_now(now_ms()));
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    return op->id.to_string();
  }
  // One full round (push everything, pull everything); false when the
  // server could not be reached or refused a request.
  bool sync() {
    httplib::Client c("127.0.0.1", port);
    c.set_bearer_token_auth(token);
    c.set_connection_timeout(5);
    c.set_read_timeout(60);
    c.set_write_timeout(60);
    (void)client->flush_completed(client->begin_flush());  // memory: durable at once
    while (auto b = client->next_push(now_ms())) {
      auto res = c.Post("/api/v1/ops", b->body, "application/json");
      if (!res || res->status != 200) {
        client->on_push_failed(*b, res ? res->status : 0, res ? res->body : "");
        return false;
      }
      if (!client->on_push_response(*b, res->body, now_ms()).ok()) return false;
    }
    for (;;) {
      auto q = client->next_pull(1000);
      auto res = c.Get(q.path.c_str());
      if (!res || res->status != 200) {
        client->on_pull_failed(res ? res->status : 0, res ? res->body : "");
        return false;
      }
      auto out = client->on_pull_response(q, res->body, now_ms());
      if (!out.ok()) return false;
      if (!out->more) break;
    }
    (void)client->flush_completed(client->begin_flush());
    return true;
  }
  std::string hash() const { return replica->state().hash_hex(); }
};

sync::Health health(const ServerProcess& s) {
  auto c = s.client();
  auto res = c->Get("/api/v1/health");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto h = sync::decode_health(res->body);
  REQUIRE(h.ok());
  return h.value();
}

// Waits (polling, up to limit) for cond; false on timeout.
bool eventually(const std::function<bool()>& cond, std::chrono::seconds limit = std::chrono::seconds(180)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

// SELECT of one column of text rows from a server's SQLite file (read-only);
// a test that reads the file is tagged [sqlite_file] (not run when the
// servers keep their operations in PostgreSQL, DH_TEST_SERVER_STORE).
std::vector<std::string> column(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(s, 0);
    out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

uint64_t op_rows(const std::string& db_path) {
  auto v = column(db_path, "SELECT COUNT(*) FROM ops;");
  return v.empty() ? 0 : std::stoull(v[0]);
}

// Every operation made on the tablet (its own log), as op ids.
std::set<std::string> own_ids(const Tablet& t) {
  std::set<std::string> ids;
  auto all = t.replica->read_all();
  REQUIRE(all.ok());
  for (const auto& op : all.value())
    if (op.id.device == t.id) ids.insert(op.id.to_string());
  return ids;
}

}  // namespace

TEST_CASE("hub: tablets sync to a hub whose upstream is cut; the parent ends with every operation exactly once",
          "[native][server][hub][sqlite_file]") {
  const auto started = std::chrono::steady_clock::now();
  TempDir parent_dir("dh-hub-parent"), hub_dir("dh-hub-hub");
  ServerProcess parent(parent_dir.path());
  REQUIRE(parent.start());
  Relay relay(parent.port());
  REQUIRE(relay.open());

  // The community's base records, made at the parent by a directly enrolled device.
  const std::string d0_token = parent.enrol_as("coordinator", "direct0");
  REQUIRE(!d0_token.empty());
  Tablet direct("direct0", d0_token, parent.port());
  const std::string grid = direct.commit(CreateEntity{"grid", Json{{"name", "第一网格"}, {"code", "DC-01"}}, ""});
  const std::string hh =
      direct.commit(CreateEntity{"household", Json{{"address", "幸福里1栋101室"}, {"grid", grid}}, ""});
  const std::string station = direct.commit(
      CreateEntity{"station", Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}}, ""});
  const std::string r1 = direct.commit(CreateEntity{
      "resident", Json{{"name", "李堃"}, {"household", hh}, {"birth_date", "1980-05-01"}, {"phone", "13812345678"}}, ""});
  const std::string r2 = direct.commit(
      CreateEntity{"resident", Json{{"name", "王玥"}, {"household", hh}, {"birth_date", "1990-01-01"}}, ""});
  const std::string vol1 = direct.commit(CreateEntity{"volunteer", Json{{"resident", r1}}, ""});
  const std::string vol2 = direct.commit(CreateEntity{"volunteer", Json{{"resident", r2}}, ""});
  const std::string shift = direct.commit(CreateEntity{"shift",
                                                       Json{{"station", station},
                                                            {"role", "课后托管"},
                                                            {"start", "2027-03-01T16:00"},
                                                            {"end", "2027-03-01T18:00"},
                                                            {"capacity", 5}},
                                                       ""});
  REQUIRE(direct.sync());

  // The hub: enrolled with the parent by a code for role "hub", through the relay.
  const std::string hub_code = parent.new_code("hub");
  REQUIRE(!hub_code.empty());
  const std::vector<std::string> hub_args = {"--upstream", "http://127.0.0.1:" + std::to_string(relay.port()),
                                             "--upstream-code", hub_code, "--upstream-device", "hub-room",
                                             "--upstream-interval-ms", "300"};
  auto hub = std::make_unique<ServerProcess>(hub_dir.path(), hub_args);
  REQUIRE(hub->start());
  REQUIRE(eventually([&] { return health(*hub).state_hash == health(parent).state_hash; }));
  {  // The parent lists it as a hub, and a hub may not manage the parent's devices.
    auto admin = parent.client();
    auto list = admin->Get("/api/v1/admin/devices");
    REQUIRE(list);
    CHECK(list->body.find("\"hub-room\"") != std::string::npos);
    CHECK(list->body.find("\"role\":\"hub\"") != std::string::npos);
  }

  // The building's internet goes down.
  relay.cut();

  // Meanwhile at the parent: the direct device signs volunteer 1 up for the shift.
  direct.commit(CreateEntity{"signup",
                             Json{{"shift", shift}, {"volunteer", vol1}, {"channel", "coordinator"},
                                  {"seen_place", "confirmed"}},
                             ""});
  REQUIRE(direct.sync());

  // In the meeting room: three tablets enrolled with the hub.
  std::vector<std::unique_ptr<Tablet>> tablets;
  for (const char* id : {"tablet1", "tablet2", "tablet3"}) {
    const std::string token = hub->enrol_as("coordinator", id);
    REQUIRE(!token.empty());
    tablets.push_back(std::make_unique<Tablet>(id, token, hub->port()));
    REQUIRE(tablets.back()->sync());  // takes the community's records from the hub
  }
  Tablet& t1 = *tablets[0];
  Tablet& t2 = *tablets[1];
  Tablet& t3 = *tablets[2];
  // tablet1 signs volunteer 1 up too: the hub accepts it (it has not seen the
  // parent's sign-up); the parent will refuse it.
  const std::string doomed = t1.commit(CreateEntity{
      "signup", Json{{"shift", shift}, {"volunteer", vol1}, {"channel", "coordinator"}, {"seen_place", "confirmed"}},
      ""});
  const std::string place = t1.commit(CreateEntity{"station", Json{{"name", "会议室"}, {"station_type", "station"}}, ""});
  t3.commit(CreateEntity{"signup",
                         Json{{"shift", shift}, {"volunteer", vol2}, {"channel", "coordinator"},
                              {"seen_place", "confirmed"}},
                         ""});
  for (auto& t : tablets) REQUIRE(t->sync());
  t2.commit(EditEntity{"station", place, Json{{"name", "二楼会议室"}}});
  t2.commit(EditEntity{"household", hh, Json{{"address", "幸福里1栋102室"}}});
  // tablet2 registers 1,500 residents: several upstream batches.
  constexpr int kBulk = 1500;
  for (int i = 0; i < kBulk; ++i) {
    t2.commit(CreateEntity{"resident", Json{{"name", "居民" + std::to_string(i)}, {"household", hh}}, ""});
  }
  for (auto& t : tablets) REQUIRE(t->sync());
  for (auto& t : tablets) REQUIRE(t->sync());
  const std::string hub_hash_offline = health(*hub).state_hash;
  for (auto& t : tablets) CHECK(t->hash() == hub_hash_offline);  // the room works without the internet
  CHECK(t1.client->rejected().empty());

  // What the parent must end with: everything, the refused sign-up excepted.
  std::set<std::string> expected;
  for (const Tablet* t : {&direct, &t1, &t2, &t3}) {
    auto ids = own_ids(*t);
    expected.insert(ids.begin(), ids.end());
  }
  expected.erase(doomed);
  const std::string parent_db = parent_dir.path() + "/server.sqlite";
  const uint64_t parent_before = op_rows(parent_db);

  // The internet returns; the hub is killed while it sends the 1,500.
  relay.restore();
  uint64_t seen_at_kill = 0;
  {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while ((seen_at_kill = op_rows(parent_db)) <= parent_before && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  hub->crash();
  REQUIRE(seen_at_kill > parent_before);
  const uint64_t after_kill = op_rows(parent_db);
  INFO("parent rows: before " << parent_before << ", when the hub was killed " << seen_at_kill << " of "
                              << expected.size());
  // Normally the kill lands after the first of several batches (1,513
  // operations, 500 a push). A machine that stalls this loop for the whole
  // upload lets the hub finish first; the restart must still agree, and the
  // run says so instead of failing on timing.
  if (after_kill >= expected.size()) WARN("the hub finished before it was killed; the restart still has to agree");

  // Started again on the same data (a new port: the tablets follow it).
  hub = std::make_unique<ServerProcess>(hub_dir.path(), hub_args);
  REQUIRE(hub->start());
  for (auto& t : tablets) t->port = hub->port();
  REQUIRE(eventually([&] { return op_rows(parent_db) >= expected.size(); }));
  REQUIRE(eventually([&] { return health(*hub).state_hash == health(parent).state_hash; }));

  // The parent: every operation exactly once, the refused one not at all.
  auto parent_ids = column(parent_db, "SELECT op_id FROM ops WHERE device <> 'test-admin';");
  std::set<std::string> parent_set(parent_ids.begin(), parent_ids.end());
  CHECK(parent_ids.size() == parent_set.size());
  CHECK(parent_set == expected);
  CHECK(parent_set.count(doomed) == 0);
  auto parent_refusal = column(parent_db, "SELECT code FROM rejected WHERE op_id = '" + doomed + "';");
  REQUIRE(parent_refusal.size() == 1);
  CHECK(parent_refusal[0] == "already_signed_up");

  // The hub: the refusal recorded with the parent's answer, the operation withdrawn.
  const std::string hub_db = hub_dir.path() + "/server.sqlite";
  auto hub_refusal = column(hub_db, "SELECT code || '|' || reason FROM rejected WHERE op_id = '" + doomed + "';");
  REQUIRE(hub_refusal.size() == 1);
  CHECK(hub_refusal[0].rfind("already_signed_up|", 0) == 0);
  CHECK(column(hub_db, "SELECT op_id FROM withdrawn;") == std::vector<std::string>{doomed});
  auto hub_ids = column(hub_db, "SELECT op_id FROM ops;");
  CHECK(hub_ids.size() == std::set<std::string>(hub_ids.begin(), hub_ids.end()).size());

  // Every tablet syncs again: tablet1 learns of the refusal with the
  // parent's reason and undoes it; all end on the parent's state.
  for (auto& t : tablets) REQUIRE(t->sync());
  REQUIRE(direct.sync());
  const std::string parent_hash = health(parent).state_hash;
  CHECK(health(*hub).state_hash == parent_hash);
  CHECK(direct.hash() == parent_hash);
  for (auto& t : tablets) {
    INFO(t->id);
    CHECK(t->hash() == parent_hash);
  }
  REQUIRE(t1.client->rejected().size() == 1);
  const auto& r = t1.client->rejected().front();
  CHECK(r.id == doomed);
  CHECK(r.code == "already_signed_up");
  CHECK(r.reason == hub_refusal[0].substr(std::string("already_signed_up|").size()));
  CHECK(r.type == "signup.create");
  CHECK(t1.replica->excluded(*OpId::parse(doomed)));
  CHECK(t1.replica->state().find("signup", doomed) == nullptr);
  CHECK(t2.client->rejected().empty());
  CHECK(t2.replica->state().find("signup", doomed) == nullptr);  // undone on every tablet

  // Pushed again (a tablet that lost its sync state), the refused operation
  // gets the parent's answer from the hub.
  {
    auto all = t1.replica->read_all();
    REQUIRE(all.ok());
    std::vector<Operation> again;
    for (const auto& op : all.value())
      if (op.id.to_string() == doomed) again.push_back(op);
    REQUIRE(again.size() == 1);
    httplib::Client c("127.0.0.1", hub->port());
    c.set_bearer_token_auth(t1.token);
    auto res = c.Post("/api/v1/ops", sync::encode_push_request("tablet1", again, now_ms()), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto answer = sync::decode_push_response(res->body);
    REQUIRE(answer.ok());
    REQUIRE(answer->results.size() == 1);
    CHECK(answer->results[0].status == sync::PushStatus::rejected);
    CHECK(answer->results[0].code == "already_signed_up");
  }

  // A restart of the hub with nothing new changes nothing at the parent.
  const uint64_t rows_now = op_rows(parent_db);
  hub->stop();
  hub = std::make_unique<ServerProcess>(hub_dir.path(), hub_args);
  REQUIRE(hub->start());
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a round or two (interval 300 ms)
  CHECK(op_rows(parent_db) == rows_now);
  CHECK(health(*hub).state_hash == parent_hash);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count() / 1000.0;
  WARN("hub scenario took " << seconds << " s; parent rows at the kill " << seen_at_kill << " of " << expected.size());
}

TEST_CASE("hub: refuses another parent, a missing code and a bad address", "[native][server][hub]") {
  TempDir dir("dh-hub-flags");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--upstream", "http://127.0.0.1:9"},
                                             {"--upstream", "ftp://x", "--upstream-code", "1234-5678-9012-3456"},
                                             {"--upstream-code", "1234-5678-9012-3456"}}) {
    ServerProcess s(dir.path(), args);
    CHECK_FALSE(s.start(std::chrono::seconds(20)));
  }
  // Enrolled with one parent (its token file), started with another: refused.
  {
    std::ofstream f(dir.path() + "/upstream.json");
    f << R"({"device":"hub-a","role":"hub","token":"00","url":"http://127.0.0.1:9"})" << "\n";
  }
  ServerProcess other(dir.path(), {"--upstream", "http://127.0.0.1:10"});
  CHECK_FALSE(other.start(std::chrono::seconds(20)));
  ServerProcess same(dir.path(), {"--upstream", "http://127.0.0.1:9/"});
  CHECK(same.start(std::chrono::seconds(20)));
}
