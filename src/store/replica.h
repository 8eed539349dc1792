// A replica: this device's copy of the operation log on disk, and the state
// folded from it. The one object the app, the CLI and the server's tests use to
// read and change data on a device.
//
// On disk (docs/operation-log.md), in one folder:
//   device.json            this device's id, next sequence number, last stamp
//   seg-000001.log ...     segment files of checksummed operation records;
//                          a segment is sealed before it would pass 64 KiB, so a
//                          flush to IndexedDB rewrites only small files
//   snapshot.bin           the state folded up to a sealed segment, so start-up
//                          does not replay years of operations (format 2:
//                          checksummed frames of binary records, read one
//                          frame at a time; store/snapshot_file.h)
//   snapshot.json          a format-1 snapshot of an older version: read when
//                          there is no snapshot.bin, removed once one is written
//   base.bin               after compact(): the fold of the removed segments
//                          (the snapshot they were removed under, renamed)
//   excluded.json          own operations the server refused: kept in the log,
//                          left out of the state (exclude())
//   server-base.bin        only on a device that started from the server's
//                          snapshot (adopt_server_snapshot): that document
//                          (format 2, a snapshot file with "server_seq"),
//                          the base the log is folded on
//   server-base.json       the same from a server of an earlier version
//                          (format 1, JSON)
//   quarantine/            files set aside because they were corrupt
//
// Contracts
// - open() never fails because of bad data: a corrupt or truncated segment is
//   reported in open_report().problems in plain words, every readable record in
//   it is kept (rewritten into a fresh segment), and the bad file is moved to
//   quarantine/. It fails only when the folder cannot be used at all.
// - commit() validates, appends, applies: on any error (invalid command,
//   storage full, a failed fsync) the state, the log and the numbering are
//   unchanged and the error says why; a record whose fsync failed is cut
//   back out of the log (FileSystem::truncate). The one exception, when even
//   that cut fails: the record stays in the log and is applied (so the state
//   is still the fold of the log and its number is never reused) and the
//   error code is "storage_unconfirmed".
// - Applying an operation twice changes nothing; ingest() skips known ids.
// - Identity: device.json holds the device id; the next sequence number is
//   the larger of device.json's and the log's, so ids never repeat, also
//   after a lost device.json write or a lost record.
// - Known ids are kept as sequence ranges per device (op_id_set.h); the
//   snapshot stores them, so start-up from it reads no old segment.
// - Compaction (compact()): segment files the snapshot covers are removed
//   once the server holds every operation in them: other devices' operations
//   came from the server; own ones only when the server acknowledged them
//   (seq <= the acked seq the sync client passes). A segment holding an own
//   operation not acknowledged, or one the server refused (excluded), is
//   never removed. The snapshot they were removed under is renamed to
//   base.bin first, so start-up (without a newer snapshot.bin, or with a
//   damaged one), exclude() and restamp_own() fold base.bin + the remaining
//   segments. read_all()
//   then returns only the remaining segments' operations (every unsynced own
//   one among them); the removed ones are on the server.
// - Nothing here flushes to IndexedDB: the caller (platform) does that after
//   write_generation() moves, and only then tells the person "saved".
// - Single-threaded; the caller serialises access.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands.h"
#include "core/operation.h"
#include "core/state.h"
#include "store/file_system.h"
#include "store/op_id_set.h"
#include "store/snapshot_file.h"

