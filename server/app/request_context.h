// server/app/request_context.h
//
// RequestContext: what a path operation receives. It reads the request
// (method, path, headers, body) and its bound, typed parameters
// (`item_id: int`, `q: str | None = None`), and offers the blocking call that
// the seeds warn about (`time.sleep` inside `async def`).
//
// Awaiting is done with the loop's awaitables, which find the request through
// the coroutine they run in: `co_await loop::Sleep(2s)`,
// `co_await loop::Offload("blocking_function", fn)`.
//
// Thread safety: a context belongs to one request; an async handler uses it
// on its loop thread, a sync handler on its executor thread.
#ifndef COROUTER_SERVER_APP_REQUEST_CONTEXT_H_
#define COROUTER_SERVER_APP_REQUEST_CONTEXT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/http/headers.h"
#include "server/http/query_string.h"
#include "server/http/response.h"
#include "server/loop/task.h"
#include "server/routing/parameters.h"
#include "server/trace/request_trace.h"

namespace corouter::app {

class App;
class RequestContext;

/// A task to run after the response is sent: Starlette's BackgroundTask, as
/// FastAPI's `background_tasks.add_task(fn)` queues it. Exactly one of the
/// two functions is set: an async one runs as a coroutine on the request's
/// loop, a sync one on the executor (Starlette's run_in_threadpool). They get
/// a RequestContext for the same request (its parameters, its trace), valid
/// while the task runs. server/app/background_task.h runs them.
struct BackgroundTask {
  std::string name;  // the function's name, for the trace and the log
  std::function<loop::Task<void>(RequestContext&)> async_fn;
  std::function<void(RequestContext&)> sync_fn;
};

/// The request as the engine parsed it.
struct Request {
  std::string method;
  std::string target;  // as sent: "/slow_task/1?q=test"
  std::string path;    // percent-decoded: "/slow_task/1"
  http::QueryParams query;
  http::Headers headers;
  std::string body;
};

class RequestContext {
 public:
  RequestContext(const Request& request, routing::ParamValues params, trace::RequestTrace& trace,
                 const App* app = nullptr)
      : request_(request), params_(std::move(params)), trace_(trace), app_(app) {}

  const Request& request() const { return request_; }

  /// The app serving the request (Starlette's `request.app`), or null when
  /// the context was made without one.
  const App* app() const { return app_; }

  /// The bound value of a declared parameter (JSON null for None).
  /// Throws std::out_of_range for an undeclared name: a programming error,
  /// answered with 500 like any unhandled error.
  const http::Json& Param(std::string_view name) const;

  /// Every bound parameter, in declaration order.
  const routing::ParamValues& params() const { return params_; }

  /// The bound value as T (int64_t, double, bool, std::string), or as
  /// std::optional<T> (nullopt for None).
  template <typename T>
  T Get(std::string_view name) const {
    const http::Json& value = Param(name);
    if constexpr (IsOptional<T>::value) {
      if (value.is_null()) return std::nullopt;
      return value.get<typename T::value_type>();
    } else {
      return value.get<T>();
    }
  }

  /// Blocks the calling thread for `duration`, like Python's `time.sleep`.
  /// In an async handler that thread is the event loop: every request on the
  /// loop waits (seed 003, request C). Traced as BLOCKING_CALL.
  void BlockingSleep(std::chrono::nanoseconds duration);

  /// Traces the BLOCKING_CALL of a call that is about to hold the calling
  /// thread (`what`: "sleep(2s)", "cpu(100ms)"): on a loop
  /// thread "blocking call sleep(2s) holds loop 0", on an executor thread
  /// "... on executor-3; the loop stays free". BlockingSleep calls it.
  void AnnounceBlockingCall(std::string_view what);

  trace::RequestTrace& trace() { return trace_; }

  /// Queues a background task (FastAPI's `background_tasks.add_task(fn)`):
  /// `fn` is callable with a RequestContext& and returns loop::Task<void> (an
  /// `async def`: runs on the loop) or void (a `def`: runs on the executor).
  /// The tasks run after RESPONSE_SENT, in the order added, and only when the
  /// path operation returned normally: a raised HTTPException or an error
  /// answers with a response of its own, which carries no background tasks
  /// (fastapi/routing.py attaches them to the endpoint's response only).
  /// `fn` must not capture references to the handler's locals: it runs
  /// after the handler returned.
  template <typename Fn>
  void AddBackgroundTask(std::string name, Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, RequestContext&>;
    BackgroundTask task;
    task.name = std::move(name);
    if constexpr (std::is_same_v<Result, loop::Task<void>>) {
      task.async_fn = std::forward<Fn>(fn);
    } else {
      static_assert(std::is_void_v<Result>,
                    "a background task returns loop::Task<void> (async) or void (sync)");
      task.sync_fn = std::forward<Fn>(fn);
    }
    background_.push_back(std::move(task));
  }

  /// The queued background tasks, handed over (the engine takes them when
  /// the path operation returned).
  std::vector<BackgroundTask> TakeBackgroundTasks() { return std::move(background_); }

  /// What a missing `await` does (seed 001, pitfall #3:
  /// `data = async_db_call()  # missing await`): the coroutine `coroutine`
  /// is created and dropped, so it runs nothing and takes no time. Traced as
  /// NEVER_AWAITED with Python's warning, "coroutine 'async_db_call' was
  /// never awaited", and logged to stderr the first time `once` is set (as
  /// Python's default warning filter prints a warning once per location);
  /// pass null to log every time.
  void DropNeverAwaited(std::string_view coroutine, std::atomic<bool>* once = nullptr);

 private:
  template <typename T>
  struct IsOptional : std::false_type {};
  template <typename T>
  struct IsOptional<std::optional<T>> : std::true_type {};

  const Request& request_;
  routing::ParamValues params_;
  trace::RequestTrace& trace_;
  const App* app_;
  std::vector<BackgroundTask> background_;
};

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_REQUEST_CONTEXT_H_
