// Session: what sits between the platform loop (src/app/main.cpp) and the UI
// (src/ui): this device's Replica, the sync driver, the one commit path, the
// long-work runner, the device's own settings, and the status the UI shows.
// It knows the platform only through the narrow ports of session/ports.h, so
// it runs natively in tests (tests/session) exactly as in the browser.
//
// Contract
// - open() once the store folder is loaded and the writer lock decided;
//   set_write_access() whenever the lock changes. open() never throws away
//   data: problems it met are listed in status (storage_problems).
// - commit(): the UI's commands of one frame, in order, through
//   commit_in_order() (session/commit.h); results are reported by index
//   before the next frame; then the after-commit steps run once: snapshot
//   when due, request a flush of the new write generation, tell sync (own
//   operations become pushable when that flush completes).
// - handle(): the UI's typed requests (ui/contract.h). The session answers
//   those it owns (sync now, enrol, settings, author, run/cancel a job) and
//   returns the ones that belong to the platform (SaveFile, ApplyUpdate);
//   every answer is a Reply routed by id to the screen that asked.
// - Device settings (language, large text, kiosk lock, the staff PIN's salted
//   hash and its wrong tries: session/staff_pin.h) live in <root>/settings.json
//   beside the log, per device (IDBFS on the web), never in the shared
//   operation log; they are written only by the tab that holds the writer
//   lock (the only one that flushes the folder).
// - run_jobs(): long work between frames, at most a frame budget per call
//   (session/job_runner.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/result.h"
#include "core/state.h"
#include "session/commit.h"
#include "session/job_runner.h"
#include "session/ports.h"
#include "session/sync_driver.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "ui/contract.h"
#include "ui/strings.h"  // Language

namespace dh::session {

// settings.json: this device's own choices (docs/web-app.md "Settings kept
// per device").
struct DeviceSettings {
  ui::Language language = ui::Language::zh_CN;
  bool large_text = false;
  bool kiosk_lock = false;  // show the kiosk alone (ui/device_lock.h)
  // The staff PIN (session/staff_pin.h): salt and hash, hex; empty = none set.
  std::string staff_pin_salt, staff_pin_hash;
  int pin_failures = 0;         // wrong tries in a row
  int64_t pin_retry_at_ms = 0;  // no try before this (device clock)
};

class Session {
 public:
  // root: the store root ("/data" on the web); the log is root + "/log",
  // author.txt, device.json (enrolment) and settings.json sit beside it.
  // http may be null (no server: the desktop without --server).
  Session(FileSystem& fs, std::string root, Flusher& flusher, Http* http);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Opens the replica (new_device_id is used by a fresh log). False when the
  // folder cannot be used at all (status().storage_error says why).
  bool open(const std::string& new_device_id, int64_t now_ms, const ReplicaOptions& options = {});
  // The writer lock: granted, or why not (a Problem code the UI translates).
  void set_write_access(bool writable, ui::Problem why_not = {});
  bool writable() const { return writable_; }
  // Starts the sync driver (needs http and an open, writable store).
  bool start_sync();
  // The desktop without a server: loads ops (the demo) into an empty log.
  void load_if_empty(const std::vector<Operation>& ops, int64_t now_ms);

  void tick(int64_t now_ms);

  // The one commit path (session/commit.h) for the UI, the test hook and the
  // benchmarks. Returns how many were committed.
  size_t commit(const std::vector<Command>& commands, int64_t now_ms, const CommitReport& report);

  // Requests of one frame: handled here, or appended to `platform` for the
  // app (SaveFile, ApplyUpdate). Replies go to `reply`.
  void handle(const std::vector<ui::Request>& requests, const std::function<void(const ui::Reply&)>& reply,
              std::vector<ui::Request>* platform);

  // Long work between frames.
  JobRunner& jobs() { return jobs_; }
  void run_jobs(const std::function<double()>& monotonic_ms, double budget_ms = JobRunner::kFrameBudgetMs) {
    jobs_.run(monotonic_ms, budget_ms);
  }

  // Device settings (settings.json); nullopt when never saved.
  std::optional<DeviceSettings> device_settings() const;
  Status save_device_settings(const DeviceSettings& s);
  // The staff PIN (ui::SetStaffPin, ui::LeaveKiosk; session/staff_pin.h):
  // an empty Problem when done / right.
  ui::Problem set_staff_pin(const std::string& pin, bool lock);
  ui::Problem leave_kiosk(const std::string& pin, int64_t now_ms);

  // The session's part of the status line (device, author, counts, saving,
  // read-only, problems, sync); the app adds the platform's part.
  void fill_status(ui::AppStatus& s) const;
  // The first sync round ended, or there is no sync: start-up is over.
  bool first_round_done() const;
  uint64_t ingested_total() const;

  const State& state() const { return replica_ ? replica_->state() : empty_; }
  Replica* replica() { return replica_.get(); }
  const Replica* replica() const { return replica_.get(); }
  SyncDriver* sync() { return sync_.get(); }
  const SyncDriver* sync() const { return sync_.get(); }
  const std::string& root() const { return root_; }
  std::string log_dir() const { return root_ + "/log"; }
  void add_problem(std::string p) { problems_.push_back(std::move(p)); }

 private:
  class ReplicaTarget;
  void after_commits();
  int64_t stamp(int64_t now_ms) const { return sync_ ? sync_->corrected_now(now_ms) : now_ms; }

  FileSystem& fs_;
  std::string root_;
  Flusher& flusher_;
  Http* http_;
  std::unique_ptr<Replica> replica_;
  std::unique_ptr<SyncDriver> sync_;
  JobRunner jobs_;
  State empty_;
  bool writable_ = false;
  int64_t last_now_ms_ = 0;  // the device clock at the last tick (redo stamps from it)
  // Wrong PIN tries as this tab counted them (a read-only tab cannot write
  // settings.json, and still slows down).
  int pin_failures_ = 0;
  int64_t pin_retry_at_ms_ = 0;
  bool staff_pin_set_ = false;  // settings.json holds a PIN hash (read at open, kept on writes)
  DeviceSettings current_settings() const { return device_settings().value_or(DeviceSettings{}); }
  ui::Problem write_settings(const DeviceSettings& s);
  ui::Problem why_not_;
  std::string open_error_;
  std::vector<std::string> problems_;
  bool loaded_locally_ = false;  // no sync: the local data is all there is
  size_t demo_ingested_ = 0;
};

}  // namespace dh::session
