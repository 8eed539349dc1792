// The talent area (人才库): figures, the experts' workload and the trainees'
// records. Contract and widget ids: talent_screens.h.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/civil_time.h"
#include "core/text.h"
#include "imgui.h"
#include "ui/form.h"
#include "ui/strings.h"
#include "ui/talent_screens.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100.0);
  return buf;
}
std::string one_decimal(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

std::string expert_name(const talent::TalentView& tv, const std::string& id) {
  const auto* e = tv.expert(id);
  return e ? e->name : id;
}

std::string levels_text(const talent::ExpertView& e) {
  std::string out;
  for (const auto& [field, level] : e.field_levels)
    out += (out.empty() ? "" : "、") + choice_label("fields", field) + trf("talent.level", {std::to_string(level)});
  return out;
}

void figure_card(const std::string& value, const char* caption_key, const char* id, const ImVec4* color = nullptr) {
  ImGui::BeginGroup();
  push_font_scale(1.8f);
  status_text(value, id, color);
  pop_font_scale();
  ImGui::TextDisabled("%s", tr(caption_key));
  ImGui::EndGroup();
}

void draw_figures(TalentAreaView&, Frame& f, const talent::TalentView& tv) {
  const talent::Figures fig = talent::figures(tv);
  const float gap = ImGui::GetFontSize() * 2.0f;
  ImVec4 red = color_error();
  figure_card(std::to_string(fig.requests), "talent.fig.requests", "talent-fig-requests");
  ImGui::SameLine(0, gap);
  figure_card(std::to_string(fig.open), "talent.fig.open", "talent-fig-open");
  ImGui::SameLine(0, gap);
  figure_card(std::to_string(fig.overdue), "talent.fig.overdue", "talent-fig-overdue", fig.overdue ? &red : nullptr);
  ImGui::SameLine(0, gap);
  figure_card(fig.resolved + fig.not_resolved ? percent(fig.resolution_rate) : "—", "talent.fig.resolution",
              "talent-fig-resolution");
  ImGui::SameLine(0, gap);
  figure_card(fig.rated ? percent(fig.satisfaction) : "—", "talent.fig.satisfaction", "talent-fig-satisfaction");
  ImGui::SameLine(0, gap);
  figure_card(fig.rated ? one_decimal(fig.average_rating) : "—", "talent.fig.avg_rating", "talent-fig-avg-rating");
  ImGui::SameLine(0, gap);
  figure_card(fig.resolved ? one_decimal(fig.average_hours_to_resolve) : "—", "talent.fig.avg_hours",
              "talent-fig-avg-hours");
  // The counts behind the two rates (a rate moves by less than its shown
  // precision when one case of hundreds changes; the counts always move).
  const ImVec4 muted = color_muted();
  status_text_wrapped(trf("talent.fig.definitions", {std::to_string(fig.resolved), std::to_string(fig.not_resolved),
                                                     std::to_string(fig.satisfied), std::to_string(fig.rated)}),
                      "talent-fig-definitions", &muted);
  ImGui::Separator();

  const float half = ImGui::GetContentRegionAvail().x * 0.5f - ImGui::GetStyle().ItemSpacing.x;
  const float height = ImGui::GetContentRegionAvail().y;
  // By month and category.
  if (ImGui::BeginChild("##talent-months", ImVec2(half, height))) {
    ImGui::TextUnformatted(tr("talent.by_month"));
    int most = 1;
    for (const auto& m : fig.by_month) most = std::max(most, m.total);
    for (const auto& m : fig.by_month) {
      std::string top;
      std::vector<std::pair<int, std::string>> cats;
      for (const auto& [c, n] : m.by_category) cats.push_back({-n, c});
      std::sort(cats.begin(), cats.end());
      for (size_t i = 0; i < cats.size() && i < 3; ++i)
        top += (top.empty() ? "" : "、") + choice_label("category", cats[i].second) + " " + std::to_string(-cats[i].first);
      ImGui::ProgressBar(static_cast<float>(m.total) / most, ImVec2(ImGui::GetFontSize() * 6, 0), "");
      ImGui::SameLine();
      status_text(m.month + "  " + std::to_string(m.total) + "  (" + top + ")", ("talent-month-" + m.month).c_str());
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(tr("talent.by_category"));
    std::vector<std::pair<int, std::string>> cats;
    for (const auto& [c, n] : fig.by_category) cats.push_back({-n, c});
    std::sort(cats.begin(), cats.end());
    const int top = cats.empty() ? 1 : -cats[0].first;
    for (const auto& [neg, c] : cats) {
      ImGui::ProgressBar(static_cast<float>(-neg) / top, ImVec2(ImGui::GetFontSize() * 6, 0), "");
      ImGui::SameLine();
      status_text(choice_label("category", c) + "  " + std::to_string(-neg), ("talent-cat-" + c).c_str());
    }
  }
  ImGui::EndChild();
  ImGui::SameLine();
  if (ImGui::BeginChild("##talent-load", ImVec2(0, height))) {
    ImGui::TextUnformatted(tr("talent.load"));
    auto load = fig.load;
    std::sort(load.begin(), load.end(), [](const auto& a, const auto& b) {
      const double ra = a.second.second ? static_cast<double>(a.second.first) / a.second.second : 1.0;
      const double rb = b.second.second ? static_cast<double>(b.second.first) / b.second.second : 1.0;
      if (ra != rb) return ra > rb;
      return a.first < b.first;
    });
    if (load.empty()) ImGui::TextDisabled("%s", tr("talent.no_load"));
    for (const auto& [id, oc] : load) {
      const float share = oc.second > 0 ? std::min(1.0f, static_cast<float>(oc.first) / oc.second) : 1.0f;
      ImGui::ProgressBar(share, ImVec2(ImGui::GetFontSize() * 6, 0), "");
      ImGui::SameLine();
      const bool full = oc.second > 0 && oc.first >= oc.second;
      ImVec4 amber = color_warning();
      status_text(expert_name(tv, id) + "  " + std::to_string(oc.first) + "/" + std::to_string(oc.second),
                  ("talent-load-" + id).c_str(), full ? &amber : nullptr);
    }
  }
  ImGui::EndChild();
  (void)f;
}

void draw_experts(TalentAreaView& v, Frame& f, const talent::TalentView& tv) {
  const State& state = f.state;
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 16));
  input_text("##talent-search", &v.search, tr("talent.search_hint"));
  const std::string q = fold_case(trim(v.search));
  const float list_w = ImGui::GetContentRegionAvail().x * 0.55f;
  if (ImGui::BeginChild("##talent-experts", ImVec2(list_w, 0), ImGuiChildFlags_Borders)) {
    for (const auto& e : tv.experts) {
      const std::string fields = levels_text(e);
      if (!q.empty() && fold_case(e.name).find(q) == std::string::npos && fold_case(fields).find(q) == std::string::npos)
        continue;
      std::string line = e.name + "  " + std::to_string(e.open_cases) + "/" + std::to_string(e.capacity) + "  " + fields;
      if (!e.available) line += "  " + std::string(tr("talent.unavailable"));
      if (ImGui::Selectable((line + "##talent-expert-" + e.id).c_str(), v.expert == e.id, 0,
                            ImVec2(0, ImGui::GetFrameHeight())))
        v.expert = e.id;
    }
  }
  ImGui::EndChild();
  ImGui::SameLine();
  if (ImGui::BeginChild("##talent-expert-page", ImVec2(0, 0), ImGuiChildFlags_Borders)) {
    const auto* e = tv.expert(v.expert);
    if (!e) {
      ImGui::TextDisabled("%s", tr("talent.pick_expert"));
    } else {
      ImGui::PushTextWrapPos(0.0f);
      push_font_scale(1.25f);
      ImGui::TextUnformatted(e->name.c_str());
      pop_font_scale();
      ImGui::TextUnformatted(levels_text(*e).c_str());
      const Entity* g = state.find("grid", e->grid_id);
      ImGui::TextUnformatted(trf("talent.expert_facts", {g ? g->text("name") : "—", e->organisation.empty() ? "—" : e->organisation,
                                                         std::to_string(e->open_cases), std::to_string(e->capacity),
                                                         std::to_string(e->handled_cases)})
                                 .c_str());
      std::string slots;
      for (const auto& s : e->availability) slots += (slots.empty() ? "" : "，") + s;
      ImGui::TextUnformatted(trf("talent.availability", {slots.empty() ? "—" : slots}).c_str());
      if (!e->resident_id.empty()) ImGui::TextDisabled("%s", tr("talent.lives_here"));
      ImGui::Separator();
      ImGui::TextUnformatted(tr("talent.open_cases"));
      for (const auto& r : tv.requests) {
        if (r.assignee_expert_id != e->id || !(r.state == "assigned" || r.state == "in_hand")) continue;
        std::string line = choice_label("category", r.category) + " · " + tr(("req.state." + r.state).c_str()) + " · " +
                           r.description;
        ImVec4 red = color_error();
        status_text_wrapped(line, ("talent-case-" + r.id).c_str(), r.overdue ? &red : nullptr);
      }
      ImGui::PopTextWrapPos();
    }
  }
  ImGui::EndChild();
}

