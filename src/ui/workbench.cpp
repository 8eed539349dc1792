// The shell: navigation, status bar, dashboard, settings and the areas that
// are not built yet. The base-records area is in records.cpp.
#include "ui/workbench.h"
#include "ui/projector_control.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/text.h"
#include "imgui.h"
#include "ui/deliberation_screens.h"
#include "ui/devices_screen.h"
#include "ui/role_screens.h"
#include "ui/screens.h"
#include "ui/strings.h"
#include "ui/sync_screen.h"
#include "ui/talent_screens.h"
#include "ui/volunteering_screens.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

constexpr float kNormalFontPx = 20.0f;
constexpr float kLargeFontPx = 30.0f;

struct AreaInfo {
  const char* name;      // stable id: nav-<name>
  const char* nav_key;   // label
  const char* what_key;  // description when not built yet; nullptr when built
};

const AreaInfo kAreas[] = {
    {"home", "nav.home", nullptr},
    {"kiosk", "nav.kiosk", nullptr},
    {"schedule", "nav.schedule", nullptr},
    {"talent", "nav.talent", nullptr},
    {"requests", "nav.requests", nullptr},
    {"deliberation", "nav.deliberation", nullptr},
    {"projector", "nav.projector", "area.projector.what"},
    {"sync", "nav.sync", nullptr},
    {"devices", "nav.devices", nullptr},  // administrators only (role_screens.h)
    {"base", "nav.base", nullptr},
    {"settings", "nav.settings", nullptr},
};

}  // namespace

struct ViewState {
  std::string area = "home";
  Language language = Language::zh_CN;
  bool large_text = false;
  std::set<std::string> dismissed_problems;
  RecordsView records;
  KioskView kiosk;        // volunteering screens (issue 4)
  SyncView sync;
  DevicesView devices;    // issue 12: enrolment codes, device list, revoke
  ScheduleView schedule;
  DeliberationView deliberation;  // issue 11
  RequestsView requests;     // talent pool: residents' requests (talent_requests.cpp)
  TalentAreaView talent;     // talent pool: experts, trainees, figures (talent_pool.cpp)
  std::map<size_t, PendingAction> pending;  // commands of the last draw
  RequestId next_request = 1;
  std::map<RequestId, std::string> asked_by;  // request -> the area that asked (for its reply)
  std::string author_edit;
  bool author_touched = false;
  std::string settings_notice;
  // Dashboard figures, recounted only when the State changed.
  const State* figures_state = nullptr;
  uint64_t figures_applied = ~uint64_t{0};
  CommunityFigures figures;
};

namespace {

template <class T>
RequestId ask(ViewState& v, UiOutput& out, const char* screen, T what) {
  const RequestId id = v.next_request++;
  v.asked_by[id] = screen;
  out.requests.push_back(Request{id, std::move(what)});
  return id;
}

bool listed(const std::vector<std::string>& screens, const std::string& name) {
  return std::find(screens.begin(), screens.end(), name) != screens.end();
}

void draw_nav(ViewState& v, const std::vector<std::string>& screens) {
  push_font_scale(1.1f);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(tr("app.title"));
  ImGui::PopTextWrapPos();
  pop_font_scale();
  if (!v.large_text) ImGui::TextDisabled("%s", tr("app.subtitle"));
  ImGui::Separator();
  // Tall entries for touch, packed closely; in large-text mode all ten must
  // still fit a 1280x800 tablet without scrolling.
  const float fs = ImGui::GetFontSize();
  const float h = v.large_text ? fs * 1.5f : ImGui::GetFrameHeight() * 1.25f;
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, fs * 0.15f));
  ImGui::PushStyleVar(ImGuiStyleVar_SelectableTextAlign, ImVec2(0.0f, 0.5f));
  for (const auto& a : kAreas) {
    if (!listed(screens, a.name)) continue;
    std::string lbl = std::string(tr(a.nav_key)) + "##nav-" + a.name;
    const bool selected = v.area == a.name;
    // Areas not built yet are listed (people see what is coming) but dimmed,
    // except when selected (dim text on the highlight would be unreadable).
    const bool dim = a.what_key && !selected;
    if (dim) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    if (ImGui::Selectable(lbl.c_str(), selected, 0, ImVec2(0, h))) v.area = a.name;
    if (dim) ImGui::PopStyleColor();
  }
  ImGui::PopStyleVar(2);
}

