#include "ui/sync_screen.h"

#include <algorithm>

#include "core/civil_time.h"
#include "core/text.h"
#include "imgui.h"
#include "ui/screens.h"
#include "ui/when_text.h"
#include "ui/widgets.h"

namespace dh::ui {

std::string short_local_time(int64_t local_minutes) {
  if (local_minutes <= 0) return "";
  return when_text(local_minutes);  // "11月26日 周四 14:05"
}

namespace {

std::string role_words(const std::string& role) {
  std::string key = "role." + role;
  for (const char* known : {"administrator", "coordinator", "grid_worker", "kiosk", "projector", "voting_tablet"})
    if (role == known) return tr(key);
  return role;
}

// "squad.create" -> "服务队 · 新建" / "Squad · create".
std::string change_words(const std::string& type) {
  const size_t dot = type.find('.');
  if (dot == std::string::npos) return type;
  const std::string kind = type.substr(0, dot), verb = type.substr(dot + 1);
  std::string v = verb;
  for (const char* known : {"create", "edit", "archive", "restore", "move"})
    if (verb == known) v = tr("sync.verb." + verb);
  return kind_label(kind) + " · " + v;
}

// The record a notice is about, as a person knows it: its name or title (its
// id when it has none or is not on this device).
std::string record_words(const State& state, const std::string& kind, const std::string& id) {
  if (const Entity* e = state.find(kind, id))
    for (const char* field : {"name", "title", "address", "role"})
      if (!e->text(field).empty()) return e->text(field);
  return id;
}

// "本设备的时钟比服务器快约2天……": the same rounding as the server's note.
std::string clock_ahead_text(int64_t ms) {
  const int64_t minute = 60 * 1000, hour = 60 * minute, day = 24 * hour;
  std::string amount;
  if (ms >= 20 * hour) amount = trf("when.about_days", {std::to_string((ms + day / 2) / day)});
  else if (ms >= 50 * minute) amount = trf("when.about_hours", {std::to_string((ms + hour / 2) / hour)});
  else if (ms > 0) amount = trf("when.about_minutes", {std::to_string((ms + minute / 2) / minute)});
  return amount.empty() ? std::string(tr("sync.clock_off")) : trf("sync.clock_ahead", {amount});
}

// Own changes another device's concurrent change hid (issue 15): what, by
// whom, and "make it again".
void draw_overridden(const SyncStatus& s, Frame& f) {
  if (s.overridden.empty()) return;
  const ImVec4 amber = color_warning();
  ImGui::Spacing();
  ImGui::Separator();
  status_text(trf("sync.overridden_count", {std::to_string(s.overridden.size())}), "sync-overridden-count", &amber);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(tr("sync.overridden_note"));
  ImGui::PopTextWrapPos();
  const size_t n = s.overridden.size();
  for (size_t k = 0; k < std::min<size_t>(n, 200); ++k) {
    const SyncStatus::Overridden& o = s.overridden[n - 1 - k];
    const std::string id = "sync-overridden-" + std::to_string(n - 1 - k);
    const std::string kind = o.type.substr(0, o.type.find('.'));
    std::string what;
    if (o.how == "overwritten") {
      std::string names;
      for (const auto& field : o.fields) names += (names.empty() ? "" : "、") + field_label(kind, field);
      what = trf("sync.overridden_overwritten", {names});
    } else {
      what = tr(o.how == "restored" ? "sync.overridden_restored" : "sync.overridden_archived");
    }
    status_text_wrapped(trf("sync.overridden_line", {short_local_time(o.at_minutes), change_words(o.type),
                                                      record_words(f.state, kind, o.entity),
                                                      what, o.by}),
                        id.c_str(), &amber);
    ImGui::Indent();
    if (!o.redone_as.empty()) {
      status_text(trf("sync.rejected_redone", {o.redone_as}), (id + "-redone").c_str());
    } else if (ImGui::Button(label("sync.redo", (id + "-redo").c_str()).c_str())) {
      f.ask(RedoOverridden{o.id});
    }
    ImGui::Unindent();
  }
}

void draw_enrolment(SyncView& v, const SyncStatus& s, Frame& f) {
  ImGui::Spacing();
  ImGui::Separator();
  push_font_scale(1.2f);
  ImGui::TextUnformatted(tr("sync.enrol_title"));
  pop_font_scale();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetFontSize() * 36);
  ImGui::TextUnformatted(tr("sync.enrol_how"));
  ImGui::PopTextWrapPos();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 13);  // 19 characters
  input_text("##sync-enrol-code", &v.code, "1234-5678-9012-3456");
  ImGui::SameLine();
  ImGui::TextUnformatted(tr("sync.enrol_code"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  input_text("##sync-enrol-name", &v.name, tr("sync.enrol_name_hint"));
  ImGui::SameLine();
  ImGui::TextUnformatted(tr("sync.enrol_name"));
  const std::string code = trim(v.code);
  ImGui::BeginDisabled(code.empty() || s.enrolling);
  if (ImGui::Button(label(s.enrolling ? "sync.enrolling" : "sync.enrol_button", "sync-enrol").c_str())) {
    f.ask(Enrol{code, trim(v.name)});
  }
  ImGui::EndDisabled();
  if (!s.enrol_error.empty()) {
    ImVec4 red = color_error();
    status_text_wrapped(trf("sync.enrol_failed", {problem_text(s.enrol_error)}), "sync-enrol-error", &red);
  }
}

}  // namespace

void draw_sync(SyncView& v, const AppStatus& status, Frame& f) {
  const SyncStatus& s = status.sync;
  push_font_scale(1.4f);
  ImGui::TextUnformatted(tr("nav.sync"));
  pop_font_scale();
  ImGui::Spacing();
  const ImVec4 green = color_ok(), amber = color_warning(), red = color_error();

  if (!s.active) {
    status_text_wrapped(status.read_only ? std::string(tr("sync.read_only")) : std::string(tr("sync.not_started")),
                        "sync-read-only", &amber);
    return;
  }
  // One line that says where things stand, most urgent first.
  if (s.needs_enrolment) status_text_wrapped(tr("sync.state_enrol"), "sync-state", &red);
  else if (!status.online) status_text_wrapped(tr("sync.state_offline"), "sync-state", &amber);
  else if (s.in_progress) status_text_wrapped(tr("sync.state_running"), "sync-state", &green);
  else if (!s.last_error.empty()) status_text_wrapped(tr("sync.state_failing"), "sync-state", &amber);
  else if (s.waiting_ops > 0) status_text_wrapped(tr("sync.state_waiting"), "sync-state", &amber);
  else status_text_wrapped(tr("sync.state_ok"), "sync-state", &green);
  ImGui::Spacing();

  status_text(s.last_success_minutes > 0 ? trf("sync.last", {short_local_time(s.last_success_minutes)})
                                          : std::string(tr("sync.never")),
              "sync-last");
  status_text(trf("sync.waiting", {std::to_string(s.waiting_ops)}), "sync-waiting",
              s.waiting_ops ? &amber : nullptr);
  if (!s.server.empty()) status_text(trf("sync.server", {s.server}), "sync-server");
  status_text(!s.role.empty()   ? trf("sync.role", {role_words(s.role)})
              : s.open_access ? std::string(tr("sync.role_open"))
                              : std::string(tr("sync.role_none")),
              "sync-role");
  if (!s.last_error.empty()) status_text_wrapped(trf("sync.error", {problem_text(s.last_error)}), "sync-error", &amber);
  // The server's clock note is English words; the UI says its own, with the
  // amount the device measures from the server's answers.
  if (!s.clock_warning.empty()) status_text_wrapped(clock_ahead_text(s.clock_ahead_ms), "sync-clock", &amber);

  ImGui::Spacing();
  ImGui::BeginDisabled(s.in_progress || !status.online || s.needs_enrolment);
  if (ImGui::Button(label("sync.now", "sync-now").c_str())) f.ask(SyncNow{});
  ImGui::EndDisabled();

  if (s.needs_enrolment || (s.role.empty() && !s.open_access)) {
    if (s.needs_enrolment) status_text_wrapped(tr("sync.enrol_needed"), "sync-enrol-needed", &red);
    draw_enrolment(v, s, f);
  }

  draw_overridden(s, f);

  ImGui::Spacing();
  ImGui::Separator();
  status_text(trf("sync.rejected_count", {std::to_string(s.rejected.size())}), "sync-rejected-count",
              s.rejected.empty() ? nullptr : &red);
  if (s.rejected.empty()) return;
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(tr("sync.rejected_note"));
  ImGui::PopTextWrapPos();
  if (!s.redo_error_code.empty())
    status_text_wrapped(trf("error.redo_failed", {error_text(s.redo_error_code, s.redo_error)}), "sync-redo-error", &red);
  // Newest first; the reasons are the server's codes in the UI's words.
  const size_t n = s.rejected.size();
  for (size_t k = 0; k < std::min<size_t>(n, 200); ++k) {
    const SyncStatus::Rejected& r = s.rejected[n - 1 - k];
    std::string id = "sync-rejected-" + std::to_string(n - 1 - k);
    const std::string why = error_text(r.code, r.reason);
    status_text_wrapped(trf("sync.rejected_line", {short_local_time(r.at_minutes), change_words(r.type), why}),
                        id.c_str(), &red);
    ImGui::Indent();
    // Undone on this device (issue 15); the person may make it again.
    status_text_wrapped(trf("sync.rejected_undone", {change_words(r.type)}), (id + "-undone").c_str());
    if (!r.redone_as.empty()) {
      status_text(trf("sync.rejected_redone", {r.redone_as}), (id + "-redone").c_str());
    } else if (ImGui::Button(label("sync.redo", (id + "-redo").c_str()).c_str())) {
      f.ask(RedoRejected{r.id});
    }
    ImGui::Unindent();
  }
}

}  // namespace dh::ui
