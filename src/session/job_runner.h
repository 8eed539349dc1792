// JobRunner: runs long work (core/long_job.h) between frames, off the frame.
//
// The web build is single-threaded, so "off the frame" means in slices: the
// app calls run() once per loop iteration, after the frame was drawn, with a
// time budget (kFrameBudgetMs). The runner steps the jobs, oldest first,
// until the budget is used up; a job's unit is small (a few ms), so no frame
// waits more than the budget plus one unit for it.
//
// Contract
// - start(id, job): the UI's RunJob request; the UI keeps its own pointer to
//   the job and reads progress() and, once done, the result from it.
// - cancel(id): the job is dropped at once (its result is never read).
// - busy(): some job is not done: the app keeps drawing frames (the progress
//   figure moves) while this is true.
// - Finished jobs are dropped from the runner; the UI's pointer keeps the
//   result alive.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/long_job.h"

namespace dh::session {

class JobRunner {
 public:
  // Per frame, for all jobs together: with the frame's own few ms the page
  // still paints every ~30 ms while a job runs (issue 9: no gap over 50 ms).
  static constexpr double kFrameBudgetMs = 12.0;

  void start(uint64_t id, std::shared_ptr<LongJob> job);
  void cancel(uint64_t id);
  bool busy() const { return !jobs_.empty(); }
  size_t count() const { return jobs_.size(); }
  // Steps jobs until now_ms() - start >= budget_ms. now_ms: a monotonic clock.
  void run(const std::function<double()>& now_ms, double budget_ms = kFrameBudgetMs);
  // Runs every job to its end (tests and the CLI, where nothing waits).
  void run_to_end();

 private:
  struct Entry {
    uint64_t id;
    std::shared_ptr<LongJob> job;
  };
  std::vector<Entry> jobs_;
};

}  // namespace dh::session
