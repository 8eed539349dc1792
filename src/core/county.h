// County figures (issue 14, docs/communities.md "County role"): what a county
// reads about one community, computed from the community's State (the
// folded operations), never typed in. Counts only: no name, phone, address
// or id of a person or household leaves this function.
//
// Definitions (all time, live records only):
// - households: live households;
// - households_taking_part: live households with a live resident who is a
//   volunteer with hours (checked in and out, or added by a coordinator:
//   hours_ledger, minutes > 0), or who is a party to a live talent request
//   (talent.h party_household_ids) — a household takes part when it serves
//   or asks;
// - volunteer_minutes: every ledger minute (verified and added by hand);
//   verified_minutes: the checked-in-and-out part;
// - requests: live talent requests; requests_resolved / requests_not_resolved
//   and resolution_rate as talent.h figures() defines them (latest applied
//   outcome; rate = resolved / (resolved + not_resolved), 0 without outcome);
// - meetings: live meetings; meetings_held: those adjourned (docs/deliberation.md).
#pragma once

#include <cstdint>

#include "core/operation.h"
#include "core/state.h"

namespace dh {

struct CountyFigures {
  int64_t households = 0, households_taking_part = 0;
  int64_t volunteer_minutes = 0, verified_minutes = 0;
  int64_t requests = 0, requests_resolved = 0, requests_not_resolved = 0;
  int64_t meetings = 0, meetings_held = 0;
  // resolved / (resolved + not_resolved); 0 when no request has an outcome.
  double resolution_rate() const;
  // Adds another community's counts (totals are sums; the rate is computed
  // again from the summed counts, never averaged).
  CountyFigures& operator+=(const CountyFigures& other);
};

CountyFigures county_figures(const State& state);

// {"households":..,"households_taking_part":..,"volunteer_minutes":..,
//  "verified_minutes":..,"requests":..,"requests_resolved":..,
//  "requests_not_resolved":..,"resolution_rate":0.75,"meetings":..,"meetings_held":..}
Json county_figures_json(const CountyFigures& f);

}  // namespace dh
