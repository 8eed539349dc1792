// The volunteer kiosk (area "kiosk"): a resident at a tablet in the hall finds
// themself, sees their own shifts and hours, cancels or signs up. Large text
// and buttons; nobody else's phone or address is ever shown. See
// volunteering_screens.h for the contract.
#include <algorithm>
#include <cstdio>

#include "core/checkin.h"
#include "core/civil_time.h"
#include "core/text.h"
#include "imgui.h"
#include "ui/strings.h"
#include "ui/volunteering_screens.h"
#include "ui/widgets.h"

namespace dh::ui {

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

const VolunteerIndex& IndexCache::get(const State& state) {
  if (!index_ || state_ != &state || applied_ != state.applied_ops()) {
    index_ = std::make_unique<VolunteerIndex>(state);
    state_ = &state;
    applied_ = state.applied_ops();
  }
  return *index_;
}

std::string volunteer_display_name(const State& state, const std::string& volunteer_id) {
  const Entity* v = state.find("volunteer", volunteer_id);
  if (!v) return "";
  const Entity* r = state.find("resident", v->text("resident"));
  return r ? r->text("name") : "";
}

std::string shift_when_text(const Entity& shift) {
  const std::string s = shift.text("start"), e = shift.text("end");
  if (s.size() < 16 || e.size() < 16) return s + " – " + e;
  std::string out = s.substr(5, 5) + " " + s.substr(11, 5) + "–";
  if (e.substr(0, 10) != s.substr(0, 10)) out += e.substr(5, 5) + " ";
  return out + e.substr(11, 5);
}

std::string hours_text(int64_t minutes) {
  const bool neg = minutes < 0;
  int64_t m = neg ? -minutes : minutes;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld:%02lld", neg ? "-" : "", static_cast<long long>(m / 60),
                static_cast<long long>(m % 60));
  return buf;
}

namespace {

std::string station_title(const State& state, const std::string& id) {
  const Entity* s = state.find("station", id);
  return s ? s->text("name") : "";
}

// Every kiosk text goes through here, so the test-engine hook sees all of it.
int g_line = 0;
void ktext(const std::string& text, const ImVec4* color = nullptr) {
  status_text_wrapped(text, ("kiosk-line-" + std::to_string(g_line++)).c_str(), color);
}

bool big_button(const std::string& lbl, float width = 0) {
  return ImGui::Button(lbl.c_str(), ImVec2(width, ImGui::GetFrameHeight() * 1.5f));
}

bool any_input() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || io.MouseWheel != 0 || io.InputQueueCharacters.Size > 0)
    return true;
  for (bool d : io.MouseDown)
    if (d) return true;
  for (int k = ImGuiKey_NamedKey_BEGIN; k < ImGuiKey_NamedKey_END; ++k)
    if (ImGui::IsKeyDown(static_cast<ImGuiKey>(k))) return true;
  return false;
}

void go_start(KioskView& v) {
  v.step = KioskView::Step::start;
  v.query.clear();
  v.volunteer_id.clear();
  v.message.clear();
  v.message_is_error = false;
  v.waiting = false;
  v.signup_shift.clear();
  v.request = KioskRequestForm{};
}

void show_message(const KioskView& v) {
  if (v.message.empty()) return;
  ImVec4 c = v.message_is_error ? color_error() : color_ok();
  status_text_wrapped(v.message, "kiosk-message", &c);
}

void draw_start(KioskView& v, Frame& f) {
  const State& state = f.state;
  // Residents' requests (talent pool): a separate, simple form.
  if (big_button(label("kreq.open", "kiosk-request"))) {
    v.request = KioskRequestForm{};
    v.request.open = true;
    return;
  }
  ktext(tr("kiosk.find_prompt"));
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 16));
  input_text("##kiosk-search", &v.query, tr("kiosk.search_hint"));
  show_message(v);
  std::string q;
  for (char c : v.query)
    if (c != ' ') q += c;
  if (q.empty()) return;
  const bool digits = q.size() == 4 && std::all_of(q.begin(), q.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::string folded = fold_case(q);
  int shown = 0, matched = 0;
  for (const Entity* vol : state.list("volunteer")) {
    const Entity* r = state.find("resident", vol->text("resident"));
    if (!r) continue;
    const std::string name = r->text("name");
    std::string phone = r->text("phone");
    if (phone.empty()) {
      const Entity* h = state.find("household", r->text("household"));
      if (h) phone = h->text("phone");
    }
    std::string pd;
    for (char c : phone)
      if (c >= '0' && c <= '9') pd += c;
    // A kiosk enrolled with the server receives names masked (张*明, issue 8):
    // the whole name typed matches its masked form.
    bool hit = digits ? (pd.size() >= 4 && pd.compare(pd.size() - 4, 4, q) == 0)
                      : fold_case(name).find(folded) != std::string::npos ||
                            (name.find('*') != std::string::npos && mask_person_name(q) == name);
    if (!hit) continue;
    ++matched;
    if (shown >= 8) continue;
    ++shown;
    std::string masked = mask_phone(phone);
    std::string text = name + (masked.empty() ? "" : "   " + masked);
    if (big_button(text + "##kiosk-pick-" + vol->id, ImGui::GetContentRegionAvail().x * 0.8f)) {
      v.volunteer_id = vol->id;
      v.step = KioskView::Step::mine;
      v.message.clear();
    }
  }
  if (matched == 0) ktext(tr("kiosk.no_match"));
  else if (matched > shown) ktext(trf("kiosk.more_matches", {std::to_string(matched - shown)}));
}