void draw_trainees(TalentAreaView& v, Frame& f, const talent::TalentView& tv) {
  const State& state = f.state;
  const auto trainees = talent::trainee_views(state);
  const float list_w = ImGui::GetContentRegionAvail().x * 0.4f;
  if (ImGui::BeginChild("##talent-trainees", ImVec2(list_w, 0), ImGuiChildFlags_Borders)) {
    for (const auto& t : trainees) {
      const std::string line = t.name + "  " + trf("talent.trainee_counts", {std::to_string(t.shadowed), std::to_string(t.co_handled)});
      if (ImGui::Selectable((line + "##talent-trainee-" + t.id).c_str(), v.trainee == t.id, 0,
                            ImVec2(0, ImGui::GetFrameHeight())))
        v.trainee = t.id;
    }
  }
  ImGui::EndChild();
  ImGui::SameLine();
  if (ImGui::BeginChild("##talent-trainee-page", ImVec2(0, 0), ImGuiChildFlags_Borders)) {
    const talent::TraineeView* t = nullptr;
    for (const auto& x : trainees)
      if (x.id == v.trainee) t = &x;
    if (!t) {
      ImGui::TextDisabled("%s", tr("talent.pick_trainee"));
    } else {
      ImGui::PushTextWrapPos(0.0f);
      push_font_scale(1.25f);
      ImGui::TextUnformatted(t->name.c_str());
      pop_font_scale();
      ImGui::TextUnformatted(trf("talent.trainee_facts", {choice_label("background", t->background),
                                                          expert_name(tv, t->mentor_expert_id),
                                                          std::to_string(t->cases.size())})
                                 .c_str());
      ImGui::Separator();
      for (size_t i = 0; i < t->cases.size(); ++i) {
        const auto& c = t->cases[i];
        const auto* r = tv.request(c.request_id);
        std::string head = c.date + "  " + choice_label("case_role", c.role) + "  " +
                           (r ? choice_label("category", r->category) + " · " + r->description : c.request_id);
        status_text_wrapped(head, ("talent-tcase-" + std::to_string(i)).c_str());
        ImGui::Indent();
        if (!c.what_they_did.empty()) ImGui::TextUnformatted(trf("talent.did", {c.what_they_did}).c_str());
        if (!c.mentor_remark.empty()) ImGui::TextDisabled("%s", trf("talent.remark", {c.mentor_remark}).c_str());
        ImGui::Unindent();
      }
      ImGui::PopTextWrapPos();
    }
  }
  ImGui::EndChild();
}

}  // namespace

