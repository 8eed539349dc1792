#include "ui/device_lock.h"

namespace dh::ui {

std::string locked_area(const std::string& enrolled_role, bool kiosk_lock_setting) {
  if (enrolled_role == "kiosk" || kiosk_lock_setting) return "kiosk";
  return "";
}

}  // namespace dh::ui
