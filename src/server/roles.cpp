#include "server/roles.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/checkin.h"
#include "core/exchange.h"
#include "core/text.h"
#include "core/schema.h"

namespace dh {
namespace {

Error forbidden(const std::string& message) { return make_error("forbidden", message); }

// Kinds a coordinator works with: the base model and volunteering (all kinds today).
bool is_known_kind(const std::string& kind) { return find_kind(kind) != nullptr; }

// A field's value as a restricted role receives it (schema.h Reveal::masked).
Json masked_value(const FieldSpec& f, const Json& v) {
  if (!v.is_string()) return nullptr;
  const std::string text = v.get<std::string>();
  switch (f.type) {
    case FieldType::phone:
      return mask_phone(text);  // core/text.h: the one masking of phones
    case FieldType::date:
      return text.size() >= 4 ? Json(text.substr(0, 4) + "-12-31") : Json(nullptr);
    default:
      return mask_person_name(text);
  }
}

// The fields of a sign-up that record attendance: a kiosk writes none of them.
bool carries_attendance(const Json& fields) {
  for (const char* k : {"check_in", "check_out", "check_in_method", "attendance", "attendance_note"}) {
    if (fields.contains(k)) return true;
  }
  return false;
}

// An entity id a device may give the record it creates: the op's own id (what
// make_operation() uses), or any id in the device's namespace "<device>:...".
// Nobody else mints ids there, so a create can never take an id another
// device will use (demo data and imports by an administrator keep theirs).
bool may_mint(const Operation& op, const std::string& entity) {
  const std::string prefix = op.id.device + ":";
  return entity.size() > prefix.size() && entity.compare(0, prefix.size(), prefix) == 0;
}

bool is_word(const std::string& w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// A well-formed type of a kind the server's fold does not know (a newer app
// version; a new verb of a known kind is allowed with the kind).
bool is_future_type(const std::string& kind, const std::string& verb) {
  return is_word(kind) && is_word(verb) && !is_known_kind(kind);
}

}  // namespace

Status role_may_push(const Principal& who, const Operation& op, const State& state) {
  const std::string& role = who.role;
  if (role == "server") return ok_status();
  // A hub's own operations (its QR check-ins, author "qr:...") are made under
  // its device id at the parent (SyncService::own_device).
  if (role == "hub" && op.id.device == who.device) return ok_status();
  // "qr:<volunteer>" is the server's own QR check-in (docs/qr-checkin.md):
  // nobody else may sign as it. (Any other author text is what the person
  // typed; the authenticated device is the op id's device, below, and the
  // store's pushed_by column: docs/security.md.)
  if (op.author.rfind("qr:", 0) == 0 && op.id.device != "server") {
    return make_error("author_reserved", "The author \"qr:...\" is kept for the server's QR check-ins; "
                                         "a device may not sign a change with it.");
  }
  if (role == "open" || role == "administrator") return ok_status();
  // A hub server (docs/security.md "Hub mode") forwards what its own devices
  // pushed to it: operations made on other devices (also an administrator's
  // imports, with their ids), which the hub checked against these same rules
  // when they arrived there. Unlike an administrator it may not manage
  // devices here (DeviceAuth::authenticate).
  if (role == "hub") return ok_status();
  if (op.id.device != who.device) {
    return forbidden("This device may send only the changes made on it (this one was made on device \"" +
                     op.id.device + "\").");
  }
  std::string kind, verb;
  // Not a type at all: nothing can be stored, validation says what is wrong.
  if (!split_type(op.type, &kind, &verb) || !is_word(kind) || !is_word(verb)) return ok_status();
  // Where the role allows the type: a create must name an id this device may mint.
  auto allowed = [&]() -> Status {
    const Json& p = op.payload;
    const std::string entity = verb == "create" && p.is_object() && p.contains("entity") && p["entity"].is_string()
                                   ? p["entity"].get<std::string>()
                                   : std::string();
    if (!entity.empty() && !may_mint(op, entity)) {
      return make_error("entity_id_not_yours",
                        "A new record's id must be this change's own id or start with this device's id (\"" +
                            op.id.device + ":\"); \"" + entity + "\" is not.");
    }
    return ok_status();
  };
  if (role == "coordinator") {
    if (is_known_kind(kind) || is_future_type(kind, verb)) return allowed();
    return forbidden("A coordinator's device may not make \"" + op.type + "\" changes.");
  }
  if (role == "grid_worker") {
    if ((kind == "household" || kind == "resident") && (verb == "create" || verb == "edit")) return allowed();
    return forbidden("A grid worker's device may add and edit households and residents only; \"" + op.type +
                     "\" needs a coordinator or the community secretary.");
  }
  if (role == "kiosk") {
    const Json& p = op.payload;
    if (op.type == "signup.create") {
      const Json* f = p.is_object() && p.contains("fields") ? &p["fields"] : nullptr;
      if (!f || !f->is_object() || f->value("channel", Json()) != Json("kiosk")) {
        return forbidden("A kiosk may sign people up only through the kiosk (channel \"kiosk\").");
      }
      if (f->contains("clash_override") && (*f)["clash_override"] == Json(true)) {
        return forbidden("A kiosk may not override a clash between shifts; ask a coordinator.");
      }
      if (carries_attendance(*f)) {
        return forbidden("A kiosk signs people up; it records no attendance (check-in, check-out, excused, "
                         "no-show). The coordinator or the QR check-in does.");
      }
      return allowed();
    }
    if (op.type == "signup.archive") {
      const std::string id = p.is_object() && p.contains("entity") && p["entity"].is_string()
                                 ? p["entity"].get<std::string>()
                                 : std::string();
      const Entity* e = state.find("signup", id);
      if (e && e->created && e->text("channel") == "kiosk" && *e->created_stamp().device == who.device) {
        return ok_status();
      }
      return forbidden("A kiosk may cancel only the sign-ups made on this kiosk.");
    }
    if (op.type == "request.create") {
      // A resident's own request, as the kiosk's simple intake takes it: no
      // parties (the hall links records at triage), no staff note.
      const Json* f = p.is_object() && p.contains("fields") ? &p["fields"] : nullptr;
      if (!f || !f->is_object() || f->value("intake_channel", Json()) != Json("kiosk")) {
        return forbidden("A kiosk may record a request only as taken at the kiosk (intake_channel \"kiosk\").");
      }
      for (auto it = f->begin(); it != f->end(); ++it) {
        static const std::set<std::string> kKioskFields = {"category",    "urgency",      "grid",
                                                           "description", "intake_channel", "recorded_at",
                                                           "contact_name", "contact_phone"};
        if (!kKioskFields.count(it.key())) {
          return forbidden("A kiosk's request may not set \"" + it.key() + "\"; the hall fills that in at triage.");
        }
      }
      return allowed();
    }
    return forbidden("A kiosk may only sign volunteers up for shifts, cancel its own sign-ups and record residents' "
                     "requests; \"" + op.type + "\" is not allowed.");
  }
  if (role == "voting_tablet") {
    // A ballot, nothing else. Ballots are immutable (a changed vote is a new
    // ballot with the same voter key, deliberation.h), so create is the only
    // verb; whether the poll takes it (open, late, the voter entitled) is the
    // deliberation rules' and the tally's business, the same on every device.
    if (op.type == "ballot.create") return allowed();
    return forbidden("A voting tablet may only cast ballots; \"" + op.type +
                     "\" needs the chair's or the secretary's device.");
  }
  if (role == "projector") return forbidden("A projector only shows information; it cannot change anything.");
  return forbidden("The role \"" + role + "\" may not change anything.");
}

bool withheld_from_role(const Operation& op, const std::string& role) {
  if (!role_reads_allow_list(role)) return false;
  std::string kind;
  const KindSpec* spec = split_type(op.type, &kind, nullptr) ? find_kind(kind) : nullptr;
  if (role == "voting_tablet") {
    // Only the kinds it reads something of: not even the count of residents,
    // ballots or cards reaches a voting tablet (nor kinds this server does not know).
    return !spec || spec->withheld_from_restricted_roles || !spec->any_field_for(role);
  }
  return spec && spec->withheld_from_restricted_roles;
}

Operation fields_for_role(const Operation& op, const std::string& role) {
  if (!role_reads_allow_list(role) || !op.payload.is_object()) return op;
  Operation out = op;
  out.payload.erase("reason");  // archive/restore reasons are free text
  auto fields = out.payload.find("fields");
  if (fields == out.payload.end()) return out;
  std::string kind;
  const KindSpec* spec = split_type(op.type, &kind, nullptr) ? find_kind(kind) : nullptr;
  if (!spec || !fields->is_object() || spec->withheld_from_restricted_roles) {
    // a kind this server does not know, or one withheld altogether: nothing is allowed
    out.payload.erase("fields");
    return out;
  }
  Json kept = Json::object();
  for (auto it = fields->begin(); it != fields->end(); ++it) {
    const FieldSpec* f = spec->field(it.key());
    const Reveal r = f ? reveal_to(*f, role) : Reveal::none;
    if (r == Reveal::full) {
      kept[it.key()] = it.value();
    } else if (r == Reveal::masked) {
      kept[it.key()] = it.value().is_null() ? Json(nullptr) : masked_value(*f, it.value());
    }
  }
  *fields = std::move(kept);
  return out;
}

Result<Principal> DeviceAuth::authenticate(const RequestContext& request) {
  const std::string& h = request.authorization;
  const std::string prefix = "Bearer ";
  if (h.size() <= prefix.size() || h.compare(0, prefix.size(), prefix) != 0) {
    return make_error("unauthorized",
                      "This device is not enrolled. Ask the community secretary for an enrolment code and enrol "
                      "it first.");
  }
  auto d = registry_.find_by_token(h.substr(prefix.size()));
  if (!d) return d.error();
  Principal who{d->device_id, d->role};
  registry_.note_contact(who.device, std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  if (request.action == "admin" && who.role != "administrator") {
    return forbidden("Only the community secretary's (administrator) device may manage devices.");
  }
  if (request.action == "push") {
    if (who.role == "projector") return forbidden("A projector only shows information; it cannot send changes.");
    if (who.role != "administrator" && request.device != who.device) {
      return forbidden("This token belongs to device \"" + who.device + "\"; it cannot send as device \"" +
                       request.device + "\".");
    }
  }
  return who;
}

}  // namespace dh
