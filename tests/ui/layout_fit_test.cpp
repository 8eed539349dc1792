// Layout that fits (issue 12), natively: the Workbench drawn headless
// (ui_driver.h) at a portrait tablet (768x1024), a landscape tablet
// (1280x800) and a desktop (1920x1080), in normal and large text, with the
// UI's own kind of font (Debian's Noto Sans CJK SC, as the app's subset is
// made from). Every area and the views inside them are drawn and the widget
// locator's rectangles checked: nothing cut off where no scrolling reaches
// it (`cut`), nothing outside the window, controls at least 30 px tall and
// the roster's buttons (签到/请假/缺席/调到…/取消报名) touch targets of at least
// 40 px. tests/e2e/layout.test.js does the same in the browser.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "skip.h"
#include "volunteering_fixture.h"

using namespace dh;
using namespace dh::test::volunteering;

namespace {

const char* kCjkFont = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

std::vector<std::string> problems(float width, float height, const std::string& where) {
  std::vector<std::string> out;
  for (const auto& w : dh::platform::widget_locator_last_frame()) {
    const std::string name = (w.key.empty() ? "#" + std::to_string(w.id) : w.key) + " (" + w.window + ")";
    // A child window's or table's own item (its rectangle is the window
    // itself, clipped by its parent, not by itself): not a control.
    const std::string tail = "/" + w.label;
    if (!w.label.empty() && (w.label == w.window || (w.window.size() >= tail.size() &&
                                                     w.window.compare(w.window.size() - tail.size(), tail.size(), tail) == 0)))
      continue;
    std::ostringstream rect;
    rect << "[" << w.full_x << "," << w.full_y << "," << w.full_w << "," << w.full_h << "]";
    if (!w.cut.empty()) out.push_back(where + ": " + name + " is cut off (" + w.cut + ") " + rect.str());
    if (!w.visible) continue;
    if (w.x < -1 || w.y < -1 || w.x + w.w > width + 1 || w.y + w.h > height + 1)
      out.push_back(where + ": " + name + " lies outside the window " + rect.str());
    const bool control = !w.text && !w.label.empty();
    if (control && w.full_h < 30) out.push_back(where + ": " + name + " is only " + std::to_string(w.full_h) + " px tall");
    for (const char* roster : {"sched-in-", "sched-out-", "sched-excused-", "sched-noshow-", "sched-move-", "sched-cancel-"})
      if (w.key.rfind(roster, 0) == 0 && w.key.rfind("sched-move-to-", 0) != 0 && w.key != "sched-move-cancel" &&
          w.key != "sched-cancel-shift" && w.full_h < 40)
        out.push_back(where + ": roster button " + name + " is only " + std::to_string(w.full_h) + " px tall");
  }
  return out;
}

}  // namespace

TEST_CASE("layout: every screen fits at 768x1024, 1280x800 and 1920x1080 in normal and large text",
          "[ui][native][layout]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: the widget locator is not there");
  return;
#else
  if (!std::filesystem::exists(kCjkFont)) {
    DH_SKIP("fonts-noto-cjk is not installed: text widths would not be the UI's");
    return;
  }
  Community c = community();
  for (int v = 0; v < 2; ++v)
    REQUIRE(c.w.commit(CreateEntity{"signup", {{"shift", c.shifts[0]}, {"volunteer", c.volunteers[v]}, {"channel", "coordinator"}}, ""})
                .rfind("error:", 0) != 0);
  Driver d(c);
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig cfg;
  cfg.FontNo = 2;  // Noto Sans CJK SC in the collection
  REQUIRE(io.Fonts->AddFontFromFileTTF(kCjkFont, 20.0f, &cfg) != nullptr);
  d.status.sync.active = true;
  d.status.sync.last_success_minutes = now_minutes() - 3;
  d.status.operation_count = 14523;

  struct Screen {
    const char* name;
    const char* area;
    std::vector<std::string> clicks;
  };
  const std::vector<Screen> screens = {
      {"home", "home", {}},
      {"kiosk", "kiosk", {}},
      {"schedule/shifts", "schedule", {"sched-tab-shifts", "sched-shift-" + c.shifts[0]}},
      {"schedule/auto", "schedule", {"sched-tab-auto"}},
      {"schedule/hours", "schedule", {"sched-tab-hours"}},
      {"talent", "talent", {}},
      {"requests", "requests", {}},
      {"deliberation", "deliberation", {}},
      {"projector", "projector", {}},
      {"sync", "sync", {}},
      {"base/shift form", "base", {"kind-shift", "new"}},
      {"settings", "settings", {}},
  };
  const ImVec2 sizes[] = {{768, 1024}, {1280, 800}, {1920, 1080}};
  std::vector<std::string> found;
  for (bool large : {false, true}) {
    d.wb.set_large_text(large);
    for (const ImVec2& size : sizes) {
      io.DisplaySize = size;
      for (const Screen& s : screens) {
        REQUIRE(d.wb.set_area(s.area));
        d.run(3);
        const std::string where = std::to_string(static_cast<int>(size.x)) + "x" + std::to_string(static_cast<int>(size.y)) +
                                  (large ? " large " : " ") + s.name;
        for (const std::string& key : s.clicks) {
          if (!d.find(key)) {
            found.push_back(where + ": " + key + " cannot be reached");
            continue;
          }
          d.click(key);
        }
        d.run(3);
        for (auto& p : problems(size.x, size.y, where)) found.push_back(p);
      }
    }
  }
  std::string all;
  for (const auto& p : found) all += p + "\n";
  INFO(found.size() << " layout problems:\n" << all);
  CHECK(found.empty());
#endif
}
