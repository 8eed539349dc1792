// The server's operation store on SQLite (op_store.h is the interface): one SQLite database (DIR/server.sqlite) in WAL
// mode. A commit is on disk (the WAL fsynced) before append() returns, and
// before the server answers a push: group commit, below.
//
//   ops(seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the global sequence number
//       op_id TEXT UNIQUE,                      -- "device:dev_seq"
//       device TEXT, dev_seq INTEGER,           -- the op id's parts
//       hlc TEXT, author TEXT, type TEXT,
//       body TEXT,                              -- canonical JSON of the op
//       received_ms INTEGER, pushed_by TEXT)    -- when and from which device
//
//   rejected(op_id TEXT PRIMARY KEY,            -- an operation the server refused
//            body TEXT,                          -- its canonical JSON
//            code TEXT, reason TEXT,             -- the answer it got
//            rejected_ms INTEGER, pushed_by TEXT)
//
//   withdrawn(seq INTEGER PRIMARY KEY,          -- hub mode: a stored op the parent
//             op_id TEXT UNIQUE,                --   refused, at a seq of the ops
//             code TEXT, reason TEXT,           --   sequence (a gap in ops), so pulls
//             withdrawn_ms INTEGER)             --   deliver it in order
//   upstream(name TEXT PRIMARY KEY, value TEXT) -- hub mode: its cursors
//
// AUTOINCREMENT: a seq is never reused, even after the highest row is gone,
// so a client cursor can never skip an operation. The rejected table makes a
// refusal final: the same operation pushed again gets the same answer
// (docs/sync-protocol.md). PRAGMA user_version is the schema version (2; a
// version-1 file gains the rejected table when opened).
//
// Contracts
// - append() is all or nothing (one transaction).
// - Reads use their own connections (four, leased to one caller at a time),
//   so pulls do not wait for a push nor, mostly, for each other (WAL readers
//   see the last committed transaction). A ":memory:" store (tests) has one
//   connection for everything.
// - Thread-safe: each connection has its own mutex.
// - One OpStore writes a database file (the server's data folder is locked):
//   it keeps, per device, the highest dev_seq it holds in `ops` or
//   `rejected` (read at open, raised by every write), so find() and
//   find_rejection() of an id above that mark answer "absent" without a
//   query. A push of new operations then costs no lookups; the answer is the
//   same as the query's.
// - WAL checkpoints (copying the WAL into the database file, fsynced) run on
//   a thread of their own with its own connection, started when a commit
//   leaves 1,000 pages or more in the WAL, instead of inside the commit
//   that crossed the mark: a push waits only for its own WAL fsync. The
//   durability of a commit is the WAL's fsync either way.
// - Group commit (docs/sync-protocol.md "Durability"): the writer commits
//   with synchronous=NORMAL (no fsync inside COMMIT) and every commit takes a
//   ticket; wait_durable(t) returns once one fdatasync of the WAL file,
//   started after commit t, has returned. Whoever waits first runs that
//   fsync for everyone committed by then; the others wait for it, so pushes
//   that arrive together share one fsync instead of queueing for one each.
//   WAL frames are appended in commit order, so a durable ticket makes every
//   earlier one durable too. Readers never see past durable_seq(): a pull
//   cannot hand out an operation that a power cut could still take back.
//   A failed fsync is final for this process (the page cache can no longer be
//   trusted): every later write and wait returns "store_error" until the
//   server is restarted, which reads what the disk holds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "server/op_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dh {

class SqliteOpStore final : public OpStore {
 public:
  // path: a file path, or ":memory:" for a private in-memory store.
  static Result<std::unique_ptr<SqliteOpStore>> open(const std::string& path);
  ~SqliteOpStore() override;

  Result<Pending> append_pending(const std::vector<NewOp>& ops, const std::vector<Rejection>& rejections = {}) override;
  uint64_t committed_ticket() const override;
  Status wait_durable(uint64_t ticket) override;
  uint64_t durable_seq() const override { return durable_seq_.load(); }
  // Tests: replaces the WAL fdatasync (the hook returns 0 or an errno value)
  // to hold a group commit open or make it fail. Set before any write.
  void set_sync_hook_for_test(std::function<int()> hook) { sync_hook_ = std::move(hook); }
  uint64_t fsyncs() const { return fsyncs_.load(); }  // group syncs run since open
  Result<std::optional<Rejection>> find_rejection(const std::string& op_id) override;
  uint64_t rejection_count() override;
  Result<std::vector<Row>> read_after(uint64_t after, size_t limit) override;
  Result<std::optional<Row>> find(const std::string& op_id) override;
  Status for_each(const std::function<Status(const Row&)>& fn) override;
  uint64_t count() override;
  uint64_t head() override;
  Result<uint64_t> withdraw(const Rejection& r) override;
  Result<std::vector<Withdrawal>> withdrawals_after(uint64_t after, size_t limit) override;
  Result<Page> read_page(uint64_t after, size_t limit) override;
  Result<std::string> upstream_value(const std::string& name) override;
  Status set_upstream_value(const std::string& name, const std::string& value) override;

 private:
  struct Conn;
  SqliteOpStore();
  // Both reads, up to `through` (a durable seq).
  Result<std::vector<Row>> read_rows(uint64_t after, size_t limit, uint64_t through);
  Result<std::vector<Withdrawal>> read_withdrawals(uint64_t after, size_t limit, uint64_t through);
  std::unique_ptr<Conn> writer_;
  // Read connections (file stores; none: use writer_). Several, so pulls of
  // many devices at once do not queue behind one connection's mutex.
  std::vector<std::unique_ptr<Conn>> readers_;
  std::atomic<size_t> next_reader_{0};
  // device -> highest dev_seq in ops or rejected (guarded by writer_->mu).
  std::unordered_map<std::string, uint64_t> highest_;
  void raise_mark(const std::string& device, uint64_t seq);
  void raise_mark(const std::string& op_id);
  bool certainly_absent(const std::string& op_id) const;  // by the marks alone
  Status read_marks();
  // A read connection, locked for the caller: a free one if any, else waits.
  std::pair<Conn*, std::unique_lock<std::mutex>> lease_reader();

  // Group commit. commit_mu_ guards the committed_* pair and the sync state.
  uint64_t note_commit(uint64_t last_seq);  // caller holds writer_->mu, after COMMIT; the ticket
  Status sync_wal();                    // fdatasync (or the test hook)
  int wal_fd_ = -1;                     // the WAL file (file stores), for fdatasync
  std::function<int()> sync_hook_;
  mutable std::mutex commit_mu_;
  std::condition_variable durable_cv_;
  uint64_t committed_ticket_ = 0, committed_seq_ = 0, durable_ticket_ = 0;
  std::atomic<uint64_t> durable_seq_{0};
  std::atomic<uint64_t> fsyncs_{0};
  bool syncing_ = false;
  std::optional<Error> sync_failed_;

  // Background checkpoints (file stores only).
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  void checkpoint_loop();
  sqlite3* checkpoint_db_ = nullptr;
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false, checkpoint_stop_ = false;
};

}  // namespace dh
