#include "store/replica.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/segment.h"
#include "store/snapshot_file.h"

namespace dh {
namespace {

constexpr const char* kDeviceFile = "device.json";
constexpr const char* kSnapshotFile = "snapshot.bin";
constexpr const char* kOldSnapshotFile = "snapshot.json";  // format 1: read, never written
constexpr const char* kServerBaseFile = "server-base.json";    // replica_base.cpp
constexpr const char* kServerBaseBinFile = "server-base.bin";  // replica_base.cpp
constexpr const char* kBaseFile = "base.bin";
constexpr const char* kExcludedFile = "excluded.json";
constexpr const char* kQuarantine = "quarantine";
constexpr int kFormat = 1;

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "line 57 has a wrong checksum ..." for the first few bad records.
std::string describe_bad(const std::vector<segment::BadRecord>& bad) {
  auto one = [](const segment::BadRecord& b) {
    return "the record on line " + std::to_string(b.line) + " (byte " + std::to_string(b.offset) + ") " + b.what;
  };
  if (bad.size() == 1) return one(bad[0]);
  std::string out = std::to_string(bad.size()) + " of its records could not be read: ";
  const size_t shown = std::min<size_t>(bad.size(), 3);
  for (size_t i = 0; i < shown; ++i) out += (i ? "; " : "") + one(bad[i]);
  if (bad.size() > shown) out += "; and " + std::to_string(bad.size() - shown) + " more";
  return out;
}

// The rules of operation_from_json (core/operation.cpp) checked on the
// struct, without a round trip through JSON (ingest gets 100,000 at a time).
std::string structural_problem(const Operation& op) {
  if (!is_valid_device_id(op.id.device)) return "the device part of its id is not valid";
  if (op.id.seq == 0) return "its sequence number is 0";
  if (op.hlc.wall_ms < 0) return "its clock stamp is negative";
  if (op.author.empty() || op.author.size() > 128) return "its author must be 1 to 128 bytes";
  if (op.type.empty() || op.type.size() > 64) return "its type must be 1 to 64 bytes";
  if (!op.payload.is_object()) return "its payload is not an object";
  return "";
}

}  // namespace

Result<std::unique_ptr<Replica>> Replica::open(FileSystem& fs, const std::string& dir,
                                               const std::string& new_device_id, int64_t now_ms,
                                               const ReplicaOptions& options) {
  auto made = fs.make_dirs(dir);
  if (!made.ok()) return made.error();
  auto listed = fs.list(dir);
  if (!listed.ok()) return listed.error();
  std::unique_ptr<Replica> r(new Replica(fs, dir, options));
  auto device = r->load_device(now_ms, new_device_id);
  if (!device.ok()) return device.error();
  r->load_excluded(now_ms);
  r->load_base(now_ms, /*into_state=*/false);
  r->load_snapshot(now_ms);
  r->load_server_base(now_ms);  // replica_base.cpp: only without a usable snapshot.json
  r->replay_segments(now_ms);
  // Operations excluded after the snapshot was written are still folded into
  // it: fold their records again without them.
  if (r->report_.used_snapshot) {
    OpIdSet stale;
    for (const OpId& id : r->excluded_.list())
      if (!r->snapshot_excluded_.contains(id)) stale.insert(id);
    if (stale.size() > 0) {
      if (auto st = r->refold_entities_of(stale); !st.ok()) {
        StorageProblem p;
        p.file = kExcludedFile;
        p.message = "Changes the server refused could not be taken out of what this device shows (" +
                    st.error().message + ") They are taken out at the next start.";
        r->report_.problems.push_back(std::move(p));
      }
    }
  }

  // The log is authoritative for the sequence: device.json may be behind it.
  r->source_.next_seq = std::max(r->source_.next_seq, r->ids_.max_seq(r->source_.device) + 1);
  // New operations come after everything already known, unless a stamp is
  // implausibly far ahead of this device's clock (hlc.h).
  const Hlc& seen = r->state_.max_hlc();
  if (seen.wall_ms <= now_ms + r->source_.clock.max_drift_ms()) r->source_.clock.restore(seen);
  if (r->saved_next_seq_ != r->source_.next_seq || r->saved_clock_ != r->source_.clock.last()) {
    auto saved = r->save_device();
    if (!saved.ok()) {
      StorageProblem p;
      p.file = kDeviceFile;
      p.message = "The device file device.json could not be written (" + saved.error().message +
                  ") The app keeps working; it will try again with the next change.";
      r->report_.problems.push_back(std::move(p));
    }
  }
  r->report_.operations = r->ids_.size();
  return r;
}

Status Replica::load_device(int64_t now_ms, const std::string& new_device_id) {
  const std::string p = path(kDeviceFile);
  if (fs_.exists(p)) {
    std::string why;
    auto text = fs_.read(p);
    if (!text.ok()) {
      why = text.error().message;
    } else {
      Json j = Json::parse(text.value(), nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        why = "it is not valid JSON";
      } else if (!j.contains("device") || !j["device"].is_string() || !is_valid_device_id(j["device"].get<std::string>())) {
        why = "it has no valid device id";
      } else if (!j.contains("next_seq") || !j["next_seq"].is_number_unsigned() || j["next_seq"].get<uint64_t>() == 0) {
        why = "it has no valid next sequence number";
      } else {
        std::optional<Hlc> last = Hlc();
        if (j.contains("last_hlc") && j["last_hlc"].is_string()) last = Hlc::parse(j["last_hlc"].get<std::string>());
        if (!last) {
          why = "its clock stamp is not valid";
        } else {
          source_.device = j["device"].get<std::string>();
          source_.next_seq = j["next_seq"].get<uint64_t>();
          source_.clock.restore(*last);
          saved_next_seq_ = source_.next_seq;
          saved_clock_ = source_.clock.last();
          return ok_status();
        }
      }
    }
    // Unusable: set it aside and start as a new device. A new device id
    // guarantees no operation id is ever issued twice.
    StorageProblem problem;
    problem.file = kDeviceFile;
    problem.set_aside_as = set_aside(kDeviceFile, now_ms);
    problem.message = "The device file device.json could not be used (" + why + "). This device continues under a new device id, so no operation number is used twice; " +
                      (problem.set_aside_as.empty() ? std::string("the old file could not be moved and was left in place.")
                                                    : "the old file was set aside as " + problem.set_aside_as + ".");
    report_.problems.push_back(std::move(problem));
  }
  if (!is_valid_device_id(new_device_id))
    return make_error("invalid_device_id", "The new device id \"" + new_device_id +
                                               "\" is not valid: use 1 to 32 characters a-z, 0-9 or '-'.");
  source_.device = new_device_id;
  source_.next_seq = 1;
  saved_next_seq_ = 0;  // forces a first save
  return ok_status();
}

void Replica::load_snapshot(int64_t now_ms) {
  // snapshot.bin, else an older version's snapshot.json; the first that
  // passes every check is used, a damaged one is set aside.
  struct Failed {
    std::string file, why;
  };
  std::vector<Failed> failed;
  for (const char* name : {kSnapshotFile, kOldSnapshotFile}) {
    const std::string p = path(name);
    if (!fs_.exists(p)) continue;
    Result<LoadedSnapshot> loaded = make_error("x", "");
    if (std::string(name) == kSnapshotFile) {
      loaded = read_snapshot_file(fs_, p);
    } else {
      auto text = fs_.read(p);
      loaded = text.ok() ? decode_json_snapshot(text.value()) : Result<LoadedSnapshot>(text.error());
    }
    if (loaded.ok()) {
      LoadedSnapshot& snap = loaded.value();
      state_ = std::move(snap.state);
      ids_ = std::move(snap.info.ids);
      snapshot_covers_ = snap.info.covers_through_segment;
      snapshot_excluded_ = std::move(snap.info.excluded);
      snapshot_format_ = snap.info.format;
      snapshot_own_max_ = ids_.max_seq(source_.device);
      source_.clock.restore(snap.info.clock);
      report_.used_snapshot = true;
      report_.snapshot_format = snapshot_format_;
      break;
    }
    failed.push_back(Failed{name, loaded.error().message});
  }
  // Without a snapshot, compacted segments are folded in base.bin (right
  // after compact() it is the snapshot itself, renamed).
  bool from_base = false;
  if (!report_.used_snapshot && base_covers_ > 0) from_base = load_base(now_ms, /*into_state=*/true);
  if (from_base) {
    report_.used_snapshot = true;
    report_.snapshot_format = 2;
  }
  for (const auto& f : failed) {
    StorageProblem problem;
    problem.file = f.file;
    problem.set_aside_as = set_aside(f.file, now_ms);
    std::string instead = from_base ? "The state was folded again from base.bin and the log files instead, so nothing is missing; "
                          : report_.used_snapshot ? "The other snapshot file was used instead, so nothing is missing; "
                          : base_covers_ > 0 ? "The log files were read again instead; "
                                             : "Every operation was read again from the log files instead, so nothing is missing; ";
    problem.message = "The snapshot file " + f.file + " could not be used (" + f.why + "). " + instead +
                      (problem.set_aside_as.empty() ? std::string("the file was left in place.")
                                                    : "the file was set aside as " + problem.set_aside_as + ".");
    report_.problems.push_back(std::move(problem));
  }
}

// base.bin: its header always (what was compacted), its state only when the
// snapshot cannot be used. Returns whether the state came from it.
bool Replica::load_base(int64_t now_ms, bool into_state) {
  const std::string p = path(kBaseFile);
  if (!into_state) {
    if (!fs_.exists(p)) return false;
    auto head = read_snapshot_file(fs_, p, /*with_state=*/false);
    // A damaged header is found again (and reported) when the state is needed.
    base_covers_ = head.ok() ? head.value().info.covers_through_segment : 1;
    return false;
  }
  auto loaded = read_snapshot_file(fs_, p);
  if (loaded.ok()) {
    LoadedSnapshot& snap = loaded.value();
    state_ = std::move(snap.state);
    ids_ = std::move(snap.info.ids);
    snapshot_covers_ = snap.info.covers_through_segment;
    base_covers_ = snapshot_covers_;
    snapshot_excluded_ = std::move(snap.info.excluded);
    snapshot_format_ = 2;  // compact() finds nothing newer to remove under it
    snapshot_own_max_ = ids_.max_seq(source_.device);
    source_.clock.restore(snap.info.clock);
    return true;
  }
  StorageProblem problem;
  problem.file = kBaseFile;
  problem.set_aside_as = set_aside(kBaseFile, now_ms);
  problem.message = "The file base.bin, which holds the changes of older log files already removed from this device, could not be used (" +
                    loaded.error().message + "). Those changes are fetched again from the server at the next sync; the changes not yet sent are all still here; " +
                    (problem.set_aside_as.empty() ? std::string("the file was left in place.")
                                                  : "the file was set aside as " + problem.set_aside_as + ".");
  report_.problems.push_back(std::move(problem));
  report_.history_missing = true;
  return false;
}

void Replica::replay_segments(int64_t now_ms) {
  auto listed = fs_.list(dir_);
  std::map<uint64_t, std::string> segments;  // number -> name, all of them
  if (listed.ok())
    for (const auto& name : listed.value()) {
      uint64_t n = 0;
      if (segment::parse_file_name(name, &n)) segments[n] = name;
    }
  uint64_t max_number = segments.empty() ? 0 : segments.rbegin()->first;

  struct Repair {
    std::string name;
    segment::Parsed parsed;
    std::string bytes;
  };
  std::vector<Repair> repairs;
  uint64_t last_size = 0;
  bool last_usable = true;

  for (auto& [number, name] : segments) {
    if (number <= snapshot_covers_) continue;
    auto bytes = fs_.read(path(name));
    if (!bytes.ok()) {
      StorageProblem problem;
      problem.file = name;
      problem.message = "The log file " + name + " could not be read (" + bytes.error().message +
                        ") Its operations are missing until it can be read; the file was left in place.";
      report_.problems.push_back(std::move(problem));
      if (number == max_number) last_usable = false;
      continue;
    }
    segment::Parsed parsed = segment::parse(bytes.value());
    for (const auto& rec : parsed.good) {
      if (!ids_.insert(rec.op.id)) continue;  // a copy (e.g. from an earlier repair)
      if (!excluded_.contains(rec.op.id)) state_.apply(rec.op);
      note_own(rec.op);
      ++report_.replayed;
      ++ops_since_snapshot_;
    }
    if (parsed.needs_repair()) {
      if (number == max_number) last_usable = false;
      repairs.push_back(Repair{name, std::move(parsed), std::move(bytes.value())});
    } else if (number == max_number) {
      last_size = bytes.value().size();
    }
  }

  // Repairs: copy every readable record into a fresh segment at the end of the
  // log, then set the damaged file aside. A crash in between leaves both, which
  // is harmless: the copies have known ids and are skipped.
  for (auto& rep : repairs) {
    StorageProblem problem;
    problem.file = rep.name;
    problem.records_kept = rep.parsed.good.size();
    problem.records_lost = rep.parsed.bad.size();
    std::string fresh_name;
    bool copied = true;
    std::string copy_error;
    if (!rep.parsed.good.empty()) {
      std::string content;
      for (const auto& rec : rep.parsed.good) {
        content.append(rep.bytes, rec.offset, rec.length);
        content += '\n';
      }
      fresh_name = segment::file_name(max_number + 1);
      auto written = fs_.write_atomic(path(fresh_name), content);
      if (written.ok()) {
        ++max_number;
        segments[max_number] = fresh_name;
        last_size = content.size();
        last_usable = true;
        ++write_generation_;
      } else {
        copied = false;
        copy_error = written.error().message;
      }
    }
    if (copied) problem.set_aside_as = set_aside(rep.name, now_ms);
    if (!problem.set_aside_as.empty())
      for (auto it = segments.begin(); it != segments.end(); ++it)
        if (it->second == rep.name) {
          segments.erase(it);
          break;
        }

    std::string m = "The log file " + rep.name;
    if (rep.parsed.bad.empty()) {
      m += " ended without its final line break (the app probably stopped while writing). All " +
           plural(problem.records_kept, "operation", "operations") + " in it were kept";
    } else {
      m += " is damaged: " + describe_bad(rep.parsed.bad) + ". " + plural(problem.records_kept, "operation was", "operations were") +
           " kept";
    }
    if (problem.records_kept > 0 && copied) m += " (copied into " + fresh_name + ")";
    if (!rep.parsed.bad.empty()) m += " and " + plural(problem.records_lost, "record was", "records were") + " lost";
    m += ". ";
    if (!copied)
      m += "They could not be copied into a fresh log file (" + copy_error +
           ") so the damaged file was left in place; the app keeps working and tries again at the next start.";
    else if (problem.set_aside_as.empty())
      m += "The damaged file could not be moved and was left in place; nothing was deleted.";
    else
      m += "The damaged file was set aside as " + problem.set_aside_as + "; nothing was deleted.";
    problem.message = std::move(m);
    report_.problems.push_back(std::move(problem));
  }

  // Where appending continues: the last segment, if it is readable and not
  // covered by the snapshot; otherwise a new one after everything that exists.
  if (max_number > std::max(snapshot_covers_, base_covers_) && last_usable && segments.count(max_number)) {
    segment_ = max_number;
    segment_size_ = last_size;
  } else {
    segment_ = std::max({max_number, snapshot_covers_, base_covers_}) + 1;
    segment_size_ = 0;
  }
  uint64_t after = 0;
  for (const auto& s : segments)
    if (s.first > snapshot_covers_ && s.first < segment_) ++after;
  sealed_since_snapshot_ = after;
  report_.segments = segments.size();
}

void Replica::note_own(const Operation& op) {
  if (op.id.device != source_.device) return;
  if (op.id.seq >= source_.next_seq) source_.next_seq = op.id.seq + 1;
  source_.clock.restore(op.hlc);
}

std::string Replica::set_aside(const std::string& name, int64_t now_ms) {
  if (!fs_.make_dirs(path(kQuarantine)).ok()) return "";
  std::string target = std::string(kQuarantine) + "/" + name + "." + std::to_string(now_ms);
  for (int i = 2; fs_.exists(path(target)); ++i)
    target = std::string(kQuarantine) + "/" + name + "." + std::to_string(now_ms) + "." + std::to_string(i);
  if (!fs_.rename(path(name), path(target)).ok()) return "";
  ++write_generation_;
  return target;
}

Status Replica::save_device() {
  Json j = {{"format", kFormat},
            {"device", source_.device},
            {"next_seq", source_.next_seq},
            {"last_hlc", source_.clock.last().to_string()}};
  auto st = fs_.write_atomic(path(kDeviceFile), j.dump() + "\n");
  if (!st.ok()) return st;
  saved_next_seq_ = source_.next_seq;
  saved_clock_ = source_.clock.last();
  ++write_generation_;
  return ok_status();
}

Status Replica::append_to_log(const std::string& bytes, bool* appended, bool undo_if_unsynced) {
  *appended = false;
  const uint64_t before_segment = segment_, before_size = segment_size_, before_sealed = sealed_since_snapshot_;
  if (segment_size_ > 0 && segment_size_ + bytes.size() > options_.segment_bytes) {
    ++segment_;  // seal the current segment
    segment_size_ = 0;
    ++sealed_since_snapshot_;
  }
  const std::string p = path(segment::file_name(segment_));
  const uint64_t file_size = segment_size_;
  auto st = fs_.append(p, bytes);
  if (!st.ok()) {
    segment_ = before_segment;  // nothing written (append leaves the file as it was)
    segment_size_ = before_size;
    sealed_since_snapshot_ = before_sealed;
    return st;
  }
  *appended = true;
  segment_size_ += bytes.size();
  ++write_generation_;
  auto synced = fs_.sync(p);
  if (synced.ok()) return ok_status();
  if (undo_if_unsynced && fs_.truncate(p, file_size).ok()) {
    *appended = false;  // the bytes are gone again: the log is as it was
    segment_ = before_segment;
    segment_size_ = before_size;
    sealed_since_snapshot_ = before_sealed;
    return make_error(synced.error().code, "The change was not saved: the device could not store it safely (" +
                                               synced.error().message + "). Nothing was changed; try again.");
  }
  return make_error(undo_if_unsynced ? "storage_unconfirmed" : synced.error().code,
                    "The change was written, but the device could not confirm that it is safely stored: " +
                        synced.error().message);
}

Result<Operation> Replica::commit(const Command& cmd, int64_t now_ms) {
  const OpSource before = source_;
  auto made = make_operation(state_, cmd, source_, now_ms);
  if (!made.ok()) {
    source_ = before;
    return made.error();
  }
  Operation op = std::move(made.value());
  if (ids_.contains(op.id)) {  // cannot happen unless the files were edited by hand
    source_ = before;
    source_.next_seq = ids_.max_seq(source_.device) + 1;
    return make_error("duplicate_id", "The operation number " + op.id.to_string() +
                                          " is already in the log; the numbering was repaired, please try again.");
  }
  bool appended = false;
  auto st = append_to_log(segment::frame(op), &appended, /*undo_if_unsynced=*/true);
  if (!appended) {
    // Nothing stored (or stored and durably cut back, so the number is free
    // again): the state, ids and numbering are unchanged.
    source_ = before;
    return st.error();
  }
  ids_.insert(op.id);
  state_.apply(op);
  ++ops_since_snapshot_;
  if (own_session_first_ == 0) own_session_first_ = op.id.seq;
  own_recent_.emplace(op.id.seq, op);
  // device.json follows the log; if it cannot be written now, open() recovers
  // next_seq from the log and the next commit tries again.
  (void)save_device();
  if (!st.ok()) return st.error();
  return op;
}

std::optional<std::vector<Operation>> Replica::own_ops_in(uint64_t after_seq, uint64_t through_seq) const {
  std::vector<Operation> out;
  if (through_seq <= after_seq) return out;
  // Everything in the range must be from this session and not forgotten.
  if (own_session_first_ == 0 || after_seq + 1 < own_session_first_ || after_seq < own_forgotten_through_)
    return std::nullopt;
  for (auto it = own_recent_.upper_bound(after_seq); it != own_recent_.end() && it->first <= through_seq; ++it)
    out.push_back(it->second);
  return out;
}

void Replica::forget_own_through(uint64_t seq) {
  own_recent_.erase(own_recent_.begin(), own_recent_.upper_bound(seq));
  own_forgotten_through_ = std::max(own_forgotten_through_, seq);
}

Result<size_t> Replica::ingest(const std::vector<Operation>& ops, int64_t now_ms) {
  // Structural checks first, so a bad batch changes nothing.
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string why = structural_problem(ops[i]);
    if (!why.empty())
      return make_error("invalid_operation", "Operation " + std::to_string(i + 1) + " of " + std::to_string(ops.size()) +
                                                 " (" + ops[i].id.to_string() + ") is not well formed: " + why + ".");
  }
  size_t added = 0;
  std::vector<const Operation*> pending;
  std::string buffer;
  auto flush = [&]() -> Status {
    if (pending.empty()) return ok_status();
    bool appended = false;
    auto st = append_to_log(buffer, &appended);
    for (const Operation* op : pending) {
      if (!appended) {
        ids_.erase(op->id);
        continue;
      }
      if (source_.clock.observe(op->hlc, now_ms) == HlcClock::Observed::too_far_ahead) ++clock_warnings_;
      state_.apply(*op);
      note_own(*op);
      ++ops_since_snapshot_;
      ++added;
    }
    pending.clear();
    buffer.clear();
    return st;
  };
  Status result = ok_status();
  for (const auto& op : ops) {
    if (!ids_.insert(op.id)) continue;  // known, or twice in this batch
    std::string line = segment::frame(op);
    const uint64_t filled = segment_size_ + buffer.size();
    if (!pending.empty() && filled + line.size() > options_.segment_bytes) {
      result = flush();
      if (!result.ok()) {
        ids_.erase(op.id);
        break;
      }
    }
    buffer += line;
    pending.push_back(&op);
  }
  if (result.ok()) result = flush();
  if (saved_clock_ != source_.clock.last() || saved_next_seq_ != source_.next_seq) (void)save_device();
  if (!result.ok()) {
    Error e = result.error();
    e.message += " (" + plural(added, "new operation was", "new operations were") + " stored before this.)";
    return e;
  }
  return added;
}

