#include "server/app/background_task.h"

#include <exception>
#include <iostream>
#include <string>
#include <utility>

#include "server/loop/offload.h"

namespace corouter::app {

loop::Task<void> RunBackgroundTasks(BackgroundWork work, loop::TaskContext& context) {
  trace::RequestTrace& trace = *context.trace;
  RequestContext ctx(work.request, std::move(work.params), trace, work.app);
  for (BackgroundTask& task : work.tasks) {
    const bool is_async = static_cast<bool>(task.async_fn);
    trace.Emit(trace::Step::kBackgroundStarted, "background task ", task.name,
               is_async ? " (async def, on the loop)" : " (def, on the executor)");
    std::string failure;
    try {
      if (is_async) {
        co_await task.async_fn(ctx);
      } else {
        auto run = [&task, &ctx] { task.sync_fn(ctx); };
        co_await loop::Offload(task.name, run);
      }
      trace.Emit(trace::Step::kBackgroundFinished, task.name, " done");
      continue;
    } catch (const loop::CancelledError& e) {
      trace.Emit(trace::Step::kBackgroundFinished, task.name, " cancelled: ", e.what());
      break;
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "a non-standard exception";
    }
    // Starlette: the exception leaves BackgroundTasks.__call__ (the tasks
    // after it never run) and uvicorn logs it; the response was already sent.
    std::cerr << "corouter: background task " << task.name << " failed (" << work.request.method
              << " " << work.request.target << "): " << failure
              << "; the background tasks after it do not run" << std::endl;
    trace.Emit(trace::Step::kBackgroundFinished, task.name, " failed: ", failure);
    break;
  }
  if (!work.teardowns.empty()) {
    co_await RunTeardowns(std::move(work.teardowns), work.request, trace, work.app);
  }
}

}  // namespace corouter::app
