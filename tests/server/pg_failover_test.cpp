// PostgreSQL failover under load (docs/county-deployment.md): a real
// dianhong_server process keeps its operations on a replicated pair (a
// primary with a synchronous standby, script/pg start-pair) through the
// multi-host connection string with target_session_attrs=read-write. Client
// threads push unique operations in a loop, as devices do: a push that is
// not answered 200 is sent again, whole. Mid-way the primary is stopped
// immediately (as a crash) and the standby promoted; just before, the
// standby's WAL receiver is paused (SIGSTOP), so the primary's commits wait
// for it: pushes must stall (proof that replication is synchronous) and one
// is surely in COMMIT when the primary dies, its outcome unknown to the
// server (and, here, not on the standby). The server must
// reconnect by itself, pushes must succeed again within seconds, and at the
// end every acknowledged operation is in the promoted database exactly once
// and a pull from the server returns them all (and the server's state is the
// fold of what the database holds).
//
// The pair: the folder in $DH_TEST_PG_PAIR (made with script/pg start-pair;
// this test wrecks it: its primary is killed), else one started here in a
// temporary folder and stopped at the end. Without PostgreSQL (script/pg
// exits 3) or libpq the case says SKIPPED. Prints how long pushes were
// refused and how many operations were acknowledged and found.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <sys/wait.h>

#include "core/commands.h"
#include "core/state.h"
#include "server_process.h"
#include "skip.h"
#include "sync/protocol.h"

#ifndef DH_SCRIPT_PG
#define DH_SCRIPT_PG "script/pg"
#endif

using namespace dh;
using namespace dh::sync;
using dh::test::ServerProcess;
using dh::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

