#include "ui/widgets.h"

#include <algorithm>

#include "imgui_internal.h"
#include "platform/widget_locator.h"

namespace dh::ui {

namespace {

int resize_callback(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    auto* s = static_cast<std::string*>(data->UserData);
    s->resize(static_cast<size_t>(data->BufTextLen));
    data->Buf = s->data();
  }
  return 0;
}

#ifdef IMGUI_ENABLE_TEST_ENGINE
void report(ImGuiID id, const ImRect& rect, const char* label, bool add) {
  ImGuiContext& g = *GImGui;
  if (!g.TestEngineHookItems) return;
  if (add) ImGuiTestEngineHook_ItemAdd(&g, id, rect, nullptr);
  ImGuiTestEngineHook_ItemInfo(&g, id, label, g.LastItemData.StatusFlags);
}
#endif

}  // namespace

bool input_text(const char* label, std::string* s, const char* hint, ImGuiInputTextFlags flags) {
  flags |= ImGuiInputTextFlags_CallbackResize;
  return ImGui::InputTextWithHint(label, hint ? hint : "", s->data(), s->capacity() + 1, flags, resize_callback, s);
}

bool input_multiline(const char* label, std::string* s, const ImVec2& size, ImGuiInputTextFlags flags) {
  flags |= ImGuiInputTextFlags_CallbackResize;
  return ImGui::InputTextMultiline(label, s->data(), s->capacity() + 1, size, flags, resize_callback, s);
}

bool begin_combo(const char* label, const char* preview, ImGuiComboFlags flags) {
#ifdef IMGUI_ENABLE_TEST_ENGINE
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float w = ImGui::CalcItemWidth();
  const ImGuiID id = ImGui::GetID(label);
#endif
  bool open = ImGui::BeginCombo(label, preview, flags);
#ifdef IMGUI_ENABLE_TEST_ENGINE
  // BeginCombo adds the item but reports no label: report both now, with the
  // frame's rectangle (combos here always hide their label after "##").
  report(id, ImRect(pos, ImVec2(pos.x + w, pos.y + ImGui::GetFrameHeight())), label, true);
#endif
  return open;
}

void expose_last_item(const char* label) {
#ifdef IMGUI_ENABLE_TEST_ENGINE
  ImGuiContext& g = *GImGui;
  if (!g.TestEngineHookItems) return;
  ImGuiID id = g.LastItemData.ID;
  const bool add = id == 0;  // plain text has no id and was not reported
  if (add) id = ImGui::GetID(label);
  report(id, g.LastItemData.Rect, label, add);
  if (add) platform::widget_locator_mark_text(id);
#else
  (void)label;
#endif
}

bool touch_button(const std::string& label) {
  return ImGui::Button(label.c_str(), ImVec2(0, std::max(ImGui::GetFrameHeight(), kTouchTargetPx)));
}

void same_line_if_room(float width) {
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

void same_line_if_fits(const std::string& label) {
  const ImGuiStyle& style = ImGui::GetStyle();
  same_line_if_room(ImGui::CalcTextSize(label.c_str(), nullptr, true).x + style.FramePadding.x * 2);
}

void status_text(const std::string& text, const char* id, const ImVec4* color) {
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, *color);
  ImGui::TextUnformatted(text.c_str());
  if (color) ImGui::PopStyleColor();
  expose_last_item((text + "##" + id).c_str());
}

void status_text_wrapped(const std::string& text, const char* id, const ImVec4* color) {
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, *color);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  if (color) ImGui::PopStyleColor();
  expose_last_item((text + "##" + id).c_str());
}

ImVec4 color_error() { return ImVec4(0.90f, 0.22f, 0.20f, 1.0f); }
ImVec4 color_warning() { return ImVec4(0.85f, 0.55f, 0.05f, 1.0f); }
ImVec4 color_ok() { return ImVec4(0.20f, 0.65f, 0.30f, 1.0f); }
ImVec4 color_muted() { return ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled); }

void push_font_scale(float factor) { ImGui::PushFont(nullptr, ImGui::GetStyle().FontSizeBase * factor); }
void pop_font_scale() { ImGui::PopFont(); }

}  // namespace dh::ui
