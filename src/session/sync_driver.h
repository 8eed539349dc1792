// SyncDriver: runs the sync client (src/sync/client.h) inside the app's frame
// loop, over the Host's HTTP (emscripten fetch in the browser), and keeps the
// device's enrolment (token and role) beside the log.
//
// Contract
// - One per open Replica, only in the tab that holds the writer lock. The app
//   calls tick(now) every loop iteration (also when nothing is drawn); it
//   never blocks: every request is asynchronous and answered on a later tick.
// - Rounds start by themselves: when the browser comes online, when own
//   changes became durable (after a flush), every kPollMs while online (to
//   fetch others' changes), on request_round() ("sync now"), and after a
//   failed round with back-off (2 s, 4 s, ... 5 min, +-20% jitter). A round
//   is: push every durable unanswered own operation in batches, then pull
//   pages until the server has no more, then flush (the pull cursor moves only
//   when that flush completes: SyncClient's flush handshake, hung on the
//   Host's flush observer).
// - A 401/403 on push or pull means this device is not (or no longer)
//   enrolled: rounds stop until enrol() succeeds. enrol() posts the one-time
//   code to /api/v1/enrol and keeps {token, role} in device.json.
// - Commits take their stamps from corrected_now() (the server's clock, once
//   known), so a device whose clock is off still orders its changes right.
// - The app redraws when status() shows something new (it compares what it
//   draws); HTTP answers alone draw nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>

#include "core/result.h"
#include "platform/host.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "sync/client.h"
#include "ui/workbench.h"

namespace dh::app {

class SyncDriver {
 public:
  static constexpr int64_t kPollMs = 15000;
  static constexpr const char* kDeviceFile = "device.json";

  // device_file: where the enrolment is kept (e.g. "/data/device.json").
  static Result<std::unique_ptr<SyncDriver>> open(platform::Host& host, FileSystem& fs, Replica& replica,
                                                  std::string device_file);
  ~SyncDriver();

  void tick(int64_t now_ms);
  void request_round() { wanted_ = true; }
  void enrol(const std::string& code, const std::string& device_name);
  // After the app committed an own operation (it becomes pushable after the
  // flush that the commit requested).
  void on_committed() { waiting_dirty_ = true; }

  int64_t corrected_now(int64_t device_now_ms) const { return client_->corrected_now(device_now_ms); }
  ui::SyncStatus status() const;
  // The first round finished (well or not): the start-up screen may stop
  // saying "loading from the server".
  bool first_round_done() const { return first_round_done_; }
  uint64_t ingested_total() const { return ingested_total_; }
  const std::string& problem() const { return client_->problem(); }
  sync::SyncClient& client() { return *client_; }

 private:
  SyncDriver(platform::Host& host, FileSystem& fs, Replica& replica, std::string device_file)
      : host_(host), fs_(fs), replica_(replica), device_file_(std::move(device_file)) {}
  enum class Step { idle, health, pushing, pulling };
  void start_round(int64_t now_ms);
  void continue_push(int64_t now_ms);
  void start_pull();
  void round_failed(int64_t now_ms, int status, const std::string& body);
  void round_done(int64_t now_ms);
  void handle_enrol_answer(const platform::HttpResponse& r);
  void save_enrolment();
  void refresh_waiting();

  platform::Host& host_;
  FileSystem& fs_;
  Replica& replica_;
  std::string device_file_;
  std::unique_ptr<sync::SyncClient> client_;

  // Enrolment
  std::string token_, role_, device_name_;
  bool needs_enrolment_ = false;
  int enrol_request_ = 0;
  std::string enrol_error_;
  std::string auth_mode_;  // from /api/v1/health: "open" or "devices"

  // Round state
  Step step_ = Step::idle;
  int request_ = 0;
  std::optional<sync::SyncClient::PushBatch> batch_;
  sync::SyncClient::PullRequest pull_;
  bool wanted_ = true;        // a round as soon as possible (start-up)
  bool was_online_ = false;
  int failures_ = 0;
  int64_t next_round_ms_ = 0;
  bool round_ingested_ = false;
  bool first_round_done_ = false;
  uint64_t ingested_total_ = 0;
  size_t waiting_ = 0;
  bool waiting_dirty_ = true;
  std::string last_error_;
  uint64_t jitter_state_ = 0x9e3779b97f4a7c15ull;

  // Flush handshake: tickets of flushes not yet finished, by token (a flush
  // the watchdog gave up on may still finish later), with the (cursor,
  // acked_seq) that sync-state.json held when the flush began.
  struct Ticket {
    sync::SyncClient::FlushTicket flush;
    std::pair<uint64_t, uint64_t> state_file;
  };
  std::map<uint64_t, Ticket> tickets_;
  std::pair<uint64_t, uint64_t> durable_state_;  // what the flushed sync-state.json holds
  void flush_state_if_newer();
};

}  // namespace dh::app
