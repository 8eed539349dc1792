// The shell: navigation, status bar, dashboard, settings and the areas that
// are not built yet. The base-records area is in records.cpp.
#include "ui/workbench.h"
#include "ui/projector_control.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/civil_time.h"
#include "core/text.h"
#include "imgui.h"
#include "ui/deliberation_screens.h"
#include "ui/device_lock.h"
#include "ui/devices_screen.h"
#include "ui/home_story.h"
#include "ui/kiosk_lock.h"
#include "ui/role_screens.h"
#include "ui/form.h"
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
  bool kiosk_lock = false;      // the device's setting (device_lock.h)
  bool staff_unlocked = false;  // staff left the lock of an enrolled kiosk with the PIN (until reload)
  std::string locked;           // the area this device is locked to, "" for none (last draw)
  PinPad pin;                   // the staff PIN pad (locked screen or settings)
  std::set<std::string> dismissed_problems;
  RecordsView records;
  KioskView kiosk;        // volunteering screens (issue 4)
  SyncView sync;
  DevicesView devices;    // issue 12: enrolment codes, device list, revoke
  ScheduleView schedule;
  DeliberationView deliberation;  // issue 11
  RequestsView requests;     // talent pool: residents' requests (talent_requests.cpp)
  TalentAreaView talent;     // talent pool: experts, trainees, figures (talent_pool.cpp)
  HomeStoryView home_story;  // the home page's figures and trends (home_story.cpp, issue 12)
  std::map<size_t, PendingAction> pending;  // commands of the last draw
  RequestId next_request = 1;
  std::map<RequestId, std::string> asked_by;  // request -> the area that asked (for its reply)
  std::string author_edit;
  bool author_touched = false;
  std::string settings_notice;
  float status_content_h = 0;  // the status area's content in the last frame (it wraps on narrow windows)
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

void draw_home(ViewState& v, const State& state, const AppStatus& status) {
  draw_home_story(v.home_story, state, status.now_local_minutes);
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

// Kiosk mode (device_lock.h): lock this device as a kiosk, which first sets
// the staff PIN when there is none; change the PIN.
void draw_kiosk_settings(ViewState& v, const AppStatus& status, Frame& frame) {
  ImGui::Separator();
  ImGui::TextUnformatted(tr("settings.kiosk_title"));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 36));
  ImGui::TextDisabled("%s", tr("settings.kiosk_note"));
  if (status.sync.role == "kiosk") ImGui::TextDisabled("%s", tr("settings.kiosk_enrolled"));
  ImGui::PopTextWrapPos();
  if (v.pin.mode != PinPad::Mode::closed) {
    draw_pin_pad(v.pin, frame);
    return;
  }
  status_text(tr(status.staff_pin_set ? "settings.kiosk_pin_set" : "settings.kiosk_pin_not_set"), "settings-pin-state");
  if (!v.pin.message.empty()) {
    const ImVec4 c = v.pin.message_is_error ? color_error() : color_ok();
    status_text_wrapped(v.pin.message, "settings-pin-message", &c);
  }
  ImGui::BeginDisabled(status.read_only);
  if (status.staff_pin_set) {
    if (ImGui::Button(label("settings.kiosk_lock", "kiosk-lock-on").c_str(), ImVec2(0, touch_height()))) {
      v.kiosk_lock = true;
      v.staff_unlocked = false;
      ask(v, frame.out, "settings", SettingsChanged{v.language, v.large_text, v.kiosk_lock});
    }
    ImGui::SameLine();
    if (ImGui::Button(label("settings.kiosk_change_pin", "kiosk-change-pin").c_str(), ImVec2(0, touch_height())))
      v.pin.open(PinPad::Mode::set_first, false);
  } else if (ImGui::Button(label("settings.kiosk_lock_new_pin", "kiosk-lock-on").c_str(), ImVec2(0, touch_height()))) {
    v.pin.open(PinPad::Mode::set_first, true);
  }
  ImGui::EndDisabled();
}