namespace dh {

struct StorageProblem {
  std::string file;          // e.g. "seg-000003.log"
  std::string message;       // plain words: what was wrong and what was done
  std::string set_aside_as;  // e.g. "quarantine/seg-000003.log.1764147600000"
  size_t records_kept = 0;
  size_t records_lost = 0;
};

// Tunables; the defaults are what the app uses. Tests make them small.
struct ReplicaOptions {
  size_t segment_bytes = 64 * 1024;       // a segment is sealed once it reaches this size
  uint64_t snapshot_every_ops = 5000;     // should_snapshot(): operations not in the snapshot
  uint64_t snapshot_every_segments = 16;  // ... or sealed segments not in the snapshot
};

struct OpenReport {
  size_t operations = 0;       // operations in the log after opening
  size_t replayed = 0;         // operations replayed from segments on top of the snapshot
  size_t segments = 0;
  bool used_snapshot = false;
  int snapshot_format = 0;     // 2 = snapshot.bin, 1 = an older snapshot.json, 0 = none used
  // Segments were compacted away and neither snapshot.bin nor base.bin could
  // be used: the operations of the removed segments are not on this device
  // any more (the server has them all). The sync client pulls everything
  // again (SyncClient::open).
  bool history_missing = false;
  bool used_server_base = false;  // started from server-base.json (no usable snapshot nor base.bin)
  // server-base.json was unusable (set aside, in problems): the operations
  // it covered are missing, so the sync client pulls from the start again.
  bool server_base_lost = false;
  std::vector<StorageProblem> problems;
};

class Replica {
 public:
  // Opens or creates the replica in dir. new_device_id is used only when the
  // folder has no device.json yet (the caller makes it random).
  // now_ms names the files set aside in quarantine/.
  static Result<std::unique_ptr<Replica>> open(FileSystem& fs, const std::string& dir,
                                               const std::string& new_device_id, int64_t now_ms,
                                               const ReplicaOptions& options = {});

  const OpenReport& open_report() const { return report_; }
  const State& state() const { return state_; }
  const std::string& device_id() const { return source_.device; }
  void set_author(const std::string& author) { source_.author = author; }
  const std::string& author() const { return source_.author; }

  // Validate, make the operation, append it, apply it.
  Result<Operation> commit(const Command& cmd, int64_t now_ms);

  // Add operations made elsewhere (sync pull, demo data). Known ids are
  // skipped; each new one is checked structurally and appended then applied.
  // Returns how many were new. Appends in large batches; if storage fails
  // part-way, the operations already appended stay (and are applied, so the
  // state is always the fold of the log) and the error is returned.
  Result<size_t> ingest(const std::vector<Operation>& ops, int64_t now_ms);

  // Operations the server refused (sync client): they stay in the log (audit,
  // redo) but no longer count in the state. The set is written to
  // excluded.json (atomically) first; then every record they touched is
  // folded again from the log without the excluded operations, so the state
  // is always the fold of the log minus the excluded set, as on the server.
  // Ids not in the log or already excluded are ignored. On a storage error
  // nothing changes and the error is returned (the caller asks again). Reads
  // every segment (read_all): refusals are rare.
  Status exclude(const std::vector<OpId>& ids);
  bool excluded(const OpId& id) const { return excluded_.contains(id); }
  const OpIdSet& excluded_ids() const { return excluded_; }

  // ---- first start from the server's snapshot ----
  // (docs/sync-protocol.md "Snapshot for a new device"; store/replica_base.cpp)
  // Takes the server's snapshot document (GET /api/v1/snapshot, unpacked) as
  // this replica's starting point: format 2 (?format=2: a snapshot file,
  // store/snapshot_file.h, whose header has "server_seq"), or format 1
  // {"format":1,"seq","operations","state_hash","ids","state"}. Checks it
  // fully before anything changes: every frame's checksum (format 2) or
  // readable JSON of that shape (format 1), a state whose hash_hex equals
  // state_hash, as many ids as "operations". Only for a
  // replica that holds nothing (no operation, nothing excluded): otherwise
  // "not_empty" and nothing changes; a bad document: "bad_server_snapshot"
  // with plain words, nothing changes. Then writes the document verbatim as
  // server-base.bin (format 2) or server-base.json (format 1, behind a
  // checksummed header line) and installs state and
  // ids; the clock moves up to the state's highest stamp (unless implausibly
  // far ahead, hlc.h). Returns the document's seq (the pull cursor to go on
  // from). A reopen starts from snapshot.json once one is written, else from
  // server-base.json, and replays every segment on top.
  // Operations known only through the base count in operation_count() and
  // contains() but are not in the log: read_all() lists only the log's
  // (what this device pulled or made after the base). exclude() and
  // restamp_own() fold records again from the base plus the log.
  Result<uint64_t> adopt_server_snapshot(std::string_view document, int64_t now_ms);
  // The same for a document the app had written into this replica's folder
  // as it downloaded (at incoming_snapshot_path(); session/ports.h
  // Http::request_to_file): read and checked frame by frame, so the
  // document is never whole in the app's memory, then renamed to
  // server-base.bin instead of written a second time. The same checks,
  // errors and results as adopt_server_snapshot; the file is removed when
  // it is not used (a format-1 document is read whole and handed to
  // adopt_server_snapshot).
  Result<uint64_t> adopt_server_snapshot_file(int64_t now_ms);
  std::string incoming_snapshot_path() const;
  void discard_incoming_snapshot();  // removes that file (a download not used)
  bool has_server_base() const { return has_server_base_; }

