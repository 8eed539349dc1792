// Group commit (op_store.h, docs/sync-protocol.md "Durability"): a push is
// answered only after the WAL fsync that covers it has returned, no pull sees
// an operation before that, pushes that wait together share one fsync, and a
// failed fsync stops the store without losing what the disk holds. The store
// is a real SQLite file; the test hook stands in for fdatasync only to hold
// it open (and then calls the real one) or to make it fail.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/demo.h"
#include "server/auth.h"
#include "server/sqlite_op_store.h"
#include "server/sync_service.h"
#include "push_request.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

using test::request_of;

// A gate the fsync hook waits at while it is closed.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool closed = false;
  int entered = 0;  // hook calls that reached the gate
  void close() {
    std::lock_guard<std::mutex> l(mu);
    closed = true;
  }
  void open() {
    {
      std::lock_guard<std::mutex> l(mu);
      closed = false;
    }
    cv.notify_all();
  }
  void pass() {
    std::unique_lock<std::mutex> l(mu);
    ++entered;
    cv.notify_all();
    cv.wait(l, [&] { return !closed; });
  }
  void wait_entered(int n) {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return entered >= n; });
  }
};

// Demo operations, and a server clock after their last stamp.
std::vector<Operation> demo_ops(int64_t* now) {
  DemoOptions o;
  o.households = 12;
  auto ops = generate_demo(o);
  *now = 1767225600000;
  for (const auto& op : ops) *now = std::max(*now, op.hlc.wall_ms + 1000);
  return ops;
}

std::vector<Operation> slice(const std::vector<Operation>& ops, size_t from, size_t to) {
  return std::vector<Operation>(ops.begin() + static_cast<long>(from), ops.begin() + static_cast<long>(to));
}

size_t pulled_count(SyncService& svc, uint64_t after, int64_t now) {
  auto page = svc.pull(sync::PullQuery{after, 1000}, now);
  REQUIRE(page.ok());
  auto decoded = sync::decode_pull_response(page.value());
  REQUIRE(decoded.ok());
  return decoded->ops.size();
}

}  // namespace

