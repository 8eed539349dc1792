// The requests area (群众诉求): the board of open requests, staff intake and a
// request's page with its history, shortlist and actions. Contract and widget
// ids: talent_screens.h.
#include <algorithm>
#include <cstdio>

#include "core/civil_time.h"
#include "core/matching.h"
#include "core/schema.h"
#include "core/text.h"
#include "imgui.h"
#include "ui/form.h"
#include "ui/strings.h"
#include "ui/when_text.h"
#include "ui/talent_screens.h"
#include "ui/widgets.h"

namespace dh::ui {

const talent::TalentView& TalentCache::get(const State& state, int64_t now_minute) {
  if (!view_ || state_ != &state || applied_ != state.applied_ops() || minute_ != now_minute) {
    view_ = std::make_unique<talent::TalentView>(talent::talent_view(state, now_minute));
    state_ = &state;
    applied_ = state.applied_ops();
    minute_ = now_minute;
  }
  return *view_;
}

namespace {

std::string short_time(long long minute) {
  if (minute <= 0) return "—";
  return when_text(static_cast<int64_t>(minute));
}

std::string title_of(const State& s, const char* kind, const std::string& id, const char* field = "name") {
  if (id.empty()) return "—";
  const Entity* e = s.find(kind, id);
  return e ? e->text(field) : id;
}

std::string state_label(const std::string& code) { return tr(("req.state." + code).c_str()); }
std::string urgency_label(int u) { return tr(("req.urgency." + std::to_string(std::clamp(u, 1, 3))).c_str()); }

bool big_button(const std::string& lbl, float width = 0) {
  return ImGui::Button(lbl.c_str(), ImVec2(width, ImGui::GetFrameHeight() * 1.3f));
}

// ---------------------------------------------------------------------------
// Shortlist
// ---------------------------------------------------------------------------

// A reason of the matching (code + parameters) in the UI's language. A field
// code among the parameters is said by its label.
std::string reason_text(const matching::Reason& r) {
  std::vector<std::string> p = r.params;
  for (auto& x : p)
    if (std::count(talent::field_codes().begin(), talent::field_codes().end(), x)) x = choice_label("fields", x);
  switch (p.size()) {
    case 0: return tr(r.code.c_str());
    case 1: return trf(r.code, {p[0]});
    default: return trf(r.code, {p[0], p[1]});
  }
}

// ---------------------------------------------------------------------------
// Board
// ---------------------------------------------------------------------------

bool passes(const RequestsView& v, const talent::RequestView& r, const std::string& needle) {
  if (!needle.empty() && fold_case(r.description).find(needle) == std::string::npos &&
      fold_case(r.contact_name).find(needle) == std::string::npos)
    return false;
  if (v.state_filter == "open" && !talent::is_open_state(r.state)) return false;
  if (v.state_filter != "open" && v.state_filter != "all" && r.state != v.state_filter) return false;
  if (!v.grid_filter.empty() && r.grid_id != v.grid_filter) return false;
  if (v.urgency_filter > 0 && r.urgency != v.urgency_filter) return false;
  if (v.overdue_only && !r.overdue) return false;
  return true;
}

void draw_board(RequestsView& v, Frame& f, const talent::TalentView& tv) {
  const State& state = f.state;
  // Counts by state (open ones first): the board at a glance.
  std::map<std::string, int> by_state;
  int overdue = 0;
  for (const auto& r : tv.requests) {
    ++by_state[r.state];
    overdue += r.overdue;
  }
  bool first = true;
  for (const auto& code : talent::state_codes()) {
    if (!first) ImGui::SameLine(0, ImGui::GetFontSize() * 1.2f);
    first = false;
    status_text(state_label(code) + " " + std::to_string(by_state[code]), ("req-count-" + code).c_str());
  }
  ImVec4 red = color_error();
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.2f);
  status_text(trf("req.overdue_count", {std::to_string(overdue)}), "req-count-overdue", overdue ? &red : nullptr);

