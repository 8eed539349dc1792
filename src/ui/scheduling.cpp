// The coordinator's scheduling area (area "schedule"): shifts by date range
// and station with their rosters and attendance, shifts over-filled by an
// offline merge, sign-ups, cancellations, shift generation from templates,
// the auto-scheduler's proposal (applied only on Apply) and the hours ledger.
// See volunteering_screens.h for the contract.
#include <algorithm>
#include <cstdio>

#include "core/civil_time.h"
#include "core/exchange.h"
#include "core/reports.h"
#include "core/typed_when.h"
#include "core/text.h"
#include "imgui.h"
#include "ui/form.h"
#include "ui/sched_text.h"
#include "ui/strings.h"
#include "ui/volunteering_screens.h"
#include "ui/when_text.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

std::string station_title(const State& state, const std::string& id) {
  const Entity* s = state.find("station", id);
  return s ? s->text("name") : id;
}

std::string shift_line(const State& state, const Entity& shift) {
  return shift_when_text(shift) + "  " +
         station_title(state, shift.text("station")) + "  " + shift.text("role");
}

bool month_range(const std::string& month, int64_t* from, int64_t* to) {
  auto d = parse_date(month + "-01");
  if (month.size() != 7 || !d) return false;
  int y;
  unsigned m, dd;
  civil_from_days(*d, &y, &m, &dd);
  *from = *d;
  *to = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  return true;
}

