#include "core/state.h"

#include <charconv>
#include <deque>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "core/schema.h"
#include "core/text.h"

namespace dh {

namespace {

const Json& null_json() {
  static const Json n;
  return n;
}

// origin: the operation's (intern_origin of its stamp and author, once per
// operation, not per field).
void write_field(Entity& e, const std::string& name, const Json& value, const FieldOrigin* origin) {
  auto it = e.fields.find(name);
  if (it == e.fields.end()) {
    e.fields.emplace(name, FieldValue{value, origin});
  } else if (it->second.stamp() < origin->stamp) {
    it->second.value = value;
    it->second.origin = origin;
  }
}

struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void bytes(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // separator so "ab"+"c" differs from "a"+"bc"
    h *= 1099511628211ull;
  }
  // The same bytes as bytes("\"" + s + "\""), without a string.
  void quoted(std::string_view s) {
    h ^= '"';
    h *= 1099511628211ull;
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= '"';
    h *= 1099511628211ull;
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  // The same bytes as bytes(std::to_string(n)), without a string.
  template <typename Int>
  void number(Int n) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    bytes(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
};

// A stamp's decimal texts (its hlc as Hlc::to_string, its seq), made once and
// hashed again for every field that carries the same stamp: most fields of
// an entity carry its create's, and formatting numbers was a third of the
// hash's time in wasm.
struct StampText {
  bool valid = false;
  Hlc hlc;
  uint64_t seq = 0;
  char hlc_text[48];
  size_t hlc_size = 0;
  char seq_text[24];
  size_t seq_size = 0;

  void hash(Fnv& f, const Stamp& s) {
    if (!valid || hlc != s.hlc || seq != s.seq) {
      valid = true;
      hlc = s.hlc;
      seq = s.seq;
      auto r = std::to_chars(hlc_text, hlc_text + 24, s.hlc.wall_ms);  // "<wall_ms>.<logical>"
      *r.ptr = '.';
      auto r2 = std::to_chars(r.ptr + 1, hlc_text + sizeof hlc_text, s.hlc.logical);
      hlc_size = static_cast<size_t>(r2.ptr - hlc_text);
      seq_size = static_cast<size_t>(std::to_chars(seq_text, seq_text + sizeof seq_text, s.seq).ptr - seq_text);
    }
    f.bytes(std::string_view(hlc_text, hlc_size));  // f.hlc(s.hlc)
    f.bytes(*s.device);
    f.bytes(std::string_view(seq_text, seq_size));  // f.number(s.seq)
  }
};

// The reference fields referring() answers from the index.
constexpr std::pair<const char*, const char*> kIndexedRefs[] = {{"signup", "volunteer"}, {"signup", "shift"}, {"request_step", "request"}};

bool is_indexed(const std::string& kind, const std::string& field) {
  for (const auto& [k, f] : kIndexedRefs)
    if (kind == k && field == f) return true;
  return false;
}

std::string ref_key(std::string_view kind, std::string_view field, std::string_view value) {
  std::string key;
  key.reserve(kind.size() + field.size() + value.size() + 2);
  key.append(kind).append(1, '\x1f').append(field).append(1, '\x1f').append(value);
  return key;
}

}  // namespace

const std::string* intern_string(const std::string& device) {
  static std::mutex mutex;
  static std::unordered_set<std::string>* pool = new std::unordered_set<std::string>();  // never freed
  std::lock_guard<std::mutex> lock(mutex);
  return &*pool->insert(device).first;  // element addresses survive rehashing
}

const std::string* interned_empty() {
  static const std::string* const empty = intern_string("");
  return empty;
}

namespace {
// The origins, each stored once in a deque (stable addresses, no allocation
// per entry) and found by an open-addressing table of pointers into it.
class OriginPool {
 public:
  const FieldOrigin* intern(const Stamp& stamp, const std::string* author) {
    std::lock_guard<std::mutex> lock(mutex_);
    if ((count_ + 1) * 10 > slots_.size() * 7) grow();  // load at most 0.7
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash(stamp, author) & mask;; i = (i + 1) & mask) {
      const FieldOrigin* o = slots_[i];
      if (!o) {
        origins_.push_back(FieldOrigin{stamp, author});
        slots_[i] = &origins_.back();
        ++count_;
        return slots_[i];
      }
      if (o->stamp == stamp && o->author == author) return o;
    }
  }

