// Long work off the frame: a computation that takes longer than a frame (the
// auto-scheduler; the matching solver and the tallies next) written as a job
// that runs in slices.
//
// Contract
// - step(should_stop) does units of work until the job is done or
//   should_stop() says the slice is used up; it checks after every unit and
//   does at least one unit per call, so a job always advances. It returns
//   true once the job is done (further calls do nothing and return true).
// - Units are small (a few milliseconds at most in the browser); the caller
//   owns the clock (core does no I/O): should_stop typically compares a
//   monotonic clock with the slice's deadline.
// - Running the steps back to back gives exactly the result of the one-loop
//   computation: slicing never changes a result.
// - progress() is in [0, 1], never goes down, and is 1 when done.
// - A job computes on a copy of what it needs (taken when it was made): it
//   never reads the State while it runs. Whoever applies its result compares
//   the State's version then (State::applied_ops) with the one it started on.
#pragma once

#include <functional>

namespace dh {

class LongJob {
 public:
  virtual ~LongJob() = default;
  virtual bool step(const std::function<bool()>& should_stop) = 0;
  virtual double progress() const = 0;
};

}  // namespace dh
