// SyncClient: the device side of sync, transport-free (no HTTP, no timers, no
// threads), so the browser app, the CLI and the convergence tests drive the
// same code. The app owns the transport (emscripten fetch), the timer and the
// platform flush; this class decides what to send and what an answer means.
//
// Contract for the app (one SyncClient per open Replica, same thread):
//   open(fs, replica)                 after Replica::open; reads sync-state.json
//   Replica::commit(cmd, client.corrected_now(now))   stamps follow the server clock
//   Flush handshake (EVERY platform flush, whoever started it):
//     auto t = client.begin_flush();  right before the flush starts
//     ... flush to IndexedDB completes ...
//     client.flush_completed(t);      only on success. Makes own operations
//                                      appended before begin_flush pushable and
//                                      moves the pull cursor to what was ingested
//                                      before begin_flush; writes sync-state.json
//                                      (itself durable at the next flush).
//   One sync round (on `online`, on the timer, after a commit):
//     while (auto b = client.next_push(now)) {     nullopt: nothing (durable) to send
//       POST /api/v1/ops b->body (Authorization: Bearer <token>)
//       200 -> client.on_push_response(*b, body, now)
//       else -> client.on_push_failed(*b, status, body); stop the round
//     }
//     loop { auto q = client.next_pull();  GET q.path
//            200 -> client.on_pull_response(q, body, now) (ingests into the
//                   Replica; the cursor moves only at flush_completed)
//            else -> client.on_pull_failed(status, body); stop
//            until !outcome.more }
//     then flush (handshake above). On failure wait backoff_delay_ms(failures).
//   UI: waiting_ops(), rejected(), last_success_ms(), clock_warning(), last_error().
//
// Guarantees
// - Only operations durably stored on this device are pushed (so an
//   acknowledged operation can never be lost by a tab closed before a flush,
//   and an id is never reused for a different operation after a restart).
// - Operations made while a push is in flight go in the next push.
// - A clock far ahead never locks the device out: its unacknowledged
//   operations are re-stamped from the server's clock (on_push_failed) and
//   arrive; acknowledged ones are never changed.
// - accepted/duplicate: the operation is acknowledged. rejected: recorded in
//   rejected() with the server's reason, never sent again, and never blocks the
//   operations behind it (they were answered in the same response).
// - A rejected operation is undone here: Replica::exclude() takes it out of
//   the state (it stays in the log), so after a full sync this device's state
//   equals the server's. Only then is the answer recorded; if the exclusion
//   cannot be stored the batch counts as unanswered and is sent again (the
//   server remembers its refusals, so the answer is the same).
// - redo(id) re-issues a rejected change as a new operation, validated
//   against the state now (the person decides; nothing is redone by itself).
// - The pull cursor moves only after the pulled operations were flushed.
// - Answers that arrive late, twice or out of order are harmless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "sync/protocol.h"

namespace dh::sync {

// Delay before the next attempt after `failures` consecutive failed rounds
// (0 -> 0): 2 s, 4 s, 8 s ... capped at 5 min; jitter01 in [0,1) spreads it
// by -20%..+20% so 200 tablets do not retry in step. Pure.
int64_t backoff_delay_ms(int failures, double jitter01);

struct RejectedOp {
  std::string id;      // "device:seq"
  std::string type;    // e.g. "signup.create"
  std::string code;    // server's machine code
  std::string reason;  // plain words for the person who made it
  int64_t at_ms = 0;   // device clock when the answer came
  std::string entity;     // the record it changed ("" if unknown)
  std::string redone_as;  // id of the operation that re-did it (redo()), "" until then
};

// An own change another device's operation overrode (issue 15). The records
// converge by stamp; the person whose change no longer shows is told, but
// only of a real conflict (docs/architecture.md "Concurrent changes", rule 6):
// an own write that now lost to a write of another device that did not know
// of it. Precisely, after a pull, an own operation W is overridden by another
// device's operation F when
//   - F now holds what W held: F's stamp won a field W wrote, with another
//     value ("overwritten"); F's archive hides the record W's edit, move or
//     restore was made to, and it was live before ("archived"); F's restore
//     undid W's archive ("restored"); and
//   - F's device had not seen W when it stamped F: F is stamped before W (a
//     hybrid clock moves past every stamp it has seen), or W had not reached
//     the server yet (W still unanswered here, or F stamped before the
//     server's answer to W's push; stamps follow the server's clock).
// A later change by a device that had W is an ordinary later change and is
// not reported, and a create is never overridden: another device can edit
// or archive a record only once it has it.
//   how "archived":    the record was archived elsewhere (an own edit, move or
//                      restore no longer shows)
//   how "restored":    the record was restored elsewhere (an own archive undone)
//   how "overwritten": fields were given other values elsewhere
struct OverriddenOp {
  std::string id;      // the own operation ("device:seq")
  std::string type;    // e.g. "squad.edit"
  std::string entity;  // the record
  std::string how;
  std::vector<std::string> fields;  // for "overwritten": the fields that now hold other values
  std::string by;      // the device whose operation won
  int64_t at_ms = 0;   // device clock when it was noticed
  std::string redone_as;  // the last operation that made it again (redo_overridden()), "" until then
};

// When the server answered a push of own operations first_seq..last_seq (the
// server's clock), to tell whether another device could have seen them.
struct PushAnswered {
  uint64_t first_seq = 0, last_seq = 0;
  int64_t server_ms = 0;
};

// What sync-state.json holds (docs/sync-protocol.md "Client state").
struct ClientState {
  uint64_t cursor = 0;           // highest server seq whose ops are flushed here
  uint64_t acked_seq = 0;        // own ops 1..acked_seq have been answered by the server
  int64_t server_offset_ms = 0;  // server clock minus this device's clock
  int64_t last_success_ms = 0;   // device clock of the last complete round
  std::vector<RejectedOp> rejected;
  std::vector<OverriddenOp> overridden;
  std::vector<PushAnswered> answered;  // ascending, at most 1,000 (the oldest go first)
};

class SyncClient {
 public:
  static constexpr const char* kStateFile = "sync-state.json";
  static constexpr size_t kDefaultPushOps = 500;