void draw_settings(ViewState& v, const AppStatus& status, UiOutput& out, Workbench& wb, Frame& frame) {
  push_font_scale(1.4f);
  ImGui::TextUnformatted(tr("settings.title"));
  pop_font_scale();
  ImGui::Spacing();

  ImGui::TextUnformatted(tr("settings.language"));
  if (ImGui::RadioButton(label("settings.lang_zh", "lang-zh").c_str(), v.language == Language::zh_CN) &&
      v.language != Language::zh_CN) {
    wb.set_language(Language::zh_CN);
    ask(v, out, "settings", SettingsChanged{v.language, v.large_text, v.kiosk_lock});
  }
  ImGui::SameLine();
  if (ImGui::RadioButton(label("settings.lang_en", "lang-en").c_str(), v.language == Language::en) &&
      v.language != Language::en) {
    wb.set_language(Language::en);
    ask(v, out, "settings", SettingsChanged{v.language, v.large_text, v.kiosk_lock});
  }
  ImGui::Spacing();

  bool large = v.large_text;
  if (ImGui::Checkbox(label("settings.large_text", "large-text").c_str(), &large)) {
    wb.set_large_text(large);
    ask(v, out, "settings", SettingsChanged{v.language, v.large_text, v.kiosk_lock});
  }
  ImGui::TextDisabled("%s", tr("settings.large_text_note"));
  ImGui::Spacing();

  draw_kiosk_settings(v, status, frame);
  ImGui::Spacing();

  ImGui::TextUnformatted(tr("settings.author"));
  // A new device's author is "staff:local" until a name is saved: the field starts empty.
  if (!v.author_touched) v.author_edit = status.author == "staff:local" ? std::string() : status.author;
  ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 16, ImGui::GetContentRegionAvail().x));
  if (input_text("##author", &v.author_edit, tr("settings.author_hint"))) {
    v.author_touched = true;
    v.settings_notice.clear();
  }
  same_line_if_fits(label("settings.author_save", "author-save"));
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

// "20:15" today, "12月1日 20:15" / "Dec 1, 20:15" another day.
std::string when_text(int64_t minutes, int64_t now_minutes) {
  const int64_t day = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440;
  const int64_t today = now_minutes >= 0 ? now_minutes / 1440 : (now_minutes - 1439) / 1440;
  const std::string hm = format_time_of_day(static_cast<int>(minutes - day * 1440));
  if (day == today) return hm;
  int y = 0;
  unsigned m = 1, d = 1;
  civil_from_days(day, &y, &m, &d);
  std::vector<std::string> months;
  std::istringstream words(tr("status.month_names"));
  for (std::string w; words >> w;) months.push_back(w);
  const std::string month_name = m >= 1 && m <= months.size() ? months[m - 1] : std::to_string(m);
  return trf("status.when_day", {hm, std::to_string(m), std::to_string(d), month_name});
}

}  // namespace

SyncLine sync_status_line(const AppStatus& s) {
  const SyncStatus& y = s.sync;
  const bool synced_once = y.last_success_minutes > 0;
  const std::string when = synced_once ? when_text(y.last_success_minutes, s.now_local_minutes) : std::string();
  using Tone = SyncLine::Tone;
  // Never "synced" while offline, out of contact, failing or with changes
  // waiting: then the line says what is wrong and since when it last worked.
  if (y.needs_enrolment) return {tr("status.sync_enrol"), Tone::error};
  if (y.waiting_ops > 0) {
    const std::string n = std::to_string(y.waiting_ops);
    return {synced_once ? trf("status.sync_waiting_last", {n, when}) : trf("status.sync_waiting", {n}), Tone::warn};
  }
  if (!s.online) return {synced_once ? trf("status.sync_last", {when}) : std::string(tr("status.sync_never")), Tone::warn};
  if (y.contact_lost)
    return {synced_once ? trf("status.sync_no_contact", {when}) : std::string(tr("status.sync_no_contact_never")),
            Tone::warn};
  if (!y.last_error.empty())
    return {synced_once ? trf("status.sync_problem_last", {when}) : std::string(tr("status.sync_problem")), Tone::warn};
  if (!synced_once) return {tr("status.sync_never"), Tone::plain};
  // Up to date: the time is "now" (the push channel, or a poll within 15 s,
  // keeps it so), and an idle page draws nothing when the minute changes.
  return {tr("status.sync_ok"), Tone::ok};
}

namespace {

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
  // The bar: its items flow, on as many lines as the width needs (a portrait
  // tablet in large text takes two or three); draw() sizes the area from the
  // height this took in the frame before.
  const ImVec4 green = color_ok();
  bool first = true;
  auto item = [&](const std::string& text, const char* id, const ImVec4* color) {
    if (!first) {
      ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
      if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(text.c_str()).x) ImGui::NewLine();
    }
    first = false;
    status_text(text, id, color);
  };
  if (s.saved_on_device && !s.flush_in_progress && s.storage_error.empty()) item(tr("status.saved"), "status-saved", &green);
  else item(tr("status.saving"), "status-saving", &amber);
  if (s.online) item(tr("status.online"), "status-online", &green);
  else item(tr("status.offline"), "status-offline", &amber);
  if (s.sync.active) {
    // Sync in a few words (sync_status_line); the "sync" area has the details.
    const SyncStatus& y = s.sync;
    const SyncLine line = sync_status_line(s);
    const ImVec4 tone = line.tone == SyncLine::Tone::ok     ? green
                        : line.tone == SyncLine::Tone::error ? red
                        : line.tone == SyncLine::Tone::warn  ? amber
                                                             : ImGui::GetStyleColorVec4(ImGuiCol_Text);
    item(line.text, "status-sync", &tone);
    if (!y.rejected.empty())
      item(trf("status.sync_rejected", {std::to_string(y.rejected.size())}), "status-sync-rejected", &red);
    size_t hidden = 0;  // own changes another device's change hid, not made again
    for (const auto& o : y.overridden) hidden += o.redone_as.empty() ? 1 : 0;
    if (hidden > 0) item(trf("status.sync_overridden", {std::to_string(hidden)}), "status-sync-overridden", &amber);
  }
  item(s.device_id.empty() ? std::string(tr("status.no_device")) : trf("status.device", {s.device_id}), "status-device",
       nullptr);
  item(trf("status.ops", {std::to_string(s.operation_count)}), "status-ops", nullptr);
  item(s.author.empty() ? std::string(tr("status.no_author")) : trf("status.author", {author_text(s.author)}), "status-author",
       nullptr);
  if (s.persistent_storage) {
    const ImVec4 muted = ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
    item(tr("status.persistent"), "status-persistent", &muted);
  }
  v.status_content_h = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + ImGui::GetStyle().WindowPadding.y;
}

