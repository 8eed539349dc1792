// The workbench UI: every screen of the app, drawn with Dear ImGui.
//
// Contract
// - draw() reads the State and the AppStatus and never mutates the State: what
//   a person asks for comes back in UiOutput::commands, which the app hands to
//   Replica::commit(). Errors from a commit come back next frame through
//   report_commit_result(), shown next to the form that caused them.
// - View state (current area, selection, filters, text being typed, language,
//   large-text mode) lives in the Workbench and survives any change of State:
//   incoming operations never wipe what a person is typing.
// - All visible text comes from the string tables in strings.h (zh-CN first,
//   English switchable). Every interactive widget has a stable label (the part
//   after "##" when the visible text is translated) so tests find it.
// - Must be called between ImGui::NewFrame() and ImGui::Render(). draw() fills
//   the main viewport's work area with one window and pushes its own font size
//   (font_size_px(), before DPI scale) and touch-friendly paddings; the app
//   sets the DPI factor (style.FontScaleDpi) and the fonts, nothing else.
// - Commit results: the app commits out.commands in order and reports each
//   result before the next draw() (report_commit_result with the index into
//   out.commands). The Error overload lets the UI translate error codes.
// - Widgets are found by tests through their labels: see ui/widgets.h for the
//   "visible##id" convention and the list of ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/result.h"
#include "core/state.h"
#include "ui/strings.h"  // Language

namespace dh::ui {

// What the platform and the store tell the UI each frame.
// Sync with the community's server, as the app's sync driver reports it
// (src/app/sync_driver.h). Times are local minutes (civil_time.h), 0 = never.
struct SyncStatus {
  bool active = false;            // this tab syncs (it holds the writer lock)
  bool in_progress = false;       // a round is running
  int64_t last_success_minutes = 0;
  size_t waiting_ops = 0;         // own changes not yet answered by the server
  struct Rejected {
    std::string id, type, code, reason;  // reason: the server's words (English)
    int64_t at_minutes = 0;
  };
  std::vector<Rejected> rejected;  // refused by the server, never retried
  std::string last_error;         // why the last round failed, plain words; "" after a success
  std::string clock_warning;      // the server says this device's clock is off
  bool needs_enrolment = false;   // the server refused this device (not enrolled / revoked)
  bool enrolling = false;
  std::string enrol_error;        // why the last enrolment failed (the server's English words)
  std::string enrol_error_code;   // its code (bad_code, device_exists, too_many_attempts, ...): the UI says it
  std::string role;               // role given at enrolment; "" when not enrolled
  bool open_access = false;       // the server asks for no enrolment (--auth open, loopback demo)
  std::string server;             // where it syncs ("this page's server")
  uint64_t ingested = 0;          // operations received from the server since start
};

struct AppStatus {
  std::string device_id;
  std::string author;
  size_t operation_count = 0;
  // Saving: true when the last flush covered every appended operation.
  bool saved_on_device = true;
  bool flush_in_progress = false;
  std::string storage_error;       // e.g. storage full; empty when fine
  bool read_only = false;          // another tab holds the writer lock
  std::string read_only_reason;
  std::vector<std::string> storage_problems;  // from OpenReport, plain words
  bool persistent_storage = false;  // navigator.storage.persist() granted
  bool online = false;
  bool update_available = false;   // a new version is waiting (service worker)
  bool full_font_loaded = false;   // rare-character fallback font present
  // Local wall-clock time, minutes since 1970-01-01T00:00 local (civil_time.h;
  // local_minutes_from_utc_ms(now_ms)). Set by the app every frame; 0 = unknown
  // (the volunteering screens then hide "upcoming" lists and check-in).
  int64_t now_local_minutes = 0;
  SyncStatus sync;
};

// A file the person asked for (an export, or a page to print). The UI only
// asks; the app hands it to the platform (platform/files.h: a download in the
// browser, the data folder's exports/ on the desktop).
struct FileRequest {
  enum class Action { save, print };
  Action action = Action::save;
  std::string name;   // file name offered, e.g. "名单-2026-12-01-课后托管.csv"
  std::string mime;   // e.g. "text/csv;charset=utf-8"
  std::string bytes;  // the file (core/exchange.h), or the page to print
};

struct UiOutput {
  std::vector<Command> commands;     // to commit, in order
  std::vector<FileRequest> files;    // to save or print, in order
  bool apply_update = false;         // person accepted the new version
  bool language_changed = false;     // language or text size changed: fonts may need work; persist
                                     // language() and large_text() if the app keeps settings
  bool author_changed = false;       // the person saved a new author name for this device
  std::string author;                // ... this one (trimmed, non-empty): Replica::set_author + persist
  bool sync_now = false;             // person asked for a sync round now
  std::string enrol_code;            // non-empty: enrol this device with the code ...
  std::string enrol_name;            // ... under this device name
};

struct ViewState;  // defined in workbench.cpp

class Workbench {
 public:
  Workbench();
  ~Workbench();
  Workbench(const Workbench&) = delete;
  Workbench& operator=(const Workbench&) = delete;
  void draw(const State& state, const AppStatus& status, UiOutput& out);
  // Result of committing the commands of the previous frame, in order.
  void report_commit_result(size_t index, const std::string& error_message_or_empty);
  // Preferred: nullptr on success, else the core's Error (its code is translated).
  void report_commit_result(size_t index, const Error* error_or_null);

  Language language() const;
  void set_language(Language lang);
  bool large_text() const;
  void set_large_text(bool on);
  // Base font size in pixels for the current mode (before DPI scaling):
  // 20 normally, 30 in large-text mode.
  float font_size_px() const;

  // The area shown, by stable name: home kiosk schedule talent requests
  // deliberation projector sync base settings (e.g. from the URL fragment).
  // False for an unknown name.
  bool set_area(const std::string& name);
  std::string area() const;

 private:
  ViewState* view_;
};

}  // namespace dh::ui
