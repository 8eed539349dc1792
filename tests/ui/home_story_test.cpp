// The home page's story drawn for real in a headless ImGui context: the
// figures on screen are home_figures() of the records (the UI only draws),
// the definition of the selected figure is shown, and the trend line is the
// 3-month average of the bars.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/demo.h"
#include "core/reports.h"
#include "core/state.h"
#include "imgui.h"
#include "platform/widget_locator.h"
#include "skip.h"
#include "ui/home_story.h"
#include "ui/strings.h"
#include "ui/workbench.h"

using namespace dh;
using namespace dh::ui;

TEST_CASE("the trend line is the average of the last three months", "[ui][home]") {
  const std::vector<double> v = {3, 6, 9, 0, 12};
  const std::vector<double> avg = moving_average(v, 3);
  REQUIRE(avg.size() == 5);
  CHECK(avg[0] == Approx(3));
  CHECK(avg[1] == Approx(4.5));
  CHECK(avg[2] == Approx(6));
  CHECK(avg[3] == Approx(5));
  CHECK(avg[4] == Approx(7));
  CHECK(moving_average({}, 3).empty());
}

TEST_CASE("the home page draws the demo's live figures with their definitions", "[ui][home][native]") {
  State state;
  for (const auto& op : generate_demo()) state.apply(op);
  const int64_t now = *parse_datetime("2026-12-02T09:30");
  const HomeFigures f = home_figures(state, now / 1440);

  ImGuiContext* ctx = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(1920, 1080);
  io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
  io.Fonts->AddFontDefault();
  dh::platform::widget_locator_enable();
  Workbench wb;
  wb.set_language(Language::en);
  AppStatus status;
  status.now_local_minutes = now;
  UiOutput out;
  io.DeltaTime = 1.0f / 60.0f;
  ImGui::NewFrame();
  wb.draw(state, status, out);
  ImGui::Render();
  for (ImTextureData* tex : ImGui::GetPlatformIO().Textures)
    if (tex->Status == ImTextureStatus_WantCreate || tex->Status == ImTextureStatus_WantUpdates) {
      tex->SetTexID(static_cast<ImTextureID>(1));
      tex->SetStatus(ImTextureStatus_OK);
    }
  dh::platform::widget_locator_end_frame();
  std::vector<std::pair<std::string, std::string>> seen;  // id, visible text
  for (const auto& r : dh::platform::widget_locator_last_frame()) {
    const size_t at = r.label.rfind("##");
    if (at != std::string::npos) seen.emplace_back(r.label.substr(at + 2), r.label.substr(0, at));
  }
  ImGui::DestroyContext(ctx);
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: the figures on screen not tested here");
#else
  auto text_of = [&](const std::string& id) -> std::string {
    for (const auto& [k, t] : seen)
      if (k == id) return t;
    return "<missing " + id + ">";
  };
  auto plain = [](std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    return s;
  };
  CHECK(plain(text_of("home-value-hours")) == std::to_string(f.minutes_this_year / 60));
  CHECK(plain(text_of("home-value-households")) == std::to_string(f.households_taking_part));
  CHECK(plain(text_of("home-value-active")) == std::to_string(f.active_volunteers));
  CHECK(plain(text_of("home-value-signups")) == std::to_string(f.signups_this_month));
  CHECK(text_of("home-def") == tr("hall.home.def.hours"));  // the default figure's definition
  CHECK(text_of("home-fig-households") == "Households taking part");
  CHECK(text_of("home-chart") == "chart");
  CHECK(text_of("home-station-st-xingfuli").find(" / ") != std::string::npos);
  CHECK(f.minutes_this_year > 12000 * 60);
#endif
  set_current_language(Language::zh_CN);
}
