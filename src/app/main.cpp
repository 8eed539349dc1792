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
//    Idle means idle (browser): when a tick has nothing left to draw, the
//    main loop is paused (no requestAnimationFrame at all) until something
//    wakes it: input or a resize/visibility change (listeners in web/glue.js),
//    anything the page delivers (HTTP answers, the push channel, fonts, the
//    lock, online/offline: every glue event), a flush finishing, or the timer
//    armed for the next thing due (a sync round, a wait, a minute change on
//    a screen that shows the time, the kiosk's timer). A wake runs one tick
//    at once (a task, not an animation frame); only a tick that draws turns
//    the animation-frame loop back on. Events that came while paused wait in
//    SDL's queue and the page's queue, so none is lost.
// 4. After the first sync round (at the latest kFullFontLatestMs after the
//    first frame) the full font is fetched in the background and merged into
//    the UI font as a fallback for rare characters, once nobody is in the
//    middle of something (ui_quiet: no field taking text, no item held).
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
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "imgui.h"
#include "backends/imgui_impl_opengl3.h"
#include "backends/imgui_impl_sdl2.h"

#include "app/app.h"
#include "app/projector_app.h"
#include "core/civil_time.h"
#include "platform/widget_locator.h"

namespace dh::app {

App* g_app = nullptr;

namespace {

using platform::FontKind;
using platform::Host;
using platform::LockState;

constexpr int64_t kRenderAfterInputMs = 600;  // hover delays, tooltips, animations
constexpr int64_t kFullFontLatestMs = 5000;   // the full font: after the first round, or this long after the first frame
constexpr int64_t kFullFontQuietMs = 1500;    // ... and merged only after this long without input
constexpr int64_t kFirstStartHoldMs = 4000;   // the loading screen waits this long at most for a new device's data

// A monotonic clock in ms for the long-work budget.
double monotonic_ms() {
#ifdef __EMSCRIPTEN__
  return emscripten_get_now();
#else
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
#endif
}

// The enrolment code of the address "?enrol=1234-5678-9012-3456" (what an
// administrator's enrolment QR code holds: ui/devices_screen.h), read once at
// start and removed from the address bar so a reload does not offer it again.
// Digits, '-' and spaces only, at most 32 characters; "" otherwise.
#ifdef __EMSCRIPTEN__
EM_JS(char*, dh_take_url_enrol_code, (), {
  var c = '';
  try {
    var u = new URL(location.href);
    c = u.searchParams.get('enrol') || '';
    if (c) {
      u.searchParams.delete('enrol');
      history.replaceState(history.state, '', u.pathname + u.search + u.hash);
    }
  } catch (e) {}
  var n = lengthBytesUTF8(c) + 1;
  var p = _malloc(n);
  stringToUTF8(c, p, n);
  return p;
});
#endif

std::string take_url_enrol_code() {
  std::string code;
#ifdef __EMSCRIPTEN__
  char* c = dh_take_url_enrol_code();
  code = c;
  free(c);
#endif
  if (code.size() > 32) return "";
  for (char ch : code)
    if (!((ch >= '0' && ch <= '9') || ch == '-' || ch == ' ')) return "";
  return code;
}

// ---- The tick ----------------------------------------------------------------

// The areas that show the time of day or depend on it (check-in buttons, the
// kiosk's day, the sync area's times): a minute change redraws them. Others
// (home) draw nothing when the minute changes.
bool area_shows_time(const std::string& area) {
  return area == "schedule" || area == "kiosk" || area == "sync";
}

// Nobody is in the middle of something: no field takes text, no item is held,
// no input came for kFullFontQuietMs.
bool ui_quiet(const App& app, int64_t now) {
  if (now - app.last_input_ms < kFullFontQuietMs) return false;
  const ImGuiIO& io = ImGui::GetIO();
  return !io.WantTextInput && !ImGui::IsAnyItemActive();
}

// A new device's first start (Host::first_start_pending: the page is fetching
// the server's snapshot): the page's loading screen stays up until the first
// sync round has brought the community, so the first frame shows it instead
// of an empty workbench drawn again a moment later (each frame of which would
// also take the CPU the snapshot's decoding needs). Bounded: after
// kFirstStartHoldMs, or when the round ends in any way (offline, refused,
// enrolment needed), the workbench is drawn with whatever there is.
bool hold_first_frame(const App& app, int64_t now) {
  if (app.first_interactive_reported || !app.host->first_start_pending()) return false;
  if (!app.session || app.session->first_round_done()) return false;
  return now - app.ready_ms < kFirstStartHoldMs;
}

// The GL context and ImGui's OpenGL renderer, made once. On a new device's
// first start the first frame drawn makes them, not main(): making a WebGL
// context is a blocking round trip to the GPU process, which then is still
// busy drawing the browser's own frames of the page's load (15-350 ms each
// with a software GPU); made at the first frame, after the snapshot's
// decode (issue 13), the community was on screen about 60 ms sooner
// (alternated new profiles). Where the page made the context already
// (every other start), main() makes them. A context that cannot be made
// is said on the page (dhGlue.noWebGL) and nothing is drawn.
#ifdef __EMSCRIPTEN__
EM_JS(int, dh_js_page_made_gl_context, (), {
  return (typeof dhGlue !== 'undefined' && dhGlue.earlyContext) ? 1 : 0;
});
bool page_made_gl_context() { return dh_js_page_made_gl_context() != 0; }
#else
bool page_made_gl_context() { return true; }  // nothing to wait for on a desktop
#endif

bool ensure_renderer(App& app) {
  if (app.gl) return true;
  if (app.renderer_failed) return false;
  app.gl = SDL_GL_CreateContext(app.window);
  if (!app.gl) {
    app.renderer_failed = true;
    std::fprintf(stderr, "SDL_GL_CreateContext failed: %s\n", SDL_GetError());
#ifdef __EMSCRIPTEN__
    EM_ASM({ if (typeof dhGlue !== 'undefined') dhGlue.noWebGL(); });
#endif
    return false;
  }
  SDL_GL_MakeCurrent(app.window, app.gl);
  SDL_GL_SetSwapInterval(1);
  ImGui_ImplOpenGL3_Init(app.glsl_version);
  return true;
}

void tick_body() {
  App& app = *g_app;
  const double tick_start = monotonic_ms();
  int64_t now = app.host->now_ms();
  bool input = false;

  // The page's events first: text typed into a field reaches ImGui before a
  // click that arrived in the same tick (SDL's queue and the page's are two
  // queues; typing then clicking "create" at once must not leave the field
  // before its text is in).
  bool arrived = app.host->poll();
  forward_text_events(app);
  SDL_Event event;
  while (SDL_PollEvent(&event)) {
    ImGui_ImplSDL2_ProcessEvent(&event);
    input = true;
    if (event.type == SDL_QUIT) app.quit = true;
    if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE) app.quit = true;
  }
  if (app.host->check_canvas_size(app.window)) input = true;
  if (app.host->take_page_hidden()) arrived = true, app.page_was_hidden = true;
  // A new device's first start: no flush starts before its first frame.
  // The flush copies the store into IndexedDB (the 4.7 MB the snapshot
  // became: 50-70 ms of this thread in headless Chromium on the 2-core
  // bench machine), and its turn came between adopting the snapshot and
  // the frame that shows it. What is asked for meanwhile starts right after
  // that frame (the end of this function), or at once when the page is
  // hidden (Host::on_page_hidden).
  app.host->hold_flushes(!app.first_interactive_reported && !app.page_was_hidden &&
                         app.host->first_start_pending());

