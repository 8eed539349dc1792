// Hub mode (issue 14, docs/sync-protocol.md "Hub mode"): this server syncs
// onward to a parent server with the same protocol a device speaks. The
// laptop in the meeting room runs the server, the tablets sync to it over the
// room's network, and when the building's connection returns it pushes what
// its devices made and pulls what the parent has, by itself.
//
// The hub is one enrolled device of the parent, role "hub" (roles.cpp: may
// push operations made on other devices, may not manage the parent's
// devices). Its enrolment ({url, device, token, role}) is DATA_DIR/upstream.json
// (0600, written atomically; the device id is written there at the first
// start, the token once the parent answered); its cursors are rows of the `upstream` table in
// its own server.sqlite:
//   push_cursor  hub seq: every operation of the hub's store at or below it
//                was answered by the parent (or came from it)
//   pull_cursor  parent seq: every parent operation at or below it is stored
//                in the hub (fsynced before the cursor is written)
//
// One round: push, then pull.
//   push  the hub's operations after push_cursor, in the hub's order, less the
//         ones pulled from the parent (pushed_by "@upstream") and the ones
//         withdrawn; batches of at most push_batch. Answer accepted or
//         duplicate: the parent has it. rejected: SyncService::withdraw (the
//         hub records the parent's refusal in its `rejected` table and tells
//         its devices in their pulls; the device that made it undoes it and
//         shows the parent's reason). Then push_cursor moves past the batch.
//   pull  the parent's pages after pull_cursor: SyncService::ingest_upstream
//         stores the operations the hub lacks (by op id), the parent's own
//         withdrawals (a parent that is a hub itself) are withdrawn here too,
//         then pull_cursor = next.
// Nothing is lost or duplicated: the parent and the hub both de-duplicate by
// op id, and each cursor is written only after what it covers is durable, so
// a crash or a cut connection at any point means pushing again (answered
// duplicate, or the same refusal: the parent remembers its refusals) or
// pulling again (ids already stored are skipped).
//
// Refused pushes that are not about one operation stop the round without
// moving anything: a network error, 401 (token revoked), 403, 422
// clock_far_ahead (the hub cannot re-stamp other devices' operations: the
// hub's clock must be set right), 5xx; and a `forbidden` refusal of another
// device's operation, which means the hub's role at the parent is wrong (the
// parent does not remember those, so withdrawing would be wrong too).
//
// Runs on one background thread; after a failed round it waits
// sync::backoff_delay_ms(failures) (2 s, 4 s, ... 5 min) or until a device
// brings something new; after a good one it waits for a change in the hub's
// store or interval_ms, whichever is first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "server/sync_service.h"

namespace dh {

struct UpstreamOptions {
  std::string url;         // the parent, "http://host:port" (https needs a TLS proxy in front)
  std::string code;        // an enrolment code made on the parent (first start only)
  std::string device;      // the id to enrol as; "" = "hub-" + 8 random hex digits
  std::string name;        // the name the parent's device list shows
  std::string token_file;  // DATA_DIR/upstream.json
  int64_t interval_ms = 5000;  // between rounds while nothing changes
  size_t push_batch = 500;
};

struct UpstreamEnrolment {
  std::string url, device, token, role;
};

class Upstream {
 public:
  static constexpr const char* kTokenFile = "upstream.json";
  static constexpr int64_t kMinIntervalMs = 200;

  // Before the store is opened: checks the options (normalising the URL)
  // and reads the token file, or, on the first start, fixes the hub's device
  // id (options.device or "hub-" + 8 random hex digits) and writes it there
  // without a token, so the hub's own operations (QR check-in,
  // SyncService::open's own_device) carry that id from the start. Errors:
  // "upstream_mismatch" (the file names another parent or device: this store
  // belongs to that one), "bad_upstream" (not enrolled and no code, an
  // unreadable file, a URL that is not http://host[:port]).
  static Result<UpstreamEnrolment> prepare(UpstreamOptions& options);
  // Error "upstream_mismatch" when the store was synced with another parent.
  static Result<std::unique_ptr<Upstream>> open(SyncService& svc, UpstreamOptions options,
                                                UpstreamEnrolment enrolment);
  ~Upstream();

  void start();  // the background thread
  void stop();   // ends it (within about 250 ms plus a request in flight)

  struct RoundOutcome {
    size_t pushed = 0;     // operations the parent answered accepted or duplicate
    size_t rejected = 0;   // operations the parent refused (withdrawn here)
    size_t pulled = 0;     // parent operations new to this hub
  };
  // One round (enrols first when needed). Used by the thread.
  Result<RoundOutcome> round();

  bool enrolled() const;
  const std::string& url() const { return options_.url; }

 private:
  Upstream(SyncService& svc, UpstreamOptions options) : svc_(svc), options_(std::move(options)) {}
  Status enrol();
  Result<RoundOutcome> push_all();
  Result<size_t> pull_all();
  void run();
  // Until the hub's head passes `head` (true), ms pass, or stop().
  bool wait_local(uint64_t head, int64_t ms);
  Result<uint64_t> cursor(const char* name);

  SyncService& svc_;
  UpstreamOptions options_;
  mutable std::mutex mu_;  // enrolment_
  UpstreamEnrolment enrolment_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::string last_reported_;  // the last error printed (printed again only when it changes)
};

}  // namespace dh
