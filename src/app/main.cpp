// dianhong_app: the platform loop. The same file runs in the browser
// (Emscripten, WebGL2, IDBFS) and as a native desktop window (GL3, a folder).
// The data, sync, the one commit path, requests and long work belong to the
// Session (src/session/session.h); fonts, the browser's key/IME glue and the
// test hook's C API have their own files (fonts.cpp, web_input.cpp,
// test_hook.cpp). This file only runs the loop.
//
// Order of things
// 1. SDL window + GL context + ImGui; the host (src/platform/host.h) starts
//    fetching the UI font, asks for the writer lock and loads the store folder.
// 2. When the folder is loaded and the lock decided, the Session opens the
//    Replica; problems it reports are shown. The writing tab then runs the
//    sync driver (session/sync_driver.h). A fresh device gets the community's
//    data by its first pull. (The desktop build without --server makes the
//    demo data itself.) The device's language and text size come back from
//    its settings file.
// 3. Each tick: poll events; render only when something happened (input, a few
//    frames/0.6 s after it, arrived data, a change of saving status, a long
//    job running). After the frame: the UI's commands go through the one
//    commit path, its requests to the Session (or the platform: files,
//    update), and long work runs for at most a frame budget
//    (session/job_runner.h), so frames keep coming while it runs.
// 4. After the first interactive frame the full font is fetched in the
//    background and merged into the UI font as a fallback for rare characters.
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <emscripten/html5.h>
#endif

#include <SDL.h>
#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#include <SDL_opengl.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "imgui.h"
#include "backends/imgui_impl_opengl3.h"
#include "backends/imgui_impl_sdl2.h"

#include "app/app.h"
#include "core/civil_time.h"
#include "platform/files.h"
#include "platform/widget_locator.h"

#ifndef __EMSCRIPTEN__
#include "core/demo.h"
#endif