void draw_not_built(ViewState& v, const AreaInfo& a) {
  const bool kiosk = std::string(a.name) == "kiosk";
  push_font_scale(kiosk ? 1.6f : 1.4f);
  ImGui::TextUnformatted(tr(a.nav_key));
  pop_font_scale();
  ImGui::Spacing();
  if (kiosk) push_font_scale(1.3f);
  ImVec4 warn = color_warning();
  status_text(tr("area.not_built"), (std::string("area-not-built-") + a.name).c_str(), &warn);
  ImGui::Spacing();
  ImGui::TextUnformatted(tr("area.will_do"));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 36));
  ImGui::Indent();
  ImGui::TextUnformatted(tr(a.what_key));
  ImGui::Unindent();
  ImGui::Spacing();
  ImGui::TextUnformatted(tr("area.meanwhile"));
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  const float bh = ImGui::GetFrameHeight() * (kiosk ? 1.6f : 1.2f);
  if (ImGui::Button(label("nav.base", "goto-base").c_str(), ImVec2(0, bh))) v.area = "base";
  if (kiosk) pop_font_scale();
}

void draw_home(ViewState& v, const State& state) {
  if (v.figures_state != &state || v.figures_applied != state.applied_ops()) {
    v.figures = count_figures(state);
    v.figures_state = &state;
    v.figures_applied = state.applied_ops();
  }
  const CommunityFigures& f = v.figures;
  push_font_scale(1.4f);
  ImGui::TextUnformatted(tr("home.title"));
  pop_font_scale();
  ImGui::Spacing();
  struct Card {
    const char* id;
    const char* key;
    size_t value;
    std::string note;
  };
  std::string share;
  if (f.households > 0) {
    double pct = 100.0 * static_cast<double>(f.volunteer_households) / static_cast<double>(f.households);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", pct);
    share = trf("home.share", {buf});
  }
  const Card cards[] = {
      {"households", "home.households", f.households, ""},
      {"residents", "home.residents", f.residents, ""},
      {"volunteers", "home.volunteers", f.volunteers, ""},
      {"volunteer-households", "home.volunteer_households", f.volunteer_households, share},
      {"experts", "home.experts", f.experts, ""},
      {"trainees", "home.trainees", f.trainees, ""},
      {"stations", "home.stations", f.stations, ""},
      {"halls", "home.halls", f.halls, ""},
      {"grids", "home.grids", f.grids, ""},
      {"micro-grids", "home.micro_grids", f.micro_grids, ""},
      {"squads", "home.squads", f.squads, ""},
      {"groups", "home.groups", f.groups, ""},
  };
  const ImGuiStyle& style = ImGui::GetStyle();
  const float card_w = ImGui::GetFontSize() * 11.0f;
  const float card_h = ImGui::GetFontSize() * 6.4f;  // number, label and a note line
  const float avail = ImGui::GetContentRegionAvail().x;
  const int per_row = std::max(1, static_cast<int>((avail + style.ItemSpacing.x) / (card_w + style.ItemSpacing.x)));
  int i = 0;
  for (const Card& c : cards) {
    if (i % per_row != 0) ImGui::SameLine();
    ++i;
    std::string child_id = std::string("##card-") + c.id;
    if (ImGui::BeginChild(child_id.c_str(), ImVec2(card_w, card_h), ImGuiChildFlags_Borders,
                          ImGuiWindowFlags_NoScrollbar)) {
      push_font_scale(1.9f);
      status_text(std::to_string(c.value), (std::string("home-") + c.id).c_str());
      pop_font_scale();
      ImGui::TextUnformatted(tr(c.key));
      if (!c.note.empty()) ImGui::TextDisabled("%s", c.note.c_str());
    }
    ImGui::EndChild();
  }
  ImGui::Spacing();
  if (f.households + f.residents + f.experts + f.stations + f.grids == 0)
    status_text_wrapped(tr("home.empty"), "home-empty");
  else
    ImGui::TextDisabled("%s", tr("home.counted"));
}

