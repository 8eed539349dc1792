// The talent pool (issue 10, docs/talent.md): experts, trainees, residents'
// requests and their lifecycle, as plain read views built from the State.
//
// Contracts
// - A request's lifecycle state is never stored: it is the replay of the
//   request's `request_step` records in stamp order (the stamp of each step's
//   create operation). The set of steps is grow-only, so every device that
//   holds the same operations computes the same state, whatever order they
//   arrived in. A step that does not apply in the state it meets (e.g. a
//   reassignment made offline after the case was already resolved elsewhere)
//   stays in the history marked `applied = false` with the state it met.
// - Load (open cases) is derived from the requests in state assigned or
//   in_hand; it is never typed in.
// - Pure functions of the State and a clock passed in (community-local
//   minutes, civil_time.h); no I/O.
// - talent_view() is O(requests + steps + experts); screens may call it per
//   frame only through a cache keyed on State::applied_ops().
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/state.h"

namespace dh {

class RuleBook;
// Rules of request, request_step, trainee_case and expert.field_levels (rules.cpp calls this).
void register_talent_rules(RuleBook& book);

namespace talent {

// The fields experts work in; also the request categories (schema.cpp order).
const std::vector<std::string>& field_codes();
// Lifecycle states in order and the step verbs.
const std::vector<std::string>& state_codes();  // recorded triaged assigned in_hand resolved not_resolved rated closed
bool is_open_state(const std::string& state);   // recorded, triaged, assigned, in_hand
// Time limit from recording (or reopening) to an outcome, by urgency:
// 3 (urgent) 24 h, 2 (soon) 72 h, 1 (normal) 7 days.
int time_limit_minutes(int urgency);
// Steps that apply in a state, in the order a screen offers them.
std::vector<std::string> steps_allowed_in(const std::string& state);
// The state a step leads to from `state`; "" when it does not apply there.
std::string state_after(const std::string& state, const std::string& step);

struct StepView {
  std::string id, step, expert_id, trainee_id, comment, note, author;
  long long at_minute = 0;  // the time the person recorded for the step
  int rating = 0;
  bool applied = true;        // false: met a state where it does not apply (kept in history)
  std::string state_before, state_after;  // state_after == state_before when not applied
};

struct ExpertView {
  std::string id, name, grid_id, resident_id /* "" if not a resident */, household_id /* of that resident, "" */;
  std::vector<std::pair<std::string, int>> field_levels;  // (field code, level 1..3), every listed field
  std::vector<std::string> availability;                 // weekly slots "mon 09:00-12:00"
  int capacity = 0;                                      // max open cases (0 when not set: see docs/talent.md)
  int open_cases = 0;                                    // derived from open requests assigned to them
  bool available = true;                                 // not archived, not marked unavailable
  // Beyond the contract:
  std::string organisation;
  int handled_cases = 0;      // requests with an outcome they handled
  int level_in(const std::string& field) const;  // 0 when not their field
};

struct RequestView {
  std::string id, category, grid_id, state /* recorded|triaged|assigned|in_hand|resolved|not_resolved|rated|closed */;
  int urgency = 1;  // 1..3
  std::vector<std::string> party_resident_ids, party_household_ids;
  std::string assignee_expert_id;  // "" when none
  long long recorded_minute = 0;   // community-local minutes (civil_time.h)
  // Beyond the contract:
  std::string description, channel, trainee_id, contact_name;
  long long clock_start_minute = 0;  // recording, or the last applied reopen
  long long due_minute = 0;          // clock_start + time_limit(urgency)
  long long outcome_minute = 0;      // the applied resolve/not_resolve (0 while none)
  bool overdue = false;              // open and now past due
  bool late = false;                 // outcome recorded after due
  std::string outcome;               // "resolved" | "not_resolved" | "" (latest applied outcome)
  int rating = 0;                    // latest applied rating, 0 when none
  std::string rating_comment;
  std::vector<StepView> steps;       // stamp order, the request's history
  int superseded_steps = 0;          // steps kept in history that did not apply
};

struct TalentView {
  std::vector<ExpertView> experts;    // live experts, sorted by id
  std::vector<RequestView> requests;  // live requests, sorted by id
  // earlier cases: expert id -> resident ids they handled before
  std::map<std::string, std::set<std::string>> earlier_parties;
  const ExpertView* expert(const std::string& id) const;
  const RequestView* request(const std::string& id) const;
};

TalentView talent_view(const State& s, long long now_minute);
// One request's view (history included), without building the whole pool.
RequestView request_view(const State& s, const std::string& request_id, long long now_minute);
// 0 same grid, higher = farther: grids ordered by their code ("DC-01"...),
// distance = difference of positions; a missing or unknown grid counts 4.
int grid_distance(const State& s, const std::string& a, const std::string& b);

// Trainees and their case records.
struct TraineeCaseView {
  std::string id, request_id, role, what_they_did, mentor_remark, date;
};
struct TraineeView {
  std::string id, name, mentor_expert_id, background;
  std::vector<TraineeCaseView> cases;  // sorted by date then id
  int shadowed = 0, co_handled = 0;
};
std::vector<TraineeView> trainee_views(const State& s);

// Figures over the requests (definitions in docs/talent.md):
// resolution rate = resolved / (resolved + not_resolved) over requests whose
//   latest applied outcome is one of those (rated and closed keep theirs);
// satisfaction   = ratings of 4 or 5 / all ratings (latest rating per request);
// average time to resolve = mean of outcome - recorded over resolved requests.
struct MonthCount {
  std::string month;  // "YYYY-MM" of recorded_at
  std::map<std::string, int> by_category;
  int total = 0;
};
struct Figures {
  int requests = 0, open = 0, overdue = 0;
  int resolved = 0, not_resolved = 0, rated = 0, satisfied = 0;
  double resolution_rate = 0;  // 0..1, 0 when no outcome
  double satisfaction = 0;     // 0..1, 0 when no rating
  double average_rating = 0;
  double average_hours_to_resolve = 0;
  std::map<std::string, int> by_state, by_category;
  std::vector<MonthCount> by_month;  // ascending
  // expert id -> (open cases, capacity), experts with any open case
  std::vector<std::pair<std::string, std::pair<int, int>>> load;
};
Figures figures(const TalentView& v);

// Fields of a new request_step (for make_operation via the UI's commands).
Json step_fields(const std::string& request_id, const std::string& step, const std::string& at,
                 const std::string& expert_id = "", const std::string& trainee_id = "", int rating = 0,
                 const std::string& comment = "", const std::string& note = "");

}  // namespace talent
}  // namespace dh
