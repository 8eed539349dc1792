// dianhong_app: the frame loop. The same file runs in the browser
// (Emscripten, WebGL2, IDBFS) and as a native desktop window (GL3, a folder).
//
// Order of things
// 1. SDL window + GL context + ImGui; the host (src/platform/host.h) starts
//    fetching the UI font, asks for the writer lock and loads the store folder.
// 2. When the folder is loaded and the lock decided, the Replica is opened;
//    problems it reports are shown. The writing tab then runs the SyncDriver
//    (src/app/sync_driver.h): push own changes, pull everyone else's, on
//    `online`, on a timer with back-off, and after changes became durable. A
//    fresh device gets the community's data by its first pull. (The desktop
//    build without --server makes the demo data itself.)
// 3. Each tick: poll events; render only when something happened (input, a few
//    frames/0.6 s after it, arrived data, a change of saving status). After
//    every committed action the store folder is flushed (coalesced, watchdog);
//    "saved on this device" only when the completed flush covers the current
//    write generation.
// 4. After the first interactive frame the full font is fetched in the
//    background and merged into the UI font as a fallback for rare characters.
//
// Tests read the page through window.dianhong (web/glue.js): widgets of the last
// frame, status, entities. All of it is read-only.
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
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "imgui.h"
#include "imgui_internal.h"
#include "backends/imgui_impl_opengl3.h"
#include "backends/imgui_impl_sdl2.h"

#include "core/civil_time.h"
#include "core/operation.h"
#include "core/state.h"
#include "platform/files.h"
#include "platform/host.h"
#include "platform/widget_locator.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "ui/workbench.h"
#include "app/sync_driver.h"

#ifndef __EMSCRIPTEN__
#include "core/demo.h"
#endif

namespace {

using Json = nlohmann::json;
using dh::platform::FontKind;
using dh::platform::Host;
using dh::platform::LockState;

constexpr int kDemoPageSize = 1000;
constexpr int64_t kRenderAfterInputMs = 600;  // hover delays, tooltips, animations

enum class Phase { starting, ready };

struct App {
  std::unique_ptr<Host> host;
  SDL_Window* window = nullptr;
  SDL_GLContext gl = nullptr;
  dh::ui::Workbench workbench;
  std::unique_ptr<dh::FileSystem> fs;
  std::unique_ptr<dh::Replica> replica;
  std::unique_ptr<dh::app::SyncDriver> sync;
  dh::State empty_state;
  std::string store_dir;
  Phase phase = Phase::starting;
  bool quit = false;

  // Fonts
  ImFont* ui_font = nullptr;
  bool full_font_requested = false;
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

  // Store status
  std::string open_error;
  std::vector<std::string> problems;
  std::vector<std::string> pending_commit_errors;
  bool persist_asked = false;
  bool apply_update_pending = false;

