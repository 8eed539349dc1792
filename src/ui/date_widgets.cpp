#include "ui/date_widgets.h"

#include <algorithm>
#include <cstdio>

#include "core/civil_time.h"
#include "core/text.h"
#include "core/typed_when.h"
#include "imgui.h"
#include "ui/strings.h"
#include "ui/when_text.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

std::string two(int v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

// The typed text for a day and a minute (-1: no time).
std::string typed_text(int64_t day, int minute) {
  std::string s = format_date(day);
  if (minute >= 0) s += " " + format_time_of_day(minute);
  return s;
}

void month_of(int64_t day, int* y, unsigned* m) {
  unsigned d;
  civil_from_days(day, y, m, &d);
}

// The calendar popup's body; true when the text changed.
bool calendar(const std::string& id, std::string* text, bool with_time, int64_t today) {
  bool changed = false;
  auto now = parse_typed_when(trim(*text), today);
  const int64_t chosen = now ? now->day : -1000000;
  int minute = now && now->minute >= 0 ? now->minute : 9 * 60;
  ImGuiStorage* store = ImGui::GetStateStorage();
  const ImGuiID month_key = ImGui::GetID((id + "-month").c_str());
  int y;
  unsigned m;
  month_of(now ? now->day : today, &y, &m);
  int ym = store->GetInt(month_key, y * 12 + static_cast<int>(m) - 1);
  if (ImGui::ArrowButton((id + "-prev").c_str(), ImGuiDir_Left)) --ym;
  ImGui::SameLine();
  const int cy = ym / 12;
  const unsigned cm = static_cast<unsigned>(ym % 12 + 1);
  const std::string title = month_title(cy, cm);
  ImGui::TextUnformatted(title.c_str());
  ImGui::SameLine();
  if (ImGui::ArrowButton((id + "-next").c_str(), ImGuiDir_Right)) ++ym;
  store->SetInt(month_key, ym);

  const float cell = ImGui::GetFrameHeight() * 1.5f;
  if (ImGui::BeginTable((id + "-grid").c_str(), 7, ImGuiTableFlags_SizingFixedFit)) {
    for (int w = 0; w < 7; ++w) ImGui::TableSetupColumn(nullptr, ImGuiTableColumnFlags_WidthFixed, cell);
    ImGui::TableNextRow();
    for (int w = 0; w < 7; ++w) {
      ImGui::TableSetColumnIndex(w);
      const std::string head = weekday_short(w);
      ImGui::TextDisabled("%s", head.c_str());
    }
    const int64_t first = days_from_civil(cy, cm, 1);
    const int64_t next = cm == 12 ? days_from_civil(cy + 1, 1, 1) : days_from_civil(cy, cm + 1, 1);
    const int lead = weekday_of_days(first);
    ImGui::TableNextRow();
    for (int k = 0; k < lead; ++k) ImGui::TableNextColumn();
    for (int64_t day = first; day < next; ++day) {
      if (day != first && weekday_of_days(day) == 0) ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(weekday_of_days(day));
      const int dnum = static_cast<int>(day - first + 1);
      const bool is_chosen = day == chosen, is_today = day == today;
      int colors = 0;
      if (is_chosen) {
        ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        ++colors;
      } else if (is_today) {
        ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.85f, 0.55f, 0.10f, 0.55f));
        ++colors;
      }
      if (is_today) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f);
      const std::string lbl = std::to_string(dnum) + "##" + id + "-day-" + std::to_string(dnum);
      if (ImGui::Button(lbl.c_str(), ImVec2(cell, cell))) {
        *text = typed_text(day, with_time ? minute : -1);
        changed = true;
        if (!with_time) ImGui::CloseCurrentPopup();
      }
      if (is_today) ImGui::PopStyleVar();
      ImGui::PopStyleColor(colors);
    }
    ImGui::EndTable();
  }
  if (ImGui::Button(label("when.today", id + "-today").c_str())) {
    *text = typed_text(today, with_time ? minute : -1);
    store->SetInt(month_key, [&] { int yy; unsigned mm; month_of(today, &yy, &mm); return yy * 12 + static_cast<int>(mm) - 1; }());
    changed = true;
  }
  if (with_time) {
    ImGui::TextUnformatted(tr("when.time"));
    ImGui::SameLine();
    int hour = minute / 60, min = minute % 60;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3.5f);
    if (ImGui::BeginCombo(("##" + id + "-hour").c_str(), two(hour).c_str())) {
      for (int h = 0; h < 24; ++h)
        if (ImGui::Selectable((two(h) + "##" + id + "-hour-" + std::to_string(h)).c_str(), h == hour)) hour = h, changed = true;
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::TextUnformatted(":");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3.5f);
    if (ImGui::BeginCombo(("##" + id + "-minute").c_str(), two(min).c_str())) {
      for (int mm = 0; mm < 60; mm += 5)
        if (ImGui::Selectable((two(mm) + "##" + id + "-minute-" + std::to_string(mm)).c_str(), mm == min)) min = mm, changed = true;
      ImGui::EndCombo();
    }
    if (changed && (hour * 60 + min != minute || !now)) {
      const int64_t day = now ? now->day : today;
      auto again = parse_typed_when(trim(*text), today);  // a day picked this frame
      *text = typed_text(again ? again->day : day, hour * 60 + min);
    }
  }
  if (ImGui::Button(label("when.done", id + "-done").c_str())) ImGui::CloseCurrentPopup();
  return changed;
}

}  // namespace

