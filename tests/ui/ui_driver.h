// Test helper: the Workbench drawn for real in a headless ImGui context and
// driven through the same input path the browser uses, mouse and text events
// at the rectangles the widget locator (platform/widget_locator.h, the
// test-engine hooks linked into dh_tests) reports for each labelled widget.
//
// Each frame commits what the UI emitted like the app does: make_operation on
// the given State/OpSource, apply, report the result back to the Workbench.
// Shared by the volunteering, scheduling and check-in QR UI tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/state.h"
#include "imgui.h"
#include "platform/widget_locator.h"
#include "ui/workbench.h"

namespace dh::test {

// Marks ImGui's font atlas textures as uploaded (there is no renderer).
inline void settle_textures() {
  for (ImTextureData* tex : ImGui::GetPlatformIO().Textures) {
    if (tex->Status == ImTextureStatus_WantCreate || tex->Status == ImTextureStatus_WantUpdates) {
      tex->SetTexID(static_cast<ImTextureID>(1));
      tex->SetStatus(ImTextureStatus_OK);
    } else if (tex->Status == ImTextureStatus_WantDestroy) {
      tex->SetTexID(ImTextureID_Invalid);
      tex->SetStatus(ImTextureStatus_Destroyed);
    }
  }
}

class UiDriver {
 public:
  // state/source/now_ms: the model the frames read and commit into.
  UiDriver(State& state, OpSource& source, int64_t& now_ms) : state_(state), source_(source), now_ms_(now_ms) {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);
    io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
    io.Fonts->AddFontDefault();
    dh::platform::widget_locator_enable();
    status.device_id = "k7f3a9c2d1e0";
    status.saved_on_device = true;
  }
  ~UiDriver() { ImGui::DestroyContext(ctx_); }
  UiDriver(const UiDriver&) = delete;
  UiDriver& operator=(const UiDriver&) = delete;

  ui::Workbench wb;
  ui::AppStatus status;
  std::vector<Command> emitted;            // every command of every frame, in order
  std::vector<std::string> errors;         // error codes of commands that failed
  std::vector<ui::FileRequest> files;      // every file asked for, in order
  std::vector<std::string> all_text;       // every kiosk-* label of every frame
  float dt = 1.0f / 60.0f;

  void frame() {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = dt;
    ui::UiOutput out;
    ImGui::NewFrame();
    wb.draw(state_, status, out);
    ImGui::Render();
    settle_textures();
    dh::platform::widget_locator_end_frame();
    // What the kiosk drew: all its texts and buttons carry kiosk-* ids. (Only
    // those: the locator remembers labels by ImGui id across contexts, so an
    // unlabelled item may carry a label from another test.)
    for (const auto& r : dh::platform::widget_locator_last_frame())
      if (r.key.rfind("kiosk-", 0) == 0) all_text.push_back(r.label);
    for (auto& file : out.files) files.push_back(file);
    // Commit like the app: in order, reporting each result.
    for (size_t k = 0; k < out.commands.size(); ++k) {
      emitted.push_back(out.commands[k]);
      auto op = make_operation(state_, out.commands[k], source_, now_ms_ += 1000);
      if (op) state_.apply(op.value());
      else errors.push_back(op.error().code);
      wb.report_commit_result(k, op ? nullptr : &op.error());
    }
  }
  void run(int frames = 1) {
    for (int i = 0; i < frames; ++i) frame();
  }
  const dh::platform::WidgetRect* find(const std::string& key) const {
    for (const auto& r : dh::platform::widget_locator_last_frame())
      if (r.key == key && r.visible) return &r;
    return nullptr;
  }
  // The visible text of a widget (its label before "##"), "" when not shown.
  std::string visible(const std::string& key) const {
    const auto* r = find(key);
    return r ? r->label.substr(0, r->label.rfind("##")) : std::string();
  }
  void click(const std::string& key) {
    const auto* r = find(key);
    INFO("widget not found: " << key);
    REQUIRE(r);
    ImGuiIO& io = ImGui::GetIO();
    io.AddMousePosEvent(r->x + r->w / 2, r->y + r->h / 2);
    run();
    io.AddMouseButtonEvent(0, true);
    run();
    io.AddMouseButtonEvent(0, false);
    run(2);
  }
  // Clicks a text field, selects all (Ctrl+A) and types text.
  void type_into(const std::string& key, const std::string& text) {
    click(key);
    ImGuiIO& io = ImGui::GetIO();
    io.AddKeyEvent(ImGuiMod_Ctrl, true);
    io.AddKeyEvent(ImGuiKey_A, true);
    run();
    io.AddKeyEvent(ImGuiKey_A, false);
    io.AddKeyEvent(ImGuiMod_Ctrl, false);
    run();
    io.AddInputCharactersUTF8(text.c_str());
    run(2);
  }

 private:
  ImGuiContext* ctx_;
  State& state_;
  OpSource& source_;
  int64_t& now_ms_;
};

}  // namespace dh::test