Result<uint64_t> Replica::restamp_own(uint64_t after_seq, int64_t limit_ms, int64_t now_ms) {
  auto listed = fs_.list(dir_);
  if (!listed.ok()) return listed.error();
  std::map<uint64_t, std::string> names;
  for (const auto& name : listed.value()) {
    uint64_t n = 0;
    if (segment::parse_file_name(name, &n)) names[n] = name;
  }
  struct Seg {
    std::string name;
    std::vector<Operation> ops;
  };
  std::vector<Seg> segs;
  uint64_t first = 0;  // first own seq (> after_seq) stamped past limit_ms
  for (const auto& [number, name] : names) {
    auto bytes = fs_.read(path(name));
    if (!bytes.ok()) return bytes.error();
    Seg seg{name, {}};
    for (auto& rec : segment::parse(bytes.value()).good) {
      const Operation& op = rec.op;
      if (op.id.device == source_.device && op.id.seq > after_seq && op.hlc.wall_ms > limit_ms &&
          (first == 0 || op.id.seq < first))
        first = op.id.seq;
      seg.ops.push_back(std::move(rec.op));
    }
    segs.push_back(std::move(seg));
  }
  if (first == 0) return uint64_t{0};
  auto moves = [&](const Operation& op) { return op.id.device == source_.device && op.id.seq >= first; };
  // The new clock: past everything that stays, never past limit_ms.
  HlcClock clock(source_.clock.max_drift_ms());
  std::map<uint64_t, Hlc> fresh;  // seq -> new stamp
  for (const auto& seg : segs) {
    for (const auto& op : seg.ops) {
      if (moves(op)) fresh[op.id.seq] = Hlc{};
      else if (op.hlc.wall_ms <= limit_ms) clock.restore(op.hlc);
    }
  }
  // The removed segments' operations (compact) are folded in base.bin; none
  // of them moves (they were all acknowledged).
  // Likewise the server's snapshot a device started from (server-base.bin/.json),
  // until a compaction folds it into base.bin.
  State folded;
  OpIdSet seen;
  if (base_covers_ > 0) {
    auto base = base_state();
    if (!base.ok()) return base.error();
    folded = std::move(base.value());
    if (folded.max_hlc().wall_ms <= limit_ms) clock.restore(folded.max_hlc());
  } else if (has_server_base_) {
    auto base = read_server_base();
    if (!base.ok()) return base.error();
    folded = std::move(base.value().state);
    seen = std::move(base.value().ids);
    if (folded.max_hlc().wall_ms <= limit_ms) clock.restore(folded.max_hlc());
  }
  for (auto& [seq, stamp] : fresh) stamp = clock.tick(now_ms);
  // A crash from here on must not leave a snapshot that disagrees with the
  // log (base.bin folds none of the moved operations: it stays).
  bool had_snapshot = false;
  for (const char* name : {kSnapshotFile, kOldSnapshotFile}) {
    if (!fs_.exists(path(name))) continue;
    had_snapshot = true;
    if (auto st = fs_.remove(path(name)); !st.ok()) return st.error();
    snapshot_covers_ = base_covers_;
    snapshot_format_ = 0;
  }
  for (auto& seg : segs) {
    bool touched = false;
    std::string content;
    for (auto& op : seg.ops) {
      if (moves(op)) {
        op.hlc = fresh[op.id.seq];
        touched = true;
      }
      content += segment::frame(op);
    }
    if (!touched) continue;
    if (auto st = fs_.write_atomic(path(seg.name), content); !st.ok()) return st.error();
    uint64_t n = 0;
    if (segment::parse_file_name(seg.name, &n) && n == segment_) segment_size_ = content.size();
  }
  // Fold again (on the base above): the old stamps were applied and would keep winning.
  for (const auto& seg : segs)
    for (const auto& op : seg.ops)
      if (seen.insert(op.id) && !excluded_.contains(op.id)) folded.apply(op);  // refused ones stay out
  folded.version_past(state_.applied_ops());  // the UI's caches hold pointers into the old one
  state_ = std::move(folded);
  for (auto& [seq, op] : own_recent_)
    if (auto it = fresh.find(seq); it != fresh.end()) op.hlc = it->second;
  source_.clock.reset(clock.last());
  ++write_generation_;
  if (auto st = save_device(); !st.ok()) return st.error();
  if (had_snapshot) {
    if (auto st = write_snapshot(); !st.ok()) return st.error();
  }
  return first;
}

