// The real dianhong_server process with its operations in PostgreSQL
// (--store CONNINFO; devices and the lock stay in --data): pushes, pulls,
// a restart, and a SIGKILL during pushes that loses nothing acknowledged.
// Runs on a fresh database of the cluster in $DH_TEST_PG
// (tests/server/pg_test_db.h); skipped, and said so, without one.
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "core/demo.h"
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

std::vector<PulledOp> pull_everything(httplib::Client& c) {
  std::vector<PulledOp> all;
  uint64_t after = 0;
  for (;;) {
    auto res = c.Get(("/api/v1/ops?after=" + std::to_string(after) + "&limit=500").c_str());
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

std::string fold_hash(const std::vector<PulledOp>& ops) {
  State s;
  for (const auto& p : ops) s.apply(p.op);
  return s.hash_hex();
}

Health health_of(httplib::Client& c) {
  auto res = c.Get("/api/v1/health");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto h = decode_health(res->body);
  REQUIRE(h.ok());
  return h.value();
}

}  // namespace

TEST_CASE("server on PostgreSQL: push, pull, restart, SIGKILL loses nothing acknowledged",
          "[native][server][postgres]") {
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  TempDir data;
  DemoOptions o;
  o.households = 120;
  auto ops = generate_demo(o);
  REQUIRE(ops.size() > 400);
  const size_t batch = 40;

  std::set<std::string> acknowledged;
  size_t next = 0;
  {
    ServerProcess server(data.path(), {"--store", db.conninfo()});
    REQUIRE(server.start());
    INFO(server.output());
    CHECK(server.output().find("Store PostgreSQL ") != std::string::npos);
    CHECK(server.output().find("password") == std::string::npos);
    auto c = server.client();
    // The first half, in batches, each answered "accepted" with rising seqs.
    uint64_t last = 0;
    while (next < ops.size() / 2) {
      const size_t end = std::min(ops.size(), next + batch);
      std::vector<Operation> b(ops.begin() + next, ops.begin() + end);
      auto res = c->Post("/api/v1/ops", encode_push_request("demo", b), "application/json");
      REQUIRE(res);
      INFO(res->body);
      REQUIRE(res->status == 200);
      auto r = decode_push_response(res->body);
      REQUIRE(r.ok());
      for (const auto& pr : r->results) {
        REQUIRE(pr.status == PushStatus::accepted);
        CHECK(pr.seq > last);
        last = pr.seq;
        acknowledged.insert(pr.id);
      }
      next = end;
    }
    // A replay is all duplicates.
    std::vector<Operation> again(ops.begin(), ops.begin() + batch);
    auto res = c->Post("/api/v1/ops", encode_push_request("demo", again), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto r = decode_push_response(res->body);
    REQUIRE(r.ok());
    for (const auto& pr : r->results) CHECK(pr.status == PushStatus::duplicate);

    auto all = pull_everything(*c);
    CHECK(all.size() == acknowledged.size());
    CHECK(fold_hash(all) == health_of(*c).state_hash);
    CHECK(health_of(*c).head == last);
    CHECK(server.stop() == 0);
  }

  // The rest while the server is killed mid-stream.
  {
    ServerProcess server(data.path(), {"--store", db.conninfo()});
    REQUIRE(server.start());
    auto c = server.client();
    auto all = pull_everything(*c);
    CHECK(all.size() == acknowledged.size());  // the restart read it all back
    std::atomic<size_t> acked_batches{0};
    std::atomic<bool> refused{false};
    std::thread pusher([&] {
      auto pc = server.client();
      while (next < ops.size()) {
        const size_t end = std::min(ops.size(), next + batch);
        std::vector<Operation> b(ops.begin() + next, ops.begin() + end);
        auto res = pc->Post("/api/v1/ops", encode_push_request("demo", b), "application/json");
        if (!res || res->status != 200) break;  // the server died under us
        auto r = decode_push_response(res->body);
        if (!r.ok()) break;
        for (const auto& pr : r->results) {
          if (pr.status == PushStatus::rejected) refused = true;
          acknowledged.insert(pr.id);
        }
        next = end;
        ++acked_batches;
      }
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acked_batches < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server.crash();
    pusher.join();
    CHECK_FALSE(refused.load());
  }

  ServerProcess server(data.path(), {"--store", db.conninfo()});
  REQUIRE(server.start());
  auto c = server.client();
  auto all = pull_everything(*c);
  std::set<std::string> stored;
  for (auto& p : all) stored.insert(p.op.id.to_string());
  CHECK(stored.size() == all.size());  // none stored twice
  size_t missing = 0;
  for (const auto& id : acknowledged) missing += stored.count(id) ? 0 : 1;
  CHECK(missing == 0);
  CHECK(fold_hash(all) == health_of(*c).state_hash);
  // The data folder's SQLite file holds devices, not operations.
  CHECK(health_of(*c).ops == all.size());
}
