#include "core/state_codec.h"

#include <cstring>
#include <unordered_map>

namespace dh {
namespace {

// Record layout (docs/operation-log.md, "state records"); integers are
// unsigned LEB128 varints, strings a varint byte count then the bytes.
//   entity: kind-index, id, created(0|1), [stamp, created_by], field-count, fields
//   stamp:  wall_ms, logical, device-index, seq
//   field:  name, 0 (written by the create: its stamp and author)
//               | 1 stamp author-index, value
//   value:  tag, then: 0 null, 1 false, 2 true, 3 unsigned varint,
//           4 negative integer (varint of -(v+1)), 5 double (8 bytes, IEEE 754
//           little-endian), 6 string, 7 array (count, values),
//           8 object (count, (key string, value)...)
enum Tag : uint8_t { kNull = 0, kFalse, kTrue, kUnsigned, kNegative, kDouble, kString, kArray, kObject };
constexpr int kMaxDepth = 64;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_string(std::string& out, const std::string& s) {
  put_varint(out, s.size());
  out += s;
}

void put_value(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::boolean:
      out += static_cast<char>(v.get<bool>() ? kTrue : kFalse);
      return;
    case Json::value_t::number_unsigned:
      out += static_cast<char>(kUnsigned);
      put_varint(out, v.get<uint64_t>());
      return;
    case Json::value_t::number_integer: {
      const int64_t i = v.get<int64_t>();
      if (i >= 0) {
        out += static_cast<char>(kUnsigned);
        put_varint(out, static_cast<uint64_t>(i));
      } else {
        out += static_cast<char>(kNegative);
        put_varint(out, static_cast<uint64_t>(-(i + 1)));
      }
      return;
    }
    case Json::value_t::number_float: {
      out += static_cast<char>(kDouble);
      const double d = v.get<double>();
      unsigned char b[8];
      std::memcpy(b, &d, 8);  // every platform Dianhong runs on is little-endian
      out.append(reinterpret_cast<const char*>(b), 8);
      return;
    }
    case Json::value_t::string:
      out += static_cast<char>(kString);
      put_string(out, v.get_ref<const std::string&>());
      return;
    case Json::value_t::array:
      out += static_cast<char>(kArray);
      put_varint(out, v.size());
      for (const Json& x : v) put_value(out, x);
      return;
    case Json::value_t::object:
      out += static_cast<char>(kObject);
      put_varint(out, v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        put_string(out, it.key());
        put_value(out, it.value());
      }
      return;
    default:  // null, and the binary/discarded kinds a state never holds
      out += static_cast<char>(kNull);
      return;
  }
}

// Reads one chunk; every read is bounds-checked and sets `bad` on failure.
struct Reader {
  const unsigned char* p;
  const unsigned char* end;
  std::string bad;

