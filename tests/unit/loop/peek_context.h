// tests/unit/loop/peek_context.h
//
// PeekContext: an awaitable that never suspends and yields the TaskContext of
// the coroutine awaiting it, to test how Tasks pass their context down.
#ifndef COROUTER_TESTS_UNIT_LOOP_PEEK_CONTEXT_H_
#define COROUTER_TESTS_UNIT_LOOP_PEEK_CONTEXT_H_

#include <coroutine>

#include "server/loop/task_context.h"

namespace corouter::loop {

struct PeekContext {
  TaskContext* seen = nullptr;
  bool await_ready() { return false; }
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> h) {
    seen = h.promise().context();
    return false;  // do not actually suspend
  }
  TaskContext* await_resume() { return seen; }
};

}  // namespace corouter::loop

#endif  // COROUTER_TESTS_UNIT_LOOP_PEEK_CONTEXT_H_
