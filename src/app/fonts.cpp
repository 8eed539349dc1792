// The UI font (a subset, fetched first) and the full face merged into it as a
// fallback for rare characters once it arrives; the text size of the mode.
#include <cstdio>
#include <cstring>

#include "app/app.h"
#include "imgui_internal.h"

namespace dh::app {

using platform::FontKind;

void add_font(App& app, FontKind kind, std::vector<unsigned char>& bytes) {
  ImGuiIO& io = ImGui::GetIO();
  void* data = IM_ALLOC(bytes.size());
  std::memcpy(data, bytes.data(), bytes.size());
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = true;
  // One rasterization per glyph, not two side by side: ImGui's automatic
  // horizontal oversampling (2x below 36 px) only refines sub-pixel
  // placement, which Chinese text at 16-24 px does not show, and it doubled
  // the work of every glyph a frame meets for the first time: on a new
  // device the first frame rasterizes a few hundred of them.
  cfg.OversampleH = 1;  // (vertically it is 1 already)
  if (kind == FontKind::ui) {
    std::snprintf(cfg.Name, sizeof(cfg.Name), "dh-ui");
    app.ui_font = io.Fonts->AddFontFromMemoryTTF(data, static_cast<int>(bytes.size()), 0.0f, &cfg);
    if (app.ui_font) io.FontDefault = app.ui_font;
  } else if (app.ui_font) {
    // The full face joins the UI font as a fallback for characters the subset
    // lacks; glyphs already looked up (and found missing) are baked again.
    std::snprintf(cfg.Name, sizeof(cfg.Name), "dh-full");
    cfg.MergeMode = true;
    cfg.DstFont = app.ui_font;
    if (io.Fonts->AddFontFromMemoryTTF(data, static_cast<int>(bytes.size()), 0.0f, &cfg)) {
      ImFontAtlasFontDiscardBakes(io.Fonts, app.ui_font, 0);
      app.full_font_loaded = true;
    }
  }
  bytes.clear();
  bytes.shrink_to_fit();
}

void apply_text_size(App& app) {
  float size = app.workbench.font_size_px();
  if (size <= 0 || size == app.applied_font_size) return;
  ImGuiStyle& style = ImGui::GetStyle();
  style = app.base_style;
  style.ScaleAllSizes(size / 16.0f);
  style.FontSizeBase = size;
  app.applied_font_size = size;
}

}  // namespace dh::app
