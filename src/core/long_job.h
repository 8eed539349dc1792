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
// - A job computes on a copy of what it needs. It may take that copy in its
//   first units (reading a State that changes only between frames), checking
//   the State's version (State::applied_ops) before each of them and starting
//   the copy again if it moved; after that it never reads the State. Whoever
//   applies its result compares the State's version then with the one the
//   job computed on.
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
