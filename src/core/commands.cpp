#include "core/commands.h"

#include <algorithm>
#include <cctype>

#include "core/civil_time.h"
#include "core/rule_book.h"
#include "core/schema.h"
#include "core/text.h"

namespace dh {

namespace {

Error invalid(const std::string& code, const std::string& message) { return make_error(code, message); }

// Counts UTF-8 code points; false if the bytes are not valid UTF-8.
bool utf8_length(const std::string& s, size_t* out) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    if (len == 1 && (c < 0x20 || c == 0x7f) && c != '\t') return false;  // control characters
    i += len;
    ++n;
  }
  *out = n;
  return true;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Mainland mobile: 11 digits starting 1[3-9]. Landline: area code 0 + 2..3
// digits, then 7..8 digits, stored as "0883-1234567".
bool canonical_phone(const std::string& raw, std::string* out) {
  std::string digits;
  bool dash_seen = false;
  size_t dash_at = 0;
  std::string s = raw;
  if (s.rfind("+86", 0) == 0) s = s.substr(3);
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '-') {
      if (!dash_seen) dash_at = digits.size();
      dash_seen = true;
    } else if (c != ' ') {
      return false;
    }
  }
  if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9') {
    *out = digits;
    return true;
  }
  if (!digits.empty() && digits[0] == '0') {
    size_t area = dash_seen ? dash_at : (digits.size() == 12 ? 4 : digits.size() == 11 ? 4 : 3);
    if (area < 3 || area > 4) return false;
    size_t local = digits.size() - area;
    if (local < 7 || local > 8) return false;
    *out = digits.substr(0, area) + "-" + digits.substr(area);
    return true;
  }
  return false;
}

std::string field_label(const FieldSpec& spec) { return "\"" + spec.name + "\""; }

// Empty when s has the field's format; otherwise what is expected, in words.
std::string format_problem(TextFormat format, const std::string& s) {
  switch (format) {
    case TextFormat::free:
      return "";
    case TextFormat::datetime:
      return parse_datetime(s) ? "" : "a date and time written YYYY-MM-DDTHH:MM, e.g. 2026-12-01T16:00";
    case TextFormat::time_of_day:
      return parse_time_of_day(s) ? "" : "a time written HH:MM, e.g. 16:00";
    case TextFormat::weekly_slot:
      return parse_weekly_slot(s) ? "" : "a weekly time like \"tue 16:00-18:00\" (mon..sun, end after start)";
    case TextFormat::date:
      return parse_date(s) ? "" : "a real date written YYYY-MM-DD";
    case TextFormat::field_level: {
      const auto colon = s.find(':');
      const bool ok = colon != std::string::npos && colon > 0 && colon + 2 == s.size() && s[colon + 1] >= '1' &&
                      s[colon + 1] <= '3';
      return ok ? "" : "a field and its level 1-3 written like \"dispute_mediation:3\"";
    }
  }
  return "";
}

}  // namespace

