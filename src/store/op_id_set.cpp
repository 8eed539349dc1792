#include "store/op_id_set.h"

namespace dh {

bool OpIdSet::contains(const OpId& id) const {
  auto d = ranges_.find(id.device);
  if (d == ranges_.end()) return false;
  auto it = d->second.upper_bound(id.seq);
  if (it == d->second.begin()) return false;
  --it;
  return id.seq <= it->second;
}

bool OpIdSet::insert(const OpId& id) {
  auto& r = ranges_[id.device];
  const uint64_t s = id.seq;
  auto next = r.upper_bound(s);  // first range starting after s
  if (next != r.begin()) {
    auto prev = std::prev(next);
    if (s <= prev->second) return false;  // already inside
    if (prev->second + 1 == s) {          // extends prev
      prev->second = s;
      if (next != r.end() && next->first == s + 1) {
        prev->second = next->second;
        r.erase(next);
      }
      ++size_;
      return true;
    }
  }
  if (next != r.end() && next->first == s + 1) {  // extends next downwards
    uint64_t last = next->second;
    r.erase(next);
    r[s] = last;
  } else {
    r[s] = s;
  }
  ++size_;
  return true;
}

bool OpIdSet::erase(const OpId& id) {
  auto d = ranges_.find(id.device);
  if (d == ranges_.end()) return false;
  auto& r = d->second;
  auto it = r.upper_bound(id.seq);
  if (it == r.begin()) return false;
  --it;
  const uint64_t first = it->first, last = it->second, s = id.seq;
  if (s > last) return false;
  r.erase(it);
  if (first < s) r[first] = s - 1;
  if (s < last) r[s + 1] = last;
  if (r.empty()) ranges_.erase(d);
  --size_;
  return true;
}

uint64_t OpIdSet::max_seq(const std::string& device) const {
  auto d = ranges_.find(device);
  if (d == ranges_.end() || d->second.empty()) return 0;
  return d->second.rbegin()->second;
}

size_t OpIdSet::range_count() const {
  size_t n = 0;
  for (const auto& d : ranges_) n += d.second.size();
  return n;
}

Json OpIdSet::to_json() const {
  Json j = Json::object();
  for (const auto& d : ranges_) {
    if (d.second.empty()) continue;
    Json list = Json::array();
    for (const auto& r : d.second) list.push_back(Json::array({r.first, r.second}));
    j[d.first] = std::move(list);
  }
  return j;
}

Result<OpIdSet> OpIdSet::from_json(const Json& j) {
  auto bad = [](const std::string& why) { return make_error("bad_id_set", "The list of known operations " + why + "."); };
  if (!j.is_object()) return bad("is not an object");
  OpIdSet out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!is_valid_device_id(it.key())) return bad("names an invalid device \"" + it.key() + "\"");
    if (!it.value().is_array()) return bad("has no ranges for device " + it.key());
    auto& r = out.ranges_[it.key()];
    uint64_t prev_last = 0;
    for (const auto& range : it.value()) {
      if (!range.is_array() || range.size() != 2 || !range[0].is_number_unsigned() || !range[1].is_number_unsigned())
        return bad("has a range that is not two whole numbers");
      uint64_t first = range[0].get<uint64_t>(), last = range[1].get<uint64_t>();
      if (first == 0 || last < first || (prev_last != 0 && first <= prev_last + 1))
        return bad("has ranges out of order for device " + it.key());
      r[first] = last;
      out.size_ += static_cast<size_t>(last - first + 1);
      prev_last = last;
    }
    if (r.empty()) out.ranges_.erase(it.key());
  }
  return out;
}

std::vector<OpId> OpIdSet::list() const {
  std::vector<OpId> out;
  for (const auto& [device, ranges] : ranges_)
    for (const auto& [first, last] : ranges)
      for (uint64_t q = first; q <= last; ++q) out.push_back(OpId{device, q});
  return out;
}

}  // namespace dh