std::string fmt1(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

void tab_button(ScheduleView& v, ScheduleView::Tab tab, const char* key, const char* id) {
  const bool sel = v.tab == tab;
  if (sel) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  if (ImGui::Button(label(key, id).c_str())) {
    v.tab = tab;
    v.message.clear();
    v.error.clear();
  }
  if (sel) ImGui::PopStyleColor();
}

// Volunteers whose name matches (at most `limit`).
std::vector<const Entity*> find_volunteers(const State& state, const std::string& query, size_t limit) {
  std::vector<const Entity*> out;
  const std::string q = fold_case(trim(query));
  if (q.empty()) return out;
  for (const Entity* vol : state.list("volunteer")) {
    if (fold_case(volunteer_display_name(state, vol->id)).find(q) == std::string::npos) continue;
    out.push_back(vol);
    if (out.size() >= limit) break;
  }
  return out;
}

// ---- Files for the person (exports, printing): the UI asks, the app performs.

Lang file_lang() { return current_language() == Language::en ? Lang::en : Lang::zh; }

void emit_file(ScheduleView& v, Frame& f, FileRequest::Action action, const std::string& name, const char* mime,
               std::string bytes) {
  f.ask(SaveFile{FileRequest{action, name, mime, std::move(bytes)}});
  v.message = trf(action == FileRequest::Action::print ? "sched.printing" : "sched.exported", {name});
  v.error.clear();
}

// "2026-12-02-0900-课后托管": a shift in a file name.
std::string shift_file_part(const Entity& shift) {
  std::string start = shift.text("start");  // YYYY-MM-DDTHH:MM
  std::string when = start.size() >= 16 ? start.substr(0, 10) + "-" + start.substr(11, 2) + start.substr(14, 2) : start;
  return when + "-" + shift.text("role");
}

void draw_shift_files(ScheduleView& v, Frame& f, const Entity& shift) {
  if (ImGui::Button(label("sched.export_roster", "sched-export-roster").c_str()))
    emit_file(v, f, FileRequest::Action::save, std::string(tr("sched.file_roster")) + "-" + shift_file_part(shift) + ".csv",
              "text/csv;charset=utf-8", roster_csv(f.state, shift.id, PhoneDisplay::masked, file_lang()));
  ImGui::SameLine();
  if (ImGui::Button(label("sched.print_roster", "sched-print-roster").c_str()))
    emit_file(v, f, FileRequest::Action::print, std::string(tr("sched.file_roster")) + "-" + shift_file_part(shift) + ".html",
              "text/html;charset=utf-8", roster_html(f.state, shift.id, PhoneDisplay::masked));
}

// ---- Moving a sign-up to another shift (one signup.move operation).

void draw_move_picker(ScheduleView& v, Frame& f, const VolunteerIndex& index, const Entity& from_shift,
                      const Entity& signup) {
  const State& state = f.state;
  const std::string vol = signup.text("volunteer");
  const std::string name = volunteer_display_name(state, vol);
  ImGui::SeparatorText(trf("sched.move_title", {name}).c_str());
  if (touch_button(label("sched.move_cancel", "sched-move-cancel"))) {
    v.move_signup.clear();
    return;
  }
  ImGui::SameLine();
  ImGui::Checkbox(label("sched.override", "sched-move-override").c_str(), &v.move_override);
  if (v.move_override) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
    input_text("##sched-move-override-reason", &v.move_override_reason, tr("sched.override_reason_hint"));
  }
  // Candidates: live shifts in the date range (and station filter) shown above.
  // Typed in any form people write dates (core/typed_when.h).
  auto typed_day = [](const std::string& text) -> std::optional<int64_t> {
    auto d = typed_date(trim(text), form_today());
    return d ? parse_date(d.value()) : std::nullopt;
  };
  auto from = typed_day(v.from_date);
  auto to = typed_day(v.to_date);
  std::vector<std::pair<Interval, const Entity*>> targets;
  if (from && to) {
    for (const Entity* s : state.list("shift")) {
      Interval when;
      if (s->id == from_shift.id || !shift_interval(*s, &when)) continue;
      const int64_t day = when.start >= 0 ? when.start / 1440 : (when.start - 1439) / 1440;
      if (day < *from || day > *to) continue;
      if (!v.station.empty() && s->text("station") != v.station) continue;
      targets.push_back({when, s});
    }
    std::sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) {
      return a.first.start != b.first.start ? a.first.start < b.first.start : a.second->id < b.second->id;
    });
  }
  if (targets.empty()) {
    ImGui::TextDisabled("%s", tr("sched.move_none"));
    return;
  }
  const std::string reason = trim(v.move_override_reason);
  const float h = std::min(static_cast<float>(targets.size()) + 0.5f, 8.5f) * ImGui::GetFrameHeightWithSpacing();
  if (ImGui::BeginChild("##sched-move-list", ImVec2(0, h), ImGuiChildFlags_Borders)) {
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(targets.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const auto& [when, target] = targets[static_cast<size_t>(i)];
        Roster r = index.roster(target->id);
        bool already = false;
        for (const Entity* su : index.signups_of(vol))
          if (su->text("shift") == target->id) already = true;
        // The sign-up that moves leaves its shift: it is no clash.
        std::vector<const Entity*> clashes;
        for (const Entity* c : index.clashes(vol, when, target->id))
          if (c->id != from_shift.id) clashes.push_back(c);
        std::string text = shift_line(state, *target) + "  " +
                           (r.open_places() > 0 ? trf("sched.move_open", {std::to_string(r.open_places())})
                                                : std::string(tr("sched.move_full")));
        if (already) text += "  " + std::string(tr("sched.already"));
        else if (!clashes.empty()) text += "  " + trf("sched.clash_with", {shift_line(state, *clashes.front())});
        const bool blocked = already || (!clashes.empty() && (!v.move_override || reason.empty()));
        ImGui::BeginDisabled(blocked);
        if (ImGui::Button((text + "##sched-move-to-" + target->id).c_str())) {
          f.emit(move_signup(index, signup.id, target->id, !clashes.empty() && v.move_override ? reason : ""),
                 PendingAction{PendingAction::What::save, "signup", signup.id});
          v.message = trf("sched.moved", {name, shift_line(state, *target)});
          v.move_signup.clear();
          v.move_override = false;
          v.move_override_reason.clear();
        }
        ImGui::EndDisabled();
      }
    }
  }
  ImGui::EndChild();
}

