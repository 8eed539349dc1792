// The test hook's C API: read-only observation of the page for browser tests
// (web/glue.js exposes it as window.dianhong) and the benchmark's commit hook
// (window.dianhongBench). Natively the same functions exist (unused).
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "imgui_internal.h"
#include "platform/widget_locator.h"
#include "ui/strings.h"

using Json = nlohmann::json;
using dh::app::g_app;

namespace {

// English words for a Problem (tests read the status in English).
std::string english(const dh::ui::Problem& p) {
  if (p.empty()) return "";
  const char* t = dh::ui::find_text(dh::ui::Language::en, "problem." + p.code);
  std::string s = t ? t : p.code;
  if (!p.detail.empty()) s += " (" + p.detail + ")";
  return s;
}

// The sync part of the status for tests and benchmarks.
Json sync_json(dh::session::SyncDriver& d, const dh::ui::SyncStatus& y) {
  const auto& cs = d.client().state();
  Json rejected = Json::array();
  for (const auto& r : y.rejected) rejected.push_back({{"id", r.id}, {"type", r.type}, {"reason", r.reason}});
  Json overridden = Json::array();
  for (const auto& o : y.overridden)
    overridden.push_back({{"id", o.id}, {"type", o.type}, {"entity", o.entity}, {"how", o.how}, {"by", o.by},
                          {"redone_as", o.redone_as}});
  return {{"in_progress", y.in_progress},
          {"overridden", overridden},
          {"waiting", y.waiting_ops},
          {"rejected", rejected},
          {"last_success_ms", d.client().last_success_ms()},
          {"last_error", y.last_error.code},
          {"clock_warning", y.clock_warning},
          {"needs_enrolment", y.needs_enrolment},
          {"role", y.role},
          {"open_access", y.open_access},
          {"cursor", cs.cursor},
          {"acked_seq", cs.acked_seq},
          {"ingested", y.ingested},
          {"push_live", y.push_live},
          {"contact_lost", y.contact_lost},
          {"enrol_error", y.enrol_error.code}};
}

// Text capture (app.h): requested by a test, done on the next frame.
bool g_capture_requested = false;
bool g_capturing = false;
std::string g_captured_text;
uint64_t g_captured_frame = 0;

dh::Replica* replica() { return g_app && g_app->session ? g_app->session->replica() : nullptr; }
dh::session::SyncDriver* sync_driver() { return g_app && g_app->session ? g_app->session->sync() : nullptr; }

}  // namespace