TEST_CASE("group commit: answered after the fsync, unseen by pulls before it, one fsync for pushes that wait together",
          "[native][server][durability]") {
  dh::test::TempDir dir;
  const std::string path = dir.path() + "/server.sqlite";
  int64_t now = 0;
  auto ops = demo_ops(&now);
  REQUIRE(ops.size() > 40);

  Gate gate;
  auto opened = SqliteOpStore::open(path);
  REQUIRE(opened.ok());
  SqliteOpStore* store = opened.value().get();
  int wal_fd = -1;  // the hook runs the real fsync after the gate
  store->set_sync_hook_for_test([&] {
    gate.pass();
    if (wal_fd < 0) wal_fd = ::open((path + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
    return ::fdatasync(wal_fd) == 0 ? 0 : errno;
  });
  auto svc_r = SyncService::open(std::move(opened).value());
  REQUIRE(svc_r.ok());
  SyncService& svc = *svc_r.value();
  OpenAccess open;
  Principal who{"demo", "open"};

  // First part with the gate open: stored, answered, pulled.
  const size_t first = ops.size() - 4;
  auto r0 = svc.push(request_of("demo", slice(ops, 0, first)), who, open, now);
  REQUIRE(r0.ok());
  const uint64_t head0 = svc.head();
  CHECK(head0 == first);
  CHECK(store->durable_seq() == head0);
  const uint64_t syncs0 = store->fsyncs();
  const int entered0 = gate.entered;

  // Push A (one new op) with the gate closed: committed, not answered, not pulled.
  gate.close();
  auto push_a = std::async(std::launch::async, [&] { return svc.push(request_of("demo", slice(ops, first, first + 1)), who, open, now); });
  gate.wait_entered(entered0 + 1);
  const uint64_t ticket_a = store->committed_ticket();
  CHECK(push_a.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout);
  CHECK(store->durable_seq() == head0);
  CHECK(pulled_count(svc, head0, now) == 0);  // committed, but no pull hands it out yet
  CHECK(svc.head() == head0);                 // nor does the push channel announce it

  // B, C: new ops; D: A's op again. Each commits (or looks) under the push
  // lock without waiting for A's fsync, then waits.
  // B before C (the demo's operations in their order: a later one may need
  // an earlier one, and which of two threads takes the push lock first is
  // the scheduler's choice).
  auto committed = [&](uint64_t t) {
    while (store->committed_ticket() < t) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  };
  auto push_b = std::async(std::launch::async, [&] { return svc.push(request_of("demo", slice(ops, first + 1, first + 2)), who, open, now); });
  committed(ticket_a + 1);
  auto push_c = std::async(std::launch::async, [&] { return svc.push(request_of("demo", slice(ops, first + 2, first + 4)), who, open, now); });
  committed(ticket_a + 2);
  auto push_d = std::async(std::launch::async, [&] { return svc.push(request_of("demo", slice(ops, first, first + 1)), who, open, now); });
  // D answers "duplicate" from A's row, which is not on disk yet: it must wait too.
  CHECK(push_d.wait_for(std::chrono::milliseconds(150)) == std::future_status::timeout);
  CHECK(push_b.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  CHECK(push_c.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  CHECK(store->fsyncs() == syncs0);  // A's fsync is still running (held at the gate)

  gate.open();
  auto ra = push_a.get(), rb = push_b.get(), rc = push_c.get(), rd = push_d.get();
  REQUIRE(ra.ok());
  REQUIRE(rb.ok());
  REQUIRE(rc.ok());
  REQUIRE(rd.ok());
  CHECK(ra->results[0].status == sync::PushStatus::accepted);
  CHECK(rb->results[0].status == sync::PushStatus::accepted);
  CHECK(rc->results[0].status == sync::PushStatus::accepted);
  CHECK(rd->results[0].status == sync::PushStatus::duplicate);
  CHECK(rd->results[0].seq == ra->results[0].seq);
  // A's fsync, then ONE more for B and C together (D needed nothing new).
  CHECK(store->fsyncs() == syncs0 + 2);
  CHECK(store->durable_seq() == head0 + 4);
  CHECK(svc.head() == head0 + 4);
  CHECK(pulled_count(svc, head0, now) == 4);
  // Every answer carries a head that covers its own operations.
  CHECK(ra->head >= ra->results[0].seq);
  CHECK(rc->head >= rc->results[1].seq);
}

TEST_CASE("group commit: a failed fsync stops writes with a clear error; a restart serves what the disk holds",
          "[native][server][durability]") {
  dh::test::TempDir dir;
  const std::string path = dir.path() + "/server.sqlite";
  int64_t now = 0;
  auto ops = demo_ops(&now);
  const size_t first = ops.size() - 2;
  bool fail = false;
  {
    auto opened = SqliteOpStore::open(path);
    REQUIRE(opened.ok());
    opened.value()->set_sync_hook_for_test([&] { return fail ? EIO : 0; });
    auto svc_r = SyncService::open(std::move(opened).value());
    REQUIRE(svc_r.ok());
    SyncService& svc = *svc_r.value();
    OpenAccess open;
    Principal who{"demo", "open"};
    REQUIRE(svc.push(request_of("demo", slice(ops, 0, first)), who, open, now).ok());
    fail = true;
    auto r = svc.push(request_of("demo", slice(ops, first, first + 1)), who, open, now);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "store_error");
    CHECK(r.error().message.find("did not confirm") != std::string::npos);
    CHECK(pulled_count(svc, first, now) == 0);  // never confirmed, never handed out
    fail = false;                               // the disk "recovers": the store stays stopped
    auto again = svc.push(request_of("demo", slice(ops, first + 1, first + 2)), who, open, now);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "store_error");
  }
  // A restart reads what the file holds: the first part for certain; the
  // unconfirmed op may be there (it reached the page cache), never the refused one.
  auto reopened = OpStore::open(path);
  REQUIRE(reopened.ok());
  auto svc_r = SyncService::open(std::move(reopened).value());
  REQUIRE(svc_r.ok());
  const uint64_t count = svc_r.value()->head();
  CHECK(count >= first);
  CHECK(count <= first + 1);
  CHECK(pulled_count(*svc_r.value(), 0, now) == std::min<size_t>(1000, count));
}
