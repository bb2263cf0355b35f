// server/loop/offload.h
//
// Offload(what, fn): run blocking work on the executor and resume the awaiting
// coroutine on its event loop with the result, like
// `await loop.run_in_executor(executor, fn)` or `await asyncio.to_thread(fn)`
// (seed 001, step 6). The loop is free while `fn` runs.
//
// An exception thrown by `fn` is captured on the executor thread and rethrown
// from the co_await on the loop, as run_in_executor's future re-raises.
//
// Cancellation: a thread cannot be interrupted, so a cancelled request waits
// for `fn` to return, then the co_await throws CancelledError and the result
// is discarded (as a cancelled asyncio task's run_in_executor future).
//
// Trace: OFFLOAD_QUEUED (on the loop), OFFLOAD_STARTED with the queue wait and
// OFFLOAD_FINISHED with the run time (on the executor thread), then
// AWAIT_RESUMED (back on the loop).
//
// GCC 12 (Debian bookworm's compiler) miscompiles a temporary whose
// destructor is not trivial when it is created inside a co_await
// expression: it is destroyed twice (the same double free other projects
// met: equeim/tremotesf2#551). A lambda that captures a std::shared_ptr or a
// std::string by value is such a temporary, so bind it to a local first:
//   auto fetch = [db] { return db->Fetch(); };   // db: a std::shared_ptr
//   auto rows = co_await loop::Offload("fetch", std::move(fetch));
// Lambdas capturing references, pointers or plain values (`[&]`, `[d]`), as
// corouter's own calls do, are safe written inline; clang is not affected.
// loop_offload_test checks the local-variable form.
//
// Thread safety: co_await only from a Task running on an event loop thread;
// `fn` runs on an executor thread and must not touch loop-owned state.
#ifndef COROUTER_SERVER_LOOP_OFFLOAD_H_
#define COROUTER_SERVER_LOOP_OFFLOAD_H_

#include <chrono>
#include <coroutine>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "server/loop/event_loop.h"
#include "server/loop/executor.h"
#include "server/loop/task_context.h"
#include "server/trace/request_trace.h"

namespace corouter::loop {

template <typename Fn>
class OffloadAwaitable {
 public:
  using Result = std::invoke_result_t<Fn&>;

  OffloadAwaitable(std::string what, Fn fn) : what_(std::move(what)), fn_(std::move(fn)) {}

  bool await_ready() const noexcept { return false; }

  template <typename Promise>
  bool await_suspend(std::coroutine_handle<Promise> handle) {
    context_ = handle.promise().context();
    if (context_->cancelled()) return false;  // await_resume throws
    trace::RequestTrace* trace = context_->trace;
    EventLoop* loop = context_->loop;
    if (trace) trace->Emit(trace::Step::kOffloadQueued, what_, " -> executor");
    const auto queued_at = std::chrono::steady_clock::now();
    context_->executor->Submit([this, handle, trace, loop, queued_at] {
      const auto started_at = std::chrono::steady_clock::now();
      if (trace) {
        trace->Emit(trace::Step::kOffloadStarted, what_, " (waited ",
                    absl::FormatDuration(absl::FromChrono(started_at - queued_at)), ")");
      }
      try {
        if constexpr (std::is_void_v<Result>) {
          fn_();
          result_.emplace();
        } else {
          result_.emplace(fn_());
        }
      } catch (...) {
        exception_ = std::current_exception();
      }
      if (trace) {
        trace->Emit(
            trace::Step::kOffloadFinished, what_, " (ran ",
            absl::FormatDuration(absl::FromChrono(std::chrono::steady_clock::now() - started_at)),
            ")");
      }
      TaskContext* context = context_;
      loop->Post([loop, context, handle] { loop->Resume(context, handle); });
    });
    return true;
  }

  Result await_resume() {
    context_->ThrowIfCancelled();
    if (context_->trace) {
      context_->trace->Emit(trace::Step::kAwaitResumed, what_, " returned, resumed on loop ",
                            context_->loop->index());
    }
    if (exception_) std::rethrow_exception(exception_);
    if constexpr (!std::is_void_v<Result>) return std::move(result_->value);
  }

 private:
  struct Void {};
  struct Holder {
    template <typename... A>
    explicit Holder(A&&... a) : value(std::forward<A>(a)...) {}
    std::conditional_t<std::is_void_v<Result>, Void, Result> value;
  };

  std::string what_;
  Fn fn_;
  TaskContext* context_ = nullptr;
  std::optional<Holder> result_;
  std::exception_ptr exception_;
};

/// Runs `fn` on the request's executor; `what` names it in the trace
/// ("blocking_function"). The co_await yields fn's result.
template <typename Fn>
OffloadAwaitable<std::decay_t<Fn>> Offload(std::string what, Fn&& fn) {
  return OffloadAwaitable<std::decay_t<Fn>>(std::move(what), std::forward<Fn>(fn));
}

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_OFFLOAD_H_
