// The contract between the UI (src/ui, the Workbench) and the app that runs
// it (the Session, src/session/session.h, and the platform loop): what the
// app tells the UI each frame, what the UI asks of the app, and how answers
// come back. Header only: the session includes it without linking ImGui.
//
// Contract
// - Each frame the app passes an AppStatus to Workbench::draw(); the UI fills
//   a UiOutput: Commands to commit (in order) and typed Requests (in order).
//   The UI never mutates the State and never does I/O itself.
// - Every request carries a RequestId the UI chose (unique per Workbench);
//   the app answers with a Reply of the same id, delivered before the next
//   draw() (Workbench::deliver), and the Workbench routes it to the screen
//   that asked. Commit results come back by index (report_commit_result) and
//   are routed the same way.
// - Errors cross this line as codes with parameters (Problem, or core's
//   Error whose code the UI knows); the UI says them in its language through
//   the string tables (ui/strings.h). `detail` is the untranslated remainder
//   (an OS or server message) shown after the translated sentence.
// - Long work (RunJob) is a core::LongJob the UI made from a copy of what it
//   needs; the app steps it between frames with a time budget per frame
//   (session/job_runner.h) and never on the frame. The UI reads its progress
//   and, once done, its result, and applies the result only if the State is
//   still the one the job started from (State::applied_ops), else it plans
//   again.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/commands.h"
#include "core/long_job.h"

