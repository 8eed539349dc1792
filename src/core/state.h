// The state: a deterministic fold of a set of operations.
//
// Each entity is a map of fields; each field is a last-writer-wins register
// stamped with the (hlc, op id) of the operation that wrote it. Applying an
// operation writes a field only when its stamp is greater than the field's, so
// apply() is idempotent (applying twice changes nothing) and commutative
// (any order of the same set gives the same state). This is what lets devices
// that were offline converge when their operations meet (docs/operation-log.md).
//
// "created" is a grow-only flag: an edit may arrive before the create it
// follows (out of order sync); the entity then exists but is not listed until
// the create arrives. "archived" is an ordinary LWW field, so archive and
// restore resolve by stamp.
//
// State does no I/O. Snapshots are JSON values the store writes to a file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <algorithm>
#include <string_view>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/operation.h"
#include "core/result.h"

namespace dh {

// Device ids and authors are interned for the life of the process: a stamp
// keeps a pointer to the one copy, so the thousands of fields written by one
// device do not each own a copy of its id. Thread-safe.
const std::string* intern_string(const std::string& text);
// intern_string(""), looked up once (a default Stamp's device).
const std::string* interned_empty();

struct Stamp {
  Hlc hlc;
  const std::string* device = interned_empty();
  uint64_t seq = 0;

  Stamp() = default;
  Stamp(const Hlc& h, const OpId& id) : hlc(h), device(intern_string(id.device)), seq(id.seq) {}
  OpId id() const { return OpId{*device, seq}; }

  friend bool operator<(const Stamp& a, const Stamp& b) {
    if (a.hlc != b.hlc) return a.hlc < b.hlc;
    if (a.device != b.device) return *a.device < *b.device;
    return a.seq < b.seq;
  }
  friend bool operator==(const Stamp& a, const Stamp& b) {
    return a.hlc == b.hlc && a.device == b.device && a.seq == b.seq;
  }
};

// Who wrote a field's value: the stamp of the operation that wrote it and
// that operation's author ("whoever records, certifies"; nullptr: none
// recorded). Interned for the life of the process like device ids: the
// fields one operation writes share one copy, so a field holds a pointer
// (4 bytes in wasm) instead of a 40-byte stamp and author of its own, and a
// new device's decoded snapshot touches 5 MB less fresh memory. The pool
// holds one entry per operation the process has folded (about 40 bytes
// each). Thread-safe; pointers stay valid for the life of the process.
struct FieldOrigin {
  Stamp stamp;
  const std::string* author = nullptr;
};
const FieldOrigin* intern_origin(const Stamp& stamp, const std::string* author);
// The origin of a value no operation wrote (a default stamp, no author).
const FieldOrigin* no_origin();

struct FieldValue {
  Json value;
  const FieldOrigin* origin = no_origin();

  FieldValue() = default;
  FieldValue(Json v, const FieldOrigin* o) : value(std::move(v)), origin(o) {}
  const Stamp& stamp() const { return origin->stamp; }
  const std::string* author() const { return origin->author; }  // interned, or nullptr
};

// An entity's fields by name, in name order: one sorted vector (a flat map)
// rather than a tree. An entity has a handful of fields, read far more often
// than written, so lookups are a binary search over contiguous memory and
// decoding a snapshot allocates one block per entity instead of one node per
// field (docs/architecture.md "The state in memory"). The subset of
// std::map's interface the code uses; lookups take a string_view (no
// temporary string per lookup). Unlike std::map, inserting a field may move
// the others: hold no reference to a field across an insertion into the same
// entity.
class FieldMap {
 public:
  using value_type = std::pair<std::string, FieldValue>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void reserve(size_t n) { items_.reserve(n); }

  // A lookup scans a small map, comparing lengths before bytes: most names
  // differ in length, so it touches no text but the one it finds (a binary
  // search compared texts at every step: the home page's figures, which
  // look up a few fields of every sign-up and shift, spent 40% of their
  // time there natively). Larger maps use the binary search.
  iterator find(std::string_view name) {
    if (items_.size() <= kScanAtMost) {
      for (auto it = items_.begin(); it != items_.end(); ++it)
        if (it->first.size() == name.size() && std::char_traits<char>::compare(it->first.data(), name.data(), name.size()) == 0)
          return it;
      return items_.end();
    }
    auto it = lower_bound(name);
    return it != items_.end() && it->first == name ? it : items_.end();
  }
  const_iterator find(std::string_view name) const { return const_cast<FieldMap*>(this)->find(name); }
  size_t count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
  // The field, which must exist (std::out_of_range otherwise).
  const FieldValue& at(std::string_view name) const {
    auto it = find(name);
    if (it == end()) throw std::out_of_range("no field " + std::string(name));
    return it->second;
  }
  // Inserts unless the name is there already (then changes nothing), as std::map.
  std::pair<iterator, bool> emplace(std::string name, FieldValue value) {
    auto it = lower_bound(name);
    if (it != items_.end() && it->first == name) return {it, false};
    return {items_.emplace(it, std::move(name), std::move(value)), true};
  }
  // The same; appending in name order (a decoder's) is one comparison.
  iterator emplace_hint(const_iterator /*hint*/, std::string name, FieldValue value) {
    if (items_.empty() || items_.back().first < name) {
      items_.emplace_back(std::move(name), std::move(value));
      return items_.end() - 1;
    }
    return emplace(std::move(name), std::move(value)).first;
  }