  bool fail(const char* what) {
    if (bad.empty()) bad = what;
    p = end;
    return false;
  }
  bool varint(uint64_t* v) {
    uint64_t out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end) return fail("a number is cut off");
      const unsigned char c = *p++;
      out |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) {
        *v = out;
        return true;
      }
    }
    return fail("a number is too long");
  }
  bool string(std::string* s) {
    uint64_t n = 0;
    if (!varint(&n)) return false;
    if (n > static_cast<uint64_t>(end - p)) return fail("a text is cut off");
    *s = std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));  // exact capacity, as a fold's copies
    p += n;
    return true;
  }
  bool byte(uint8_t* b) {
    if (p == end) return fail("a record is cut off");
    *b = *p++;
    return true;
  }
  bool value(Json* out, int depth) {
    if (depth > kMaxDepth) return fail("a value is nested too deeply");
    uint8_t tag = 0;
    if (!byte(&tag)) return false;
    switch (tag) {
      case kNull:
        *out = nullptr;
        return true;
      case kFalse:
      case kTrue:
        *out = (tag == kTrue);
        return true;
      case kUnsigned: {
        uint64_t v = 0;
        if (!varint(&v)) return false;
        *out = v;
        return true;
      }
      case kNegative: {
        uint64_t v = 0;
        if (!varint(&v)) return false;
        if (v > static_cast<uint64_t>(INT64_MAX)) return fail("a number is out of range");
        *out = -static_cast<int64_t>(v) - 1;
        return true;
      }
      case kDouble: {
        if (end - p < 8) return fail("a number is cut off");
        double d = 0;
        std::memcpy(&d, p, 8);
        p += 8;
        *out = d;
        return true;
      }
      case kString: {
        std::string s;
        if (!string(&s)) return false;
        *out = std::move(s);
        return true;
      }
      case kArray: {
        uint64_t n = 0;
        if (!varint(&n)) return false;
        if (n > static_cast<uint64_t>(end - p)) return fail("a list is cut off");  // >= 1 byte per item
        *out = Json::array();
        for (uint64_t i = 0; i < n; ++i) {
          Json x;
          if (!value(&x, depth + 1)) return false;
          out->push_back(std::move(x));
        }
        return true;
      }
      case kObject: {
        uint64_t n = 0;
        if (!varint(&n)) return false;
        if (n > static_cast<uint64_t>(end - p)) return fail("an object is cut off");
        *out = Json::object();
        for (uint64_t i = 0; i < n; ++i) {
          std::string key;
          Json x;
          if (!string(&key) || !value(&x, depth + 1)) return false;
          (*out)[key] = std::move(x);
        }
        return true;
      }
      default:
        return fail("a value has an unknown type");
    }
  }
};

}  // namespace

StateEncoder::StateEncoder(const State& state) : state_(state) {
  std::unordered_map<const std::string*, size_t> seen_devices, seen_authors;
  auto device = [&](const std::string* d) {
    if (seen_devices.emplace(d, devices_.size()).second) devices_.push_back(d);
  };
  auto author = [&](const std::string* a) {
    if (seen_authors.emplace(a, authors_.size()).second) authors_.push_back(a);
  };
  for (const auto& [kind, entities] : state.kinds_) {
    kinds_.push_back(&kind);
    for (const auto& [id, e] : entities) {
      ++entities_;
      if (e.created) device(e.created_stamp().device);
      for (const auto& [name, fv] : e.fields) {
        if (e.created && fv.stamp() == e.created_stamp()) continue;
        device(fv.stamp().device);
        author(fv.author() ? fv.author() : interned_empty());
      }
    }
  }
}

Json StateEncoder::header() const {
  Json kinds = Json::array(), devices = Json::array(), authors = Json::array();
  for (const auto* k : kinds_) kinds.push_back(*k);
  for (const auto* d : devices_) devices.push_back(*d);
  for (const auto* a : authors_) authors.push_back(*a);
  return Json{{"format", "dianhong-state-records"},
              {"version", 1},
              {"max_hlc", state_.max_hlc_.to_string()},
              {"applied_ops", state_.applied_ops_},
              {"ignored_ops", state_.ignored_ops_},
              {"kinds", std::move(kinds)},
              {"devices", std::move(devices)},
              {"authors", std::move(authors)},
              {"entities", entities_}};
}