  // Filters.
  const float w = ImGui::GetFontSize() * 8;
  ImGui::SetNextItemWidth(w);
  const std::string state_preview = v.state_filter == "open"  ? std::string(tr("req.filter.open"))
                                    : v.state_filter == "all" ? std::string(tr("req.filter.all"))
                                                              : state_label(v.state_filter);
  if (begin_combo("##req-filter-state", state_preview.c_str())) {
    if (ImGui::Selectable(label("req.filter.open", "opt-open").c_str(), v.state_filter == "open")) v.state_filter = "open";
    if (ImGui::Selectable(label("req.filter.all", "opt-all").c_str(), v.state_filter == "all")) v.state_filter = "all";
    for (const auto& code : talent::state_codes())
      if (ImGui::Selectable((state_label(code) + "##opt-" + code).c_str(), v.state_filter == code)) v.state_filter = code;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  const std::string grid_preview = v.grid_filter.empty() ? std::string(tr("req.filter.all_grids"))
                                                         : title_of(state, "grid", v.grid_filter);
  if (begin_combo("##req-filter-grid", grid_preview.c_str())) {
    if (ImGui::Selectable(label("req.filter.all_grids", "opt-none").c_str(), v.grid_filter.empty())) v.grid_filter.clear();
    for (const Entity* g : state.list("grid"))
      if (ImGui::Selectable((g->text("name") + "##opt-" + g->id).c_str(), v.grid_filter == g->id)) v.grid_filter = g->id;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  const std::string urgency_preview =
      v.urgency_filter ? urgency_label(v.urgency_filter) : std::string(tr("req.filter.all_urgency"));
  if (begin_combo("##req-filter-urgency", urgency_preview.c_str())) {
    if (ImGui::Selectable(label("req.filter.all_urgency", "opt-0").c_str(), v.urgency_filter == 0)) v.urgency_filter = 0;
    for (int u = 3; u >= 1; --u)
      if (ImGui::Selectable((urgency_label(u) + "##opt-" + std::to_string(u)).c_str(), v.urgency_filter == u))
        v.urgency_filter = u;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::Checkbox(label("req.filter.overdue", "req-overdue-only").c_str(), &v.overdue_only);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w * 1.5f);
  input_text("##req-search", &v.search, tr("req.search_hint"));

  const std::string needle = fold_case(trim(v.search));
  std::vector<const talent::RequestView*> rows;
  for (const auto& r : tv.requests)
    if (passes(v, r, needle)) rows.push_back(&r);
  // Overdue first, then the most urgent, then the oldest.
  std::sort(rows.begin(), rows.end(), [](const talent::RequestView* a, const talent::RequestView* b) {
    if (a->overdue != b->overdue) return a->overdue;
    if (a->urgency != b->urgency) return a->urgency > b->urgency;
    if (a->recorded_minute != b->recorded_minute) return a->recorded_minute > b->recorded_minute;
    return a->id < b->id;
  });
  status_text(trf("req.shown", {std::to_string(rows.size())}), "req-shown");
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("##req-board", 7, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr("req.col.request"), 0, 3.0f);
    ImGui::TableSetupColumn(tr("req.col.category"), 0, 1.3f);
    ImGui::TableSetupColumn(tr("req.col.urgency"), 0, 0.8f);
    ImGui::TableSetupColumn(tr("req.col.grid"), 0, 1.1f);
    ImGui::TableSetupColumn(tr("req.col.state"), 0, 1.0f);
    ImGui::TableSetupColumn(tr("req.col.expert"), 0, 1.0f);
    ImGui::TableSetupColumn(tr("req.col.due"), 0, 1.4f);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const auto& r = *rows[static_cast<size_t>(i)];
        ImGui::TableNextRow(0, ImGui::GetFrameHeight() * 1.2f);
        ImGui::TableNextColumn();
        std::string desc = r.description;
        if (desc.size() > 60) {
          size_t cut = 60;
          while (cut > 0 && (static_cast<unsigned char>(desc[cut]) & 0xC0) == 0x80) --cut;
          desc = desc.substr(0, cut) + "…";
        }
        const std::string row_label = short_time(r.recorded_minute) + "  " + desc + "##req-row-" + r.id;
        // The whole row opens the request. No AllowOverlap: nothing else in
        // the row takes clicks, and an AllowOverlap item counts as hovered only
        // if it was already hovered on the previous frame, so a tap on a
        // tablet (or any pointer that lands and presses in one frame) would
        // not open the request.
        if (ImGui::Selectable(row_label.c_str(), v.selected == r.id, ImGuiSelectableFlags_SpanAllColumns,
                              ImVec2(0, ImGui::GetFrameHeight()))) {
          v.selected = r.id;
          v.message.clear();
          v.error.clear();
          v.rating = 0;
          v.comment.clear();
          v.note.clear();
          v.trainee.clear();
        }
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(choice_label("category", r.category).c_str());
        ImGui::TableNextColumn();
        if (r.urgency >= 3) {
          ImVec4 c = color_error();
          ImGui::TextColored(c, "%s", urgency_label(r.urgency).c_str());
        } else {
          ImGui::TextUnformatted(urgency_label(r.urgency).c_str());
        }
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(title_of(state, "grid", r.grid_id).c_str());
        ImGui::TableNextColumn();
        status_text(state_label(r.state), ("req-rowstate-" + r.id).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(title_of(state, "expert", r.assignee_expert_id).c_str());
        ImGui::TableNextColumn();
        if (r.overdue) {
          ImVec4 c = color_error();
          status_text(trf("req.overdue_since", {short_time(r.due_minute)}), ("req-overdue-" + r.id).c_str(), &c);
        } else if (talent::is_open_state(r.state)) {
          ImGui::TextUnformatted(short_time(r.due_minute).c_str());
        } else {
          ImGui::TextDisabled("%s", r.late ? tr("req.was_late") : tr("req.in_time"));
        }
      }
    }
    ImGui::EndTable();
  }
}

// ---------------------------------------------------------------------------
// Intake (staff)
// ---------------------------------------------------------------------------

void draw_intake(RequestsView& v, Frame& f) {
  IntakeForm& in = v.intake;
  const State& state = f.state;
  const float w = std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 22);
  ImGui::TextUnformatted(field_label("request", "category").c_str());
  ImGui::SetNextItemWidth(w);
  const std::string cat_preview = in.category.empty() ? std::string(tr("in.pick")) : choice_label("category", in.category);
  if (begin_combo("##in-category", cat_preview.c_str())) {
    for (const auto& code : talent::field_codes())
      if (ImGui::Selectable((choice_label("category", code) + "##opt-" + code).c_str(), in.category == code))
        in.category = code;
    ImGui::EndCombo();
  }
  ImGui::TextUnformatted(field_label("request", "urgency").c_str());
  for (int u = 1; u <= 3; ++u) {
    if (u > 1) ImGui::SameLine();
    if (ImGui::RadioButton((urgency_label(u) + "##in-urgency-" + std::to_string(u)).c_str(), in.urgency == u))
      in.urgency = u;
  }
  ImGui::TextUnformatted(field_label("request", "grid").c_str());
  ImGui::SetNextItemWidth(w);
  if (begin_combo("##in-grid", in.grid.empty() ? tr("in.pick") : title_of(state, "grid", in.grid).c_str())) {
    for (const Entity* g : state.list("grid"))
      if (ImGui::Selectable((g->text("name") + "##opt-" + g->id).c_str(), in.grid == g->id)) in.grid = g->id;
    ImGui::EndCombo();
  }
  ImGui::TextUnformatted(field_label("request", "intake_channel").c_str());
  for (const char* ch : {"hall", "doorstep", "phone"}) {
    if (std::string(ch) != "hall") ImGui::SameLine();
    if (ImGui::RadioButton((choice_label("intake_channel", ch) + "##in-channel-" + ch).c_str(), in.channel == ch))
      in.channel = ch;
  }
  // Parties: residents on record, found by name.
  ImGui::TextUnformatted(field_label("request", "parties").c_str());
  for (size_t i = 0; i < in.parties.size(); ++i) {
    const std::string id = in.parties[i];
    const Entity* r = state.find("resident", id);
    ImGui::TextUnformatted((r ? r->text("name") : id).c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton(label("in.remove", "in-party-remove-" + id).c_str())) {
      in.parties.erase(in.parties.begin() + static_cast<long>(i));
      break;
    }
  }
  ImGui::SetNextItemWidth(w);
  input_text("##in-party-search", &in.party_search, tr("in.party_hint"));
  const std::string q = fold_case(trim(in.party_search));
  if (!q.empty()) {
    int shown = 0;
    for (const Entity* r : state.list("resident")) {
      if (fold_case(r->text("name")).find(q) == std::string::npos) continue;
      if (std::count(in.parties.begin(), in.parties.end(), r->id)) continue;
      const Entity* hh = state.find("household", r->text("household"));
      const std::string where = hh ? hh->text("address") : std::string();
      if (ImGui::Button((r->text("name") + "  " + where + "##in-party-add-" + r->id).c_str())) {
        in.parties.push_back(r->id);
        in.party_search.clear();
        if (in.grid.empty() && hh) in.grid = hh->text("grid");
      }
      if (++shown >= 6) break;
    }
    if (shown == 0) ImGui::TextDisabled("%s", tr("in.no_party"));
  }
  ImGui::TextUnformatted(field_label("request", "description").c_str());
  input_multiline("##in-description", &in.description, ImVec2(w, ImGui::GetFontSize() * 4));
  ImGui::TextUnformatted(field_label("request", "contact_name").c_str());
  ImGui::SetNextItemWidth(w);
  input_text("##in-contact-name", &in.contact_name);
  ImGui::TextUnformatted(field_label("request", "contact_phone").c_str());
  ImGui::SetNextItemWidth(w);
  input_text("##in-contact-phone", &in.contact_phone);
  ImGui::Spacing();
  const int64_t now = f.status.now_local_minutes;
  ImGui::BeginDisabled(in.waiting || f.status.read_only);
  if (big_button(label("in.save", "in-save"))) {
    in.message.clear();
    in.error.clear();
    if (in.category.empty()) in.error = tr("in.need_category");
    else if (trim(in.description).empty()) in.error = tr("in.need_description");
    else if (now <= 0) in.error = tr("req.no_clock");
    else {
      Json fields{{"category", in.category},
                  {"urgency", in.urgency},
                  {"description", trim(in.description)},
                  {"intake_channel", in.channel},
                  {"recorded_at", format_datetime(now)}};
      if (!in.grid.empty()) fields["grid"] = in.grid;
      if (!in.parties.empty()) fields["parties"] = in.parties;
      if (!trim(in.contact_name).empty()) fields["contact_name"] = trim(in.contact_name);
      if (!trim(in.contact_phone).empty()) fields["contact_phone"] = trim(in.contact_phone);
      in.waiting = true;
      f.emit(CreateEntity{"request", fields, ""}, PendingAction{PendingAction::What::create, "request", "", ""});
    }
  }
  ImGui::EndDisabled();
  if (!in.message.empty()) {
    ImVec4 c = color_ok();
    status_text_wrapped(in.message, "in-message", &c);
  }
  if (!in.error.empty()) {
    ImVec4 c = color_error();
    status_text_wrapped(in.error, "in-error", &c);
  }
}

