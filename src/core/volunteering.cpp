#include "core/volunteering.h"

#include <algorithm>
#include <cstdint>

#include "core/civil_time.h"
#include "core/rule_book.h"
#include "core/schema.h"

namespace dh {

namespace {

Error rule(const std::string& code, const std::string& message) { return make_error(code, message); }

std::string str(const Json& fields, const char* name) { return text_field(fields, name); }

bool truthy(const Json& fields, const char* name) {
  auto it = fields.find(name);
  return it != fields.end() && it->is_boolean() && it->get<bool>();
}

std::string describe_shift(const State& state, const Entity& shift) {
  const Entity* station = state.find("station", shift.text("station"));
  std::string where = station ? station->text("name") : shift.text("station");
  return shift.text("role") + " at " + where + ", " + shift.text("start").substr(0, 10) + " " +
         shift.text("start").substr(11) + "-" + shift.text("end").substr(11);
}

bool stamp_less(const Entity* a, const Entity* b) {
  const Stamp sa = place_stamp(*a), sb = place_stamp(*b);
  if (sa == sb) return a->id < b->id;
  return sa < sb;
}

Status check_shift(const Json& f) {
  auto start = parse_datetime(str(f, "start"));
  auto end = parse_datetime(str(f, "end"));
  if (!start || !end) return rule("bad_format", "A shift needs a start and an end written YYYY-MM-DDTHH:MM.");
  if (*end <= *start) return rule("end_before_start", "A shift must end after it starts.");
  if (*end - *start > 24 * 60) return rule("too_long", "A shift cannot be longer than 24 hours.");
  return ok_status();
}

// A new sign-up, or (moving != nullptr) the place a sign-up moves to: the
// moving sign-up itself neither counts as "already signed up" nor clashes.
Status check_signup_create(const State& state, const Json& f, const Entity* moving = nullptr) {
  const Entity* shift = state.find("shift", str(f, "shift"));
  const Entity* volunteer = state.find("volunteer", str(f, "volunteer"));
  if (!shift || !volunteer) return rule("not_found", "The shift or the volunteer does not exist.");
  Interval when;
  if (!shift_interval(*shift, &when)) return rule("bad_shift", "The shift's times cannot be read.");
  // The volunteer's sign-ups, from the state's index (not a scan of every
  // sign-up: a push of 2,000 sign-ups stays near-linear).
  std::vector<const Entity*> theirs = state.referring("signup", "volunteer", volunteer->id);
  theirs.erase(std::remove_if(theirs.begin(), theirs.end(), [](const Entity* s) { return s->archived(); }),
               theirs.end());
  // Already signed up?
  for (const Entity* s : theirs) {
    if (s == moving) continue;
    if (s->text("volunteer") == volunteer->id && s->text("shift") == shift->id)
      return rule("already_signed_up", "This volunteer is already signed up for this shift.");
  }
  // Age and guardian consent.
  const int64_t day = when.start >= 0 ? when.start / 1440 : 0;
  const int age = volunteer_age_on(state, *volunteer, day);
  const Json& min_age = shift->get("min_age");
  if (min_age.is_number_integer() && min_age.get<int>() > 0) {
    if (age < 0)
      return rule("age_unknown", "This shift has a minimum age of " + std::to_string(min_age.get<int>()) +
                                     "; record the volunteer's date of birth first.");
    if (age < min_age.get<int>())
      return rule("too_young", "This shift needs volunteers aged " + std::to_string(min_age.get<int>()) +
                                   " or over; this volunteer is " + std::to_string(age) + ".");
  }
  if (age >= 0 && age < 18 && !(volunteer->get("guardian_consent").is_boolean() && volunteer->get("guardian_consent").get<bool>()))
    return rule("guardian_consent_missing",
                "This volunteer is under 18: record a guardian's consent on the volunteer's record before signing up.");
  // Required skills.
  const Json& required = shift->get("required_skills");
  if (required.is_array()) {
    const Json& has = volunteer->get("skills");
    for (const auto& skill : required) {
      bool found = has.is_array() && std::find(has.begin(), has.end(), skill) != has.end();
      if (!found)
        return rule("missing_skill", "This shift needs the skill \"" + skill.get<std::string>() +
                                         "\", which the volunteer's record does not list.");
    }
  }
  // Clashes (half-open intervals: back-to-back is fine).
  if (truthy(f, "clash_override")) {
    if (str(f, "override_reason").empty())
      return rule("override_reason_missing", "Overriding a clash needs a reason, which is recorded.");
    return ok_status();
  }
  for (const Entity* s : theirs) {
    if (s == moving || s->text("volunteer") != volunteer->id) continue;
    const Entity* other = state.find("shift", s->text("shift"));
    Interval o;
    if (!other || other->archived() || !shift_interval(*other, &o)) continue;
    if (o.overlaps(when))
      return rule("clash", "This volunteer is already signed up for " + describe_shift(state, *other) +
                               ", which overlaps this shift.");
  }
  return ok_status();
}

// Attendance (docs/volunteering.md "Attendance rules"), the same on a create
// and an edit, given the sign-up's fields after the change, the fields the
// change writes and the shift: a check-in from kAttendanceEarlyMinutes before
// the shift's start until its end, a check-out after the check-in and at most
// kAttendanceLateMinutes after the end, never more than 24 hours apart, and
// excused/no-show only without a check-in. The server's QR windows (30
// minutes before the start; check-out until 2 hours after the end) lie
// inside these. A check-in already recorded is not judged again when only
// another field changes (a shift moved later keeps its history).
constexpr int64_t kAttendanceEarlyMinutes = 120;
constexpr int64_t kAttendanceLateMinutes = 240;

Status check_attendance(const State& state, const Json& f, const Json& changes) {
  const std::string in = str(f, "check_in"), out = str(f, "check_out"), att = str(f, "attendance");
  if (!out.empty() && in.empty()) return rule("check_out_without_check_in", "Check in before checking out.");
  if (!in.empty() && !out.empty() && *parse_datetime(out) <= *parse_datetime(in))
    return rule("check_out_before_check_in", "The check-out time must be after the check-in time.");
  if (!in.empty() && !out.empty() && *parse_datetime(out) - *parse_datetime(in) > 24 * 60)
    return rule("too_long", "A check-in and check-out more than 24 hours apart cannot be right.");
  if (!att.empty() && !in.empty())
    return rule("attendance_conflict", "Someone who checked in cannot also be marked excused or no-show; "
                                       "clear the check-in first.");
  const bool new_in = !in.empty() && changes.contains("check_in");
  const bool new_out = !out.empty() && changes.contains("check_out");
  if (!new_in && !new_out) return ok_status();
  const Entity* shift = state.find("shift", str(f, "shift"));
  Interval when;
  if (!shift || !shift_interval(*shift, &when)) return ok_status();  // the sign-up rules say what is wrong
  if (new_in && (*parse_datetime(in) < when.start - kAttendanceEarlyMinutes || *parse_datetime(in) >= when.end))
    return rule("check_in_outside_shift", "A check-in must be between " +
                                              format_datetime(when.start - kAttendanceEarlyMinutes) + " (2 hours "
                                              "before the shift starts) and the shift's end, " +
                                              format_datetime(when.end) + ".");
  if (new_out && *parse_datetime(out) > when.end + kAttendanceLateMinutes)
    return rule("check_out_too_late", "A check-out must be by " + format_datetime(when.end + kAttendanceLateMinutes) +
                                          " (4 hours after the shift ends); enter the time the volunteer left.");
  return ok_status();
}

Status check_signup_edit(const State& state, const Entity& existing, const Json& changes) {
  if (changes.contains("shift") || changes.contains("volunteer"))
    return rule("cannot_move",
                "A sign-up cannot be moved by editing: use \"move to another shift\" (signup.move).");
  if (changes.contains("channel") || changes.contains("seen_place") || changes.contains("clash_override") ||
      changes.contains("override_reason"))
    return rule("read_only_field", "How and when someone signed up is kept as it was recorded.");
  return check_attendance(state, merged_fields(&existing, changes), changes);
}

// signup.move: the same rules as signing up for the new shift (age, consent,
// skills, clash unless overridden with a reason), and only while nothing was
// recorded on the old one: attendance belongs to the shift it happened on.
Status check_signup_move(const State& state, const Entity& existing, const Json& changes) {
  const std::string to = str(changes, "shift");
  if (to == existing.text("shift"))
    return rule("same_shift", "The volunteer is already on this shift; pick another shift to move to.");
  if (!existing.text("check_in").empty() || !existing.text("attendance").empty())
    return rule("cannot_move_attended",
                "Attendance is already recorded for this sign-up (check-in, excused or no-show); it stays on its "
                "shift so the record stays true. Sign the volunteer up for the other shift instead.");
  Json f = changes;
  f["volunteer"] = existing.text("volunteer");
  return check_signup_create(state, f, &existing);
}

Status check_shift_template(const Json& f) {
  auto a = parse_time_of_day(str(f, "start_time"));
  auto b = parse_time_of_day(str(f, "end_time"));
  if (!a || !b || *b <= *a) return rule("end_before_start", "A shift template must end after it starts, on the same day.");
  const std::string from = str(f, "valid_from"), until = str(f, "valid_until");
  if (!from.empty() && !until.empty() && until < from)
    return rule("end_before_start", "The template's last day is before its first day.");
  return ok_status();
}

Status check_hours_adjustment(const Json& f) {
  if (f.contains("minutes") && f["minutes"].is_number_integer() && f["minutes"].get<long long>() == 0)
    return rule("zero_minutes", "An adjustment of zero minutes changes nothing.");
  return ok_status();
}

}  // namespace

void register_volunteering_rules(RuleBook& book) {
  book.add("shift", {"create", "edit"},
           [](const RuleInput& in) -> Status { return check_shift(merged_fields(in.existing, in.changes)); });
  book.add("shift", {"archive"}, [](const RuleInput& in) -> Status {
    if (in.op.payload.value("reason", "").empty())
      return rule("reason_missing", "Cancelling a shift needs a notice: say why, the people signed up will see it.");
    return ok_status();
  });
  book.add("shift_template", {"create", "edit"},
           [](const RuleInput& in) -> Status { return check_shift_template(merged_fields(in.existing, in.changes)); });
  book.add("signup", {"create"},
           [](const RuleInput& in) -> Status {
    if (Status st = check_signup_create(in.state, merged_fields(nullptr, in.changes)); !st) return st;
    return check_attendance(in.state, in.changes, in.changes);  // attendance rules bind creates too
  });
  // Cancelling (archiving) a sign-up someone checked in to would take the
  // check-in off the roster and the hours with it: refused for every device.
  // A coordinator who checked the wrong person in clears the check-in first
  // (an edit, kept in the log), then may cancel (docs/volunteering.md).
  book.add("signup", {"archive"}, [](const RuleInput& in) -> Status {
    if (in.existing && !in.existing->text("check_in").empty())
      return rule("cancel_after_check_in",
                  "This volunteer is checked in to this shift; a checked-in sign-up cannot be cancelled. A "
                  "coordinator who recorded the check-in by mistake clears it first.");
    return ok_status();
  });
  book.add("signup", {"edit"}, [](const RuleInput& in) -> Status {
    return in.existing ? check_signup_edit(in.state, *in.existing, in.changes) : ok_status();
  });
  // signup.move writes shift, seen_place, clash_override and override_reason
  // of the sign-up; the fold treats it as an edit of those fields (state.cpp).
  EditLikeVerb move;
  move.writable = {"shift", "seen_place", "clash_override", "override_reason"};
  move.required = {"shift", "seen_place"};
  move.malformed = "A move operation carries exactly \"entity\" and \"fields\".";
  move.not_writable = "A move changes only the shift (and how the place was seen and any clash override), not";
  move.missing = "A move names the shift and how this device saw the place there.";
  move.archived = "This sign-up was cancelled; it cannot be moved.";
  book.add_edit_like_verb("signup", "move", std::move(move));
  book.add("signup", {"move"}, [](const RuleInput& in) -> Status {
    return in.existing ? check_signup_move(in.state, *in.existing, in.changes) : ok_status();
  });
  book.add("hours_adjustment", {"create", "edit"},
           [](const RuleInput& in) -> Status { return check_hours_adjustment(merged_fields(in.existing, in.changes)); });
}

const char* attendance_key(Attendance a) {
  switch (a) {
    case Attendance::not_checked_in: return "not_checked_in";
    case Attendance::checked_in: return "checked_in";
    case Attendance::attended: return "attended";
    case Attendance::excused: return "excused";
    case Attendance::no_show: return "no_show";
  }
  return "not_checked_in";
}

Attendance attendance_of(const Entity& signup) {
  const std::string& att = signup.text_ref("attendance");
  if (att == "excused") return Attendance::excused;
  if (att == "no_show") return Attendance::no_show;
  if (!signup.text_ref("check_in").empty()) {
    return signup.text_ref("check_out").empty() ? Attendance::checked_in : Attendance::attended;
  }
  return Attendance::not_checked_in;
}

Json signup_fields(const VolunteerIndex& index, const std::string& shift_id, const std::string& volunteer_id,
                   const std::string& channel) {
  const Roster r = index.roster(shift_id);
  return Json{{"shift", shift_id},
              {"volunteer", volunteer_id},
              {"channel", channel},
              {"seen_place", r.open_places() > 0 ? "confirmed" : "waitlist"}};
}

MoveSignup move_signup(const VolunteerIndex& index, const std::string& signup_id, const std::string& to_shift,
                       const std::string& override_reason) {
  const Roster r = index.roster(to_shift);
  MoveSignup m;
  m.id = signup_id;
  m.fields = Json{{"shift", to_shift},
                  {"seen_place", r.open_places() > 0 ? "confirmed" : "waitlist"},
                  {"clash_override", !override_reason.empty()},
                  {"override_reason", override_reason.empty() ? Json() : Json(override_reason)}};
  return m;
}

Stamp place_stamp(const Entity& signup) {
  auto it = signup.fields.find("shift");
  return it == signup.fields.end() ? signup.created_stamp() : it->second.stamp();
}

bool shift_interval(const Entity& shift, Interval* out) {
  auto a = parse_datetime(shift.text("start"));
  auto b = parse_datetime(shift.text("end"));
  if (!a || !b || *b <= *a) return false;
  *out = Interval{*a, *b};
  return true;
}

int volunteer_age_on(const State& state, const Entity& volunteer, int64_t day) {
  const Entity* resident = state.find("resident", volunteer.text("resident"));
  if (!resident) return -1;
  auto birth = parse_date(resident->text("birth_date"));
  if (!birth) return -1;
  return age_on(*birth, day);
}

bool Roster::overfilled_by_merge() const {
  for (const auto& e : waitlist) {
    if (e.bumped_by_merge) return true;
  }
  return false;
}

VolunteerIndex::VolunteerIndex(const State& state) : VolunteerIndex(state, Deferred{}) {
  while (!build_unit(SIZE_MAX)) {
  }
}

VolunteerIndex::VolunteerIndex(const State& state, Deferred) : state_(state), build_(Build::list) {}

bool VolunteerIndex::build_unit(size_t signups) {
  switch (build_) {
    case Build::list:
      pending_ = state_.list("signup");
      build_ = Build::index;
      return false;
    case Build::index:
      for (const size_t end = next_ + std::min(signups, pending_.size() - next_); next_ < end; ++next_) {
        const Entity* s = pending_[next_];
        by_shift_[s->text("shift")].push_back(s);
        by_volunteer_[s->text("volunteer")].push_back(s);
      }
      if (next_ == pending_.size()) build_ = Build::sort;
      return false;
    case Build::sort:
      for (auto& [k, v] : by_shift_) std::sort(v.begin(), v.end(), stamp_less);
      for (auto& [k, v] : by_volunteer_) std::sort(v.begin(), v.end(), stamp_less);
      pending_ = {};
      build_ = Build::done;
      return true;
    case Build::done:
      return true;
  }
  return true;
}

Roster VolunteerIndex::roster(const std::string& shift_id) const {
  Roster r;
  r.shift = state_.find("shift", shift_id);
  if (!r.shift) return r;
  shift_interval(*r.shift, &r.when);
  const Json& cap = r.shift->get("capacity");
  r.capacity = cap.is_number_integer() ? cap.get<int>() : 0;
  auto it = by_shift_.find(shift_id);
  if (it == by_shift_.end()) return r;
  for (const Entity* s : it->second) {
    RosterEntry e{s, false};
    if (static_cast<int>(r.confirmed.size()) < r.capacity) {
      r.confirmed.push_back(e);
    } else {
      e.bumped_by_merge = s->text("seen_place") == "confirmed";
      r.waitlist.push_back(e);
    }
  }
  return r;
}

std::vector<const Entity*> VolunteerIndex::signups_of(const std::string& volunteer_id) const {
  auto it = by_volunteer_.find(volunteer_id);
  return it == by_volunteer_.end() ? std::vector<const Entity*>() : it->second;
}

std::vector<const Entity*> VolunteerIndex::shifts_overfilled_by_merge() const {
  std::vector<const Entity*> out;
  for (const auto& [shift_id, signups] : by_shift_) {
    const Entity* shift = state_.find("shift", shift_id);
    if (!shift || shift->archived()) continue;
    if (roster(shift_id).overfilled_by_merge()) out.push_back(shift);
  }
  std::sort(out.begin(), out.end(), [](const Entity* a, const Entity* b) { return a->id < b->id; });
  return out;
}

std::vector<const Entity*> VolunteerIndex::clashes(const std::string& volunteer_id, const Interval& when,
                                                   const std::string& except_shift) const {
  std::vector<const Entity*> out;
  for (const Entity* s : signups_of(volunteer_id)) {
    if (s->text("shift") == except_shift) continue;
    const Entity* shift = state_.find("shift", s->text("shift"));
    Interval o;
    if (shift && !shift->archived() && shift_interval(*shift, &o) && o.overlaps(when)) out.push_back(shift);
  }
  return out;
}

void for_each_hours_fact(const State& state, const std::function<void(const HoursFact&)>& fn) {
  for (const Entity* s : state.list("signup")) {
    if (attendance_of(*s) != Attendance::attended) continue;
    auto in = parse_datetime(s->text_ref("check_in"));
    auto out = parse_datetime(s->text_ref("check_out"));
    if (!in || !out) continue;
    fn(HoursFact{*s, s->text_ref("volunteer"), *in / 1440, *out - *in, true});
  }
  for (const Entity* a : state.list("hours_adjustment")) {
    auto day = parse_date(a->text_ref("date"));
    if (!day) continue;
    const Json& m = a->get("minutes");
    fn(HoursFact{*a, a->text_ref("volunteer"), *day, m.is_number_integer() ? m.get<int64_t>() : 0, false});
  }
}

std::vector<LedgerLine> hours_ledger(const State& state, int64_t from_day, int64_t to_day) {
  std::vector<LedgerLine> out;
  for_each_hours_fact(state, [&](const HoursFact& f) {
    if (f.day < from_day || f.day >= to_day) return;
    const Entity& r = f.record;
    LedgerLine l;
    l.volunteer = f.volunteer;
    l.minutes = f.minutes;
    l.verified = f.verified;
    l.source = r.id;
    if (f.verified) {
      l.date = format_date(f.day);
      const Entity* shift = state.find("shift", r.text("shift"));
      l.station = shift ? shift->text("station") : "";
      auto co = r.fields.find("check_out");
      l.author = co != r.fields.end() && co->second.author() ? *co->second.author() : r.created_by();
    } else {
      l.date = r.text("date");
      l.station = r.text("station");
      l.author = r.created_by();
      l.reason = r.text("reason");
    }
    out.push_back(std::move(l));
  });
  std::sort(out.begin(), out.end(), [](const LedgerLine& a, const LedgerLine& b) {
    return std::tie(a.date, a.volunteer, a.source) < std::tie(b.date, b.volunteer, b.source);
  });
  return out;
}

namespace {
void add(HoursTotals& t, const LedgerLine& l) {
  (l.verified ? t.verified_minutes : t.manual_minutes) += l.minutes;
}
}  // namespace

std::map<std::string, HoursTotals> hours_by_volunteer(const State&, const std::vector<LedgerLine>& ledger) {
  std::map<std::string, HoursTotals> out;
  for (const auto& l : ledger) add(out[l.volunteer], l);
  return out;
}

std::map<std::string, HoursTotals> hours_by_household(const State& state, const std::vector<LedgerLine>& ledger) {
  std::map<std::string, HoursTotals> out;
  for (const auto& l : ledger) {
    const Entity* v = state.find("volunteer", l.volunteer);
    const Entity* r = v ? state.find("resident", v->text("resident")) : nullptr;
    if (r) add(out[r->text("household")], l);
  }
  return out;
}

std::map<std::string, HoursTotals> hours_by_squad(const State& state, const std::vector<LedgerLine>& ledger) {
  std::map<std::string, HoursTotals> out;
  for (const auto& l : ledger) {
    const Entity* v = state.find("volunteer", l.volunteer);
    add(out[v ? v->text("squad") : ""], l);
  }
  return out;
}

std::map<std::string, HoursTotals> hours_by_station(const std::vector<LedgerLine>& ledger) {
  std::map<std::string, HoursTotals> out;
  for (const auto& l : ledger) add(out[l.station], l);
  return out;
}

std::map<std::string, HoursTotals> hours_by_month(const std::vector<LedgerLine>& ledger) {
  std::map<std::string, HoursTotals> out;
  for (const auto& l : ledger) add(out[l.date.substr(0, 7)], l);
  return out;
}

double household_participation(const State& state) {
  const size_t households = state.count("household");
  if (households == 0) return 0.0;
  std::unordered_map<std::string, bool> taking_part;
  for (const Entity* v : state.list("volunteer")) {
    const Entity* r = state.find("resident", v->text("resident"));
    if (r && !r->archived()) {
      const Entity* h = state.find("household", r->text("household"));
      if (h && !h->archived()) taking_part[h->id] = true;
    }
  }
  return static_cast<double>(taking_part.size()) / static_cast<double>(households);
}

std::vector<Json> shifts_from_template(const State& state, const Entity& t, int64_t from_day, int64_t to_day) {
  std::vector<Json> out;
  auto a = parse_time_of_day(t.text("start_time"));
  auto b = parse_time_of_day(t.text("end_time"));
  if (!a || !b) return out;
  int weekday = -1;
  for (int i = 0; i < 7; ++i) {
    if (t.text("weekday") == kWeekdayKeys[i]) weekday = i;
  }
  if (weekday < 0) return out;
  if (auto f = parse_date(t.text("valid_from"))) from_day = std::max(from_day, *f);
  if (auto u = parse_date(t.text("valid_until"))) to_day = std::min(to_day, *u + 1);
  std::unordered_map<std::string, bool> existing;
  for (const Entity* s : state.list("shift")) {
    if (s->text("template") == t.id) existing[s->text("start")] = true;
  }
  for (int64_t day = from_day; day < to_day; ++day) {
    if (weekday_of_days(day) != weekday) continue;
    const std::string start = format_datetime(day * 1440 + *a);
    if (existing.count(start)) continue;
    Json f{{"station", t.text("station")}, {"role", t.text("role")},     {"start", start},
           {"end", format_datetime(day * 1440 + *b)}, {"capacity", t.get("capacity")}, {"template", t.id}};
    if (!t.get("required_skills").is_null()) f["required_skills"] = t.get("required_skills");
    if (!t.get("min_age").is_null()) f["min_age"] = t.get("min_age");
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace dh
