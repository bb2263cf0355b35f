// server/app/dependency_solver.h
//
// DependencySolver: one request's solve_dependencies (FastAPI 0.92,
// fastapi/dependencies/utils.py), with the rules server/app/dependency.h
// states: dependencies depth first and in order, each called once per
// request unless `use_cache` is off, every dependant's validation errors
// gathered into one list in FastAPI's order, and the teardowns of yield
// dependencies kept for later. RunTeardowns runs them.
//
// Thread safety: a solver belongs to one request and runs on its loop.
#ifndef COROUTER_SERVER_APP_DEPENDENCY_SOLVER_H_
#define COROUTER_SERVER_APP_DEPENDENCY_SOLVER_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/app/dependency.h"
#include "server/app/request_context.h"
#include "server/loop/task.h"
#include "server/routing/parameters.h"
#include "server/routing/validation_error.h"
#include "server/trace/request_trace.h"

namespace corouter::app {

/// "read_item(item_id=1, q=\"test\")": a call as the trace shows it.
std::string DescribeCall(std::string_view function, const routing::ParamValues& values);

/// A yield dependency that was called: its teardown is due, with the values
/// it was called with.
struct PendingTeardown {
  std::shared_ptr<const Dependency> dependency;
  routing::ParamValues values;
};

/// A dependant's bound values: its named dependencies' values, then its own
/// parameters' (the kwargs FastAPI calls it with); or the errors.
struct Solved {
  routing::ParamValues values;
  std::vector<routing::ValidationError> errors;
};

class DependencySolver {
 public:
  /// `request`, `parts` (what the parameters are read from) and `trace`
  /// must outlive the solver. `parts.body_embedded` should be set from
  /// FlatBodyEmbedded for the whole path operation.
  DependencySolver(const Request& request, const routing::RequestParts& parts,
                   trace::RequestTrace& trace, const App* app)
      : request_(request), parts_(parts), trace_(trace), app_(app) {}

  /// Solves a dependant whose dependencies are `uses` and whose own
  /// parameters are `params`. Dependencies run as they are reached; an
  /// exception one raises (HttpException, loop::CancelledError, any other)
  /// propagates, and the teardowns already due stay in the solver.
  loop::Task<Solved> Solve(const std::vector<Depends>& uses,
                           const std::vector<routing::ParamSpec>& params);

  /// The teardowns due, in the order their dependencies were called.
  std::vector<PendingTeardown> TakeTeardowns() { return std::move(teardowns_); }

 private:
  loop::Task<http::Json> Call(const std::shared_ptr<const Dependency>& dependency,
                              routing::ParamValues values);

  const Request& request_;
  const routing::RequestParts& parts_;
  trace::RequestTrace& trace_;
  const App* app_;
  // The request's dependency cache: the first value of each dependency.
  std::vector<std::pair<const Dependency*, http::Json>> cache_;
  std::vector<PendingTeardown> teardowns_;
};

/// Runs `teardowns` last in, first out, each with a RequestContext for
/// `request` holding the values its dependency was called with: an async
/// one on the loop, a sync one on the executor. Traced as
/// DEPENDENCY_STARTED "teardown of get_db" and DEPENDENCY_FINISHED. A
/// teardown that fails, or is cancelled at an await, is logged and traced
/// ("get_db teardown failed: ..."), and the others still run: they are the
/// `finally:` blocks of an exit stack. Never throws.
loop::Task<void> RunTeardowns(std::vector<PendingTeardown> teardowns, const Request& request,
                              trace::RequestTrace& trace, const App* app);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_DEPENDENCY_SOLVER_H_