bool Replica::contains(const OpId& id) const { return ids_.contains(id); }

void Replica::load_excluded(int64_t now_ms) {
  const std::string p = path(kExcludedFile);
  if (!fs_.exists(p)) return;
  std::string why;
  auto text = fs_.read(p);
  if (!text.ok()) {
    why = text.error().message;
  } else {
    Json j = Json::parse(text.value(), nullptr, false);
    if (!j.is_object() || j.value("format", 0) != kFormat || !j.contains("ids")) {
      why = "it is not a list of refused changes this version can read";
    } else if (auto ids = OpIdSet::from_json(j["ids"]); !ids.ok()) {
      why = ids.error().message;
    } else {
      excluded_ = std::move(ids.value());
      return;
    }
  }
  StorageProblem problem;
  problem.file = kExcludedFile;
  problem.set_aside_as = set_aside(kExcludedFile, now_ms);
  problem.message = "The list of changes the server refused (excluded.json) could not be read (" + why +
                    "). They count again until the next sync takes them out; " +
                    (problem.set_aside_as.empty() ? std::string("the file was left in place.")
                                                  : "the file was set aside as " + problem.set_aside_as + ".");
  report_.problems.push_back(std::move(problem));
}

Status Replica::exclude(const std::vector<OpId>& ids) {
  OpIdSet next = excluded_, added;
  for (const OpId& id : ids)
    if (ids_.contains(id) && next.insert(id)) added.insert(id);
  if (added.size() == 0) return ok_status();
  Json j = {{"format", kFormat}, {"ids", next.to_json()}};
  auto st = fs_.write_atomic(path(kExcludedFile), j.dump() + "\n");
  if (!st.ok()) return st;  // nothing changed; the caller asks again later
  ++write_generation_;
  excluded_ = std::move(next);
  return refold_entities_of(added);
}