void draw_talent(TalentAreaView& v, Frame& f) {
  push_font_scale(1.3f);
  ImGui::TextUnformatted(tr("nav.talent"));
  pop_font_scale();
  if (f.status.sync.role == "kiosk" || f.status.sync.role == "projector") {
    ImVec4 amber = color_warning();
    status_text_wrapped(tr("req.restricted"), "req-restricted", &amber);
    return;
  }
  const talent::TalentView& tv = v.cache.get(f.state, f.status.now_local_minutes);
  const float h = ImGui::GetFrameHeight() * 1.3f;
  if (ImGui::Button(label("talent.tab.figures", "talent-tab-figures").c_str(), ImVec2(0, h))) v.tab = TalentAreaView::Tab::figures;
  ImGui::SameLine();
  if (ImGui::Button(label("talent.tab.experts", "talent-tab-experts").c_str(), ImVec2(0, h))) v.tab = TalentAreaView::Tab::experts;
  ImGui::SameLine();
  if (ImGui::Button(label("talent.tab.trainees", "talent-tab-trainees").c_str(), ImVec2(0, h))) v.tab = TalentAreaView::Tab::trainees;
  ImGui::Separator();
  switch (v.tab) {
    case TalentAreaView::Tab::figures: draw_figures(v, f, tv); break;
    case TalentAreaView::Tab::experts: draw_experts(v, f, tv); break;
    case TalentAreaView::Tab::trainees: draw_trainees(v, f, tv); break;
  }
}

}  // namespace dh::ui