  // Fonts
  std::vector<unsigned char> bytes;
  if (app.host->take_font(FontKind::ui, bytes)) add_font(app, FontKind::ui, bytes), arrived = true;
  // The full face changes the font atlas, which can move text: merged only
  // when ui_quiet, so nobody loses the field or the target under a finger.
  if (app.host->take_font(FontKind::full, bytes)) app.full_font_waiting = std::move(bytes);
  if (input) app.last_input_ms = now;
  if (!app.full_font_waiting.empty() && ui_quiet(app, now)) {
    add_font(app, FontKind::full, app.full_font_waiting);
    arrived = true;
  }
  bool ui_font_ready = app.ui_font != nullptr || app.host->font_failed(FontKind::ui);

  // Store
  if (app.phase == Phase::starting && app.host->storage_loaded() && app.host->writer_lock() != LockState::pending) {
    open_session(app);
    if (const std::string code = take_url_enrol_code(); !code.empty()) app.workbench.prefill_enrolment(code);
    app.phase = Phase::ready;
    app.ready_ms = now;
    arrived = true;
  }
  // Changes arrive by themselves while the page is seen (docs/sync-protocol.md
  // "Push channel": one wait per visible device; hidden tabs poll).
  if (app.session && app.session->sync() && !app.projector) app.session->sync()->set_push_channel(app.host->page_visible());
  if (app.session) app.session->tick(now);
  // The projector page draws its own way (projector_app.h); the chair's tab
  // keeps the projected slide current and tells projector tabs about it.
  if (app.projector) return projector_tick(app, now);
  chair_projector_tick(app, now);

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
  if (area_shows_time(app.workbench.area())) sig += "|" + std::to_string(status.now_local_minutes);
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
  // The full face (8 MB) is asked for once the first sync round is over (a
  // new device's first start does not share the network and the main thread
  // with it), at the latest kFullFontLatestMs after the first frame; decided
  // every tick, drawn or not (next_wake_ms wakes for the latest).
  if (!app.full_font_requested && app.first_frame_ms != 0 &&
      (!app.session || app.session->first_round_done() || now - app.first_frame_ms >= kFullFontLatestMs)) {
    app.full_font_requested = true;
    app.host->request_font(FontKind::full);
  }
  bool render = app.pending_frames > 0 || now < app.render_until_ms;
  if (!render || !ui_font_ready || app.phase != Phase::ready || hold_first_frame(app, now)) return;
  if (!ensure_renderer(app)) return;
  if (app.pending_frames > 0) --app.pending_frames;

