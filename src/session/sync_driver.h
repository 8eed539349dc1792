// SyncDriver: runs the sync client (src/sync/client.h) inside the app's frame
// loop, over the narrow ports of session/ports.h (HTTP: emscripten fetch in
// the browser; flushes: IndexedDB), and keeps the device's enrolment (token
// and role) beside the log. Tested natively with a faulty transport in front
// of an in-process server (tests/session/sync_driver_test.cpp).
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
//   Flusher's observer).
// - First start (docs/sync-protocol.md "Snapshot for a new device"): a device
//   that holds nothing and never pulled, of a role that reads everything,
//   first fetches GET /api/v1/snapshot; SyncClient checks and installs it and
//   the round pulls only the tail after its seq and flushes once at the end
//   (not after every page). Any other answer, or a snapshot that fails its
//   checks (snapshot_problem()), and the round pulls page by page as before.
// - A 401/403 on push or pull means this device is not (or no longer)
//   enrolled: rounds stop until enrol() succeeds. enrol() posts the one-time
//   code to /api/v1/enrol and keeps {token, role} in device.json.
// - Errors reach the UI as codes with parameters (ui::Problem: sync.unreachable,
//   sync.refused {status}, sync.not_enrolled, ...), the server's or client's
//   own words only as the untranslated detail.
// - Nothing is lost or sent twice: an operation leaves the waiting list only
//   with the server's answer for it (SyncClient), an unanswered push (no
//   answer, 5xx, timeout) is sent again whole in a later round (the server
//   answers a repeated id as a duplicate); after a 413 the driver sends the
//   same operations in batches half as large (for the rest of the session).
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
#include "session/ports.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "sync/client.h"
#include "ui/contract.h"

namespace dh::session {

class SyncDriver {
 public:
  static constexpr int64_t kPollMs = 15000;
  // The poll while the push channel answers: the channel already says when
  // there is something to pull, so the poll only covers a missed answer.
  static constexpr int64_t kPollWithPushMs = 120000;
  static constexpr const char* kDeviceFile = "device.json";

  // device_file: where the enrolment is kept (e.g. "/data/device.json").
  static Result<std::unique_ptr<SyncDriver>> open(Http& http, Flusher& flusher, FileSystem& fs, Replica& replica,
                                                  std::string device_file);
  ~SyncDriver();

  void tick(int64_t now_ms);
  void request_round() { wanted_ = true; }
  void enrol(const std::string& code, const std::string& device_name);
  // Device management with this device's token (an administrator's; others
  // get 403, said in status().admin.error). One at a time: a request while
  // one is on its way is dropped (the UI disables its buttons meanwhile).
  // A revoke that succeeded lists the devices again.
  void make_enrol_code(const std::string& role);
  void list_devices();
  void revoke_device(const std::string& device);
  // "Make it again" for a change the server refused (SyncClient::redo). True
  // when it was committed (the app then flushes as after any commit); else
  // status() carries the reason as redo_error_code/redo_error.
  bool redo(const std::string& rejected_id, int64_t device_now_ms);
  // The same for an own change another device's change hid
  // (SyncClient::redo_overridden).
  bool redo_overridden(const std::string& op_id, int64_t device_now_ms);
  // After the app committed an own operation (it becomes pushable after the
  // flush that the commit requested).
  void on_committed() { waiting_dirty_ = true; }

  // The push channel (docs/sync-protocol.md "Push channel"): while on, the
  // driver keeps one GET /api/v1/wait outstanding between rounds and starts a
  // round as soon as it answers with a head beyond what was pulled, so a
  // change reaches this device within a second instead of at the next poll.
  // Off by default (each waiting device holds a server connection); the app
  // turns it on while its page is visible (docs/sync-protocol.md "Push
  // channel": who waits, and the server's waiter limit). While the channel
  // answers, the poll is only a safety net (kPollWithPushMs).
  void set_push_channel(bool on) { push_channel_ = on; }
  bool push_channel() const { return push_channel_; }
  // Whether the server answered lately: false after a request got no answer
  // or a 5xx and until the next good answer, and while a wait is overdue
  // (kWaitTimeoutMs + kContactGraceMs). What the projector's "lost contact"
  // screen reads.
  bool in_contact(int64_t now_ms) const;
  int64_t last_contact_ms() const { return last_contact_ms_; }
  // The earliest device time at which tick() has something to do by itself
  // (a round due, a wait to send, an overdue wait to give up); INT64_MAX when
  // only an answer can move it. An idle app sleeps until then or until
  // something arrives (src/app/main.cpp, "Idle means idle").
  int64_t next_deadline_ms(int64_t now_ms) const;
  // The push channel's last wait was answered (200): changes arrive by
  // themselves.
  bool push_channel_live() const { return push_channel_ && wait_live_; }
  static constexpr int64_t kWaitTimeoutMs = 20000;
  static constexpr int64_t kContactGraceMs = 4000;