void draw_mine(KioskView& v, Frame& f) {
  const State& state = f.state;
  const VolunteerIndex& index = v.index.get(state);
  const int64_t now = f.status.now_local_minutes;
  status_text(trf("kiosk.hello", {volunteer_display_name(state, v.volunteer_id)}), "kiosk-title");
  // Hours this year.
  if (now > 0) {
    if (v.hours_applied != state.applied_ops() || v.hours_volunteer != v.volunteer_id) {
      int y;
      unsigned m, d;
      civil_from_days(now / 1440, &y, &m, &d);
      auto ledger = hours_ledger(state, days_from_civil(y, 1, 1), days_from_civil(y + 1, 1, 1));
      auto by = hours_by_volunteer(state, ledger);
      auto it = by.find(v.volunteer_id);
      v.hours = it == by.end() ? HoursTotals{} : it->second;
      v.hours_applied = state.applied_ops();
      v.hours_volunteer = v.volunteer_id;
    }
    status_text_wrapped(trf("kiosk.hours", {hours_text(v.hours.total()), hours_text(v.hours.verified_minutes),
                                            hours_text(v.hours.manual_minutes)}),
                        "kiosk-hours");
  }
  show_message(v);
  ImGui::Separator();
  ktext(tr("kiosk.my_shifts"));
  int n = 0;
  for (const Entity* su : index.signups_of(v.volunteer_id)) {
    const Entity* shift = state.find("shift", su->text("shift"));
    if (!shift || !shift->live()) continue;
    Interval when;
    if (!shift_interval(*shift, &when)) continue;
    if (now > 0 && when.end <= now) continue;
    ++n;
    Roster roster = index.roster(shift->id);
    int wait_pos = 0;
    for (size_t i = 0; i < roster.waitlist.size(); ++i)
      if (roster.waitlist[i].signup == su) wait_pos = static_cast<int>(i) + 1;
    std::string place = wait_pos ? trf("kiosk.waitlist_pos", {std::to_string(wait_pos)}) : tr("kiosk.confirmed");
    ImGui::PushID(su->id.c_str());
    ktext(shift_when_text(*shift) + "  " + station_title(state, shift->text("station")) + "  " + shift->text("role") +
          "  " + place);
    ImGui::SameLine();
    if (big_button(label("kiosk.cancel", "kiosk-cancel-" + su->id))) {
      f.emit(ArchiveEntity{"signup", su->id, "cancelled at the kiosk"},
             PendingAction{PendingAction::What::archive, "signup", su->id});
      v.message = tr("kiosk.cancelled");
      v.message_is_error = false;
    }
    ImGui::PopID();
  }
  if (n == 0) ktext(tr("kiosk.no_shifts"));
  ImGui::Spacing();
  if (big_button(label("kiosk.find_shifts", "kiosk-find"))) {
    v.step = KioskView::Step::open;
    v.message.clear();
  }
  ImGui::SameLine();
  if (big_button(label("kiosk.finish", "kiosk-finish"))) go_start(v);
}

