#include "ui/role_screens.h"

namespace dh::ui {

namespace {

// Every area of the workbench, in navigation order ("devices": administrators only).
const std::vector<std::string> kAllAreas = {"home",       "kiosk", "schedule", "talent", "requests", "deliberation",
                                            "projector", "sync",  "devices",  "base",   "settings"};

}  // namespace

std::vector<std::string> screens_for_role(const std::string& role) {
  if (role == "voting_tablet") return {"vote"};
  std::vector<std::string> out;
  for (const auto& a : kAllAreas)
    if (a != "devices" || role == "administrator") out.push_back(a);
  return out;
}

bool role_is_locked(const std::string& role) { return screens_for_role(role).size() == 1; }

}  // namespace dh::ui