// ---------------------------------------------------------------------------
// A request's page
// ---------------------------------------------------------------------------

void emit_step(RequestsView& v, Frame& f, const std::string& request, const std::string& step,
               const std::string& expert = "", const std::string& trainee = "", int rating = 0,
               const std::string& comment = "") {
  const int64_t now = f.status.now_local_minutes;
  v.message.clear();
  v.error.clear();
  if (now <= 0) {
    v.error = tr("req.no_clock");
    return;
  }
  v.waiting = true;
  f.emit(CreateEntity{"request_step",
                      talent::step_fields(request, step, format_datetime(now), expert, trainee, rating, comment,
                                          trim(v.note)),
                      ""},
         PendingAction{PendingAction::What::create, "request_step", request, ""});
}

void draw_page(RequestsView& v, Frame& f, const talent::TalentView& tv, const talent::RequestView& r) {
  const State& state = f.state;
  if (big_button(label("req.back", "req-back"))) {
    v.selected.clear();
    return;
  }
  push_font_scale(1.25f);
  ImGui::TextUnformatted((choice_label("category", r.category) + " · " + urgency_label(r.urgency)).c_str());
  pop_font_scale();
  ImVec4 red = color_error(), green = color_ok();
  status_text(trf("req.state_is", {state_label(r.state)}), "req-state",
              r.state == "closed" || r.state == "rated" || r.state == "resolved" ? &green : nullptr);
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
  status_text(trf("req.assignee_is", {title_of(state, "expert", r.assignee_expert_id)}), "req-assignee");
  if (!r.trainee_id.empty()) {
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    status_text(trf("req.trainee_is", {title_of(state, "trainee", r.trainee_id)}), "req-trainee-shown");
  }
  if (talent::is_open_state(r.state)) {
    status_text(r.overdue ? trf("req.overdue_since", {short_time(r.due_minute)})
                          : trf("req.due_at", {short_time(r.due_minute)}),
                "req-due", r.overdue ? &red : nullptr);
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 40));
  ImGui::TextUnformatted(r.description.c_str());
  std::string parties;
  for (const auto& p : r.party_resident_ids) parties += (parties.empty() ? "" : "、") + title_of(state, "resident", p);
  ImGui::TextDisabled("%s", trf("req.facts", {short_time(r.recorded_minute), choice_label("intake_channel", r.channel),
                                              title_of(state, "grid", r.grid_id), parties.empty() ? "—" : parties,
                                              r.contact_name.empty() ? "—" : r.contact_name})
                                .c_str());
  ImGui::PopTextWrapPos();
  ImGui::Separator();

  const auto allowed = talent::steps_allowed_in(r.state);
  auto can = [&](const char* s) { return std::count(allowed.begin(), allowed.end(), s) > 0; };
  ImGui::BeginDisabled(v.waiting || f.status.read_only);
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 22));
  input_text("##req-note", &v.note, tr("req.note_hint"));
  // Plain steps.
  bool any = false;
  for (const char* s : {"triage", "start", "resolve", "not_resolve", "close", "reopen"}) {
    if (!can(s)) continue;
    if (any) ImGui::SameLine();
    any = true;
    if (big_button(std::string(tr((std::string("req.do.") + s).c_str())) + "##req-step-" + s)) {
      const std::string who = (std::string(s) == "resolve" || std::string(s) == "not_resolve") ? r.assignee_expert_id : "";
      emit_step(v, f, r.id, s, who);
    }
  }
  // Rating (the resident's, at closing).
  if (can("rate")) {
    ImGui::Spacing();
    ImGui::TextUnformatted(tr("req.rate_prompt"));
    for (int k = 1; k <= 5; ++k) {
      if (k > 1) ImGui::SameLine();
      if (ImGui::RadioButton((std::to_string(k) + "##req-rate-" + std::to_string(k)).c_str(), v.rating == k)) v.rating = k;
    }
    ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 22));
    input_text("##req-comment", &v.comment, tr("req.comment_hint"));
    ImGui::BeginDisabled(v.rating == 0);
    if (big_button(label("req.rate_save", "req-rate-save"))) emit_step(v, f, r.id, "rate", "", "", v.rating, trim(v.comment));
    ImGui::EndDisabled();
  }
  // Assignment through the shortlist.
  if (can("assign")) {
    ImGui::Spacing();
    ImGui::TextUnformatted(r.assignee_expert_id.empty() ? tr("req.shortlist") : tr("req.shortlist_reassign"));
    // The one call site of the matching (core/matching.h): ranked, with
    // reasons, conflicts of interest filtered and counted.
    auto ranked = matching::shortlist(state, tv, r.id);
    matching::Shortlist sl = ranked ? std::move(ranked).value() : matching::Shortlist{};
    std::string filtered;
    for (const auto& reason : sl.filtered) filtered += (filtered.empty() ? "" : "；") + reason_text(reason);
    status_text_wrapped(filtered.empty() ? std::string(tr("req.none_filtered")) : filtered, "req-shortlist-filtered");
    // A trainee may go along (their mentor among the shortlist, or anyone).
    const auto trainees = state.list("trainee");
    ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 16));
    if (begin_combo("##req-trainee", v.trainee.empty() ? tr("req.no_trainee") : title_of(state, "trainee", v.trainee).c_str())) {
      if (ImGui::Selectable(label("req.no_trainee", "opt-none").c_str(), v.trainee.empty())) v.trainee.clear();
      for (const Entity* t : trainees)
        if (ImGui::Selectable((t->text("name") + " (" + title_of(state, "expert", t->text("mentor")) + ")##opt-" + t->id).c_str(),
                              v.trainee == t->id))
          v.trainee = t->id;
      ImGui::EndCombo();
    }
    int shown = 0;
    for (const auto& c : sl.ranked) {
      if (c.expert_id == r.assignee_expert_id) continue;
      if (++shown > 8) break;
      const auto* e = tv.expert(c.expert_id);
      std::string why;
      for (const auto& reason : c.reasons) why += (why.empty() ? "" : " · ") + reason_text(reason);
      if (big_button(trf("req.assign_to", {e ? e->name : c.expert_id}) + "##req-assign-" + c.expert_id))
        emit_step(v, f, r.id, "assign", c.expert_id, v.trainee);
      ImGui::SameLine();
      ImGui::TextDisabled("%s", why.c_str());
    }
    if (sl.ranked.empty()) {
      ImVec4 amber = color_warning();
      status_text_wrapped(tr("req.nobody"), "req-nobody", &amber);
    }
  }
  ImGui::EndDisabled();
  if (!v.message.empty()) status_text_wrapped(v.message, "req-message", &green);
  if (!v.error.empty()) status_text_wrapped(v.error, "req-error", &red);

  ImGui::Separator();
  ImGui::TextUnformatted(tr("req.history"));
  status_text(trf("req.history_recorded", {short_time(r.recorded_minute), choice_label("intake_channel", r.channel)}),
              "req-history-recorded");
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const auto& s = r.steps[i];
    std::string line = short_time(s.at_minute) + "  " + choice_label("step", s.step);
    if (!s.expert_id.empty()) line += " · " + title_of(state, "expert", s.expert_id);
    if (!s.trainee_id.empty()) line += " + " + title_of(state, "trainee", s.trainee_id);
    if (s.rating > 0) line += " · " + trf("req.stars", {std::to_string(s.rating)});
    if (!s.comment.empty()) line += " “" + s.comment + "”";
    if (!s.note.empty()) line += " （" + s.note + "）";
    line += "  — " + author_text(s.author);
    if (!s.applied) {
      line += "  " + trf("req.not_applied", {state_label(s.state_before)});
      ImVec4 amber = color_warning();
      status_text_wrapped(line, ("req-history-" + std::to_string(i)).c_str(), &amber);
    } else {
      status_text_wrapped(line, ("req-history-" + std::to_string(i)).c_str());
    }
  }
}

