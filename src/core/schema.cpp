#include "core/schema.h"

namespace dh {

namespace {

FieldSpec text(std::string name, bool required, int max_length = 64, bool personal = false) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::text;
  f.required = required;
  f.max_length = max_length;
  f.personal = personal;
  return f;
}
FieldSpec integer(std::string name, bool required, long long min, long long max) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::integer;
  f.required = required;
  f.min = min;
  f.max = max;
  return f;
}
FieldSpec boolean(std::string name) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::boolean;
  return f;
}
FieldSpec date(std::string name, bool required = false) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::date;
  f.required = required;
  return f;
}
FieldSpec phone(std::string name, bool required = false) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::phone;
  f.required = required;
  f.personal = true;
  return f;
}
FieldSpec choice(std::string name, bool required, std::vector<std::string> choices) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::choice;
  f.required = required;
  f.choices = std::move(choices);
  return f;
}
FieldSpec choices(std::string name, bool required, std::vector<std::string> choices) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::choices;
  f.required = required;
  f.choices = std::move(choices);
  return f;
}
FieldSpec ref(std::string name, bool required, std::string kind) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::ref;
  f.required = required;
  f.ref_kind = std::move(kind);
  return f;
}
FieldSpec text_list(std::string name, int max_length = 32) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::text_list;
  f.max_length = max_length;
  return f;
}

FieldSpec formatted(FieldSpec f, TextFormat format) {
  f.format = format;
  return f;
}