namespace dh::app {

App* g_app = nullptr;

namespace {

using platform::FontKind;
using platform::Host;
using platform::LockState;

constexpr int64_t kRenderAfterInputMs = 600;  // hover delays, tooltips, animations

// A monotonic clock in ms for the long-work budget.
double monotonic_ms() {
#ifdef __EMSCRIPTEN__
  return emscripten_get_now();
#else
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
#endif
}

ui::Problem lock_problem(const Host& host) {
  if (host.writer_lock() == LockState::pending) return ui::Problem::of("storage.lock_pending");
  return ui::Problem::of("storage.read_only", {}, host.writer_lock_reason());
}

void open_session(App& app) {
  app.fs = make_posix_file_system();
  app.http = std::make_unique<HostHttp>(*app.host);
  app.flusher = std::make_unique<HostFlusher>(*app.host);
  // No server (the desktop without --server): no sync, the demo data instead.
  const bool has_server = !app.host->server_url().empty();
#ifdef __EMSCRIPTEN__
  const bool use_http = true;  // the page's own origin
#else
  const bool use_http = has_server;
#endif
  (void)has_server;
  app.session = std::make_unique<session::Session>(*app.fs, app.store_root, *app.flusher,
                                                   use_http ? app.http.get() : nullptr);
  const bool writable = app.host->writer_lock() == LockState::granted;
  app.session->set_write_access(writable, lock_problem(*app.host));
  // The device's own choices, kept across reloads (not in the shared log).
  if (auto s = app.session->device_settings()) {
    app.workbench.set_language(s->language);
    app.workbench.set_large_text(s->large_text);
  }
  const bool opened = app.session->open(app.host->new_device_id(), app.host->now_ms());
  if (!opened || !writable) {
    // Refuses (and start-up is over): nothing to sync, or this tab may not
    // write and shows what is stored.
    app.session->start_sync();
    return;
  }
#ifndef __EMSCRIPTEN__
  if (!use_http) {
    app.session->load_if_empty(generate_demo(), app.host->now_ms());
    return;
  }
#endif
  app.session->start_sync();
}

}  // namespace

ui::AppStatus make_status(const App& app) {
  ui::AppStatus s;
  if (app.session) {
    app.session->fill_status(s);
  } else {
    s.saved_on_device = false;
    s.read_only = app.host->writer_lock() != LockState::granted;
    s.read_only_reason = lock_problem(*app.host);
  }
  if (s.storage_error.empty() && !app.host->storage_load_error().empty()) s.storage_error = app.host->storage_load_error();
  if (app.host->writer_lock() != LockState::granted) {
    s.read_only = true;
    s.read_only_reason = lock_problem(*app.host);
  }
  for (const auto& p : app.platform_problems) s.storage_problems.push_back(p);
  s.persistent_storage = app.host->persistent_storage();
  s.online = app.host->online();
  s.update_available = app.host->update_available();
  s.full_font_loaded = app.full_font_loaded;
  s.now_local_minutes = local_minutes_from_utc_ms(app.host->now_ms());
  s.sync.server = app.host->server_url();  // web: the page's origin (also for the check-in QR code)
  return s;
}

namespace {

// What is shown changes -> redraw. The sync round's progress and the time of
// the last sync are shown only in the sync area, so only there do they count
// (elsewhere an idle page draws nothing, even while it polls the server).
std::string status_signature(const ui::AppStatus& s, const App& app) {
  const ui::SyncStatus& y = s.sync;
  std::string sig = std::to_string(s.operation_count) + "|" + (s.saved_on_device ? "1" : "0") +
                    (s.flush_in_progress ? "1" : "0") + (s.read_only ? "1" : "0") + (s.online ? "1" : "0") +
                    (s.update_available ? "1" : "0") + (s.full_font_loaded ? "1" : "0") +
                    (s.persistent_storage ? "1" : "0") + "|" + s.storage_error + "|" +
                    std::to_string(s.storage_problems.size()) + "|" + s.read_only_reason.code + "|" +
                    std::to_string(y.waiting_ops) + "|" + std::to_string(y.rejected.size()) + "|" + y.last_error.code +
                    "|" + y.last_error.detail + "|" + y.clock_warning + "|" + (y.needs_enrolment ? "1" : "0") +
                    (y.enrolling ? "1" : "0") + (y.open_access ? "1" : "0") + (y.last_success_minutes > 0 ? "1" : "0") +
                    "|" + y.enrol_error.code + "|" + y.role;
  if (app.workbench.area() == "sync")
    sig += "|" + std::to_string(y.last_success_minutes) + (y.in_progress ? "1" : "0");
  return sig;
}

// What the UI asked for that belongs to the platform: files and the update.
void handle_platform_requests(App& app, const std::vector<ui::Request>& requests) {
  for (const ui::Request& r : requests) {
    ui::Reply reply{r.id, {}};
    if (const auto* f = std::get_if<ui::SaveFile>(&r.what)) {
      // Exports and printing (platform/files.h): a download or a print window
      // in the browser; natively files in <data>/exports.
      const ui::FileRequest& file = f->file;
      platform::set_files_folder(app.store_root + "/exports");
      auto res = file.action == ui::FileRequest::Action::print ? platform::print_html(file.bytes, file.name)
                                                              : platform::save_file(file.name, file.mime, file.bytes);
      if (!res.ok) {
        app.platform_problems.push_back(file.name + ": " + res.error);
        reply.error = ui::Problem::of("file.failed", {file.name}, res.error);
      }
    } else if (std::get_if<ui::ApplyUpdate>(&r.what)) {
      app.apply_update_pending = true;
      app.host->flush_now();
    }
    app.workbench.deliver(reply);
  }
}

// ---- The tick ----------------------------------------------------------------

void tick() {
  App& app = *g_app;
  int64_t now = app.host->now_ms();
  bool input = false;

  SDL_Event event;
  while (SDL_PollEvent(&event)) {
    ImGui_ImplSDL2_ProcessEvent(&event);
    input = true;
    if (event.type == SDL_QUIT) app.quit = true;
    if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE) app.quit = true;
  }
  bool arrived = app.host->poll();
  if (app.host->check_canvas_size(app.window)) input = true;
  if (app.host->take_page_hidden()) arrived = true;