Result<Json> normalise_field(const FieldSpec& spec, const Json& value) {
  const std::string name = field_label(spec);
  switch (spec.type) {
    case FieldType::text: {
      if (!value.is_string()) return invalid("wrong_type", "The field " + name + " must be text.");
      std::string s = trim(value.get<std::string>());
      size_t n = 0;
      if (!utf8_length(s, &n)) return invalid("bad_text", "The field " + name + " contains characters that cannot be stored.");
      if (n > static_cast<size_t>(spec.max_length))
        return invalid("too_long", "The field " + name + " is too long: at most " + std::to_string(spec.max_length) +
                                       " characters, this has " + std::to_string(n) + ".");
      if (!s.empty()) {
        std::string problem = format_problem(spec.format, s);
        if (!problem.empty()) return invalid("bad_format", "The field " + name + " must be " + problem + ".");
      }
      return Json(s);
    }
    case FieldType::integer: {
      long long v = 0;
      if (value.is_number_integer()) {
        v = value.get<long long>();
      } else if (value.is_string() && all_digits(trim(value.get<std::string>())) && trim(value.get<std::string>()).size() < 12) {
        v = std::stoll(trim(value.get<std::string>()));
      } else {
        return invalid("wrong_type", "The field " + name + " must be a whole number.");
      }
      if (v < spec.min || v > spec.max)
        return invalid("out_of_range", "The field " + name + " must be between " + std::to_string(spec.min) + " and " +
                                           std::to_string(spec.max) + ".");
      return Json(v);
    }
    case FieldType::boolean: {
      if (value.is_boolean()) return value;
      if (value.is_string() && (value == "true" || value == "false")) return Json(value == "true");
      return invalid("wrong_type", "The field " + name + " must be yes or no.");
    }
    case FieldType::date: {
      if (!value.is_string() || !parse_date(trim(value.get<std::string>())))
        return invalid("bad_date", "The field " + name + " must be a real date written YYYY-MM-DD, e.g. 2026-03-08.");
      return Json(trim(value.get<std::string>()));
    }
    case FieldType::phone: {
      std::string out;
      if (!value.is_string() || !canonical_phone(trim(value.get<std::string>()), &out))
        return invalid("bad_phone", "The field " + name +
                                        " must be a mobile number of 11 digits (e.g. 13812345678) or a landline with area code (e.g. 0883-6123456).");
      return Json(out);
    }
    case FieldType::choice: {
      if (!value.is_string() || std::find(spec.choices.begin(), spec.choices.end(), value.get<std::string>()) == spec.choices.end())
        return invalid("bad_choice", "The field " + name + " has a value that is not one of its choices.");
      return value;
    }
    case FieldType::choices: {
      if (!value.is_array()) return invalid("wrong_type", "The field " + name + " must be a list of choices.");
      Json out = Json::array();
      for (const auto& c : spec.choices) {  // canonical order: the schema's
        size_t hits = 0;
        for (const auto& v : value) {
          if (!v.is_string()) return invalid("wrong_type", "The field " + name + " must be a list of choices.");
          if (v.get<std::string>() == c) ++hits;
        }
        if (hits > 1) return invalid("duplicate_choice", "The field " + name + " lists \"" + c + "\" twice.");
        if (hits == 1) out.push_back(c);
      }
      if (out.size() != value.size()) return invalid("bad_choice", "The field " + name + " has a value that is not one of its choices.");
      return out;
    }
    case FieldType::ref: {
      if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 64)
        return invalid("wrong_type", "The field " + name + " must name a " + spec.ref_kind + ".");
      return value;
    }
    case FieldType::text_list: {
      if (!value.is_array()) return invalid("wrong_type", "The field " + name + " must be a list of texts.");
      if (value.size() > 20) return invalid("too_long", "The field " + name + " has more than 20 items.");
      Json out = Json::array();
      for (const auto& v : value) {
        if (!v.is_string()) return invalid("wrong_type", "The field " + name + " must be a list of texts.");
        std::string s = trim(v.get<std::string>());
        size_t n = 0;
        if (s.empty()) continue;
        if (!utf8_length(s, &n)) return invalid("bad_text", "The field " + name + " contains characters that cannot be stored.");
        if (n > static_cast<size_t>(spec.max_length))
          return invalid("too_long", "An item of " + name + " is too long: at most " + std::to_string(spec.max_length) + " characters.");
        std::string problem = format_problem(spec.format, s);
        if (!problem.empty())
          return invalid("bad_format", "Each item of " + name + " must be " + problem + "; \"" + s + "\" is not.");
        out.push_back(s);
      }
      return out;
    }
  }
  return invalid("wrong_type", "The field " + name + " has an unknown type.");
}

namespace {

bool valid_entity_id(const std::string& id) {
  size_t n = 0;
  return !id.empty() && id.size() <= 64 && utf8_length(id, &n) && id.find(' ') == std::string::npos;
}

// Checks the fields object of a create or edit. On create every required
// field must be present and non-empty; on edit a required field may not be
// cleared. Values must already be in canonical form.
Status check_fields(const State& state, const KindSpec& kind, const Json& fields, bool is_create) {
  if (!fields.is_object()) return invalid("malformed_payload", "The operation's fields are not an object.");
  if (!is_create && fields.empty()) return invalid("nothing_to_change", "The edit changes no field.");
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const FieldSpec* spec = kind.field(it.key());
    if (!spec) return invalid("unknown_field", "A " + kind.kind + " has no field \"" + it.key() + "\".");
    const Json& v = it.value();
    // Canonical form of "no value" is null (normalise_fields makes it so).
    bool empty = v.is_null() || (v.is_string() && v.get<std::string>().empty()) || (v.is_array() && v.empty());
    if (empty && spec->required)
      return invalid("missing_field", "The field \"" + spec->name + "\" of a " + kind.kind + " cannot be empty.");
    if (v.is_null()) continue;
    if (empty) return invalid("not_canonical", "The field \"" + spec->name + "\" is empty but not null.");
    auto norm = normalise_field(*spec, v);
    if (!norm) return norm.error();
    if (norm.value() != v)
      return invalid("not_canonical", "The field \"" + spec->name + "\" is not in its stored form.");
    if (spec->type == FieldType::ref) {
      const Entity* target = state.find(spec->ref_kind, v.get<std::string>());
      if (!target) return invalid("unknown_reference", "The " + spec->ref_kind + " named in \"" + spec->name + "\" does not exist.");
      if (target->archived())
        return invalid("archived_reference", "The " + spec->ref_kind + " named in \"" + spec->name + "\" is archived.");
    }
  }
  if (is_create) {
    for (const auto& spec : kind.fields) {
      if (!spec.required) continue;
      auto it = fields.find(spec.name);
      if (it == fields.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty()) ||
          (it->is_array() && it->empty()))
        return invalid("missing_field", "A " + kind.kind + " needs the field \"" + spec.name + "\".");
    }
  }
  return ok_status();
}

