// Which screens a device shows: the one decision between "the whole
// workbench" and "locked to one screen" (docs/web-app.md "Kiosk mode").
//
// Contract
// - locked_area(): the area a device is locked to, or "" for the whole
//   workbench. A device enrolled as a kiosk (the role the server's enrolment
//   answer gave, kept in the device's device.json: SyncStatus::role), or one
//   whose kiosk lock is set in its settings (settings.json, Settings ->
//   "lock as a kiosk"), shows the kiosk alone. A role that shows another
//   screen alone adds its line here, nowhere else.
// - Locked, the Workbench draws that area alone, full window, with large
//   text, no navigation and no status bar; leaving needs the staff PIN
//   (ui/kiosk_lock.h). The enrolled role locks again on every start; the
//   setting stays off once staff left with the PIN.
#pragma once

#include <string>

namespace dh::ui {

std::string locked_area(const std::string& enrolled_role, bool kiosk_lock_setting);

}  // namespace dh::ui
