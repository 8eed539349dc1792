// The deliberation area (ui/deliberation_screens.h).
#include "ui/deliberation_screens.h"

#include <algorithm>
#include <chrono>

#include "core/civil_time.h"
#include "core/deliberation.h"
#include "core/minutes.h"
#include "core/text.h"
#include "ui/date_widgets.h"
#include "ui/form.h"
#include "core/typed_when.h"
#include "imgui.h"
#include "ui/checkin_qr.h"  // new_checkin_key: a random code of a-z0-9
#include "ui/projector_control.h"
#include "ui/strings.h"
#include "ui/when_text.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace dl = dh::deliberation;

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string id_label(const std::string& text, const std::string& id) { return text + "##" + id; }

bool big_button(const std::string& text, const std::string& id, float scale = 1.2f) {
  return ImGui::Button(id_label(text, id).c_str(), ImVec2(0, ImGui::GetFrameHeight() * scale));
}

void heading(const char* key) {
  ImGui::Spacing();
  push_font_scale(1.2f);
  ImGui::TextUnformatted(tr(key));
  pop_font_scale();
  ImGui::Separator();
}

// A combo over (id, text) pairs; "" allowed as "none" when none_key is given.
bool combo(const char* id, std::string* value, const std::vector<std::pair<std::string, std::string>>& items,
           const char* none_key = nullptr) {
  std::string preview = none_key ? tr(none_key) : "";
  for (const auto& [k, t] : items)
    if (k == *value) preview = t;
  bool changed = false;
  if (begin_combo((std::string("##") + id).c_str(), preview.c_str())) {
    if (none_key && ImGui::Selectable((std::string(tr(none_key)) + "##opt-none").c_str(), value->empty())) {
      value->clear();
      changed = true;
    }
    for (const auto& [k, t] : items)
      if (ImGui::Selectable((t + "##opt-" + k).c_str(), k == *value)) {
        *value = k;
        changed = true;
      }
    ImGui::EndCombo();
  }
  return changed;
}

std::vector<std::pair<std::string, std::string>> choice_items(const char* kind, const char* field) {
  std::vector<std::pair<std::string, std::string>> out;
  const KindSpec* k = find_kind(kind);
  const FieldSpec* f = k ? k->field(field) : nullptr;
  if (f)
    for (const auto& c : f->choices) out.emplace_back(c, choice_label(field, c));
  return out;
}

std::vector<std::pair<std::string, std::string>> member_items(const State& s, const std::string& council,
                                                              bool entitled_only = false) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : dl::members_view(s, council))
    if (!entitled_only || m.entitled) out.emplace_back(m.id, m.name);
  return out;
}

std::string option_text(const dl::PollView& p, size_t i) {
  if (i >= p.options.size()) return std::to_string(i + 1);
  if (p.method == "yes_no_abstain") return tr(("delib.opt." + p.options[i]).c_str());
  return p.options[i];
}

void emit(Frame& f, DeliberationView& v, Command cmd, const std::string& kind, PendingAction::What what) {
  v.error.clear();
  PendingAction a;
  a.what = what;
  a.kind = kind;
  f.emit(std::move(cmd), a);
}
template <class T>
bool emit_result(Frame& f, DeliberationView& v, const Result<T>& r, const std::string& kind) {
  if (!r) {
    v.error = error_text(r.error().code, r.error().message);
    return false;
  }
  emit(f, v, Command(r.value()), kind, PendingAction::What::save);
  return true;
}

void save_file(Frame& f, DeliberationView& v, FileRequest::Action action, const std::string& name, const char* mime,
               std::string bytes) {
  f.ask(SaveFile{FileRequest{action, name, mime, std::move(bytes)}});
  v.message = trf(action == FileRequest::Action::print ? "delib.printing" : "delib.exported", {name});
}

// ---- Councils ------------------------------------------------------------------

