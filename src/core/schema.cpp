#include "core/schema.h"

#include "core/projection.h"

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
// A field the app writes itself (forms show a note, not an input).
FieldSpec written_by_app(FieldSpec f) {
  f.written_by_app = true;
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
  // Deliberation: councils, meetings and voting (issue 11, docs/deliberation.md).
  k.push_back({"council",
               {text("name", true, 48), choice("tier", true, {"level1", "level2"}),
                choice("council_scope", true, {"owners_committee", "building_group", "grid", "community"}),
                ref("grid", false, "grid"), integer("quorum_percent", false, 0, 100),
                integer("proxy_limit", false, 0, 5), text("note", false, 200)},
               "name"});
  // A member of a council: a resident (or someone from outside the households,
  // by name), with a representative category and whether they vote.
  k.push_back({"council_member",
               {ref("council", true, "council"), text("name", true, 32), ref("resident", false, "resident"),
                ref("household", false, "household"),
                choice("member_category", true,
                       {"owner", "household_rep", "resident_org", "social_org", "social_worker", "volunteer",
                        "charity", "committee", "other"}),
                choice("council_role", false, {"chair", "secretary", "officer", "member"}), boolean("entitled"),
                date("since"), text("note", false, 200)},
               "name"});
  k.push_back({"meeting",
               {ref("council", true, "council"), text("title", true, 64),
                formatted(text("start", true, 16), TextFormat::datetime), text("place", false, 64),
                choice("meeting_state", false, {"planned", "in_session", "adjourned"}), integer("speaking_seconds", false, 30, 1800),
                text("minutes_note", false, 2000)},
               "title"});
  k.push_back({"agenda_item",
               {ref("meeting", true, "meeting"), text("title", true, 64), integer("order", true, 1, 99),
                choice("item_state", false, {"pending", "current", "done"}), text("note", false, 500)},
               "title"});
  // A motion; an amendment is a motion whose "amends" names the motion it changes.
  k.push_back({"motion",
               {ref("meeting", true, "meeting"), ref("agenda_item", false, "agenda_item"), text("title", true, 64),
                text("text", true, 2000), ref("proposer", true, "council_member"), text_list("seconders", 64),
                ref("amends", false, "motion"),
                choice("motion_state", false, {"proposed", "seconded", "withdrawn", "voted"})},
               "title"});
  // Attendance at the door: a member arrived (list or QR); "card_handed" says a
  // ballot card for the meeting's secret polls was handed over (which card is
  // never recorded: docs/voting.md "Secret ballots").
  k.push_back({"attendance",
               {ref("meeting", true, "meeting"), ref("member", true, "council_member"),
                choice("check_in_method", true, {"list", "qr"}), formatted(text("arrived", false, 16), TextFormat::datetime),
                boolean("card_handed")},
               "member"});
  // A proxy: one holder per absent member, at most the council's proxy_limit per holder.
  k.push_back({"proxy",
               {ref("meeting", true, "meeting"), ref("absent_member", true, "council_member"),
                ref("holder", true, "council_member"), text("note", false, 200)},
               "absent_member"});
  k.push_back({"speaker",
               {ref("meeting", true, "meeting"), ref("member", true, "council_member"), integer("order", true, 1, 999),
                choice("speaker_state", true, {"waiting", "speaking", "done"}),
                integer("turn_started_ms", false, 0, 9007199254740991LL)},
               "member"});
  // A poll on a motion (or a standalone question). Method and rule options are
  // tally.h's; the frozen_* fields are written once, by the close.
  k.push_back({"poll",
               {ref("meeting", true, "meeting"), ref("motion", false, "motion"), text("title", true, 64),
                choice("voting_method", true, {"yes_no_abstain", "single_choice", "multiple_choice", "ranked_choice"}),
                text_list("options", 64), integer("max_choices", false, 1, 20),
                integer("seats", false, 1, 20),
                choice("threshold", false, {"simple_majority", "two_thirds", "three_quarters", "none"}),
                choice("threshold_base", false, {"votes_cast", "valid_ballots", "present", "entitled"}),
                integer("quorum_percent", false, 0, 100), boolean("secret"),
                choice("vote_unit", false, {"person", "household"}), choice("voting_mode", false, {"electronic", "paper"}),
                choice("overvote", false, {"exhaust", "skip_rank", "exhaust_if_multiple_continuing"}),
                integer("exhaust_after_skips", false, 0, 5), choice("elimination", false, {"single", "batch"}),
                choice("tie_break", false, {"previous_rounds_then_lot", "first_round_then_lot", "lot", "none"}),
                choice("poll_state", true, {"draft", "open", "closed", "published"}),
                integer("frozen_entitled", false, 0, 1000000), integer("frozen_present", false, 0, 1000000),
                text_list("paper_counts", 12), integer("paper_invalid", false, 0, 1000000),
                boolean("paper_mismatch"), written_by_app(text("published_result", false, 20000))},
               "title"});
  // One ballot as cast. Named polls: "voter" (the member casting) and, for a
  // proxy, "cast_for" (the absent member). Secret polls: only "token" (the
  // ballot card's code); never a member. "voter_digest" lets anyone count
  // distinct voters without knowing who (deliberation.h).
  k.push_back({"ballot",
               {ref("poll", true, "poll"), ref("voter", false, "council_member"),
                ref("cast_for", false, "council_member"), text("token", false, 32),
                text("voter_digest", true, 64), text_list("marks", 64)},
               "poll"});
  // The digest (SHA-256, hex) of one ballot card's code, made before the doors
  // open; the code itself is printed on the card, never stored.
  k.push_back({"ballot_card", {ref("meeting", true, "meeting"), text("digest", true, 64)}, "meeting"});
  k.push_back({"decision",
               {ref("meeting", true, "meeting"), ref("motion", false, "motion"), ref("poll", false, "poll"),
                text("text", true, 1000), choice("decision_outcome", true, {"carried", "lost", "noted", "deferred"})},
               "text"});
  // Projector (docs/projector.md): what the chair put up in a meeting.
  k.push_back({"projection",
               {ref("meeting", true, "meeting"), choice("slide", true, {"blank", "agenda", "motion", "speakers", "live_count", "result"}),
                text("ref", false, 64), text("content", true, projection::kMaxContentLength)},
               "slide"});
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
    // Deliberation (issue 11): the projector shows agenda, motions, the
    // speakers' list, live counts and published results. No personal detail;
    // of a ballot only its poll and voter digest (to count), never a voter,
    // a token or the marks.
    {"council", "name", N, F},
    {"council", "tier", N, F},
    {"council_member", "council", N, F},
    {"council_member", "name", N, F},
    {"council_member", "member_category", N, F},
    {"council_member", "council_role", N, F},
    {"council_member", "household", N, F},
    {"council_member", "entitled", N, F},
    {"meeting", "council", N, F},
    {"meeting", "title", N, F},
    {"meeting", "start", N, F},
    {"meeting", "place", N, F},
    {"meeting", "meeting_state", N, F},
    {"meeting", "speaking_seconds", N, F},
    {"agenda_item", "meeting", N, F},
    {"agenda_item", "title", N, F},
    {"agenda_item", "order", N, F},
    {"agenda_item", "item_state", N, F},
    {"motion", "meeting", N, F},
    {"motion", "agenda_item", N, F},
    {"motion", "title", N, F},
    {"motion", "text", N, F},
    {"motion", "proposer", N, F},
    {"motion", "seconders", N, F},
    {"motion", "amends", N, F},
    {"motion", "motion_state", N, F},
    {"attendance", "meeting", N, F},
    {"attendance", "member", N, F},
    {"proxy", "meeting", N, F},
    {"proxy", "absent_member", N, F},
    {"proxy", "holder", N, F},
    {"speaker", "meeting", N, F},
    {"speaker", "member", N, F},
    {"speaker", "order", N, F},
    {"speaker", "speaker_state", N, F},
    {"speaker", "turn_started_ms", N, F},
    {"poll", "meeting", N, F},
    {"poll", "motion", N, F},
    {"poll", "title", N, F},
    {"poll", "voting_method", N, F},
    {"poll", "options", N, F},
    {"poll", "max_choices", N, F},
    {"poll", "seats", N, F},
    {"poll", "threshold", N, F},
    {"poll", "threshold_base", N, F},
    {"poll", "quorum_percent", N, F},
    {"poll", "secret", N, F},
    {"poll", "vote_unit", N, F},
    {"poll", "voting_mode", N, F},
    {"poll", "poll_state", N, F},
    {"poll", "frozen_entitled", N, F},
    {"poll", "frozen_present", N, F},
    {"poll", "published_result", N, F},
    {"ballot", "poll", N, F},
    {"ballot", "voter_digest", N, F},
    {"decision", "meeting", N, F},
    {"decision", "motion", N, F},
    {"decision", "poll", N, F},
    {"decision", "text", N, F},
    {"decision", "decision_outcome", N, F},
    // Projector: the projection carries the slide as shown (docs/projector.md).
    {"projection", "meeting", N, F},
    {"projection", "slide", N, F},
    {"projection", "ref", N, F},
    {"projection", "content", N, F},
    // Talent pool: nothing. A kiosk submits requests but reads none, not even
    // its own after submitting (the server also drops these kinds' operations
    // from kiosk and projector pulls: src/server/roles.cpp).
};

