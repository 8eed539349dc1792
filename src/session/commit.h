// The one commit path: how the commands a screen emitted become operations.
// The app's Session (over its Replica), the test hook (bench commits) and the
// UI tests (over the test's own State) all go through commit_in_order(); only
// the target differs.
//
// Contract
// - Commands are committed in order; for each, report(index, error) is called
//   exactly once before the next command (nullptr = committed), so the
//   Workbench routes each result to the screen that emitted the command.
// - A target that cannot write (store not open, another tab holds the writer
//   lock) refuses every command with a code the UI translates
//   ("storage_not_open", "read_only"); nothing is half-committed.
// - stamp() gives each command its time (the server-corrected clock in the
//   app); it is called once per command that is tried (past the gate).
// - Returns how many were committed; the caller runs its after-commit steps
//   (snapshot, flush, tell sync) once when that is > 0.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/commands.h"
#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"

namespace dh::session {

class CommitTarget {
 public:
  virtual ~CommitTarget() = default;
  virtual Status can_write() const { return ok_status(); }
  // Validates, records, applies: on error nothing changed.
  virtual Status commit(const Command& command, int64_t now_ms) = 0;
};

using CommitReport = std::function<void(size_t index, const Error* error_or_null)>;

size_t commit_in_order(CommitTarget& target, const std::vector<Command>& commands,
                       const std::function<int64_t()>& stamp, const CommitReport& report);

// A test's State and OpSource as a target (make_operation + apply: what
// Replica::commit does, without the log). For the UI tests.
class StateTarget : public CommitTarget {
 public:
  StateTarget(State& state, OpSource& source) : state_(state), source_(source) {}
  Status commit(const Command& command, int64_t now_ms) override;

 private:
  State& state_;
  OpSource& source_;
};

}  // namespace dh::session