Status Replica::refold_entities_of(const OpIdSet& ids) {
  auto all = read_all();
  if (!all.ok()) return all.error();
  std::set<std::pair<std::string, std::string>> targets;
  for (const auto& op : all.value())
    if (ids.contains(op.id))
      if (auto t = State::target_of(op)) targets.insert(*t);
  // After compaction the removed segments' operations are folded in
  // base.bin; on a device that started from the server's snapshot (and has
  // not compacted since), in server-base.bin/.json: each record starts again
  // from there.
  std::optional<State> base;
  if (base_covers_ > 0 && !targets.empty()) {
    auto b = base_state();
    if (!b.ok()) return b.error();
    base = std::move(b.value());
  } else if (has_server_base_ && !targets.empty()) {
    auto b = read_server_base();
    if (!b.ok()) return b.error();
    base = std::move(b.value().state);
  }
  for (const auto& [kind, id] : targets) state_.forget(kind, id);
  if (base)
    for (const auto& [kind, id] : targets) state_.restore_from(*base, kind, id);
  for (const auto& op : all.value()) {
    if (excluded_.contains(op.id)) continue;
    auto t = State::target_of(op);
    if (t && targets.count(*t)) state_.apply(op);
  }
  return ok_status();
}

size_t Replica::operation_count() const { return ids_.size(); }

