// server/loop/when_all.h
//
// WhenAll(tasks): run several Tasks concurrently on the current event loop
// and resume the awaiting coroutine once every one of them has finished, like
// `await asyncio.gather(a(), b())`. It is cppcoro's when_all: each child runs
// inside a small driver coroutine; a counter starts at N + 1, every finished
// child takes one off, and the awaiter takes the last one after starting them
// all, so whoever brings it to zero resumes the parent (the last child by
// symmetric transfer, or the awaiter itself by not suspending at all when
// every child finished inline).
//
//   std::vector<Task<int>> children;
//   children.push_back(FetchA());
//   children.push_back(FetchB());
//   std::vector<int> results = co_await WhenAll(std::move(children));
//
// Order. The children start one after the other, in order, each running
// until its first suspension, then run interleaved on the loop as their
// awaits complete. Results come back in the order of `tasks`.
//
// Errors. The parent is resumed only when every child has finished, even if
// one failed early (cppcoro's rule: no child outlives the await). Then the
// first exception thrown, in time, is rethrown from the co_await and the
// results are dropped. (asyncio.gather returns the first exception at once
// and lets the others run on unawaited; a Task's frame cannot outlive its
// awaiter here, so WhenAll waits.)
//
// Context and cancellation. Each child gets a TaskContext of its own, with
// the parent's loop, executor and trace, because a context wakes only one
// suspended awaitable on Cancel and the children are suspended at once.
// While the parent waits, cancelling the parent's context cancels every
// child's: each sleeping child wakes and throws CancelledError, and the
// parent rethrows the first of them. A parent that is already cancelled
// starts its children cancelled.
//
// Thread safety: like Task, single-threaded: co_await only on the loop thread
// that runs the parent; the children run and resume on that thread.
#ifndef COROUTER_SERVER_LOOP_WHEN_ALL_H_
#define COROUTER_SERVER_LOOP_WHEN_ALL_H_

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/loop/event_loop.h"
#include "server/loop/task.h"
#include "server/loop/task_context.h"

namespace corouter::loop {
namespace detail {

/// The N + 1 counter shared by a WhenAll and its drivers (loop thread only).
class WhenAllCounter {
 public:
  explicit WhenAllCounter(size_t children) : count_(children + 1) {}

  /// The awaiter, after starting every child: true if the parent must stay
  /// suspended (some child has not finished yet).
  bool TrySuspend() { return --count_ != 0; }
  /// A driver whose child finished: the coroutine to transfer to. When it
  /// is the parent, the rest of the loop's slice is the parent's again: the
  /// loop attributed it to the child's context, which the parent frees.
  std::coroutine_handle<> Arrive() {
    if (--count_ != 0) return std::noop_coroutine();
    if (parent_context_ != nullptr && parent_context_->loop != nullptr) {
      parent_context_->loop->AttributeSlice(parent_context_);
    }
    return parent_;
  }
  void set_parent(std::coroutine_handle<> parent, TaskContext* context) {
    parent_ = parent;
    parent_context_ = context;
  }

  /// Keeps the first exception in time.
  void Fail(std::exception_ptr error) {
    if (!first_error_) first_error_ = std::move(error);
  }
  const std::exception_ptr& first_error() const { return first_error_; }

 private:
  size_t count_;
  std::coroutine_handle<> parent_;
  TaskContext* parent_context_ = nullptr;
  std::exception_ptr first_error_;
};

/// A driver coroutine: awaits one child Task with a TaskContext of its own
/// and reports to the counter when the child finished. Owns its frame.
class WhenAllDriver {
 public:
  struct promise_type {
    WhenAllDriver get_return_object() noexcept {
      return WhenAllDriver(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    /// What Task's awaiter asks for: the child runs with this context.
    TaskContext* context() { return &context_; }

    std::suspend_always initial_suspend() noexcept { return {}; }
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> self) noexcept {
        return self.promise().counter_->Arrive();
      }
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { counter_->Fail(std::current_exception()); }

    TaskContext context_;
    WhenAllCounter* counter_ = nullptr;
  };
  using Handle = std::coroutine_handle<promise_type>;