Status StateEncoder::encode(size_t chunk_bytes, const std::function<Status(const std::string&)>& sink) const {
  std::unordered_map<const std::string*, size_t> device_index, author_index;
  for (size_t i = 0; i < devices_.size(); ++i) device_index.emplace(devices_[i], i);
  for (size_t i = 0; i < authors_.size(); ++i) author_index.emplace(authors_[i], i);
  auto put_stamp = [&](std::string& out, const Stamp& s) {
    put_varint(out, static_cast<uint64_t>(s.hlc.wall_ms));
    put_varint(out, s.hlc.logical);
    put_varint(out, device_index.at(s.device));
    put_varint(out, s.seq);
  };
  std::string chunk, record;
  size_t kind_number = 0;
  for (const auto& [kind, entities] : state_.kinds_) {
    for (const auto& [id, e] : entities) {
      record.clear();
      put_varint(record, kind_number);
      put_string(record, id);
      record += static_cast<char>(e.created ? 1 : 0);
      if (e.created) {
        put_stamp(record, e.created_stamp());
        put_string(record, e.created_by());
      }
      put_varint(record, e.fields.size());
      for (const auto& [name, fv] : e.fields) {
        put_string(record, name);
        if (e.created && fv.stamp() == e.created_stamp()) {
          record += static_cast<char>(0);
        } else {
          record += static_cast<char>(1);
          put_stamp(record, fv.stamp());
          put_varint(record, author_index.at(fv.author() ? fv.author() : interned_empty()));
        }
        put_value(record, fv.value);
      }
      if (!chunk.empty() && chunk.size() + record.size() > chunk_bytes) {
        if (auto st = sink(chunk); !st.ok()) return st;
        chunk.clear();
      }
      chunk += record;
    }
    ++kind_number;
  }
  if (!chunk.empty()) return sink(chunk);
  return ok_status();
}

Result<StateDecoder> StateDecoder::start(const Json& h) {
  auto bad = [](const std::string& what) {
    return make_error("corrupt_snapshot", "The saved state cannot be read: " + what + ".");
  };
  if (!h.is_object() || h.value("format", "") != "dianhong-state-records") return bad("it is not a Dianhong state");
  if (!h.contains("version") || h["version"] != 1) return bad("its version is not 1");
  StateDecoder d;
  auto mh = h.contains("max_hlc") && h["max_hlc"].is_string() ? Hlc::parse(h["max_hlc"].get<std::string>()) : std::nullopt;
  if (!mh) return bad("max_hlc is missing or malformed");
  d.state_.max_hlc_ = *mh;
  if (!h.contains("applied_ops") || !h["applied_ops"].is_number_unsigned() || !h.contains("ignored_ops") ||
      !h["ignored_ops"].is_number_unsigned() || !h.contains("entities") || !h["entities"].is_number_unsigned())
    return bad("its counts are missing");
  d.state_.applied_ops_ = h["applied_ops"].get<uint64_t>();
  d.state_.ignored_ops_ = h["ignored_ops"].get<uint64_t>();
  d.expected_ = h["entities"].get<size_t>();
  for (const char* list : {"kinds", "devices", "authors"})
    if (!h.contains(list) || !h[list].is_array()) return bad(std::string("the list of ") + list + " is missing");
  for (const Json& k : h["kinds"]) {
    if (!k.is_string() || k.get_ref<const std::string&>().empty()) return bad("a kind is malformed");
    d.kinds_.push_back(k.get<std::string>());
  }
  for (const Json& x : h["devices"]) {
    if (!x.is_string() || !is_valid_device_id(x.get_ref<const std::string&>())) return bad("a device id is malformed");
    d.devices_.push_back(intern_string(x.get_ref<const std::string&>()));
  }
  for (const Json& a : h["authors"]) {
    if (!a.is_string()) return bad("an author is malformed");
    d.authors_.push_back(intern_string(a.get_ref<const std::string&>()));
  }
  return d;
}