  apply_text_size(app);

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
  text_capture_begin();
  ui::UiOutput out;
  static const State empty_state;
  // What this frame draws, for the first-frame and data-shown marks below.
  const Replica* replica = app.session ? app.session->replica() : nullptr;
  const size_t drawn_ops = replica ? replica->operation_count() : 0;
  app.workbench.draw(app.session ? app.session->state() : empty_state, status, out);
  text_capture_end();
  ImGui::Render();

  ImGuiIO& io = ImGui::GetIO();
  int fb_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
  int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  glViewport(0, 0, fb_w, fb_h);
  // The scissor box too (the scissor test is off here, so it clips nothing):
  // ImGui's renderer reads it back first thing, and a box this program never
  // set would be a blocking query to the GPU process (gl_state_cache.cpp).
  glScissor(0, 0, fb_w, fb_h);
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
    if (app.session->jobs().busy()) {
      app.longest_frame_ms = std::max(app.longest_frame_ms, monotonic_ms() - tick_start);
      const double jobs_start = monotonic_ms();
      app.session->run_jobs(monotonic_ms);
      app.longest_job_slice_ms = std::max(app.longest_job_slice_ms, monotonic_ms() - jobs_start);
    }
  } else {
    for (size_t i = 0; i < out.commands.size(); ++i) {
      const Error e{"storage_not_open", "The data is not open yet."};
      app.workbench.report_commit_result(i, &e);
    }
  }
  if (!app.first_interactive_reported) {
    app.first_interactive_reported = true;
    app.first_frame_ms = now;
#ifdef __EMSCRIPTEN__
    // With the number of operations the frame drew: a new device's test
    // checks that the first frame already showed the community.
    EM_ASM({ if (typeof dhGlue !== 'undefined') dhGlue.interactive($0); }, static_cast<double>(drawn_ops));
#endif
  }
  if (!app.data_shown_reported && app.session && app.session->first_round_done() && drawn_ops > 0) {
    app.data_shown_reported = true;
#ifdef __EMSCRIPTEN__
    EM_ASM({ if (typeof dhGlue !== 'undefined') dhGlue.dataShown($0); }, static_cast<double>(drawn_ops));
#endif
  }
  // The first frame is drawn (and marked): flushes held until now start.
  app.host->hold_flushes(false);
}

// ---- Idle means idle (the browser's main loop) ----------------------------------

// What the loop must still do by itself: draw pending frames, run long work,
// finish start-up. When none of it is left the loop pauses until a wake.
[[maybe_unused]] bool loop_busy(const App& app, int64_t now) {
  if (app.phase != Phase::ready) return true;
  if (app.ui_font == nullptr && !app.host->font_failed(FontKind::ui)) return true;
  // Holding the first frame for a new device's data: nothing to draw, and
  // what ends the hold (the answer, the round's end) wakes the loop; an
  // animation-frame loop here would only keep the compositor busy.
  if (hold_first_frame(app, now)) return false;
  if (app.pending_frames > 0 || now < app.render_until_ms) return true;
  if (app.apply_update_pending) return true;
  if (app.session && app.session->jobs().busy()) return true;
  return false;
}

// The next time a paused loop must tick by itself (device ms), at most a
// minute ahead (a safety net: nothing needs it).
[[maybe_unused]] int64_t next_wake_ms(const App& app, int64_t now) {
  int64_t at = now + 60000;
  if (app.session && app.session->sync()) at = std::min(at, app.session->sync()->next_deadline_ms(now));
  if (app.host->flushes().in_flight()) at = std::min<int64_t>(at, now + 1000);  // the flush watchdog
  if (hold_first_frame(app, now)) at = std::min(at, app.ready_ms + kFirstStartHoldMs);  // the hold gives up
  if (!app.full_font_requested && app.first_frame_ms != 0) at = std::min(at, app.first_frame_ms + kFullFontLatestMs);
  // The waiting full font: a tick once input has been quiet long enough (if a
  // field still takes text then, the input that ends it brings the next tick).
  if (!app.full_font_waiting.empty() && now < app.last_input_ms + kFullFontQuietMs)
    at = std::min(at, app.last_input_ms + kFullFontQuietMs);
  const std::string area = app.workbench.area();
  if (area == "kiosk") at = std::min(at, (now / 10000 + 1) * 10000);  // the kiosk's 10 s timer
  if (area_shows_time(area)) at = std::min(at, (now / 60000 + 1) * 60000 + 50);  // a minute change
  return std::max(at, now);
}