bool date_field(const std::string& id, std::string* text, bool with_time, int64_t today_days) {
  bool changed = false;
  const std::string pick = label("when.pick", id + "-pick");
  const float pick_w = ImGui::CalcTextSize(tr("when.pick")).x + ImGui::GetStyle().FramePadding.x * 2;
  ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 6, ImGui::GetContentRegionAvail().x - pick_w -
                                                                  ImGui::GetStyle().ItemSpacing.x));
  changed |= input_text(("##" + id).c_str(), text, tr(with_time ? "when.hint_datetime" : "when.hint_date"));
  ImGui::SameLine();
  const std::string popup = id + "-calendar";
  if (ImGui::Button(pick.c_str())) ImGui::OpenPopup(popup.c_str());
  if (ImGui::BeginPopup(popup.c_str())) {
    changed |= calendar(id, text, with_time, today_days);
    ImGui::EndPopup();
  }
  // What was typed, in words: the person sees at once how it was read.
  const std::string t = trim(*text);
  if (!t.empty()) {
    auto w = parse_typed_when(t, today_days);
    if (w && (w->minute >= 0) == with_time) {
      const std::string words = w->minute >= 0 ? when_text(w->day * 1440 + w->minute) : day_text(w->day, true);
      ImGui::TextDisabled("%s", trf("when.reads_as", {words}).c_str());
    }
  }
  return changed;
}

bool availability_grid(const std::string& id, std::vector<std::string>* slots) {
  WeekGrid grid = grid_from_slots(*slots);
  int first = 12, last = 44;  // 06:00 .. 22:00
  for (int d = 0; d < 7; ++d)
    for (int k = 0; k < 48; ++k)
      if (grid.on[d][k]) first = std::min(first, k), last = std::max(last, k + 1);
  ImGuiStorage* store = ImGui::GetStateStorage();
  const ImGuiID paint_key = ImGui::GetID((id + "-paint").c_str());
  int paint = store->GetInt(paint_key, -1);  // -1 not painting, 0 clearing, 1 setting
  if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) paint = -1;
  bool changed = false;

  ImGui::TextUnformatted(tr("avail.title"));
  const float label_w = ImGui::CalcTextSize("00:00").x + ImGui::GetStyle().ItemSpacing.x;
  const float cell_w = std::max(ImGui::GetFontSize() * 1.6f, (ImGui::GetContentRegionAvail().x - label_w) / 7.0f - 2);
  const float cell_h = std::max(ImGui::GetFontSize() * 0.9f, 14.0f);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 on_col = ImGui::GetColorU32(ImGuiCol_ButtonActive), off_col = ImGui::GetColorU32(ImGuiCol_FrameBg),
              hover_col = ImGui::GetColorU32(ImGuiCol_FrameBgHovered);
  // Day heads.
  ImGui::Dummy(ImVec2(label_w - ImGui::GetStyle().ItemSpacing.x, 0));
  for (int d = 0; d < 7; ++d) {
    ImGui::SameLine(label_w + d * (cell_w + 2));
    const std::string head = weekday_name(d);
    ImGui::TextUnformatted(head.c_str());
  }
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(2, 1));
  for (int k = first; k < last; ++k) {
    if (k % 2 == 0) {
      const std::string hour = format_time_of_day(k * 30);
      ImGui::TextDisabled("%s", hour.c_str());
    } else {
      ImGui::Dummy(ImVec2(1, cell_h));
    }
    for (int d = 0; d < 7; ++d) {
      ImGui::SameLine(label_w + d * (cell_w + 2));
      const std::string cid = "##" + id + "-" + std::to_string(d) + "-" + std::to_string(k);
      ImGui::InvisibleButton(cid.c_str(), ImVec2(cell_w, cell_h));
      if (ImGui::IsItemActivated()) {
        paint = grid.on[d][k] ? 0 : 1;
        grid.on[d][k] = paint == 1;
        changed = true;
      } else if (paint >= 0 && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
                 grid.on[d][k] != (paint == 1)) {
        grid.on[d][k] = paint == 1;
        changed = true;
      }
      const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      draw->AddRectFilled(a, b, grid.on[d][k] ? on_col : ImGui::IsItemHovered() ? hover_col : off_col, 2.0f);
    }
  }
  ImGui::PopStyleVar();
  store->SetInt(paint_key, paint);

  int halves = 0;
  for (int d = 0; d < 7; ++d)
    for (int k = 0; k < 48; ++k) halves += grid.on[d][k];
  char hours[16];
  std::snprintf(hours, sizeof hours, "%g", halves / 2.0);
  ImGui::TextDisabled("%s", halves ? trf("avail.summary", {hours}).c_str() : tr("avail.none"));
  ImGui::SameLine();
  if (ImGui::SmallButton(label("avail.clear", id + "-clear").c_str()) && halves) {
    grid = WeekGrid{};
    changed = true;
  }
  if (changed) *slots = slots_from_grid(grid);
  if (slots->size() > 15) {
    const ImVec4 c = color_warning();
    status_text_wrapped(tr("avail.too_many"), (id + "-too-many").c_str(), &c);
  }
  return changed;
}

}  // namespace dh::ui
