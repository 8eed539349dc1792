// Several real dianhong_server processes on one PostgreSQL database
// (docs/sync-protocol.md "Several servers on one database"; issue 14):
//   - devices pushing concurrently to alternating servers and pulling from
//     either: every device ends with every operation once, one state hash,
//     no pull skipped anything; creates of one record id at once get one
//     verdict (one accepted, the rest "already_exists");
//   - a device enrolled at one server works at the other; a code used at
//     one is used at both; a revocation at one is refused at the other at
//     once;
//   - through real nginx (script/cluster): one server killed with SIGKILL
//     during pushes, the devices carry on through the other, and every
//     acknowledged operation is stored exactly once;
//   - script/cluster --by-host: each Host name is answered by one server
//     (nginx's access log says which), both servers get some; when one is
//     killed its Host names are answered by the other.
// Runs on a fresh database of $DH_TEST_PG; skipped (and said so) without it,
// and the nginx case also without nginx.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/commands.h"
#include "core/state.h"
#include "pg_test_db.h"
#include "server_process.h"
#include "skip.h"
#include "sync/protocol.h"

using namespace dh;
using namespace dh::sync;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

constexpr const char* kAdminCode = "4826-1937-5502-7614";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Two servers on one database with one secret key file; the test
// administrator is enrolled once (at A) and its token given to B.
struct Pair {
  TempDir dir_a{"dh-multi-a"}, dir_b{"dh-multi-b"}, keys{"dh-multi-key"};
  std::unique_ptr<ServerProcess> a, b;
  std::string secret() const { return keys.path() + "/server-secret.key"; }
  bool start(const std::string& conninfo) { return start_a(conninfo) && start_b(conninfo); }
  bool start_a(const std::string& conninfo) {
    a = std::make_unique<ServerProcess>(
        dir_a.path(), std::vector<std::string>{"--store", conninfo, "--secret-file", secret(), "--admin-code", kAdminCode});
    return a->start();
  }
  bool start_b(const std::string& conninfo) {
    std::ofstream(dir_b.path() + "/test-admin-token.txt") << a->admin_token() << "\n";
    b = std::make_unique<ServerProcess>(dir_b.path(),
                                        std::vector<std::string>{"--store", conninfo, "--secret-file", secret()});
    return b->start();
  }
};

struct PullPage {
  std::vector<PulledOp> ops;
  uint64_t next = 0;
  bool more = false;
};

// Every page after `after` from c; false on a transport or HTTP error.
// Checks that each page continues where the last one ended.
bool pull_all(httplib::Client& c, uint64_t* after, std::vector<PulledOp>* out, std::string* problem) {
  for (;;) {
    auto res = c.Get(("/api/v1/ops?after=" + std::to_string(*after) + "&limit=300").c_str());
    if (!res || res->status != 200) return false;
    auto page = decode_pull_response(res->body);
    if (!page.ok()) return false;
    for (auto& p : page->ops) {
      if (p.seq <= *after) *problem = "a pull went back to seq " + std::to_string(p.seq);
      *after = p.seq;
      out->push_back(std::move(p));
    }
    if (page->next > *after) *after = page->next;
    if (!page->more) return true;
  }
}

Health health_of(httplib::Client& c) {
  auto res = c.Get("/api/v1/health");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto h = decode_health(res->body);
  REQUIRE(h.ok());
  return h.value();
}

std::string fold_hash(const std::vector<PulledOp>& ops) {
  State s;
  for (const auto& p : ops) s.apply(p.op);
  return s.hash_hex();
}

// The entity a create operation makes ("" for other types).
std::string created_entity(const Operation& op) {
  if (op.type.size() < 7 || op.type.compare(op.type.size() - 7, 7, ".create") != 0) return "";
  auto e = op.payload.find("entity");
  return e != op.payload.end() && e->is_string() ? e->get<std::string>() : "";
}

