// A kiosk enrolled with a server receives residents' names masked (张*姨;
// issue 8, docs/security.md): the person types their whole name and the
// kiosk finds them by its masked form; a part of the name finds nobody else.
#include <catch2/catch.hpp>

#include <string>

#include "core/checkin.h"
#include "core/commands.h"
#include "ui/workbench.h"
#include "volunteering_fixture.h"

using namespace dh;
using namespace dh::ui;
using namespace dh::test::volunteering;

TEST_CASE("kiosk: with masked names from the server, the whole name typed finds the person", "[ui][native]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  WARN("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Community c = community();
  // The kiosk's replica: names as the server's pull gives them to a kiosk.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.w.commit(EditEntity{"resident", c.residents[i], {{"name", mask_person_name(kNames[i])}}}).rfind("error:", 0) != 0);
  }
  REQUIRE(c.w.state.find("resident", c.residents[0])->text("name") == "张*姨");
  Driver d(c);
  REQUIRE(d.wb.set_area("kiosk"));
  d.run(2);
  d.type_into("kiosk-search", "张阿姨");
  INFO(d.visible("kiosk-line-0") << " | " << d.visible("kiosk-line-1"));
  REQUIRE(d.find("kiosk-pick-" + c.volunteers[0]));
  CHECK_FALSE(d.find("kiosk-pick-" + c.volunteers[1]));
  CHECK(d.visible("kiosk-pick-" + c.volunteers[0]) == "张*姨   138****5678");
  // The surname alone still lists that family name; a wrong given name finds nobody.
  d.type_into("kiosk-search", "张");
  CHECK(d.find("kiosk-pick-" + c.volunteers[0]));
  d.type_into("kiosk-search", "张阿");
  CHECK_FALSE(d.find("kiosk-pick-" + c.volunteers[0]));
  d.type_into("kiosk-search", "李阿姨");
  CHECK_FALSE(d.find("kiosk-pick-" + c.volunteers[0]));
  CHECK_FALSE(d.find("kiosk-pick-" + c.volunteers[1]));
  d.click("kiosk-search");
  d.type_into("kiosk-search", "张阿姨");
  d.click("kiosk-pick-" + c.volunteers[0]);
  CHECK(d.visible("kiosk-title") == "您好，张*姨！");
#endif
}
