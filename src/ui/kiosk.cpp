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
#include "ui/kiosk_lock.h"
#include "ui/when_text.h"
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

std::string shift_when_text(const Entity& shift) { return when_text(shift.text("start"), shift.text("end")); }

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

// At least 48 CSS px tall at any text size (kiosk_lock.h kMinTouchPx).
bool big_button(const std::string& lbl, float width = 0) {
  return ImGui::Button(lbl.c_str(), ImVec2(width, touch_height(1.5f)));
}

// The width of a row's button: the row's whole width on a narrow (portrait)
// screen, at least 8 characters wide; never wider than the row.
float row_button_width() {
  const float avail = ImGui::GetContentRegionAvail().x;
  return std::min(avail, std::max(ImGui::GetFontSize() * 8.0f, avail * 0.5f));
}

// Puts the next button on this line only when it fits beside the last item
// (portrait tablets, large text, longer English words).
void same_line_if_fits(const std::string& next_label, float right_edge) {
  const std::string visible = next_label.substr(0, next_label.find("##"));
  const ImGuiStyle& st = ImGui::GetStyle();
  const float w = ImGui::CalcTextSize(visible.c_str()).x + st.FramePadding.x * 2;
  if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + w <= right_edge) ImGui::SameLine();
}

float line_right_edge() { return ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x; }

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
  v.open_day = -1;
  v.open_station.clear();
  v.open_page = 0;
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
    if (big_button(text + "##kiosk-pick-" + vol->id, ImGui::GetContentRegionAvail().x)) {  // the whole row
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
    // Checked in (and maybe out): the shift is theirs, it cannot be cancelled
    // (the rule book refuses it: "cancel_after_check_in").
    const Attendance att = attendance_of(*su);
    const bool checked_in = att == Attendance::checked_in || att == Attendance::attended;
    std::string place = checked_in ? tr("kiosk.checked_in")
                        : wait_pos ? trf("kiosk.waitlist_pos", {std::to_string(wait_pos)})
                                   : tr("kiosk.confirmed");
    ImGui::PushID(su->id.c_str());
    ktext(shift_when_text(*shift) + "  " + station_title(state, shift->text("station")) + "  " + shift->text("role") +
          "  " + place);
    if (!checked_in && big_button(label("kiosk.cancel", "kiosk-cancel-" + su->id), row_button_width())) {
      f.emit(ArchiveEntity{"signup", su->id, "cancelled at the kiosk"},
             PendingAction{PendingAction::What::archive, "signup", su->id});
      v.message = tr("kiosk.cancelled");
      v.message_is_error = false;
    }
    ImGui::Separator();
    ImGui::PopID();
  }
  if (n == 0) ktext(tr("kiosk.no_shifts"));
  ImGui::Spacing();
  const float right = line_right_edge();
  if (big_button(label("kiosk.find_shifts", "kiosk-find"))) {
    v.step = KioskView::Step::open;
    v.message.clear();
  }
  const std::string finish = label("kiosk.finish", "kiosk-finish");
  same_line_if_fits(finish, right);
  if (big_button(finish)) go_start(v);
}

// The local day (days since 1970-01-01) of a moment in local minutes.
int64_t day_of(int64_t minutes) { return minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440); }