std::vector<KindSpec> build_kinds() {
  std::vector<KindSpec> k;
  k.push_back({"grid",
               {text("name", true, 32), text("code", true, 16), text("leader_name", false, 32),
                text("backing_department", false, 64), text("note", false, 200)},
               "name"});
  k.push_back({"micro_grid", {text("name", true, 32), ref("grid", true, "grid"), text("note", false, 200)}, "name"});
  k.push_back({"station",
               {text("name", true, 48), choice("station_type", true, {"hall", "station"}),
                text("address", false, 100), ref("grid", false, "grid"), text_list("specialities"),
                text_list("rooms"), text("opening_hours", false, 64), text("note", false, 200)},
               "name"});
  k.push_back({"household",
               {text("address", true, 100, /*personal=*/true), ref("grid", true, "grid"),
                ref("micro_grid", false, "micro_grid"), phone("phone"), integer("members", false, 1, 30),
                text("note", false, 200)},
               "address"});
  k.push_back({"resident",
               {text("name", true, 32), ref("household", true, "household"), choice("gender", false, {"female", "male"}),
                date("birth_date"), phone("phone"),
                choice("relation", false, {"head", "spouse", "child", "parent", "grandchild", "other"}),
                choice("ethnicity", false, {"han", "yi", "dai", "bai", "hani", "lahu", "other"}),
                text("note", false, 200)},
               "name"});
  k.push_back({"squad", {text("name", true, 48), text("leader_name", false, 32), text("note", false, 200)}, "name"});
  k.push_back(
      {"volunteer_group", {text("name", true, 48), ref("squad", true, "squad"), text("note", false, 200)}, "name"});
  k.push_back({"volunteer",
               {ref("resident", true, "resident"), ref("squad", false, "squad"),
                ref("group", false, "volunteer_group"),
                choices("skills", false,
                        {"first_aid", "tutoring", "legal", "elderly_care", "cleaning", "photography", "driving",
                         "computer", "cooking", "sports", "arts", "tea"}),
                date("joined"), boolean("guardian_consent"),
                formatted(text_list("availability", 15), TextFormat::weekly_slot),
                formatted(text_list("unavailable_dates", 10), TextFormat::date),
                ref("preferred_station", false, "station"), integer("max_weekly_hours", false, 1, 40),
                text("note", false, 200)},
               "resident"});
  // Talent pool (issue 10, docs/talent.md): the field codes are also the
  // request categories, so a request's category names the field it needs.
  const std::vector<std::string> talent_fields = {
      "legal_publicity", "dispute_mediation", "business_development", "big_data",  "elderly_care",
      "health",          "education",         "agriculture_tea",      "construction", "finance",
      "other",           "psychological_support", "childcare",        "sports",    "housekeeping"};
  k.push_back({"expert",
               {text("name", true, 32), choices("fields", true, talent_fields), phone("phone"),
                ref("grid", false, "grid"), text("organisation", false, 64),
                // capacity: the most open cases the expert carries at once
                integer("max_open_cases", false, 1, 50), boolean("available"), text("note", false, 200),
                // "<field>:<level>" for fields above level 1 (a listed field without one is level 1)
                formatted(text_list("field_levels", 40), TextFormat::field_level),
                // the expert's own resident record when they live in the community (conflict filter)
                ref("resident", false, "resident"), formatted(text_list("availability", 15), TextFormat::weekly_slot)},
               "name"});
  k.push_back({"trainee",
               {text("name", true, 32), choice("background", true, {"committee_member", "new_worker"}),
                ref("mentor", false, "expert"), date("started"), phone("phone"), text("note", false, 200)},
               "name"});
  // Volunteering (docs/volunteering.md).
  const std::vector<std::string> skills = {"first_aid", "tutoring", "legal",   "elderly_care", "cleaning", "photography",
                                           "driving",   "computer", "cooking", "sports",       "arts",     "tea"};
  k.push_back({"shift_template",
               {ref("station", true, "station"), text("role", true, 32),
                choice("weekday", true, {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}),
                formatted(text("start_time", true, 5), TextFormat::time_of_day),
                formatted(text("end_time", true, 5), TextFormat::time_of_day), integer("capacity", true, 1, 100),
                choices("required_skills", false, skills), integer("min_age", false, 0, 100), date("valid_from"),
                date("valid_until"), text("note", false, 200)},
               "role"});
  k.push_back({"shift",
               {ref("station", true, "station"), text("role", true, 32),
                formatted(text("start", true, 16), TextFormat::datetime),
                formatted(text("end", true, 16), TextFormat::datetime), integer("capacity", true, 1, 100),
                choices("required_skills", false, skills), integer("min_age", false, 0, 100),
                ref("template", false, "shift_template"), text("note", false, 200),
                // QR check-in secret (core/checkin.h); 16..32 of a-z0-9, checked by check_checkin_key.
                text("checkin_key", false, 32)},
               "role"});
  k.push_back({"signup",
               {ref("shift", true, "shift"), ref("volunteer", true, "volunteer"),
                choice("channel", true, {"kiosk", "coordinator", "auto_schedule"}),
                choice("seen_place", false, {"confirmed", "waitlist"}), boolean("clash_override"),
                text("override_reason", false, 200), formatted(text("check_in", false, 16), TextFormat::datetime),
                formatted(text("check_out", false, 16), TextFormat::datetime),
                choice("check_in_method", false, {"list", "qr"}), choice("attendance", false, {"excused", "no_show"}),
                text("attendance_note", false, 200)},
               "volunteer"});
  k.push_back({"hours_adjustment",
               {ref("volunteer", true, "volunteer"), date("date", true), integer("minutes", true, -6000, 6000),
                text("reason", true, 200), ref("station", false, "station")},
               "volunteer"});
  // Talent pool: residents' requests and their lifecycle (docs/talent.md).
  // The request's state is never a field: it is replayed from its request_step
  // records in stamp order (core/talent.h), so two offline devices converge.
  k.push_back({"request",
               {choice("category", true, talent_fields), integer("urgency", true, 1, 3), ref("grid", false, "grid"),
                // resident ids of the parties (each checked to be a live resident by the talent rules)
                text_list("parties", 64), text("description", true, 500, /*personal=*/true),
                choice("intake_channel", true, {"hall", "kiosk", "doorstep", "phone"}),
                formatted(text("recorded_at", true, 16), TextFormat::datetime),
                text("contact_name", false, 32, /*personal=*/true), phone("contact_phone"),
                text("note", false, 200)},
               "description", /*withheld_from_restricted_roles=*/true});
  k.push_back({"request_step",
               {ref("request", true, "request"),
                choice("step", true, {"triage", "assign", "start", "resolve", "not_resolve", "rate", "close", "reopen"}),
                formatted(text("at", true, 16), TextFormat::datetime),
                ref("expert", false, "expert"),    // assign: the new assignee; resolve/not_resolve: who handled it
                ref("trainee", false, "trainee"),  // assign: a trainee attached beside the expert
                integer("rating", false, 1, 5),    // rate: the resident's rating
                text("comment", false, 200),       // rate: the resident's comment
                text("note", false, 200)},
               "step", /*withheld_from_restricted_roles=*/true});
  k.push_back({"trainee_case",
               {ref("trainee", true, "trainee"), ref("request", true, "request"),
                choice("case_role", true, {"shadow", "co_handle"}), text("what_they_did", false, 500),
                text("mentor_remark", false, 500), date("date")},
               "request", /*withheld_from_restricted_roles=*/true});
  return k;
}

