// server/app/app.h
//
// App: the path operations of a service, registered in order, as FastAPI's
// `app = FastAPI()` with `@app.get(...)`. An async path operation (FastAPI's
// `async def`) returns loop::Task<http::Response> and runs as a coroutine on
// the event loop; a sync one (`def`) returns http::Response and runs on the
// executor (`run_in_threadpool`). Which one is decided by the handler's
// return type, as FastAPI decides with asyncio.iscoroutinefunction
// (fastapi/routing.py).
//
//   App app;
//   app.Get("/slow_task/{item_id}", "read_item",
//           {ParamSpec::Path("item_id", ParamType::kInt),
//            ParamSpec::OptionalQuery("q", ParamType::kStr)},
//           [](RequestContext& ctx) -> loop::Task<http::Response> {
//             co_await loop::Sleep(std::chrono::seconds(5));
//             co_return http::JsonResponse({{"item_id", ctx.Get<int64_t>("item_id")},
//                                           {"q", ctx.Param("q")}});
//           });
//   if (!app.status().ok()) ...  // the first registration error, if any
//
// Registration errors (a bad path template, a path parameter the template
// does not name, a duplicated parameter, a declaration FastAPI or pydantic
// would refuse (routing::CheckParamSpec), a dependency CheckDependencies
// refuses, no methods) do not throw: the App
// remembers the first one in status(), and a server refuses to start an App
// whose status is not OK.
//
// Like FastAPI(), an App starts with the built-in route serving its OpenAPI
// document at AppOptions::openapi_url (server/app/openapi.h), so that route
// comes first and shadows any user route at the same path. Apps can also be
// declared in YAML (server/app/route_file.h).
//
// Thread safety: register on one thread before serving; afterwards the App is
// read-only and shared by all loops.
#ifndef COROUTER_SERVER_APP_APP_H_
#define COROUTER_SERVER_APP_APP_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "server/app/dependency.h"
#include "server/app/request_context.h"
#include "server/app/response_model.h"
#include "server/http/response.h"
#include "server/loop/task.h"
#include "server/routing/parameters.h"
#include "server/routing/router.h"

namespace corouter::app {

using AsyncHandler = std::function<loop::Task<http::Response>(RequestContext&)>;
using SyncHandler = std::function<http::Response(RequestContext&)>;

/// FastAPI's `responses=`: additional responses for the OpenAPI document,
/// by status code ("404", "4XX", "default"), each a Response object such as
/// {"description": "Not found"} (server/app/openapi.h writes them as
/// get_openapi_path does). Later entries replace earlier ones of the same
/// code in place, as Python's `{**a, **b}` merges dicts.
using AdditionalResponses = std::vector<std::pair<std::string, http::Json>>;

/// `{**base, **over}`: base's codes in order with over's values where both
/// have one, then over's other codes.
AdditionalResponses MergeResponses(AdditionalResponses base, const AdditionalResponses& over);

/// One registered path operation.
struct PathOperation {
  std::vector<std::string> methods;  // sorted
  std::string path;                  // the path template as written
  std::string endpoint;              // the function name: "read_item"
  std::vector<routing::ParamSpec> params;
  /// Its dependencies (server/app/dependency.h), solved before it runs:
  /// the parameterless ones first (the app's, its routers', the
  /// decorator's `dependencies=`), then those of its signature, each in
  /// order. App::Add puts AppOptions::dependencies in front.
  std::vector<Depends> dependencies{};
  /// OpenAPI `tags`, in FastAPI's order (a router's before the route's own).
  std::vector<std::string> tags{};
  /// OpenAPI additional responses (`responses=`).
  AdditionalResponses responses{};
  /// `response_model=`: what a normal return's JSON body is validated
  /// against and filtered by (server/app/response_model.h); the OpenAPI
  /// document's success schema. Unset: the body is sent as returned.
  std::optional<ResponseModel> response_model{};
  AsyncHandler async_handler;  // set for async path operations
  SyncHandler sync_handler;    // set for sync ones
  /// When positive, the request is cancelled this long after the handler
  /// starts, as a deadline cancels it (Engine::Run); zero means none.
  std::chrono::nanoseconds timeout{0};
  /// The status of a successful response, as FastAPI's `status_code=`: what
  /// the OpenAPI document lists under `responses` (server/app/openapi.h).
  int status_code = 200;
  /// False for built-in routes such as /openapi.json, which FastAPI leaves
  /// out of the document (`include_in_schema=False`).
  bool include_in_schema = true;

