#include "session/job_runner.h"

#include <algorithm>

namespace dh::session {

void JobRunner::start(uint64_t id, std::shared_ptr<LongJob> job) {
  if (job) jobs_.push_back(Entry{id, std::move(job)});
}

void JobRunner::cancel(uint64_t id) {
  jobs_.erase(std::remove_if(jobs_.begin(), jobs_.end(), [id](const Entry& e) { return e.id == id; }), jobs_.end());
}

void JobRunner::run(const std::function<double()>& now_ms, double budget_ms) {
  const double start = now_ms();
  const auto out_of_time = [&] { return now_ms() - start >= budget_ms; };
  while (!jobs_.empty()) {
    const bool done = jobs_.front().job->step(out_of_time);
    if (done) jobs_.erase(jobs_.begin());
    if (out_of_time()) return;
  }
}

void JobRunner::run_to_end() {
  for (auto& e : jobs_) e.job->step(nullptr);
  jobs_.clear();
}

}  // namespace dh::session
