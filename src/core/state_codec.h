// A compact binary encoding of a State, read and written record by record, so
// a snapshot of 100,000 operations loads without building a JSON tree
// (docs/operation-log.md section 5, "state records").
//
// The encoder lists the kinds, devices and authors once (header()) and then
// writes one record per entity, in (kind, id) order, grouping whole records
// into chunks of about chunk_bytes; the caller checksums and stores each
// chunk. The decoder takes the header, then the chunks in the same order, one
// at a time (so only one chunk need be in memory), and checks every byte it
// reads: malformed input is an error in plain words, never a crash. No I/O.
//
// Contract: StateDecoder(header of E(s)) fed every chunk of E(s) gives a State
// equal to s (same hash(), entities, fields, stamps, authors, max_hlc,
// applied_ops, ignored_ops; referring() indexes rebuilt).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/state.h"

namespace dh {

class StateEncoder {
 public:
  explicit StateEncoder(const State& state);
  // {"format":"dianhong-state-records","version":1,"max_hlc","applied_ops",
  //  "ignored_ops","kinds":[...],"devices":[...],"authors":[...],"entities":n}
  Json header() const;
  // Calls sink once per chunk (whole records, about chunk_bytes each; a
  // record larger than that is a chunk of its own). Stops at the first error
  // the sink returns.
  Status encode(size_t chunk_bytes, const std::function<Status(const std::string& chunk)>& sink) const;

 private:
  const State& state_;
  std::vector<const std::string*> kinds_, devices_, authors_;
  size_t entities_ = 0;
};

class StateDecoder {
 public:
  static Result<StateDecoder> start(const Json& header);
  // Decodes the whole records of one chunk. The chunk number is for messages.
  Status feed(std::string_view chunk, size_t chunk_number);
  // The state, once every record the header announced was fed.
  Result<State> finish();
  // State::hash() of the records fed, computed as each was decoded (no second
  // pass over the state): equal to finish()'s state's hash() when the records
  // came in (kind, id) order, as StateEncoder writes them; records in any
  // other order give a different value, so a check against the encoder's
  // hash also rejects them.
  uint64_t hash() const { return hasher_.value(); }

 private:
  StateDecoder() = default;
  State state_;
  std::vector<std::string> kinds_;
  std::vector<const std::string*> devices_, authors_;
  size_t expected_ = 0, decoded_ = 0;
  StateHasher hasher_;
  uint64_t hashed_kind_ = UINT64_MAX;  // the kind whose name the hasher saw last
  const FieldOrigin* last_origin_ = nullptr;  // the origin of the last field with a stamp of its own
};

}  // namespace dh
