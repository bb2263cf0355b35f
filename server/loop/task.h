// server/loop/task.h
//
// Task<T>: a lazy C++20 coroutine that produces a T (or throws), in the shape
// of cppcoro's task<T>: nothing runs until the Task is awaited (or started with
// Spawn), the awaiting coroutine is stored as the continuation, and when the
// Task finishes its final_suspend transfers control straight to that
// continuation (symmetric transfer).
//
// Stack depth. A Task that completes without suspending would, with symmetric
// transfer alone, rely on the compiler turning `resume()` into a tail call;
// GCC 12 does not at -O0, so a loop of 100 000 synchronously completing awaits
// would overflow the stack. So the awaiter starts the child with a plain
// resume() and, when the child finished inline, returns false from
// await_suspend (the parent continues without a new frame); only a child that
// really suspended is resumed later and uses symmetric transfer back to its
// parent. Stack use is bounded by the nesting depth, never by the number of
// awaits. tests/unit/loop/task_test.cc checks this in the -O0 build.
//
// Context. Each Task's promise carries the TaskContext of its request. A
// parent hands its context to the child it awaits, so awaitables deep in a
// call chain reach the loop, the executor and the trace.
//
// Thread safety: a Task is single-threaded: it is created, awaited and resumed
// on one event loop thread (no atomics, by design).
#ifndef COROUTER_SERVER_LOOP_TASK_H_
#define COROUTER_SERVER_LOOP_TASK_H_

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "server/loop/task_context.h"

namespace corouter::loop {

template <typename T>
class Task;

namespace detail {

/// What every corouter coroutine promise has: its continuation, its context
/// and the bookkeeping for inline completion.
class PromiseBase {
 public:
  TaskContext* context() const { return context_; }
  void set_context(TaskContext* context) { context_ = context; }

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) noexcept {
      PromiseBase& p = self.promise();
      p.done_ = true;
      // Finished inside the parent's await_suspend: unwind to it, it goes on.
      if (p.running_inline_ || !p.continuation_) return std::noop_coroutine();
      return p.continuation_;
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  /// Starts the child coroutine `self` (whose promise is this) for `parent`.
  /// Returns true when the parent must stay suspended (the child suspended),
  /// false when the child already finished.
  bool StartFor(std::coroutine_handle<> self, std::coroutine_handle<> parent) {
    continuation_ = parent;
    running_inline_ = true;
    self.resume();
    running_inline_ = false;
    return !done_;
  }

  bool done() const { return done_; }

 protected:
  void RethrowIfFailed() {
    if (exception_) std::rethrow_exception(exception_);
  }

 private:
  std::coroutine_handle<> continuation_;
  TaskContext* context_ = nullptr;
  std::exception_ptr exception_;
  bool running_inline_ = false;
  bool done_ = false;
};

template <typename T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  T TakeResult() {
    RethrowIfFailed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void TakeResult() { RethrowIfFailed(); }
};

}  // namespace detail

/// A lazy coroutine producing T. Move-only; destroying an unstarted or
/// finished Task destroys its frame.
template <typename T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle handle) : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~Task() {
    if (handle_) handle_.destroy();
  }

  /// Awaiting a Task runs it with the awaiting coroutine's context; the result
  /// (or the exception the Task threw) comes back from the co_await.
  class Awaiter {
   public:
    explicit Awaiter(Handle child) : child_(child) {}
    bool await_ready() noexcept { return false; }
    template <typename P>
    bool await_suspend(std::coroutine_handle<P> parent) {
      child_.promise().set_context(parent.promise().context());
      return child_.promise().StartFor(child_, parent);
    }
    T await_resume() { return child_.promise().TakeResult(); }

   private:
    Handle child_;
  };
  Awaiter operator co_await() && noexcept { return Awaiter(handle_); }

  /// Sets the context of a top-level Task (Spawn does this).
  void set_context(TaskContext* context) { handle_.promise().set_context(context); }

  /// True once the coroutine ran to its end.
  bool done() const { return handle_ && handle_.promise().done(); }

 private:
  Handle handle_;
};

namespace detail {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_TASK_H_
