// The server's operation store: one interface, two implementations.
//
//   SqliteOpStore (sqlite_op_store.h): one SQLite file (DIR/server.sqlite),
//     the default; one server process writes it.
//   PgOpStore (pg_op_store.h): a PostgreSQL database, chosen by a connection
//     string; several server processes may append to it at once.
//
// open_op_store(spec) picks one: "postgresql://..." or "postgres://..." URIs
// and libpq keyword/value conninfo ("host=... dbname=...") open PostgreSQL;
// anything else is a SQLite path (":memory:" for a private in-memory store).
//
// What every implementation stores (names are the SQLite tables; PostgreSQL
// has the same ones in the schema "dianhong"):
//
//   ops       the accepted operations, each at a global sequence number
//             (seq), with its op id ("device:dev_seq"), canonical JSON body,
//             when it arrived and which device pushed it
//   rejected  an operation the server refused, with its code and reason: the
//             same operation pushed again gets the same answer
//             (docs/sync-protocol.md)
//   withdrawn hub mode: a stored op the parent refused, at a seq of the ops
//             sequence (a gap in ops), so pulls deliver it in order
//   upstream  hub mode: its cursors (name -> value)
//
// Contracts (both implementations; the store suite in
// tests/server/op_store_contract_test.cpp checks them on both)
// - A seq is never reused, and operations become visible to readers in seq
//   order: a reader that has seen seq n has seen every seq below n that will
//   ever exist, so a client cursor can never skip an operation, even with
//   several writers (PgOpStore: docs/sync-protocol.md "PostgreSQL store").
// - append() is all or nothing (one transaction); the refusals it records
//   keep the first answer per op id.
// - Thread-safe.
// - Durability: append_pending() commits; wait_durable(ticket) returns once
//   that commit (and so every earlier one) is on disk. Readers never see past
//   durable_seq(): a pull cannot hand out an operation that a power cut could
//   still take back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/operation.h"
#include "core/result.h"

namespace dh {

class OpStore {
 public:
  // The same as open_op_store(spec): kept so callers that name a SQLite path
  // read as before.
  static Result<std::unique_ptr<OpStore>> open(const std::string& spec);
  virtual ~OpStore() = default;
  OpStore(const OpStore&) = delete;
  OpStore& operator=(const OpStore&) = delete;

  struct NewOp {
    const Operation* op = nullptr;
    std::string body;          // canonical JSON (to_json_text(*op))
    int64_t received_ms = 0;
    std::string pushed_by;     // pushing device ("" for the server itself)
  };
  struct Rejection {
    std::string op_id;
    std::string body;  // canonical JSON of the refused operation
    std::string code;
    std::string reason;
    int64_t rejected_ms = 0;
    std::string pushed_by;
  };
  // Inserts the rows (and the refusals, first one per id wins) in one
  // transaction and returns the ops' seqs in order, once they are durable.
  // On error nothing was stored.
  Result<std::vector<uint64_t>> append(const std::vector<NewOp>& ops, const std::vector<Rejection>& rejections = {});
  // The same transaction, committed but not yet known to be on disk: the
  // caller must wait_durable(ticket) before it tells anyone (SyncService does
  // so after releasing its push lock, so the next push can go ahead).
  struct Pending {
    std::vector<uint64_t> seqs;
    uint64_t ticket = 0;
  };
  virtual Result<Pending> append_pending(const std::vector<NewOp>& ops,
                                         const std::vector<Rejection>& rejections = {}) = 0;
  // Ticket of the last commit (0: none since open).
  virtual uint64_t committed_ticket() const = 0;
  // Returns once commit `ticket` (and so every earlier one) is on disk.
  virtual Status wait_durable(uint64_t ticket) = 0;
  // Highest seq whose commit is on disk (as far as this store knows: with
  // several writers, at least every seq it committed itself or saw at open).
  virtual uint64_t durable_seq() const = 0;
  // The remembered refusal of an op id, if any.
  virtual Result<std::optional<Rejection>> find_rejection(const std::string& op_id) = 0;
  virtual uint64_t rejection_count() = 0;

