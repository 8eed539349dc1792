// A server process's connections to one PostgreSQL database, shared by every
// operation store (pg_op_store.h) and device registry (pg_registry.h) in it,
// and the one LISTEN connection that wakes them (docs/communities.md "One
// database for the county").
//
// Why: a county holds hundreds of communities. A store and a registry with
// connections of their own cost 6-7 PostgreSQL backends per community per
// process (1,200 at 100 communities on two servers: bench/README.md
// "county_load"); a backend is a process of ~2 MB that competes for the CPU
// whether busy or not. With a schema per community in one database, the
// process needs only as many connections as it runs queries at once.
//
// Contracts
// - lease(): a connection locked for the caller until the Lease goes, and
//   ready (pg_connection.h: a lost one is replaced first, with the same
//   connection string, and its prepared statements are forgotten). At most
//   `size` connections; a caller waits for a free one. A thread that already
//   holds a lease of this pool (a store's transaction that looks something up
//   in its decide step) never waits: it gets an extra connection, up to
//   2 x size, so nested leases cannot deadlock; a connection given back
//   while the pool is over its size is closed.
// - Conn::prepared: the statement names prepared on this connection; the
//   callers prepare lazily under names unique to the SQL text (the stores:
//   "<schema>/<statement>"), so one connection serves every schema.
// - watch(schema, head_sql, on_commit): on the listener thread,
//   on_commit(seq) for every NOTIFY on kChannel whose payload is
//   "<schema> <seq>" (commit_payload), and on_commit(head) with head_sql's
//   answer when the watch starts (within ~250 ms) and after every reconnect
//   of the listener, so a commit made while nobody listened still wakes the
//   waiters. unwatch(id) returns once no call for that watch runs; it must
//   not be called from on_commit. The listener (one connection) starts with
//   the first watch.
// - Schema names are checked (is_schema_name) before they reach SQL: they
//   are written into statements (an identifier cannot be a parameter).
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "server/pg_connection.h"

namespace dh {

class PgPool {
 public:
  static constexpr const char* kChannel = "dianhong_ops";
  static constexpr size_t kDefaultSize = 8;

  struct Conn : PgConnection {
    using PgConnection::PgConnection;
    std::unordered_set<std::string> prepared;
    // Reconnects a lost connection; UTF-8 and synchronous commits.
    Status ready();
  };

  class Lease {
   public:
    Lease() = default;
    Lease(PgPool* pool, Conn* conn) : pool_(pool), conn_(conn) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(o.conn_) { o.pool_ = nullptr, o.conn_ = nullptr; }
    Lease& operator=(Lease&& o) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }
    Conn* operator->() const { return conn_; }
    Conn& operator*() const { return *conn_; }

   private:
    void release();
    PgPool* pool_ = nullptr;
    Conn* conn_ = nullptr;
  };

  // Checks conninfo (libpq can read it) and opens one connection, so a wrong
  // address or password is reported at start. Errors: store_error.
  static Result<std::shared_ptr<PgPool>> open(const std::string& conninfo, size_t size = kDefaultSize);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  Result<Lease> lease();
  const std::string& conninfo() const { return conninfo_; }
  const std::string& where() const { return where_; }  // "host:port/db", for messages
  size_t size() const { return size_; }
  size_t connections() const;  // opened so far (the listener's not counted)

  uint64_t watch(const std::string& schema, const std::string& head_sql, std::function<void(uint64_t)> on_commit);
  void unwatch(uint64_t id);

  // "host:port/db" of a connection string (never the password).
  static std::string describe(const std::string& conninfo);
  // sql written for schema "dianhong" (every "dianhong." and the CREATE
  // SCHEMA) in `schema` instead.
  static std::string in_schema(const std::string& sql, const std::string& schema);
  // 1-63 of a-z, 0-9 and '_', starting with a letter.
  static bool is_schema_name(const std::string& name);
  // The NOTIFY payload of a commit in schema whose last seq is seq.
  static std::string commit_payload(const std::string& schema, uint64_t seq);

 private:
  struct Watch {
    std::string schema, head_sql;
    std::function<void(uint64_t)> on_commit;
    bool needs_head = true;
  };
  PgPool() = default;
  void give_back(Conn* c);
  void listen_loop();

  std::string conninfo_, where_;
  size_t size_ = kDefaultSize;
  mutable std::mutex mu_;  // the connections
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> all_;
  std::vector<Conn*> idle_;
  size_t opening_ = 0;  // connections being opened outside mu_

  std::mutex watch_mu_;  // held while a watch's on_commit runs
  std::map<uint64_t, Watch> watches_;
  uint64_t next_watch_ = 1;
  std::atomic<bool> stop_{false};
  std::thread listener_;
};

}  // namespace dh