bool Replica::should_snapshot() const {
  return ops_since_snapshot_ >= options_.snapshot_every_ops ||
         sealed_since_snapshot_ >= options_.snapshot_every_segments;
}

Status Replica::write_snapshot() {
  const uint64_t covers = segment_size_ > 0 ? segment_ : segment_ - 1;
  SnapshotInfo info;
  info.covers_through_segment = covers;
  info.ids = ids_;
  info.excluded = excluded_;
  info.device = source_.device;
  info.clock = source_.clock.last();
  info.state_hash = state_.hash_hex();
  auto st = fs_.write_atomic(path(kSnapshotFile), encode_snapshot(info, state_));
  if (!st.ok()) return st;
  // The older format is superseded (and could not be compacted under).
  if (fs_.exists(path(kOldSnapshotFile))) (void)fs_.remove(path(kOldSnapshotFile));
  if (segment_size_ > 0) {  // seal: what follows goes into segments the snapshot does not cover
    ++segment_;
    segment_size_ = 0;
  }
  snapshot_covers_ = covers;
  snapshot_excluded_ = excluded_;
  snapshot_format_ = 2;
  snapshot_own_max_ = ids_.max_seq(source_.device);
  ops_since_snapshot_ = 0;
  sealed_since_snapshot_ = 0;
  ++write_generation_;
  return ok_status();
}