void draw_settings(ViewState& v, const AppStatus& status, UiOutput& out, Workbench& wb) {
  push_font_scale(1.4f);
  ImGui::TextUnformatted(tr("settings.title"));
  pop_font_scale();
  ImGui::Spacing();

  ImGui::TextUnformatted(tr("settings.language"));
  if (ImGui::RadioButton(label("settings.lang_zh", "lang-zh").c_str(), v.language == Language::zh_CN) &&
      v.language != Language::zh_CN) {
    wb.set_language(Language::zh_CN);
    ask(v, out, "settings", SettingsChanged{v.language, v.large_text});
  }
  ImGui::SameLine();
  if (ImGui::RadioButton(label("settings.lang_en", "lang-en").c_str(), v.language == Language::en) &&
      v.language != Language::en) {
    wb.set_language(Language::en);
    ask(v, out, "settings", SettingsChanged{v.language, v.large_text});
  }
  ImGui::Spacing();

  bool large = v.large_text;
  if (ImGui::Checkbox(label("settings.large_text", "large-text").c_str(), &large)) {
    wb.set_large_text(large);
    ask(v, out, "settings", SettingsChanged{v.language, v.large_text});
  }
  ImGui::TextDisabled("%s", tr("settings.large_text_note"));
  ImGui::Spacing();

  ImGui::TextUnformatted(tr("settings.author"));
  if (!v.author_touched) v.author_edit = status.author;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  if (input_text("##author", &v.author_edit, tr("settings.author_hint"))) {
    v.author_touched = true;
    v.settings_notice.clear();
  }
  ImGui::SameLine();
  const std::string name = trim(v.author_edit);
  ImGui::BeginDisabled(name.empty() || name == status.author);
  if (ImGui::Button(label("settings.author_save", "author-save").c_str())) {
    ask(v, out, "settings", SetAuthor{name});
    v.author_touched = false;
    v.settings_notice = tr("settings.author_saved");
  }
  ImGui::EndDisabled();
  ImGui::TextDisabled("%s", tr("settings.author_note"));
  if (!v.settings_notice.empty()) {
    ImVec4 c = color_ok();
    status_text(v.settings_notice, "settings-notice", &c);
  }
  ImGui::Spacing();
  ImGui::Separator();
  status_text(trf("settings.device", {status.device_id}), "settings-device");
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(status.persistent_storage ? tr("settings.storage_persistent")
                                                   : tr("settings.storage_not_persistent"));
  ImGui::TextUnformatted(trf("settings.full_font", {status.full_font_loaded ? tr("settings.full_font_ready")
                                                                             : tr("settings.full_font_pending")})
                             .c_str());
  ImGui::PopTextWrapPos();
}

// Lines of the status area above the one-line status bar.
int alert_lines(const ViewState& v, const AppStatus& s) {
  int n = 0;
  if (!s.storage_error.empty()) ++n;
  if (s.read_only) ++n;
  for (const auto& p : s.storage_problems)
    if (!v.dismissed_problems.count(p)) ++n;
  if (s.update_available) ++n;
  return n;
}

void draw_status(ViewState& v, const AppStatus& s, UiOutput& out) {
  const ImVec4 red = color_error();
  const ImVec4 amber = color_warning();
  if (!s.storage_error.empty()) status_text(trf("status.storage_error", {s.storage_error}), "status-storage-error", &red);
  if (s.read_only) {
    std::string reason = s.read_only_reason.empty() ? std::string(tr("status.read_only_default")) : problem_text(s.read_only_reason);
    status_text(trf("status.read_only", {reason}), "status-read-only", &amber);
  }
  for (size_t i = 0; i < s.storage_problems.size(); ++i) {
    const std::string& p = s.storage_problems[i];
    if (v.dismissed_problems.count(p)) continue;
    std::string idx = std::to_string(i);
    if (ImGui::SmallButton(label("status.dismiss", "dismiss-problem-" + idx).c_str())) v.dismissed_problems.insert(p);
    ImGui::SameLine();
    status_text(trf("status.problem", {p}), ("status-problem-" + idx).c_str(), &red);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", p.c_str());  // long messages are clipped in the bar
  }
  if (s.update_available) {
    if (ImGui::SmallButton(label("status.update_button", "apply-update").c_str())) ask(v, out, "status", ApplyUpdate{});
    ImGui::SameLine();
    status_text(tr("status.update"), "status-update", &amber);
  }
  // The one-line bar.
  const ImVec4 green = color_ok();
  if (s.saved_on_device && !s.flush_in_progress && s.storage_error.empty())
    status_text(tr("status.saved"), "status-saved", &green);
  else
    status_text(tr("status.saving"), "status-saving", &amber);
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
  if (s.online) status_text(tr("status.online"), "status-online", &green);
  else status_text(tr("status.offline"), "status-offline", &amber);
  if (s.sync.active) {
    // Sync in a few words; the "sync" area has the details.
    const SyncStatus& y = s.sync;
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    if (y.needs_enrolment) status_text(tr("status.sync_enrol"), "status-sync", &red);
    else if (y.waiting_ops > 0) status_text(trf("status.sync_waiting", {std::to_string(y.waiting_ops)}), "status-sync", &amber);
    else if (!y.last_error.empty() && s.online) status_text(tr("status.sync_problem"), "status-sync", &amber);
    else if (y.last_success_minutes > 0)
      status_text(tr("status.sync_ok"), "status-sync", &green);
    else status_text(tr("status.sync_never"), "status-sync");
    if (!y.rejected.empty()) {
      ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
      status_text(trf("status.sync_rejected", {std::to_string(y.rejected.size())}), "status-sync-rejected", &red);
    }
    size_t hidden = 0;  // own changes another device's change hid, not made again
    for (const auto& o : y.overridden) hidden += o.redone_as.empty() ? 1 : 0;
    if (hidden > 0) {
      ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
      status_text(trf("status.sync_overridden", {std::to_string(hidden)}), "status-sync-overridden", &amber);
    }
  }
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
  status_text(s.device_id.empty() ? std::string(tr("status.no_device")) : trf("status.device", {s.device_id}),
              "status-device");
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
  status_text(trf("status.ops", {std::to_string(s.operation_count)}), "status-ops");
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
  status_text(s.author.empty() ? std::string(tr("status.no_author")) : trf("status.author", {s.author}),
              "status-author");
  if (s.persistent_storage) {
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    ImGui::TextDisabled("%s", tr("status.persistent"));
  }
}

