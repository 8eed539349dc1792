// Volunteering: what follows from shifts, sign-ups, attendance and hour
// adjustments in the State (docs/volunteering.md).
//
// Sign-ups are entities of kind "signup"; cancelling is archiving. Who holds a
// place is DERIVED, never stored: a shift's live sign-ups sorted by their
// place stamp (the stamp of the operation that last wrote the sign-up's
// "shift": its create, or a later "signup.move"; hlc, device, seq: the same on
// every device) fill its capacity in that order, the rest form the waitlist
// in that order. So
// when sign-ups made on several offline devices meet, every device computes
// the same confirmed list and waitlist, a cancelled place goes to the first on
// the waitlist, and nothing is lost. A sign-up that its device showed as
// confirmed (seen_place) but that the merge put on the waitlist is "bumped";
// coordinators see the shifts with bumped sign-ups.
//
// Moving a sign-up to another shift is ONE operation, "signup.move", that
// rewrites the sign-up's shift (docs/volunteering.md):
// it leaves the old shift (whose first waitlisted person moves up) and queues
// on the new one at the move's stamp, confirmed or waitlisted as capacity
// says. Being one operation, no device ever sees half a move; two coordinators
// moving the same person offline converge on the later move.
//
// Attendance keeps four states apart: attended (checked in), excused,
// no-show (both set by a coordinator) and not checked in. A missing check-in
// is never read as a no-show.
//
// Hours: verified minutes come from check-in to check-out; manual minutes
// come from hours_adjustment records, each with its author and reason. They
// are reported apart.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/commands.h"
#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"

namespace dh {

class RuleBook;
// Adds the volunteering rules beyond field shapes (shift times, cancellation
// notice, template times, clash, age, guardian consent, skills, check-in
// order, no cancel after check-in: "cancel_after_check_in", zero adjustments) and the "signup.move" verb to the rule book
// (rule_book.h; called once, from rules.cpp).
void register_volunteering_rules(RuleBook& book);

struct Interval {
  int64_t start = 0;  // local minutes since epoch, inclusive
  int64_t end = 0;    // exclusive
  bool overlaps(const Interval& o) const { return start < o.end && o.start < end; }
  int64_t minutes() const { return end - start; }
};

enum class Attendance { not_checked_in, checked_in, attended, excused, no_show };
const char* attendance_key(Attendance a);  // "not_checked_in", ...
Attendance attendance_of(const Entity& signup);

struct RosterEntry {
  const Entity* signup = nullptr;
  bool bumped_by_merge = false;  // device showed "confirmed", merge put it on the waitlist
};

struct Roster {
  const Entity* shift = nullptr;
  Interval when;
  int capacity = 0;
  std::vector<RosterEntry> confirmed;
  std::vector<RosterEntry> waitlist;
  int open_places() const { return capacity - static_cast<int>(confirmed.size()); }
  bool overfilled_by_merge() const;
};

// One pass over the State that indexes sign-ups by shift and by volunteer.
// Cheap to query afterwards; rebuild when the State changes (compare
// State::applied_ops()).
class VolunteerIndex {
 public:
  explicit VolunteerIndex(const State& state);
  // The same index built over several calls, for long work that must not
  // hold a frame: construct it deferred, then call build_unit() until it
  // returns true (each call indexes at most `signups` sign-ups; the first
  // lists them). Not to be queried before; the State must not change between
  // the calls.
  struct Deferred {};
  VolunteerIndex(const State& state, Deferred);
  bool build_unit(size_t signups = 1024);

  const State& state() const { return state_; }
  Roster roster(const std::string& shift_id) const;
  // Live sign-ups of a volunteer (any shift), in stamp order.
  std::vector<const Entity*> signups_of(const std::string& volunteer_id) const;
  // Shifts (live) whose roster has a bumped sign-up.
  std::vector<const Entity*> shifts_overfilled_by_merge() const;
  // The volunteer's confirmed or waitlisted shifts overlapping `when`, except `except_shift`.
  std::vector<const Entity*> clashes(const std::string& volunteer_id, const Interval& when,
                                     const std::string& except_shift = "") const;