  int64_t corrected_now(int64_t device_now_ms) const { return client_->corrected_now(device_now_ms); }
  ui::SyncStatus status() const;
  // The first round finished (well or not): the start-up screen may stop
  // saying "loading from the server".
  bool first_round_done() const { return first_round_done_; }
  uint64_t ingested_total() const { return ingested_total_; }
  const std::string& problem() const { return client_->problem(); }
  // Why the server's snapshot could not be used ("" when it was, or none was tried).
  const std::string& snapshot_problem() const { return snapshot_problem_; }
  sync::SyncClient& client() { return *client_; }

 private:
  SyncDriver(Http& http, Flusher& flusher, FileSystem& fs, Replica& replica, std::string device_file)
      : http_(http), flusher_(flusher), fs_(fs), replica_(replica), device_file_(std::move(device_file)) {}
  enum class Step { idle, health, pushing, snapshot, pulling };
  void start_round(int64_t now_ms);
  void continue_push(int64_t now_ms);
  void start_pull();
  void round_failed(int64_t now_ms, int status, const std::string& body);
  void round_done(int64_t now_ms);
  void handle_enrol_answer(const HttpReply& r);
  void handle_admin_answer(const HttpReply& r);
  void save_enrolment();
  void refresh_waiting();
  Error redo_error_;  // last failed redo ("" code: none)
  // Records a redo's outcome (its error, or that something new waits to go up).
  template <typename Made>
  bool note_redo(const Made& made);
  void tick_push_channel(int64_t now_ms);

  Http& http_;
  Flusher& flusher_;
  FileSystem& fs_;
  Replica& replica_;
  std::string device_file_;
  std::unique_ptr<sync::SyncClient> client_;

  // Enrolment
  std::string token_, role_, device_name_;
  bool needs_enrolment_ = false;
  int enrol_request_ = 0;
  ui::Problem enrol_error_;
  std::string auth_mode_;  // from /api/v1/health: "open" or "devices"
  // Device management
  enum class AdminAsk { none, code, list, revoke };
  AdminAsk admin_ask_ = AdminAsk::none;
  int admin_request_ = 0;
  std::string admin_subject_;  // the role or device asked about
  ui::SyncStatus::DeviceAdmin admin_;

  // Round state
  Step step_ = Step::idle;
  int request_ = 0;
  std::optional<sync::SyncClient::PushBatch> batch_;
  size_t push_limit_ = sync::SyncClient::kDefaultPushOps;  // halved after a 413
  sync::SyncClient::PullRequest pull_;
  bool wanted_ = true;        // a round as soon as possible (start-up)
  bool was_online_ = false;
  int failures_ = 0;
  int64_t next_round_ms_ = 0;
  bool round_ingested_ = false;
  bool round_from_snapshot_ = false;  // this round adopted the server's snapshot: one flush at its end
  std::string snapshot_problem_;
  bool first_round_done_ = false;
  uint64_t ingested_total_ = 0;
  size_t waiting_ = 0;
  bool waiting_dirty_ = true;
  ui::Problem last_error_;
  // Push channel
  bool push_channel_ = false;
  int wait_request_ = 0;
  int64_t wait_sent_ms_ = 0;
  int64_t next_wait_ms_ = 0;
  uint64_t wait_head_ = 0;        // the highest head the channel reported
  bool wait_live_ = false;        // the last wait was answered 200
  int64_t last_contact_ms_ = 0;   // last answer (any status but 0/5xx) from the server
  bool contact_lost_ = false;     // the last request got no answer or a 5xx
  void note_answer(int64_t now_ms, int status);
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

}  // namespace dh::session
