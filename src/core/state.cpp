#include "core/state.h"

#include "core/schema.h"

namespace dh {

namespace {

const Json& null_json() {
  static const Json n;
  return n;
}

bool known_verb(const std::string& verb) {
  return verb == "create" || verb == "edit" || verb == "archive" || verb == "restore";
}

void write_field(Entity& e, const std::string& name, const Json& value, const Stamp& stamp) {
  auto it = e.fields.find(name);
  if (it == e.fields.end()) {
    e.fields.emplace(name, FieldValue{value, stamp});
  } else if (it->second.stamp < stamp) {
    it->second.value = value;
    it->second.stamp = stamp;
  }
}

struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void bytes(const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // separator so "ab"+"c" differs from "a"+"bc"
    h *= 1099511628211ull;
  }
};

Json stamp_to_json(const Stamp& s) { return Json::array({s.hlc.to_string(), s.id.to_string()}); }

bool stamp_from_json(const Json& j, Stamp* out) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_string() || !j[1].is_string()) return false;
  auto h = Hlc::parse(j[0].get_ref<const std::string&>());
  auto id = OpId::parse(j[1].get_ref<const std::string&>());
  if (!h || !id) return false;
  out->hlc = *h;
  out->id = *id;
  return true;
}

}  // namespace

bool Entity::archived() const {
  auto it = fields.find("archived");
  return it != fields.end() && it->second.value.is_boolean() && it->second.value.get<bool>();
}

const Json& Entity::get(const std::string& name) const {
  auto it = fields.find(name);
  return it == fields.end() ? null_json() : it->second.value;
}

std::string Entity::text(const std::string& name) const {
  const Json& v = get(name);
  return v.is_string() ? v.get<std::string>() : std::string();
}

void State::apply(const Operation& op) {
  ++applied_ops_;
  if (max_hlc_ < op.hlc) max_hlc_ = op.hlc;
  std::string kind, verb;
  if (!split_type(op.type, &kind, &verb) || !find_kind(kind) || !known_verb(verb)) {
    ++ignored_ops_;
    return;
  }
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
  if (verb == "create" || verb == "edit") {
    if (verb == "create" && (!e.created || stamp < e.created_stamp)) {
      e.created = true;
      e.created_stamp = stamp;
      e.created_by = op.author;
    }
    auto fields = op.payload.find("fields");
    if (fields != op.payload.end() && fields->is_object()) {
      for (auto it = fields->begin(); it != fields->end(); ++it) {
        if (it.key() == "archived" || it.key() == "archive_reason") continue;  // only via archive/restore
        write_field(e, it.key(), it.value(), stamp);
      }
    }
  } else if (verb == "archive") {
    write_field(e, "archived", true, stamp);
    auto reason = op.payload.find("reason");
    write_field(e, "archive_reason", reason != op.payload.end() && reason->is_string() ? *reason : Json(""), stamp);
  } else {  // restore
    write_field(e, "archived", false, stamp);
  }
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

uint64_t State::hash() const {
  Fnv f;
  for (const auto& [kind, entities] : kinds_) {
    f.bytes(kind);
    for (const auto& [id, e] : entities) {
      f.bytes(id);
      f.bytes(e.created ? "c" : "-");
      if (e.created) {
        f.bytes(e.created_stamp.hlc.to_string());
        f.bytes(e.created_stamp.id.to_string());
        f.bytes(e.created_by);
      }
      for (const auto& [name, fv] : e.fields) {
        f.bytes(name);
        f.bytes(fv.value.dump(-1, ' ', false, Json::error_handler_t::replace));
        f.bytes(fv.stamp.hlc.to_string());
        f.bytes(fv.stamp.id.to_string());
      }
    }
  }
  return f.h;
}

std::string State::hash_hex() const {
  static const char* digits = "0123456789abcdef";
  uint64_t h = hash();
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<size_t>(i)] = digits[h & 0xf];
    h >>= 4;
  }
  return s;
}

Json State::to_snapshot() const {
  Json kinds = Json::object();
  for (const auto& [kind, entities] : kinds_) {
    Json list = Json::array();
    for (const auto& [id, e] : entities) {
      Json je = Json::object();
      je["id"] = id;
      if (e.created) {
        je["created"] = stamp_to_json(e.created_stamp);
        je["created_by"] = e.created_by;
      }
      Json fields = Json::object();
      for (const auto& [name, fv] : e.fields) {
        fields[name] = Json::array({fv.value, fv.stamp.hlc.to_string(), fv.stamp.id.to_string()});
      }
      je["fields"] = std::move(fields);
      list.push_back(std::move(je));
    }
    kinds[kind] = std::move(list);
  }
  Json j = Json::object();
  j["format"] = "dianhong-state";
  j["version"] = 1;
  j["max_hlc"] = max_hlc_.to_string();
  j["applied_ops"] = applied_ops_;
  j["ignored_ops"] = ignored_ops_;
  j["kinds"] = std::move(kinds);
  return j;
}

Result<State> State::from_snapshot(const Json& j) {
  auto bad = [](const std::string& what) {
    return make_error("corrupt_snapshot", "The saved snapshot cannot be read: " + what + ".");
  };
  if (!j.is_object() || j.value("format", "") != "dianhong-state") return bad("it is not a Dianhong state snapshot");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != 1)
    return bad("its version is not 1");
  State s;
  if (!j.contains("max_hlc") || !j["max_hlc"].is_string()) return bad("max_hlc is missing");
  auto mh = Hlc::parse(j["max_hlc"].get_ref<const std::string&>());
  if (!mh) return bad("max_hlc is malformed");
  s.max_hlc_ = *mh;
  if (j.contains("applied_ops") && j["applied_ops"].is_number_unsigned()) s.applied_ops_ = j["applied_ops"].get<uint64_t>();
  if (j.contains("ignored_ops") && j["ignored_ops"].is_number_unsigned()) s.ignored_ops_ = j["ignored_ops"].get<uint64_t>();
  if (!j.contains("kinds") || !j["kinds"].is_object()) return bad("kinds are missing");
  for (auto k = j["kinds"].begin(); k != j["kinds"].end(); ++k) {
    if (!k.value().is_array()) return bad("kind " + k.key() + " is not a list");
    auto& entities = s.kinds_[k.key()];
    for (const Json& je : k.value()) {
      if (!je.is_object() || !je.contains("id") || !je["id"].is_string()) return bad("an entity has no id");
      Entity e;
      e.kind = k.key();
      e.id = je["id"].get<std::string>();
      if (je.contains("created")) {
        if (!stamp_from_json(je["created"], &e.created_stamp)) return bad("entity " + e.id + " has a bad stamp");
        e.created = true;
        if (je.contains("created_by") && je["created_by"].is_string()) e.created_by = je["created_by"].get<std::string>();
      }
      if (!je.contains("fields") || !je["fields"].is_object()) return bad("entity " + e.id + " has no fields");
      for (auto f = je["fields"].begin(); f != je["fields"].end(); ++f) {
        const Json& a = f.value();
        FieldValue fv;
        if (!a.is_array() || a.size() != 3 || !stamp_from_json(Json::array({a[1], a[2]}), &fv.stamp))
          return bad("field " + f.key() + " of " + e.id + " is malformed");
        fv.value = a[0];
        e.fields.emplace(f.key(), std::move(fv));
      }
      entities.emplace(e.id, std::move(e));
    }
  }
  return s;
}

}  // namespace dh