 private:
  static size_t hash(const Stamp& s, const std::string* author) {
    uint64_t h = static_cast<uint64_t>(s.hlc.wall_ms) * 0x9E3779B97F4A7C15ull;
    h ^= (h >> 29) + s.hlc.logical * 0xBF58476D1CE4E5B9ull + s.seq * 0x94D049BB133111EBull;
    h ^= reinterpret_cast<uintptr_t>(s.device) * 0x2545F4914F6CDD1Dull;
    h ^= reinterpret_cast<uintptr_t>(author) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
    return static_cast<size_t>(h * 0xD6E8FEB86659FD93ull >> 16);
  }
  void grow() {
    // Sized at first for a community's year (about 40,000 operations) without
    // a rehash while a snapshot decodes.
    std::vector<const FieldOrigin*> old(slots_.empty() ? 65536 : slots_.size() * 2, nullptr);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const FieldOrigin* o : old) {
      if (!o) continue;
      size_t i = hash(o->stamp, o->author) & mask;
      while (slots_[i]) i = (i + 1) & mask;
      slots_[i] = o;
    }
  }
  std::mutex mutex_;
  std::deque<FieldOrigin> origins_;
  std::vector<const FieldOrigin*> slots_;
  size_t count_ = 0;
};
}  // namespace

const FieldOrigin* intern_origin(const Stamp& stamp, const std::string* author) {
  static OriginPool* pool = new OriginPool();  // never freed, as intern_string's
  return pool->intern(stamp, author);
}

const FieldOrigin* no_origin() {
  static const FieldOrigin* const none = intern_origin(Stamp{}, nullptr);
  return none;
}

bool Entity::archived() const {
  auto it = fields.find("archived");
  return it != fields.end() && it->second.value.is_boolean() && it->second.value.get<bool>();
}

const std::string& Entity::created_by() const {
  static const std::string kNone;
  return created_origin->author ? *created_origin->author : kNone;
}

const Json& Entity::get(std::string_view name) const {
  auto it = fields.find(name);
  return it == fields.end() ? null_json() : it->second.value;
}

std::string Entity::text(std::string_view name) const { return text_ref(name); }

const std::string& Entity::text_ref(std::string_view name) const {
  static const std::string kEmpty;
  const Json& v = get(name);
  return v.is_string() ? v.get_ref<const std::string&>() : kEmpty;
}

namespace {
enum class Verb { create, edit, archive, restore };
struct TypeInfo {
  std::string kind;
  Verb verb;
};
// Every "<kind>.<verb>" the fold knows, built once (read-only afterwards, so
// safe to share between threads).
const std::unordered_map<std::string, TypeInfo>& known_types() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, TypeInfo>();
    const std::pair<const char*, Verb> verbs[] = {
        {"create", Verb::create}, {"edit", Verb::edit}, {"archive", Verb::archive}, {"restore", Verb::restore}};
    for (const auto& k : all_kinds()) {
      for (const auto& [name, verb] : verbs) t->emplace(k.kind + "." + name, TypeInfo{k.kind, verb});
    }
    // A sign-up moving to another shift rewrites its shift field (and how the
    // place was seen) like an edit; its stamp is the sign-up's new place in
    // the queue (volunteering.h).
    t->emplace("signup.move", TypeInfo{"signup", Verb::edit});
    return t;
  }();
  return *table;
}
}  // namespace