  // Problems reading sync-state.json are not fatal: the client starts from
  // zero (pushes again, pulls again; both harmless) and problem() says so.
  static Result<std::unique_ptr<SyncClient>> open(FileSystem& fs, Replica& replica);

  // ---- clock ----
  int64_t corrected_now(int64_t device_now_ms) const { return device_now_ms + state_.server_offset_ms; }
  const std::string& clock_warning() const { return clock_warning_; }

  // ---- flush handshake ----
  struct FlushTicket {
    uint64_t own_seq = 0;  // own ops 1..own_seq were in the files when the flush began
    uint64_t cursor = 0;   // pulled ops through this seq were in the files
    uint64_t restamps = 0; // restamp count when it began: an older flush may not hold re-stamped files
  };
  FlushTicket begin_flush();
  Status flush_completed(const FlushTicket& ticket);

  // ---- push ----
  struct PushBatch {
    uint64_t number = 0;              // this client's batch counter
    int64_t device_ms = 0;            // the device clock it was made at (sent as device_ms)
    std::string body;                 // POST /api/v1/ops body
    std::vector<std::string> op_ids;  // in order
    uint64_t last_seq = 0;            // highest own seq in the batch
  };
  // The next batch of durable, unanswered own operations, or nullopt.
  std::optional<PushBatch> next_push(int64_t device_now_ms, size_t max_ops = kDefaultPushOps);
  Status on_push_response(const PushBatch& batch, std::string_view body, int64_t device_now_ms);
  // status 0 = no answer. The batch is sent again next round.
  // 422 clock_far_ahead (docs/sync-protocol.md "Clocks"): the answer's
  // server_ms sets server_offset_ms, and the own operations the server could
  // never have accepted (from the first one stamped more than
  // kMaxStampAheadMs past server_ms) are re-stamped with the server's time
  // (Replica::restamp_own: same ids, same payloads), the device clock drops
  // back with them, and they are pushed again after the next flush. The
  // person is still told the clock is wrong (clock_warning()).
  void on_push_failed(const PushBatch& batch, int status, std::string_view body);

  // ---- pull ----
  struct PullRequest {
    uint64_t after = 0;
    size_t limit = 0;
    std::string path;  // "/api/v1/ops?after=..&limit=.."
  };
  PullRequest next_pull(size_t limit = kDefaultPullLimit) const;
  struct PullOutcome {
    size_t ingested = 0;  // new operations added to the replica
    bool more = false;    // ask again at once
  };
  Result<PullOutcome> on_pull_response(const PullRequest& request, std::string_view body, int64_t device_now_ms);
  void on_pull_failed(int status, std::string_view body);
  // ---- first start (docs/sync-protocol.md "Snapshot for a new device") ----
  // True while this device holds nothing, has never pulled and has not tried
  // a snapshot in this session: the app may GET kSnapshotPath before its
  // first pull (only a role that reads everything gets one).
  static constexpr const char* kSnapshotPath = "/api/v1/snapshot?format=2";  // docs/sync-protocol.md
  bool wants_snapshot() const;
  // The 200 answer's body (unpacked). Replica::adopt_server_snapshot checks
  // and installs it; the pull position moves to its seq, so the next pull
  // fetches only the tail (the cursor moves at flush_completed, as after a
  // pull). A bad document (cut off, garbled, wrong fingerprint) or a replica
  // that is no longer empty changes nothing: the error says why, problem()
  // says it in plain words, and the device pulls page by page as before.
  Status on_snapshot_response(std::string_view body, int64_t device_now_ms);
  // The same for a 200 answer the platform wrote into the replica's
  // incoming_snapshot_path() (Replica::adopt_server_snapshot_file).
  Status on_snapshot_file(int64_t device_now_ms);
  // Any other answer: no snapshot this session; pull page by page.
  void on_snapshot_failed() { snapshot_tried_ = true; }
  uint64_t snapshot_seq() const { return snapshot_seq_; }  // 0: none adopted in this session

