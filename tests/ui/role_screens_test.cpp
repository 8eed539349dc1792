// What a device shows by its enrolled role (ui/role_screens.h, issues 11 and
// 12): a voting tablet its voting screen alone under a "voting tablet"
// header, no navigation, whatever area is asked for; an administrator the
// 设备管理 area (codes with their QR address, the device list, revoke with a
// confirmation), which other roles do not see.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <type_traits>

#include "core/commands.h"
#include "core/deliberation.h"
#include "core/demo.h"
#include "core/state.h"
#include "ui/devices_screen.h"
#include "ui/role_screens.h"
#include "ui/strings.h"
#include "ui/workbench.h"
#include "ui_driver.h"

using namespace dh;
using namespace dh::ui;
namespace dl = dh::deliberation;

TEST_CASE("roles map to screens in one place", "[ui][native][roles]") {
  CHECK(screens_for_role("voting_tablet") == std::vector<std::string>{"vote"});
  CHECK(role_is_locked("voting_tablet"));
  for (const char* role : {"", "administrator", "coordinator", "grid_worker", "kiosk", "projector", "open"}) {
    INFO(role);
    const auto s = screens_for_role(role);
    CHECK_FALSE(role_is_locked(role));
    CHECK(std::find(s.begin(), s.end(), "sync") != s.end());
    CHECK((std::find(s.begin(), s.end(), "devices") != s.end()) == (std::string(role) == "administrator"));
  }
  CHECK(enrol_url("http://192.168.1.10:8080/", "1234-5678-9012-3456") ==
        "http://192.168.1.10:8080/?enrol=1234-5678-9012-3456");
  CHECK(enrol_url("", "1234-5678-9012-3456").empty());
  CHECK(enrol_url("http://x", "").empty());
  for (const auto& role : enrollable_roles()) {
    INFO(role);
    CHECK(find_text(Language::zh_CN, "role." + role) != nullptr);
    CHECK(find_text(Language::en, "role." + role) != nullptr);
  }
}

TEST_CASE("a voting tablet shows the voting screen alone and casts a ballot", "[ui][native][roles][deliberation]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  WARN("IMGUI_ENABLE_TEST_ENGINE is off in this build: the widget locator is not available");
  return;
#else
  State state;
  for (const auto& op : generate_demo()) state.apply(op);
  std::string poll_id;
  for (const Entity* p : state.list("poll"))
    if (p->text("title") == "冬季老年助餐点扩容") poll_id = p->id;
  REQUIRE_FALSE(poll_id.empty());
  OpSource source{"tab-ui-1", "平板1", 1, HlcClock{}};
  int64_t now_ms = 1798761600000;  // 2027-01-01: after the demo's last change, so the open wins
  {
    auto open = make_operation(state, Command{dl::open_poll(poll_id)}, source, now_ms);
    REQUIRE(open.ok());
    state.apply(open.value());
  }
  dh::test::UiDriver d(state, source, now_ms);
  d.status.sync.active = true;
  d.status.sync.role = "voting_tablet";
  d.status.saved_on_device = true;
  d.run(3);
  CHECK(d.visible("tablet-header") == "表决平板");
  for (const char* nav : {"nav-home", "nav-base", "nav-sync", "nav-deliberation", "nav-settings", "delib-tab-chair"}) {
    INFO(nav);
    CHECK(d.find(nav) == nullptr);
  }
  // Asking for another area changes nothing.
  d.wb.set_area("base");
  d.run(2);
  CHECK(d.find("new") == nullptr);
  CHECK(d.visible("tablet-header") == "表决平板");
  // The open (secret) poll: type a card, choose, cast.
  d.click("delib-vote-poll-" + poll_id);
  CHECK(d.visible("delib-vote-title") == "冬季老年助餐点扩容");
  d.type_into("delib-vote-card", "abcdefgh23456789");
  d.click("delib-vote-opt-0");
  const size_t before = d.emitted.size();
  d.click("delib-vote-cast");
  REQUIRE(d.emitted.size() == before + 1);
  const auto* made = std::get_if<CreateEntity>(&d.emitted.back());
  REQUIRE(made);
  CHECK(made->kind == "ballot");
  CHECK(d.errors.empty());
  CHECK(d.find("delib-vote-saved") != nullptr);

  d.wb.set_language(Language::en);
  d.run(2);
  CHECK(d.visible("tablet-header") == "Voting tablet");
  // Revoked: says so, in the UI's language, and offers enrolment again.
  d.status.sync.needs_enrolment = true;
  d.run(2);
  CHECK(d.visible("tablet-not-enrolled").find("can no longer sync") != std::string::npos);
  CHECK(d.find("sync-enrol") != nullptr);
#endif
}

