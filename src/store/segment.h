// Segment files: the framing of operation records on disk (docs/operation-log.md).
//
// One record per line:  <crc32 as 8 lowercase hex> ' ' <length> ' ' <json> '\n'
// where <json> is the operation's canonical JSON text (to_json_text), <length>
// its size in bytes (decimal) and the CRC-32 (IEEE, as zlib) is taken over the
// JSON bytes. Canonical JSON never contains a raw newline, so a damaged record
// spoils only its own line: the reader resynchronises at the next '\n'.
//
// Internal to src/store; the replica is the public interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/operation.h"

namespace dh {
namespace segment {

// CRC-32 (polynomial 0xEDB88320, reflected, init and final xor 0xFFFFFFFF),
// the same value zlib's crc32() gives. Pass a previous value to continue.
uint32_t crc32(std::string_view data, uint32_t crc = 0);
std::string crc32_hex(std::string_view data);  // 8 lowercase hex digits

// "seg-000001.log" for 1. Numbers have at least 6 digits.
std::string file_name(uint64_t number);
// True and the number for a name of the form seg-<digits>.log.
bool parse_file_name(std::string_view name, uint64_t* number);

// The framed line (with its '\n') for an operation's canonical JSON text.
std::string frame(const std::string& json_text);
inline std::string frame(const Operation& op) { return frame(to_json_text(op)); }

struct BadRecord {
  size_t line = 0;      // 1-based line (= record) number in the file
  size_t offset = 0;    // byte offset of the line
  std::string what;     // plain words, e.g. "has a wrong checksum ..."
  bool torn = false;    // the file ends inside this record
};

struct GoodRecord {
  Operation op;
  size_t offset = 0;    // byte offset of the line
  size_t length = 0;    // bytes of the line without its '\n'
};

struct Parsed {
  std::vector<GoodRecord> good;
  std::vector<BadRecord> bad;
  // The last record was complete but the file ended without its '\n'.
  bool unterminated = false;
  bool needs_repair() const { return !bad.empty() || unterminated; }
};

// Reads every record of a segment's bytes; never fails. Records that are
// damaged are listed in bad, every readable one is in good.
Parsed parse(std::string_view bytes);

}  // namespace segment
}  // namespace dh
