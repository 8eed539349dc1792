#include "session/commit.h"

namespace dh::session {

size_t commit_in_order(CommitTarget& target, const std::vector<Command>& commands,
                       const std::function<int64_t()>& stamp, const CommitReport& report) {
  size_t committed = 0;
  for (size_t i = 0; i < commands.size(); ++i) {
    Status gate = target.can_write();
    if (!gate.ok()) {
      if (report) report(i, &gate.error());
      continue;
    }
    Status r = target.commit(commands[i], stamp());
    if (report) report(i, r.ok() ? nullptr : &r.error());
    if (r.ok()) ++committed;
  }
  return committed;
}

Status StateTarget::commit(const Command& command, int64_t now_ms) {
  auto op = make_operation(state_, command, source_, now_ms);
  if (!op) return op.error();
  state_.apply(op.value());
  return ok_status();
}

}  // namespace dh::session