  // Fonts
  std::vector<unsigned char> bytes;
  if (app.host->take_font(FontKind::ui, bytes)) add_font(app, FontKind::ui, bytes), arrived = true;
  if (app.host->take_font(FontKind::full, bytes)) add_font(app, FontKind::full, bytes), arrived = true;
  bool ui_font_ready = app.ui_font != nullptr || app.host->font_failed(FontKind::ui);

  // Store
  if (app.phase == Phase::starting && app.host->storage_loaded() && app.host->writer_lock() != LockState::pending) {
    open_session(app);
    app.phase = Phase::ready;
    arrived = true;
  }
  if (app.session) app.session->tick(now);

  // Persistent storage: ask once, after the first completed save.
  if (!app.persist_asked && app.host->flushes().flushed_generation() > 0) {
    app.persist_asked = true;
    app.host->request_persistent_storage();
  }
  // Update accepted: flush, then let the new worker take over.
  if (app.apply_update_pending) {
    const auto& f = app.host->flushes();
    const Replica* r = app.session ? app.session->replica() : nullptr;
    bool flushed = !r || app.host->writer_lock() != LockState::granted ||
                   (!f.in_flight() && (f.flushed_generation() >= r->write_generation() || !f.error().empty()));
    if (flushed) {
      app.apply_update_pending = false;
      app.host->apply_update();
    }
  }

  ui::AppStatus status = make_status(app);
  std::string sig = status_signature(status, app);
  bool status_changed = sig != app.last_status_signature;
  app.last_status_signature = sig;

  if (input) {
    app.pending_frames = 3;
    app.render_until_ms = now + kRenderAfterInputMs;
  }
  if (arrived || status_changed) app.pending_frames = std::max(app.pending_frames, 2);
  // Long work running: every frame shows its progress (and the frame after
  // it ends shows the result).
  if (app.session && app.session->jobs().busy()) app.pending_frames = std::max(app.pending_frames, 2);
  // The kiosk returns to its start screen after a minute without input, so
  // while it is shown the loop draws one frame every 10 s (elsewhere: none
  // when idle).
  if (app.workbench.area() == "kiosk" && now / 10000 != app.kiosk_tick) {
    app.kiosk_tick = now / 10000;
    app.pending_frames = std::max(app.pending_frames, 1);
  }
  bool render = app.pending_frames > 0 || now < app.render_until_ms;
  if (!render || !ui_font_ready || app.phase != Phase::ready) return;
  if (app.pending_frames > 0) --app.pending_frames;

  forward_text_events(app);
  apply_text_size(app);

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
  ui::UiOutput out;
  static const State empty_state;
  app.workbench.draw(app.session ? app.session->state() : empty_state, status, out);
  ImGui::Render();

  ImGuiIO& io = ImGui::GetIO();
  int fb_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
  int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  glViewport(0, 0, fb_w, fb_h);
  glClearColor(0.96f, 0.94f, 0.90f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  SDL_GL_SwapWindow(app.window);
  platform::widget_locator_end_frame();
  ++app.frames_rendered;
  app.host->publish_frame_count(app.frames_rendered);

  // What the frame asked for: commits (the one path), requests, long work.
  if (app.session) {
    app.session->commit(out.commands, app.host->now_ms(),
                        [&](size_t i, const Error* e) { app.workbench.report_commit_result(i, e); });
    std::vector<ui::Request> platform_requests;
    app.session->handle(out.requests, [&](const ui::Reply& r) { app.workbench.deliver(r); }, &platform_requests);
    handle_platform_requests(app, platform_requests);
    if (out.find<ui::SettingsChanged>()) app.pending_frames = std::max(app.pending_frames, 2);
    app.session->run_jobs(monotonic_ms);
  } else {
    for (size_t i = 0; i < out.commands.size(); ++i) {
      const Error e{"storage_not_open", "The data is not open yet."};
      app.workbench.report_commit_result(i, &e);
    }
  }
  // The first frame that shows the data: fetch the full font in the background.
  if (!app.first_interactive_reported) {
    app.first_interactive_reported = true;
#ifdef __EMSCRIPTEN__
    EM_ASM({ if (typeof dhGlue !== 'undefined') dhGlue.interactive(); });
#endif
  }
  if (!app.full_font_requested) {
    app.full_font_requested = true;
    app.host->request_font(FontKind::full);
  }
}

#ifdef __EMSCRIPTEN__
void web_tick() { tick(); }
#endif

}  // namespace

}  // namespace dh::app

