// The home page's story: draws core home_figures() (docs/demo.md "The home page").
#include "ui/home_story.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "ui/strings.h"
#include "ui/widgets.h"

namespace dh::ui {

std::vector<double> moving_average(const std::vector<double>& values, size_t window) {
  std::vector<double> out;
  if (window == 0) return out;
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push_back(sum / static_cast<double>(std::min(i + 1, window)));
  }
  return out;
}

namespace {

// 12,345 (grouped by thousands, as the report writes its figures).
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string percent(int64_t part, int64_t whole) {
  if (whole <= 0) return "–";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

struct Figure {
  const char* id;
  std::string value;  // the big number
  std::string note;   // under the label
};

// The selected figure's monthly values (bars) and the unit of its axis label.
std::vector<double> series(const HomeFigures& f, const std::string& id) {
  std::vector<double> v;
  for (const auto& m : f.months) {
    if (id == "households") v.push_back(static_cast<double>(m.households));
    else if (id == "hours") v.push_back(static_cast<double>(m.minutes) / 60.0);
    else if (id == "active") v.push_back(static_cast<double>(m.active_volunteers));
    else if (id == "signups") v.push_back(static_cast<double>(m.signups));
    else v.push_back(m.places > 0 ? 100.0 * m.filled / m.places : 0.0);
  }
  return v;
}

void draw_chart(const HomeFigures& f, const std::string& id, float height) {
  const std::vector<double> values = series(f, id);
  const std::vector<double> trend = moving_average(values, 3);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(200.0f, ImGui::GetContentRegionAvail().x);
  ImGui::InvisibleButton("##home-chart", ImVec2(width, height));
  expose_last_item("chart##home-chart");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const float label_h = font * 1.3f;
  const float value_h = font * 1.2f;
  const float top = origin.y + value_h;
  const float bottom = origin.y + height - label_h;
  const float plot_h = std::max(10.0f, bottom - top);
  double max_v = 0;
  for (double x : values) max_v = std::max(max_v, x);
  if (id == "coverage") max_v = 100.0;
  if (max_v <= 0) max_v = 1;
  const size_t n = values.size();
  const float slot = width / static_cast<float>(std::max<size_t>(n, 1));
  const ImU32 bar = ImGui::GetColorU32(ImVec4(0.80f, 0.30f, 0.22f, 0.85f));   // Dianhong red
  const ImU32 bar_now = ImGui::GetColorU32(ImVec4(0.90f, 0.42f, 0.18f, 1.0f));
  const ImU32 line = ImGui::GetColorU32(ImVec4(0.15f, 0.45f, 0.75f, 1.0f));
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 muted = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddLine(ImVec2(origin.x, bottom), ImVec2(origin.x + width, bottom), muted, 1.0f);
  std::vector<ImVec2> points;
  for (size_t i = 0; i < n; ++i) {
    const float x0 = origin.x + slot * static_cast<float>(i) + slot * 0.15f;
    const float x1 = origin.x + slot * static_cast<float>(i + 1) - slot * 0.15f;
    const float h = static_cast<float>(values[i] / max_v) * plot_h;
    dl->AddRectFilled(ImVec2(x0, bottom - h), ImVec2(x1, bottom), i + 1 == n ? bar_now : bar, font * 0.15f);
    char buf[32];
    if (id == "coverage") std::snprintf(buf, sizeof buf, "%.0f%%", values[i]);
    else std::snprintf(buf, sizeof buf, "%s", grouped(static_cast<int64_t>(std::llround(values[i]))).c_str());
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    if (ts.x <= slot) dl->AddText(ImVec2((x0 + x1 - ts.x) / 2, bottom - h - ts.y), text, buf);
    // Month label: the month's number in the UI's language.
    const std::string& key = f.months[i].month;
    const std::string month = tr("hall.month." + std::to_string(std::stoi(key.substr(5, 2))));
    const ImVec2 ms = ImGui::CalcTextSize(month.c_str());
    dl->AddText(ImVec2((x0 + x1 - ms.x) / 2, bottom + font * 0.15f), muted, month.c_str());
    points.push_back(ImVec2((x0 + x1) / 2, bottom - static_cast<float>(trend[i] / max_v) * plot_h));
  }
  if (points.size() >= 2) dl->AddPolyline(points.data(), static_cast<int>(points.size()), line, 0, font * 0.15f);
  for (const ImVec2& p : points) dl->AddCircleFilled(p, font * 0.18f, line);
}

}  // namespace

void draw_home_story(HomeStoryView& v, const State& state, int64_t now_local_minutes) {
  if (now_local_minutes <= 0) return;
  const int64_t today = now_local_minutes / 1440;
  if (v.state != &state || v.applied != state.applied_ops() || v.day != today) {
    v.figures = home_figures(state, today);
    v.state = &state;
    v.applied = state.applied_ops();
    v.day = today;
  }
  const HomeFigures& f = v.figures;
  const std::string month_name = tr("hall.month." + std::to_string(std::stoi(f.month.substr(5, 2))));
  push_font_scale(1.5f);
  ImGui::TextUnformatted(trf("hall.home.title", {std::to_string(f.year)}).c_str());
  pop_font_scale();
  ImGui::TextDisabled("%s", tr("hall.home.subtitle"));
  ImGui::Spacing();

  const Figure figures[] = {
      {"households", grouped(f.households_taking_part),
       trf("hall.home.households_note", {grouped(f.households), percent(f.households_taking_part, f.households)})},
      {"hours", grouped(f.minutes_this_year / 60),
       trf("hall.home.hours_note", {grouped((f.minutes_this_year - f.verified_minutes_this_year) / 60)})},
      {"active", grouped(f.active_volunteers), trf("hall.home.active_note", {grouped(f.volunteers)})},
      {"signups", grouped(f.signups_this_month), trf("hall.home.signups_note", {std::to_string(f.year), month_name})},
      {"coverage", percent(f.filled, f.places),
       trf("hall.home.coverage_note", {grouped(f.filled), grouped(f.places)})},
  };
  const ImGuiStyle& style = ImGui::GetStyle();
  const float font = ImGui::GetFontSize();
  const float card_w = font * 12.0f;
  const float card_h = font * 7.2f;
  const float avail = ImGui::GetContentRegionAvail().x;
  const int per_row = std::max(1, static_cast<int>((avail + style.ItemSpacing.x) / (card_w + style.ItemSpacing.x)));
  int i = 0;
  for (const Figure& fig : figures) {
    if (i % per_row != 0) ImGui::SameLine();
    ++i;
    const std::string id = fig.id;
    const bool selected = v.selected == id;
    ImGui::BeginGroup();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    // The whole card is the button that selects the figure (and shows its definition).
    if (ImGui::InvisibleButton(("##home-fig-" + id).c_str(), ImVec2(card_w, card_h))) v.selected = id;
    expose_last_item((std::string(tr(("hall.home.fig." + id).c_str())) + "##home-fig-" + id).c_str());
    const bool hovered = ImGui::IsItemHovered();
    if (hovered) ImGui::SetTooltip("%s", tr(("hall.home.def." + id).c_str()));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 end(at.x + card_w, at.y + card_h);
    dl->AddRectFilled(at, end, ImGui::GetColorU32(selected ? ImGuiCol_ButtonActive : hovered ? ImGuiCol_ButtonHovered
                                                                                           : ImGuiCol_FrameBg),
                      font * 0.3f);
    dl->AddRect(at, end, ImGui::GetColorU32(ImGuiCol_Border), font * 0.3f);
    ImGui::SetCursorScreenPos(ImVec2(at.x + font * 0.6f, at.y + font * 0.3f));
    push_font_scale(2.2f);
    status_text(fig.value, ("home-value-" + id).c_str());
    pop_font_scale();
    ImGui::SetCursorScreenPos(ImVec2(at.x + font * 0.6f, ImGui::GetCursorScreenPos().y));
    push_font_scale(1.15f);
    ImGui::TextUnformatted(tr(("hall.home.fig." + id).c_str()));
    pop_font_scale();
    ImGui::SetCursorScreenPos(ImVec2(at.x + font * 0.6f, ImGui::GetCursorScreenPos().y));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + card_w - font * 1.2f);
    ImGui::TextDisabled("%s", fig.note.c_str());
    ImGui::PopTextWrapPos();
    ImGui::SetCursorScreenPos(at);
    ImGui::Dummy(ImVec2(card_w, card_h));
    ImGui::EndGroup();
  }
  ImGui::Spacing();
  // The selected figure: its definition (the click away) and its trend.
  push_font_scale(1.2f);
  ImGui::TextUnformatted(trf("hall.home.trend", {tr(("hall.home.fig." + v.selected).c_str())}).c_str());
  pop_font_scale();
  status_text_wrapped(tr(("hall.home.def." + v.selected).c_str()), "home-def");
  ImGui::TextDisabled("%s", tr("hall.home.legend"));
  draw_chart(f, v.selected, std::max(font * 9.0f, std::min(font * 14.0f, ImGui::GetContentRegionAvail().y * 0.45f)));
  ImGui::Spacing();