void draw_roster_entry(ScheduleView& v, Frame& f, const RosterEntry& e, bool waitlisted, int pos) {
  const State& state = f.state;
  const Entity& su = *e.signup;
  const std::string name = volunteer_display_name(state, su.text("volunteer"));
  const Attendance att = attendance_of(su);
  std::string line = waitlisted ? trf("sched.waitlist_pos", {std::to_string(pos), name}) : name;
  line += "  " + std::string(tr((std::string("sched.att.") + attendance_key(att)).c_str()));
  // Check-in and check-out times of the shift's day: the times alone.
  if (auto in = parse_datetime(su.text("check_in"))) {
    line += "  " + format_time_of_day(static_cast<int>(*in % 1440));
    if (auto out = parse_datetime(su.text("check_out"))) line += "–" + format_time_of_day(static_cast<int>(*out % 1440));
  }
  if (e.bumped_by_merge) line += "  " + std::string(tr("sched.bumped"));
  if (su.get("clash_override").is_boolean() && su.get("clash_override").get<bool>())
    line += "  " + trf("sched.overridden", {su.text("override_reason")});
  ImGui::PushID(su.id.c_str());
  // The line wraps on a narrow window; the buttons follow it, each a touch
  // target (kTouchTargetPx), on the same line while they fit, else below.
  status_text_wrapped(line, ("sched-row-" + su.id).c_str());
  const int64_t now = f.status.now_local_minutes;
  const bool attendance_set = !su.text("attendance").empty();
  bool first = true;
  auto button = [&](const std::string& b) {
    if (!first) same_line_if_fits(b);
    first = false;
    return touch_button(b);
  };
  const PendingAction save{PendingAction::What::save, "signup", su.id};
  if (!waitlisted && now > 0) {
    if (att == Attendance::not_checked_in) {
      if (button(label("sched.check_in", "sched-in-" + su.id)))
        f.emit(EditEntity{"signup", su.id, {{"check_in", format_datetime(now)}, {"check_in_method", "list"}}}, save);
    } else if (att == Attendance::checked_in) {
      if (button(label("sched.check_out", "sched-out-" + su.id)))
        f.emit(EditEntity{"signup", su.id, {{"check_out", format_datetime(now)}}}, save);
    }
  }
  if (!waitlisted && su.text("check_in").empty()) {
    if ((!attendance_set || att != Attendance::excused) && button(label("sched.excused", "sched-excused-" + su.id)))
      f.emit(EditEntity{"signup", su.id, {{"attendance", "excused"}}}, save);
    if ((!attendance_set || att != Attendance::no_show) && button(label("sched.no_show", "sched-noshow-" + su.id)))
      f.emit(EditEntity{"signup", su.id, {{"attendance", "no_show"}}}, save);
  }
  // Attendance stays with the shift it happened on: no move after it.
  if (su.text("check_in").empty() && !attendance_set && button(label("sched.move", "sched-move-" + su.id))) {
    v.move_signup = su.id;
    v.move_override = false;
    v.move_override_reason.clear();
  }
  if (!su.text("check_in").empty()) {
    // A checked-in sign-up is not cancelled ("cancel_after_check_in"); a
    // check-in recorded by mistake is cleared, an edit kept in the log.
    if (button(label("sched.undo_check_in", "sched-undo-in-" + su.id)))
      f.emit(EditEntity{"signup", su.id, {{"check_in", nullptr}, {"check_out", nullptr}, {"check_in_method", nullptr}}},
             PendingAction{PendingAction::What::save, "signup", su.id});
  } else if (button(label("sched.cancel_signup", "sched-cancel-" + su.id))) {
    f.emit(ArchiveEntity{"signup", su.id, "cancelled by the coordinator"},
           PendingAction{PendingAction::What::archive, "signup", su.id});
  }
  ImGui::Spacing();
  ImGui::PopID();
}