void draw_councils(DeliberationView& v, Frame& f) {
  const State& s = f.state;
  heading("delib.councils");
  for (const Entity* c : s.list("council")) {
    const std::string text = c->text("name") + "  ·  " + choice_label("tier", c->text("tier")) + "  ·  " +
                             choice_label("council_scope", c->text("council_scope"));
    if (ImGui::Selectable(id_label(text, "delib-council-" + c->id).c_str(), v.council_id == c->id)) v.council_id = c->id;
  }
  ImGui::Spacing();
  ImGui::TextUnformatted(tr("delib.new_council"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  input_text("##delib-council-name", &v.new_council_name, tr("field.council.name"));
  ImGui::SameLine();
  for (const char* tier : {"level1", "level2"}) {
    if (ImGui::RadioButton(id_label(choice_label("tier", tier), std::string("delib-council-tier-") + tier).c_str(),
                           v.new_council_tier == tier))
      v.new_council_tier = tier;
    ImGui::SameLine();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  combo("delib-council-scope", &v.new_council_scope, choice_items("council", "council_scope"));
  ImGui::SameLine();
  if (ImGui::Button(label("delib.add", "delib-add-council").c_str())) {
    emit(f, v,
         CreateEntity{"council",
                      Json{{"name", v.new_council_name}, {"tier", v.new_council_tier}, {"council_scope", v.new_council_scope},
                           {"quorum_percent", 50}, {"proxy_limit", 1}},
                      ""},
         "council", PendingAction::What::create);
    v.new_council_name.clear();
  }

  if (v.council_id.empty()) return;
  heading("delib.members");
  if (ImGui::BeginTable("##delib-members", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders)) {
    ImGui::TableSetupColumn(tr("field.council_member.name"));
    ImGui::TableSetupColumn(tr("field.council_member.member_category"));
    ImGui::TableSetupColumn(tr("field.council_member.council_role"));
    ImGui::TableSetupColumn(tr("field.council_member.entitled"));
    ImGui::TableHeadersRow();
    for (const auto& m : dl::members_view(s, v.council_id)) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      status_text(m.name, ("delib-member-row-" + m.id).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(choice_label("member_category", m.category).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(m.role.empty() ? "" : choice_label("council_role", m.role).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(m.entitled ? tr("delib.yes") : tr("delib.no"));
    }
    ImGui::EndTable();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  input_text("##delib-member-name", &v.member_name, tr("field.council_member.name"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  combo("delib-member-category", &v.member_category, choice_items("council_member", "member_category"));
  ImGui::SameLine();
  ImGui::Checkbox(label("field.council_member.entitled", "delib-member-entitled").c_str(), &v.member_entitled);
  ImGui::SameLine();
  if (ImGui::Button(label("delib.add", "delib-add-member").c_str())) {
    emit(f, v,
         CreateEntity{"council_member",
                      Json{{"council", v.council_id}, {"name", v.member_name}, {"member_category", v.member_category},
                           {"entitled", v.member_entitled}},
                      ""},
         "council_member", PendingAction::What::create);
    v.member_name.clear();
  }
  ImGui::TextDisabled("%s", tr("delib.more_in_base"));
}

// ---- Setup ---------------------------------------------------------------------

void draw_setup(DeliberationView& v, Frame& f) {
  const State& s = f.state;
  heading("delib.new_meeting");
  if (v.council_id.empty()) {
    ImGui::TextUnformatted(tr("delib.pick_council"));
  } else {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
    input_text("##delib-meeting-title", &v.meeting_title, tr("field.meeting.title"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    input_text("##delib-meeting-place", &v.meeting_place, tr("field.meeting.place"));
    // When: typed in any form people write it, or picked on the calendar.
    ImGui::TextUnformatted(tr("field.meeting.start"));
    date_field("delib-meeting-start", &v.meeting_start, true, form_today());
    if (ImGui::Button(label("delib.add", "delib-add-meeting").c_str())) {
      auto when = typed_datetime(trim(v.meeting_start), form_today());
      if (!when) {
        v.error = when_problem_text(when.error());
      } else {
        Json fields{{"council", v.council_id}, {"title", v.meeting_title}, {"start", when.value()},
                    {"meeting_state", "planned"}};
        if (!v.meeting_place.empty()) fields["place"] = v.meeting_place;
        emit(f, v, CreateEntity{"meeting", fields, ""}, "meeting", PendingAction::What::create);
      }
    }
  }
  if (v.meeting_id.empty()) return;
  const dl::MeetingView m = dl::meeting_view(s, v.meeting_id);

  heading("delib.cards");
  ImGui::TextWrapped("%s", tr("delib.cards_what"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputInt("##delib-cards-count", &v.cards_count);
  v.cards_count = std::clamp(v.cards_count, 1, 200);
  ImGui::SameLine();
  if (ImGui::Button(label("delib.make_cards", "delib-make-cards").c_str())) {
    std::vector<std::string> codes;
    for (int i = 0; i < v.cards_count; ++i) {
      codes.push_back(new_checkin_key());
      auto c = dl::new_ballot_card(v.meeting_id, codes.back());
      if (c) emit(f, v, c.value(), "ballot_card", PendingAction::What::create);
    }
    save_file(f, v, FileRequest::Action::print, std::string(tr("delib.file_cards")) + "-" + m.title + ".html",
              "text/html;charset=utf-8", dl::ballot_cards_html(s, v.meeting_id, codes));
  }

  heading("delib.agenda");
  for (const auto& a : m.agenda) ImGui::Text("%d. %s", a.order, a.title.c_str());
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  input_text("##delib-agenda-title", &v.agenda_title, tr("field.agenda_item.title"));
  ImGui::SameLine();
  if (ImGui::Button(label("delib.add", "delib-add-agenda").c_str())) {
    const int order = m.agenda.empty() ? 1 : m.agenda.back().order + 1;
    emit(f, v,
         CreateEntity{"agenda_item", Json{{"meeting", v.meeting_id}, {"title", v.agenda_title}, {"order", order},
                                          {"item_state", "pending"}}, ""},
         "agenda_item", PendingAction::What::create);
    v.agenda_title.clear();
  }

  heading("delib.motions");
  const auto members = member_items(s, m.council_id);
  const auto motions = dl::motions_view(s, v.meeting_id);
  for (const auto& mo : motions) {
    std::string sec;
    for (const auto& n : mo.seconder_names) sec += (sec.empty() ? "" : "、") + n;
    ImGui::TextWrapped("%s  —  %s %s  ·  %s %s%s", mo.title.c_str(), tr("field.motion.proposer"),
                       mo.proposer_name.c_str(), tr("field.motion.seconders"), sec.empty() ? "—" : sec.c_str(),
                       mo.amends_id.empty() ? "" : ("  ·  " + std::string(tr("field.motion.amends")) + " " +
                                                    dl::motion_view(s, mo.amends_id).title).c_str());
    ImGui::SameLine();
    std::string second;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (combo(("delib-second-" + mo.id).c_str(), &second, members, "delib.add_seconder") && !second.empty()) {
      Json list = Json::array();
      if (const Entity* e = s.find("motion", mo.id); e && e->get("seconders").is_array()) list = e->get("seconders");
      if (std::find(list.begin(), list.end(), Json(second)) == list.end()) list.push_back(second);
      emit(f, v, EditEntity{"motion", mo.id, Json{{"seconders", list}, {"motion_state", "seconded"}}}, "motion",
           PendingAction::What::save);
    }
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  input_text("##delib-motion-title", &v.motion_title, tr("field.motion.title"));
  input_multiline("##delib-motion-text", &v.motion_text, ImVec2(ImGui::GetFontSize() * 30, ImGui::GetFontSize() * 4));
  ImGui::TextUnformatted(tr("field.motion.proposer"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  combo("delib-motion-proposer", &v.motion_proposer, members);
  ImGui::SameLine();
  ImGui::TextUnformatted(tr("field.motion.amends"));
  ImGui::SameLine();
  std::vector<std::pair<std::string, std::string>> motion_items;
  for (const auto& mo : motions) motion_items.emplace_back(mo.id, mo.title);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  combo("delib-motion-amends", &v.motion_amends, motion_items, "delib.none");
  ImGui::SameLine();
  if (ImGui::Button(label("delib.add", "delib-add-motion").c_str())) {
    Json fields{{"meeting", v.meeting_id}, {"title", v.motion_title}, {"text", v.motion_text},
                {"proposer", v.motion_proposer}, {"motion_state", "proposed"}};
    if (!v.motion_amends.empty()) fields["amends"] = v.motion_amends;
    emit(f, v, CreateEntity{"motion", fields, ""}, "motion", PendingAction::What::create);
  }

  heading("delib.polls");
  for (const auto& p : dl::polls_view(s, v.meeting_id))
    ImGui::BulletText("%s  ·  %s  ·  %s%s", p.title.c_str(), choice_label("voting_method", p.method).c_str(),
                      choice_label("poll_state", p.state).c_str(), p.secret ? (std::string("  ·  ") + tr("field.poll.secret")).c_str() : "");
  ImGui::TextUnformatted(tr("field.poll.motion"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  if (combo("delib-poll-motion", &v.poll_motion, motion_items, "delib.none") && !v.poll_motion.empty())
    v.poll_title = dl::motion_view(s, v.poll_motion).title;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  input_text("##delib-poll-title", &v.poll_title, tr("field.poll.title"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  combo("delib-poll-method", &v.poll_method, choice_items("poll", "voting_method"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  combo("delib-poll-threshold", &v.poll_threshold, choice_items("poll", "threshold"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  combo("delib-poll-base", &v.poll_base, choice_items("poll", "threshold_base"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  combo("delib-poll-unit", &v.poll_unit, choice_items("poll", "vote_unit"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  combo("delib-poll-mode", &v.poll_mode, choice_items("poll", "voting_mode"));
  ImGui::SameLine();
  ImGui::Checkbox(label("field.poll.secret", "delib-poll-secret").c_str(), &v.poll_secret);
  if (v.poll_method != "yes_no_abstain") {
    ImGui::TextUnformatted(tr("delib.options_hint"));
    input_multiline("##delib-poll-options", &v.poll_options, ImVec2(ImGui::GetFontSize() * 16, ImGui::GetFontSize() * 4));
    if (v.poll_method == "multiple_choice") {
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
      ImGui::InputInt(label("field.poll.max_choices", "delib-poll-max").c_str(), &v.poll_max);
    }
  }
  if (ImGui::Button(label("delib.add_poll", "delib-add-poll").c_str())) {
    Json fields{{"meeting", v.meeting_id}, {"title", v.poll_title}, {"voting_method", v.poll_method},
                {"threshold", v.poll_threshold}, {"threshold_base", v.poll_base}, {"vote_unit", v.poll_unit},
                {"voting_mode", v.poll_mode}, {"secret", v.poll_secret}, {"poll_state", "draft"}};
    if (!v.poll_motion.empty()) fields["motion"] = v.poll_motion;
    if (v.poll_method != "yes_no_abstain") {
      Json opts = Json::array();
      size_t start = 0;
      while (start <= v.poll_options.size()) {
        size_t nl = v.poll_options.find('\n', start);
        std::string o = trim(v.poll_options.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (!o.empty()) opts.push_back(o);
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      fields["options"] = opts;
      if (v.poll_method == "multiple_choice") fields["max_choices"] = std::max(1, v.poll_max);
    }
    emit(f, v, CreateEntity{"poll", fields, ""}, "poll", PendingAction::What::create);
  }

}

// ---- Chair ---------------------------------------------------------------------

void draw_poll_controls(DeliberationView& v, Frame& f, const dl::PollView& p) {
  const State& s = f.state;
  ImGui::PushID(p.id.c_str());
  ImGui::Spacing();
  push_font_scale(1.1f);
  ImGui::TextWrapped("%s", p.title.c_str());
  pop_font_scale();
  ImGui::TextDisabled("%s  ·  %s  ·  %s%s", choice_label("voting_method", p.method).c_str(),
                      choice_label("poll_state", p.state).c_str(), choice_label("vote_unit", p.vote_unit).c_str(),
                      p.secret ? (std::string("  ·  ") + tr("field.poll.secret")).c_str() : "");
  status_text(trf("delib.count", {std::to_string(p.ballots_received), std::to_string(p.present), std::to_string(p.entitled)}),
              ("delib-count-" + p.id).c_str());
  if (p.state == "draft" && big_button(tr("delib.open_poll"), "delib-open-" + p.id))
    emit(f, v, dl::open_poll(p.id), "poll", PendingAction::What::save);
  if (p.state == "open" && big_button(tr("delib.close_poll"), "delib-close-" + p.id))
    emit_result(f, v, dl::close_poll(s, p.id), "poll");
  if (p.state == "closed" || p.state == "published") {
    dl::PollAudit a = dl::poll_audit(s, p.id);
    const auto& r = a.result;
    std::string votes;
    for (size_t i = 0; i < r.votes.size(); ++i)
      votes += (i ? "  " : "") + option_text(p, i) + " " + std::to_string(r.votes[i]);
    status_text_wrapped(trf("delib.result_line", {std::to_string(r.entitled), std::to_string(r.present),
                                                   std::to_string(r.cast), std::to_string(r.valid), votes,
                                                   std::string(tr(("delib.outcome." + r.outcome).c_str()))}),
                        ("delib-result-" + p.id).c_str());
    ImGui::TextDisabled("%s", trf("delib.audit_line", {std::to_string(a.late), std::to_string(a.replaced),
                                                       std::to_string(a.rejected)}).c_str());
    if (r.quorum_required)
      ImGui::TextUnformatted(r.quorum_met ? tr("delib.quorum_met") : tr("delib.quorum_not_met"));
    ImGui::TextUnformatted(r.threshold_met ? tr("delib.threshold_met") : tr("delib.threshold_not_met"));
    if (a.paper_mismatch) {
      ImVec4 warn = color_warning();
      status_text_wrapped(tr("delib.paper_mismatch"), ("delib-mismatch-" + p.id).c_str(), &warn);
    }
    if (p.state == "closed" && p.mode == "paper") {
      auto& counts = v.paper_counts[p.id];
      counts.resize(p.options.size(), 0);
      for (size_t i = 0; i < counts.size(); ++i) {
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
        ImGui::InputInt(id_label(option_text(p, i), "delib-paper-" + p.id + "-" + std::to_string(i)).c_str(), &counts[i]);
        ImGui::SameLine();
      }
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
      ImGui::InputInt(label("field.poll.paper_invalid", "delib-paper-invalid-" + p.id).c_str(), &v.paper_invalid[p.id]);
      ImGui::SameLine();
      if (ImGui::Button(label("delib.save_counts", "delib-paper-save-" + p.id).c_str()))
        emit_result(f, v, dl::enter_paper_counts(s, p.id, counts, std::max(0, v.paper_invalid[p.id])), "poll");
    }
    if (p.state == "closed" && big_button(tr("delib.publish"), "delib-publish-" + p.id))
      emit_result(f, v, dl::publish_poll(s, p.id), "poll");
    if (p.state == "published") {
      bool decided = false;
      for (const Entity* d : s.referring("decision", "poll", p.id)) decided = decided || d->live();
      if (!decided && ImGui::Button(label("delib.record_decision", "delib-decide-" + p.id).c_str())) {
        const std::string outcome = r.outcome == "carried" || r.outcome == "elected" ? "carried" : "lost";
        Json fields{{"meeting", p.meeting_id}, {"poll", p.id}, {"text", p.title}, {"decision_outcome", outcome}};
        if (!p.motion_id.empty()) fields["motion"] = p.motion_id;
        emit(f, v, CreateEntity{"decision", fields, ""}, "decision", PendingAction::What::create);
        if (!p.motion_id.empty())
          emit(f, v, EditEntity{"motion", p.motion_id, Json{{"motion_state", "voted"}}}, "motion",
               PendingAction::What::save);
      }
    }
  }
  ImGui::PopID();
}

void draw_chair(DeliberationView& v, Frame& f) {
  const State& s = f.state;
  if (v.meeting_id.empty()) {
    ImGui::TextUnformatted(tr("delib.pick_meeting"));
    return;
  }
  const dl::MeetingView m = dl::meeting_view(s, v.meeting_id);
  const int64_t now = wall_ms();
  if (m.state == "planned" && big_button(tr("delib.start_meeting"), "delib-start"))
    emit(f, v, EditEntity{"meeting", m.id, Json{{"meeting_state", "in_session"}}}, "meeting", PendingAction::What::save);
  if (m.state == "in_session" && ImGui::Button(label("delib.adjourn", "delib-adjourn").c_str()))
    emit(f, v, EditEntity{"meeting", m.id, Json{{"meeting_state", "adjourned"}}}, "meeting", PendingAction::What::save);

  if (ImGui::BeginTable("##delib-chair", 2, ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    // Door: attendance and proxies.
    heading("delib.door");
    const dl::AttendanceView att = dl::attendance_view(s, m.id);
    status_text(trf("delib.turnout", {std::to_string(att.entitled), std::to_string(att.present), std::to_string(att.represented)}),
                "delib-turnout");
    const bool has_cards = !s.referring("ballot_card", "meeting", m.id).empty();
    if (has_cards) ImGui::Checkbox(label("delib.hand_card", "delib-hand-card").c_str(), &v.hand_card);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    if (input_text("##delib-door-scan", &v.door_scan, tr("delib.scan_hint"), ImGuiInputTextFlags_EnterReturnsTrue)) {
      // A badge scanner types the member's id and Enter.
      const std::string id = trim(v.door_scan);
      v.door_scan.clear();
      const Entity* member = s.find("council_member", id);
      if (!member || member->text("council") != m.council_id) {
        v.error = trf("delib.unknown_badge", {id});
      } else {
        Json fields{{"meeting", m.id}, {"member", id}, {"check_in_method", "qr"},
                    {"arrived", format_datetime(local_minutes_from_utc_ms(now))}};
        if (has_cards) fields["card_handed"] = v.hand_card;
        emit(f, v, CreateEntity{"attendance", fields, ""}, "attendance", PendingAction::What::create);
        v.message = trf("delib.arrived", {member->text("name")});
      }
    }
    for (const auto& r : att.rows) {
      ImGui::PushID(r.member_id.c_str());
      if (r.present) {
        ImGui::TextColored(color_ok(), "%s  %s %s", r.name.c_str(), tr("delib.present"),
                           choice_label("check_in_method", r.method).c_str());
      } else if (!r.proxy_holder_id.empty()) {
        ImGui::Text("%s  %s", r.name.c_str(), trf("delib.by_proxy", {r.proxy_holder_name}).c_str());
      } else {
        ImGui::TextUnformatted(r.name.c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton(label("delib.arrive", "delib-arrive-" + r.member_id).c_str())) {
          Json fields{{"meeting", m.id}, {"member", r.member_id}, {"check_in_method", "list"},
                      {"arrived", format_datetime(local_minutes_from_utc_ms(now))}};
          if (has_cards) fields["card_handed"] = v.hand_card;
          emit(f, v, CreateEntity{"attendance", fields, ""}, "attendance", PendingAction::What::create);
        }
      }
      ImGui::PopID();
    }
    const auto members = member_items(s, m.council_id, true);
    ImGui::TextUnformatted(tr("delib.proxy"));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    combo("delib-proxy-absent", &v.proxy_absent, members, "field.proxy.absent_member");
    ImGui::SameLine();
    ImGui::TextUnformatted(tr("delib.gives_proxy_to"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    combo("delib-proxy-holder", &v.proxy_holder, members, "field.proxy.holder");
    ImGui::SameLine();
    if (ImGui::Button(label("delib.add", "delib-add-proxy").c_str()))
      emit(f, v, CreateEntity{"proxy", Json{{"meeting", m.id}, {"absent_member", v.proxy_absent}, {"holder", v.proxy_holder}}, ""},
           "proxy", PendingAction::What::create);

    // Speakers.
    heading("delib.speakers");
    const dl::SpeakersView sp = dl::speakers_view(s, m.id);
    if (sp.turn_started_ms > 0) {
      const long long left = sp.turn_seconds - (now - sp.turn_started_ms) / 1000;
      ImVec4 col = left < 0 ? color_error() : left < 30 ? color_warning() : color_ok();
      push_font_scale(1.4f);
      status_text(trf("delib.timer", {std::to_string(std::max(0LL, left) / 60),
                                      (std::max(0LL, left) % 60 < 10 ? "0" : "") + std::to_string(std::max(0LL, left) % 60)}),
                  "delib-timer", &col);
      pop_font_scale();
    }
    for (const auto& q : sp.queue) ImGui::BulletText("%s%s", q.name.c_str(), q.speaking ? tr("delib.speaking") : "");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    combo("delib-speaker-pick", &v.speaker_pick, member_items(s, m.council_id), "delib.none");
    ImGui::SameLine();
    if (ImGui::Button(label("delib.add_speaker", "delib-add-speaker").c_str()) && !v.speaker_pick.empty()) {
      int order = 1;
      for (const Entity* e : s.referring("speaker", "meeting", m.id)) {
        const Json& o = e->get("order");
        if (o.is_number_integer()) order = std::max(order, static_cast<int>(o.get<long long>()) + 1);
      }
      emit(f, v, CreateEntity{"speaker", Json{{"meeting", m.id}, {"member", v.speaker_pick}, {"order", order},
                                              {"speaker_state", "waiting"}}, ""},
           "speaker", PendingAction::What::create);
    }
    if (!sp.queue.empty() && big_button(tr("delib.next_speaker"), "delib-next-speaker", 1.0f)) {
      size_t next = 0;
      if (sp.queue[0].speaking) {
        emit(f, v, EditEntity{"speaker", sp.queue[0].id, Json{{"speaker_state", "done"}}}, "speaker",
             PendingAction::What::save);
        next = 1;
      }
      if (next < sp.queue.size())
        emit(f, v, EditEntity{"speaker", sp.queue[next].id, Json{{"speaker_state", "speaking"}, {"turn_started_ms", now}}},
             "speaker", PendingAction::What::save);
    }

    ImGui::TableNextColumn();
    heading("delib.polls");
    for (const auto& p : dl::polls_view(s, m.id)) draw_poll_controls(v, f, p);
    heading("delib.projector");
    // The projector feature's widget: preview of a slide and "project this".
    draw_projector_control(s, m.id, f.out);
    ImGui::EndTable();
  }
}

// ---- Tablet ----------------------------------------------------------------------

void draw_vote(DeliberationView& v, Frame& f) {
  const State& s = f.state;
  if (v.meeting_id.empty()) {
    ImGui::TextUnformatted(tr("delib.pick_meeting"));
    return;
  }
  const auto polls = dl::polls_view(s, v.meeting_id);
  bool any_open = false;
  for (const auto& p : polls) {
    if (p.state != "open") continue;
    if (any_open) ImGui::SameLine();
    any_open = true;
    if (ImGui::RadioButton(id_label(p.title, "delib-vote-poll-" + p.id).c_str(), v.vote_poll == p.id) && v.vote_poll != p.id) {
      v.vote_poll = p.id;
      v.vote_marks.clear();
      v.vote_cast = false;
    }
  }
  if (!any_open) {
    push_font_scale(1.3f);
    status_text_wrapped(tr("delib.no_open_poll"), "delib-vote-none");
    pop_font_scale();
  }
  if (v.vote_poll.empty()) return;
  const dl::PollView p = dl::poll_view(s, v.vote_poll);
  push_font_scale(1.6f);
  status_text_wrapped(p.title, "delib-vote-title");
  pop_font_scale();
  if (!p.motion_id.empty()) ImGui::TextWrapped("%s", dl::motion_view(s, p.motion_id).text.c_str());

  if (v.vote_cast) {
    push_font_scale(1.4f);
    ImVec4 green = color_ok(), amber = color_warning();
    if (f.status.saved_on_device && !f.status.flush_in_progress && f.status.storage_error.empty())
      status_text_wrapped(tr("delib.vote_saved"), "delib-vote-saved", &green);
    if (!f.status.online || f.status.sync.waiting_ops > 0)
      status_text_wrapped(tr("delib.vote_pending"), "delib-vote-pending", &amber);
    else
      status_text_wrapped(tr("delib.vote_synced"), "delib-vote-synced", &green);
    pop_font_scale();
    if (big_button(tr("delib.next_voter"), "delib-vote-next", 1.5f)) {
      v.vote_cast = false;
      v.vote_marks.clear();
      v.vote_card.clear();
      v.vote_voter.clear();
      v.vote_for.clear();
    }
    return;
  }
  if (p.state != "open") {
    status_text_wrapped(tr("delib.poll_closed"), "delib-vote-closed");
    return;
  }
  const std::string council = dl::meeting_view(s, v.meeting_id).council_id;
  if (p.secret) {
    ImGui::TextUnformatted(tr("delib.card_prompt"));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
    input_text("##delib-vote-card", &v.vote_card, "abcd efgh ...", ImGuiInputTextFlags_Password);
  } else {
    ImGui::TextUnformatted(tr("delib.who_votes"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    combo("delib-vote-voter", &v.vote_voter, member_items(s, council, false));
    std::vector<std::pair<std::string, std::string>> held;
    for (const auto& [absent, holder] : dl::effective_proxies(s, v.meeting_id))
      if (holder == v.vote_voter) {
        const Entity* e = s.find("council_member", absent);
        held.emplace_back(absent, e ? e->text("name") : absent);
      }
    if (!held.empty()) {
      ImGui::SameLine();
      ImGui::TextUnformatted(tr("delib.vote_for"));
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
      combo("delib-vote-for", &v.vote_for, held, "delib.myself");
    }
  }
  const bool ranked = p.method == "ranked_choice";
  const bool multiple = p.method == "multiple_choice";
  if (ranked) ImGui::TextUnformatted(tr("delib.rank_hint"));
  for (size_t i = 0; i < p.options.size(); ++i) {
    auto it = std::find(v.vote_marks.begin(), v.vote_marks.end(), static_cast<int>(i));
    const bool chosen = it != v.vote_marks.end();
    std::string text = option_text(p, i);
    if (ranked && chosen) text = std::to_string(it - v.vote_marks.begin() + 1) + ". " + text;
    if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    const bool pressed = ImGui::Button(id_label(text, "delib-vote-opt-" + std::to_string(i)).c_str(),
                                       ImVec2(ImGui::GetFontSize() * 16, ImGui::GetFrameHeight() * 2));
    if (chosen) ImGui::PopStyleColor();
    if (pressed) {
      if (ranked || multiple) {
        if (chosen) v.vote_marks.erase(it);
        else v.vote_marks.push_back(static_cast<int>(i));
      } else {
        v.vote_marks = {static_cast<int>(i)};
      }
    }
  }
  if (ImGui::Button(label("delib.clear", "delib-vote-clear").c_str())) v.vote_marks.clear();
  ImGui::SameLine();
  ImGui::BeginDisabled(v.vote_waiting || f.status.read_only);
  if (big_button(tr("delib.cast"), "delib-vote-cast", 1.8f)) {
    std::vector<std::string> marks;
    for (int i : v.vote_marks) marks.push_back(std::to_string(i + 1));
    std::string code;
    for (char c : v.vote_card)
      if (c != ' ' && c != '-') code.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    auto cmd = p.secret ? dl::cast_secret_ballot(s, p.id, code, marks)
                        : dl::cast_named_ballot(s, p.id, v.vote_voter, v.vote_for, marks);
    if (emit_result(f, v, cmd, "ballot")) v.vote_waiting = true;
  }
  ImGui::EndDisabled();
}

// ---- Minutes ---------------------------------------------------------------------

void draw_minutes(DeliberationView& v, Frame& f) {
  const State& s = f.state;
  if (v.meeting_id.empty()) {
    ImGui::TextUnformatted(tr("delib.pick_meeting"));
    return;
  }
  const dl::MeetingView m = dl::meeting_view(s, v.meeting_id);
  const Entity* me = s.find("meeting", m.id);
  if (!v.minutes_note_loaded && me) {
    v.minutes_note = me->text("minutes_note");
    v.minutes_note_loaded = true;
  }
  if (ImGui::Button(label("delib.print_minutes", "delib-print-minutes").c_str()))
    save_file(f, v, FileRequest::Action::print, std::string(tr("delib.file_minutes")) + "-" + m.title + ".html",
              "text/html;charset=utf-8", dl::minutes_html(s, m.id));
  ImGui::SameLine();
  if (ImGui::Button(label("delib.save_minutes", "delib-save-minutes").c_str()))
    save_file(f, v, FileRequest::Action::save, std::string(tr("delib.file_minutes")) + "-" + m.title + ".rtf",
              "application/rtf", dl::minutes_rtf(s, m.id));
  ImGui::SameLine();
  if (ImGui::Button(label("delib.export_results", "delib-export-results").c_str()))
    save_file(f, v, FileRequest::Action::save, std::string(tr("delib.file_results")) + "-" + m.title + ".csv",
              "text/csv;charset=utf-8",
              dl::results_csv(s, m.id, current_language() == Language::en ? Lang::en : Lang::zh));
  heading("delib.results");
  for (const auto& p : dl::polls_view(s, m.id)) {
    std::string line = p.title + "  ·  " + choice_label("poll_state", p.state);
    if (p.published_result) {
      const auto& r = *p.published_result;
      std::string votes;
      for (size_t i = 0; i < r.votes.size(); ++i)
        votes += (i ? "  " : "") + option_text(p, i) + " " + std::to_string(r.votes[i]);
      line += "  ·  " + votes + "  ·  " + std::string(tr(("delib.outcome." + r.outcome).c_str()));
    }
    status_text_wrapped(line, ("delib-minutes-poll-" + p.id).c_str());
  }
  heading("delib.decisions");
  for (const Entity* d : s.referring("decision", "meeting", m.id))
    if (d->live())
      ImGui::BulletText("%s：%s", choice_label("decision_outcome", d->text("decision_outcome")).c_str(),
                        d->text("text").c_str());
  heading("field.meeting.minutes_note");
  input_multiline("##delib-minutes-note", &v.minutes_note, ImVec2(-1, ImGui::GetFontSize() * 6));
  if (ImGui::Button(label("delib.save", "delib-minutes-save").c_str()))
    emit(f, v, EditEntity{"meeting", m.id, Json{{"minutes_note", v.minutes_note}}}, "meeting", PendingAction::What::save);
}

}  // namespace

void draw_deliberation(DeliberationView& v, Frame& f) {
  const State& s = f.state;
  push_font_scale(1.4f);
  ImGui::TextUnformatted(tr("nav.deliberation"));
  pop_font_scale();
  struct TabInfo {
    DeliberationView::Tab tab;
    const char* key;
    const char* id;
  };
  const TabInfo tabs[] = {{DeliberationView::Tab::councils, "delib.tab.councils", "delib-tab-councils"},
                          {DeliberationView::Tab::setup, "delib.tab.setup", "delib-tab-setup"},
                          {DeliberationView::Tab::chair, "delib.tab.chair", "delib-tab-chair"},
                          {DeliberationView::Tab::vote, "delib.tab.vote", "delib-tab-vote"},
                          {DeliberationView::Tab::minutes, "delib.tab.minutes", "delib-tab-minutes"}};
  for (const auto& t : tabs) {
    if (ImGui::RadioButton(label(t.key, t.id).c_str(), v.tab == t.tab)) v.tab = t.tab;
    ImGui::SameLine();
  }
  ImGui::NewLine();

  // Council and meeting pickers (a meeting in session first when none is chosen).
  std::vector<std::pair<std::string, std::string>> councils;
  for (const Entity* c : s.list("council")) councils.emplace_back(c->id, c->text("name"));
  if (v.council_id.empty() && !councils.empty()) v.council_id = councils.back().first;
  const auto meetings = dl::meetings_view(s, "");
  if (v.meeting_id.empty())
    for (const auto& m : meetings)
      if (m.state == "in_session" || (v.meeting_id.empty() && m.state == "planned")) v.meeting_id = m.id;
  ImGui::TextUnformatted(tr("kind.council"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  combo("delib-council", &v.council_id, councils);
  ImGui::SameLine();
  ImGui::TextUnformatted(tr("kind.meeting"));
  ImGui::SameLine();
  std::vector<std::pair<std::string, std::string>> meeting_items;
  for (const auto& m : meetings)
    meeting_items.emplace_back(m.id, m.title + " " + day_text(m.start_minute / 1440));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  if (combo("delib-meeting", &v.meeting_id, meeting_items)) {
    v.minutes_note_loaded = false;
    v.vote_poll.clear();
    if (const Entity* m = s.find("meeting", v.meeting_id)) v.council_id = m->text("council");
  }
  if (!v.error.empty()) {
    ImVec4 red = color_error();
    status_text_wrapped(v.error, "delib-error", &red);
  } else if (!v.message.empty()) {
    status_text_wrapped(v.message, "delib-message");
  }
  ImGui::Separator();
  ImGui::BeginDisabled(f.status.read_only);
  switch (v.tab) {
    case DeliberationView::Tab::councils: draw_councils(v, f); break;
    case DeliberationView::Tab::setup: draw_setup(v, f); break;
    case DeliberationView::Tab::chair: draw_chair(v, f); break;
    case DeliberationView::Tab::vote: draw_vote(v, f); break;
    case DeliberationView::Tab::minutes: draw_minutes(v, f); break;
  }
  ImGui::EndDisabled();
}

void draw_voting_tablet(DeliberationView& v, Frame& f) {
  const State& s = f.state;
  // The header: what this device is, so nobody mistakes it for the chair's.
  push_font_scale(1.7f);
  status_text(tr("tablet.header"), "tablet-header");
  pop_font_scale();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("%s", tr("tablet.header_note"));
  ImGui::PopTextWrapPos();
  if (f.status.sync.needs_enrolment) {
    ImVec4 red = color_error();
    status_text_wrapped(tr("tablet.not_enrolled"), "tablet-not-enrolled", &red);
    return;  // its ballots could not reach the chair: enrolment first (the workbench draws it below)
  }
  // The meeting: the one in session or with a poll open (a choice only when
  // there are several).
  std::vector<std::pair<std::string, std::string>> items;
  bool chosen_listed = false;
  for (const auto& m : dl::meetings_view(s, "")) {
    bool voting = m.state == "in_session";
    for (const auto& p : dl::polls_view(s, m.id)) voting |= p.state == "open";
    if (!voting) continue;
    items.emplace_back(m.id, m.title);
    chosen_listed |= m.id == v.meeting_id;
  }
  if (!chosen_listed) {
    v.meeting_id = items.empty() ? std::string() : items.front().first;
    v.vote_poll.clear();
  }
  if (items.empty()) {
    push_font_scale(1.3f);
    status_text_wrapped(tr("tablet.no_meeting"), "tablet-no-meeting");
    pop_font_scale();
    return;
  }
  if (items.size() > 1) {
    ImGui::TextUnformatted(tr("kind.meeting"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    if (combo("delib-meeting", &v.meeting_id, items)) v.vote_poll.clear();
  } else {
    status_text(items.front().second, "tablet-meeting");
  }
  if (!v.error.empty()) {
    ImVec4 red = color_error();
    status_text_wrapped(v.error, "delib-error", &red);
  }
  ImGui::Separator();
  ImGui::BeginDisabled(f.status.read_only);
  draw_vote(v, f);
  ImGui::EndDisabled();
}

void deliberation_commit_result(DeliberationView& v, const PendingAction& action, const std::string& error) {
  if (action.kind == "ballot") {
    v.vote_waiting = false;
    if (error.empty()) {
      v.error.clear();
      v.vote_cast = true;
      v.vote_marks.clear();  // the choice leaves the screen once cast
    }
  }
  if (!error.empty()) {
    v.error = error;
    return;
  }
  if (action.kind == "meeting" && action.what == PendingAction::What::create) {
    v.meeting_title.clear();
    v.meeting_start.clear();
    v.meeting_place.clear();
  }
  if (action.kind == "motion" && action.what == PendingAction::What::create) {
    v.motion_title.clear();
    v.motion_text.clear();
    v.motion_amends.clear();
  }
  if (action.kind != "ballot") v.message = tr("status.saved");
}

void deliberation_request_failed(DeliberationView& v, const std::string& error) { v.error = error; }

}  // namespace dh::ui