 private:
  iterator lower_bound(std::string_view name) {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const value_type& item, std::string_view n) { return std::string_view(item.first) < n; });
  }
  static constexpr size_t kScanAtMost = 16;
  std::vector<value_type> items_;
};

struct Entity {
  std::string kind;
  std::string id;
  bool created = false;
  // The create operation's stamp and author (for "created at/by"), shared
  // with the fields it wrote (FieldOrigin); no_origin() until it arrives.
  const FieldOrigin* created_origin = no_origin();
  const Stamp& created_stamp() const { return created_origin->stamp; }
  const std::string& created_by() const;  // "" when none was recorded
  FieldMap fields;

  bool archived() const;
  bool live() const { return created && !archived(); }
  // The field's value or null.
  const Json& get(std::string_view name) const;
  std::string text(std::string_view name) const;  // string value or ""
  const std::string& text_ref(std::string_view name) const;  // the same, not copied (lives with the entity)
};

// State::hash() one step at a time, for a caller that visits the same
// sequence itself: kind(k) before each kind's entities, then entity(e) for
// each, kinds and ids in order (StateDecoder hashes each record as it decodes
// it, while it is still in cache). value() after visiting every kind of a
// State equals its hash().
class StateHasher {
 public:
  StateHasher();
  ~StateHasher();
  StateHasher(StateHasher&&) noexcept;
  StateHasher& operator=(StateHasher&&) noexcept;
  void kind(std::string_view name);
  void entity(const Entity& e);
  uint64_t value() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
// A hash as State::hash_hex() writes it (16 lower-case hex digits).
std::string hash_hex_of(uint64_t hash);

class State {
 public:
  // Applies an operation of a known entity type. Unknown types are counted in
  // ignored_ops() (a newer client's operation) and leave the state unchanged.
  void apply(const Operation& op);

  // The kind and entity id an operation of a known type writes (nullopt for an
  // unknown type or a payload without an entity).
  static std::optional<std::pair<std::string, std::string>> target_of(const Operation& op);
  // Drops everything about one entity, as if no operation had touched it, so
  // the caller can fold it again from a subset of the operations (a device
  // undoing its operations the server refused: Replica::exclude). The
  // ignored counter and max_hlc are not lowered; applied_ops() goes up by
  // one, because it is the version every cache of the state is keyed on
  // (the UI's lists hold pointers to entities: they must rebuild).
  void forget(const std::string& kind, const std::string& id);
  // Puts one entity back as `base` holds it (after forget(); nothing when
  // base has none), so a replica that started from the server's snapshot
  // can fold the entity again from that base plus its log (Replica::exclude).
  // applied_ops() goes up by one, as for forget().
  void restore_from(const State& base, const std::string& kind, const std::string& id);
  // A State built again in place of an older one (Replica::restamp_own)
  // takes a version past the older one's, so caches keyed on applied_ops()
  // do not mistake it for the state they saw.
  void version_past(uint64_t older) {
    if (applied_ops_ <= older) applied_ops_ = older + 1;
  }

  const Entity* find(const std::string& kind, const std::string& id) const;
  // Entities of a kind sorted by id; archived ones only when asked.
  std::vector<const Entity*> list(const std::string& kind, bool include_archived = false) const;
  size_t count(const std::string& kind, bool include_archived = false) const;
  // Entities of `kind` whose reference field `field` holds `value`, created
  // ones (archived too) sorted by id, from an index apply() keeps, so the
  // rule book does not scan every sign-up per operation. Indexed:
  // signup.volunteer, signup.shift and request_step.request (kIndexedRefs in state.cpp); any other
  // field answers by a scan.
  std::vector<const Entity*> referring(const std::string& kind, const std::string& field,
                                       const std::string& value) const;

  // The highest stamp any applied operation carried (to restore the clock).
  const Hlc& max_hlc() const { return max_hlc_; }
  uint64_t applied_ops() const { return applied_ops_; }
  uint64_t ignored_ops() const { return ignored_ops_; }

  // 64-bit FNV-1a over a canonical serialisation of every entity (kinds and ids
  // sorted). Equal for equal states on every platform.
  uint64_t hash() const;
  std::string hash_hex() const;

  // The JSON snapshot (format "dianhong-state"; read for snapshot.json files
  // written before format 2, docs/operation-log.md). New snapshots use the
  // binary records of core/state_codec.h.
  Json to_snapshot() const;
  static Result<State> from_snapshot(const Json& j);

 private:
  friend class StateEncoder;
  friend class StateDecoder;
  std::map<std::string, std::map<std::string, Entity>> kinds_;
  // "kind\x1ffield\x1fvalue" -> entity ids (referring()).
  std::unordered_map<std::string, std::set<std::string>> refs_;
  void reindex(const Entity& e, const std::string& field, const Json& before);
  void index_entity(const Entity& e);  // adds a whole entity to refs_
  Hlc max_hlc_{};
  uint64_t applied_ops_ = 0;
  uint64_t ignored_ops_ = 0;
};

}  // namespace dh