  explicit WhenAllDriver(Handle handle) : handle_(handle) {}
  WhenAllDriver(WhenAllDriver&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  WhenAllDriver& operator=(WhenAllDriver&&) = delete;
  ~WhenAllDriver() {
    if (handle_) handle_.destroy();
  }

  /// Starts the child, with `parent`'s loop, executor and trace (and its
  /// cancellation, if already cancelled), until its first suspension.
  void Start(TaskContext* parent, WhenAllCounter* counter) {
    promise_type& p = handle_.promise();
    p.counter_ = counter;
    if (parent != nullptr) {
      p.context_.loop = parent->loop;
      p.context_.executor = parent->executor;
      p.context_.trace = parent->trace;
      if (parent->cancelled()) p.context_.Cancel(parent->cancel_reason());
    }
    handle_.resume();
  }

  /// Cancels the child's context (wakes it if it is suspended in a Sleep).
  void Cancel(const std::string& reason) { handle_.promise().context_.Cancel(reason); }

 private:
  Handle handle_;
};

/// The driver's body; `slot` receives the child's value.
template <typename T>
WhenAllDriver DriveChild(Task<T> task, std::optional<T>* slot) {
  slot->emplace(co_await std::move(task));
}
inline WhenAllDriver DriveVoidChild(Task<void> task) { co_await std::move(task); }

}  // namespace detail

/// The awaitable WhenAll returns. Not movable: it lives in the awaiting
/// coroutine's frame, where the drivers find it.
template <typename T>
class [[nodiscard]] WhenAllAwaitable {
 public:
  using Result = std::conditional_t<std::is_void_v<T>, void, std::vector<T>>;

  explicit WhenAllAwaitable(std::vector<Task<T>> tasks)
      : counter_(tasks.size()), slots_(std::is_void_v<T> ? 0 : tasks.size()) {
    drivers_.reserve(tasks.size());
    for (size_t i = 0; i < tasks.size(); ++i) {
      if constexpr (std::is_void_v<T>) {
        drivers_.push_back(detail::DriveVoidChild(std::move(tasks[i])));
      } else {
        drivers_.push_back(detail::DriveChild(std::move(tasks[i]), &slots_[i]));
      }
    }
  }
  WhenAllAwaitable(const WhenAllAwaitable&) = delete;
  WhenAllAwaitable& operator=(const WhenAllAwaitable&) = delete;

  bool await_ready() const noexcept { return drivers_.empty(); }

  template <typename Promise>
  bool await_suspend(std::coroutine_handle<Promise> parent) {
    parent_context_ = parent.promise().context();
    counter_.set_parent(parent, parent_context_);
    for (detail::WhenAllDriver& driver : drivers_) driver.Start(parent_context_, &counter_);
    if (!counter_.TrySuspend()) return false;  // every child finished inline
    if (parent_context_ != nullptr) {
      parent_context_->SetWakeOnCancel([this] {
        for (detail::WhenAllDriver& driver : drivers_) {
          driver.Cancel(parent_context_->cancel_reason());
        }
      });
    }
    return true;
  }

  Result await_resume() {
    if (parent_context_ != nullptr) parent_context_->ClearWakeOnCancel();
    if (counter_.first_error()) std::rethrow_exception(counter_.first_error());
    if constexpr (!std::is_void_v<T>) {
      std::vector<T> results;
      results.reserve(slots_.size());
      for (std::optional<T>& slot : slots_) results.push_back(std::move(*slot));
      return results;
    }
  }

 private:
  struct NoSlot {};
  using Slot = std::conditional_t<std::is_void_v<T>, NoSlot, std::optional<T>>;

  detail::WhenAllCounter counter_;
  std::vector<Slot> slots_;  // sized once: drivers hold pointers into it
  std::vector<detail::WhenAllDriver> drivers_;
  TaskContext* parent_context_ = nullptr;
};

/// Runs `tasks` concurrently; the co_await yields their results in order
/// (std::vector<T>, or nothing for Task<void>) or rethrows the first
/// exception once all have finished. An empty vector completes at once.
template <typename T>
WhenAllAwaitable<T> WhenAll(std::vector<Task<T>> tasks) {
  return WhenAllAwaitable<T>(std::move(tasks));
}

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_WHEN_ALL_H_
