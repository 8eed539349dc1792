// Which screens a device shows, by the role it was enrolled with (issues 11
// and 12). The one place that maps roles to screens: the Workbench asks it
// every frame; the server enforces what each role may do whatever is shown
// (src/server/roles.h), so this only keeps a device's screen to its job.
//
// Contract
// - screens_for_role(role) lists the areas (Workbench::set_area names, or
//   "vote" for the voting tablet's screen) the device shows, in navigation
//   order. A role with exactly one screen is LOCKED to it: that screen alone
//   fills the window under a header naming the role, no navigation.
// - Roles: "voting_tablet" -> {"vote"} (locked). "administrator" -> every
//   area including "devices" (设备管理). Every other role, no role (not
//   enrolled, open access, a read-only tab) -> every area but "devices".
// - A screen name not in the list is never drawn (set_area to it falls back
//   to the first listed).
#pragma once

#include <string>
#include <vector>

namespace dh::ui {

std::vector<std::string> screens_for_role(const std::string& role);

// True when the role shows exactly one screen, without navigation.
bool role_is_locked(const std::string& role);

}  // namespace dh::ui