// A device: its own operations made against what it pulled, pushed to one
// server and pulled from another, one cursor for both (seqs are global).
struct Device {
  std::string id, token;
  OpSource src;
  State state;
  uint64_t cursor = 0;
  std::vector<PulledOp> pulled;
  std::set<std::string> acknowledged;                 // accepted or duplicate
  std::map<std::string, std::string> refused;         // op id -> code
  std::map<std::string, std::string> conflict_of;     // op id -> conflict entity id
  std::string problem;

  Device(std::string device, std::string tok) : id(std::move(device)), token(std::move(tok)) {
    src = OpSource{id, "staff:" + id, 1, HlcClock{}};
  }
  bool pull(httplib::Client& c) {
    std::vector<PulledOp> fresh;
    if (!pull_all(c, &cursor, &fresh, &problem)) return false;
    for (auto& p : fresh) {
      state.apply(p.op);
      pulled.push_back(std::move(p));
    }
    return true;
  }
  // Pushes ops; false on a transport or HTTP error (then nothing is known).
  bool push(httplib::Client& c, const std::vector<Operation>& ops) {
    auto res = c.Post("/api/v1/ops", encode_push_request(id, ops), "application/json");
    if (!res || res->status != 200) return false;
    auto r = decode_push_response(res->body);
    if (!r.ok()) return false;
    for (const auto& pr : r->results) {
      if (pr.status == PushStatus::rejected) {
        refused[pr.id] = pr.code;
      } else {
        acknowledged.insert(pr.id);
      }
    }
    return true;
  }
};

// All device threads start each round together, so their pushes overlap.
class RoundBarrier {
 public:
  explicit RoundBarrier(int parties) : parties_(parties) {}
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(mu_);
    const int generation = generation_;
    if (++waiting_ == parties_) {
      waiting_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return generation_ != generation; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int parties_, waiting_ = 0, generation_ = 0;
};

std::unique_ptr<httplib::Client> client_at(int port, const std::string& token) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_bearer_token_auth(token);
  c->set_connection_timeout(5);
  c->set_read_timeout(60);
  c->set_write_timeout(60);
  return c;
}

// A base port with base, base+1 .. base+count-1 all free (probed), or 0.
int free_ports(int count) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int candidate = 20000 + static_cast<int>((::getpid() * 37 + attempt * 101) % 30000);
    bool free_all = true;
    for (int k = 0; k < count && free_all; ++k) {
      httplib::Client probe("127.0.0.1", candidate + k);
      probe.set_connection_timeout(0, 200000);
      if (probe.Get("/")) free_all = false;
    }
    if (free_all) return candidate;
  }
  return 0;
}

bool have_nginx() { return std::system("command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx") == 0; }

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// script/cluster stop DIR when it goes out of scope.
struct ClusterStop {
  std::string cmd;
  ~ClusterStop() { (void)std::system(cmd.c_str()); }
};

// script/cluster start DIR --servers 2 --port BASE --binary ... --store
// CONNINFO EXTRA -- SERVER_ARGS; its exit status (output in DIR/start.log).
int start_cluster(const std::string& dir, int base, const std::string& conninfo, const std::string& extra,
                  const std::string& server_args) {
  const std::string cluster = std::string(DH_SOURCE_DIR) + "/script/cluster";
  ::setenv("DH_MULTI_STORE", conninfo.c_str(), 1);
  const std::string start = "'" + cluster + "' start '" + dir + "' --servers 2 --port " + std::to_string(base) +
                            " --binary '" + test::server_binary() + "' --store \"$DH_MULTI_STORE\" " + extra +
                            " -- " + server_args + " > '" + dir + "/start.log' 2>&1";
  return std::system(start.c_str());
}

ClusterStop cluster_stopper(const std::string& dir) {
  return ClusterStop{"'" + std::string(DH_SOURCE_DIR) + "/script/cluster' stop '" + dir + "' >/dev/null 2>&1"};
}

