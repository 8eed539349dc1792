// Reports over volunteering (docs/exports.md): hours by volunteer, squad,
// station and month; coverage of shifts; no-show rates; household
// participation. Pure functions of the State (and of "now" where the past
// matters), deterministic, no I/O. exchange.h turns them into CSV.
//
// Hours keep verified minutes (check-in to check-out) apart from minutes a
// coordinator added by hand (volunteering.h hours_ledger). A shift across
// midnight counts on the day (and month) its check-in falls on.
//
// No-show rates: among CONFIRMED sign-ups of live shifts that have ended by
// `now`, no_show / (attended + checked_in + excused + no_show). Sign-ups with no
// outcome recorded are counted in their own column (not_checked_in) and are
// never read as a no-show.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/state.h"
#include "core/volunteering.h"

namespace dh {

enum class HoursGrouping { volunteer, squad, station, month };
// "volunteer", "squad", "station", "month"; parse returns false if unknown.
const char* hours_grouping_key(HoursGrouping g);
bool parse_hours_grouping(const std::string& key, HoursGrouping* out);

struct HoursRow {
  std::string key;    // volunteer/squad/station id or "YYYY-MM"; "" = none (no squad, no station)
  std::string label;  // the name shown (resident's name, squad or station name, the month)
  HoursTotals totals;
};
// Rows sorted by key, over the ledger lines in [from_day, to_day).
std::vector<HoursRow> hours_report(const State& state, HoursGrouping by, int64_t from_day = INT64_MIN,
                                   int64_t to_day = INT64_MAX);

struct CoverageRow {
  std::string shift_id, station_id, station_name, role, start, end;
  int places = 0, filled = 0, open = 0;  // filled = confirmed sign-ups (capped by places)
  int waitlist = 0;
  double share() const { return places > 0 ? static_cast<double>(filled) / places : 0.0; }
};
struct Coverage {
  std::vector<CoverageRow> shifts;  // live shifts starting in [from_day, to_day), by start then id
  int places = 0, filled = 0, open = 0;
  double share() const { return places > 0 ? static_cast<double>(filled) / places : 0.0; }
};
Coverage coverage_report(const State& state, int64_t from_day, int64_t to_day);

enum class NoShowGrouping { volunteer, station };
struct NoShowRow {
  std::string key, label;
  int attended = 0;        // checked in and out
  int checked_in = 0;      // checked in, never checked out (present)
  int excused = 0;
  int no_show = 0;         // set by a coordinator, never inferred
  int not_checked_in = 0;  // no outcome recorded: its own column
  int with_outcome() const { return attended + checked_in + excused + no_show; }
  double rate() const { return with_outcome() > 0 ? static_cast<double>(no_show) / with_outcome() : 0.0; }
};
// now_minutes: local minutes since epoch (civil_time.h); shifts ending after it are not counted.
std::vector<NoShowRow> no_show_report(const State& state, NoShowGrouping by, int64_t now_minutes);

struct Participation {
  size_t households = 0;   // live households
  size_t taking_part = 0;  // with at least one live volunteer among their live residents
  double share() const { return households > 0 ? static_cast<double>(taking_part) / households : 0.0; }
};
Participation participation_report(const State& state);

// Display names used by reports and exports ("" when unknown).
std::string volunteer_name(const State& state, const std::string& volunteer_id);
std::string station_name(const State& state, const std::string& station_id);

}  // namespace dh

namespace dh {

// The home page's figures (issue 12, docs/demo.md "The home page"), computed
// from the records as of `today` (a day number, civil_time.h). Definitions:
// - households taking part: live households with a live resident who is a
//   volunteer with hours (checked in and out, or added by a coordinator) in
//   the calendar year up to and including today;
// - volunteer hours this year: every ledger minute (verified + added) of the
//   calendar year up to and including today;
// - active volunteers: volunteers with hours in the 90 days ending today;
// - sign-ups this month: live sign-ups on live shifts starting this month;
// - coverage: filled places / places of live shifts starting this month, per
//   station (hall and stations), filled = confirmed sign-ups.
// Trends: the same figures for each of the 12 calendar months ending with
// today's month (oldest first): households and volunteers with hours in that
// month (active: the 90 days ending that month's last day, or today), hours
// in that month, sign-ups and coverage of shifts starting in that month.
struct StationCoverage {
  std::string station_id, name;
  int places = 0, filled = 0;
};
struct MonthFigures {
  std::string month;  // "YYYY-MM"
  int64_t households = 0, minutes = 0, active_volunteers = 0, signups = 0;
  int places = 0, filled = 0;
};
struct HomeFigures {
  int64_t today = 0;
  int year = 0;
  std::string month;  // today's "YYYY-MM"
  int64_t households = 0, households_taking_part = 0;
  int64_t minutes_this_year = 0, verified_minutes_this_year = 0;
  int64_t volunteers = 0, active_volunteers = 0;
  int64_t signups_this_month = 0;
  std::vector<StationCoverage> stations;  // by station id
  int places = 0, filled = 0;             // this month, all stations
  std::vector<MonthFigures> months;       // 12, oldest first
};
HomeFigures home_figures(const State& state, int64_t today);

}  // namespace dh
