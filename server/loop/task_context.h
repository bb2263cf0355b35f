// server/loop/task_context.h
//
// TaskContext is what an awaitable needs to know about the request whose
// coroutine awaits it: the event loop to resume on, the executor to offload
// to, and the trace to report steps to. It plays the part of asyncio's Task
// and its contextvars: set once on the top-level coroutine of a request and
// passed down to every Task it awaits (see Task<T>), so handlers write
// `co_await Sleep(2s)` as they would write `await asyncio.sleep(2)`.
//
// Thread safety: set before the coroutine starts, then read-only.
#ifndef COROUTER_SERVER_LOOP_TASK_CONTEXT_H_
#define COROUTER_SERVER_LOOP_TASK_CONTEXT_H_

#include "server/trace/request_trace.h"

namespace corouter::loop {

class EventLoop;
class Executor;

struct TaskContext {
  EventLoop* loop = nullptr;
  Executor* executor = nullptr;
  trace::RequestTrace* trace = nullptr;
};

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_TASK_CONTEXT_H_
