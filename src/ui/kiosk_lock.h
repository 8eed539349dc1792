// The locked kiosk's shell and the staff PIN pad (docs/web-app.md "Kiosk
// mode"). Which devices are locked is ui/device_lock.h; the PIN itself is
// checked and kept by the session (session/staff_pin.h): the UI only asks
// (SetStaffPin, LeaveKiosk) and shows the answer.
//
// Contract
// - draw_pin_pad(): a keypad of large buttons (ids pin-key-0 .. pin-key-9,
//   pin-clear, pin-ok, pin-back; texts pin-title, pin-dots, pin-message).
//   The digits are shown as dots, never as themselves, and are dropped once
//   asked. Leave mode asks LeaveKiosk; set mode asks for the PIN twice, then
//   SetStaffPin (with lock when the pad was opened to lock the device).
//   Requests go out through the Frame under screen "kiosk-lock".
// - pin_pad_reply(): the session's answer; says what the Workbench does next.
// - Touch targets of the locked screens are at least kMinTouchPx CSS pixels
//   tall (the widget hook's rectangles; tests/ui/kiosk_lock_ui_test.cpp).
#pragma once

#include <string>

#include "ui/screens.h"

namespace dh::ui {

constexpr float kMinTouchPx = 48.0f;

struct PinPad {
  enum class Mode { closed, leave, set_first, set_repeat };
  Mode mode = Mode::closed;
  std::string digits;        // being typed
  std::string first;         // set mode: the first entry
  bool lock_after = false;   // set mode: lock the device once the PIN is kept
  std::string message;
  bool message_is_error = false;
  RequestId asked = 0;       // awaiting this reply (0: none)

  void open(Mode m, bool lock = false) {
    *this = PinPad{};
    mode = m;
    lock_after = lock;
  }
};

void draw_pin_pad(PinPad& pad, Frame& frame);

// left: the PIN was right; pin_set: a new PIN is kept; pin_set_locked: and
// the device is locked (the pad was opened to lock it).
enum class PinOutcome { none, left, pin_set, pin_set_locked };
PinOutcome pin_pad_reply(PinPad& pad, const Reply& reply);

// Height of a touch button: the frame height, at least kMinTouchPx.
float touch_height(float factor = 1.0f);

}  // namespace dh::ui