void State::apply(const Operation& op) {
  ++applied_ops_;
  if (max_hlc_ < op.hlc) max_hlc_ = op.hlc;
  const auto& types = known_types();
  auto type = types.find(op.type);
  if (type == types.end()) {
    ++ignored_ops_;
    return;
  }
  const std::string& kind = type->second.kind;
  const Verb verb = type->second.verb;
  auto ent = op.payload.find("entity");
  if (ent == op.payload.end() || !ent->is_string() || ent->get_ref<const std::string&>().empty()) {
    ++ignored_ops_;
    return;
  }
  const std::string& id = ent->get_ref<const std::string&>();
  Entity& e = kinds_[kind][id];
  if (e.id.empty()) {
    e.kind = kind;
    e.id = id;
  }
  const Stamp stamp{op.hlc, op.id};
  const FieldOrigin* origin = intern_origin(stamp, intern_string(op.author));
  if (verb == Verb::create || verb == Verb::edit) {
    if (verb == Verb::create && (!e.created || stamp < e.created_stamp())) {
      e.created = true;
      e.created_origin = origin;
    }
    auto fields = op.payload.find("fields");
    if (fields != op.payload.end() && fields->is_object()) {
      for (auto it = fields->begin(); it != fields->end(); ++it) {
        if (it.key() == "archived" || it.key() == "archive_reason") continue;  // only via archive/restore
        if (is_indexed(kind, it.key())) {
          const Json before = e.get(it.key());
          write_field(e, it.key(), it.value(), origin);
          reindex(e, it.key(), before);
        } else {
          write_field(e, it.key(), it.value(), origin);
        }
      }
    }
  } else if (verb == Verb::archive) {
    write_field(e, "archived", true, origin);
    auto reason = op.payload.find("reason");
    write_field(e, "archive_reason", reason != op.payload.end() && reason->is_string() ? *reason : Json(""), origin);
  } else {  // restore
    write_field(e, "archived", false, origin);
  }
}

std::optional<std::pair<std::string, std::string>> State::target_of(const Operation& op) {
  const auto& types = known_types();
  auto type = types.find(op.type);
  if (type == types.end()) return std::nullopt;
  auto ent = op.payload.find("entity");
  if (ent == op.payload.end() || !ent->is_string() || ent->get_ref<const std::string&>().empty()) return std::nullopt;
  return std::make_pair(type->second.kind, ent->get<std::string>());
}

void State::forget(const std::string& kind, const std::string& id) {
  ++applied_ops_;  // the version caches are keyed on (state.h)
  auto k = kinds_.find(kind);
  if (k == kinds_.end()) return;
  auto e = k->second.find(id);
  if (e == k->second.end()) return;
  for (const auto& [ref_kind, ref_field] : kIndexedRefs) {  // out of the referring() index
    if (kind != ref_kind) continue;
    const Json& v = e->second.get(ref_field);
    if (!v.is_string()) continue;
    auto it = refs_.find(ref_key(kind, ref_field, v.get_ref<const std::string&>()));
    if (it != refs_.end()) {
      it->second.erase(id);
      if (it->second.empty()) refs_.erase(it);
    }
  }
  k->second.erase(e);
  if (k->second.empty()) kinds_.erase(k);
}

void State::index_entity(const Entity& e) {
  for (const auto& [ref_kind, ref_field] : kIndexedRefs) {
    if (e.kind != ref_kind) continue;
    const Json& v = e.get(ref_field);
    if (v.is_string()) refs_[ref_key(e.kind, ref_field, v.get_ref<const std::string&>())].insert(e.id);
  }
}

void State::restore_from(const State& base, const std::string& kind, const std::string& id) {
  ++applied_ops_;
  auto k = base.kinds_.find(kind);
  if (k == base.kinds_.end()) return;
  auto from = k->second.find(id);  // also an entity edited before its create arrived
  if (from == k->second.end()) return;
  forget(kind, id);
  Entity& e = kinds_[kind][id] = from->second;
  for (const auto& [ref_kind, ref_field] : kIndexedRefs)
    if (kind == ref_kind) reindex(e, ref_field, Json());
  if (max_hlc_ < base.max_hlc_) max_hlc_ = base.max_hlc_;
}