  // A round ended well (push and pull done): for "last successful sync".
  void round_succeeded(int64_t device_now_ms) { state_.last_success_ms = device_now_ms; }

  // ---- for the UI ----
  // Own operations not yet answered by the server (flushed or not).
  size_t waiting_ops();
  const std::vector<RejectedOp>& rejected() const { return state_.rejected; }
  // The rejected operation itself, read from the log (for "what was undone").
  std::optional<Operation> rejected_op(const std::string& id) const;
  // Records a refusal of this device's operation `id` (from a push answer or
  // a hub's withdrawal), with its type and record for the UI; false when it
  // was already recorded. Keeps at most kMaxRejectedKept.
  bool note_rejected(const std::string& id, const std::string& code, const std::string& reason, int64_t now_ms);
  // Makes the rejected change again as a new operation of this device (the
  // same command: create, edit, archive, restore or move, of the same
  // record), stamped corrected_now(device_now_ms) and validated against the
  // state now. On success the RejectedOp's redone_as names the new operation
  // (saved in sync-state.json); errors: not_rejected, already_redone, or the
  // core's code (e.g. nothing_to_change when the record already has it).
  Result<Operation> redo(const std::string& id, int64_t device_now_ms);
  // Own changes other devices' operations overrode (OverriddenOp says
  // exactly when), noticed while pulling. At most 1,000 kept.
  const std::vector<OverriddenOp>& overridden() const { return state_.overridden; }
  // Makes an overridden change show again, as new operations of this device
  // validated against the state now: restores the record if the change was
  // hidden by an archive, archives it again if an own archive was undone,
  // and edits back the fields of the own operation that now hold other
  // values. Errors: not_overridden, already_redone, nothing_to_change, or
  // the core's code. Returns the operations made.
  Result<std::vector<Operation>> redo_overridden(const std::string& id, int64_t device_now_ms);
  int64_t last_success_ms() const { return state_.last_success_ms; }
  const std::string& last_error() const { return last_error_; }  // plain words, "" after a success
  const std::string& problem() const { return problem_; }
  const ClientState& state() const { return state_; }
  uint64_t pulled_cursor() const { return pulled_; }

 private:
  // on_snapshot_response / on_snapshot_file: `adopt` takes the document.
  Status adopt_snapshot(int64_t device_now_ms, const std::function<Result<uint64_t>(int64_t)>& adopt);
  SyncClient(FileSystem& fs, Replica& replica) : fs_(fs), replica_(replica) {}
  Status save();
  // What this device's own operations hold in one record before a pull.
  struct OwnWrite {
    Stamp stamp;
    Json value;
  };
  struct OwnMarks {
    bool live = false;
    Stamp created;                         // the create's stamp (never overridden)
    std::map<std::string, OwnWrite> own;  // field -> own write that holds it
  };
  // Records the notices (overridden()) for the records in marks after an
  // ingest; true when one was added.
  bool note_overridden(const std::map<std::pair<std::string, std::string>, OwnMarks>& marks, int64_t device_now_ms);
  // Whether the device that stamped `winner` could not have seen the own
  // write `own` (OverriddenOp's second condition).
  bool unseen_by(const Stamp& own, const Stamp& winner) const;
  uint64_t own_max_seq();  // highest own seq in the replica (probing + scan)
  // This device's operations with these ids ("device:seq"), from the unsynced
  // ones in memory, else one read of the whole log; ids not found are absent.
  std::map<std::string, Operation> own_ops(const std::vector<std::string>& ids) const;

  FileSystem& fs_;
  Replica& replica_;
  ClientState state_;
  uint64_t durable_own_ = 0;  // own ops 1..this are flushed: pushable
  uint64_t pulled_ = 0;       // pulled ops through this seq are ingested (>= cursor)
  uint64_t own_hint_ = 0;     // last own_max_seq() answer
  size_t scanned_count_ = 0;  // replica operation_count() at the last full scan
  uint64_t batch_counter_ = 0;
  uint64_t restamps_ = 0;     // times own operations were re-stamped (FlushTicket::restamps)
  std::optional<uint64_t> in_flight_;
  bool snapshot_tried_ = false;
  uint64_t snapshot_seq_ = 0;
  std::string clock_warning_;
  std::string last_error_;
  std::string problem_;
};

}  // namespace dh::sync