// A locked device (device_lock.h): its area alone in the whole window, or the
// staff PIN pad; below it one line: saved / offline and the staff button.
void draw_locked(ViewState& v, const AppStatus& s, Frame& frame, const std::function<void()>& draw_area) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float button_h = touch_height(1.2f);
  const float footer_h = button_h + style.WindowPadding.y * 2 + 2;
  if (ImGui::BeginChild("##kiosk-locked", ImVec2(0, -footer_h - style.ItemSpacing.y), ImGuiChildFlags_Borders)) {
    frame.screen = v.locked;
    if (v.pin.mode != PinPad::Mode::closed) draw_pin_pad(v.pin, frame);
    else draw_area();
  }
  ImGui::EndChild();
  if (ImGui::BeginChild("##kiosk-footer", ImVec2(0, 0), ImGuiChildFlags_Borders, ImGuiWindowFlags_NoScrollbar)) {
    const ImVec4 red = color_error(), amber = color_warning(), green = color_ok();
    const std::string staff = label("lock.staff", "kiosk-staff");
    const float staff_w = ImGui::CalcTextSize(tr("lock.staff")).x + style.FramePadding.x * 4;
    // The line's texts centred on the button's height.
    const float text_y = ImGui::GetCursorPosY() + (button_h - ImGui::GetTextLineHeight()) * 0.5f;
    ImGui::SetCursorPosY(text_y);
    if (!s.storage_error.empty())
      status_text(trf("lock.storage_error", {s.storage_error}), "status-storage-error", &red);
    else if (s.saved_on_device && !s.flush_in_progress)
      status_text(tr("status.saved"), "status-saved", &green);
    else
      status_text(tr("status.saving"), "status-saving", &amber);
    ImGui::SameLine(0, ImGui::GetFontSize());
    if (s.online) status_text(tr("status.online"), "status-online", &green);
    else status_text(tr("status.offline"), "status-offline", &amber);
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - staff_w - style.WindowPadding.x));
    ImGui::SetCursorPosY(text_y - (button_h - ImGui::GetTextLineHeight()) * 0.5f);
    if (ImGui::Button(staff.c_str(), ImVec2(staff_w, button_h)))
      v.pin.open(s.staff_pin_set ? PinPad::Mode::leave : PinPad::Mode::set_first);
  }
  ImGui::EndChild();
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
// The locked kiosk always has large text.
float Workbench::font_size_px() const {
  const ViewState& v = *view_;
  const bool locked = !v.locked.empty() || (v.kiosk_lock && !v.staff_unlocked);
  return v.large_text || locked ? kLargeFontPx : kNormalFontPx;
}
bool Workbench::kiosk_lock() const { return view_->kiosk_lock; }
void Workbench::set_kiosk_lock(bool on) { view_->kiosk_lock = on; }
std::string Workbench::locked_area() const { return view_->locked; }

bool Workbench::set_area(const std::string& name) {
  for (const auto& a : kAreas)
    if (name == a.name) {
      view_->area = name;
      return true;
    }
  return false;
}
std::string Workbench::area() const { return view_->locked.empty() ? view_->area : view_->locked; }

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
  if (screen == "kiosk-lock") {
    ViewState& v = *view_;
    switch (pin_pad_reply(v.pin, reply)) {
      case PinOutcome::left:  // staff are in: the whole workbench, at the settings
        v.kiosk_lock = false;
        v.staff_unlocked = true;
        v.locked.clear();
        v.area = "settings";
        break;
      case PinOutcome::pin_set_locked:  // the session wrote the lock with the PIN
        v.kiosk_lock = true;
        v.staff_unlocked = false;
        v.pin.message.clear();
        break;
      case PinOutcome::pin_set: break;
      case PinOutcome::none: break;
    }
    return;
  }
  if (reply.error.empty()) return;
  const std::string text = problem_text(reply.error);
  if (screen == "schedule") schedule_request_failed(view_->schedule, text);
  else if (screen == "deliberation") deliberation_request_failed(view_->deliberation, text);
  else if (screen == "settings") view_->settings_notice = text;
  // The sync screen shows its answers through SyncStatus (enrolment, rounds).
}

