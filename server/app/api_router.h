// server/app/api_router.h
//
// ApiRouter: FastAPI's APIRouter (fastapi/routing.py, FastAPI 0.92), a group
// of path operations with a common prefix, tags, dependencies and
// additional responses, included in an App (or in another router) in
// order:
//
//   users = APIRouter(prefix="/users", tags=["users"],
//                     dependencies=[Depends(verify_token)],
//                     responses={404: {"description": "Not found"}})
//   @users.get("/{user_id}") ...
//   app.include_router(users, prefix="/v1", tags=["v1"])
//
//   ApiRouter users({.prefix = "/users", .tags = {"users"}, ...});
//   users.Add(std::move(read_user));
//   app::IncludeRouter(&app, users, {.prefix = "/v1", .tags = {"v1"}});
//
// What each step does to a path operation, exactly as FastAPI 0.92:
//   - ApiRouter::Add (APIRouter.add_api_route): path = prefix + path;
//     tags = the router's tags, then the operation's; dependencies = the
//     router's, then the operation's; responses = {**router's, **op's}.
//   - Including (include_router): path = include prefix + path; tags = the
//     include's tags, then the operation's; dependencies = the include's,
//     then the operation's; responses = {**include's, **op's}; then the
//     including router's (or App's) own Add applies its part. Nested
//     routers compose: the innermost prefix is nearest the path.
// So a route's operationId and summary keep its endpoint name and take the
// full path (generate_unique_id), as FastAPI's do.
//
// Errors (INVALID_ARGUMENT, kept in status() like App's): a prefix that
// does not start with '/' or ends with '/' (APIRouter's and include_router's
// asserts), and, when neither the router nor the include has a prefix, a
// path operation whose path is empty ("Prefix and path cannot be both
// empty"). The operations themselves are checked when they reach an App.
//
// Thread safety: build on one thread; an ApiRouter is not shared.
#ifndef COROUTER_SERVER_APP_API_ROUTER_H_
#define COROUTER_SERVER_APP_API_ROUTER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/app/app.h"
#include "server/app/dependency.h"

namespace corouter::app {

/// APIRouter(...)'s and include_router(...)'s arguments.
struct RouterOptions {
  std::string prefix{};
  std::vector<std::string> tags{};
  std::vector<Depends> dependencies{};
  AdditionalResponses responses{};
};

class ApiRouter {
 public:
  explicit ApiRouter(RouterOptions options = {});

  /// APIRouter.add_api_route: registers `op` with the router's part applied.
  void Add(PathOperation op);

  /// APIRouter.include_router(router, prefix=..., tags=..., ...).
  void IncludeRouter(const ApiRouter& router, const RouterOptions& include = {});

  /// The path operations as registered here, in order.
  const std::vector<PathOperation>& operations() const { return operations_; }
  /// OK, or the first error (see the file comment).
  const absl::Status& status() const { return status_; }

 private:
  RouterOptions options_;
  std::vector<PathOperation> operations_;
  absl::Status status_;
};

/// FastAPI.include_router: adds `router`'s path operations to `app` with
/// `include`'s part applied, then App::Add's (the app's dependencies). A
/// router whose status is not OK, or a bad include prefix, sets the App's
/// status instead (App::Fail).
void IncludeRouter(App* app, const ApiRouter& router, const RouterOptions& include = {});

/// The path operations `router` gives when included with `include`, before
/// the including side applies its own part; or the error.
absl::StatusOr<std::vector<PathOperation>> IncludedOperations(const ApiRouter& router,
                                                              const RouterOptions& include);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_API_ROUTER_H_
