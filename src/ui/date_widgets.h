// Date and time fields and the weekly availability grid (issue 12), drawn
// with ImGui. The parsing and formatting behind them is pure and tested
// elsewhere (core/typed_when.h, core/civil_time.h WeekGrid, ui/when_text.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dh::ui {

// A date (with_time false) or date-and-time field: a text input that takes
// every typed form core/typed_when.h reads, a "选日期" button opening a month
// calendar (Monday first, today marked, the chosen day highlighted; with a
// time row of hour and minute for date-and-time), and under the input the
// value in words ("即 12月2日 周三 09:00"). `text` holds what is typed; the
// calendar writes "2026-12-02" / "2026-12-02 09:00". Returns true when the
// text changed. Widget ids: "<id>" (input), "<id>-pick" (button), the popup's
// days "<id>-day-<d>", "<id>-prev", "<id>-next", "<id>-today", "<id>-hour",
// "<id>-minute", "<id>-done".
bool date_field(const std::string& id, std::string* text, bool with_time, int64_t today_days);

// The weekly availability grid: 7 days × half-hours (06:00–22:00, wider when
// a slot lies outside), tap a cell to toggle it, drag to paint several.
// `slots` are stored slots ("mon 09:00-12:00"); the grid rewrites them only
// when the person changes a cell. Returns true when changed. Cells are
// "<id>-<day>-<half-hour>" (day 0 = Monday, half-hour 0 = 00:00).
bool availability_grid(const std::string& id, std::vector<std::string>* slots);

}  // namespace dh::ui