// Normalises the fields of a command: canonical values; on create, empty
// optional fields are dropped.
Result<Json> normalise_fields(const KindSpec& kind, const Json& fields, bool is_create) {
  if (!fields.is_object()) return invalid("malformed_payload", "The fields must be an object.");
  Json out = Json::object();
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const FieldSpec* spec = kind.field(it.key());
    if (!spec) return invalid("unknown_field", "A " + kind.kind + " has no field \"" + it.key() + "\".");
    const Json& v = it.value();
    bool empty = v.is_null() || (v.is_string() && trim(v.get<std::string>()).empty()) || (v.is_array() && v.empty());
    if (empty) {
      if (is_create) continue;
      out[it.key()] = nullptr;
      continue;
    }
    auto norm = normalise_field(*spec, v);
    if (!norm) return norm.error();
    out[it.key()] = std::move(norm.value());
  }
  return out;
}

}  // namespace

Status validate_operation(const State& state, const Operation& op) { return validate_operation(rule_book(), state, op); }

Status validate_operation(const RuleBook& book, const State& state, const Operation& op) {
  std::string kind_name, verb;
  if (!split_type(op.type, &kind_name, &verb))
    return invalid("unknown_type", "The operation type \"" + op.type + "\" is not known.");
  const KindSpec* kind = find_kind(kind_name);
  if (!kind) return invalid("unknown_type", "The operation type \"" + op.type + "\" is not known.");
  const Json& p = op.payload;
  if (!p.is_object()) return invalid("malformed_payload", "The operation's payload is not an object.");
  auto ent = p.find("entity");
  if (ent == p.end() || !ent->is_string() || !valid_entity_id(ent->get<std::string>()))
    return invalid("malformed_payload", "The operation does not name the record it changes.");
  const std::string id = ent->get<std::string>();
  const Entity* existing = state.find(kind_name, id);
  auto only_keys = [&](std::initializer_list<const char*> keys) {
    for (auto it = p.begin(); it != p.end(); ++it) {
      bool known = false;
      for (const char* k : keys) known = known || it.key() == k;
      if (!known) return false;
    }
    return true;
  };
  // The kind's own rules (rule_book.h), once the generic checks have passed.
  auto kind_rules = [&]() {
    const Json no_fields = Json::object();
    auto f = p.find("fields");
    const Json& changes = f != p.end() && f->is_object() ? *f : no_fields;
    return book.check(RuleInput{state, op, kind_name, verb, id, existing, changes});
  };
  if (verb == "create") {
    if (!only_keys({"entity", "fields"}) || !p.contains("fields"))
      return invalid("malformed_payload", "A create operation carries exactly \"entity\" and \"fields\".");
    if (existing) return invalid("already_exists", "A " + kind_name + " with id " + id + " already exists.");
    Status st = check_fields(state, *kind, p["fields"], true);
    if (!st) return st;
    return kind_rules();
  }
  if (verb == "edit") {
    if (!only_keys({"entity", "fields"}) || !p.contains("fields"))
      return invalid("malformed_payload", "An edit operation carries exactly \"entity\" and \"fields\".");
    if (!existing) return invalid("not_found", "There is no " + kind_name + " with id " + id + ".");
    if (existing->archived())
      return invalid("archived", "This " + kind_name + " is archived; restore it before editing.");
    Status st = check_fields(state, *kind, p["fields"], false);
    if (!st) return st;
    return kind_rules();
  }
  if (verb == "archive") {
    if (!only_keys({"entity", "reason"}))
      return invalid("malformed_payload", "An archive operation carries only \"entity\" and \"reason\".");
    if (p.contains("reason")) {
      size_t n = 0;
      if (!p["reason"].is_string() || !utf8_length(p["reason"].get<std::string>(), &n) || n > 200)
        return invalid("bad_reason", "The reason for archiving must be text of at most 200 characters.");
    }
    if (!existing) return invalid("not_found", "There is no " + kind_name + " with id " + id + ".");
    if (existing->archived()) return invalid("archived", "This " + kind_name + " is already archived.");
    return kind_rules();
  }
  if (verb == "restore") {
    if (!only_keys({"entity"})) return invalid("malformed_payload", "A restore operation carries only \"entity\".");
    if (!existing) return invalid("not_found", "There is no " + kind_name + " with id " + id + ".");
    if (!existing->archived()) return invalid("not_archived", "This " + kind_name + " is not archived.");
    return kind_rules();
  }
  if (const EditLikeVerb* shape = book.edit_like_verb(kind_name, verb)) {
    // A feature's own verb that rewrites some fields like an edit (e.g.
    // signup.move; the fold treats it as an edit of those fields, state.cpp).
    if (!only_keys({"entity", "fields"}) || !p.contains("fields") || !p["fields"].is_object())
      return invalid("malformed_payload", shape->malformed);
    const Json& f = p["fields"];
    for (auto it = f.begin(); it != f.end(); ++it) {
      if (std::find(shape->writable.begin(), shape->writable.end(), it.key()) == shape->writable.end())
        return invalid("malformed_payload", shape->not_writable + " \"" + it.key() + "\".");
    }
    for (const auto& k : shape->required) {
      if (!f.contains(k)) return invalid("malformed_payload", shape->missing);
    }
    if (!existing) return invalid("not_found", "There is no " + kind_name + " with id " + id + ".");
    if (existing->archived()) return invalid("archived", shape->archived);
    Status st = check_fields(state, *kind, f, false);
    if (!st) return st;
    return kind_rules();
  }
  return invalid("unknown_type", "The operation type \"" + op.type + "\" is not known.");
}