// What a voting tablet (issue 11, docs/deliberation.md "Voting tablets")
// reads: enough to pick the open poll, show its motion and options, list the
// council's members who may vote (names only) and the proxies they hold. No
// resident, household or volunteer record, no request, and nothing of other
// ballots or of ballot cards: those kinds are withheld from it whole.
struct TabletColumn {
  const char* kind;
  const char* field;
};
const TabletColumn kVotingTabletColumns[] = {
    {"council", "name"},
    {"council", "tier"},
    {"council", "proxy_limit"},
    {"council_member", "council"},
    {"council_member", "name"},
    {"council_member", "household"},  // an id only: the key of a per-household vote
    {"council_member", "entitled"},
    {"meeting", "council"},
    {"meeting", "title"},
    {"meeting", "start"},
    {"meeting", "place"},
    {"meeting", "meeting_state"},
    {"motion", "meeting"},
    {"motion", "title"},
    {"motion", "text"},
    {"motion", "motion_state"},
    {"attendance", "meeting"},  // who holds a proxy counts only when present
    {"attendance", "member"},
    {"proxy", "meeting"},
    {"proxy", "absent_member"},
    {"proxy", "holder"},
    {"poll", "meeting"},
    {"poll", "motion"},
    {"poll", "title"},
    {"poll", "voting_method"},
    {"poll", "options"},
    {"poll", "max_choices"},
    {"poll", "seats"},
    {"poll", "secret"},
    {"poll", "vote_unit"},
    {"poll", "voting_mode"},
    {"poll", "poll_state"},
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
  for (const auto& c : kVotingTabletColumns) {
    for (auto& k : kinds) {
      if (k.kind != c.kind) continue;
      for (auto& f : k.fields) {
        if (f.name == c.field) f.voting_tablet = Reveal::full;
      }
    }
  }
  return kinds;
}

}  // namespace

bool role_reads_allow_list(std::string_view role) {
  return role == "kiosk" || role == "projector" || role == "voting_tablet";
}

Reveal reveal_to(const FieldSpec& f, std::string_view role) {
  if (role == "kiosk") return f.kiosk;
  if (role == "projector") return f.projector;
  if (role == "voting_tablet") return f.voting_tablet;
  return Reveal::full;
}

bool KindSpec::any_field_for(std::string_view role) const {
  for (const auto& f : fields)
    if (reveal_to(f, role) != Reveal::none) return true;
  return false;
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