// ---- main --------------------------------------------------------------------

int main(int argc, char** argv) {
  dh::platform::HostOptions options;
#ifdef __EMSCRIPTEN__
  options.store_root = "/data";

#else
  options.store_root = "./data/desktop";
#ifdef DH_DEFAULT_FONT_DIR
  options.font_dir = DH_DEFAULT_FONT_DIR;
#else
  options.font_dir = "build/native/fonts";
#endif
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--data") options.store_root = argv[i + 1];
    else if (a == "--server") options.server_url = argv[i + 1];
    else if (a == "--fonts") options.font_dir = argv[i + 1];
  }
#endif
  (void)argc;
  (void)argv;

#ifdef __EMSCRIPTEN__
  SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
#endif
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
    std::fprintf(stderr, "SDL_Init failed: %s\n", SDL_GetError());
    return 1;
  }
#ifdef __EMSCRIPTEN__
  const char* glsl_version = "#version 300 es";
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
#else
  const char* glsl_version = "#version 150";
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, SDL_GL_CONTEXT_FORWARD_COMPATIBLE_FLAG);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 2);
#endif
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  auto flags = static_cast<SDL_WindowFlags>(SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  SDL_Window* window = SDL_CreateWindow("滇红慧 Dianhong", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280, 800, flags);
  if (!window) {
    std::fprintf(stderr, "SDL_CreateWindow failed: %s\n", SDL_GetError());
    return 1;
  }
  SDL_GLContext gl = SDL_GL_CreateContext(window);
  if (!gl) {
    std::fprintf(stderr, "SDL_GL_CreateContext failed: %s\n", SDL_GetError());
    return 1;
  }
  SDL_GL_MakeCurrent(window, gl);
  SDL_GL_SetSwapInterval(1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  dh::platform::widget_locator_enable();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // view state belongs to the Workbench, not imgui.ini
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  io.ConfigInputTextCursorBlink = false;  // a blinking caret would keep rendering
  ImGui::StyleColorsLight();
  ImGui_ImplSDL2_InitForOpenGL(window, gl);
  ImGui_ImplOpenGL3_Init(glsl_version);

  using namespace dh::app;
  static App app;
  g_app = &app;
  app.window = window;
  app.gl = gl;
  app.store_root = options.store_root;
  app.base_style = ImGui::GetStyle();
  app.host = std::make_unique<dh::platform::Host>(options);
  install_web_input();
  app.host->request_font(dh::platform::FontKind::ui);
  app.host->start_storage_load();
  app.host->request_writer_lock();

#ifdef __EMSCRIPTEN__
  emscripten_set_main_loop(web_tick, 0, true);
#else
  while (!app.quit) {
    int64_t before = app.frames_rendered;
    tick();
    // Idle: sleep until the next event (or a short timeout for pending work).
    if (static_cast<int64_t>(app.frames_rendered) == before) SDL_WaitEventTimeout(nullptr, 100);
  }
  if (app.session && app.session->replica()) app.host->flush_now();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplSDL2_Shutdown();
  ImGui::DestroyContext();
  SDL_GL_DeleteContext(gl);
  SDL_DestroyWindow(window);
  SDL_Quit();
#endif
  return 0;
}