namespace dh::app {

void text_capture_begin() {
  if (!g_capture_requested || g_capturing) return;
  g_capture_requested = false;
  ImGui::LogToBuffer();  // ImGui's own log: every RenderText of the frame, list clipping off
  g_capturing = true;
}

void text_capture_end() {
  if (!g_capturing) return;
  g_captured_text = GImGui->LogBuffer.c_str();
  ImGui::LogFinish();
  g_capturing = false;
  g_captured_frame = g_app ? g_app->frames_rendered + 1 : 0;
}

}  // namespace dh::app

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
  dh::app::App& app = *g_app;
  dh::ui::AppStatus st = dh::app::make_status(app);
  const auto& f = app.host->flushes();
  dh::Replica* r = replica();
  Json j = {
      {"ready", app.phase == dh::app::Phase::ready && app.ui_font != nullptr},
      {"saved", st.saved_on_device},
      {"flush_in_progress", st.flush_in_progress},
      {"flushes_started", f.flushes_started()},
      {"flushes_completed", f.flushes_completed()},
      {"flushed_generation", f.flushed_generation()},
      {"write_generation", r ? r->write_generation() : 0},
      {"op_count", st.operation_count},
      {"state_hash", r ? r->state().hash_hex() : std::string()},
      {"storage_error", st.storage_error},
      {"problems", st.storage_problems},
      {"read_only", st.read_only},
      {"read_only_reason", english(st.read_only_reason)},
      {"online", st.online},
      {"update_available", st.update_available},
      {"full_font_loaded", st.full_font_loaded},
      // Merged, or never will be (failed to load): the layout no longer changes by it.
      {"full_font_settled", st.full_font_loaded || app.host->font_failed(dh::platform::FontKind::full)},
      {"persistent_storage", st.persistent_storage},
      {"device_id", st.device_id},
      {"frames", app.frames_rendered},
      // Long work running between frames (session/job_runner.h).
      {"jobs", app.session ? app.session->jobs().count() : 0},
      {"longest_job_slice_ms", app.longest_job_slice_ms},
      {"longest_frame_ms", app.longest_frame_ms},
      {"language", app.workbench.language() == dh::ui::Language::en ? "en" : "zh-CN"},
      {"large_text", app.workbench.large_text()},
      // Kiosk mode (ui/device_lock.h): the setting, the area the device is locked to ("" none), the area shown.
      {"kiosk_lock", app.workbench.kiosk_lock()},
      {"locked_area", app.workbench.locked_area()},
      {"area", app.workbench.area()},
      {"staff_pin_set", st.staff_pin_set},
      // The first sync round ended (or the desktop made its demo data).
      {"demo_done", app.session ? app.session->first_round_done() : false},
      {"demo_ingested", app.session ? app.session->ingested_total() : 0},
      {"want_text_input", ImGui::GetCurrentContext() ? ImGui::GetIO().WantTextInput : false},
  };
  if (auto* d = sync_driver()) j["sync"] = sync_json(*d, st.sync);
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
  dh::session::SyncDriver* d = sync_driver();
  if (!d) return "{}";
  Json j = sync_json(*d, d->status());
  dh::Replica* r = replica();
  j["op_count"] = r ? r->operation_count() : 0;
  j["online"] = g_app->host->online();
  j["saved"] = r && g_app->host->flushes().flushed_generation() >= r->write_generation();
  s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.c_str();
}

// Live entities of a kind whose text fields contain `needle` (all when empty),
// at most `limit`: [{"id":..., "fields":{...}}].
DH_EXPORT const char* dh_entities_json(const char* kind, const char* needle, int limit) {
  static std::string s;
  Json out = Json::array();
  if (dh::Replica* r = replica()) {
    std::string n = needle ? needle : "";
    for (const dh::Entity* e : r->state().list(kind ? kind : "")) {
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
// counts) through the Session's one commit path, the UI's, so a benchmark can
// put a device offline with n operations of its own without n clicks. Not
// part of window.dianhong (which only observes); glue.js exposes it as
// window.dianhongBench. Returns how many were committed.
DH_EXPORT int dh_bench_commit_edits(int n) {
  dh::Replica* r = replica();
  if (!r || n <= 0) return 0;
  std::vector<dh::Command> commands;
  for (const dh::Entity* e : r->state().list("household")) {
    if (static_cast<int>(commands.size()) >= n) break;
    auto it = e->fields.find("members");
    int64_t members = it != e->fields.end() && it->second.value.is_number_integer() ? it->second.value.get<int64_t>() : 1;
    commands.push_back(dh::EditEntity{"household", e->id, Json{{"members", members % 8 + 1}}});
  }
  return static_cast<int>(g_app->session->commit(commands, g_app->host->now_ms(), nullptr));
}

// Asks for the text of the next frame (dh_captured_text_json); draws one.
DH_EXPORT int dh_capture_text() {
  if (!g_app) return 0;
  g_capture_requested = true;
  g_app->pending_frames = std::max(g_app->pending_frames, 1);
  return 1;
}

// {"frame": the frame captured (0: none yet), "text": its text, one line per
// row of widgets}.
DH_EXPORT const char* dh_captured_text_json() {
  static std::string s;
  s = Json{{"frame", g_captured_frame}, {"text", g_captured_text}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.c_str();
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
