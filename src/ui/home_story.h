// The home page's story (issue 12, docs/demo.md "The home page"): the
// report's figures computed live from the records by core home_figures()
// (reports.h) — households taking part, volunteer hours this year, active
// volunteers, sign-ups this month, the stations' coverage — each with its
// definition a click away (hover: tooltip; click: the definition line under
// the chart) and its trend over 12 months as bars and a 3-month average line
// drawn with ImGui draw lists, sized for the hall's screen.
//
// Widget keys (tests): home-fig-<id> (the card's button; ids households,
// hours, active, signups, coverage), home-value-<id> (the number), home-def
// (the selected figure's definition), home-chart (the chart's area),
// home-station-<station id> (a station's "filled/places").
#pragma once

#include <cstdint>
#include <string>

#include "core/reports.h"
#include "core/state.h"

namespace dh::ui {

struct HomeStoryView {
  std::string selected = "hours";
  // Cache: recomputed when the records or the day change.
  const State* state = nullptr;
  uint64_t applied = UINT64_MAX;
  int64_t day = INT64_MIN;
  HomeFigures figures;
};

// now_local_minutes: AppStatus::now_local_minutes (0 = unknown: draws nothing).
void draw_home_story(HomeStoryView& v, const State& state, int64_t now_local_minutes);

// Mean of the window ending at each month (3 months, fewer at the start), the
// trend line's points; exposed for tests.
std::vector<double> moving_average(const std::vector<double>& values, size_t window);

}  // namespace dh::ui
