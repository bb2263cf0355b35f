// server/app/dependency.h
//
// Dependencies: FastAPI's `Depends(callable)` (fastapi/dependencies/utils.py,
// FastAPI 0.92), a function the engine calls before the path operation and
// whose value it passes in:
//
//   async def common_parameters(q: str | None = None, skip: int = 0):
//       return {"q": q, "skip": skip}
//   @app.get("/items/", dependencies=[Depends(verify_key)])
//   async def read_items(commons: dict = Depends(common_parameters)): ...
//
// In C++:
//
//   auto common = std::make_shared<Dependency>();
//   common->name = "common_parameters";
//   common->params = {ParamSpec::OptionalQuery("q", ParamType::kStr),
//                     ParamSpec::OptionalQuery("skip", ParamType::kInt, 0)};
//   common->async_handler = [](RequestContext& ctx) -> loop::Task<http::Json> {
//     co_return http::Json{{"q", ctx.Param("q")}, {"skip", ctx.Param("skip")}};
//   };
//   op.dependencies = {Depends::Parameterless(verify_key),
//                      Depends::Named("commons", common)};
//
// How the engine solves them (solve_dependencies), for each request:
//   - a dependant's dependencies are solved before its own parameters are
//     bound, depth first, in their order. A path operation's are its
//     parameterless ones (the decorator's `dependencies=`, after the app's
//     and its routers', fastapi/routing.py add_api_route) and then those of
//     its signature;
//   - a dependency whose own parameters or dependencies failed validation is
//     not called; its errors join the request's, and solving goes on, so
//     every error of every dependant comes in one 422, in this order;
//   - a dependency runs when it is reached, before the path operation's own
//     parameters are validated: its steps happen even if the request then
//     ends in a 422;
//   - with `use_cache` (the default) a dependency the request already called
//     is not called again: its first value is reused (the cache key is the
//     Dependency object: one callable). Its parameters are still validated
//     each time it is used, so a missing one is reported each time, as
//     FastAPI does;
//   - an HttpException (or any error) raised in a dependency ends the
//     request there, as if the path operation had raised it;
//   - a yield dependency (one with a teardown) runs its teardown once the
//     request is over: after the response and its background tasks when
//     the path operation returned normally; before the response when the
//     request ended in an error (422, HttpException, 500), as FastAPI 0.92's
//     AsyncExitStackMiddleware unwinds inside its ExceptionMiddleware. The
//     teardowns run last in, first out. The teardown is the code after a
//     `yield` inside `try: ... finally:`: it always runs.
// Traced as DEPENDENCY_STARTED and DEPENDENCY_FINISHED around each call and
// each teardown; a cached use is not traced (nothing runs).
//
// Thread safety: a Dependency is immutable once registered and shared by
// every request and loop. An async handler runs on the request's loop, a
// sync one on the executor (run_in_threadpool), as path operations do.
#ifndef COROUTER_SERVER_APP_DEPENDENCY_H_
#define COROUTER_SERVER_APP_DEPENDENCY_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "server/http/response.h"
#include "server/loop/task.h"
#include "server/routing/parameters.h"

namespace corouter::app {

class RequestContext;
struct Dependency;

/// One use of a dependency: `name: T = Depends(dependency, use_cache=...)`
/// in a signature, or `Depends(dependency)` in a `dependencies=` list
/// (parameterless: its value is dropped).
struct Depends {
  std::shared_ptr<const Dependency> dependency;
  /// The parameter that receives the value; empty for a parameterless use.
  std::string name;
  /// Depends(use_cache=...): reuse the value if the request already called
  /// this dependency.
  bool use_cache = true;

  static Depends Named(std::string name, std::shared_ptr<const Dependency> dependency,
                       bool use_cache = true) {
    return Depends{std::move(dependency), std::move(name), use_cache};
  }
  static Depends Parameterless(std::shared_ptr<const Dependency> dependency,
                               bool use_cache = true) {
    return Depends{std::move(dependency), std::string(), use_cache};
  }
};

/// A function used with Depends. Exactly one of the two handlers is set; a
/// teardown, if any, is of the same kind (an async generator's code after
/// `yield` runs on the loop, a sync one's on the executor, as
/// contextmanager_in_threadpool runs it).
struct Dependency {
  /// The function's name ("common_parameters"): the trace and the log.
  std::string name;
  /// Its own parameters, in signature order, bound from the request as a
  /// path operation's are (routing::BindParameters).
  std::vector<routing::ParamSpec> params;
  /// Its own dependencies, solved before its parameters are bound.
  std::vector<Depends> dependencies;
  /// Returns the value (`return` or the `yield`ed one). The RequestContext
  /// holds its parameters and its named dependencies' values.
  std::function<loop::Task<http::Json>(RequestContext&)> async_handler;
  std::function<http::Json(RequestContext&)> sync_handler;
  /// Set for a yield dependency: the code after its `yield`, run as the
  /// file comment says, with a RequestContext holding the same values.
  std::function<loop::Task<void>(RequestContext&)> async_teardown;
  std::function<void(RequestContext&)> sync_teardown;

  bool is_async() const { return static_cast<bool>(async_handler); }
  bool has_teardown() const { return async_teardown || sync_teardown; }
};

/// Checks one dependant (a path operation or a dependency): each of its
/// parameters as routing::CheckParamSpec does, that its parameters and named
/// uses have distinct names, and that each path parameter is one of
/// `path_names`. Errors: INVALID_ARGUMENT saying the problem
/// ("parameter 'q' is declared twice"); the caller names the dependant.
absl::Status CheckDependant(const std::vector<routing::ParamSpec>& params,
                            const std::vector<Depends>& uses,
                            const std::vector<std::string>& path_names);

/// Checks `uses` (and, recursively, the dependencies they name) as FastAPI
/// checks a dependant when the route is defined: a null dependency, a
/// dependency without exactly one handler or with a teardown of the other
/// kind, a parameter CheckParamSpec refuses, a path parameter `path_names`
/// does not list, two parameters (or named uses) of one dependant with the
/// same name. Errors: INVALID_ARGUMENT naming the dependency.
absl::Status CheckDependencies(const std::vector<Depends>& uses,
                               const std::vector<std::string>& path_names);

/// get_flat_dependant: the parameters of a path operation whose own ones are
/// `params` and whose dependencies are `uses`, its own first and then each
/// dependency's, depth first. With `skip_repeats` (what the OpenAPI document
/// lists) a dependency already visited is left out the second time.
std::vector<const routing::ParamSpec*> FlatParams(const std::vector<routing::ParamSpec>& params,
                                                  const std::vector<Depends>& uses,
                                                  bool skip_repeats);

/// get_body_field's decision for the flat parameters: true when the body
/// holds every body parameter by its name (more than one distinct name, or
/// the first one embedded), false when a single body parameter is the whole
/// body. FastAPI then treats every body parameter as embedded, whichever
/// dependant declares it.
bool FlatBodyEmbedded(const std::vector<const routing::ParamSpec*>& flat);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_DEPENDENCY_H_