void State::reindex(const Entity& e, const std::string& field, const Json& before) {
  const Json& now = e.get(field);
  if (now == before) return;
  if (before.is_string()) {
    auto it = refs_.find(ref_key(e.kind, field, before.get_ref<const std::string&>()));
    if (it != refs_.end()) {
      it->second.erase(e.id);
      if (it->second.empty()) refs_.erase(it);
    }
  }
  if (now.is_string()) refs_[ref_key(e.kind, field, now.get_ref<const std::string&>())].insert(e.id);
}

std::vector<const Entity*> State::referring(const std::string& kind, const std::string& field,
                                            const std::string& value) const {
  std::vector<const Entity*> out;
  if (!is_indexed(kind, field)) {
    for (const Entity* e : list(kind, true))
      if (e->text(field) == value) out.push_back(e);
    return out;
  }
  auto it = refs_.find(ref_key(kind, field, value));
  if (it == refs_.end()) return out;
  out.reserve(it->second.size());
  for (const std::string& id : it->second)
    if (const Entity* e = find(kind, id)) out.push_back(e);
  return out;
}

const Entity* State::find(const std::string& kind, const std::string& id) const {
  auto k = kinds_.find(kind);
  if (k == kinds_.end()) return nullptr;
  auto e = k->second.find(id);
  if (e == k->second.end() || !e->second.created) return nullptr;
  return &e->second;
}

std::vector<const Entity*> State::list(const std::string& kind, bool include_archived) const {
  std::vector<const Entity*> out;
  auto k = kinds_.find(kind);
  if (k == kinds_.end()) return out;
  out.reserve(k->second.size());
  for (const auto& [id, e] : k->second) {
    if (!e.created) continue;
    if (!include_archived && e.archived()) continue;
    out.push_back(&e);
  }
  return out;
}

size_t State::count(const std::string& kind, bool include_archived) const {
  size_t n = 0;
  auto k = kinds_.find(kind);
  if (k == kinds_.end()) return 0;
  for (const auto& [id, e] : k->second) {
    if (e.created && (include_archived || !e.archived())) ++n;
  }
  return n;
}

// Hashes the same bytes as it always did (values as dump(-1, ' ', false,
// replace), stamps as Hlc::to_string, numbers as std::to_string), without a
// string per value: one reused buffer for the JSON text, numbers on the stack.
struct StateHasher::Impl {
  Fnv f;
  std::string text;
  StampText created_text, field_text;
};

StateHasher::StateHasher() : impl_(std::make_unique<Impl>()) {}
StateHasher::~StateHasher() = default;
StateHasher::StateHasher(StateHasher&&) noexcept = default;
StateHasher& StateHasher::operator=(StateHasher&&) noexcept = default;

void StateHasher::kind(std::string_view name) { impl_->f.bytes(name); }

void StateHasher::entity(const Entity& e) {
  Fnv& f = impl_->f;
  f.bytes(e.id);
  f.bytes(e.created ? "c" : "-");
  if (e.created) {
    impl_->created_text.hash(f, e.created_stamp());
    f.bytes(e.created_by());
  }
  for (const auto& [name, fv] : e.fields) {
    f.bytes(name);
    // The bytes of the value's JSON text (nlohmann's dump): the common
    // values hashed directly, the rest written by append_json (the same
    // bytes; nlohmann's own serializer, about 5 KB of wasm, ran often
    // enough on a new device's snapshot to be compiled a second time by the
    // browser's optimizing tier, 80 ms of a core, for 5 ms of work).
    const Json& v = fv.value;
    if (v.is_string() && json_string_is_verbatim(v.get_ref<const std::string&>())) {
      f.quoted(v.get_ref<const std::string&>());
    } else if (v.is_number_integer()) {
      if (v.is_number_unsigned())
        f.number(v.get<uint64_t>());
      else
        f.number(v.get<int64_t>());
    } else if (v.is_boolean()) {
      f.bytes(v.get<bool>() ? "true" : "false");
    } else if (v.is_null()) {
      f.bytes("null");
    } else {
      impl_->text.clear();
      append_json(impl_->text, v);
      f.bytes(impl_->text);
    }
    const FieldOrigin& origin = *fv.origin;
    (e.created && origin.stamp == e.created_stamp() ? impl_->created_text : impl_->field_text).hash(f, origin.stamp);
    f.bytes(origin.author ? std::string_view(*origin.author) : std::string_view());
  }
}

