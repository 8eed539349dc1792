// The server's sync logic, transport-free: what a push and a pull do, given
// an OpStore and an Authenticator. The HTTP layer (http_api.h) only decodes,
// calls this and encodes; the convergence tests of issue 3 can drive it
// directly with an in-memory store.
//
// Push (docs/sync-protocol.md): for each operation, in request order:
//   1. unreadable (structurally invalid)         -> rejected, reason
//   2. Authenticator::authorize_push refuses      -> rejected "forbidden"
//      (BEFORE anything is looked up by id: a foreign op id is answered
//      "forbidden" whether it is stored or not, so answers leak nothing)
//   3. canonical body over sync::kMaxOpBytes       -> rejected "op_too_large"
//   4. id already stored or earlier in the batch:
//        same canonical body                     -> duplicate, its seq
//        different body                          -> rejected "id_reused"
//   4b. refused before (the store's rejected table):
//        same canonical body                     -> rejected, the same code and reason
//        different body                          -> rejected "id_reused"
//   5. validate_operation against the server state (which includes the
//      operations accepted before it in this batch) fails -> rejected, reason
//      (remembered); except "unknown_type" for a well-formed "<kind>.<verb>"
//      of a newer app version: stored, synced, ignored by this fold
//      (docs/operation-log.md)
//   6. otherwise accepted.
// Refusals of step 2 are remembered too when the device pushes its own
// operation (not stored, not refused before). So an operation's answer is
// fixed the first time the server decides it: a device that lost its sync
// state and pushes everything again, or an operation sent again after the
// state changed, gets the same answer.
// Before any of that, the clock rule: a stamp more than
// sync::kMaxStampAheadMs (5 min) ahead of the SERVER's clock refuses the
// whole push ("clock_far_ahead", HTTP 422 carrying server_ms; the client
// re-stamps its unacknowledged operations and retries). device_ms more than
// kClockWarningMs ahead only adds clock_warning to the answer ("about 1 day
// ahead ... set the date and time").
// The accepted operations and the remembered refusals are stored in ONE transaction, each op gets its seq
// (the SQLite rowid), the transaction is fsynced, and only then is the answer
// built. If the store fails, nothing of the push is kept (the state is
// re-folded) and push() returns the error (HTTP 503): the client retries the
// whole batch, which is safe because of step 2. When the outcome is unknown
// (PostgreSQL: the connection was lost during COMMIT, e.g. a failover), the
// re-fold reads what the store really holds, so an operation that did commit
// is answered "duplicate" on the retry; if the store cannot be read yet, the
// state stays marked stale and the next call folds it first
// (docs/county-deployment.md).
//
// Several server processes on one store (OpStore::shared(), PostgreSQL;
// docs/sync-protocol.md "Several servers on one database"): state_ is the
// fold of the store through folded_seq_. Before a push is validated, before
// the server's own operation is made (author) and before a snapshot, the
// health answer or read_state, the service folds in what other processes
// committed: first without the append lock (a reader sees a prefix of the
// sequence), then, for a push and author, inside the appending transaction
// under the append lock (OpStore::append_after), so the verdicts are made
// against every operation that precedes the new ones in the sequence, on
// whichever process. The push channel wakes for every process's commits
// (OpStore::watch_commits).
//
// Contracts
// - Pushes are serialised (one mutex; on a shared store also the store's
//   append lock across processes); pulls read their own connection and do
//   not wait for pushes.
// - Seqs become visible in increasing order (one writer, one transaction per
//   push), so a pull never returns seq N+1 while N is still to come, and a
//   client cursor never skips an operation.
// - A rejected operation never blocks the ones behind it.
// - A bad request leaves the store and the state unchanged.
#pragma once

#include <atomic>
#include <condition_variable>
#include <optional>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/commands.h"
#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "store/op_id_set.h"
#include "sync/protocol.h"

namespace dh {

class SyncService {
 public:
  // Folds every stored operation into the server state. own_device: the
  // device id of the server's own operations (QR check-in): kServerDevice,
  // or on a hub its device id at the parent (so they never collide with the
  // parent's own "server:N", docs/sync-protocol.md "Hub mode").
  static Result<std::unique_ptr<SyncService>> open(std::unique_ptr<OpStore> store,
                                                   const std::string& own_device = kServerDevice);
  ~SyncService();

  Result<sync::PushResponse> push(const sync::PushRequest& request, const Principal& who,
                                  Authenticator& auth, int64_t now_ms) {
    return push_impl(request, who, auth, now_ms, true);
  }