void draw_open(KioskView& v, Frame& f) {
  const State& state = f.state;
  const VolunteerIndex& index = v.index.get(state);
  const int64_t now = f.status.now_local_minutes;
  status_text(trf("kiosk.open_title", {volunteer_display_name(state, v.volunteer_id)}), "kiosk-title");
  show_message(v);
  if (now <= 0) {
    ktext(tr("kiosk.no_clock"));
  } else {
    std::vector<std::pair<Interval, const Entity*>> open;
    std::vector<const Entity*> mine;
    for (const Entity* su : index.signups_of(v.volunteer_id)) mine.push_back(state.find("shift", su->text("shift")));
    for (const Entity* shift : state.list("shift")) {
      Interval when;
      if (!shift_interval(*shift, &when)) continue;
      if (when.start < now || when.start >= now + 14 * 1440) continue;
      if (std::find(mine.begin(), mine.end(), shift) != mine.end()) continue;
      open.push_back({when, shift});
    }
    std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) {
      return a.first.start != b.first.start ? a.first.start < b.first.start : a.second->id < b.second->id;
    });
    if (open.empty()) ktext(tr("kiosk.no_open"));
    if (v.waiting) {
      const ImVec4 amber = color_warning();
      status_text_wrapped(tr("kiosk.waiting"), "kiosk-waiting", &amber);
    }
    ImGui::BeginDisabled(v.waiting || f.status.read_only);
    for (const auto& [when, shift] : open) {
      Roster roster = index.roster(shift->id);
      const int left = roster.open_places();
      std::string places = left > 0 ? trf("kiosk.places_left", {std::to_string(left)}) : tr("kiosk.waitlist_only");
      ImGui::PushID(shift->id.c_str());
      ktext(shift_when_text(*shift) + "  " + station_title(state, shift->text("station")) + "  " +
            shift->text("role") + "  " + places);
      ImGui::SameLine();
      if (big_button(label("kiosk.signup", "kiosk-signup-" + shift->id))) {
        f.emit(CreateEntity{"signup", signup_fields(index, shift->id, v.volunteer_id, "kiosk"), ""},
               PendingAction{PendingAction::What::create, "signup", shift->id});
        v.waiting = true;
        v.signup_shift = shift->id;
        v.message.clear();
      }
      ImGui::PopID();
    }
    ImGui::EndDisabled();
  }
  ImGui::Spacing();
  if (big_button(label("kiosk.back", "kiosk-back"))) {
    v.step = KioskView::Step::mine;
    v.message.clear();
  }
}

void draw_done(KioskView& v, Frame& f) {
  const State& state = f.state;
  status_text(tr("kiosk.done_title"), "kiosk-title");
  const Entity* shift = state.find("shift", v.signup_shift);
  if (shift) {
    ktext(shift_when_text(*shift) + "  " + station_title(state, shift->text("station")) + "  " + shift->text("role"));
    // Where the new sign-up stands now.
    const VolunteerIndex& index = v.index.get(state);
    Roster roster = index.roster(shift->id);
    for (size_t i = 0; i < roster.waitlist.size(); ++i)
      if (roster.waitlist[i].signup->text("volunteer") == v.volunteer_id)
        ktext(trf("kiosk.waitlist_pos", {std::to_string(i + 1)}));
    for (const auto& e : roster.confirmed)
      if (e.signup->text("volunteer") == v.volunteer_id) ktext(tr("kiosk.confirmed"));
  }
  const ImVec4 green = color_ok(), amber = color_warning();
  if (f.status.saved_on_device && !f.status.flush_in_progress && f.status.storage_error.empty())
    status_text_wrapped(tr("kiosk.saved"), "kiosk-saved", &green);
  else
    status_text_wrapped(tr("kiosk.saving"), "kiosk-saving", &amber);
  if (!f.status.online) ktext(tr("kiosk.offline_note"));
  ImGui::Spacing();
  if (big_button(label("kiosk.more", "kiosk-more"))) {
    v.step = KioskView::Step::open;
    v.message.clear();
  }
  ImGui::SameLine();
  if (big_button(label("kiosk.ok", "kiosk-ok"))) go_start(v);
}

}  // namespace

void draw_kiosk(KioskView& v, Frame& f) {
  g_line = 0;
  const double t = ImGui::GetTime();
  if (v.last_input < 0 || any_input()) v.last_input = t;
  if (t - v.last_input > 60.0 && (v.step != KioskView::Step::start || !v.query.empty())) {
    go_start(v);
    v.last_input = t;
  }
  // A sign-up is shown as done only from its commit result
  // (kiosk_commit_result); until then the kiosk says it is saving.
  if (!v.volunteer_id.empty() && !f.state.find("volunteer", v.volunteer_id)) go_start(v);

  push_font_scale(1.5f);
  status_text(tr("kiosk.title"), "kiosk-heading");
  pop_font_scale();
  push_font_scale(1.3f);
  if (f.status.read_only) {
    ImVec4 amber = color_warning();
    ktext(tr("kiosk.read_only"), &amber);
  }
  if (v.request.open) {
    draw_kiosk_request(v.request, f);
    pop_font_scale();
    return;
  }
  switch (v.step) {
    case KioskView::Step::start: draw_start(v, f); break;
    case KioskView::Step::mine: draw_mine(v, f); break;
    case KioskView::Step::open: draw_open(v, f); break;
    case KioskView::Step::done: draw_done(v, f); break;
  }
  pop_font_scale();
}

void kiosk_commit_result(KioskView& v, const PendingAction& action, const std::string& error) {
  if (action.kind == "request") {
    kiosk_request_commit_result(v.request, error);
    return;
  }
  if (action.kind == "signup" && action.what == PendingAction::What::create) {
    v.waiting = false;
    if (error.empty()) {
      v.step = KioskView::Step::done;
      v.message.clear();
    } else {
      v.message = error;
      v.message_is_error = true;
    }
  } else if (!error.empty()) {
    v.message = error;
    v.message_is_error = true;
  }
}

}  // namespace dh::ui
