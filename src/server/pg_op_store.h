// The server's operation store on PostgreSQL (op_store.h is the interface),
// through libpq. Chosen by a connection string: `dianhong_server --store
// postgresql://user@host:port/db` (or libpq keyword/value conninfo).
//
// Tables: the schema "dianhong" (created at open when missing) holds
//
//   ops(seq BIGINT PRIMARY KEY, op_id TEXT UNIQUE, device TEXT, dev_seq BIGINT,
//       hlc TEXT, author TEXT, type TEXT, body TEXT, received_ms BIGINT,
//       pushed_by TEXT)
//   rejected(op_id TEXT PRIMARY KEY, body, code, reason TEXT, rejected_ms BIGINT, pushed_by TEXT)
//   withdrawn(seq BIGINT PRIMARY KEY, op_id TEXT UNIQUE, code, reason TEXT, withdrawn_ms BIGINT)
//   upstream(name TEXT PRIMARY KEY, value TEXT)
//   meta(name TEXT PRIMARY KEY, value TEXT)   -- "schema_version" = "1"
//
// the same columns as SqliteOpStore's tables.
//
// Contracts
// - Several PgOpStore instances (server processes) may append to one database
//   at once. Every appending transaction (append, withdraw) first takes the
//   transaction-scoped advisory lock of its schema (lock_key_for), then numbers its rows
//   from max(seq of ops and withdrawn) + 1 and commits. The lock is released
//   only after the commit is visible, so seqs commit in increasing order and
//   every reader's snapshot holds a prefix of the sequence: a pull never
//   passes a seq that commits later (docs/sync-protocol.md "PostgreSQL
//   store"). A rolled-back transaction leaves no gap (its numbers are taken
//   again by the next one).
// - Durability: COMMIT returns once PostgreSQL has flushed it
//   (synchronous_commit is set to "on" for the session if the server has it
//   "off"), so a commit's ticket is durable when append_pending returns and
//   wait_durable() returns at once. durable_seq() is the highest seq this
//   store committed or saw at open; reads are not capped by it, since what
//   another process committed is durable too.
// - Every query is a prepared statement with parameters (no SQL is built
//   from data); every read is bounded (LIMIT, or a page of 1,000 rows for
//   for_each).
// - Connections come from a PgPool (pg_pool.h): its own of kOwnPoolSize for
//   open(conninfo); a pool shared with every other store and registry of
//   the database for open(pool, schema) (a county: a schema per community,
//   docs/communities.md). Thread-safe: appenders of one store queue on a
//   mutex of the store before they take a connection; readers take any. A
//   connection found lost (pg_connection.h: it broke, or the server shut
//   down or became a read-only standby) is replaced, with the same
//   connection string, before its next use, its statements prepared again;
//   a read that failed on a lost connection is run once more on a new one.
//   A statement that fails returns "store_error" and stores nothing.
// - Schemas: the tables above are in schema "dianhong" for open(conninfo),
//   else in the schema given. Each schema has its own append lock key
//   (lock_key_for) and its commits are announced as "<schema> <seq>"
//   (PgPool::commit_payload), so communities never wait for one another.
// - Failover (docs/county-deployment.md): with several hosts and
//   target_session_attrs=read-write, the new connection is to whichever host
//   is the primary now. An append is reported stored only when its COMMIT
//   returned success; a connection lost during COMMIT returns "store_error"
//   although the commit may have happened (the caller re-reads the store).
// - Several servers on one database (docs/sync-protocol.md "Several servers
//   on one database"): shared() is true; append_after reads the tail and
//   appends in the one locked transaction (append_pending also takes the
//   lock, refusals included); every commit that adds seqs sends
//   NOTIFY dianhong_ops '<schema> <last seq>' inside its transaction, which
//   the pool's listener (PgPool::watch) hears.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "server/op_store.h"
#include "server/pg_pool.h"

namespace dh {

class PgOpStore final : public OpStore {
 public:
  // The advisory lock key every appending transaction takes ("DHOPSTOR").
  static constexpr int64_t kAppendLockKey = 0x44484F5053544F52;

  static constexpr const char* kDefaultSchema = "dianhong";
  static constexpr size_t kOwnPoolSize = 5;

