// The shared PostgreSQL connections of a county on one database
// (server/pg_pool.h): stores in different schemas on one pool stay apart,
// each schema has its own append lock and push channel, two pools (two
// server processes) on one schema never let a pull skip an operation, and a
// nested lease cannot deadlock a pool of one connection.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "../skip.h"
#include "core/operation.h"
#include "pg_test_db.h"

#ifdef DH_HAVE_LIBPQ
#include "server/pg_op_store.h"
#include "server/pg_pool.h"
#endif

namespace dh {
namespace {

#ifdef DH_HAVE_LIBPQ
// n operations of a device, with their bodies.
struct MadeOps {
  std::vector<Operation> ops;
  std::vector<std::string> bodies;
  std::vector<OpStore::NewOp> news() const {
    std::vector<OpStore::NewOp> out;
    for (size_t i = 0; i < ops.size(); ++i) out.push_back(OpStore::NewOp{&ops[i], bodies[i], 1, "t"});
    return out;
  }
};
MadeOps make_ops(const std::string& device, uint64_t first_seq, int n) {
  MadeOps m;
  for (int i = 0; i < n; ++i) {
    Operation op;
    const uint64_t seq = first_seq + static_cast<uint64_t>(i);
    op.id = OpId{device, seq};
    op.hlc = Hlc{1767225600000 + static_cast<int64_t>(seq), 0};
    op.author = "staff:t";
    op.type = "note.create";
    op.payload = Json{{"entity", device + "-" + std::to_string(seq)}, {"text", "x"}};
    m.ops.push_back(op);
  }
  for (const Operation& op : m.ops) m.bodies.push_back(to_json_text(op));
  return m;
}
#endif

}  // namespace

TEST_CASE("pg pool: stores of two schemas on one pool are apart", "[server][postgres][pg_pool]") {
#ifdef DH_HAVE_LIBPQ
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  auto pool = PgPool::open(db.conninfo(), 2);
  REQUIRE(pool.ok());
  auto a = PgOpStore::open(pool.value(), "dh_a");
  auto b = PgOpStore::open(pool.value(), "dh_b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK_FALSE(PgOpStore::open(pool.value(), "dh_a; DROP TABLE x").ok());
  CHECK_FALSE(PgOpStore::open(pool.value(), "Upper").ok());
  CHECK(PgOpStore::lock_key_for("dh_a") != PgOpStore::lock_key_for("dh_b"));
  CHECK(PgOpStore::lock_key_for("dianhong") == PgOpStore::kAppendLockKey);

  // Each schema hears its own commits only.
  std::mutex mu;
  std::condition_variable cv;
  uint64_t heard_a = 0, heard_b = 0;
  a.value()->watch_commits([&](uint64_t seq) {
    std::lock_guard<std::mutex> l(mu);
    heard_a = seq;
    cv.notify_all();
  });
  b.value()->watch_commits([&](uint64_t seq) {
    std::lock_guard<std::mutex> l(mu);
    heard_b = seq;
    cv.notify_all();
  });
  MadeOps in_a = make_ops("dev-a", 1, 3), in_b = make_ops("dev-b", 1, 1);
  REQUIRE(a.value()->append_pending(in_a.news()).ok());
  REQUIRE(b.value()->append_pending(in_b.news()).ok());
  CHECK(a.value()->head() == 3);
  CHECK(b.value()->head() == 1);
  CHECK(a.value()->find(in_b.ops[0].id.to_string()).value() == std::nullopt);
  CHECK(b.value()->find(in_a.ops[0].id.to_string()).value() == std::nullopt);
  {
    std::unique_lock<std::mutex> l(mu);
    CHECK(cv.wait_for(l, std::chrono::seconds(10), [&] { return heard_a == 3 && heard_b == 1; }));
  }
  a.value()->watch_commits(nullptr);
  b.value()->watch_commits(nullptr);
  auto head_b = PgOpStore::peek_head(*pool.value(), "dh_b");
  REQUIRE(head_b.ok());
  CHECK(head_b.value() == 1);
  auto head_none = PgOpStore::peek_head(*pool.value(), "dh_none");
  REQUIRE(head_none.ok());
  CHECK(head_none.value() == 0);
  CHECK(pool.value()->connections() <= 2 * 2);
#else
  DH_SKIP("this build has no libpq");
#endif
}

TEST_CASE("pg pool: a nested lease of a one-connection pool does not wait for itself", "[server][postgres][pg_pool]") {
#ifdef DH_HAVE_LIBPQ
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  auto pool = PgPool::open(db.conninfo(), 1);
  REQUIRE(pool.ok());
  auto store = PgOpStore::open(pool.value(), "dh_one");
  REQUIRE(store.ok());
  MadeOps first = make_ops("dev", 1, 2);
  REQUIRE(store.value()->append_pending(first.news()).ok());
  // decide runs inside the append transaction (a connection held) and reads
  // the store: a second connection, not a deadlock.
  MadeOps more = make_ops("dev", 3, 1);
  auto pending = store.value()->append_after(2, [&](const OpStore::Page& tail) -> Result<OpStore::Batch> {
    CHECK(tail.rows.empty());
    auto found = store.value()->find(first.ops[1].id.to_string());
    REQUIRE(found.ok());
    CHECK(found.value().has_value());
    return OpStore::Batch{more.news(), {}};
  });
  REQUIRE(pending.ok());
  CHECK(pending->seqs == std::vector<uint64_t>{3});
  // Another thread waits for the one connection, then gets it.
  std::atomic<bool> done{false};
  {
    auto held = pool.value()->lease();
    REQUIRE(held.ok());
    std::thread other([&] {
      auto l = pool.value()->lease();
      done = l.ok();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK_FALSE(done.load());
    held = PgPool::Lease();  // gives it back
    other.join();
  }
  CHECK(done.load());
  CHECK(pool.value()->connections() <= 2);
#else
  DH_SKIP("this build has no libpq");
#endif
}

TEST_CASE("pg pool: two pools append to one schema; a pulling cursor never skips", "[server][postgres][pg_pool]") {
#ifdef DH_HAVE_LIBPQ
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  auto p1 = PgPool::open(db.conninfo(), 3);
  auto p2 = PgPool::open(db.conninfo(), 3);
  REQUIRE(p1.ok());
  REQUIRE(p2.ok());
  auto s1 = PgOpStore::open(p1.value(), "dh_x");
  auto s2 = PgOpStore::open(p2.value(), "dh_x");
  auto other = PgOpStore::open(p1.value(), "dh_y");  // busy on the same pool meanwhile
  REQUIRE(s1.ok());
  REQUIRE(s2.ok());
  REQUIRE(other.ok());
  constexpr int kPerWriter = 60;
  std::atomic<bool> writing{true};
  std::vector<std::string> seen;
  std::string problem;
  std::thread reader([&] {
    uint64_t cursor = 0;
    for (;;) {
      const bool last = !writing.load();
      auto page = s1.value()->read_page(cursor, 1000);
      if (!page.ok()) {
        problem = page.error().message;
        return;
      }
      for (const auto& row : page->rows) {
        if (row.seq != cursor + 1) problem = "seq " + std::to_string(row.seq) + " after " + std::to_string(cursor);
        cursor = row.seq;
        seen.push_back(row.body);
      }
      if (last) return;
    }
  });
  auto write = [&](OpStore& store, const std::string& device) {
    for (int i = 0; i < kPerWriter; ++i) {
      MadeOps m = make_ops(device, static_cast<uint64_t>(i + 1), 1);
      REQUIRE(store.append_pending(m.news()).ok());
    }
  };
  std::thread w1([&] { write(*s1.value(), "w1"); });
  std::thread w2([&] { write(*s2.value(), "w2"); });
  std::thread w3([&] { write(*other.value(), "w3"); });
  w1.join();
  w2.join();
  w3.join();
  writing = false;
  reader.join();
  CHECK(problem.empty());
  CHECK(seen.size() == 2 * kPerWriter);
  CHECK(s2.value()->head() == 2 * kPerWriter);
  CHECK(other.value()->head() == kPerWriter);

  // A catch-up longer than a page (1,000) inside the append transaction:
  // every row, in order, and the next seq after all of them.
  MadeOps many = make_ops("bulk", 1, 1500);
  REQUIRE(s2.value()->append_pending(many.news()).ok());
  MadeOps one = make_ops("late", 1, 1);
  size_t tail_rows = 0;
  bool ordered = true;
  auto appended = s1.value()->append_after(2 * kPerWriter, [&](const OpStore::Page& tail) -> Result<OpStore::Batch> {
    tail_rows = tail.rows.size();
    for (size_t i = 0; i < tail.rows.size(); ++i) ordered = ordered && tail.rows[i].seq == 2 * kPerWriter + 1 + i;
    return OpStore::Batch{one.news(), {}};
  });
  REQUIRE(appended.ok());
  CHECK(tail_rows == 1500);
  CHECK(ordered);
  CHECK(appended->seqs == std::vector<uint64_t>{2 * kPerWriter + 1500 + 1});
#else
  DH_SKIP("this build has no libpq");
#endif
}

}  // namespace dh
