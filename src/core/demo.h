// Deterministic demo data with the figures of shared/DOMAIN.md: 3,058
// households in grids and micro-grids, their residents, the hall and four
// stations, 103 experts in their fields, 7 trainees with mentors, the corps
// "志愿靓滇红" with squads and groups and about 80% of households volunteering.
//
// The same seed gives byte-identical operations on every platform (own PRNG,
// no std:: distributions, fixed stamps), so the demo log has a stable hash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/operation.h"

namespace dh {

struct DemoOptions {
  uint64_t seed = 20261126;
  int households = 3058;
  int experts = 103;
  int trainees = 7;
  int requests = 240;  // residents' requests over four months (scaled down with fewer households)
  double volunteering_share = 0.8;  // share of households with a volunteer
  int64_t start_ms = 1767225600000;  // 2026-01-01T00:00:00Z, stamp of the first op
  // The demo's fixed "today" (local time, UTC+8): the volunteer corps' year
  // (docs/demo.md) has attendance for shifts that ended before it, sign-ups
  // thinning out after it and next month's shifts open for the
  // auto-scheduler. Fixed, so the demo log is the same bytes every day.
  std::string today = "2026-12-02T09:00";
  // The year of shifts, sign-ups and hours is generated for communities of at
  // least this many households (small test communities stay small).
  int volunteering_year_from_households = 500;
};

// Operations from device "demo", valid in order (each one passes
// validate_operation against the fold of those before it).
std::vector<Operation> generate_demo(const DemoOptions& options = {});

// A year of everyday activity on top of a demo state (edits of phones and
// addresses, people moving house, new residents, archived and restored
// records), for benchmarks of fold, snapshot and memory. Device "activity".
std::vector<Operation> generate_activity(const std::vector<Operation>& demo, int count, uint64_t seed);

// A month of volunteer shifts on top of a demo state, for auto-scheduling
// (docs/auto-scheduling.md): about 600 shifts at the hall and the four
// stations (month "2026-12": after-school care at 幸福里, the legal aid
// corner at 税务小区, indoor exercise, elderly meals, reading space, patrols,
// charity events, ...), then edits giving the volunteers weekly availability
// (about 10% record none), some unavailable dates, preferred stations and
// weekly caps. Device "demo-month"; valid in order via make_operation. An
// empty result means the month was not "YYYY-MM".
std::vector<Operation> generate_month_of_shifts(const std::vector<Operation>& demo, const std::string& month,
                                                uint64_t seed);

}  // namespace dh
