// The browser's text input glue: what the hidden <input> (web/glue.js)
// received (IME commits, paste, keys) goes to ImGui in arrival order; ImGui's
// caret position and clipboard go back to the page. Natively SDL does all of
// this and install_web_input() does nothing.
#include "app/app.h"

namespace dh::app {

namespace {

ImGuiKey dom_key_to_imgui(const std::string& k) {
  static const struct { const char* name; ImGuiKey key; } map[] = {
      {"Backspace", ImGuiKey_Backspace}, {"Delete", ImGuiKey_Delete}, {"Enter", ImGuiKey_Enter},
      {"Tab", ImGuiKey_Tab}, {"Escape", ImGuiKey_Escape}, {"ArrowLeft", ImGuiKey_LeftArrow},
      {"ArrowRight", ImGuiKey_RightArrow}, {"ArrowUp", ImGuiKey_UpArrow}, {"ArrowDown", ImGuiKey_DownArrow},
      {"Home", ImGuiKey_Home}, {"End", ImGuiKey_End}, {"PageUp", ImGuiKey_PageUp},
      {"PageDown", ImGuiKey_PageDown}, {"a", ImGuiKey_A}, {"c", ImGuiKey_C}, {"x", ImGuiKey_X},
      {"y", ImGuiKey_Y}, {"z", ImGuiKey_Z}, {"A", ImGuiKey_A}, {"C", ImGuiKey_C}, {"X", ImGuiKey_X},
      {"Y", ImGuiKey_Y}, {"Z", ImGuiKey_Z}};
  for (const auto& m : map)
    if (k == m.name) return m.key;
  return ImGuiKey_None;
}

[[maybe_unused]] void set_ime_data(ImGuiContext*, ImGuiViewport*, ImGuiPlatformImeData* data) {
  if (!g_app) return;
  bool active = data->WantTextInput || data->WantVisible;
  g_app->host->set_text_input(active, data->InputPos.x, data->InputPos.y, data->InputLineHeight);
}

[[maybe_unused]] void set_clipboard(ImGuiContext*, const char* text) {
  if (g_app) g_app->host->set_clipboard_text(text ? text : "");
}

[[maybe_unused]] const char* get_clipboard(ImGuiContext*) { return g_app ? g_app->host->clipboard_text().c_str() : ""; }

}  // namespace

void forward_text_events(App& app) {
  ImGuiIO& io = ImGui::GetIO();
  for (const platform::TextEvent& e : app.host->take_text_events()) {
    switch (e.type) {
      case platform::TextEvent::Type::chars:
      case platform::TextEvent::Type::paste:
        io.AddInputCharactersUTF8(e.text.c_str());
        break;
      case platform::TextEvent::Type::key: {
        // Modifiers first, also for a key ImGui does not know (a released
        // Control), so they never stay held.
        io.AddKeyEvent(ImGuiMod_Ctrl, e.ctrl || e.meta);
        io.AddKeyEvent(ImGuiMod_Shift, e.shift);
        io.AddKeyEvent(ImGuiMod_Alt, e.alt);
        ImGuiKey key = dom_key_to_imgui(e.text);
        if (key != ImGuiKey_None) io.AddKeyEvent(key, e.down);
        break;
      }
    }
  }
}

void install_web_input() {
#ifdef __EMSCRIPTEN__
  ImGuiPlatformIO& pio = ImGui::GetPlatformIO();
  pio.Platform_SetImeDataFn = set_ime_data;
  pio.Platform_SetClipboardTextFn = set_clipboard;
  pio.Platform_GetClipboardTextFn = get_clipboard;
#endif
}

}  // namespace dh::app
