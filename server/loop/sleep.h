// server/loop/sleep.h
//
// Sleep(d): the non-blocking wait, like `await asyncio.sleep(d)`. The awaiting
// coroutine is suspended, a timer is pushed on its event loop's heap, and the
// loop is free to run other requests until the timer fires; then the coroutine
// resumes on the same loop thread. Sleep(0) (or a negative duration) still
// suspends once and lets everything already ready run first, as
// `asyncio.sleep(0)` yields to the loop.
//
// Trace: AWAIT_STARTED "sleep(2s)" when it suspends, AWAIT_RESUMED when it
// resumes.
//
// Cancellation: a cancelled request's Sleep wakes at once (its timer is
// removed) and the co_await throws CancelledError; Sleep in an
// already-cancelled request throws without suspending.
//
// Thread safety: co_await only from a Task running on an event loop thread.
#ifndef COROUTER_SERVER_LOOP_SLEEP_H_
#define COROUTER_SERVER_LOOP_SLEEP_H_

#include <chrono>
#include <coroutine>

#include "server/loop/event_loop.h"
#include "server/loop/task_context.h"
#include "server/trace/request_trace.h"

namespace corouter::loop {

/// The awaitable Sleep returns.
class SleepAwaitable {
 public:
  explicit SleepAwaitable(std::chrono::nanoseconds duration) : duration_(duration) {}

  bool await_ready() const noexcept { return false; }

  template <typename Promise>
  bool await_suspend(std::coroutine_handle<Promise> handle) {
    return Suspend(handle.promise().context(), handle);
  }

  void await_resume();

 private:
  bool Suspend(TaskContext* context, std::coroutine_handle<> handle);

  std::chrono::nanoseconds duration_;
  TaskContext* context_ = nullptr;
};

/// Suspends the awaiting coroutine for `duration` without blocking its loop.
template <typename Rep, typename Period>
SleepAwaitable Sleep(std::chrono::duration<Rep, Period> duration) {
  return SleepAwaitable(std::chrono::duration_cast<std::chrono::nanoseconds>(duration));
}

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_SLEEP_H_