// nginx's access log of a script/cluster folder (deploy/nginx/cluster.conf.in,
// format "dianhong"): per line the Host name and the server that answered
// (the last of $upstream_addr's "A, B" when nginx sent the request on).
struct Routed {
  std::string host, server;
  bool retried = false;
};
std::vector<Routed> routed_requests(const std::string& dir) {
  std::vector<Routed> out;
  std::istringstream in(read_text(dir + "/nginx/access.log"));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> quoted;
    size_t at = 0;
    while (true) {
      const size_t q = line.find('"', at);
      if (q == std::string::npos) break;
      quoted.push_back(line.substr(at, q - at));
      at = q + 1;
    }
    quoted.push_back(line.substr(at));
    if (quoted.size() < 11) continue;  // not this format
    Routed r;
    r.host = quoted[7];
    const std::string& ups = quoted[9];
    const size_t comma = ups.rfind(", ");
    r.retried = comma != std::string::npos;
    r.server = r.retried ? ups.substr(comma + 2) : ups;
    out.push_back(r);
  }
  return out;
}

// routed_requests once it has at least `count` lines: nginx writes a
// request's line when it finishes it, which may be just after the client
// has its answer. Waits up to 5 s.
std::vector<Routed> routed_requests(const std::string& dir, size_t count) {
  auto lines = routed_requests(dir);
  for (int i = 0; i < 250 && lines.size() < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    lines = routed_requests(dir);
  }
  return lines;
}

}  // namespace