void draw_shift_detail(ScheduleView& v, Frame& f, const VolunteerIndex& index, const Entity& shift) {
  const State& state = f.state;
  Roster roster = index.roster(shift.id);
  push_font_scale(1.15f);
  ImGui::TextUnformatted(shift_line(state, shift).c_str());
  pop_font_scale();
  status_text(trf("sched.places", {std::to_string(roster.confirmed.size()), std::to_string(roster.capacity),
                                   std::to_string(std::max(0, roster.open_places())),
                                   std::to_string(roster.waitlist.size())}),
              "sched-places");
  ImGui::SameLine();  // on the places line: the roster below keeps its place
  if (touch_button(label("sched.show_qr", "sched-qr-" + shift.id))) v.qr.open(shift.id);
  ImGui::SeparatorText(tr("sched.confirmed"));
  for (const auto& e : roster.confirmed) draw_roster_entry(v, f, e, false, 0);
  if (!roster.waitlist.empty()) {
    ImGui::SeparatorText(tr("sched.waitlist"));
    int pos = 0;
    for (const auto& e : roster.waitlist) draw_roster_entry(v, f, e, true, ++pos);
  }
  const Entity* moving = state.find("signup", v.move_signup);
  if (moving && moving->live() && moving->text("shift") == shift.id) draw_move_picker(v, f, index, shift, *moving);
  draw_shift_files(v, f, shift);
  // Sign someone up.
  ImGui::SeparatorText(tr("sched.add_title"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  input_text("##sched-vol-search", &v.vol_search, tr("sched.vol_search_hint"));
  ImGui::Checkbox(label("sched.override", "sched-override").c_str(), &v.override_clash);
  if (v.override_clash) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
    input_text("##sched-override-reason", &v.override_reason, tr("sched.override_reason_hint"));
  }
  Interval when;
  const bool has_when = shift_interval(shift, &when);
  for (const Entity* vol : find_volunteers(state, v.vol_search, 8)) {
    std::string text = volunteer_display_name(state, vol->id);
    bool already = false;
    for (const Entity* su : index.signups_of(vol->id))
      if (su->text("shift") == shift.id) already = true;
    std::vector<const Entity*> clashes;
    if (has_when) clashes = index.clashes(vol->id, when, shift.id);
    if (already) text += "  " + std::string(tr("sched.already"));
    else if (!clashes.empty()) text += "  " + trf("sched.clash_with", {shift_line(state, *clashes.front())});
    ImGui::BeginDisabled(already || (!clashes.empty() && (!v.override_clash || trim(v.override_reason).empty())));
    if (ImGui::Button((text + "##sched-add-" + vol->id).c_str())) {
      Json fields = signup_fields(index, shift.id, vol->id, "coordinator");
      if (!clashes.empty() && v.override_clash) {
        fields["clash_override"] = true;
        fields["override_reason"] = trim(v.override_reason);
      }
      f.emit(CreateEntity{"signup", fields, ""}, PendingAction{PendingAction::What::create, "signup", shift.id});
      v.message = trf("sched.signed_up", {volunteer_display_name(state, vol->id)});
    }
    ImGui::EndDisabled();
  }
  // Cancel the shift with a notice.
  ImGui::SeparatorText(tr("sched.cancel_shift_title"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  input_text("##sched-cancel-reason", &v.cancel_reason, tr("sched.cancel_reason_hint"));
  ImGui::SameLine();
  ImGui::BeginDisabled(trim(v.cancel_reason).empty());
  if (ImGui::Button(label("sched.cancel_shift", "sched-cancel-shift").c_str())) {
    f.emit(ArchiveEntity{"shift", shift.id, trim(v.cancel_reason)},
           PendingAction{PendingAction::What::archive, "shift", shift.id});
    v.cancel_reason.clear();
    v.message = tr("sched.shift_cancelled");
  }
  ImGui::EndDisabled();
}

void draw_generate(ScheduleView& v, Frame& f) {
  const State& state = f.state;
  ImGui::SeparatorText(tr("sched.generate_title"));
  const Entity* tpl = state.find("shift_template", v.template_id);
  std::string preview = tpl ? station_title(state, tpl->text("station")) + " " + tpl->text("role") + " " +
                                  choice_label("weekday", tpl->text("weekday")) + " " + tpl->text("start_time")
                            : std::string(tr("sched.pick_template"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  if (begin_combo("##sched-template", preview.c_str())) {
    for (const Entity* t : state.list("shift_template")) {
      std::string text = station_title(state, t->text("station")) + " " + t->text("role") + " " + choice_label("weekday", t->text("weekday")) +
                         " " + t->text("start_time") + "–" + t->text("end_time");
      if (ImGui::Selectable((text + "##opt-" + t->id).c_str(), t->id == v.template_id)) v.template_id = t->id;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  input_text("##sched-gen-month", &v.gen_month, tr("when.hint_month"));
  ImGui::SameLine();
  int64_t from = 0, to = 0;
  const bool ok = tpl && month_range(trim(v.gen_month), &from, &to);
  ImGui::BeginDisabled(!ok);
  if (ImGui::Button(label("sched.generate", "sched-generate").c_str()) && ok) {
    auto shifts = shifts_from_template(state, *tpl, from, to);
    for (auto& fields : shifts)
      f.emit(CreateEntity{"shift", fields, ""}, PendingAction{PendingAction::What::create, "shift", ""});
    v.message = trf("sched.generated", {std::to_string(shifts.size())});
  }
  ImGui::EndDisabled();
}

void draw_shifts_tab(ScheduleView& v, Frame& f) {
  const State& state = f.state;
  const VolunteerIndex& index = v.index.get(state);
  // Over-filled by an offline merge: at the top, with their waitlists.
  auto over = index.shifts_overfilled_by_merge();
  if (!over.empty()) {
    ImVec4 amber = color_warning();
    status_text_wrapped(trf("sched.overfilled", {std::to_string(over.size())}), "sched-overfilled", &amber);
    for (const Entity* s : over) {
      Roster r = index.roster(s->id);
      std::string names;
      for (const auto& e : r.waitlist) {
        if (!names.empty()) names += "、";
        names += volunteer_display_name(state, e.signup->text("volunteer"));
        if (e.bumped_by_merge) names += "*";
      }
      if (ImGui::Selectable((shift_line(state, *s) + "  " + trf("sched.waitlist_names", {names}) +
                             "##sched-overfilled-" + s->id)
                                .c_str(),
                            v.selected_shift == s->id))
        v.selected_shift = s->id;
    }
    ImGui::Separator();
  }
  // Filters.
  // The filters and the export flow onto a second line when the window is
  // narrow (a portrait tablet, large text) rather than past its edge.
  const float date_w = ImGui::GetFontSize() * 6.5f;
  const float sp = ImGui::GetStyle().ItemSpacing.x;
  ImGui::TextUnformatted(tr("sched.from"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(date_w);
  input_text("##sched-from", &v.from_date, tr("when.hint_date"));
  same_line_if_room(ImGui::CalcTextSize(tr("sched.to")).x + sp + date_w);
  ImGui::TextUnformatted(tr("sched.to"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(date_w);
  input_text("##sched-to", &v.to_date, tr("when.hint_date"));
  same_line_if_room(ImGui::GetFontSize() * 10);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  std::string preview = v.station.empty() ? std::string(tr("sched.all_stations")) : station_title(state, v.station);
  if (begin_combo("##sched-station", preview.c_str())) {
    if (ImGui::Selectable((std::string(tr("sched.all_stations")) + "##opt-none").c_str(), v.station.empty()))
      v.station.clear();
    for (const Entity* s : state.list("station"))
      if (ImGui::Selectable((s->text("name") + "##opt-" + s->id).c_str(), v.station == s->id)) v.station = s->id;
    ImGui::EndCombo();
  }
  // Typed in any form people write dates (core/typed_when.h).
  auto typed_day = [](const std::string& text) -> std::optional<int64_t> {
    auto d = typed_date(trim(text), form_today());
    return d ? parse_date(d.value()) : std::nullopt;
  };
  auto from = typed_day(v.from_date);
  auto to = typed_day(v.to_date);
  std::vector<std::pair<Interval, const Entity*>> shifts;
  if (from && to) {
    for (const Entity* s : state.list("shift")) {
      Interval when;
      if (!shift_interval(*s, &when)) continue;
      const int64_t day = when.start >= 0 ? when.start / 1440 : (when.start - 1439) / 1440;
      if (day < *from || day > *to) continue;
      if (!v.station.empty() && s->text("station") != v.station) continue;
      shifts.push_back({when, s});
    }
    std::sort(shifts.begin(), shifts.end(), [](const auto& a, const auto& b) {
      return a.first.start != b.first.start ? a.first.start < b.first.start : a.second->id < b.second->id;
    });
    same_line_if_fits(label("sched.export_coverage", "sched-export-coverage"));
    if (ImGui::Button(label("sched.export_coverage", "sched-export-coverage").c_str()))
      emit_file(v, f, FileRequest::Action::save,
                std::string(tr("sched.file_coverage")) + "-" + format_date(*from) + "-" + format_date(*to) + ".csv",
                "text/csv;charset=utf-8", coverage_csv(coverage_report(state, *from, *to + 1), file_lang()));
  } else {
    ImVec4 red = color_error();
    status_text(tr("sched.bad_range"), "sched-bad-range", &red);
  }
  const float list_h = ImGui::GetContentRegionAvail().y * 0.45f;
  if (ImGui::BeginTable("##sched-shifts", 5,
                        ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerH,
                        ImVec2(0, std::max(list_h, ImGui::GetFontSize() * 6)))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    // The time keeps its column (as wide as its text); the names share the
    // rest and wrap inside their cells.
    float when_w = ImGui::CalcTextSize(tr("sched.col_when")).x;
    for (const auto& [when, sh] : shifts)
      when_w = std::max(when_w, ImGui::CalcTextSize((sh->text("start").substr(0, 10) + " " + shift_when_text(*sh)).c_str()).x);
    ImGui::TableSetupColumn(tr("sched.col_when"), ImGuiTableColumnFlags_WidthFixed, when_w);
    ImGui::TableSetupColumn(tr("sched.col_station"), ImGuiTableColumnFlags_WidthStretch, 1.4f);
    ImGui::TableSetupColumn(tr("sched.col_role"), ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn(tr("sched.col_filled"), ImGuiTableColumnFlags_WidthStretch, 0.8f);
    ImGui::TableSetupColumn(tr("sched.col_open"), ImGuiTableColumnFlags_WidthStretch, 0.5f);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(shifts.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const Entity* s = shifts[static_cast<size_t>(i)].second;
        Roster r = index.roster(s->id);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        std::string when = shift_when_text(*s);
        if (ImGui::Selectable((when + "##sched-shift-" + s->id).c_str(), v.selected_shift == s->id,
                              ImGuiSelectableFlags_SpanAllColumns, ImVec2(0, ImGui::GetFrameHeight())))
          v.selected_shift = s->id;
        ImGui::TableNextColumn();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(station_title(state, s->text("station")).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(s->text("role").c_str());
        ImGui::PopTextWrapPos();
        ImGui::TableNextColumn();
        ImGui::Text("%d/%d  +%d", static_cast<int>(r.confirmed.size()), r.capacity, static_cast<int>(r.waitlist.size()));
        ImGui::TableNextColumn();
        ImGui::Text("%d", std::max(0, r.open_places()));
      }
    }
    ImGui::EndTable();
  }
  const Entity* sel = state.find("shift", v.selected_shift);
  if (sel && sel->live()) {
    ImGui::Separator();
    draw_shift_detail(v, f, index, *sel);
  } else if (sel) {
    status_text_wrapped(trf("sched.shift_archived", {sel->text("role")}), "sched-shift-archived");
  }
  draw_generate(v, f);
}

void draw_auto_tab(ScheduleView& v, Frame& f) {
  const State& state = f.state;
  ImGui::TextUnformatted(tr("sched.auto_month"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  input_text("##sched-auto-month", &v.auto_month, tr("when.hint_month"));
  ImGui::SameLine();
  int64_t from = 0, to = 0;
  const bool ok = month_range(trim(v.auto_month), &from, &to);
  ImGui::BeginDisabled(!ok);
  // The solver takes up to a second for a month in the browser: it runs as a
  // job the app steps between frames (RunJob), on a copy of the problem taken
  // now; the proposal is taken when the job is done.
  const auto start_job = [&](int64_t from_day, int64_t to_day) {
    v.auto_from = from_day;
    v.auto_to = to_day;
    v.has_proposal = false;
    v.message.clear();
    // The problem is built from the State in the job's first units, off the
    // frame too.
    v.job = std::make_shared<AutoScheduleJob>(state, from_day, to_day);
    v.job_request = f.ask(RunJob{v.job});
  };
  if (v.job && v.job->done()) {
    v.proposal = v.job->proposal();
    v.proposal_applied = v.job->state_version();  // the State it was computed on
    v.has_proposal = true;
    v.job.reset();
  }
  if (ImGui::Button(label("sched.auto_run", "sched-auto-run").c_str()) && ok && !v.job) start_job(from, to);
  ImGui::EndDisabled();
  if (v.job) {
    const int percent = static_cast<int>(v.job->progress() * 100.0);
    status_text(trf("sched.auto_progress", {std::to_string(percent)}), "sched-auto-working");
    ImGui::SameLine();
    if (ImGui::Button(label("sched.auto_cancel", "sched-auto-cancel").c_str())) {
      f.ask(CancelJob{v.job_request});
      v.job.reset();
      v.message = tr("sched.auto_cancelled");
    }
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("%s", tr("sched.auto_note"));
  ImGui::PopTextWrapPos();
  if (!v.has_proposal) return;
  const Proposal& p = v.proposal;
  const ProposalSummary& s = p.summary;
  status_text_wrapped(trf("sched.proposal_summary",
                          {std::to_string(s.filled), std::to_string(s.open_places),
                           std::to_string(s.spread_served.volunteers), fmt1(s.spread_served.mean_hours),
                           fmt1(s.spread_served.std_dev_hours), fmt1(s.spread_served.min_hours),
                           fmt1(s.spread_served.max_hours)}),
                      "sched-proposal-summary");
  // A proposal made on a State that has changed since is not applied as it
  // is: the coordinator plans again on the current data.
  const bool stale = state.applied_ops() != v.proposal_applied;
  if (stale) {
    ImVec4 amber = color_warning();
    status_text_wrapped(tr("sched.proposal_stale"), "sched-proposal-stale", &amber);
    ImGui::BeginDisabled(v.job != nullptr);
    if (ImGui::Button(label("sched.auto_replan", "sched-auto-replan").c_str()) && !v.job) start_job(v.auto_from, v.auto_to);
    ImGui::EndDisabled();
    if (!v.has_proposal) return;
  }
  ImGui::BeginDisabled(f.status.read_only || p.assignments.empty() || stale);
  if (ImGui::Button(label("sched.auto_apply", "sched-auto-apply").c_str())) {
    auto cmds = proposal_commands(state, p);
    for (auto& c : cmds) f.emit(std::move(c), PendingAction{PendingAction::What::create, "signup", "auto"});
    v.message = trf("sched.applied", {std::to_string(cmds.size())});
    v.has_proposal = false;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button(label("sched.auto_discard", "sched-auto-discard").c_str())) {
    v.has_proposal = false;
    return;
  }
  if (ImGui::BeginChild("##sched-proposal", ImVec2(0, 0), ImGuiChildFlags_Borders)) {
    ImGui::SeparatorText(trf("sched.assignments", {std::to_string(p.assignments.size())}).c_str());
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(p.assignments.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const Assignment& a = p.assignments[static_cast<size_t>(i)];
        const Entity* sh = state.find("shift", a.shift);
        const std::string why = sched_why_text(current_language(), a.why);
        std::string line = volunteer_display_name(state, a.volunteer) + " → " +
                           (sh ? shift_line(state, *sh) : a.shift) + (why.empty() ? "" : "  (" + why + ")");
        status_text(line, ("sched-assign-" + std::to_string(i)).c_str());
      }
    }
    ImGui::SeparatorText(trf("sched.unfilled", {std::to_string(p.unfilled.size())}).c_str());
    for (size_t i = 0; i < p.unfilled.size(); ++i) {
      const UnfilledPlace& u = p.unfilled[i];
      const Entity* sh = state.find("shift", u.shift);
      status_text_wrapped(trf("sched.unfilled_line", {sh ? shift_line(state, *sh) : u.shift,
                                                      std::to_string(u.places), sched_unfilled_text(current_language(), u)}),
                          ("sched-unfilled-" + std::to_string(i)).c_str());
    }
  }
  ImGui::EndChild();
}

void draw_hours_tab(ScheduleView& v, Frame& f) {
  const State& state = f.state;
  if (v.ledger_state != &state || v.ledger_applied != state.applied_ops()) {
    v.ledger = hours_ledger(state);
    v.totals = hours_by_volunteer(state, v.ledger);
    v.totals_sorted.assign(v.totals.begin(), v.totals.end());
    std::stable_sort(v.totals_sorted.begin(), v.totals_sorted.end(),
                     [](const auto& a, const auto& b) { return a.second.total() > b.second.total(); });
    v.ledger_state = &state;
    v.ledger_applied = state.applied_ops();
  }
  const int64_t today = f.status.now_local_minutes > 0 ? f.status.now_local_minutes / 1440 : 0;
  if (ImGui::Button(label("sched.export_hours", "hours-export").c_str()))
    emit_file(v, f, FileRequest::Action::save,
              std::string(tr("sched.file_hours")) + (today > 0 ? "-" + format_date(today) : std::string()) + ".csv",
              "text/csv;charset=utf-8",
              hours_csv(hours_report(state, HoursGrouping::volunteer), HoursGrouping::volunteer, file_lang()));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  input_text("##hours-search", &v.hours_search, tr("sched.vol_search_hint"));
  for (const Entity* vol : find_volunteers(state, v.hours_search, 8)) {
    ImGui::SameLine();
    if (ImGui::Button((volunteer_display_name(state, vol->id) + "##hours-pick-" + vol->id).c_str()))
      v.hours_volunteer = vol->id;
  }
  const Entity* vol = state.find("volunteer", v.hours_volunteer);
  if (vol) {
    auto it = v.totals.find(vol->id);
    HoursTotals t = it == v.totals.end() ? HoursTotals{} : it->second;
    status_text(trf("sched.hours_totals", {volunteer_display_name(state, vol->id), hours_text(t.verified_minutes),
                                           hours_text(t.manual_minutes), hours_text(t.total())}),
                "hours-totals");
    const std::string who = volunteer_display_name(state, vol->id);
    ImGui::BeginDisabled(today <= 0);  // "upcoming" and "this year" need the date
    if (ImGui::Button(label("sched.export_ics", "hours-export-ics").c_str()))
      emit_file(v, f, FileRequest::Action::save, std::string(tr("sched.file_ics")) + "-" + who + ".ics",
                "text/calendar;charset=utf-8", volunteer_ics(state, vol->id, f.status.now_local_minutes));
    ImGui::SameLine();
    if (ImGui::Button(label("sched.print_record", "hours-print-record").c_str())) {
      ServiceRecordOptions options;
      options.year = std::stoi(format_date(today).substr(0, 4));
      options.issued_date = format_date(today);
      emit_file(v, f, FileRequest::Action::print,
                std::string(tr("sched.file_record")) + "-" + who + "-" + std::to_string(options.year) + ".html",
                "text/html;charset=utf-8", service_record_html(state, vol->id, options));
    }
    ImGui::EndDisabled();
    for (const auto& l : v.ledger) {
      if (l.volunteer != vol->id) continue;
      std::string line = date_field_text(l.date) + "  " + hours_text(l.minutes) + "  " +
                         (l.verified ? tr("sched.verified") : tr("sched.manual")) + "  " + author_text(l.author) +
                         (l.reason.empty() ? "" : "  " + l.reason);
      ImGui::TextUnformatted(line.c_str());
    }
    ImGui::SeparatorText(tr("sched.add_hours"));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.5f);
    input_text("##hours-date", &v.hours_date, tr("when.hint_date"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    input_text("##hours-minutes", &v.hours_minutes, tr("sched.minutes_hint"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
    input_text("##hours-reason", &v.hours_reason, tr("sched.reason_hint"));
    long long minutes = 0;
    char extra = 0;
    const std::string ms = trim(v.hours_minutes);
    const bool minutes_ok = std::sscanf(ms.c_str(), "%lld%c", &minutes, &extra) == 1 && minutes != 0;
    const auto hours_day = typed_date(trim(v.hours_date), form_today());
    const bool ok = minutes_ok && hours_day.ok() && !trim(v.hours_reason).empty();
    if (!trim(v.hours_date).empty() && !hours_day.ok()) {
      const ImVec4 c = color_error();
      status_text_wrapped(when_problem_text(hours_day.error()), "hours-date-error", &c);
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!ok);
    if (ImGui::Button(label("sched.add_hours_button", "hours-add").c_str()) && ok) {
      f.emit(CreateEntity{"hours_adjustment",
                          {{"volunteer", vol->id},
                           {"date", hours_day.value()},
                           {"minutes", minutes},
                           {"reason", trim(v.hours_reason)}},
                          ""},
             PendingAction{PendingAction::What::create, "hours_adjustment", vol->id});
      v.hours_minutes.clear();
      v.hours_reason.clear();
      v.message = tr("sched.hours_added");
    }
    ImGui::EndDisabled();
    if (!ok) ImGui::TextDisabled("%s", tr("sched.hours_need"));
  }
  ImGui::SeparatorText(tr("sched.hours_table"));
  if (ImGui::BeginTable("##hours-table", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY, ImVec2(0, 0))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr("sched.col_volunteer"));
    ImGui::TableSetupColumn(tr("sched.verified"));
    ImGui::TableSetupColumn(tr("sched.manual"));
    ImGui::TableSetupColumn(tr("sched.total"));
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(v.totals_sorted.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const auto& [id, t] = v.totals_sorted[static_cast<size_t>(i)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(volunteer_display_name(state, id).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(hours_text(t.verified_minutes).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(hours_text(t.manual_minutes).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(hours_text(t.total()).c_str());
      }
    }
    ImGui::EndTable();
  }
}

}  // namespace

void draw_schedule(ScheduleView& v, Frame& f) {
  const int64_t now = f.status.now_local_minutes;
  if (v.from_date.empty() && v.to_date.empty()) {
    const int64_t today = now > 0 ? now / 1440 : 0;
    if (now > 0) {
      v.from_date = format_date(today);
      v.to_date = format_date(today + 13);
      v.gen_month = v.auto_month = format_date(today).substr(0, 7);
    }
  }
  if (!v.qr.shift.empty()) {  // the station's screen: nothing else (checkin_qr.h)
    draw_checkin_qr(v.qr, f, f.status.sync.server);
    return;
  }
  push_font_scale(1.4f);
  ImGui::TextUnformatted(tr("sched.title"));
  pop_font_scale();
  tab_button(v, ScheduleView::Tab::shifts, "sched.tab_shifts", "sched-tab-shifts");
  ImGui::SameLine();
  tab_button(v, ScheduleView::Tab::automatic, "sched.tab_auto", "sched-tab-auto");
  ImGui::SameLine();
  tab_button(v, ScheduleView::Tab::hours, "sched.tab_hours", "sched-tab-hours");
  if (f.status.read_only) ImGui::TextDisabled("%s", tr("sched.read_only"));
  if (!v.error.empty()) {
    ImVec4 red = color_error();
    status_text_wrapped(v.error, "sched-error", &red);
  } else if (!v.message.empty()) {
    ImVec4 green = color_ok();
    status_text_wrapped(v.message, "sched-message", &green);
  }
  const size_t emitted_before = f.out.commands.size();
  ImGui::BeginDisabled(f.status.read_only);
  switch (v.tab) {
    case ScheduleView::Tab::shifts: draw_shifts_tab(v, f); break;
    case ScheduleView::Tab::automatic: draw_auto_tab(v, f); break;
    case ScheduleView::Tab::hours: draw_hours_tab(v, f); break;
  }
  ImGui::EndDisabled();
  if (f.out.commands.size() != emitted_before) v.error.clear();  // a new action: its results decide
}

void schedule_request_failed(ScheduleView& v, const std::string& error) {
  v.error = error;
  v.message.clear();
}

void schedule_commit_result(ScheduleView& v, const PendingAction& action, const std::string& error) {
  if (action.kind == "shift_qr_key") return checkin_qr_commit_result(v.qr, error);
  if (!error.empty()) {
    v.error = error;
    v.message.clear();
  }
}

}  // namespace dh::ui
