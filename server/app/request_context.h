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

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "server/http/headers.h"
#include "server/http/query_string.h"
#include "server/http/response.h"
#include "server/routing/parameters.h"
#include "server/trace/request_trace.h"

namespace corouter::app {

class App;

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

 private:
  template <typename T>
  struct IsOptional : std::false_type {};
  template <typename T>
  struct IsOptional<std::optional<T>> : std::true_type {};

  const Request& request_;
  routing::ParamValues params_;
  trace::RequestTrace& trace_;
  const App* app_;
};

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_REQUEST_CONTEXT_H_