 private:
  const State& state_;
  std::unordered_map<std::string, std::vector<const Entity*>> by_shift_;
  std::unordered_map<std::string, std::vector<const Entity*>> by_volunteer_;
  // While a deferred build runs: the sign-ups to index, from next_ on.
  std::vector<const Entity*> pending_;
  size_t next_ = 0;
  enum class Build { list, index, sort, done } build_ = Build::done;
};

// Fields of a new sign-up as this device sees it: seen_place records whether
// the device showed it as confirmed or waitlisted, so a later merge can tell
// who was bumped. channel: "kiosk", "coordinator" or "auto_schedule".
Json signup_fields(const VolunteerIndex& index, const std::string& shift_id, const std::string& volunteer_id,
                   const std::string& channel);

// The command that moves a sign-up to another shift, with the fields as this
// device sees the target (seen_place). A non-empty override_reason records a
// clash override (the rule book still refuses a clash without one).
MoveSignup move_signup(const VolunteerIndex& index, const std::string& signup_id, const std::string& to_shift,
                       const std::string& override_reason = "");

// Where a sign-up queues on its shift: the stamp of the operation that last
// wrote its "shift" (its create or a move).
Stamp place_stamp(const Entity& signup);

// Interval of a shift entity (false if malformed).
bool shift_interval(const Entity& shift, Interval* out);
// Age in whole years of the volunteer's resident on a day; -1 when unknown.
int volunteer_age_on(const State& state, const Entity& volunteer, int64_t day);

struct LedgerLine {
  std::string volunteer;
  std::string date;       // YYYY-MM-DD of the shift start or adjustment
  int64_t minutes = 0;
  bool verified = false;  // from check-in/out (true) or added by hand (false)
  std::string source;     // signup or hours_adjustment id
  std::string station;
  std::string author;     // who recorded (certifies) it
  std::string reason;     // hand additions: why
};

struct HoursTotals {
  int64_t verified_minutes = 0;
  int64_t manual_minutes = 0;
  int64_t total() const { return verified_minutes + manual_minutes; }
};

// The hour lines' facts read in place, for figures over the whole State
// that need no LedgerLine copies: each attended sign-up (day of its
// check-in, check-out minus check-in; `record` the sign-up, `verified`) and
// each hours_adjustment with a readable date (its day and minutes, 0 unless
// a whole number). Every line, in the State's list order; hours_ledger is
// these, filtered by day and sorted. The references live as long as the State.
struct HoursFact {
  const Entity& record;
  const std::string& volunteer;
  int64_t day;
  int64_t minutes;
  bool verified;
};
void for_each_hours_fact(const State& state, const std::function<void(const HoursFact&)>& fn);

// Every hour line in the State, optionally only within [from_day, to_day).
std::vector<LedgerLine> hours_ledger(const State& state, int64_t from_day = INT64_MIN, int64_t to_day = INT64_MAX);
// Totals keyed by volunteer id / household id / squad id / station id / "YYYY-MM".
std::map<std::string, HoursTotals> hours_by_volunteer(const State& state, const std::vector<LedgerLine>& ledger);
std::map<std::string, HoursTotals> hours_by_household(const State& state, const std::vector<LedgerLine>& ledger);
std::map<std::string, HoursTotals> hours_by_squad(const State& state, const std::vector<LedgerLine>& ledger);
std::map<std::string, HoursTotals> hours_by_station(const std::vector<LedgerLine>& ledger);
std::map<std::string, HoursTotals> hours_by_month(const std::vector<LedgerLine>& ledger);

// Share of live households with at least one live volunteer.
double household_participation(const State& state);

// Shifts generated from a template for days in [from_day, to_day): the
// CreateEntity fields of each (the caller commits them). Skips days that
// already have a live shift from this template at the same start.
std::vector<Json> shifts_from_template(const State& state, const Entity& shift_template, int64_t from_day,
                                       int64_t to_day);

}  // namespace dh
