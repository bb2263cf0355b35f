// server/loop/spawn.h
//
// Spawn: start a top-level Task<void> on the current event loop without an
// awaiting parent, like `asyncio.create_task`. The Task runs at once until its
// first suspension; its frame is freed when it finishes. The Task must handle
// its own errors: an exception escaping it terminates the process (there is
// nobody to report it to), so the request engine catches everything.
//
// Thread safety: call on an event loop thread.
#ifndef COROUTER_SERVER_LOOP_SPAWN_H_
#define COROUTER_SERVER_LOOP_SPAWN_H_

#include <coroutine>
#include <exception>
#include <utility>

#include "server/loop/event_loop.h"
#include "server/loop/task.h"
#include "server/loop/task_context.h"

namespace corouter::loop {
namespace detail {

/// An eager coroutine that frees itself: the root of a spawned Task.
struct Detached {
  struct promise_type {
    // C++20 lets the promise see the coroutine's arguments: the context is
    // in place before the body's first co_await hands it to the Task.
    promise_type(TaskContext* context, Task<void>&) : context_(context) {}
    TaskContext* context() const { return context_; }
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
    TaskContext* context_;
  };
};

inline Detached RunDetached(TaskContext* /*context*/, Task<void> task) { co_await std::move(task); }

}  // namespace detail

/// Starts `task` with `context` (which must outlive it).
inline void Spawn(TaskContext* context, Task<void> task) {
  if (context->loop != nullptr) context->loop->AttributeSlice(context);
  detail::RunDetached(context, std::move(task));
}

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_SPAWN_H_
