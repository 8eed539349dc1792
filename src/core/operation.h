// The operation: the only way anything changes.
//
// Every change a person makes becomes one immutable Operation. The state of the
// community is the deterministic fold of the set of operations (see state.h);
// the log (src/store) stores them, sync (src/sync) moves them between devices.
// The wire and disk form is one canonical JSON object per operation, documented
// in docs/operation-log.md:
//
//   {"id":"k7f3a9c2d1e0:42","hlc":"1764147600000.0","author":"staff:wang",
//    "type":"household.create","payload":{...}}
//
// id     : device id + per-device sequence number (1, 2, 3, ...); unique for all
//          time, so receiving an operation twice is detected and harmless.
// hlc    : hybrid logical clock stamp (hlc.h) when the operation was made.
// author : who made it (a person or role account id), recorded for the audit.
// type   : "<kind>.<verb>", e.g. "resident.edit" (schema.h lists them).
// payload: the type's own fields, a JSON object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/hlc.h"
#include "core/result.h"

namespace dh {

using Json = nlohmann::json;

// A device id is 1..32 characters of [a-z0-9-]. Demo data uses "demo".
bool is_valid_device_id(std::string_view device);

// The largest per-device sequence number (and server seq) anyone accepts:
// 2^53, so it stays exact in a JavaScript number and seq + 1 never wraps.
constexpr uint64_t kMaxOpSeq = uint64_t{1} << 53;

struct OpId {
  std::string device;
  uint64_t seq = 0;  // starts at 1 on each device; at most kMaxOpSeq

  std::string to_string() const;  // "device:seq"
  // Canonical text only: seq 1..kMaxOpSeq in decimal without sign or leading
  // zero ("pd7:007" is refused, so an answer never renames an id).
  static std::optional<OpId> parse(std::string_view text);

  friend bool operator<(const OpId& a, const OpId& b) {
    return std::tie(a.device, a.seq) < std::tie(b.device, b.seq);
  }
  friend bool operator==(const OpId& a, const OpId& b) { return a.seq == b.seq && a.device == b.device; }
  friend bool operator!=(const OpId& a, const OpId& b) { return !(a == b); }
};

struct OpIdHash {
  size_t operator()(const OpId& id) const noexcept;
};

struct Operation {
  OpId id;
  Hlc hlc;
  std::string author;
  std::string type;
  Json payload = Json::object();
};

// The total order all replicas agree on: by stamp, then by id.
inline bool op_order_less(const Operation& a, const Operation& b) {
  if (a.hlc != b.hlc) return a.hlc < b.hlc;
  return a.id < b.id;
}

// Canonical compact JSON text (keys sorted, no spaces, no newline): the
// bytes of to_json(op).dump() with invalid UTF-8 replaced, written without
// building the Json object (no copy of the payload).
std::string to_json_text(const Operation& op);
Json to_json(const Operation& op);
// Appends s as a JSON string exactly as Json(s).dump() with invalid UTF-8
// replaced writes it (plain printable ASCII copied straight through).
void append_json_string(std::string& out, std::string_view s);
// Appends j as j.dump(-1, ' ', false, Json::error_handler_t::replace) writes it.
void append_json(std::string& out, const Json& j);

// The members of a JSON value read as an operation, before the structural
// checks: what operation_from_json() and the streaming reader of
// core/json_reader.h both hand to operation_from_parts(), so the two give the
// same answer and the same words for any input.
struct OperationParts {
  bool is_object = false;             // the value was a JSON object
  std::optional<std::string> id, hlc, author, type;  // set when present and text
  std::optional<Json> payload;        // set when present and an object
  size_t members = 0;                 // distinct keys of the object
};
// The structural checks below, in their order, on parts (moved from).
Result<Operation> operation_from_parts(OperationParts&& parts);

// Structural checks only (well-formed id, stamp, author, type, payload object);
// whether the type's rules are met is validate_operation() in commands.h.
Result<Operation> operation_from_json(const Json& j);
// The same, taking the payload and texts out of j instead of copying them
// (j is left valid but unspecified).
Result<Operation> operation_from_json(Json&& j);
Result<Operation> parse_operation(std::string_view text);

}  // namespace dh