  bool contains(const OpId& id) const;
  size_t operation_count() const;

  // Moves each time bytes are appended; the platform flush records the value
  // it covered so the UI can say "saved on this device" truthfully.
  uint64_t write_generation() const { return write_generation_; }
  // Another file of the folder was written by its owner (the sync enrolment,
  // the device's settings, the author's name): it counts as a write, so the
  // UI says "saved" only once a flush covers it too.
  void note_folder_write() { ++write_generation_; }

  // Seals the current segment and writes snapshot.bin: the state, the known
  // ids and the clock as of the sealed segments (= everything appended so
  // far); then removes an older snapshot.json. Called by the app when
  // should_snapshot() says enough accumulated.
  Status write_snapshot();
  bool should_snapshot() const;

  // Removes the segment files the snapshot covers whose operations the
  // server holds (see Contracts), after renaming snapshot.bin to base.bin
  // (only when there is a file to remove).
  // acked_own_through: the server acknowledged this device's own operations
  // 1..acked_own_through (SyncClient::acked_seq()). Does nothing (returns 0)
  // unless snapshot.bin (format 2) is in use and folds no own operation
  // above acked_own_through except refused ones, and no refusal came after
  // it was written (the next write_snapshot() makes that true again).
  // Returns the number of files removed. Never removes a file holding an own
  // operation not acknowledged or refused. A crash part-way leaves
  // base.bin and some covered segments: harmless (start-up loads base.bin
  // and reads no segment it covers).
  Result<size_t> compact(uint64_t acked_own_through);
  // Segments 1..this were compacted (base.bin folds them); 0: none.
  uint64_t compacted_through() const { return base_covers_; }

  // Every operation in log order of appending (reads all segments, including
  // those the snapshot covers), each id once, for the audit view, export and
  // sync. Damaged records are skipped (open() reports the ones it reads).
  // After compact(), the operations of removed segments are not included
  // (they are folded in base.bin and held by the server); every own
  // operation not acknowledged is.
  Result<std::vector<Operation>> read_all() const;

  // Own operations with seq in (after_seq, through_seq], in seq order, from
  // memory: the operations committed since open are kept until
  // forget_own_through() drops them. nullopt when the range reaches back
  // before this session (the caller then reads the log). Lets sync push
  // without reading every segment for each batch.
  std::optional<std::vector<Operation>> own_ops_in(uint64_t after_seq, uint64_t through_seq) const;
  // The server answered own operations 1..seq: no need to keep them here.
  void forget_own_through(uint64_t seq);

  // Re-stamps own operations nobody else has seen (docs/sync-protocol.md
  // "Clocks"): from the first own operation with seq > after_seq stamped
  // later than limit_ms, that one and every own operation after it get fresh
  // stamps, in seq order, from a clock reset to the highest stamp in the log
  // at or below limit_ms and ticked at now_ms. Ids and payloads stay; only
  // "hlc" changes. The segment files holding them are rewritten
  // (write_atomic; the snapshot is set aside first and written again last, so
  // a crash part-way leaves a log that replays correctly), the state is
  // folded again from the log (minus excluded()) and device.json gets the lowered clock.
  // Returns the first re-stamped seq, 0 when none was ahead. The caller
  // (SyncClient, after a 422 clock_far_ahead) must not push them before the
  // rewritten files were flushed.
  Result<uint64_t> restamp_own(uint64_t after_seq, int64_t limit_ms, int64_t now_ms);