namespace dh::ui {

enum class Language;  // ui/strings.h

// An error or state a person reads, as a code with parameters: "sync.refused"
// {"503"}. Empty code: none.
struct Problem {
  std::string code;
  std::vector<std::string> params;
  std::string detail;  // untranslated words from outside (OS, server), may be empty
  bool empty() const { return code.empty(); }
  static Problem of(std::string c, std::vector<std::string> p = {}, std::string d = {}) {
    return Problem{std::move(c), std::move(p), std::move(d)};
  }
};
inline bool operator==(const Problem& a, const Problem& b) {
  return a.code == b.code && a.params == b.params && a.detail == b.detail;
}
inline bool operator!=(const Problem& a, const Problem& b) { return !(a == b); }

// What the platform and the store tell the UI each frame.
// Sync with the community's server, as the app's sync driver reports it
// (src/session/sync_driver.h). Times are local minutes (civil_time.h), 0 = never.
struct SyncStatus {
  bool active = false;            // this tab syncs (it holds the writer lock)
  bool in_progress = false;       // a round is running
  int64_t last_success_minutes = 0;
  size_t waiting_ops = 0;         // own changes not yet answered by the server
  struct Rejected {
    std::string id, type, code, reason;  // reason: the server's words (English)
    int64_t at_minutes = 0;
    std::string entity;     // the record it changed; the change is undone on this device
    std::string redone_as;  // the new operation that made it again, "" until redone
  };
  std::vector<Rejected> rejected;  // refused by the server, never retried
  // Own changes another device's concurrent change hid (sync/client.h
  // OverriddenOp): the record shows the other device's change now.
  struct Overridden {
    std::string id, type, entity;
    std::string how;                  // "archived", "restored" or "overwritten"
    std::vector<std::string> fields;  // for "overwritten"
    std::string by;                   // the other device
    int64_t at_minutes = 0;
    std::string redone_as;            // "" until made again
  };
  std::vector<Overridden> overridden;
  std::string redo_error_code, redo_error;  // why the last "make it again" failed (core code + words)
  Problem last_error;             // why the last round failed (code + parameters); empty after a success
  std::string clock_warning;      // the server says this device's clock is off (its English words)
  int64_t clock_ahead_ms = 0;     // then: how far this device's clock is ahead of the server's (what the UI says)
  bool needs_enrolment = false;   // the server refused this device (not enrolled / revoked)
  bool enrolling = false;
  Problem enrol_error;            // why the last enrolment failed
  std::string role;               // role given at enrolment; "" when not enrolled
  bool open_access = false;       // the server asks for no enrolment (--auth open, loopback demo)
  std::string server;             // where it syncs ("this page's server")
  uint64_t ingested = 0;          // operations received from the server since start
  // Device management (administrators: MakeEnrolCode, ListDevices,
  // RevokeDevice; docs/sync-protocol.md "Devices and enrolment"). The
  // driver's answers, kept until the next one.
  struct DeviceRow {
    std::string id, name, role;
    int64_t enrolled_minutes = 0;      // local minutes (civil_time.h)
    int64_t last_contact_minutes = 0;  // 0: not since the server started
    bool behind_known = false;         // the server knows how far it has pulled
    uint64_t behind = 0;               // changes on the server not yet on that device
    bool revoked = false;
  };
  struct DeviceAdmin {
    bool busy = false;                 // a request is on its way
    std::string code, code_role;       // the last code made ("" none)
    int64_t code_expires_minutes = 0;
    bool listed = false;               // the list below came from the server
    std::vector<DeviceRow> devices;
    std::string revoked;               // the device the last revoke removed
    Problem error;                     // why the last request failed
    uint64_t answers = 0;              // counts answers (what to redraw)
  } admin;
  bool contact_lost = false;      // the last request to the server got no answer (or a 5xx)
  bool push_live = false;         // the push channel answers: changes arrive by themselves
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
  Problem read_only_reason;        // "storage.read_only" {detail} or "storage.lock_pending"
  std::vector<std::string> storage_problems;  // from OpenReport, plain words
  bool persistent_storage = false;  // navigator.storage.persist() granted
  bool online = false;
  bool update_available = false;   // a new version is waiting (service worker)
  bool full_font_loaded = false;   // rare-character fallback font present
  // Local wall-clock time, minutes since 1970-01-01T00:00 local (civil_time.h;
  // local_minutes_from_utc_ms(now_ms)). Set by the app every frame; 0 = unknown
  // (the volunteering screens then hide "upcoming" lists and check-in).
  int64_t now_local_minutes = 0;
  bool staff_pin_set = false;      // the device's settings hold a staff PIN (its hash)
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

using RequestId = uint64_t;

// ---- Requests: what the UI asks of the app -----------------------------------
struct SyncNow {};                         // a sync round now
struct Enrol {                             // enrol this device with a one-time code
  std::string code, device_name;
};
struct SaveFile {                          // an export (download) or a page to print
  FileRequest file;
};
struct SettingsChanged {                   // per device, kept across reloads (not in the log)
  Language language;
  bool large_text = false;
  bool kiosk_lock = false;                 // show the kiosk alone (ui/device_lock.h)
};
// The staff PIN that leaves the locked kiosk (docs/web-app.md "Kiosk mode"):
// 4 to 8 digits, kept only as a salted hash in the device's settings. With
// lock, the kiosk lock is set in the same write. Reply error
// "kiosk.pin_format" when the PIN is not 4 to 8 digits.
struct SetStaffPin {
  std::string pin;
  bool lock = false;
};
// Leave the locked kiosk with the staff PIN. Reply: empty error = the PIN is
// right (the kiosk lock setting is cleared); "kiosk.pin_wrong" {tries before
// a wait}, "kiosk.pin_wait" {seconds} after several wrong tries,
// "kiosk.pin_not_set".
struct LeaveKiosk {
  std::string pin;
};
struct SetAuthor {                         // who uses this device (trimmed, non-empty)
  std::string author;
};
struct ApplyUpdate {};                     // the person accepted the new version
struct RunJob {                            // long work off the frame
  std::shared_ptr<LongJob> job;
};
struct RedoRejected {                      // make a change the server refused again (SyncClient::redo)
  std::string op_id;
};
struct RedoOverridden {                    // make an own change another device hid show again
  std::string op_id;
};
struct CancelJob {                         // stop the job of request `job`
  RequestId job = 0;
};
// Device management (an administrator's device): answers show in SyncStatus::admin.
struct MakeEnrolCode {                     // a one-time enrolment code for role
  std::string role;
};
struct ListDevices {};                     // the server's device list
struct RevokeDevice {                      // remove a device's access at once
  std::string device;
};

struct Request {
  RequestId id = 0;
  std::variant<SyncNow, Enrol, SaveFile, SettingsChanged, SetAuthor, ApplyUpdate, RunJob, CancelJob,
               RedoRejected, RedoOverridden, SetStaffPin, LeaveKiosk,
                 MakeEnrolCode, ListDevices, RevokeDevice> what;
};

// ---- Replies: the app's answer to one request --------------------------------
struct Reply {
  RequestId id = 0;
  Problem error;  // empty: done
};

struct UiOutput {
  std::vector<Command> commands;  // to commit, in order; results by index (report_commit_result)
  std::vector<Request> requests;  // in order; answers by id (Workbench::deliver)

  // The first request of type T, or nullptr.
  template <class T>
  const T* find() const {
    for (const auto& r : requests)
      if (const T* t = std::get_if<T>(&r.what)) return t;
    return nullptr;
  }
  // Every request of type T, in order.
  template <class T>
  std::vector<const T*> all() const {
    std::vector<const T*> out;
    for (const auto& r : requests)
      if (const T* t = std::get_if<T>(&r.what)) out.push_back(t);
    return out;
  }
};

}  // namespace dh::ui
