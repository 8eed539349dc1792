// A set of operation ids kept as sorted, merged sequence ranges per device.
//
// Each device numbers its operations 1, 2, 3, ..., so a replica's known ids are
// a few ranges per device: 100,000 operations from two devices are two ranges.
// The snapshot stores this set as {"<device>": [[first, last], ...]} (ranges
// inclusive, sorted, not touching), so start-up from a snapshot knows every id
// it covers without reading the old segments.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/operation.h"
#include "core/result.h"

namespace dh {

class OpIdSet {
 public:
  bool contains(const OpId& id) const;
  // True when the id was new.
  bool insert(const OpId& id);
  // True when the id was present.
  bool erase(const OpId& id);
  size_t size() const { return size_; }
  // Highest sequence number known for device, 0 if none.
  uint64_t max_seq(const std::string& device) const;
  size_t range_count() const;

  // Every id, by device then sequence (for small sets: a refused change list).
  std::vector<OpId> list() const;

  Json to_json() const;
  static Result<OpIdSet> from_json(const Json& j);

  friend bool operator==(const OpIdSet& a, const OpIdSet& b) { return a.ranges_ == b.ranges_; }

 private:
  // device -> (first -> last), inclusive, disjoint and not adjacent.
  std::map<std::string, std::map<uint64_t, uint64_t>> ranges_;
  size_t size_ = 0;
};

}  // namespace dh
