#include "platform/widget_locator.h"

#include <cstdarg>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "imgui.h"
#include "imgui_internal.h"

namespace dh::platform {
namespace {

std::vector<WidgetRect> g_current;
std::vector<WidgetRect> g_last;
std::unordered_map<ImGuiID, size_t> g_index;  // id -> position in g_current
std::unordered_map<ImGuiID, std::string> g_labels;  // for the debug tools

std::string key_of(const std::string& label) {
  size_t p = label.rfind("##");
  if (p == std::string::npos) return label;
  std::string k = label.substr(p + 2);
  if (!k.empty() && k[0] == '#') k = k.substr(1);  // "###id"
  return k;
}

}  // namespace

void widget_locator_enable() {
  if (ImGuiContext* ctx = ImGui::GetCurrentContext()) ctx->TestEngineHookItems = true;
}

void widget_locator_end_frame() {
  g_last.swap(g_current);
  g_current.clear();
  g_index.clear();
}

const std::vector<WidgetRect>& widget_locator_last_frame() { return g_last; }

void widget_locator_mark_text(uint32_t id) {
  auto it = g_index.find(id);
  if (it != g_index.end()) g_current[it->second].text = true;
}

std::string widget_locator_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const WidgetRect& w : g_last) {
    out.push_back({{"label", w.label}, {"key", w.key}, {"window", w.window}, {"id", w.id},
                   {"x", w.x}, {"y", w.y}, {"w", w.w}, {"h", w.h}, {"visible", w.visible},
                   {"full", {w.full_x, w.full_y, w.full_w, w.full_h}}, {"cut", w.cut}, {"text", w.text}});
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace dh::platform

using dh::platform::WidgetRect;

void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, ImGuiID id, const ImRect& bb, const ImGuiLastItemData*) {
  if (id == 0) return;
  ImGuiWindow* window = ctx->CurrentWindow;
  WidgetRect r;
  r.id = id;
  ImRect clipped = bb;
  if (window) {
    r.window = window->Name ? window->Name : "";
    clipped.ClipWithFull(window->ClipRect);
  }
  r.visible = clipped.GetWidth() > 0 && clipped.GetHeight() > 0;
  r.full_x = bb.Min.x;
  r.full_y = bb.Min.y;
  r.full_w = bb.GetWidth();
  r.full_h = bb.GetHeight();
  if (window) {
    // Cut off: part of the item lies outside its clip rectangle and no window
    // it sits in can scroll that way (a table cell, a fixed child, the frame).
    bool scroll_x = false, scroll_y = false;
    for (ImGuiWindow* w = window; w; w = w->ParentWindow) {
      scroll_x = scroll_x || w->ScrollMax.x > 0.0f;
      scroll_y = scroll_y || w->ScrollMax.y > 0.0f;
      if (!(w->Flags & ImGuiWindowFlags_ChildWindow)) break;
    }
    constexpr float kSlack = 2.0f;  // rounding and selectables' half spacing
    const ImRect& c = window->ClipRect;
    const bool out_x = bb.Min.x < c.Min.x - kSlack || bb.Max.x > c.Max.x + kSlack;
    const bool out_y = bb.Min.y < c.Min.y - kSlack || bb.Max.y > c.Max.y + kSlack;
    if (out_x && !scroll_x) r.cut += "x";
    if (out_y && !scroll_y) r.cut += "y";
  }
  const ImRect& use = r.visible ? clipped : bb;
  r.x = use.Min.x;
  r.y = use.Min.y;
  r.w = use.GetWidth();
  r.h = use.GetHeight();
  auto it = dh::platform::g_labels.find(id);
  if (it != dh::platform::g_labels.end()) {
    r.label = it->second;
    r.key = dh::platform::key_of(r.label);
  }
  dh::platform::g_index[id] = dh::platform::g_current.size();
  dh::platform::g_current.push_back(std::move(r));
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext*, ImGuiID id, const char* label, ImGuiItemStatusFlags) {
  if (!label) return;
  auto it = dh::platform::g_index.find(id);
  if (it == dh::platform::g_index.end()) return;
  WidgetRect& r = dh::platform::g_current[it->second];
  // Labels may be given with a format's tail; keep up to the end of the string.
  r.label = label;
  r.key = dh::platform::key_of(r.label);
  dh::platform::g_labels[id] = r.label;
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID id) {
  auto it = dh::platform::g_labels.find(id);
  return it == dh::platform::g_labels.end() ? nullptr : it->second.c_str();
}