  struct Row {
    uint64_t seq = 0;
    std::string body;
    std::string pushed_by;  // find() and read_after(): the authenticated device that pushed it ("" = the server)
  };
  // Rows with seq > after, ascending, at most limit.
  virtual Result<std::vector<Row>> read_after(uint64_t after, size_t limit) = 0;
  // The stored row of an op id, if any.
  virtual Result<std::optional<Row>> find(const std::string& op_id) = 0;
  // For each id, in order: its stored row and its remembered refusal, as
  // find() and find_rejection() answer them (a push's lookups at once; one
  // query on PostgreSQL, the two calls per id otherwise).
  struct Known {
    std::optional<Row> stored;
    std::optional<Rejection> refused;
  };
  virtual Result<std::vector<Known>> find_many(const std::vector<std::string>& op_ids);
  // Calls fn for every row in seq order (start-up fold); stops on error.
  virtual Status for_each(const std::function<Status(const Row&)>& fn) = 0;

  virtual uint64_t count() = 0;
  virtual uint64_t head() = 0;  // highest seq stored (operations and withdrawals), 0 when empty

  // ---- hub mode (docs/sync-protocol.md "Hub mode") ----
  struct Withdrawal {
    uint64_t seq = 0;
    std::string op_id, code, reason;
  };
  // Records, in one transaction, that the parent refused the stored
  // operation r.op_id: a withdrawal at the next number of the ops sequence
  // (a seq no operation will take) and the refusal in `rejected`, so the
  // same operation pushed again gets the parent's answer. An op id already
  // withdrawn returns its first seq and changes nothing.
  virtual Result<uint64_t> withdraw(const Rejection& r) = 0;
  // Withdrawals with seq > after, ascending, at most limit.
  virtual Result<std::vector<Withdrawal>> withdrawals_after(uint64_t after, size_t limit) = 0;

  // One page of the pull stream: the operations and the withdrawals with
  // seq > after (at most limit of each), read from one view of the store, so
  // merging them by seq never passes an entry that the other list missed.
  struct Page {
    std::vector<Row> rows;
    std::vector<Withdrawal> withdrawals;
  };
  virtual Result<Page> read_page(uint64_t after, size_t limit) = 0;

  // The hub's durable values (upstream table): "" when absent.
  virtual Result<std::string> upstream_value(const std::string& name) = 0;
  virtual Status set_upstream_value(const std::string& name, const std::string& value) = 0;

  // ---- several server processes on one store (docs/sync-protocol.md
  // "Several servers on one database") ----
  // True when other processes may append to this store (PgOpStore): the
  // service then folds in what they committed before it decides anything.
  virtual bool shared() const { return false; }
  // What one appending transaction stores: accepted operations (numbered in
  // order) and refusals (first one per op id wins).
  struct Batch {
    std::vector<NewOp> ops;
    std::vector<Rejection> rejections;
  };
  // Catch-up and append in ONE transaction: takes the append lock (across
  // processes on a shared store), reads everything committed with seq >
  // after (operations and withdrawals, all of it: `tail`), calls
  // decide(tail) and stores the batch it returns, then commits (not yet
  // known durable, as append_pending). No other writer runs between the
  // tail and the append, so decide judges the new operations against every
  // operation that will precede them. An error from decide is returned as it
  // is and nothing is stored; an empty batch stores nothing (seqs empty,
  // ticket 0). The default (one process per store, SQLite): the tail is
  // empty, then append_pending.
  virtual Result<Pending> append_after(uint64_t after, const std::function<Result<Batch>(const Page& tail)>& decide);
  // Push channel across processes: on a shared store, on_commit(seq) is
  // called from a background thread when any process commits an append or a
  // withdrawal reaching seq (and once after every reconnect with the head,
  // so nothing missed while disconnected stays unnoticed). nullptr stops the
  // thread (and waits for it). The default does nothing: on a store of one
  // process the service knows its own commits.
  virtual void watch_commits(std::function<void(uint64_t seq)> on_commit) { (void)on_commit; }

 protected:
  OpStore() = default;
};

// True when spec names a PostgreSQL database rather than a SQLite path.
bool is_postgres_spec(const std::string& spec);

// Opens the store that spec names (see the top of this file). A PostgreSQL
// spec in a server built without libpq is refused with "store_error".
Result<std::unique_ptr<OpStore>> open_op_store(const std::string& spec);

}  // namespace dh
