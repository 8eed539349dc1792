// Replica: first start from the server's snapshot (replica.h
// adopt_server_snapshot; docs/sync-protocol.md "Snapshot for a new device").
//
// Two forms of the server's document, both written once (when the replica is
// empty) and never changed:
// - server-base.bin: the format-2 document (GET /api/v1/snapshot?format=2),
//   which is a snapshot file (store/snapshot_file.h) whose header also holds
//   "server_seq"; stored verbatim, its frames are checksummed already, and it
//   is read frame by frame like snapshot.bin (no JSON tree of the state).
// - server-base.json: the format-1 JSON document of earlier versions, behind
//   one header line:  dh-server-base 1 <crc32 hex of the document> <length>\n
//   so a cut or changed file is noticed before it is parsed.
#include <algorithm>
#include <cstring>

#include "store/replica.h"
#include "store/segment.h"

namespace dh {
namespace {

constexpr const char* kServerBaseFile = "server-base.json";
constexpr const char* kServerBaseBinFile = "server-base.bin";
constexpr const char* kServerBaseMagic = "dh-server-base 1 ";
// Where the app has a downloaded snapshot written before adopting it
// (adopt_server_snapshot_file); other files of the folder are not read at
// start-up, so a download cut off by a closed tab is harmless.
constexpr const char* kIncomingSnapshotFile = "server-base.bin.download";
// replica.cpp's snapshot files (format 2, and format 1 of older versions)
constexpr const char* kSnapshotFiles[] = {"snapshot.bin", "snapshot.json"};

Error bad(const std::string& why) {
  return make_error("bad_server_snapshot", "The data sent by the server for a first start could not be used: " + why + ".");
}

}  // namespace

Result<Replica::ServerBase> Replica::server_base_of(LoadedSnapshot loaded) {
  const SnapshotInfo& info = loaded.info;
  if (info.server_seq == 0) return bad("it does not say up to which change it reaches");
  if (info.covers_through_segment != 0 || info.excluded.size() != 0) return bad("it is a device's own file, not the server's");
  ServerBase base;
  base.seq = info.server_seq;
  base.state = std::move(loaded.state);
  base.ids = std::move(loaded.info.ids);
  return base;
}

Result<Replica::ServerBase> Replica::parse_server_base(std::string_view document) {
  if (is_snapshot_file(document)) {
    // decode_snapshot checks every frame's checksum and the state's hash.
    auto loaded = decode_snapshot(document);
    if (!loaded.ok()) return bad(loaded.error().message);
    return server_base_of(std::move(loaded.value()));
  }
  Json j = Json::parse(document.begin(), document.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("it is not complete, readable JSON (cut off or garbled)");
  if (!j.contains("format") || j["format"] != 1) return bad("it was made in a format this version does not know");
  if (!j.contains("seq") || !j["seq"].is_number_unsigned() || j["seq"].get<uint64_t>() == 0)
    return bad("it does not say up to which change it reaches");
  if (!j.contains("state_hash") || !j["state_hash"].is_string()) return bad("it carries no fingerprint");
  if (!j.contains("ids") || !j.contains("state") || !j.contains("operations") || !j["operations"].is_number_unsigned())
    return bad("parts of it are missing");
  auto ids = OpIdSet::from_json(j["ids"]);
  if (!ids.ok()) return bad("its list of changes cannot be read (" + ids.error().message + ")");
  if (ids.value().size() != j["operations"].get<uint64_t>()) return bad("its list of changes has the wrong length");
  auto state = State::from_snapshot(j["state"]);
  if (!state.ok()) return bad("its records cannot be read (" + state.error().message + ")");
  if (state.value().hash_hex() != j["state_hash"].get<std::string>())
    return bad("its records do not match the fingerprint sent with them");
  ServerBase base;
  base.seq = j["seq"].get<uint64_t>();
  base.state = std::move(state.value());
  base.ids = std::move(ids.value());
  return base;
}

Result<Replica::ServerBase> Replica::read_server_base() const {
  if (fs_.exists(path(kServerBaseBinFile))) {
    auto loaded = read_snapshot_file(fs_, path(kServerBaseBinFile));
    if (!loaded.ok()) return bad(loaded.error().message);
    return server_base_of(std::move(loaded.value()));
  }
  auto text = fs_.read(path(kServerBaseFile));
  if (!text.ok()) return text.error();
  const std::string& t = text.value();
  const size_t magic = std::strlen(kServerBaseMagic);
  const size_t eol = t.find('\n');
  if (t.compare(0, magic, kServerBaseMagic) != 0 || eol == std::string::npos || eol < magic + 10)
    return bad("the stored copy does not start like one");
  const std::string crc = t.substr(magic, 8);
  uint64_t length = 0;
  for (size_t i = magic + 9; i < eol; ++i) {
    if (t[i] < '0' || t[i] > '9' || i > magic + 9 + 12) return bad("the stored copy's header is damaged");
    length = length * 10 + static_cast<uint64_t>(t[i] - '0');
  }
  if (t.size() - eol - 1 != length) return bad("the stored copy is shorter or longer than its header says");
  std::string_view body(t.data() + eol + 1, static_cast<size_t>(length));
  if (segment::crc32_hex(body) != crc) return bad("the stored copy was changed after it was written (checksum)");
  return parse_server_base(body);
}

void Replica::load_server_base(int64_t now_ms) {
  const char* file = fs_.exists(path(kServerBaseBinFile)) ? kServerBaseBinFile : kServerBaseFile;
  has_server_base_ = fs_.exists(path(file));
  if (!has_server_base_ || report_.used_snapshot) return;
  auto base = read_server_base();
  if (base.ok()) {
    state_ = std::move(base.value().state);
    ids_ = std::move(base.value().ids);
    report_.used_server_base = true;
    return;
  }
  StorageProblem problem;
  problem.file = file;
  problem.set_aside_as = set_aside(file, now_ms);
  problem.message = "The data this device first received from the server (" + std::string(file) + ") could not be used (" +
                    base.error().message + ") It is fetched from the server again at the next sync; " +
                    (problem.set_aside_as.empty() ? std::string("the file was left in place.")
                                                  : "the file was set aside as " + problem.set_aside_as + ".");
  report_.problems.push_back(std::move(problem));
  report_.server_base_lost = true;
  has_server_base_ = false;
}

Status Replica::check_empty_for_snapshot() const {
  if (ids_.size() > 0 || excluded_.size() > 0 || has_server_base_)
    return make_error("not_empty", "This device already holds data, so it keeps it and does not start again from the "
                                   "server's snapshot.");
  return ok_status();
}

Result<uint64_t> Replica::adopt_server_snapshot(std::string_view document, int64_t now_ms) {
  if (auto st = check_empty_for_snapshot(); !st.ok()) return st.error();
  auto base = parse_server_base(document);
  if (!base.ok()) return base.error();
  if (is_snapshot_file(document)) {
    // Checked whole above: stored as received.
    if (auto st = fs_.write_atomic(path(kServerBaseBinFile), document); !st.ok()) return st.error();
  } else {
    std::string file = kServerBaseMagic + segment::crc32_hex(document) + " " + std::to_string(document.size()) + "\n";
    file.append(document.data(), document.size());
    if (auto st = fs_.write_atomic(path(kServerBaseFile), file); !st.ok()) return st.error();
  }
  return install_server_base(std::move(base.value()), now_ms);
}

std::string Replica::incoming_snapshot_path() const { return path(kIncomingSnapshotFile); }

void Replica::discard_incoming_snapshot() {
  if (fs_.exists(path(kIncomingSnapshotFile))) (void)fs_.remove(path(kIncomingSnapshotFile));
}

Result<uint64_t> Replica::adopt_server_snapshot_file(int64_t now_ms) {
  const std::string incoming = incoming_snapshot_path();
  auto drop = [&](const Error& e) -> Result<uint64_t> {
    discard_incoming_snapshot();
    return e;
  };
  if (auto st = check_empty_for_snapshot(); !st.ok()) return drop(st.error());
  auto head = fs_.read_part(incoming, 0, 64);
  if (!head.ok()) return drop(bad("it could not be read back (" + head.error().message + ")"));
  if (!is_snapshot_file(head.value())) {  // format 1: JSON, read whole
    auto whole = fs_.read(incoming);
    if (!whole.ok()) return drop(bad("it could not be read back (" + whole.error().message + ")"));
    auto seq = adopt_server_snapshot(whole.value(), now_ms);
    discard_incoming_snapshot();
    return seq;
  }
  // read_snapshot_file checks every frame's checksum and the state's hash.
  auto loaded = read_snapshot_file(fs_, incoming);
  if (!loaded.ok()) return drop(bad(loaded.error().message));
  auto base = server_base_of(std::move(loaded.value()));
  if (!base.ok()) return drop(base.error());
  if (auto st = fs_.rename(incoming, path(kServerBaseBinFile)); !st.ok()) return drop(st.error());
  return install_server_base(std::move(base.value()), now_ms);
}

uint64_t Replica::install_server_base(ServerBase base, int64_t now_ms) {
  ++write_generation_;
  // An empty replica's snapshot (if any) would hide the base at the next start.
  for (const char* name : kSnapshotFiles)
    if (fs_.exists(path(name))) (void)fs_.remove(path(name));
  snapshot_covers_ = 0;
  has_server_base_ = true;
  state_ = std::move(base.state);
  ids_ = std::move(base.ids);
  const Hlc& seen = state_.max_hlc();
  if (source_.clock.observe(seen, now_ms) == HlcClock::Observed::too_far_ahead) ++clock_warnings_;
  report_.operations = ids_.size();
  if (saved_clock_ != source_.clock.last()) (void)save_device();
  return base.seq;
}

}  // namespace dh
