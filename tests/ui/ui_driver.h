// Test helper: the Workbench drawn for real in a headless ImGui context and
// driven through the same input path the browser uses, mouse and text events
// at the rectangles the widget locator (platform/widget_locator.h, the
// test-engine hooks linked into dh_tests) reports for each labelled widget.
//
// Each frame commits what the UI emitted through the app's one commit path
// (session/commit.h) over the given State/OpSource, reports each result back
// to the Workbench, hands the requests to a JobRunner like the Session does
// (RunJob/CancelJob; files are collected) and runs the jobs between frames.
// Shared by the volunteering, scheduling and check-in QR UI tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/state.h"
#include "imgui.h"
#include "platform/widget_locator.h"
#include "session/commit.h"
#include "session/job_runner.h"
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
    // Tall enough that the shift detail (a roster of touch-sized buttons, the
    // move picker, the sign-up search) is in view without scrolling: the
    // driver clicks only visible widgets. Layout at 1280x800 and other sizes
    // is checked by layout_fit_test.cpp.
    io.DisplaySize = ImVec2(1280, 1400);
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
  std::vector<std::string> redo_requests;  // RedoRejected requests of every frame
  std::vector<ui::Request> requests;       // every request of every frame, in order
  std::vector<std::string> all_text;       // every kiosk-* label of every frame
  float dt = 1.0f / 60.0f;
  session::JobRunner jobs;
  double job_budget_ms = 0;                    // 0: jobs run to their end between two frames
  std::function<double()> job_clock;           // for job_budget_ms > 0
  bool jobs_paused = false;                    // true: jobs do not run between frames
  bool hold_commits = false;                   // true: commands are kept in `held`, no result is reported
  std::vector<Command> held;

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
    for (const auto* f : out.all<ui::SaveFile>()) files.push_back(f->file);
    // Commit like the app: the one commit path, in order, reporting each result.
    for (const auto& c : out.commands) emitted.push_back(c);
    if (hold_commits) {
      held.insert(held.end(), out.commands.begin(), out.commands.end());
    } else {
      session::StateTarget target(state_, source_);
      session::commit_in_order(target, out.commands, [&] { return now_ms_ += 1000; }, [&](size_t k, const Error* e) {
        if (e) errors.push_back(e->code);
        wb.report_commit_result(k, e);
      });
    }
    // Requests: long work goes to the runner, everything else is answered.
    for (const auto& r : out.requests) {
      requests.push_back(r);
      if (const auto* redo = std::get_if<ui::RedoRejected>(&r.what)) redo_requests.push_back(redo->op_id);
      if (const auto* j = std::get_if<ui::RunJob>(&r.what)) jobs.start(r.id, j->job);
      else if (const auto* c = std::get_if<ui::CancelJob>(&r.what)) jobs.cancel(c->job);
      wb.deliver(ui::Reply{r.id, {}});
    }
    // Between frames, like the app: here with no time limit unless a test
    // sets one (job_budget_ms) to see progress across frames.
    if (jobs_paused) return;
    if (job_budget_ms > 0) jobs.run(job_clock, job_budget_ms);
    else jobs.run_to_end();
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