  // Desktop without a server: the demo data is made here.
  std::string demo_message;
  bool demo_pull_done = false;
  size_t demo_ingested = 0;
};

App* g_app = nullptr;

const dh::State& current_state(const App& app) { return app.replica ? app.replica->state() : app.empty_state; }

// ---- Fonts -----------------------------------------------------------------

void add_font(App& app, FontKind kind, std::vector<unsigned char>& bytes) {
  ImGuiIO& io = ImGui::GetIO();
  void* data = IM_ALLOC(bytes.size());
  std::memcpy(data, bytes.data(), bytes.size());
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = true;
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

// ---- Web text input (IME, paste, keys from the hidden input) ----------------

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

void forward_text_events(App& app) {
  ImGuiIO& io = ImGui::GetIO();
  for (const dh::platform::TextEvent& e : app.host->take_text_events()) {
    switch (e.type) {
      case dh::platform::TextEvent::Type::chars:
      case dh::platform::TextEvent::Type::paste:
        io.AddInputCharactersUTF8(e.text.c_str());
        break;
      case dh::platform::TextEvent::Type::key: {
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

[[maybe_unused]] void set_ime_data(ImGuiContext*, ImGuiViewport*, ImGuiPlatformImeData* data) {
  if (!g_app) return;
  bool active = data->WantTextInput || data->WantVisible;
  g_app->host->set_text_input(active, data->InputPos.x, data->InputPos.y, data->InputLineHeight);
}

[[maybe_unused]] void set_clipboard(ImGuiContext*, const char* text) {
  if (g_app) g_app->host->set_clipboard_text(text ? text : "");
}

[[maybe_unused]] const char* get_clipboard(ImGuiContext*) { return g_app ? g_app->host->clipboard_text().c_str() : ""; }

// ---- Store -----------------------------------------------------------------

std::string read_only_reason_words(const std::string& detail) {
  std::string s = "另一个标签页正在编辑数据，此页只读。Another tab is editing the data; this one is read-only.";
  if (!detail.empty()) s += " (" + detail + ")";
  return s;
}

std::string author_path(const App& app) {
  const size_t slash = app.store_dir.rfind('/');
  return (slash == std::string::npos ? std::string(".") : app.store_dir.substr(0, slash)) + "/author.txt";
}

void open_store(App& app) {
  app.fs = dh::make_posix_file_system();
  std::string device = app.host->new_device_id();
  auto opened = dh::Replica::open(*app.fs, app.store_dir, device, app.host->now_ms());
  if (!opened.ok()) {
    app.open_error = "无法打开本机数据。The data on this device could not be opened: " + opened.error().message;
    return;
  }
  app.replica = std::move(opened.value());
  // Who uses this device: set in Settings, kept beside the log (author.txt),
  // recorded in every operation ("whoever records, certifies").
  auto saved_author = app.fs->read(author_path(app));
  app.replica->set_author(saved_author.ok() && !saved_author.value().empty() ? saved_author.value() : "staff:local");
  for (const dh::StorageProblem& p : app.replica->open_report().problems) {
    std::string line = p.file + ": " + p.message;
    app.problems.push_back(line);
  }
  // Open may have rewritten or set aside files: make that durable too.
  if (app.host->writer_lock() == LockState::granted) app.host->request_flush(app.replica->write_generation());
}

std::string device_file_path(const App& app) {
  const size_t slash = app.store_dir.rfind('/');
  return (slash == std::string::npos ? std::string(".") : app.store_dir.substr(0, slash)) + "/" +
         dh::app::SyncDriver::kDeviceFile;
}

// The writing tab syncs; a desktop window without --server makes the demo
// data itself instead (the same deterministic set the server loads).
void start_sync(App& app) {
#ifndef __EMSCRIPTEN__
  if (app.host->server_url().empty()) {
    if (app.replica->operation_count() == 0) {
      auto ops = dh::generate_demo();
      auto r = app.replica->ingest(ops, app.host->now_ms());
      if (!r.ok()) app.demo_message = "示例数据载入失败。The demo data could not be loaded: " + r.error().message;
      else app.demo_ingested = r.value();
      app.host->request_flush(app.replica->write_generation());
    }
    app.demo_pull_done = true;
    return;
  }
#endif
  auto d = dh::app::SyncDriver::open(*app.host, *app.fs, *app.replica, device_file_path(app));
  if (!d) {
    app.problems.push_back("同步无法启动。Sync could not start: " + d.error().message);
    app.demo_pull_done = true;
    return;
  }
  app.sync = std::move(d.value());
  if (!app.sync->problem().empty()) app.problems.push_back(app.sync->problem());
}

// After own operations were committed: snapshot when due, make them durable,
// and let sync know (they become pushable when that flush completes).
void after_commits(App& app) {
  if (app.replica->should_snapshot()) app.replica->write_snapshot();
  app.host->request_flush(app.replica->write_generation());
  if (app.sync) app.sync->on_committed();
}

void commit_commands(App& app, const std::vector<dh::Command>& commands) {
  if (commands.empty()) return;
  bool wrote = false;
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!app.replica) {
      app.workbench.report_commit_result(i, "数据尚未打开。The data is not open.");
      continue;
    }
    if (app.host->writer_lock() != LockState::granted) {
      app.workbench.report_commit_result(i, read_only_reason_words(app.host->writer_lock_reason()));
      continue;
    }
    // Stamps follow the server's clock once it is known (hybrid logical
    // clock; a device whose clock is off still orders its changes right).
    const int64_t now = app.sync ? app.sync->corrected_now(app.host->now_ms()) : app.host->now_ms();
    auto r = app.replica->commit(commands[i], now);
    app.workbench.report_commit_result(i, r.ok() ? nullptr : &r.error());  // the UI translates known codes
    wrote = wrote || r.ok();
  }
  if (wrote) after_commits(app);
}

dh::ui::AppStatus make_status(const App& app) {
  dh::ui::AppStatus s;
  const auto& f = app.host->flushes();
  if (app.replica) {
    s.device_id = app.replica->device_id();
    s.author = app.replica->author();
    s.operation_count = app.replica->operation_count();
    s.saved_on_device = f.flushed_generation() >= app.replica->write_generation() && f.error().empty();
  } else {
    s.saved_on_device = false;
  }
  s.flush_in_progress = f.in_flight();
  s.storage_error = f.error();
  if (s.storage_error.empty() && !app.host->storage_load_error().empty()) s.storage_error = app.host->storage_load_error();
  if (!app.open_error.empty()) s.storage_error = app.open_error;
  s.read_only = app.host->writer_lock() != LockState::granted;
  if (app.host->writer_lock() == LockState::denied) s.read_only_reason = read_only_reason_words(app.host->writer_lock_reason());
  else if (app.host->writer_lock() == LockState::pending) s.read_only_reason = "正在确认写入权限… Checking whether this tab may write…";
  s.storage_problems = app.problems;
  if (!app.demo_message.empty()) s.storage_problems.push_back(app.demo_message);
  s.persistent_storage = app.host->persistent_storage();
  s.online = app.host->online();
  s.update_available = app.host->update_available();
  s.full_font_loaded = app.full_font_loaded;
  s.now_local_minutes = dh::local_minutes_from_utc_ms(app.host->now_ms());
  if (app.sync) {
    s.sync = app.sync->status();
  }
  s.sync.server = app.host->server_url();  // web: the page's origin (also for the check-in QR code)
  return s;
}

// What is shown changes -> redraw. The sync round's progress and the time of
// the last sync are shown only in the sync area, so only there do they count
// (elsewhere an idle page draws nothing, even while it polls the server).
std::string status_signature(const dh::ui::AppStatus& s, const App& app) {
  const dh::ui::SyncStatus& y = s.sync;
  std::string sig = std::to_string(s.operation_count) + "|" + (s.saved_on_device ? "1" : "0") +
                    (s.flush_in_progress ? "1" : "0") + (s.read_only ? "1" : "0") + (s.online ? "1" : "0") +
                    (s.update_available ? "1" : "0") + (s.full_font_loaded ? "1" : "0") +
                    (s.persistent_storage ? "1" : "0") + "|" + s.storage_error + "|" +
                    std::to_string(s.storage_problems.size()) + "|" + app.demo_message + "|" +
                    std::to_string(y.waiting_ops) + "|" + std::to_string(y.rejected.size()) + "|" + y.last_error +
                    "|" + y.clock_warning + "|" + (y.needs_enrolment ? "1" : "0") + (y.enrolling ? "1" : "0") +
                    (y.open_access ? "1" : "0") + (y.last_success_minutes > 0 ? "1" : "0") + "|" + y.enrol_error +
                    "|" + y.role;
  if (app.workbench.area() == "sync")
    sig += "|" + std::to_string(y.last_success_minutes) + (y.in_progress ? "1" : "0");
  return sig;
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
    open_store(app);
    app.phase = Phase::ready;
    arrived = true;
    if (app.replica && app.host->writer_lock() == LockState::granted) start_sync(app);
    else app.demo_pull_done = true;  // this tab may not write: it shows what is stored
  }
  if (app.sync) app.sync->tick(now);

  // Persistent storage: ask once, after the first completed save.
  if (!app.persist_asked && app.host->flushes().flushed_generation() > 0) {
    app.persist_asked = true;
    app.host->request_persistent_storage();
  }
  // Update accepted: flush, then let the new worker take over.
  if (app.apply_update_pending) {
    const auto& f = app.host->flushes();
    bool flushed = !app.replica || app.host->writer_lock() != LockState::granted ||
                   (!f.in_flight() && (f.flushed_generation() >= app.replica->write_generation() || !f.error().empty()));
    if (flushed) {
      app.apply_update_pending = false;
      app.host->apply_update();
    }
  }

  dh::ui::AppStatus status = make_status(app);
  std::string sig = status_signature(status, app);
  bool status_changed = sig != app.last_status_signature;
  app.last_status_signature = sig;

  if (input) {
    app.pending_frames = 3;
    app.render_until_ms = now + kRenderAfterInputMs;
  }
  if (arrived || status_changed) app.pending_frames = std::max(app.pending_frames, 2);
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
  dh::ui::UiOutput out;
  app.workbench.draw(current_state(app), status, out);
  ImGui::Render();

  ImGuiIO& io = ImGui::GetIO();
  int fb_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
  int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  glViewport(0, 0, fb_w, fb_h);
  glClearColor(0.96f, 0.94f, 0.90f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  SDL_GL_SwapWindow(app.window);
  dh::platform::widget_locator_end_frame();
  ++app.frames_rendered;
  app.host->publish_frame_count(app.frames_rendered);

  commit_commands(app, out.commands);
  if (out.author_changed && app.replica && !out.author.empty()) {
    app.replica->set_author(out.author);
    if (app.host->writer_lock() == LockState::granted) {
      auto st = app.fs->write_atomic(author_path(app), out.author);
      if (st.ok()) app.host->request_flush(app.replica->write_generation());
    }
  }
  // Exports and printing the UI asked for (platform/files.h): a download or a
  // print window in the browser; natively files in <data>/exports.
  for (const auto& file : out.files) {
    dh::platform::set_files_folder(app.store_dir.substr(0, app.store_dir.rfind('/') + 1) + "exports");
    auto r = file.action == dh::ui::FileRequest::Action::print ? dh::platform::print_html(file.bytes, file.name)
                                                                : dh::platform::save_file(file.name, file.mime, file.bytes);
    if (!r.ok) app.problems.push_back(file.name + ": " + r.error);
  }
  if (out.apply_update) {
    app.apply_update_pending = true;
    app.host->flush_now();
  }
  if (out.language_changed) app.pending_frames = std::max(app.pending_frames, 2);
  if (app.sync && out.sync_now) app.sync->request_round();
  if (app.sync && !out.enrol_code.empty()) app.sync->enrol(out.enrol_code, out.enrol_name);
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

// ---- Read-only observation for browser tests (window.dianhong) ---------------

// The sync part of the status for tests and benchmarks.
static Json sync_json(App& app, const dh::ui::SyncStatus& y) {
  const auto& cs = app.sync->client().state();
  Json rejected = Json::array();
  for (const auto& r : y.rejected) rejected.push_back({{"id", r.id}, {"type", r.type}, {"reason", r.reason}});
  return {{"in_progress", y.in_progress},
          {"waiting", y.waiting_ops},
          {"rejected", rejected},
          {"last_success_ms", app.sync->client().last_success_ms()},
          {"last_error", y.last_error},
          {"clock_warning", y.clock_warning},
          {"needs_enrolment", y.needs_enrolment},
          {"role", y.role},
          {"open_access", y.open_access},
          {"cursor", cs.cursor},
          {"acked_seq", cs.acked_seq},
          {"ingested", y.ingested},
          {"enrol_error", y.enrol_error}};
}

extern "C" {

#ifdef __EMSCRIPTEN__
#define DH_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define DH_EXPORT
#endif

DH_EXPORT const char* dh_widgets_json() {
  static std::string s;
  s = dh::platform::widget_locator_json();
  return s.c_str();
}

DH_EXPORT const char* dh_status_json() {
  static std::string s;
  if (!g_app) return "{}";
  App& app = *g_app;
  dh::ui::AppStatus st = make_status(app);
  const auto& f = app.host->flushes();
  Json j = {
      {"ready", app.phase == Phase::ready && app.ui_font != nullptr},
      {"saved", st.saved_on_device},
      {"flush_in_progress", st.flush_in_progress},
      {"flushes_started", f.flushes_started()},
      {"flushes_completed", f.flushes_completed()},
      {"flushed_generation", f.flushed_generation()},
      {"write_generation", app.replica ? app.replica->write_generation() : 0},
      {"op_count", st.operation_count},
      {"state_hash", app.replica ? app.replica->state().hash_hex() : std::string()},
      {"storage_error", st.storage_error},
      {"problems", st.storage_problems},
      {"read_only", st.read_only},
      {"read_only_reason", st.read_only_reason},
      {"online", st.online},
      {"update_available", st.update_available},
      {"full_font_loaded", st.full_font_loaded},
      {"persistent_storage", st.persistent_storage},
      {"device_id", st.device_id},
      {"frames", app.frames_rendered},
      // The first sync round ended (or the desktop made its demo data).
      {"demo_done", app.sync ? app.sync->first_round_done() : app.demo_pull_done},
      {"demo_ingested", app.sync ? app.sync->ingested_total() : app.demo_ingested},
      {"want_text_input", ImGui::GetCurrentContext() ? ImGui::GetIO().WantTextInput : false},
  };
  if (app.sync) j["sync"] = sync_json(app, st.sync);
#ifdef __EMSCRIPTEN__
  j["wasm_memory_bytes"] = static_cast<uint64_t>(__builtin_wasm_memory_size(0)) * 65536u;
#endif
  s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.c_str();
}

// Sync status and counts only, without hashing the State: cheap enough to
// poll every few milliseconds (bench/sync_online).
DH_EXPORT const char* dh_sync_status_json() {
  static std::string s;
  if (!g_app || !g_app->sync) return "{}";
  App& app = *g_app;
  Json j = sync_json(app, app.sync->status());
  j["op_count"] = app.replica ? app.replica->operation_count() : 0;
  j["online"] = app.host->online();
  j["saved"] = app.replica && app.host->flushes().flushed_generation() >= app.replica->write_generation();
  s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.c_str();
}

// Live entities of a kind whose text fields contain `needle` (all when empty),
// at most `limit`: [{"id":..., "fields":{...}}].
DH_EXPORT const char* dh_entities_json(const char* kind, const char* needle, int limit) {
  static std::string s;
  Json out = Json::array();
  if (g_app && g_app->replica) {
    std::string n = needle ? needle : "";
    for (const dh::Entity* e : g_app->replica->state().list(kind ? kind : "")) {
      Json fields = Json::object();
      bool match = n.empty();
      for (const auto& [name, fv] : e->fields) {
        fields[name] = fv.value;
        if (!match && fv.value.is_string() && fv.value.get<std::string>().find(n) != std::string::npos) match = true;
      }
      if (!match) continue;
      out.push_back({{"id", e->id}, {"fields", fields}});
      if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
    }
  }
  s = out.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.c_str();
}

// Benchmark hook (bench/sync_online): commits n edits (household member
// counts) through the same path as the UI, so a benchmark can put a device
// offline with n operations of its own without n clicks. Not part of
// window.dianhong (which only observes); glue.js exposes it as
// window.dianhongBench. Returns how many were committed.
DH_EXPORT int dh_bench_commit_edits(int n) {
  if (!g_app || !g_app->replica || n <= 0) return 0;
  App& app = *g_app;
  std::vector<dh::Command> commands;
  for (const dh::Entity* e : app.replica->state().list("household")) {
    if (static_cast<int>(commands.size()) >= n) break;
    auto it = e->fields.find("members");
    int64_t members = it != e->fields.end() && it->second.value.is_number_integer() ? it->second.value.get<int64_t>() : 1;
    commands.push_back(dh::EditEntity{"household", e->id, Json{{"members", members % 8 + 1}}});
  }
  if (app.host->writer_lock() != LockState::granted) return 0;
  int done = 0;
  for (const dh::Command& c : commands) {
    const int64_t now = app.sync ? app.sync->corrected_now(app.host->now_ms()) : app.host->now_ms();
    if (app.replica->commit(c, now).ok()) ++done;
  }
  if (done > 0) after_commits(app);
  return done;
}

// The characters of utf8 that the UI font (with its fallback, once merged)
// cannot draw: the test of "rare name characters render, not as '?'".
DH_EXPORT const char* dh_missing_glyphs(const char* utf8) {
  static std::string s;
  s.clear();
  if (!g_app || !g_app->ui_font || !utf8) return "";
  const char* p = utf8;
  const char* end = utf8 + std::strlen(utf8);
  while (p < end) {
    unsigned int c = 0;
    int n = ImTextCharFromUtf8(&c, p, end);
    if (n <= 0) break;
    if (c > 0x20 && !g_app->ui_font->IsGlyphInFont(static_cast<ImWchar>(c))) s.append(p, static_cast<size_t>(n));
    p += n;
  }
  return s.c_str();
}

}  // extern "C"

// ---- main --------------------------------------------------------------------

int main(int argc, char** argv) {
  dh::platform::HostOptions options;
#ifdef __EMSCRIPTEN__
  options.store_root = "/data";
  std::string store_dir = "/data/log";
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
  std::string store_dir = options.store_root + "/log";
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

  static App app;
  g_app = &app;
  app.window = window;
  app.gl = gl;
  app.store_dir = store_dir;
  app.base_style = ImGui::GetStyle();
  app.host = std::make_unique<Host>(options);
#ifdef __EMSCRIPTEN__
  ImGuiPlatformIO& pio = ImGui::GetPlatformIO();
  pio.Platform_SetImeDataFn = set_ime_data;
  pio.Platform_SetClipboardTextFn = set_clipboard;
  pio.Platform_GetClipboardTextFn = get_clipboard;
#endif
  app.host->request_font(FontKind::ui);
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
  if (app.replica) app.host->flush_now();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplSDL2_Shutdown();
  ImGui::DestroyContext();
  SDL_GL_DeleteContext(gl);
  SDL_DestroyWindow(window);
  SDL_Quit();
#endif
  return 0;
}
