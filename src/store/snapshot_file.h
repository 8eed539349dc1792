// The snapshot file (format 2, docs/operation-log.md section 5): a magic line,
// then frames "<crc32 8 hex> <length>\n<payload>\n". Frame 0 is a JSON header
// (what the snapshot covers, the known ids, the clock, the state's hash and
// the state encoder's tables); frames 1..chunks hold the state's binary
// records (core/state_codec.h), about 64 KiB each. Every frame is checked
// before it is used and the reader holds one frame at a time, so loading
// costs no more memory than the state itself plus one frame.
//
// The format-1 file snapshot.json (one checksummed JSON document) is still
// read: a device upgraded in the field starts from it once, and the next
// write_snapshot() writes format 2.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/hlc.h"
#include "core/result.h"
#include "core/state.h"
#include "store/file_system.h"
#include "store/op_id_set.h"

namespace dh {

struct SnapshotInfo {
  int format = 2;
  uint64_t covers_through_segment = 0;  // the state is the fold of segments 1..this
  OpIdSet ids;                          // every operation id folded in
  OpIdSet excluded;                     // ids left out (refused by the server)
  std::string device;                   // the device that wrote it
  Hlc clock;                            // its clock then
  std::string state_hash;               // State::hash_hex() of the state
  // The server's snapshot for a new device (GET /api/v1/snapshot?format=2,
  // docs/sync-protocol.md): the server seq the state folds through; 0 in a
  // device's own snapshot files (the header then has no "server_seq").
  uint64_t server_seq = 0;
};

struct LoadedSnapshot {
  SnapshotInfo info;
  State state;
};

// Reads `length` bytes at `offset` (fewer at the end of the data) into
// `into`, replacing its content (its capacity may be reused).
using ReadPart = std::function<Status(uint64_t offset, size_t length, std::string& into)>;

// True when bytes start like a format-2 snapshot file (its magic line); says
// nothing of the rest, which read_snapshot/decode_snapshot check.
bool is_snapshot_file(std::string_view bytes);

// The bytes of a format-2 snapshot file of `state`.
std::string encode_snapshot(const SnapshotInfo& info, const State& state, size_t chunk_bytes = 64 * 1024);

// Reads and checks a format-2 snapshot frame by frame. Errors (code
// "bad_snapshot") say in plain words what is wrong ("part 12 of 48 has a wrong
// checksum ...") for the open report. with_state=false reads the header only.
Result<LoadedSnapshot> read_snapshot(const ReadPart& read_part, bool with_state = true);
Result<LoadedSnapshot> read_snapshot_file(FileSystem& fs, const std::string& path, bool with_state = true);
// The same from bytes in memory (e.g. a snapshot received whole).
Result<LoadedSnapshot> decode_snapshot(std::string_view bytes);

// The format-1 snapshot.json text (kept for devices upgraded in the field).
Result<LoadedSnapshot> decode_json_snapshot(const std::string& text);

}  // namespace dh