// One area's screen in the current child window (the workbench's content, or
// the whole window when the device is locked to it).
void Workbench::draw_area(const std::string& wanted, Frame& frame, Workbench& wb) {
  ViewState& v = *view_;
  const State& state = frame.state;
  const AppStatus& status = frame.status;
  UiOutput& out = frame.out;
  const AreaInfo* area = nullptr;
  for (const auto& a : kAreas)
    if (wanted == a.name) area = &a;
  if (!area) area = &kAreas[0];
  const std::string name = area->name;
  frame.screen = name;
  if (name == "home") draw_home(v, state, status);
  else if (name == "base") draw_records(v.records, frame);
  else if (name == "settings") draw_settings(v, status, out, wb, frame);
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
  // Year-less typed dates ("12月2日") are read near today (ui/form.h).
  if (status.now_local_minutes > 0) set_form_today(status.now_local_minutes / 1440);
  // A result the app did not report is unknown: stop waiting, keep the edits.
  if (!v.pending.empty()) v.records.waiting = false;
  v.pending.clear();
  Frame frame{state, status, out, v.pending};
  frame.next_request = &v.next_request;
  frame.asked_by = &v.asked_by;
  // Locked to one screen? (device_lock.h: the one decision.) A change of lock
  // starts the kiosk afresh: nobody's shifts stay on the screen.
  const std::string was_locked = v.locked;
  v.locked = v.staff_unlocked ? std::string() : ui::locked_area(status.sync.role, v.kiosk_lock);
  if (v.locked != was_locked) {
    if (!v.locked.empty()) v.pin = PinPad{};
    v.kiosk = KioskView{};
  }

  ImGui::PushFont(nullptr, font_size_px());
  push_touch_style();

  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  const ImGuiWindowFlags wflags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                  ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  // What this device shows, by the role it was enrolled with (role_screens.h):
  // a voting tablet is locked to its one screen; a kiosk (enrolled, or by the
  // device's lock setting) to the kiosk with a staff PIN to leave (device_lock.h).
  const std::vector<std::string> screens = screens_for_role(status.sync.role);
  const bool locked = screens.size() == 1;
  if (!locked && !listed(screens, v.area)) v.area = screens.front();
  const bool shown = ImGui::Begin("##workbench", nullptr, wflags);
  if (shown && !locked && !v.locked.empty()) {
    draw_locked(v, status, frame, [&] { draw_area(v.locked, frame, *this); });
  } else if (shown) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float line = ImGui::GetTextLineHeightWithSpacing();  // status lines are text and small buttons
    // As tall as its content was in the frame before (the bar wraps when
    // narrow); at least the lines it has. A change of status draws two frames.
    const float status_h = std::max((1 + alert_lines(v, status)) * line + style.WindowPadding.y * 2,
                                    v.status_content_h + 2.0f);
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
      ImGui::EndChild();
      if (ImGui::BeginChild("##status", ImVec2(0, 0), ImGuiChildFlags_Borders, ImGuiWindowFlags_NoScrollbar))
        draw_status(v, status, out);
      ImGui::EndChild();
      ImGui::End();
      ImGui::PopStyleVar(kTouchStyleVars);
      ImGui::PopFont();
      return;
    }
    // Wide enough for the longest entry in the current language.
    // (A narrow window, a portrait tablet in large text, gives the content
    // more room: the entries' own width is the minimum there.)
    const bool narrow = vp->WorkSize.x < ImGui::GetFontSize() * 34;
    float nav_w = ImGui::GetFontSize() * (narrow ? 5.0f : 9.5f);
    for (const auto& a : kAreas)
      nav_w = std::max(nav_w, ImGui::CalcTextSize(tr(a.nav_key)).x + style.WindowPadding.x * 2 +
                                  style.FramePadding.x * 2);
    if (ImGui::BeginChild("##nav", ImVec2(nav_w, -status_h - style.ItemSpacing.y), ImGuiChildFlags_Borders))
      draw_nav(v, screens);
    ImGui::EndChild();
    ImGui::SameLine();
    if (ImGui::BeginChild("##content", ImVec2(0, -status_h - style.ItemSpacing.y), ImGuiChildFlags_Borders)) {
      draw_area(v.area, frame, *this);
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