TEST_CASE("two servers on one PostgreSQL database: concurrent devices get one history and one verdict",
          "[native][server][postgres][multi]") {
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  Pair pair;
  REQUIRE(pair.start_a(db.conninfo()));

  // The grid every household refers to, made at A before B starts (so B
  // knows it from its start-up fold; what follows is all concurrent).
  std::string grid;
  {
    State s;
    OpSource seed{"seed", "staff:seed", 1, HlcClock{}};
    auto op = make_operation(s, CreateEntity{"grid", {{"name", "第一网格"}, {"code", "G1"}}, ""}, seed, now_ms());
    REQUIRE(op);
    grid = op->payload["entity"].get<std::string>();
    auto c = pair.a->client();
    auto res = c->Post("/api/v1/ops", encode_push_request("seed", {op.value()}), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
  }
  REQUIRE(pair.start_b(db.conninfo()));
  INFO(pair.a->output() << pair.b->output());
  const int ports[2] = {pair.a->port(), pair.b->port()};

  // Devices enrolled alternately at A and B, with codes made at the other.
  constexpr int kDevices = 4;
  constexpr int kRounds = 25;
  std::vector<std::unique_ptr<Device>> devices;
  for (int i = 0; i < kDevices; ++i) {
    const ServerProcess& maker = i % 2 ? *pair.a : *pair.b;
    const ServerProcess& at = i % 2 ? *pair.b : *pair.a;
    const std::string code = maker.new_code("administrator");
    REQUIRE_FALSE(code.empty());
    const std::string id = "dev-" + std::to_string(i);
    const std::string token = at.enrol(code, id);
    REQUIRE_FALSE(token.empty());
    devices.push_back(std::make_unique<Device>(id, token));
  }

  std::atomic<int> transport_errors{0};
  RoundBarrier barrier(kDevices);
  std::vector<std::thread> threads;
  for (int i = 0; i < kDevices; ++i) {
    threads.emplace_back([&, i] {
      Device& d = *devices[i];
      std::mt19937 rng(static_cast<unsigned>(i * 7919 + 1));
      auto clients = std::array<std::unique_ptr<httplib::Client>, 2>{client_at(ports[0], d.token),
                                                                     client_at(ports[1], d.token)};
      if (!d.pull(*clients[i % 2])) ++transport_errors;
      for (int r = 0; r < kRounds; ++r) {
        barrier.arrive_and_wait();
        const int to = (i + r) % 2;  // push here, pull from the other
        std::vector<Operation> ops;
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < n; ++k) {
          auto op = make_operation(
              d.state,
              CreateEntity{"household",
                           {{"address", d.id + " 幸福里 " + std::to_string(r) + "-" + std::to_string(k) + " 号"},
                            {"grid", grid}},
                           ""},
              d.src, now_ms());
          if (op) ops.push_back(op.value());
        }
        // Every device creates the round's shared record at about the same
        // time: the servers must agree which one came first.
        const std::string conflict = "conflict-" + std::to_string(r);
        auto contested = make_operation(
            d.state, CreateEntity{"household", {{"address", "争 " + conflict}, {"grid", grid}}, conflict}, d.src,
            now_ms());
        if (contested) {
          d.conflict_of[contested->id.to_string()] = conflict;
          ops.push_back(contested.value());
        }
        if (!d.push(*clients[to], ops)) ++transport_errors;
        if (!d.pull(*clients[1 - to])) ++transport_errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(transport_errors == 0);

  // A last pull from either server; then compare everything.
  auto ca = pair.a->client();
  auto cb = pair.b->client();
  Health ha = health_of(*ca), hb = health_of(*cb);
  CHECK(ha.state_hash == hb.state_hash);
  CHECK(ha.head == hb.head);
  CHECK(ha.ops == hb.ops);
  std::vector<PulledOp> all;
  {
    uint64_t after = 0;
    std::string problem;
    REQUIRE(pull_all(*ca, &after, &all, &problem));
    CHECK(problem.empty());
  }
  CHECK(fold_hash(all) == ha.state_hash);
  std::set<std::string> ids;
  for (const auto& p : all) ids.insert(p.op.id.to_string());
  CHECK(ids.size() == all.size());  // every op once
  CHECK(all.size() == ha.ops);
  for (int i = 0; i < kDevices; ++i) {
    Device& d = *devices[i];
    INFO(d.id << " " << d.problem);
    REQUIRE(d.pull(i % 2 ? *client_at(ports[0], d.token) : *client_at(ports[1], d.token)));
    CHECK(d.problem.empty());
    // The device saw exactly the store's sequence: nothing skipped, nothing twice.
    REQUIRE(d.pulled.size() == all.size());
    for (size_t k = 0; k < all.size(); ++k) {
      CHECK(d.pulled[k].seq == all[k].seq);
      CHECK(d.pulled[k].op.id == all[k].op.id);
    }
    CHECK(d.state.hash_hex() == ha.state_hash);
    for (const auto& id : d.acknowledged) CHECK(ids.count(id) == 1);
    for (const auto& [id, code] : d.refused) {
      CHECK(ids.count(id) == 0);
      CHECK(d.conflict_of.count(id) == 1);  // only the contested creates are refused
      CHECK(code == "already_exists");
    }
  }
  // One verdict per contested record: exactly one create of it is stored,
  // and it was pushed by somebody who was told "accepted".
  std::map<std::string, int> creates;
  for (const auto& p : all) {
    const std::string e = created_entity(p.op);
    if (e.rfind("conflict-", 0) == 0) ++creates[e];
  }
  CHECK(creates.size() == static_cast<size_t>(kRounds));
  for (const auto& [entity, count] : creates) {
    INFO(entity);
    CHECK(count == 1);
  }
  size_t contested_refusals = 0;
  for (const auto& d : devices) contested_refusals += d->refused.size();
  // Every device tried every round's record (made against the state of the
  // round before), half of them through each server: one got it.
  CHECK(contested_refusals == static_cast<size_t>((kDevices - 1) * kRounds));
}

TEST_CASE("two servers on one PostgreSQL database share devices, codes and revocations",
          "[native][server][postgres][multi]") {
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  Pair pair;
  REQUIRE(pair.start(db.conninfo()));
  INFO(pair.a->output() << pair.b->output());

  // A code made at B, used at A, is used at B too.
  const std::string code = pair.b->new_code("coordinator");
  REQUIRE_FALSE(code.empty());
  const std::string token = pair.a->enrol(code, "tablet-1");
  REQUIRE_FALSE(token.empty());
  CHECK(pair.b->enrol(code, "tablet-2").empty());
  CHECK(pair.a->enrol(code, "tablet-3").empty());

  // Enrolled at A: pushes and pulls at B.
  State s;
  OpSource src{"tablet-1", "staff:li", 1, HlcClock{}};
  auto grid = make_operation(s, CreateEntity{"grid", {{"name", "二网格"}, {"code", "G2"}}, ""}, src, now_ms());
  REQUIRE(grid);
  auto at_b = pair.b->client_with(token);
  auto res = at_b->Post("/api/v1/ops", encode_push_request("tablet-1", {grid.value()}), "application/json");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  auto pushed = decode_push_response(res->body);
  REQUIRE(pushed.ok());
  CHECK(pushed->results.at(0).status == PushStatus::accepted);
  auto at_a = pair.a->client_with(token);
  res = at_a->Get("/api/v1/ops?after=0");
  REQUIRE(res);
  CHECK(res->status == 200);
  // The administrator list at A shows the device enrolled at A, seen at B.
  res = pair.a->client()->Get("/api/v1/admin/devices");
  REQUIRE(res);
  CHECK(res->body.find("\"tablet-1\"") != std::string::npos);

  // Revoked at B: refused at A at once (and at B).
  res = pair.b->client()->Post("/api/v1/admin/devices/tablet-1/revoke", "{}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  res = at_a->Get("/api/v1/ops?after=0");
  REQUIRE(res);
  CHECK(res->status == 401);
  res = at_b->Get("/api/v1/ops?after=0");
  REQUIRE(res);
  CHECK(res->status == 401);

  // The push channel: a wait at A wakes for a push at B.
  const uint64_t head = health_of(*pair.a->client()).head;
  std::atomic<int> woke_status{0};
  std::atomic<int64_t> waited_ms{0};
  std::thread waiter([&] {
    auto c = pair.a->client();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = c->Get(("/api/v1/wait?after=" + std::to_string(head) + "&timeout_ms=20000").c_str());
    waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    woke_status = r ? r->status : -1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  State s2;
  OpSource admin_src{"test-admin", "staff:admin", 1, HlcClock{}};
  auto g3 = make_operation(s2, CreateEntity{"grid", {{"name", "三网格"}, {"code", "G3"}}, ""}, admin_src, now_ms());
  REQUIRE(g3);
  res = pair.b->client()->Post("/api/v1/ops", encode_push_request("test-admin", {g3.value()}), "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  waiter.join();
  CHECK(woke_status == 200);
  CHECK(waited_ms < 10000);  // woken by B's NOTIFY, not the 20 s timeout

  // A different secret key file is refused against this database.
  TempDir other_dir("dh-multi-c"), other_key("dh-multi-key2");
  ServerProcess c(other_dir.path(), {"--store", db.conninfo(), "--secret-file", other_key.path() + "/k.key"});
  // (secret_mismatch, on its stderr; it never says it is running)
  CHECK_FALSE(c.start(std::chrono::seconds(30)));
  CHECK(c.output().find("Dianhong is running") == std::string::npos);
}

TEST_CASE("two servers behind nginx: one is killed during pushes, nothing acknowledged is lost or doubled",
          "[native][server][postgres][multi][nginx]") {
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  if (!have_nginx()) {
    DH_SKIP("nginx is not installed (Debian package nginx; script/bootstrap installs it)");
    return;
  }
  TempDir dir("dh-cluster");
  // Ports: nginx at base, servers at base+1, base+2 (free ones, probed).
  const int base = free_ports(3);
  REQUIRE(base > 0);
  const int rc = start_cluster(dir.path(), base, db.conninfo(), "", std::string("--admin-code ") + kAdminCode);
  auto stop = cluster_stopper(dir.path());
  INFO(read_text(dir.path() + "/start.log"));
  REQUIRE(rc == 0);
  // Without --by-host: nginx's default, round robin.
  CHECK(read_text(dir.path() + "/nginx/nginx.conf").find("\n    hash ") == std::string::npos);

  // The administrator, enrolled through nginx.
  auto front = [&](const std::string& token) { return client_at(base, token); };
  std::string admin_token;
  {
    auto c = front("");
    auto res = c->Post("/api/v1/enrol",
                       std::string("{\"code\":\"") + kAdminCode + "\",\"device\":\"test-admin\",\"name\":\"t\"}",
                       "application/json");
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    admin_token = nlohmann::json::parse(res->body)["token"].get<std::string>();
  }
  std::string grid;
  {
    State s;
    OpSource seed{"seed", "staff:seed", 1, HlcClock{}};
    auto op = make_operation(s, CreateEntity{"grid", {{"name", "第一网格"}, {"code", "G1"}}, ""}, seed, now_ms());
    REQUIRE(op);
    grid = op->payload["entity"].get<std::string>();
    auto res = front(admin_token)->Post("/api/v1/ops", encode_push_request("seed", {op.value()}), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
  }

  constexpr int kDevices = 3;
  std::vector<std::unique_ptr<Device>> devices;
  for (int i = 0; i < kDevices; ++i) {
    auto res = front(admin_token)->Post("/api/v1/admin/codes", "{\"role\":\"administrator\"}", "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const std::string code = nlohmann::json::parse(res->body)["code"].get<std::string>();
    const std::string id = "dev-" + std::to_string(i);
    res = front("")->Post("/api/v1/enrol", "{\"code\":\"" + code + "\",\"device\":\"" + id + "\",\"name\":\"t\"}",
                          "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    devices.push_back(std::make_unique<Device>(id, nlohmann::json::parse(res->body)["token"].get<std::string>()));
  }

  // Devices push batches through nginx; a batch that got no answer is sent
  // again (as the app does) until answered.
  std::atomic<int> batches_done{0};
  std::atomic<int> retries{0};
  std::atomic<bool> gave_up{false};
  constexpr int kBatches = 40;
  std::vector<std::thread> threads;
  for (int i = 0; i < kDevices; ++i) {
    threads.emplace_back([&, i] {
      Device& d = *devices[i];
      auto c = front(d.token);
      if (!d.pull(*c)) gave_up = true;  // the grid, for make_operation's reference check
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Operation> ops;
        for (int k = 0; k < 5; ++k) {
          auto op = make_operation(
              d.state,
              CreateEntity{"household",
                           {{"address", d.id + " 里 " + std::to_string(b) + "-" + std::to_string(k)}, {"grid", grid}},
                           ""},
              d.src, now_ms());
          if (op) ops.push_back(op.value());
        }
        int tries = 0;
        while (!d.push(*c, ops)) {
          ++retries;
          if (++tries > 50) {
            gave_up = true;
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ++batches_done;
      }
    });
  }
  // Kill server 1 once the pushes are under way.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (batches_done < kDevices * 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_t victim = 0;
  {
    std::ifstream f(dir.path() + "/server-1.pid");
    f >> victim;
  }
  REQUIRE(victim > 0);
  REQUIRE(::kill(victim, SIGKILL) == 0);
  const int done_at_kill = batches_done.load();
  for (auto& t : threads) t.join();
  CHECK_FALSE(gave_up.load());
  CHECK(batches_done == kDevices * kBatches);
  INFO("batches answered before the kill: " << done_at_kill << ", pushes sent again by the devices: " << retries);
  CHECK(done_at_kill < kDevices * kBatches);  // the kill happened during the pushes

  // Every acknowledged operation is stored exactly once.
  std::vector<PulledOp> all;
  uint64_t after = 0;
  std::string problem;
  auto c = front(admin_token);
  REQUIRE(pull_all(*c, &after, &all, &problem));
  CHECK(problem.empty());
  std::map<std::string, int> stored;
  for (const auto& p : all) ++stored[p.op.id.to_string()];
  size_t acknowledged = 0, missing = 0, doubled = 0;
  for (const auto& d : devices) {
    CHECK(d->refused.empty());
    for (const auto& id : d->acknowledged) {
      ++acknowledged;
      auto it = stored.find(id);
      if (it == stored.end()) ++missing;
      else if (it->second != 1) ++doubled;
    }
  }
  INFO("acknowledged operations: " << acknowledged);
  CHECK(acknowledged == static_cast<size_t>(kDevices * kBatches * 5));
  CHECK(missing == 0);
  CHECK(doubled == 0);
  CHECK(stored.size() == all.size());
  CHECK(fold_hash(all) == health_of(*c).state_hash);
}

TEST_CASE("script/cluster --by-host: each Host name goes to one server, and to the other when it dies",
          "[native][server][postgres][multi][nginx]") {
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  if (!have_nginx()) {
    DH_SKIP("nginx is not installed (Debian package nginx; script/bootstrap installs it)");
    return;
  }
  // 16 names the servers answer for (--public-name): with two servers on
  // nginx's consistent hash ring (160 points each), all 16 on one server
  // would be a chance of about 1 in 30,000.
  constexpr int kHosts = 16;
  std::vector<std::string> hosts;
  std::string server_args = std::string("--admin-code ") + kAdminCode;
  for (int i = 0; i < kHosts; ++i) {
    hosts.push_back("c" + std::to_string(i) + ".county.test");
    server_args += " --public-name " + hosts.back();
  }
  TempDir dir("dh-cluster-host");
  const int base = free_ports(3);
  REQUIRE(base > 0);
  const int rc = start_cluster(dir.path(), base, db.conninfo(), "--by-host", server_args);
  auto stop = cluster_stopper(dir.path());
  INFO(read_text(dir.path() + "/start.log"));
  REQUIRE(rc == 0);
  CHECK(read_text(dir.path() + "/nginx/nginx.conf").find("    hash $host consistent;\n") != std::string::npos);

  // Each name `times` times in a row (so round robin would give each name
  // both servers), through nginx, each request on a new connection.
  auto ask_all = [&](int times) {
    for (const auto& h : hosts) {
      for (int t = 0; t < times; ++t) {
        httplib::Client c("127.0.0.1", base);
        c.set_connection_timeout(5);
        c.set_read_timeout(30);
        auto res = c.Get("/api/v1/health", httplib::Headers{{"Host", h}});
        INFO(h);
        REQUIRE(res);
        CHECK(res->status == 200);
      }
    }
  };
  ask_all(3);
  std::map<std::string, std::set<std::string>> servers_of;
  std::map<std::string, int> requests_at;
  const auto before = routed_requests(dir.path(), 3 * kHosts);
  REQUIRE(before.size() == 3 * kHosts);
  for (const auto& r : before) {
    servers_of[r.host].insert(r.server);
    ++requests_at[r.server];
  }
  REQUIRE(servers_of.size() == static_cast<size_t>(kHosts));
  for (const auto& [host, servers] : servers_of) {
    INFO(host);
    CHECK(servers.size() == 1);
  }
  CHECK(requests_at.size() == 2);  // both servers have some of the names

  // SIGKILL to the server that answers the first name; its names go to the
  // other (nginx sends the request on: proxy_next_upstream), every answer 200.
  const std::string victim_addr = *servers_of[hosts[0]].begin();
  const std::string survivor_addr = victim_addr == "127.0.0.1:" + std::to_string(base + 1)
                                        ? "127.0.0.1:" + std::to_string(base + 2)
                                        : "127.0.0.1:" + std::to_string(base + 1);
  const int victim_k = victim_addr == "127.0.0.1:" + std::to_string(base + 1) ? 1 : 2;
  pid_t victim = 0;
  {
    std::ifstream f(dir.path() + "/server-" + std::to_string(victim_k) + ".pid");
    f >> victim;
  }
  REQUIRE(victim > 0);
  REQUIRE(::kill(victim, SIGKILL) == 0);
  for (int i = 0; i < 100 && ::kill(victim, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ask_all(2);
  const auto all = routed_requests(dir.path(), 5 * kHosts);
  REQUIRE(all.size() == 5 * kHosts);
  int moved = 0, retried = 0;
  for (size_t i = before.size(); i < all.size(); ++i) {
    INFO(all[i].host);
    CHECK(all[i].server == survivor_addr);
    if (*servers_of[all[i].host].begin() == victim_addr) ++moved;
    if (all[i].retried) ++retried;
  }
  INFO("requests whose name was at the killed server: " << moved << ", sent on by nginx: " << retried);
  CHECK(moved > 0);
  CHECK(retried >= 1);  // the first one after the kill found it dead and went on
}