// Runs `script/pg CMD DIR`; its stdout in *out; returns the exit status.
int script_pg(const std::string& cmd, const std::string& dir, std::string* out = nullptr) {
  const std::string line = "'" DH_SCRIPT_PG "' " + cmd + " '" + dir + "' 2>&1";
  FILE* p = popen(line.c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int st = pclose(p);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (out) *out = text;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::vector<PulledOp> pull_everything(httplib::Client& c) {
  std::vector<PulledOp> all;
  uint64_t after = 0;
  for (;;) {
    auto res = c.Get(("/api/v1/ops?after=" + std::to_string(after) + "&limit=1000").c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto page = decode_pull_response(res->body);
    REQUIRE(page.ok());
    for (auto& p : page->ops) {
      REQUIRE(p.seq > after);
      after = p.seq;
      all.push_back(std::move(p));
    }
    if (!page->more) break;
  }
  return all;
}

// The pair this test runs on; stops it at the end when it started it.
struct Pair {
  std::unique_ptr<TempDir> own;
  std::string dir, conninfo, skip_reason, error;
  ~Pair() {
    if (own && !dir.empty()) script_pg("stop", dir);
  }
};

void make_pair(Pair* pair) {
  if (const char* env = std::getenv("DH_TEST_PG_PAIR"); env && *env) {
    pair->dir = env;
    std::ifstream in(pair->dir + "/conninfo");
    std::getline(in, pair->conninfo);
    if (pair->conninfo.empty()) pair->error = "DH_TEST_PG_PAIR=" + pair->dir + " has no conninfo (script/pg start-pair)";
    return;
  }
  pair->own = std::make_unique<TempDir>("dh-pg-pair");
  pair->dir = pair->own->path();
  std::string out;
  const int rc = script_pg("start-pair", pair->dir, &out);
  if (rc == 3) {
    pair->skip_reason = "PostgreSQL is not installed (script/pg: " + out + ")";
  } else if (rc != 0) {
    pair->error = "script/pg start-pair failed (" + std::to_string(rc) + "): " + out;
  } else {
    pair->conninfo = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
  }
}

}  // namespace

TEST_CASE("server on a PostgreSQL pair: the standby is promoted during pushes, nothing acknowledged is lost",
          "[native][server][pg_failover]") {
#ifndef DH_HAVE_LIBPQ
  DH_SKIP("this build has no libpq (install libpq-dev), so no PostgreSQL store");
  return;
#else
  Pair pair;
  make_pair(&pair);
  if (!pair.skip_reason.empty()) {
    DH_SKIP(pair.skip_reason);
    return;
  }
  INFO(pair.error);
  REQUIRE(pair.error.empty());

  TempDir data;
  ServerProcess server(data.path(), {"--store", pair.conninfo});
  REQUIRE(server.start());
  INFO(server.output());

  constexpr int kThreads = 4;
  constexpr size_t kBatch = 10;
  std::mutex mu;
  std::map<std::string, int> acknowledged;  // op id -> times answered accepted/duplicate
  size_t rejected = 0, duplicates = 0;
  std::atomic<bool> failover_started{false}, stop{false};
  std::atomic<size_t> acked_total{0}, acked_after_failover{0};
  std::vector<Clock::time_point> first_refusal(kThreads), first_success_after(kThreads);
  std::vector<bool> refused_any(kThreads, false), recovered(kThreads, false);
  std::vector<size_t> retries(kThreads, 0);
  std::vector<std::string> thread_errors;
  size_t lost_in_commit = 0;  // 503 answers saying the COMMIT's outcome was unknown

  auto pusher = [&](int t) {
    auto c = server.client();
    c->set_connection_timeout(5);
    c->set_read_timeout(30);
    const std::string device = "failover" + std::to_string(t);
    OpSource source{device, "staff:" + device, 1, HlcClock{}};
    State empty;
    int made = 0;
    while (!stop) {
      std::vector<Operation> batch;
      for (size_t i = 0; i < kBatch; ++i, ++made) {
        const std::string n = std::to_string(t) + "-" + std::to_string(made);
        auto op = make_operation(empty, CreateEntity{"grid", Json{{"name", "网格" + n}, {"code", "G-" + n}}, ""},
                                 source, wall_ms());
        if (!op) {  // Catch2 asserts on the main thread only
          std::lock_guard<std::mutex> l(mu);
          thread_errors.push_back("cannot make an operation: " + op.error().message);
          return;
        }
        batch.push_back(op.value());
      }
      const std::string body = encode_push_request(device, batch);
      // The same batch until it is answered, as the app's sync client does.
      for (;;) {
        auto res = c->Post("/api/v1/ops", body, "application/json");
        if (res && res->status == 200) {
          auto r = decode_push_response(res->body);
          std::lock_guard<std::mutex> l(mu);
          if (!r.ok()) {
            thread_errors.push_back("an answer that cannot be read: " + res->body.substr(0, 200));
            return;
          }
          for (const auto& pr : r->results) {
            if (pr.status == PushStatus::rejected) {
              ++rejected;
              continue;
            }
            if (pr.status == PushStatus::duplicate) ++duplicates;
            ++acknowledged[pr.id];
          }
          acked_total += r->results.size();
          if (failover_started) acked_after_failover += r->results.size();
          if (refused_any[t] && !recovered[t]) {
            recovered[t] = true;
            first_success_after[t] = Clock::now();
          }
          break;
        }
        {
          std::lock_guard<std::mutex> l(mu);
          if (res && res->body.find("lost while committing") != std::string::npos) ++lost_in_commit;
          if (!refused_any[t]) first_refusal[t] = Clock::now();
          refused_any[t] = true;
          ++retries[t];
        }
        if (stop) return;  // unanswered at the end: not acknowledged, not counted
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(pusher, t);

  auto wait_for = [&](std::atomic<size_t>& counter, size_t n, int seconds) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (counter < n && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return counter >= n;
  };
  // Pushes flow, then the primary dies mid-stream and the standby takes over.
  const bool flowing = wait_for(acked_total, 400, 30);
  std::string out;
  const int pause_rc = script_pg("pause-standby", pair.dir, &out);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const size_t stalled_from = acked_total;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const size_t stalled_to = acked_total;  // commits wait for the standby: nothing acknowledged
  const size_t before = acked_total;
  failover_started = true;
  const auto killed_at = Clock::now();
  const int kill_rc = script_pg("kill-primary", pair.dir, &out);
  const auto killed_done = Clock::now();
  const int resume_rc = script_pg("resume-standby", pair.dir, &out);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the operator's reaction, shortened
  const int promote_rc = script_pg("promote", pair.dir, &out);
  const auto promoted_at = Clock::now();
  // Pushes succeed again, for every thread, and go on for a while.
  const bool resumed = wait_for(acked_after_failover, 400, 30);
  const auto resumed_deadline = Clock::now() + std::chrono::seconds(20);
  for (;;) {
    {
      std::lock_guard<std::mutex> l(mu);
      bool all = true;
      for (int t = 0; t < kThreads; ++t) all = all && (!refused_any[t] || recovered[t]);
      if (all) break;
    }
    if (Clock::now() > resumed_deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  for (auto& th : threads) th.join();
  for (const auto& e : thread_errors) FAIL_CHECK(e);
  CHECK(flowing);
  CHECK(pause_rc == 0);
  CHECK(stalled_to == stalled_from);
  CHECK(kill_rc == 0);
  CHECK(resume_rc == 0);
  CHECK(lost_in_commit >= 1);
  INFO(out);
  CHECK(promote_rc == 0);
  CHECK(resumed);
  CHECK(rejected == 0);

  // How long pushes were refused: from the first refusal after the kill to
  // the last thread's first success.
  Clock::time_point refused_from = promoted_at, refused_until = killed_at;
  size_t total_retries = 0;
  bool any_refused = false;
  for (int t = 0; t < kThreads; ++t) {
    total_retries += retries[t];
    if (!refused_any[t]) continue;
    any_refused = true;
    CHECK(recovered[t]);
    refused_from = std::min(refused_from, first_refusal[t]);
    if (recovered[t]) refused_until = std::max(refused_until, first_success_after[t]);
  }
  CHECK(any_refused);  // else the failover happened between pushes: the test proved little
  const double window = any_refused ? seconds_between(refused_from, refused_until) : 0.0;
  const double after_promote = seconds_between(promoted_at, refused_until);
  CHECK(after_promote < 10.0);

  // Every acknowledged operation, exactly once, in the promoted database...
  size_t in_db = 0, twice_in_db = 0, missing_in_db = 0;
  {
    PGconn* pg = PQconnectdb(pair.conninfo.c_str());
    REQUIRE(PQstatus(pg) == CONNECTION_OK);
    PGresult* r = PQexec(pg, "SELECT pg_is_in_recovery(), inet_server_port()");
    REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    CHECK(std::string(PQgetvalue(r, 0, 0)) == "f");
    PQclear(r);
    r = PQexec(pg, "SELECT op_id, COUNT(*) FROM dianhong.ops GROUP BY op_id");
    REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    std::map<std::string, int> stored;
    for (int i = 0; i < PQntuples(r); ++i) stored[PQgetvalue(r, i, 0)] = std::atoi(PQgetvalue(r, i, 1));
    PQclear(r);
    PQfinish(pg);
    in_db = stored.size();
    for (const auto& [id, n] : stored) twice_in_db += n > 1 ? 1 : 0;
    for (const auto& [id, n] : acknowledged) missing_in_db += stored.count(id) ? 0 : 1;
  }
  // ...and in a pull from the server, whose state is their fold.
  auto c = server.client();
  auto all = pull_everything(*c);
  std::set<std::string> pulled;
  for (const auto& p : all) pulled.insert(p.op.id.to_string());
  size_t missing_in_pull = 0;
  for (const auto& [id, n] : acknowledged) missing_in_pull += pulled.count(id) ? 0 : 1;
  State folded;
  for (const auto& p : all) folded.apply(p.op);
  auto hres = c->Get("/api/v1/health");
  REQUIRE(hres);
  REQUIRE(hres->status == 200);
  auto health = decode_health(hres->body);
  REQUIRE(health.ok());

  std::printf(
      "pg failover: %zu operations acknowledged (%zu before the kill, %zu answered \"duplicate\" on a retry), "
      "%zu in the promoted database, %zu pulled; missing: %zu in the database, %zu in the pull; stored twice: %zu; "
      "%zu pushes answered 503 with the COMMIT's outcome unknown\n"
      "pg failover: pushes refused for %.2f s (first refusal to the last thread's first success; kill-primary "
      "took %.2f s, then 0.30 s before promote), %.2f s after the promotion returned; %zu pushes sent again\n",
      acknowledged.size(), before, duplicates, in_db, all.size(), missing_in_db, missing_in_pull, twice_in_db,
      lost_in_commit, window,
      seconds_between(killed_at, killed_done), after_promote, total_retries);

  CHECK(acknowledged.size() >= 800);
  CHECK(missing_in_db == 0);
  CHECK(twice_in_db == 0);
  CHECK(missing_in_pull == 0);
  CHECK(pulled.size() == all.size());
  CHECK(all.size() == in_db);
  CHECK(health->ops == in_db);
  CHECK(folded.hash_hex() == health->state_hash);
  CHECK(server.stop() == 0);
#endif
}
