// server/app/background_task.h
//
// Running a request's background tasks after its response was sent, as
// Starlette's BackgroundTasks does (starlette/background.py, called by
// Response.__call__ once the body is sent; FastAPI 0.92 attaches the
// endpoint's `BackgroundTasks` to the response it returns):
//   - in the order they were added, one after the other;
//   - an async one (`async def`) as a coroutine on the request's loop, a
//     sync one (`def`) on the executor (run_in_threadpool);
//   - a task that raises is logged to stderr, ends the run (the tasks after
//     it do not run: BackgroundTasks.__call__ just awaits each in turn), and
//     changes nothing for the client, who already has the response.
// Trace: BACKGROUND_STARTED and BACKGROUND_FINISHED around each task, with
// the task's own steps between (a sleep's AWAIT_*, a sync task's OFFLOAD_*).
// Then the teardowns of the request's yield dependencies, whatever the tasks
// did: FastAPI 0.92 closes its AsyncExitStack after the response, and so
// after its background tasks (server/app/dependency.h).
//
// Thread safety: run on the request's event loop thread; `work` is owned by
// the running coroutine.
#ifndef COROUTER_SERVER_APP_BACKGROUND_TASK_H_
#define COROUTER_SERVER_APP_BACKGROUND_TASK_H_

#include <vector>

#include "server/app/dependency_solver.h"
#include "server/app/request_context.h"
#include "server/loop/task.h"
#include "server/loop/task_context.h"
#include "server/routing/parameters.h"

namespace corouter::app {

/// What a request's background tasks need once its handler has returned:
/// the request and its bound parameters (for the tasks' RequestContext), and
/// the tasks.
struct BackgroundWork {
  Request request;
  routing::ParamValues params;
  const App* app = nullptr;
  std::vector<BackgroundTask> tasks;
  /// The yield dependencies' teardowns, run after the tasks (even when one
  /// failed or the run was cancelled), last in first out (RunTeardowns).
  std::vector<PendingTeardown> teardowns{};
};

/// Runs `work.tasks` as described above, with `context`'s loop, executor
/// and trace. `context` must outlive the returned Task and should not be the
/// request's own context: cancelling the call after its response must not
/// cancel its background tasks. Cancelling `context` (server shutdown past
/// its grace) stops the run at the current task's await, traced as that
/// task's BACKGROUND_FINISHED "cancelled: ...". Never throws.
loop::Task<void> RunBackgroundTasks(BackgroundWork work, loop::TaskContext& context);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_BACKGROUND_TASK_H_