uint64_t StateHasher::value() const { return impl_->f.h; }

std::string hash_hex_of(uint64_t h) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<size_t>(i)] = digits[h & 0xf];
    h >>= 4;
  }
  return s;
}

uint64_t State::hash() const {
  StateHasher hasher;
  for (const auto& [kind, entities] : kinds_) {
    hasher.kind(kind);
    for (const auto& [id, e] : entities) hasher.entity(e);
  }
  return hasher.value();
}

std::string State::hash_hex() const { return hash_hex_of(hash()); }

// Snapshot layout (docs/operation-log.md): stamps are [wall_ms, logical,
// device index, seq] with devices listed once; a field written by the entity's
// create operation stores only [value], any other field
// [value, wall_ms, logical, device index, seq, author index].
Json State::to_snapshot() const {
  std::vector<const std::string*> devices;
  std::unordered_map<const std::string*, size_t> device_index;
  auto stamp_parts = [&](const Stamp& st, Json& out) {
    auto it = device_index.find(st.device);
    if (it == device_index.end()) {
      it = device_index.emplace(st.device, devices.size()).first;
      devices.push_back(st.device);
    }
    out.push_back(st.hlc.wall_ms);
    out.push_back(st.hlc.logical);
    out.push_back(it->second);
    out.push_back(st.seq);
  };
  std::vector<const std::string*> authors;
  std::unordered_map<const std::string*, size_t> author_index;
  auto author_of = [&](const std::string* a) {
    if (!a) a = intern_string("");
    auto it = author_index.find(a);
    if (it == author_index.end()) {
      it = author_index.emplace(a, authors.size()).first;
      authors.push_back(a);
    }
    return it->second;
  };
  Json kinds = Json::object();
  for (const auto& [kind, entities] : kinds_) {
    Json list = Json::array();
    for (const auto& [id, e] : entities) {
      Json created = nullptr;
      if (e.created) {
        created = Json::array();
        stamp_parts(e.created_stamp(), created);
      }
      Json fields = Json::object();
      for (const auto& [name, fv] : e.fields) {
        Json f = Json::array({fv.value});
        if (!(e.created && fv.stamp() == e.created_stamp())) {
          stamp_parts(fv.stamp(), f);
          f.push_back(author_of(fv.author()));
        }
        fields[name] = std::move(f);
      }
      list.push_back(Json::array({id, std::move(created), e.created_by(), std::move(fields)}));
    }
    kinds[kind] = std::move(list);
  }
  Json device_list = Json::array();
  for (const auto* d : devices) device_list.push_back(*d);
  Json j = Json::object();
  j["format"] = "dianhong-state";
  j["version"] = 1;
  j["max_hlc"] = max_hlc_.to_string();
  j["applied_ops"] = applied_ops_;
  j["ignored_ops"] = ignored_ops_;
  j["devices"] = std::move(device_list);
  Json author_list = Json::array();
  for (const auto* a : authors) author_list.push_back(*a);
  j["authors"] = std::move(author_list);
  j["kinds"] = std::move(kinds);
  return j;
}

