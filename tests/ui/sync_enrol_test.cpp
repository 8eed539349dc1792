// The enrolment form in the sync area (同步) says the server's refusal codes
// in the UI's language (issue 8: device_exists, too_many_attempts, the longer
// bad_code), and falls back to the server's words for a code it does not know.
#include <catch2/catch.hpp>

#include <string>

#include "core/commands.h"
#include "core/state.h"
#include "ui/strings.h"
#include "ui/workbench.h"
#include "ui_driver.h"

using namespace dh;
using namespace dh::ui;

TEST_CASE("sync area: enrolment refusals are said in the UI's language", "[ui][native][sync]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  WARN("IMGUI_ENABLE_TEST_ENGINE is off in this build: the widget locator is not available");
  return;
#else
  State state;
  OpSource source{"test-sync-ui", "staff:test", 1, HlcClock{}};
  int64_t now_ms = 1767225600000;
  dh::test::UiDriver d(state, source, now_ms);
  d.status.sync.active = true;
  d.status.sync.server = "http://127.0.0.1:8080";
  d.status.sync.needs_enrolment = true;
  d.status.sync.enrol_error = ui::Problem::of(
      "server.too_many_attempts", {}, "Too many wrong enrolment codes were tried. Wait 15 minutes, then type the code again.");
  REQUIRE(d.wb.set_area("sync"));
  d.run(2);
  const std::string zh = d.visible("sync-enrol-error");
  CHECK(zh.find("输错登记码的次数太多了") != std::string::npos);
  CHECK(zh.find("Too many") == std::string::npos);

  d.wb.set_language(Language::en);
  d.run(2);
  CHECK(d.visible("sync-enrol-error").find("Too many wrong codes were typed") != std::string::npos);

  for (const char* code : {"bad_code", "device_exists", "too_many_attempts", "bad_device"}) {
    INFO(code);
    const std::string key = std::string("problem.server.") + code;
    CHECK(find_text(Language::zh_CN, key) != nullptr);
    CHECK(find_text(Language::en, key) != nullptr);
  }

  // A server code without its own enrolment sentence is said by its
  // error.<code> words (core/error_codes.h), not the server's English.
  d.status.sync.enrol_error = ui::Problem::of(
      "server.store_error", {}, "The server's database failed while enrolling a device: disk I/O error.");
  d.run(2);
  CHECK(d.visible("sync-enrol-error").find("The server's database failed for now") != std::string::npos);
  CHECK(d.visible("sync-enrol-error").find("disk I/O error") == std::string::npos);
  // A code no table knows: the server's own words.
  d.status.sync.enrol_error = ui::Problem::of("server.brand_new_code", {}, "Words from a newer server.");
  d.run(2);
  CHECK(d.visible("sync-enrol-error").find("Words from a newer server.") != std::string::npos);
#endif
}