  bool is_async() const { return static_cast<bool>(async_handler); }
};

/// FastAPI(...)'s arguments that describe the app itself.
struct AppOptions {
  /// FastAPI(title=...): the OpenAPI document's info.title.
  std::string title = "FastAPI";
  /// FastAPI(version=...): the OpenAPI document's info.version.
  std::string version = "0.1.0";
  /// FastAPI(openapi_url=...): where the OpenAPI document is served; empty
  /// for none.
  std::string openapi_url = "/openapi.json";
  /// FastAPI(dependencies=[...]): run before every path operation's own
  /// dependencies (not the built-in /openapi.json route's).
  std::vector<Depends> dependencies{};
};

class App {
 public:
  App() : App(AppOptions{}) {}
  /// With an `openapi_url`, the app starts with FastAPI's built-in route
  /// serving the OpenAPI document there (GET and HEAD, `openapi`), so that
  /// it comes before, and shadows, every route registered afterwards.
  explicit App(AppOptions options);

  /// Registers a path operation for `methods`. `handler` is an AsyncHandler
  /// or a SyncHandler (anything callable as one).
  template <typename Handler>
  App& Route(std::vector<std::string> methods, std::string path, std::string endpoint,
             std::vector<routing::ParamSpec> params, Handler&& handler) {
    PathOperation op;
    op.methods = std::move(methods);
    op.path = std::move(path);
    op.endpoint = std::move(endpoint);
    op.params = std::move(params);
    using Result = std::invoke_result_t<Handler&, RequestContext&>;
    if constexpr (std::is_same_v<Result, loop::Task<http::Response>>) {
      op.async_handler = std::forward<Handler>(handler);
    } else {
      static_assert(std::is_convertible_v<Result, http::Response>,
                    "a handler returns loop::Task<http::Response> or http::Response");
      op.sync_handler = std::forward<Handler>(handler);
    }
    Add(std::move(op));
    return *this;
  }

  /// Route({"GET"}, ...): FastAPI's @app.get.
  template <typename Handler>
  App& Get(std::string path, std::string endpoint, std::vector<routing::ParamSpec> params,
           Handler&& handler) {
    return Route({"GET"}, std::move(path), std::move(endpoint), std::move(params),
                 std::forward<Handler>(handler));
  }

  /// Registers a prepared path operation (see the class comment for errors),
  /// with AppOptions::dependencies in front of its own, as FastAPI's
  /// app.add_api_route does.
  void Add(PathOperation op);

  /// OK, or the first registration error (INVALID_ARGUMENT naming the route).
  const absl::Status& status() const { return status_; }
  /// Records a registration error found outside Add (a router's), kept if
  /// it is the first.
  void Fail(absl::Status status) {
    if (status_.ok()) status_ = std::move(status);
  }

  /// The path operations, in registration order (indices match the router's).
  const std::vector<PathOperation>& operations() const { return operations_; }
  const routing::Router& router() const { return router_; }
  const AppOptions& options() const { return options_; }

 private:
  // Registers `op` as it is (the built-in routes, and Add after its part).
  void AddPrepared(PathOperation op);

  AppOptions options_;
  std::vector<PathOperation> operations_;
  routing::Router router_;
  absl::Status status_;
};

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_APP_H_