std::map<uint64_t, std::string> Replica::list_segments() const {
  std::map<uint64_t, std::string> segments;
  auto listed = fs_.list(dir_);
  if (listed.ok())
    for (const auto& name : listed.value()) {
      uint64_t n = 0;
      if (segment::parse_file_name(name, &n)) segments[n] = name;
    }
  return segments;
}

Result<size_t> Replica::compact(uint64_t acked_own_through) {
  if (snapshot_format_ != 2 || snapshot_covers_ <= base_covers_) return size_t{0};
  // The snapshot must fold nothing the server might still refuse: no own
  // operation above the acknowledged seq unless it is refused already...
  if (snapshot_own_max_ > acked_own_through) {
    if (snapshot_own_max_ - acked_own_through > 100000) return size_t{0};
    for (uint64_t seq = acked_own_through + 1; seq <= snapshot_own_max_; ++seq) {
      const OpId id{source_.device, seq};
      if (ids_.contains(id) && !excluded_.contains(id)) return size_t{0};
    }
  }
  // ... and every refusal must be left out of its state already.
  if (!(excluded_ == snapshot_excluded_)) return size_t{0};
  // Which covered segments to remove: all but those holding a refused
  // operation (kept for the audit and redo).
  std::vector<std::string> removable;
  for (const auto& [number, name] : list_segments()) {
    if (number > snapshot_covers_) break;
    if (excluded_.size() > 0) {
      auto bytes = fs_.read(path(name));
      if (!bytes.ok()) continue;  // unreadable: leave it
      bool holds_refused = false;
      for (const auto& rec : segment::parse(bytes.value()).good)
        if (excluded_.contains(rec.op.id)) holds_refused = true;
      if (holds_refused) continue;
    }
    removable.push_back(name);
  }
  if (removable.empty()) return size_t{0};
  // The snapshot becomes base.bin first (one atomic rename, no copy: the
  // folder holds one snapshot-sized file until the next write_snapshot):
  // once a segment is gone, its operations live only there (and on the
  // server). Start-up then loads base.bin like a snapshot.
  if (auto st = fs_.rename(path(kSnapshotFile), path(kBaseFile)); !st.ok()) return st.error();
  base_covers_ = snapshot_covers_;
  ++write_generation_;
  // The snapshot folded the server's snapshot this device started from:
  // base.bin holds it now.
  if (has_server_base_) {
    bool gone = true;
    for (const char* name : {kServerBaseFile, kServerBaseBinFile})
      if (fs_.exists(path(name)) && !fs_.remove(path(name)).ok()) gone = false;
    if (gone) has_server_base_ = false;
  }
  size_t removed = 0;
  for (const auto& name : removable) {
    if (!fs_.remove(path(name)).ok()) continue;  // tried again at the next compaction... of a later snapshot
    ++removed;
  }
  return removed;
}

Result<State> Replica::base_state() const {
  if (base_covers_ == 0) return State();
  auto loaded = read_snapshot_file(fs_, path(kBaseFile));
  if (!loaded.ok())
    return make_error("storage_error", "The file base.bin, which holds the changes of removed log files, could not be read (" +
                                           loaded.error().message + ").");
  return std::move(loaded.value().state);
}

Result<std::vector<Operation>> Replica::read_all() const {
  auto listed = fs_.list(dir_);
  if (!listed.ok()) return listed.error();
  std::map<uint64_t, std::string> segments;
  for (const auto& name : listed.value()) {
    uint64_t n = 0;
    if (segment::parse_file_name(name, &n)) segments[n] = name;
  }
  std::vector<Operation> out;
  out.reserve(ids_.size());
  OpIdSet seen;
  for (const auto& s : segments) {
    auto bytes = fs_.read(path(s.second));
    if (!bytes.ok()) return bytes.error();
    segment::Parsed parsed = segment::parse(bytes.value());
    for (auto& rec : parsed.good)
      if (seen.insert(rec.op.id)) out.push_back(std::move(rec.op));
  }
  return out;
}

}  // namespace dh