void push_touch_style() {
  // Generous, font-relative spacing: a frame is about 1.7 lines tall, a
  // comfortable touch target on tablets (and scales with large-text mode).
  const float fs = ImGui::GetFontSize();
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(fs * 0.5f, fs * 0.35f));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(fs * 0.5f, fs * 0.4f));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemInnerSpacing, ImVec2(fs * 0.35f, fs * 0.3f));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(fs * 0.6f, fs * 0.6f));
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(fs * 0.4f, fs * 0.25f));
  ImGui::PushStyleVar(ImGuiStyleVar_ScrollbarSize, fs * 0.9f);
  ImGui::PushStyleVar(ImGuiStyleVar_GrabMinSize, fs * 0.9f);
  ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, fs * 0.2f);
}
constexpr int kTouchStyleVars = 8;

}  // namespace

Workbench::Workbench() : view_(new ViewState) { set_current_language(view_->language); }
Workbench::~Workbench() { delete view_; }

Language Workbench::language() const { return view_->language; }
void Workbench::set_language(Language lang) {
  view_->language = lang;
  set_current_language(lang);
  view_->records.list.invalidate();  // titles of refs and choices are translated
  view_->records.ref_lists.clear();
}
bool Workbench::large_text() const { return view_->large_text; }
void Workbench::set_large_text(bool on) { view_->large_text = on; }
float Workbench::font_size_px() const { return view_->large_text ? kLargeFontPx : kNormalFontPx; }

bool Workbench::set_area(const std::string& name) {
  for (const auto& a : kAreas)
    if (name == a.name) {
      view_->area = name;
      return true;
    }
  return false;
}
std::string Workbench::area() const { return view_->area; }

void Workbench::prefill_enrolment(const std::string& code) {
  view_->sync.code = code;
  view_->area = "sync";
}

void Workbench::report_commit_result(size_t index, const std::string& error_message_or_empty) {
  auto it = view_->pending.find(index);
  if (it == view_->pending.end()) return;
  // To the screen that emitted the command, whatever area is open now.
  const std::string& screen = it->second.screen;
  if (screen == "kiosk") kiosk_commit_result(view_->kiosk, it->second, error_message_or_empty);
  else if (screen == "schedule") schedule_commit_result(view_->schedule, it->second, error_message_or_empty);
  else if (screen == "deliberation") deliberation_commit_result(view_->deliberation, it->second, error_message_or_empty);
  else if (screen == "requests") requests_commit_result(view_->requests, it->second, error_message_or_empty);
  else records_commit_result(view_->records, it->second, error_message_or_empty);
  view_->pending.erase(it);
}

void Workbench::report_commit_result(size_t index, const Error* error_or_null) {
  report_commit_result(index, error_or_null ? error_text(error_or_null->code, error_or_null->message) : std::string());
}