Result<Operation> make_operation(const State& state, const Command& cmd, OpSource& source, int64_t now_ms) {
  if (!is_valid_device_id(source.device))
    return invalid("bad_device", "This device has no valid id; the app cannot record changes.");
  if (source.author.empty()) return invalid("no_author", "Say who is making the change (settings: your name).");
  Operation op;
  op.id = OpId{source.device, source.next_seq};
  op.author = source.author;
  Json payload = Json::object();
  std::string kind_name;
  if (const auto* c = std::get_if<CreateEntity>(&cmd)) {
    kind_name = c->kind;
    const KindSpec* kind = find_kind(kind_name);
    if (!kind) return invalid("unknown_type", "There is no kind of record called \"" + kind_name + "\".");
    auto fields = normalise_fields(*kind, c->fields, true);
    if (!fields) return fields.error();
    payload["entity"] = c->id.empty() ? op.id.to_string() : c->id;
    payload["fields"] = std::move(fields.value());
    op.type = kind_name + ".create";
  } else if (const auto* e = std::get_if<EditEntity>(&cmd)) {
    kind_name = e->kind;
    const KindSpec* kind = find_kind(kind_name);
    if (!kind) return invalid("unknown_type", "There is no kind of record called \"" + kind_name + "\".");
    auto fields = normalise_fields(*kind, e->fields, false);
    if (!fields) return fields.error();
    // Drop fields whose value does not change, so an edit records only changes.
    const Entity* existing = state.find(kind_name, e->id);
    if (existing) {
      for (auto it = fields.value().begin(); it != fields.value().end();) {
        if (existing->get(it.key()) == it.value()) {
          it = fields.value().erase(it);
        } else {
          ++it;
        }
      }
    }
    payload["entity"] = e->id;
    payload["fields"] = std::move(fields.value());
    op.type = kind_name + ".edit";
  } else if (const auto* a = std::get_if<ArchiveEntity>(&cmd)) {
    kind_name = a->kind;
    payload["entity"] = a->id;
    std::string reason = trim(a->reason);
    if (!reason.empty()) payload["reason"] = reason;
    op.type = kind_name + ".archive";
  } else if (const auto* r = std::get_if<RestoreEntity>(&cmd)) {
    kind_name = r->kind;
    payload["entity"] = r->id;
    op.type = kind_name + ".restore";
  } else if (const auto* m = std::get_if<MoveSignup>(&cmd)) {
    kind_name = "signup";
    // Every field is written (an empty one as null), so a move replaces the
    // clash override of the place it leaves.
    auto fields = normalise_fields(*find_kind(kind_name), m->fields, false);
    if (!fields) return fields.error();
    payload["entity"] = m->id;
    payload["fields"] = std::move(fields.value());
    op.type = "signup.move";
  }
  op.payload = std::move(payload);
  // Validate with a provisional stamp; commit the clock only on success.
  HlcClock clock = source.clock;
  op.hlc = clock.tick(now_ms);
  Status st = validate_operation(state, op);
  if (!st) return st.error();
  source.clock = clock;
  ++source.next_seq;
  return op;
}

}  // namespace dh