  // Encoded pull answer for a caller of reader_role: the stored canonical
  // text goes out verbatim, or for kiosk/projector reduced to the fields that
  // role may read (roles.h fields_for_role).
  // next_out (optional): the answer's "next" (the seq the reader has now seen).
  Result<std::string> pull(const sync::PullQuery& query, int64_t now_ms, const std::string& reader_role = "",
                           uint64_t* next_out = nullptr);

  // Loads ops (e.g. generate_demo()) when the store is empty, through the
  // same validation as a push (but not the clock rule), as device `origin`. Returns how many were
  // stored (0 if the store was not empty). Fails if any op is rejected.
  Result<size_t> load_if_empty(const std::vector<Operation>& ops, const std::string& origin,
                               int64_t now_ms);

  // The server's own operations (QR check-in, docs/qr-checkin.md). Under the
  // push lock, build(state) says what to do: a command and its author, or an
  // error that is returned as it is. The core's make_operation() turns the command into an
  // operation of device own_device() (kServerDevice unless a hub; next free seq; HLC stamp from now_ms,
  // above every stamp this server made), validated by the same rule book as
  // a push; it is stored with a global seq (fsynced) and applied, so every
  // device pulls it. Nothing is stored on any error.
  struct Authored {
    Operation op;
    uint64_t seq = 0;
  };
  struct ServerCommand {
    Command command;
    std::string author;  // e.g. "qr:<volunteer id>"
  };
  static constexpr const char* kServerDevice = "server";
  const std::string& own_device() const { return own_device_; }
  Result<Authored> author(const std::function<Result<ServerCommand>(const State&)>& build, int64_t now_ms);
  // Runs fn on the server state under the lock (reading only).
  void read_state(const std::function<void(const State&)>& fn);
  // The stored row of an op id (its seq, canonical body and the authenticated
  // device that pushed it: the audit's "sent by", docs/security.md).
  Result<std::optional<OpStore::Row>> stored(const std::string& op_id) { return store_->find(op_id); }

  // ---- hub mode (docs/sync-protocol.md "Hub mode"; upstream.h drives these) ----
  // pushed_by of operations this server pulled from its parent: not a device
  // id (those are a-z0-9-), so no device can pose as the parent.
  static constexpr const char* kFromUpstream = "@upstream";
  // Stores the parent's operations this server does not hold yet (by op id),
  // in the parent's order, WITHOUT validation (the parent's verdict is
  // final; conflicts with operations still waiting to go up are settled
  // when the parent answers those), pushed_by kFromUpstream, one fsynced
  // transaction, and applies them. Returns how many were new.
  Result<size_t> ingest_upstream(const std::vector<sync::PulledOp>& ops, int64_t now_ms);
  // The parent refused the stored operation op_id: it is withdrawn
  // (OpStore::withdraw: a seq in the pull stream and the refusal in
  // `rejected`), taken out of the state (refold), and every pull after that
  // tells devices to undo it. False when op_id is not stored or was
  // withdrawn already (nothing changes).
  Result<bool> withdraw(const std::string& op_id, const std::string& code, const std::string& reason,
                        int64_t now_ms);
  // The same for several (one fold afterwards, not one each): how many were
  // withdrawn now.
  struct Refusal {
    std::string op_id, code, reason;
  };
  Result<size_t> withdraw(const std::vector<Refusal>& refusals, int64_t now_ms);
  bool is_withdrawn(const std::string& op_id);
  OpStore& store() { return *store_; }

  sync::Health health(const std::string& auth_name, int64_t now_ms);
  uint64_t head() const { return head_.load(); }
  // The push channel (GET /api/v1/wait, docs/sync-protocol.md "Push
  // channel"): blocks until head() > after, the timeout passes or
  // stop_waiting() is called; returns head(). Waiters beyond kMaxWaiters are
  // refused at once (nullopt), so long waits never take every thread.
  static constexpr int kMaxWaiters = 64;
  std::optional<uint64_t> wait_for_head_beyond(uint64_t after, int64_t timeout_ms,
                                               const std::function<bool()>& stopping = nullptr);
  void stop_waiting();
  uint64_t op_count() const { return count_.load(); }
  std::string state_hash();

