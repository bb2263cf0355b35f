// server/loop/deadline.h
//
// Deadline: cancels a request when a duration has passed, as an expired gRPC
// deadline does. While armed, a timer on the request's loop waits; when it
// fires, the request's TaskContext is cancelled with `reason` and marked
// deadline-exceeded, so the coroutine wakes at its current await and the
// call ends with DEADLINE_EXCEEDED. Destroying the Deadline disarms it.
// One mechanism for the server's --max-deadline and a route's `timeout`.
//
// Thread safety: create and destroy on the request's loop thread.
#ifndef COROUTER_SERVER_LOOP_DEADLINE_H_
#define COROUTER_SERVER_LOOP_DEADLINE_H_

#include <chrono>
#include <string>
#include <utility>

#include "server/loop/event_loop.h"
#include "server/loop/task_context.h"

namespace corouter::loop {

class Deadline {
 public:
  /// Arms a timer on `context.loop` (which must be set) that fires after
  /// `after`. `context` must outlive the Deadline.
  Deadline(TaskContext& context, std::chrono::nanoseconds after, std::string reason)
      : loop_(context.loop),
        timer_(loop_->AddTimer(EventLoop::Clock::now() + after,
                               [&context, reason = std::move(reason)]() mutable {
                                 context.ExceedDeadline(std::move(reason));
                               })) {}
  /// Disarms the timer if it has not fired.
  ~Deadline() { loop_->CancelTimer(timer_); }

  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  EventLoop* const loop_;
  const EventLoop::TimerId timer_;
};

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_DEADLINE_H_