  // Coverage by station, this month.
  push_font_scale(1.2f);
  ImGui::TextUnformatted(trf("hall.home.stations", {std::to_string(f.year), month_name}).c_str());
  pop_font_scale();
  const float name_w = font * 12.0f;
  const float bar_w = std::max(font * 6.0f, std::min(font * 20.0f, ImGui::GetContentRegionAvail().x - name_w - font * 8));
  for (const StationCoverage& c : f.stations) {
    push_font_scale(1.15f);
    ImGui::TextUnformatted(c.name.empty() ? c.station_id.c_str() : c.name.c_str());
    ImGui::SameLine(name_w * 1.15f);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + bar_w, p.y + h), ImGui::GetColorU32(ImGuiCol_FrameBg), h * 0.2f);
    if (c.places > 0)
      dl->AddRectFilled(p, ImVec2(p.x + bar_w * static_cast<float>(c.filled) / static_cast<float>(c.places), p.y + h),
                        ImGui::GetColorU32(ImVec4(0.80f, 0.30f, 0.22f, 0.85f)), h * 0.2f);
    ImGui::Dummy(ImVec2(bar_w, h));
    ImGui::SameLine();
    status_text(trf("hall.home.station_fill", {grouped(c.filled), grouped(c.places), percent(c.filled, c.places)}),
                ("home-station-" + c.station_id).c_str());
    pop_font_scale();
  }
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Spacing();
}

}  // namespace dh::ui