Status StateDecoder::feed(std::string_view chunk, size_t chunk_number) {
  Reader r{reinterpret_cast<const unsigned char*>(chunk.data()),
           reinterpret_cast<const unsigned char*>(chunk.data()) + chunk.size(), {}};
  auto stamp = [&](Stamp* s) {
    uint64_t wall = 0, logical = 0, device = 0, seq = 0;
    if (!r.varint(&wall) || !r.varint(&logical) || !r.varint(&device) || !r.varint(&seq)) return false;
    if (device >= devices_.size() || seq == 0 || logical > UINT32_MAX || wall > (uint64_t{1} << 53))
      return r.fail("a stamp is out of range");
    s->hlc = Hlc{static_cast<int64_t>(wall), static_cast<uint32_t>(logical)};
    s->device = devices_[device];
    s->seq = seq;
    return true;
  };
  // Records come in (kind, id) order: keep the kind's map and insert at its end.
  std::map<std::string, Entity>* entities = nullptr;
  uint64_t current_kind = UINT64_MAX;
  while (r.p < r.end) {
    uint64_t kind = 0;
    if (!r.varint(&kind)) break;
    if (kind >= kinds_.size()) {
      r.fail("an entity has an unknown kind");
      break;
    }
    if (kind != current_kind) {
      entities = &state_.kinds_[kinds_[kind]];
      current_kind = kind;
      if (kind != hashed_kind_) {  // a kind's records may span chunks
        hasher_.kind(kinds_[kind]);
        hashed_kind_ = kind;
      }
    }
    Entity e;
    e.kind = kinds_[kind];
    std::string created_by;
    uint8_t created = 0;
    if (!r.string(&e.id) || !r.byte(&created)) break;
    if (created > 1) {
      r.fail("an entity's flag is malformed");
      break;
    }
    if (created) {
      e.created = true;
      Stamp created_stamp;
      if (!stamp(&created_stamp) || !r.string(&created_by)) break;
      e.created_origin = intern_origin(created_stamp, intern_string(created_by));
    }
    uint64_t fields = 0;
    if (!r.varint(&fields)) break;
    // The fields the create wrote share its origin; a run of fields with
    // their own stamp (one edit's) shares the last one looked up.
    const FieldOrigin* created_origin = e.created ? e.created_origin : nullptr;
    if (fields <= static_cast<uint64_t>(r.end - r.p) / 3) e.fields.reserve(static_cast<size_t>(fields));  // >= 3 bytes a field
    for (uint64_t i = 0; i < fields && r.bad.empty(); ++i) {
      std::string name;
      uint8_t how = 0;
      if (!r.string(&name) || !r.byte(&how)) break;
      FieldValue fv;
      if (how == 0) {
        if (!e.created) {
          r.fail("a field has no stamp");
          break;
        }
        fv.origin = created_origin;
      } else if (how == 1) {
        uint64_t author = 0;
        Stamp own;
        if (!stamp(&own) || !r.varint(&author)) break;
        if (author >= authors_.size()) {
          r.fail("a field's author is out of range");
          break;
        }
        if (!last_origin_ || !(last_origin_->stamp == own) || last_origin_->author != authors_[author])
          last_origin_ = intern_origin(own, authors_[author]);
        fv.origin = last_origin_;
      } else {
        r.fail("a field's flag is malformed");
        break;
      }
      if (!r.value(&fv.value, 0)) break;
      e.fields.emplace_hint(e.fields.end(), std::move(name), std::move(fv));
    }
    if (!r.bad.empty()) break;
    if (e.fields.size() != fields) {
      r.fail("an entity lists a field twice");
      break;
    }
    const size_t before = entities->size();
    std::string id = e.id;
    auto placed = entities->emplace_hint(entities->end(), std::move(id), std::move(e));
    if (entities->size() == before) {
      r.fail("an entity is listed twice");
      break;
    }
    state_.index_entity(placed->second);
    hasher_.entity(placed->second);
    ++decoded_;
  }
  if (!r.bad.empty())
    return make_error("corrupt_snapshot", "The saved state cannot be read: in part " + std::to_string(chunk_number) +
                                              ", " + r.bad + ".");
  return ok_status();
}

Result<State> StateDecoder::finish() {
  if (decoded_ != expected_)
    return make_error("corrupt_snapshot", "The saved state cannot be read: it holds " + std::to_string(decoded_) +
                                              " records where " + std::to_string(expected_) + " were announced.");
  return std::move(state_);
}

}  // namespace dh
