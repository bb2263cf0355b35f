// server/loop/task_context.h
//
// TaskContext is what an awaitable needs to know about the request whose
// coroutine awaits it: the event loop to resume on, the executor to offload
// to, the trace to report steps to, and the request's cancellation. It plays
// the part of asyncio's Task and its contextvars: set once on the top-level
// coroutine of a request and passed down to every Task it awaits (see
// Task<T>), so handlers write `co_await Sleep(2s)` as they would write
// `await asyncio.sleep(2)`.
//
// Cancellation works as asyncio's Task.cancel(): Cancel() marks the request
// cancelled and wakes the awaitable it is suspended in (a Sleep wakes at
// once); when the coroutine resumes, that awaitable throws CancelledError, so
// the handler unwinds through its destructors. An awaitable that cannot be
// interrupted (Offload: a thread cannot be stopped) registers nothing and
// throws when its work returns, discarding the result.
//
// Thread safety: loop thread only (Cancel included).
#ifndef COROUTER_SERVER_LOOP_TASK_CONTEXT_H_
#define COROUTER_SERVER_LOOP_TASK_CONTEXT_H_

#include <stdexcept>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "server/trace/request_trace.h"

namespace corouter::loop {

class EventLoop;
class Executor;

/// Thrown from an await of a cancelled request, like asyncio.CancelledError.
/// Handlers may catch it to clean up but should rethrow it.
class CancelledError : public std::runtime_error {
 public:
  explicit CancelledError(const std::string& reason) : std::runtime_error(reason) {}
};

struct TaskContext {
  TaskContext() = default;
  TaskContext(EventLoop* loop, Executor* executor, trace::RequestTrace* trace)
      : loop(loop), executor(executor), trace(trace) {}

  EventLoop* loop = nullptr;
  Executor* executor = nullptr;
  trace::RequestTrace* trace = nullptr;

  bool cancelled() const { return cancelled_; }
  /// Why: "client cancelled", "deadline exceeded"...
  const std::string& cancel_reason() const { return cancel_reason_; }

  /// Marks the request cancelled and wakes the awaitable it is suspended in.
  /// Idempotent: the first reason is kept.
  void Cancel(std::string reason) {
    if (cancelled_) return;
    cancelled_ = true;
    cancel_reason_ = std::move(reason);
    if (wake_on_cancel_) std::exchange(wake_on_cancel_, nullptr)();
  }

  /// Cancel(), as a passed deadline: deadline_exceeded() becomes true unless
  /// the request was already cancelled.
  void ExceedDeadline(std::string reason) {
    if (cancelled_) return;
    deadline_exceeded_ = true;
    Cancel(std::move(reason));
  }
  /// The cancellation was a deadline (the call ends DEADLINE_EXCEEDED).
  bool deadline_exceeded() const { return deadline_exceeded_; }

  /// Awaitables: while suspended, how to wake the coroutine early on Cancel.
  void SetWakeOnCancel(absl::AnyInvocable<void()> wake) { wake_on_cancel_ = std::move(wake); }
  void ClearWakeOnCancel() { wake_on_cancel_ = nullptr; }

  /// Awaitables: throws CancelledError if the request was cancelled.
  void ThrowIfCancelled() const {
    if (cancelled_) throw CancelledError(cancel_reason_);
  }

 private:
  bool cancelled_ = false;
  bool deadline_exceeded_ = false;
  std::string cancel_reason_;
  absl::AnyInvocable<void()> wake_on_cancel_;
};

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_TASK_CONTEXT_H_