  // conninfo: a libpq connection string (URI or keyword/value). The tables
  // in schema "dianhong", on a pool of its own.
  static Result<std::unique_ptr<PgOpStore>> open(const std::string& conninfo);
  // The tables in `schema` (PgPool::is_schema_name), on a shared pool.
  static Result<std::unique_ptr<PgOpStore>> open(std::shared_ptr<PgPool> pool, const std::string& schema);
  ~PgOpStore() override;

  Result<Pending> append_pending(const std::vector<NewOp>& ops, const std::vector<Rejection>& rejections = {}) override;
  uint64_t committed_ticket() const override { return committed_ticket_.load(); }
  Status wait_durable(uint64_t ticket) override;
  uint64_t durable_seq() const override { return durable_seq_.load(); }
  Result<std::optional<Rejection>> find_rejection(const std::string& op_id) override;
  uint64_t rejection_count() override;
  Result<std::vector<Row>> read_after(uint64_t after, size_t limit) override;
  Result<std::optional<Row>> find(const std::string& op_id) override;
  Result<std::vector<Known>> find_many(const std::vector<std::string>& op_ids) override;
  Status for_each(const std::function<Status(const Row&)>& fn) override;
  uint64_t count() override;
  uint64_t head() override;
  Result<uint64_t> withdraw(const Rejection& r) override;
  Result<std::vector<Withdrawal>> withdrawals_after(uint64_t after, size_t limit) override;
  Result<Page> read_page(uint64_t after, size_t limit) override;
  Result<std::string> upstream_value(const std::string& name) override;
  Status set_upstream_value(const std::string& name, const std::string& value) override;
  bool shared() const override { return true; }
  Result<Pending> append_after(uint64_t after, const std::function<Result<Batch>(const Page& tail)>& decide) override;
  void watch_commits(std::function<void(uint64_t seq)> on_commit) override;

  // "host:port/dbname" of the connection string, for messages (never the
  // password).
  static std::string describe(const std::string& conninfo);
  // The head (highest seq) of the store at conninfo, read on one short-lived
  // connection without opening the store: for a server that holds many
  // communities and must know whether another process wrote to a closed one
  // (communities.cpp, the county's figures). 0 when it has no tables yet.
  static Result<uint64_t> peek_head(const std::string& conninfo);
  // The same for a schema of a shared pool's database.
  static Result<uint64_t> peek_head(PgPool& pool, const std::string& schema);
  // The append lock key of a schema: kAppendLockKey for "dianhong", else a
  // hash of the name mixed with it.
  static int64_t lock_key_for(const std::string& schema);
  // The query of the highest seq given out in schema.
  static std::string head_sql(const std::string& schema);

 private:
  struct Conn;  // the statement calls on a pooled connection
  struct Stmt {
    std::string name, sql;  // name: "<schema>/<statement>"; sql: in the schema
    int params;
  };
  PgOpStore() = default;
  const Stmt& statement(const char* name) const;
  Result<PgPool::Lease> lease_reader();
  // The store's append mutex, then a connection.
  Result<std::pair<std::unique_lock<std::mutex>, PgPool::Lease>> lock_writer();
  void note_commit(uint64_t last_seq);
  // One appending transaction under the append lock: the tail after `after`
  // when read_tail, decide, insert, NOTIFY, COMMIT.
  Result<Pending> transact(uint64_t after, bool read_tail,
                           const std::function<Result<Batch>(const Page& tail)>& decide);

  std::shared_ptr<PgPool> pool_;
  std::string schema_;
  std::string where_;     // for messages
  std::string lock_key_;  // lock_key_for(schema_), as a parameter
  std::unordered_map<std::string, Stmt> statements_;
  std::mutex append_mu_;
  // The append transaction under way (under append_mu_): its connection and
  // thread. Reads from that thread (decide) run on it.
  struct InTransaction;
  PgPool::Conn* txn_conn_ = nullptr;
  std::atomic<std::thread::id> txn_thread_{};
  uint64_t watch_id_ = 0;  // PgPool::watch, 0 = none
  std::atomic<uint64_t> committed_ticket_{0};
  std::atomic<uint64_t> durable_seq_{0};
};

}  // namespace dh
