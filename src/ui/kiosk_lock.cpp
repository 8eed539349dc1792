// The staff PIN pad (kiosk_lock.h).
#include "ui/kiosk_lock.h"

#include <algorithm>

#include "imgui.h"
#include "ui/strings.h"
#include "ui/widgets.h"

namespace dh::ui {

float touch_height(float factor) { return std::max(kMinTouchPx, ImGui::GetFrameHeight() * factor); }

namespace {

constexpr size_t kMaxPinDigits = 8;

const char* title_key(PinPad::Mode m) {
  switch (m) {
    case PinPad::Mode::leave: return "lock.leave_title";
    case PinPad::Mode::set_first: return "lock.set_title";
    case PinPad::Mode::set_repeat: return "lock.repeat_title";
    case PinPad::Mode::closed: break;
  }
  return "lock.leave_title";
}

void submit(PinPad& p, Frame& f) {
  if (p.digits.size() < 4) {
    p.message = tr("lock.too_short");
    p.message_is_error = true;
    return;
  }
  p.message.clear();
  if (p.mode == PinPad::Mode::leave) {
    p.asked = f.ask(LeaveKiosk{p.digits});
    p.digits.clear();
  } else if (p.mode == PinPad::Mode::set_first) {
    p.first = p.digits;
    p.digits.clear();
    p.mode = PinPad::Mode::set_repeat;
  } else if (p.mode == PinPad::Mode::set_repeat) {
    if (p.digits != p.first) {
      p.first.clear();
      p.digits.clear();
      p.mode = PinPad::Mode::set_first;
      p.message = tr("lock.mismatch");
      p.message_is_error = true;
      return;
    }
    p.asked = f.ask(SetStaffPin{p.digits, p.lock_after});
    p.digits.clear();
    p.first.clear();
  }
}

}  // namespace

void draw_pin_pad(PinPad& p, Frame& f) {
  if (p.mode == PinPad::Mode::closed) return;
  const std::string screen = f.screen;
  f.screen = "kiosk-lock";
  status_text_wrapped(tr(title_key(p.mode)), "pin-title");
  // Dots, one per digit typed; a placeholder line keeps the pad still.
  std::string dots;
  for (size_t i = 0; i < p.digits.size(); ++i) dots += i ? " ●" : "●";
  push_font_scale(1.4f);
  status_text(dots.empty() ? std::string(" ") : dots, "pin-dots");
  pop_font_scale();
  if (p.asked) {
    status_text(tr("lock.checking"), "pin-message");
  } else if (!p.message.empty()) {
    const ImVec4 c = p.message_is_error ? color_error() : color_ok();
    status_text_wrapped(p.message, "pin-message", &c);
  }
  // 3 x 4 keys, as on a phone: 1 2 3 / 4 5 6 / 7 8 9 / clear 0 OK.
  const ImGuiStyle& st = ImGui::GetStyle();
  const float avail = ImGui::GetContentRegionAvail().x;
  const float key_w = std::min((avail - 2 * st.ItemSpacing.x) / 3.0f, ImGui::GetFontSize() * 5.0f);
  const float key_h = std::max(touch_height(1.6f), std::min(key_w * 0.7f, ImGui::GetFontSize() * 3.0f));
  const char* keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", nullptr, "0", nullptr};
  ImGui::BeginDisabled(p.asked != 0);
  for (int i = 0; i < 12; ++i) {
    if (i % 3 != 0) ImGui::SameLine();
    bool pressed = false;
    if (keys[i]) {
      pressed = ImGui::Button((std::string(keys[i]) + "##pin-key-" + keys[i]).c_str(), ImVec2(key_w, key_h));
      if (pressed && p.digits.size() < kMaxPinDigits) {
        p.digits += keys[i];
        p.message.clear();
      }
    } else if (i == 9) {
      if (ImGui::Button(label("lock.clear", "pin-clear").c_str(), ImVec2(key_w, key_h))) p.digits.clear();
    } else {
      if (ImGui::Button(label("lock.ok", "pin-ok").c_str(), ImVec2(key_w, key_h))) submit(p, f);
    }
  }
  ImGui::EndDisabled();
  ImGui::Spacing();
  if (ImGui::Button(label("lock.back", "pin-back").c_str(), ImVec2(key_w * 3 + 2 * st.ItemSpacing.x, touch_height(1.3f))))
    p = PinPad{};
  f.screen = screen;
}

PinOutcome pin_pad_reply(PinPad& p, const Reply& r) {
  if (r.id != p.asked) return PinOutcome::none;
  p.asked = 0;
  if (!r.error.empty()) {
    p.message = problem_text(r.error);
    p.message_is_error = true;
    return PinOutcome::none;
  }
  const bool leaving = p.mode == PinPad::Mode::leave, locking = p.lock_after;
  p = PinPad{};
  if (leaving) return PinOutcome::left;
  p.message = tr("lock.pin_saved");
  return locking ? PinOutcome::pin_set_locked : PinOutcome::pin_set;
}

}  // namespace dh::ui