// "Sign up for a shift": the next two weeks, one day at a time (a resident
// steps through the days with two big buttons), optionally one station, and
// that day's shifts in pages that fit the screen: no list runs past the
// bottom of a tablet, and nothing needs a scroll gesture, which ImGui does
// not give a finger.
void draw_open(KioskView& v, Frame& f) {
  const State& state = f.state;
  const VolunteerIndex& index = v.index.get(state);
  const int64_t now = f.status.now_local_minutes;
  status_text(trf("kiosk.open_title", {volunteer_display_name(state, v.volunteer_id)}), "kiosk-title");
  show_message(v);
  if (now <= 0) {
    ktext(tr("kiosk.no_clock"));
  } else {
    const int64_t today = day_of(now);
    std::vector<std::pair<Interval, const Entity*>> open;
    std::vector<const Entity*> mine;
    for (const Entity* su : index.signups_of(v.volunteer_id)) mine.push_back(state.find("shift", su->text("shift")));
    for (const Entity* shift : state.list("shift")) {
      Interval when;
      if (!shift_interval(*shift, &when)) continue;
      if (when.start < now || when.start >= (today + 14) * 1440) continue;
      if (std::find(mine.begin(), mine.end(), shift) != mine.end()) continue;
      open.push_back({when, shift});
    }
    std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) {
      return a.first.start != b.first.start ? a.first.start < b.first.start : a.second->id < b.second->id;
    });
    if (open.empty()) {
      ktext(tr("kiosk.no_open"));
    } else {
      // The day: kept while it is in the two weeks, else the first with shifts.
      if (v.open_day < today || v.open_day >= today + 14) {
        v.open_day = day_of(open.front().first.start);
        v.open_page = 0;
      }
      std::vector<std::pair<Interval, const Entity*>> day;
      std::vector<std::string> stations;  // with shifts on the day, first seen first
      for (const auto& e : open) {
        if (day_of(e.first.start) != v.open_day) continue;
        const std::string st = e.second->text("station");
        if (std::find(stations.begin(), stations.end(), st) == stations.end()) stations.push_back(st);
        if (v.open_station.empty() || st == v.open_station) day.push_back(e);
      }
      if (!v.open_station.empty() &&
          std::find(stations.begin(), stations.end(), v.open_station) == stations.end()) {
        v.open_station.clear();  // no shift there on this day: every station's
        day.clear();
        for (const auto& e : open)
          if (day_of(e.first.start) == v.open_day) day.push_back(e);
      }
      // Day navigation: 前一天 / 后一天, then the day in words (beside them
      // when the line has room).
      const std::string day_words = v.open_day == today       ? trf("kiosk.day_today", {day_text(v.open_day)})
                                    : v.open_day == today + 1 ? trf("kiosk.day_tomorrow", {day_text(v.open_day)})
                                                              : day_text(v.open_day);
      const float right = line_right_edge();
      ImGui::BeginDisabled(v.open_day <= today);
      if (big_button(label("kiosk.day_prev", "kiosk-day-prev"))) {
        --v.open_day;
        v.open_page = 0;
      }
      ImGui::EndDisabled();
      const std::string next = label("kiosk.day_next", "kiosk-day-next");
      ImGui::SameLine();
      ImGui::BeginDisabled(v.open_day >= today + 13);
      if (big_button(next)) {
        ++v.open_day;
        v.open_page = 0;
      }
      ImGui::EndDisabled();
      const std::string day_line = day.empty() && v.open_station.empty()
                                       ? trf("kiosk.day_none", {day_words})
                                       : trf("kiosk.day_count", {day_words, std::to_string(day.size())});
      const ImGuiStyle& st = ImGui::GetStyle();
      const float button_h = touch_height(1.5f);
      if (ImGui::GetItemRectMax().x + st.ItemSpacing.x * 2 + ImGui::CalcTextSize(day_line.c_str()).x <= right) {
        ImGui::SameLine(0, st.ItemSpacing.x * 2);
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (button_h - ImGui::GetTextLineHeight()) * 0.5f);
      }
      status_text_wrapped(day_line, ("kiosk-day-" + format_date(v.open_day)).c_str());
      // Station choice, when the day has shifts at more than one.
      if (stations.size() > 1) {
        const float row_right = line_right_edge();
        bool first = true;
        auto station_button = [&](const std::string& id, const std::string& name) {
          const std::string lbl = name + "##kiosk-station-" + (id.empty() ? std::string("all") : id);
          if (!first) same_line_if_fits(lbl, row_right);
          first = false;
          const bool chosen = v.open_station == id;
          if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
          if (ImGui::Button(lbl.c_str(), ImVec2(0, touch_height()))) {
            v.open_station = id;
            v.open_page = 0;
          }
          if (chosen) ImGui::PopStyleColor();
        };
        station_button("", tr("kiosk.all_stations"));
        for (const std::string& s : stations) station_button(s, station_title(state, s));
      }
      ImGui::Separator();
      if (v.waiting) {
        const ImVec4 amber = color_warning();
        status_text_wrapped(tr("kiosk.waiting"), "kiosk-waiting", &amber);
      }
      // Pages: on a wide screen a row is its words with the button at its
      // right; on a narrow one the words (wrapped) and the button below. The
      // footer (back, pages) keeps its place below the page.
      const float avail_w = ImGui::GetContentRegionAvail().x;
      const float wide_button_w = ImGui::GetFontSize() * 7;
      const bool wide = avail_w >= ImGui::GetFontSize() * 26;
      const float text_w = wide ? avail_w - wide_button_w - st.ItemSpacing.x * 2 : avail_w;
      const float footer_h = button_h + st.ItemSpacing.y * 2 + 2;
      const float room = std::max(0.0f, ImGui::GetContentRegionAvail().y - footer_h);
      std::vector<std::string> row_text;
      std::vector<float> row_text_h;
      std::vector<size_t> page_start{0};
      float used = 0;
      for (size_t i = 0; i < day.size(); ++i) {
        const Entity* shift = day[i].second;
        const int left = index.roster(shift->id).open_places();
        row_text.push_back(time_span_text(day[i].first.start, day[i].first.end) + "  " +
                           station_title(state, shift->text("station")) + "  " + shift->text("role") + "  " +
                           (left > 0 ? trf("kiosk.places_left", {std::to_string(left)}) : tr("kiosk.waitlist_only")));
        row_text_h.push_back(ImGui::CalcTextSize(row_text.back().c_str(), nullptr, false, text_w).y);
        const float h = (wide ? std::max(row_text_h.back(), button_h) : row_text_h.back() + button_h + st.ItemSpacing.y) +
                        2 * st.ItemSpacing.y + 1;
        if (used > 0 && used + h > room) {
          page_start.push_back(i);
          used = 0;
        }
        used += h;
      }
      const int pages = static_cast<int>(page_start.size());
      v.open_page = std::clamp(v.open_page, 0, pages - 1);
      const size_t from = page_start[static_cast<size_t>(v.open_page)];
      const size_t to = v.open_page + 1 < pages ? page_start[static_cast<size_t>(v.open_page) + 1] : day.size();
      ImGui::BeginDisabled(v.waiting || f.status.read_only);
      for (size_t i = from; i < to; ++i) {
        const Entity* shift = day[i].second;
        ImGui::PushID(shift->id.c_str());
        const std::string key = "kiosk-line-" + std::to_string(g_line++);
        const float x0 = ImGui::GetCursorPosX(), y0 = ImGui::GetCursorPosY();
        if (wide && row_text_h[i] < button_h) ImGui::SetCursorPosY(y0 + (button_h - row_text_h[i]) * 0.5f);
        ImGui::PushTextWrapPos(x0 + text_w);
        ImGui::TextUnformatted(row_text[i].c_str());
        ImGui::PopTextWrapPos();
        expose_last_item((row_text[i] + "##" + key).c_str());
        const std::string sign = label("kiosk.signup", "kiosk-signup-" + shift->id);
        if (wide) {
          ImGui::SameLine(x0 + avail_w - wide_button_w);
          ImGui::SetCursorPosY(y0);
        }
        // As wide as the row allows on a narrow screen: never pushed off a portrait tablet.
        if (big_button(sign, wide ? wide_button_w : row_button_width())) {
          f.emit(CreateEntity{"signup", signup_fields(index, shift->id, v.volunteer_id, "kiosk"), ""},
                 PendingAction{PendingAction::What::create, "signup", shift->id});
          v.waiting = true;
          v.signup_shift = shift->id;
          v.message.clear();
        }
        ImGui::Separator();
        ImGui::PopID();
      }
      ImGui::EndDisabled();
      // Footer: back, and the pages when there are several.
      const float fr = line_right_edge();
      if (big_button(label("kiosk.back", "kiosk-back"))) {
        v.step = KioskView::Step::mine;
        v.message.clear();
      }
      if (pages > 1) {
        const std::string pp = label("kiosk.page_prev", "kiosk-page-prev");
        same_line_if_fits(pp, fr);
        ImGui::BeginDisabled(v.open_page == 0);
        if (big_button(pp)) --v.open_page;
        ImGui::EndDisabled();
        const std::string pn = label("kiosk.page_next", "kiosk-page-next");
        same_line_if_fits(pn, fr);
        ImGui::BeginDisabled(v.open_page + 1 >= pages);
        if (big_button(pn)) ++v.open_page;
        ImGui::EndDisabled();
        const std::string of = trf("kiosk.page_of", {std::to_string(v.open_page + 1), std::to_string(pages)});
        if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + ImGui::CalcTextSize(of.c_str()).x <= fr) {
          ImGui::SameLine();
          ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (button_h - ImGui::GetTextLineHeight()) * 0.5f);
        }
        status_text(of, "kiosk-page");
      }
      return;
    }
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
  const float right = line_right_edge();
  if (big_button(label("kiosk.more", "kiosk-more"))) {
    v.step = KioskView::Step::open;
    v.message.clear();
  }
  const std::string ok = label("kiosk.ok", "kiosk-ok");
  same_line_if_fits(ok, right);
  if (big_button(ok)) go_start(v);
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
