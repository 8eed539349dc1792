// Auto-scheduling: fill the open places of shifts in a date range from the
// available volunteers (docs/auto-scheduling.md).
//
// Three steps, none of which changes the State:
//   1. build a SchedulingProblem from the State (problem_from_state) or from
//      the JSON file format (problem_from_json, for the CLI);
//   2. solve it (auto_schedule): hard rules are never broken, one explicit
//      objective (fairness first, then preference, continuity, nearness) is
//      minimised by a constructive pass and a local search with a fixed,
//      deterministic budget;
//   3. the coordinator reviews the Proposal; proposal_commands() turns an
//      accepted one into sign-up commands (channel "auto_schedule").
//
// Deterministic: the same problem and options give the same proposal on every
// platform (integer objective, no randomness, every order a sorted one).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/long_job.h"
#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"
#include "core/volunteering.h"

namespace dh {

struct SchedulerOptions {
  // Hard rules.
  int min_rest_minutes = 60;           // between the end of one shift and the start of the next, same person
  int default_max_weekly_hours = 8;    // when a volunteer's record has no max_weekly_hours
  bool available_without_slots = false;  // a volunteer with no availability recorded is never auto-scheduled
  // Objective weights (points; see docs/auto-scheduling.md). Fairness: w_fairness * minutes^2 / 60 per
  // volunteer; preference and nearness: points per minute worked at the preferred station / home grid;
  // continuity: points per distinct station in a volunteer's schedule; unfilled: points per open place left.
  int w_fairness = 1;
  int w_preference = 1;
  int w_nearness = 1;
  int w_continuity = 60;
  int64_t w_unfilled = 10000000;
  // Local search budget: candidate evaluations (a deterministic count, not a time).
  int64_t search_budget = 3000000;
  // Shifts in each set of the large-neighbourhood move (solve_set over a set
  // of shifts linked by the volunteers who could move between them); 0 turns
  // that move off (the clique and swap moves remain).
  int lns_set_size = 12;
};

struct SchedVolunteer {
  std::string id;
  std::string name;                    // for the reasons; may be empty
  std::vector<std::string> skills;
  std::vector<WeeklySlot> availability;
  std::vector<int64_t> unavailable_days;  // days since epoch
  std::string preferred_station;
  int max_weekly_hours = 0;            // 0: the default option
  std::string home_grid;
  int64_t birth_day = INT64_MIN;       // days since epoch; INT64_MIN unknown
  bool guardian_consent = false;
};

// A sign-up the volunteer already has (any shift, in or near the range).
struct ExistingSignup {
  std::string volunteer;
  std::string shift;
  std::string station;
  Interval when;
  bool confirmed = true;  // confirmed places count toward hours; waitlisted ones only block overlap
};

struct SchedShift {
  std::string id;
  std::string station;
  std::string station_grid;
  std::string role;
  Interval when;
  int open_places = 0;                 // capacity minus confirmed sign-ups
  std::vector<std::string> required_skills;
  int min_age = 0;
};

struct SchedulingProblem {
  int64_t from_day = 0, to_day = 0;    // [from_day, to_day): fairness counts hours of shifts starting here
  std::vector<SchedVolunteer> volunteers;  // sorted by id
  std::vector<SchedShift> shifts;          // sorted by start, then id
  std::vector<ExistingSignup> existing;    // sorted by volunteer, start, shift
};

// Live shifts starting in [from_day, to_day) with open places, every live
// volunteer, and their live sign-ups on live shifts.
SchedulingProblem problem_from_state(const State& state, int64_t from_day, int64_t to_day);
// The JSON file format of docs/auto-scheduling.md. Errors name the bad entry.
Result<SchedulingProblem> problem_from_json(const Json& j);
Json problem_to_json(const SchedulingProblem& p);
// The optional "options" object of the file format, over `base`.
Result<SchedulerOptions> options_from_json(const Json& j, SchedulerOptions base = {});

// A reason the auto-scheduler gives, as a code with named parameters (no
// words: the UI's string tables say it, "sched.why.<code>",
// "sched.unfilled.<code>", "sched.rule.<code>"; the CLI says it in English
// through the same tables). Parameter values are plain: whole numbers as
// digits, hours as "2.5", skills as their schema codes joined by ",".
struct SchedReason {
  std::string code;
  std::vector<std::pair<std::string, std::string>> params;  // name -> value, in a fixed order per code
  // The value of a parameter; empty when absent.
  std::string param(const std::string& name) const;
  bool operator==(const SchedReason& o) const { return code == o.code && params == o.params; }
};

// Every code an Assignment's why can have: "fairness_alone" {hours},
// "fairness_others" {hours, others, low, high}, "fairness_others_fewer"
// {hours, others, low, high, fewer}, "preference", "continuity" {count},
// "nearness".
const std::vector<std::string>& scheduler_why_codes();
// Every code of UnfilledPlace::reason: "no_skill" {skills},
// "skilled_not_free" {skills, qualified}, "not_free" {volunteers}.
const std::vector<std::string>& scheduler_unfilled_codes();
// Every rule code (UnfilledPlace::rule_counts, reason_rules), in check order.
const std::vector<std::string>& scheduler_rule_codes();

struct Assignment {
  std::string shift;
  std::string volunteer;
  std::vector<SchedReason> why;  // the objective terms that made this the choice
};

struct UnfilledPlace {
  std::string shift;
  int places = 0;
  SchedReason reason;
  // The rules the reason goes on to list (who has the skills but is not
  // free, and why), most volunteers first; empty for "no_skill".
  std::vector<std::pair<std::string, int>> reason_rules;
  std::vector<std::pair<std::string, int>> rule_counts;  // rule code -> volunteers it excluded (sorted by code)
};

struct SpreadStats {
  int volunteers = 0;
  double mean_hours = 0, std_dev_hours = 0, max_hours = 0, min_hours = 0;
};

struct ProposalSummary {
  int open_places = 0;
  int filled = 0;
  SpreadStats spread_served;  // over volunteers with any hours in the range (existing or proposed)
  SpreadStats spread_all;     // over every volunteer in the problem
  double objective = 0;       // points (lower is better)
  int64_t constructive_objective60 = 0;
  int64_t objective60 = 0;    // objective * 60, exact
  int64_t evaluations = 0;    // local search evaluations used
  int64_t improvements = 0;
};

struct Proposal {
  std::vector<Assignment> assignments;  // sorted by shift start, shift id, volunteer id
  std::vector<UnfilledPlace> unfilled;  // sorted like the shifts
  ProposalSummary summary;
};

Proposal auto_schedule(const SchedulingProblem& problem, const SchedulerOptions& options = {});

// The same solve as a LongJob (core/long_job.h), for the app, where it must
// not hold a frame: units are a chunk of the problem built from the State, the
// setup of one shift's static eligibility, one shift of the constructive pass,
// and one shift of a move or swap sweep of the local search. The proposal is
// identical to auto_schedule's on the same problem (which runs this job to
// its end).
class AutoScheduleJob : public LongJob {
 public:
  explicit AutoScheduleJob(SchedulingProblem problem, SchedulerOptions options = {});
  // Builds the problem from `state` (problem_from_state) in its first units.
  // The State must outlive the job; the app's State changes only between
  // frames, and if it changed between two of these units the build starts
  // again on the new State (state_version() says which one was used).
  AutoScheduleJob(const State& state, int64_t from_day, int64_t to_day, SchedulerOptions options = {});
  ~AutoScheduleJob() override;
  AutoScheduleJob(const AutoScheduleJob&) = delete;
  AutoScheduleJob& operator=(const AutoScheduleJob&) = delete;
  bool step(const std::function<bool()>& should_stop) override;
  double progress() const override;
  bool done() const;
  // The proposal, once done() (empty before).
  const Proposal& proposal() const;
  // State::applied_ops() of the State the problem was built from (0 when the
  // job was given a problem). A proposal applies only to that State.
  uint64_t state_version() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The objective (times 60, exact) of any assignment list on this problem, and
// whether it keeps every hard rule (violations listed in plain words). Used by
// the tests and by the benchmark to score an exact solver's answer.
struct Evaluation {
  int64_t objective60 = 0;
  std::vector<std::string> violations;
};
Evaluation evaluate_assignments(const SchedulingProblem& problem, const std::vector<std::pair<std::string, std::string>>& shift_volunteer,
                                const SchedulerOptions& options = {});

// The day (days since 1970-01-01, floored) a minute falls on, and the day of
// the Monday of its week: how the scheduler dates a shift by its start for
// away days and weekly caps (Monday to Sunday). For solvers in the benchmark
// that must count the same way.
int64_t schedule_day_of(int64_t minute);
int64_t schedule_week_of(int64_t minute);

// For each shift (problem order), the indexes of the volunteers who pass every
// rule that does not depend on other proposed shifts (skills, age, consent,
// availability, unavailable dates, existing sign-ups with rest). For exact
// solvers in the benchmark.
std::vector<std::vector<int>> eligible_volunteers(const SchedulingProblem& problem, const SchedulerOptions& options = {});

// Words for a reason (rules: the listed rules of an unfilled place's reason,
// nullptr for a why). The core has none; the CLI passes the English table's.
using ReasonText =
    std::function<std::string(const SchedReason& reason, const std::vector<std::pair<std::string, int>>* rules)>;
// The proposal as JSON (docs/auto-scheduling.md). Each reason is
// {"code", "params"} (an unfilled one also "rules": [{"code", "count"}]),
// with "text" when `text` is given.
Json proposal_to_json(const Proposal& p, const ReasonText& text = nullptr);

// CreateEntity sign-up commands for the accepted proposal (channel
// "auto_schedule"), in the proposal's order. The app commits them with
// make_operation; each one is checked again then.
std::vector<Command> proposal_commands(const State& state, const Proposal& proposal);

}  // namespace dh