// Kiosk and projector devices receive no requests (docs/security.md); their
// screens say so instead of showing what the device itself recorded.
bool restricted_device(const Frame& f) {
  return f.status.sync.role == "kiosk" || f.status.sync.role == "projector";
}

void draw_restricted() {
  ImVec4 amber = color_warning();
  status_text_wrapped(tr("req.restricted"), "req-restricted", &amber);
}

}  // namespace

void draw_requests(RequestsView& v, Frame& f) {
  if (restricted_device(f)) {
    push_font_scale(1.3f);
    ImGui::TextUnformatted(tr("nav.requests"));
    pop_font_scale();
    draw_restricted();
    return;
  }
  const int64_t now = f.status.now_local_minutes;
  const talent::TalentView& tv = v.cache.get(f.state, now);
  push_font_scale(1.3f);
  ImGui::TextUnformatted(tr("nav.requests"));
  pop_font_scale();
  if (!v.selected.empty()) {
    if (const talent::RequestView* r = tv.request(v.selected)) {
      draw_page(v, f, tv, *r);
      return;
    }
    v.selected.clear();
  }
  if (big_button(label("req.tab.board", "req-tab-board"))) v.tab = RequestsView::Tab::board;
  ImGui::SameLine();
  if (big_button(label("req.tab.intake", "req-tab-intake"))) v.tab = RequestsView::Tab::intake;
  ImGui::Separator();
  if (v.tab == RequestsView::Tab::intake) draw_intake(v, f);
  else draw_board(v, f, tv);
}

void requests_commit_result(RequestsView& v, const PendingAction& action, const std::string& error) {
  if (action.kind == "request") {
    IntakeForm& in = v.intake;
    in.waiting = false;
    if (error.empty()) {
      in = IntakeForm{};
      in.message = tr("in.saved");
    } else {
      in.error = error;
    }
    return;
  }
  v.waiting = false;
  if (error.empty()) {
    v.message = tr("req.step_saved");
    v.note.clear();
    v.comment.clear();
    v.rating = 0;
  } else {
    v.error = error;
  }
}

}  // namespace dh::ui