TEST_CASE("the administrator's devices area: a code with its QR address, the list, revoke", "[ui][native][roles]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  WARN("IMGUI_ENABLE_TEST_ENGINE is off in this build: the widget locator is not available");
  return;
#else
  State state;
  OpSource source{"admin-ui-1", "秘书", 1, HlcClock{}};
  int64_t now_ms = 1767225600000;
  dh::test::UiDriver d(state, source, now_ms);
  d.status.online = true;
  d.status.device_id = "admin-ui-1";
  d.status.sync.active = true;
  d.status.sync.server = "http://192.168.1.10:8080";

  // A coordinator has no such area.
  d.status.sync.role = "coordinator";
  d.run(2);
  CHECK(d.find("nav-devices") == nullptr);
  d.wb.set_area("devices");
  d.run(2);
  CHECK(d.wb.area() == "home");

  d.status.sync.role = "administrator";
  d.run(2);
  d.click("nav-devices");
  auto asked = [&](auto* which) {
    size_t n = 0;
    for (const auto& r : d.requests) n += std::holds_alternative<std::remove_pointer_t<decltype(which)>>(r.what);
    return n;
  };
  CHECK(asked(static_cast<ListDevices*>(nullptr)) == 1);  // the list, once, on opening
  d.click("devices-role-kiosk");
  d.click("devices-make-code");
  const MakeEnrolCode* mk = nullptr;
  for (const auto& r : d.requests)
    if (const auto* m = std::get_if<MakeEnrolCode>(&r.what)) mk = m;
  REQUIRE(mk);
  CHECK(mk->role == "kiosk");

  // The driver's answers.
  d.status.sync.admin.code = "1234-5678-9012-3456";
  d.status.sync.admin.code_role = "voting_tablet";
  d.status.sync.admin.listed = true;
  SyncStatus::DeviceRow tab;
  tab.id = "tab-1";
  tab.name = "平板1";
  tab.role = "voting_tablet";
  tab.last_contact_minutes = 29000000;
  tab.behind_known = true;
  tab.behind = 3;
  SyncStatus::DeviceRow me;
  me.id = "admin-ui-1";
  me.role = "administrator";
  d.status.sync.admin.devices = {tab, me};
  d.run(2);
  CHECK(d.visible("devices-code") == "1234-5678-9012-3456");
  CHECK(d.visible("devices-code-role") == "角色：表决平板");
  CHECK(d.visible("devices-qr") == "http://192.168.1.10:8080/?enrol=1234-5678-9012-3456");
  CHECK(d.visible("devices-row-tab-1").find("平板1") != std::string::npos);
  CHECK(d.find("devices-revoke-admin-ui-1") == nullptr);  // never this device itself
  d.click("devices-revoke-tab-1");
  const size_t before = d.requests.size();
  d.click("devices-revoke-confirm-tab-1");
  const RevokeDevice* rv = nullptr;
  for (size_t i = before; i < d.requests.size(); ++i)
    if (const auto* r = std::get_if<RevokeDevice>(&d.requests[i].what)) rv = r;
  REQUIRE(rv);
  CHECK(rv->device == "tab-1");

  // A refusal in the UI's language.
  d.status.sync.admin.error = Problem::of("devices.forbidden", {}, "Only the community secretary's ...");
  d.run(2);
  CHECK(d.visible("devices-error").find("只有管理员") != std::string::npos);
  CHECK(d.visible("devices-error").find("Only the") == std::string::npos);
#endif
}