// Who reads what besides the staff (issue 8). The kiosk: what it needs to
// find a volunteer (masked name, masked phone, the household's masked phone
// as a fallback), check a sign-up (age from the birth year, skills, guardian
// consent, clashes, capacity) and show the person's shifts and hours. The
// projector: public places and the shift schedule, nobody's personal data.
// Everything not listed here is dropped from their pulls.
struct RoleColumn {
  const char* kind;
  const char* field;
  Reveal kiosk;
  Reveal projector;
};
constexpr Reveal N = Reveal::none, F = Reveal::full, M = Reveal::masked;
const RoleColumn kRoleColumns[] = {
    {"grid", "name", N, F},
    {"micro_grid", "name", N, F},
    {"micro_grid", "grid", N, F},
    {"station", "name", F, F},
    {"station", "station_type", F, F},
    {"station", "address", F, F},
    {"station", "grid", N, F},
    {"station", "opening_hours", F, F},
    {"household", "phone", M, N},
    {"resident", "name", M, N},
    {"resident", "household", F, N},
    {"resident", "phone", M, N},
    {"resident", "birth_date", M, N},
    {"squad", "name", N, F},
    {"volunteer_group", "name", N, F},
    {"volunteer_group", "squad", N, F},
    {"volunteer", "resident", F, N},
    {"volunteer", "skills", F, N},
    {"volunteer", "guardian_consent", F, N},
    {"shift", "station", F, F},
    {"shift", "role", F, F},
    {"shift", "start", F, F},
    {"shift", "end", F, F},
    {"shift", "capacity", F, F},
    {"shift", "required_skills", F, F},
    {"shift", "min_age", F, F},
    {"signup", "shift", F, N},
    {"signup", "volunteer", F, N},
    {"signup", "channel", F, N},
    {"signup", "seen_place", F, N},
    {"signup", "check_in", F, N},
    {"signup", "check_out", F, N},
    {"signup", "attendance", F, N},
    {"hours_adjustment", "volunteer", F, N},
    {"hours_adjustment", "date", F, N},
    {"hours_adjustment", "minutes", F, N},
    {"hours_adjustment", "station", F, N},
    // Talent pool: nothing. A kiosk submits requests but reads none, not even
    // its own after submitting (the server also drops these kinds' operations
    // from kiosk and projector pulls: src/server/roles.cpp).
};

std::vector<KindSpec> with_role_columns(std::vector<KindSpec> kinds) {
  for (const auto& c : kRoleColumns) {
    for (auto& k : kinds) {
      if (k.kind != c.kind) continue;
      for (auto& f : k.fields) {
        if (f.name == c.field) {
          f.kiosk = c.kiosk;
          f.projector = c.projector;
        }
      }
    }
  }
  return kinds;
}

}  // namespace

bool role_reads_allow_list(std::string_view role) { return role == "kiosk" || role == "projector"; }

Reveal reveal_to(const FieldSpec& f, std::string_view role) {
  if (role == "kiosk") return f.kiosk;
  if (role == "projector") return f.projector;
  return Reveal::full;
}

const FieldSpec* KindSpec::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const std::vector<KindSpec>& all_kinds() {
  static const std::vector<KindSpec> kinds = with_role_columns(build_kinds());
  return kinds;
}

const KindSpec* find_kind(std::string_view kind) {
  for (const auto& k : all_kinds()) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

bool split_type(std::string_view type, std::string* kind, std::string* verb) {
  auto dot = type.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= type.size()) return false;
  if (type.find('.', dot + 1) != std::string_view::npos) return false;
  if (kind) *kind = std::string(type.substr(0, dot));
  if (verb) *verb = std::string(type.substr(dot + 1));
  return true;
}

}  // namespace dh