Result<State> State::from_snapshot(const Json& j) {
  auto bad = [](const std::string& what) {
    return make_error("corrupt_snapshot", "The saved snapshot cannot be read: " + what + ".");
  };
  if (!j.is_object() || !j.contains("format") || j["format"] != "dianhong-state")
    return bad("it is not a Dianhong state snapshot");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != 1)
    return bad("its version is not 1");
  State s;
  if (!j.contains("max_hlc") || !j["max_hlc"].is_string()) return bad("max_hlc is missing");
  auto mh = Hlc::parse(j["max_hlc"].get_ref<const std::string&>());
  if (!mh) return bad("max_hlc is malformed");
  s.max_hlc_ = *mh;
  if (j.contains("applied_ops") && j["applied_ops"].is_number_unsigned()) s.applied_ops_ = j["applied_ops"].get<uint64_t>();
  if (j.contains("ignored_ops") && j["ignored_ops"].is_number_unsigned()) s.ignored_ops_ = j["ignored_ops"].get<uint64_t>();
  if (!j.contains("devices") || !j["devices"].is_array()) return bad("the device list is missing");
  std::vector<const std::string*> devices;
  for (const Json& d : j["devices"]) {
    if (!d.is_string() || !is_valid_device_id(d.get_ref<const std::string&>())) return bad("a device id is malformed");
    devices.push_back(intern_string(d.get_ref<const std::string&>()));
  }
  if (!j.contains("authors") || !j["authors"].is_array()) return bad("the author list is missing");
  std::vector<const std::string*> authors;
  for (const Json& a : j["authors"]) {
    if (!a.is_string()) return bad("an author is malformed");
    authors.push_back(intern_string(a.get_ref<const std::string&>()));
  }
  // Reads 4 numbers at a[from..from+3] as a stamp.
  auto read_stamp = [&](const Json& a, size_t from, Stamp* out) {
    if (a.size() < from + 4) return false;
    const Json &w = a[from], &l = a[from + 1], &d = a[from + 2], &q = a[from + 3];
    if (!w.is_number_unsigned() || !l.is_number_unsigned() || !d.is_number_unsigned() || !q.is_number_unsigned())
      return false;
    const auto dev = d.get<uint64_t>();
    if (dev >= devices.size() || q.get<uint64_t>() == 0) return false;
    out->hlc = Hlc{w.get<int64_t>(), l.get<uint32_t>()};
    out->device = devices[dev];
    out->seq = q.get<uint64_t>();
    return true;
  };
  if (!j.contains("kinds") || !j["kinds"].is_object()) return bad("kinds are missing");
  for (auto k = j["kinds"].begin(); k != j["kinds"].end(); ++k) {
    if (!k.value().is_array()) return bad("kind " + k.key() + " is not a list");
    auto& entities = s.kinds_[k.key()];
    for (const Json& je : k.value()) {
      if (!je.is_array() || je.size() != 4 || !je[0].is_string() || !je[2].is_string() || !je[3].is_object())
        return bad("an entity of kind " + k.key() + " is malformed");
      Entity e;
      e.kind = k.key();
      e.id = je[0].get<std::string>();
      if (!je[1].is_null()) {
        Stamp created_stamp;
        if (!je[1].is_array() || !read_stamp(je[1], 0, &created_stamp))
          return bad("entity " + e.id + " has a bad stamp");
        e.created = true;
        e.created_origin = intern_origin(created_stamp, intern_string(je[2].get<std::string>()));
      }
      for (auto f = je[3].begin(); f != je[3].end(); ++f) {
        const Json& a = f.value();
        FieldValue fv;
        if (!a.is_array() || a.empty()) return bad("field " + f.key() + " of " + e.id + " is malformed");
        if (a.size() == 1) {
          if (!e.created) return bad("field " + f.key() + " of " + e.id + " has no stamp");
          fv.origin = e.created_origin;
        } else {
          Stamp stamp;
          if (a.size() != 6 || !read_stamp(a, 1, &stamp) || !a[5].is_number_unsigned() ||
              a[5].get<uint64_t>() >= authors.size())
            return bad("field " + f.key() + " of " + e.id + " has a bad stamp");
          fv.origin = intern_origin(stamp, authors[a[5].get<size_t>()]);
        }
        fv.value = a[0];
        e.fields.emplace(f.key(), std::move(fv));
      }
      std::string key = e.id;
      for (const auto& [ref_kind, ref_field] : kIndexedRefs) {
        if (e.kind != ref_kind) continue;
        const Json& v = e.get(ref_field);
        if (v.is_string()) s.refs_[ref_key(e.kind, ref_field, v.get_ref<const std::string&>())].insert(e.id);
      }
      entities.emplace(std::move(key), std::move(e));
    }
  }
  return s;
}

}  // namespace dh