void Workbench::deliver(const Reply& reply) {
  auto it = view_->asked_by.find(reply.id);
  if (it == view_->asked_by.end()) return;
  const std::string screen = it->second;
  view_->asked_by.erase(it);
  if (reply.error.empty()) return;
  const std::string text = problem_text(reply.error);
  if (screen == "schedule") schedule_request_failed(view_->schedule, text);
  else if (screen == "deliberation") deliberation_request_failed(view_->deliberation, text);
  else if (screen == "settings") view_->settings_notice = text;
  // The sync screen shows its answers through SyncStatus (enrolment, rounds).
}

// The area v.area names (the home page when it names none), in the content pane.
static void draw_area(ViewState& v, const State& state, const AppStatus& status, UiOutput& out, Frame& frame, Workbench& wb) {
  const AreaInfo* area = nullptr;
  for (const auto& a : kAreas)
    if (v.area == a.name) area = &a;
  if (!area) area = &kAreas[0];
  const std::string name = area->name;
  frame.screen = name;
  if (name == "home") draw_home(v, state);
  else if (name == "base") draw_records(v.records, frame);
  else if (name == "settings") draw_settings(v, status, out, wb);
  else if (name == "kiosk") draw_kiosk(v.kiosk, frame);
  else if (name == "schedule") draw_schedule(v.schedule, frame);
  else if (name == "sync") draw_sync(v.sync, status, frame);
  else if (name == "devices") draw_devices(v.devices, frame);
  else if (name == "deliberation") draw_deliberation(v.deliberation, frame);
  else if (name == "projector") draw_projector_area(state, out);
  else if (name == "requests") draw_requests(v.requests, frame);
  else if (name == "talent") draw_talent(v.talent, frame);
  else draw_not_built(v, *area);
}

void Workbench::draw(const State& state, const AppStatus& status, UiOutput& out) {
  ViewState& v = *view_;
  set_current_language(v.language);
  // A result the app did not report is unknown: stop waiting, keep the edits.
  if (!v.pending.empty()) v.records.waiting = false;
  v.pending.clear();
  Frame frame{state, status, out, v.pending};
  frame.next_request = &v.next_request;
  frame.asked_by = &v.asked_by;

  ImGui::PushFont(nullptr, font_size_px());
  push_touch_style();

  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  const ImGuiWindowFlags wflags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                  ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  // What this device shows, by the role it was enrolled with (role_screens.h).
  const std::vector<std::string> screens = screens_for_role(status.sync.role);
  const bool locked = screens.size() == 1;
  if (!locked && !listed(screens, v.area)) v.area = screens.front();
  if (ImGui::Begin("##workbench", nullptr, wflags)) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float line = ImGui::GetTextLineHeightWithSpacing();  // status lines are text and small buttons
    const float status_h = (1 + alert_lines(v, status)) * line + style.WindowPadding.y * 2;
    if (locked) {
      // One screen alone, no navigation: the voting tablet (and, by the same
      // mapping, any role locked to one screen).
      if (ImGui::BeginChild("##content", ImVec2(0, -status_h - style.ItemSpacing.y), ImGuiChildFlags_Borders)) {
        if (screens.front() == "vote") {
          frame.screen = "deliberation";  // its ballots' results go to the vote screen
          draw_voting_tablet(v.deliberation, frame);
          if (status.sync.needs_enrolment) {  // revoked: enrol again here
            frame.screen = "sync";
            draw_sync(v.sync, status, frame);
          }
        }
      }
    } else {
      // Wide enough for the longest entry in the current language.
      float nav_w = ImGui::GetFontSize() * 9.5f;
      for (const auto& a : kAreas)
        nav_w = std::max(nav_w, ImGui::CalcTextSize(tr(a.nav_key)).x + style.WindowPadding.x * 2 +
                                    style.FramePadding.x * 2);
      if (ImGui::BeginChild("##nav", ImVec2(nav_w, -status_h - style.ItemSpacing.y), ImGuiChildFlags_Borders))
        draw_nav(v, screens);
      ImGui::EndChild();
      ImGui::SameLine();
      if (ImGui::BeginChild("##content", ImVec2(0, -status_h - style.ItemSpacing.y), ImGuiChildFlags_Borders))
        draw_area(v, state, status, out, frame, *this);
    }
    ImGui::EndChild();
    if (ImGui::BeginChild("##status", ImVec2(0, 0), ImGuiChildFlags_Borders, ImGuiWindowFlags_NoScrollbar))
      draw_status(v, status, out);
    ImGui::EndChild();
  }
  ImGui::End();

  ImGui::PopStyleVar(kTouchStyleVars);
  ImGui::PopFont();
}

}  // namespace dh::ui
