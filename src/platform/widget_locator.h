// Widget locator for browser tests: where each labelled widget of the last
// rendered frame is. Implements Dear ImGui's test-engine hooks
// (IMGUI_ENABLE_TEST_ENGINE, defined for dh_imgui), so every target that links
// dh_imgui gets these definitions through dh_imgui_hooks.
//
// Observation only: nothing here changes the model or ImGui's behaviour.
// Coordinates are ImGui's, which are CSS pixels of the canvas in the browser
// (SDL keeps window coordinates in CSS pixels and renders at x devicePixelRatio).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dh::platform {

struct WidgetRect {
  std::string label;   // label as given to ImGui, e.g. "保存##save"
  std::string key;     // the stable part: after the last "##" when there is one
  std::string window;  // name of the window the item is in
  uint32_t id = 0;
  float x = 0, y = 0, w = 0, h = 0;  // clipped to the window's visible area
  bool visible = true;
  // The layout test (tests/e2e/layout.test.js): the item's whole rectangle,
  // and whether part of it is cut off where no scrolling can bring it into
  // view ("x": sideways, "y": up/down; "" when whole or scrollable to).
  float full_x = 0, full_y = 0, full_w = 0, full_h = 0;
  std::string cut;
  bool text = false;  // shown text (status_text), not something to press
};
// The item just reported (by id) is text, not a control (ui/widgets.cpp).
void widget_locator_mark_text(uint32_t id);

// Turns the hooks on for the current ImGui context (call after CreateContext).
void widget_locator_enable();
// Call after ImGui::Render(): the items of this frame become "the last frame".
void widget_locator_end_frame();
const std::vector<WidgetRect>& widget_locator_last_frame();
// [{label,key,window,id,x,y,w,h,visible}, ...]
std::string widget_locator_json();

}  // namespace dh::platform