  // ---- first start (docs/sync-protocol.md "Snapshot for a new device") ----
  // The state folded through seq, gzipped, for GET /api/v1/snapshot. The
  // document (before gzip), in one of two formats:
  //   2 (?format=2, what this version's devices ask for): a snapshot file
  //     (store/snapshot_file.h: checksummed frames, a JSON header with the
  //     ids, the clock, the state's hash and "server_seq":N, then the state's
  //     binary records), so a new device decodes it without a JSON tree and
  //     keeps it verbatim as its base (server-base.bin);
  //   1 (no parameter, devices of earlier versions):
  //     {"format":1,"seq":N,"operations":n,"state_hash":"<hex>",
  //      "ids":{<OpIdSet>},"state":{<State::to_snapshot>}}
  // where ids are the operations the state holds (withdrawn ones are not in
  // it) and state_hash is State::hash_hex of that state. One document per
  // format is kept (bounded memory); it is built lazily on a request (or by
  // warm_snapshot at start) and built again when kSnapshotRefreshOps newer
  // seqs exist or the state was folded again (a withdrawal). The state is
  // encoded under the push lock; gzip runs outside it, one build at a time.
  // Only for roles that read everything: a kiosk's, projector's or voting
  // tablet's copy is reduced per operation (roles.h), so they pull as before.
  struct Snapshot {
    uint64_t seq = 0;
    uint64_t operations = 0;
    std::string state_hash;
    int format = 2;
    std::string gzip;      // the gzipped document
    size_t json_bytes = 0;  // its size before gzip
  };
  static constexpr uint64_t kSnapshotRefreshOps = 2000;
  Result<std::shared_ptr<const Snapshot>> snapshot(int format = 2);
  // How many documents were built (tests and the bench read it).
  uint64_t snapshots_built() const { return snapshots_built_.load(); }

  // How far ahead of the server clock the device's own clock (device_ms) may
  // be before the answer tells the person to set the date and time.
  static constexpr int64_t kClockWarningMs = 5 * 60 * 1000;
  // A push with any operation stamp further ahead of the server clock than
  // this is refused whole: error "clock_far_ahead" (HTTP 422), nothing
  // stored. A stamp in the future would win every later edit until the
  // world caught up with it; the client re-stamps (sync/client.h).
  static constexpr int64_t kClockRefuseMs = sync::kMaxStampAheadMs;

 private:
  explicit SyncService(std::unique_ptr<OpStore> store) : store_(std::move(store)) {}
  Status refold();
  // Under mu_: refolds first when a failed store call left state_ stale
  // (stale_), so nothing is decided on operations the store does not hold;
  // then, with a shared store only, folds what other processes committed
  // after folded_seq_, read without the append lock.
  Status catch_up();
  // Folds the entries of `tail` with seq > folded_seq_ (a withdrawal among
  // them: refold). Under mu_.
  Status fold_tail(const OpStore::Page& tail);
  // Parse and apply one stored row (not withdrawn), as refold does.
  Status fold_row(const OpStore::Row& row);
  // clock_rule false: the server's own data (load_if_empty) is not a device.
  Result<sync::PushResponse> push_impl(const sync::PushRequest& request, const Principal& who,
                                       Authenticator& auth, int64_t now_ms, bool clock_rule);
  // The part under mu_: validate, apply, commit (not yet fsynced);
  // *stored_through = the last seq it stored (0: none).
  Result<sync::PushResponse> push_locked(const sync::PushRequest& request, const Principal& who,
                                         Authenticator& auth, int64_t now_ms, uint64_t* stored_through);

  std::unique_ptr<OpStore> store_;
  std::mutex mu_;  // guards state_ and serialises pushes
  State state_;
  std::string hash_cache_;  // state_.hash_hex(), "" when stale (guarded by mu_)
  std::atomic<uint64_t> head_{0};
  std::atomic<uint64_t> count_{0};
  uint64_t folded_seq_ = 0;  // state_ is the fold of the store through this seq (guarded by mu_)
  // Push channel: waiters sleep on head_cv_ (wait_mu_ only, never mu_).
  void advance_head(uint64_t seq);
  std::mutex wait_mu_;
  std::condition_variable head_cv_;
  int waiters_ = 0;
  bool stop_waiting_ = false;
  std::unordered_set<std::string> withdrawn_;  // op ids withdrawn (hub mode; guarded by mu_)
  OpIdSet known_;  // ids of the operations folded into state_ (guarded by mu_)
  // state_ may differ from the store: an append failed and the refold after
  // it failed too (the database was unreachable). Guarded by mu_.
  bool stale_ = false;
  // The snapshot for new devices: built under snapshot_mu_ (one at a time);
  // refolded_ marks it stale after refold().
  std::mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_[2];  // format 1 and 2; guarded by snapshot_mu_
  std::atomic<uint64_t> fold_epoch_{0};          // refold() count
  uint64_t snapshot_epoch_[2] = {0, 0};          // fold_epoch_ each was built at
  std::atomic<uint64_t> snapshots_built_{0};
  // The server's own operations: next seq and last stamp (from refold; guarded by mu_).
  std::string own_device_ = kServerDevice;
  uint64_t server_next_seq_ = 1;
  Hlc server_last_{};
};

}  // namespace dh