#ifdef __EMSCRIPTEN__
bool g_loop_paused = false;
uint64_t g_loop_pauses = 0, g_loop_wakes = 0, g_wake_ticks = 0;

EM_JS(void, dh_js_arm_wake_timer, (double delay_ms), {
  if (typeof dhGlue !== 'undefined') dhGlue.armWakeTimer(delay_ms);
});

// After every tick: pause the animation-frame loop when idle (and arm the
// timer for the next thing due), or make sure it runs when there is work.
void schedule_loop() {
  App& app = *g_app;
  if (app.projector) return;  // the projector page times its own loop (projector_app.cpp)
  const int64_t now = app.host->now_ms();
  if (loop_busy(app, now)) {
    if (g_loop_paused) {
      g_loop_paused = false;
      emscripten_resume_main_loop();
    }
    dh_js_arm_wake_timer(-1);
    return;
  }
  if (!g_loop_paused) {
    g_loop_paused = true;
    ++g_loop_pauses;
    emscripten_pause_main_loop();
  }
  dh_js_arm_wake_timer(static_cast<double>(next_wake_ms(app, now) - now));
}

void web_tick() {
  tick_body();
  schedule_loop();
}
#else
void tick() { tick_body(); }
#endif

}  // namespace

}  // namespace dh::app

#ifdef __EMSCRIPTEN__
extern "C" {
// Something arrived while the loop may be paused (web/glue.js calls it from a
// task, never from inside a tick): one tick now, which resumes the
// animation-frame loop if it draws. A wake while the loop runs does nothing
// (the next frame's tick sees what arrived).
EMSCRIPTEN_KEEPALIVE void dh_wake() {
  using namespace dh::app;
  if (!g_app) return;
  ++g_loop_wakes;
  if (!g_loop_paused) return;
  ++g_wake_ticks;
  web_tick();
}
// The loop's figures for the idle test and bench (window.dianhong.loop()).
EMSCRIPTEN_KEEPALIVE const char* dh_loop_json() {
  using namespace dh::app;
  static std::string s;
  s = "{\"paused\":" + std::string(g_loop_paused ? "true" : "false") + ",\"pauses\":" + std::to_string(g_loop_pauses) +
      ",\"wakes\":" + std::to_string(g_loop_wakes) + ",\"wake_ticks\":" + std::to_string(g_wake_ticks) +
      ",\"frames\":" + std::to_string(g_app ? g_app->frames_rendered : 0) + "}";
  return s.c_str();
}
}
#endif

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

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  dh::platform::widget_locator_enable();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // view state belongs to the Workbench, not imgui.ini
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  io.ConfigInputTextCursorBlink = false;  // a blinking caret would keep rendering
  ImGui::StyleColorsLight();
  ImGui_ImplSDL2_InitForOpenGL(window, nullptr);  // the context is not used by the SDL backend

  using namespace dh::app;
  static App app;
  g_app = &app;
  app.window = window;
  app.glsl_version = glsl_version;
  app.store_root = options.store_root;
  app.base_style = ImGui::GetStyle();
  app.host = std::make_unique<dh::platform::Host>(options);
  install_web_input();
  // The renderer now when that costs no wait: the page made the context
  // already (web/glue.js does on every start but a new device's), or this
  // is a desktop window; and on the projector page, which draws from its
  // first tick. Otherwise the first frame makes it (ensure_renderer).
  const bool projector = projector_mode_requested(argc, argv);
  if ((page_made_gl_context() || projector) && !ensure_renderer(app)) return 1;
  if (projector) projector_start(app, glsl_version);
  app.host->request_font(dh::platform::FontKind::ui);
  app.host->start_storage_load();
  app.host->request_writer_lock();

#ifdef __EMSCRIPTEN__
  emscripten_set_main_loop(web_tick, 0, true);
#else
  while (!app.quit) {
    int64_t before = app.frames_rendered;
    dh::app::tick();
    // Idle: sleep until the next event (or a short timeout for pending work).
    if (static_cast<int64_t>(app.frames_rendered) == before) SDL_WaitEventTimeout(nullptr, 100);
  }
  if (app.session && app.session->replica()) app.host->flush_now();
  if (app.gl) ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplSDL2_Shutdown();
  ImGui::DestroyContext();
  if (app.gl) SDL_GL_DeleteContext(app.gl);
  SDL_DestroyWindow(window);
  SDL_Quit();
#endif
  return 0;
}
