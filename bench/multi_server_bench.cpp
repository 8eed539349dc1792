// multi_server_bench: what serving one PostgreSQL database from two server
// processes costs a push (docs/sync-protocol.md "Several servers on one
// database"). In one process, transport-free (SyncService::push, as the
// HTTP route calls it), the demo log (N operations) is pushed in batches of B:
//
//   reference  one SyncService on its own database: every push is decided
//              against the state it already holds (the catch-up reads an
//              empty tail);
//   two        two SyncServices, each with its own PgOpStore connections,
//              on one database, the batches sent alternately to each, as
//              devices behind nginx do: every push first folds the batch the
//              other stored before it (the catch-up), then decides.
//
//   multi_server_bench --pg ADMIN_CONNINFO [--households H] [--batch B]
//
// ADMIN_CONNINFO: a connection string whose user may CREATE DATABASE
// (script/pg start DIR prints one); the bench makes and drops its two
// databases. Prints wall seconds and operations per second of each, and
// the ratio; both must end on the same state hash.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../tests/server/pg_cluster.h"
#include "core/demo.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/sync_service.h"

using namespace dh;

namespace {

std::unique_ptr<SyncService> open_service(const std::string& conninfo) {
  auto store = open_op_store(conninfo);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    std::exit(1);
  }
  auto svc = SyncService::open(std::move(store).value());
  if (!svc) {
    std::fprintf(stderr, "%s\n", svc.error().message.c_str());
    std::exit(1);
  }
  return std::move(svc).value();
}

// Pushes ops in batches, batch k to services[k % n]; wall seconds.
double push_all(const std::vector<Operation>& ops, size_t batch, const std::vector<SyncService*>& services) {
  OpenAccess open;
  const Principal who{"demo", "open"};
  const int64_t now_ms = 4102444800000;  // 2100: no demo stamp is ahead of it
  const auto t0 = std::chrono::steady_clock::now();
  size_t k = 0;
  for (size_t start = 0; start < ops.size(); start += batch, ++k) {
    sync::PushRequest req;
    req.device = "demo";
    for (size_t i = start; i < ops.size() && i < start + batch; ++i) {
      sync::PushItem item;
      item.id = ops[i].id.to_string();
      item.op = ops[i];
      req.items.push_back(std::move(item));
    }
    auto resp = services[k % services.size()]->push(req, who, open, now_ms);
    if (!resp) {
      std::fprintf(stderr, "push failed: %s\n", resp.error().message.c_str());
      std::exit(1);
    }
    for (const auto& r : resp->results) {
      if (r.status != sync::PushStatus::accepted) {
        std::fprintf(stderr, "operation %s was not accepted: %s\n", r.id.c_str(), r.reason.c_str());
        std::exit(1);
      }
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string admin;
  DemoOptions demo;
  demo.households = 600;
  size_t batch = 100;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--pg") admin = next();
    else if (a == "--households") demo.households = std::atoi(next().c_str());
    else if (a == "--batch") batch = static_cast<size_t>(std::atol(next().c_str()));
    else {
      std::fprintf(stderr, "usage: multi_server_bench --pg ADMIN_CONNINFO [--households H] [--batch B]\n");
      return 2;
    }
  }
  if (admin.empty()) {
    std::fprintf(stderr, "multi_server_bench needs --pg ADMIN_CONNINFO (script/pg start DIR prints one)\n");
    return 2;
  }
  if (batch == 0 || demo.households <= 0) return 2;
  const auto ops = generate_demo(demo);
  std::printf("%zu operations (demo, %d households), batches of %zu\n", ops.size(), demo.households, batch);

  const std::string one_db = "dh_bench_multi_one", two_db = "dh_bench_multi_two";
  for (const auto& name : {one_db, two_db}) {
    if (std::string e = test::pg_make_database(admin, name, true); !e.empty()) {
      std::fprintf(stderr, "%s\n", e.c_str());
      return 1;
    }
  }
  double reference = 0, two = 0;
  std::string hash_one, hash_a, hash_b;
  {
    auto svc = open_service(test::pg_conninfo_with_dbname(admin, one_db));
    reference = push_all(ops, batch, {svc.get()});
    hash_one = svc->state_hash();
  }
  {
    const std::string conninfo = test::pg_conninfo_with_dbname(admin, two_db);
    auto a = open_service(conninfo);
    auto b = open_service(conninfo);
    two = push_all(ops, batch, {a.get(), b.get()});
    hash_a = a->state_hash();
    hash_b = b->state_hash();
  }
  test::pg_drop_database(admin, one_db);
  test::pg_drop_database(admin, two_db);

  const double n = static_cast<double>(ops.size());
  std::printf("reference, one server:            %.2f s, %.0f ops/s\n", reference, n / reference);
  std::printf("two servers, batches alternating: %.2f s, %.0f ops/s (%.2fx the reference's time)\n", two, n / two,
              two / reference);
  std::printf("state hashes: %s (one), %s / %s (two)\n", hash_one.c_str(), hash_a.c_str(), hash_b.c_str());
  if (hash_one != hash_a || hash_a != hash_b) {
    std::fprintf(stderr, "the state hashes differ\n");
    return 1;
  }
  return 0;
}
