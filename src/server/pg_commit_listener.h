// The push channel across server processes on one PostgreSQL database
// (docs/sync-protocol.md "Several servers on one database"): a background
// thread with its own connection runs LISTEN dianhong_ops and calls
// on_commit(seq) for every notification, whose payload is the last seq of a
// commit (PgOpStore sends it inside the appending transaction, so it
// arrives only once that seq is readable).
//
// Contracts
// - on_commit runs on the listener thread, never under a lock of the caller.
// - A broken connection is retried every second; after each (re)connect
//   on_commit(head) is called with the store's head, so commits made while
//   it was away wake the waiters too.
// - The destructor stops the thread within about 250 ms (3 s while a
//   connection attempt is under way: connect_timeout) and joins it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace dh {

class PgCommitListener {
 public:
  static constexpr const char* kChannel = "dianhong_ops";
  PgCommitListener(std::string conninfo, std::function<void(uint64_t seq)> on_commit);
  ~PgCommitListener();
  PgCommitListener(const PgCommitListener&) = delete;
  PgCommitListener& operator=(const PgCommitListener&) = delete;

 private:
  void run();
  std::string conninfo_;
  std::function<void(uint64_t)> on_commit_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace dh
