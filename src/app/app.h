// Internal to dianhong_app: the state the platform loop (main.cpp), the fonts
// (fonts.cpp), the browser's key/IME glue (web_input.cpp) and the test hook's
// C API (test_hook.cpp) share. The data, sync, commits and long work are the
// Session's (session/session.h); this is only what the platform needs.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/host_ports.h"
#include "imgui.h"
#include "platform/host.h"
#include "session/session.h"
#include "store/file_system.h"
#include "ui/workbench.h"

namespace dh::app {

enum class Phase { starting, ready };

struct App {
  std::unique_ptr<platform::Host> host;
  std::unique_ptr<HostHttp> http;
  std::unique_ptr<HostFlusher> flusher;
  SDL_Window* window = nullptr;
  // The GL context and ImGui's renderer: made by ensure_renderer (main.cpp),
  // on a new device's first start by the first frame drawn, else in main().
  SDL_GLContext gl = nullptr;
  const char* glsl_version = nullptr;
  bool renderer_failed = false;  // the context could not be made (said on the page)
  ui::Workbench workbench;
  std::unique_ptr<FileSystem> fs;
  std::unique_ptr<session::Session> session;
  std::string store_root;
  Phase phase = Phase::starting;
  bool quit = false;
  bool projector = false;  // the projector page (projector_app.h): draws the projected slide only

  // Fonts (fonts.cpp)
  ImFont* ui_font = nullptr;
  bool full_font_requested = false;
  int64_t first_frame_ms = 0;  // host time of the first rendered frame (0: none yet)
  int64_t last_input_ms = 0;   // host time of the last input event
  std::vector<unsigned char> full_font_waiting;  // arrived, merged once the UI is quiet
  bool full_font_loaded = false;
  float applied_font_size = 0;
  ImGuiStyle base_style;

  // Rendering on demand
  uint64_t frames_rendered = 0;
  int pending_frames = 2;
  int64_t kiosk_tick = 0;  // 10-second bucket of the last kiosk timer frame
  int64_t render_until_ms = 0;
  std::string last_status_signature;
  bool first_interactive_reported = false;
  int64_t ready_ms = 0;  // host time the store opened (Phase::ready)
  // The first frame after the first sync round with data in the replica: for
  // a new device, "the community is on screen" (bench/page_load).
  bool data_shown_reported = false;
  bool page_was_hidden = false;  // ends a new device's flush hold (main.cpp)

  // Longest time (ms) of one tick's long work, and of one tick's frame
  // (events to swap) while a job runs: the figures behind "no frame waits
  // more than 50 ms" (tests/e2e/longwork.test.js reads them).
  double longest_job_slice_ms = 0;
  double longest_frame_ms = 0;

  // Platform status
  bool persist_asked = false;
  bool apply_update_pending = false;
  std::vector<std::string> platform_problems;  // files that could not be saved
};

extern App* g_app;

// fonts.cpp
void add_font(App& app, platform::FontKind kind, std::vector<unsigned char>& bytes);
void apply_text_size(App& app);

// web_input.cpp: the hidden input's text and keys into ImGui; IME position
// and clipboard out of it.
void forward_text_events(App& app);
void install_web_input();

// app_session.cpp
// Opens the Session once the store folder is loaded and the lock decided.
void open_session(App& app);
ui::AppStatus make_status(const App& app);
// What is shown, in short: a change means a redraw.
std::string status_signature(const ui::AppStatus& s, const App& app);
// SaveFile and ApplyUpdate; each answered through Workbench::deliver.
void handle_platform_requests(App& app, const std::vector<ui::Request>& requests);

// Every text one frame draws, for the browser test that no Latin words show
// in the Chinese UI (issue 12; test_hook.cpp, tests/e2e/i18n.test.js). The
// loop calls begin after ImGui::NewFrame() and end before ImGui::Render();
// both do nothing unless a test asked (dh_capture_text).
void text_capture_begin();
void text_capture_end();

}  // namespace dh::app