  // Remote stamps that were too far ahead of this device's clock to adopt
  // (hlc.h), counted by ingest(); the app can warn that a clock is wrong.
  uint64_t clock_warnings() const { return clock_warnings_; }
  const std::string& dir() const { return dir_; }

 private:
  Replica(FileSystem& fs, std::string dir, ReplicaOptions options)
      : fs_(fs), dir_(std::move(dir)), options_(options) {}
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  Status load_device(int64_t now_ms, const std::string& new_device_id);
  void load_snapshot(int64_t now_ms);
  bool load_base(int64_t now_ms, bool into_state);
  // The state of base.bin (an empty State when nothing was compacted).
  Result<State> base_state() const;
  std::map<uint64_t, std::string> list_segments() const;
  void load_excluded(int64_t now_ms);
  // server-base.json (replica_base.cpp): read and checked; the start of open()
  // when snapshot.json is absent or unusable.
  struct ServerBase {
    uint64_t seq = 0;
    State state;
    OpIdSet ids;
  };
  static Result<ServerBase> parse_server_base(std::string_view document);
  static Result<ServerBase> server_base_of(LoadedSnapshot loaded);
  Status check_empty_for_snapshot() const;
  uint64_t install_server_base(ServerBase base, int64_t now_ms);
  Result<ServerBase> read_server_base() const;
  void load_server_base(int64_t now_ms);
  Status refold_entities_of(const OpIdSet& ids);
  void replay_segments(int64_t now_ms);
  Status save_device();
  // Appends framed records to the current segment (opening a new one first
  // when the current one is full) and makes them durable. *appended says
  // whether the bytes are in the file (true even if only the sync failed).
  // undo_if_unsynced: when the sync fails, cut the file back to its length
  // before (durably) so the log is as it was (*appended false); only if that
  // fails too do the bytes stay, with the error "storage_unconfirmed".
  Status append_to_log(const std::string& bytes, bool* appended, bool undo_if_unsynced = false);
  std::string set_aside(const std::string& name, int64_t now_ms);
  void note_own(const Operation& op);

  FileSystem& fs_;
  std::string dir_;
  // own_ops_in(): own operations committed since open, by seq, and the first
  // seq of this session (everything from it on is here unless forgotten).
  std::map<uint64_t, Operation> own_recent_;
  uint64_t own_session_first_ = 0;  // 0 until the first commit
  uint64_t own_forgotten_through_ = 0;
  ReplicaOptions options_;
  OpSource source_;
  State state_;
  OpenReport report_;
  OpIdSet ids_;                       // every operation id in the log
  OpIdSet excluded_;                  // refused by the server: in the log, not in the state
  OpIdSet snapshot_excluded_;         // what the loaded/written snapshot's state excludes
  uint64_t write_generation_ = 0;
  uint64_t segment_ = 1;              // segment appended to
  uint64_t segment_size_ = 0;         // its size in bytes
  uint64_t snapshot_covers_ = 0;      // the snapshot holds segments 1..this (0: none)
  int snapshot_format_ = 0;           // of the snapshot in use: 2 (snapshot.bin), 1, 0 none
  uint64_t snapshot_own_max_ = 0;     // highest own seq the snapshot folds
  uint64_t base_covers_ = 0;          // base.bin folds segments 1..this (compacted away)
  uint64_t ops_since_snapshot_ = 0;
  uint64_t sealed_since_snapshot_ = 0;
  Hlc saved_clock_{};                 // last_hlc written to device.json
  uint64_t saved_next_seq_ = 0;       // next_seq written to device.json
  uint64_t clock_warnings_ = 0;
  bool has_server_base_ = false;      // server-base.json exists (adopt_server_snapshot)
};

}  // namespace dh
