#include "server/app/engine.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "server/app/dependency.h"
#include "server/app/dependency_solver.h"
#include "server/app/http_exception.h"
#include "server/app/request_context.h"
#include "server/app/response_model.h"
#include "server/http/json_decode.h"
#include "server/http/request_headers.h"
#include "server/http/request_target.h"
#include "server/http/sendable_headers.h"
#include "server/loop/deadline.h"
#include "server/loop/offload.h"
#include "server/routing/parameters.h"
#include "server/routing/redirect_slashes.h"
#include "server/routing/request_body.h"
#include "server/routing/router.h"

namespace corouter::app {
namespace {

http::Response NotFound() { return http::JsonResponse({{"detail", "Not Found"}}, 404); }

// Starlette's Router answer when only the path matched (starlette/routing.py
// Router.__call__ -> the partial route's handle -> 405 with `allow`), in
// FastAPI's JSON form (its HTTPException handler).
http::Response MethodNotAllowed(const std::vector<std::string>& allowed) {
  return HttpException(405, nullptr, {{"allow", routing::AllowHeader(allowed)}}).ToResponse();
}

// What get_request_handler (fastapi/routing.py) does before the endpoint
// runs: read the body when the operation declares body parameters (a
// JSONDecodeError is a 422 of its own, other read errors a 400), then
// solve_dependencies (every error of path, query, header and body: 422).
//
// A path operation with dependencies reads the body when any of them
// declares a body parameter (get_body_field over the flat dependant); its
// parameters are bound later, as the DependencySolver reaches each
// dependant.
struct Prepared {
  routing::ParamValues values;
  routing::RequestBody body;
  bool body_embedded = false;  // with dependencies: FlatBodyEmbedded
  std::optional<http::Response> failure;
  std::string failure_detail;  // for the FAILED trace step
};

Prepared PrepareChecked(const PathOperation& op, const routing::RouteResult& match,
                        const Request& request) {
  Prepared prepared;
  routing::RequestBody& body = prepared.body;
  bool reads_body = false;
  bool reads_form = false;  // FastAPI's is_body_form
  if (op.dependencies.empty()) {
    reads_body = routing::HasBodyParameters(op.params);
    reads_form = routing::HasFormParameters(op.params);
  } else {
    const std::vector<const routing::ParamSpec*> flat =
        FlatParams(op.params, op.dependencies, /*skip_repeats=*/false);
    for (const routing::ParamSpec* spec : flat) {
      reads_body = reads_body || routing::IsBodyLocation(spec->location);
      reads_form = reads_form || routing::IsFormLocation(spec->location);
    }
    prepared.body_embedded = FlatBodyEmbedded(flat);
  }
  if (reads_form) {
    std::variant<routing::RequestBody, http::FormError> read =
        routing::ReadRequestForm(request.headers, request.body);
    if (auto* error = std::get_if<http::FormError>(&read)) {
      prepared.failure = routing::FormErrorResponse(*error);
      prepared.failure_detail = absl::StrCat("400 unreadable form: ", error->message);
      return prepared;
    }
    body = std::get<routing::RequestBody>(std::move(read));
  } else if (reads_body) {
    routing::BodyReadResult read = routing::ReadRequestBody(request.headers, request.body);
    if (auto* error = std::get_if<routing::ValidationError>(&read)) {
      prepared.failure = routing::ValidationErrorResponse({*error});
      prepared.failure_detail = absl::StrCat("422 invalid JSON body: ", error->msg);
      return prepared;
    }
    if (auto* error = std::get_if<http::JsonReadError>(&read)) {
      prepared.failure = routing::BodyParseErrorResponse();
      prepared.failure_detail = absl::StrCat("400 unreadable body: ", error->reason);
      return prepared;
    }
    body = std::get<routing::RequestBody>(std::move(read));
  }
  if (!op.dependencies.empty()) return prepared;
  routing::BindResult bound = routing::BindParameters(
      op.params, routing::RequestParts{match.path_params, match.path_template, request.query,
                                       request.headers, body});
  if (!bound.errors.empty()) {
    prepared.failure = routing::ValidationErrorResponse(bound.errors);
    prepared.failure_detail = absl::StrCat("422 request validation: ", bound.errors.size(),
                                           bound.errors.size() == 1 ? " error" : " errors");
    return prepared;
  }
  prepared.values = std::move(bound.values);
  return prepared;
}

// Prepare, where the error response itself may fail to serialise (a
// constraint of `.inf` echoed in a 422's ctx: FastAPI's exception handler
// raising) or a validator may raise what pydantic does not catch (a time
// from a negative number): then ServerErrorMiddleware's 500.
Prepared Prepare(const PathOperation& op, const routing::RouteResult& match,
                 const Request& request) {
  try {
    return PrepareChecked(op, match, request);
  } catch (const std::runtime_error& e) {
    // http::JsonSerializationError, or routing::UncaughtValidatorError (an
    // OverflowError escaping pydantic).
    std::cerr << "corouter: unhandled error in " << op.endpoint << " (" << request.method << " "
              << request.target << "): " << e.what() << std::endl;
    Prepared failed;
    failed.failure = http::InternalServerError();
    failed.failure_detail = absl::StrCat("unhandled error: ", e.what());
    return failed;
  }
}

// serialize_response, on the JSON body the path operation returned: the
// validated, filtered value replaces it. A body that is not JSON (a
// response the handler built otherwise) is left as it is; one that fails
// validation throws, as pydantic's ValidationError leaves FastAPI's request
// handler: the engine answers ServerErrorMiddleware's 500.
void ApplyResponseModel(const ResponseModel& model, http::Response* response) {
  const std::optional<std::string_view> type = http::FindHeader(response->headers, "content-type");
  if (!type.has_value() || *type != "application/json" || response->body.empty()) return;
  http::JsonLoadResult loaded = http::JsonLoads(response->body);
  const http::Json* content = std::get_if<http::Json>(&loaded);
  if (content == nullptr) return;
  absl::StatusOr<http::Json> serialized = SerializeResponse(model, *content);
  if (!serialized.ok()) throw std::runtime_error(std::string(serialized.status().message()));
  http::Response rewritten = http::JsonResponse(*serialized, response->status_code);
  response->body = std::move(rewritten.body);
  for (http::Header& header : response->headers) {
    if (header.name == "content-length") {
      header.value = *http::FindHeader(rewritten.headers, "content-length");
    }
  }
}

}  // namespace

int GrpcReceiveLimit(const RequestLimits& limits) {
  constexpr std::size_t kSpare = 64 * 1024;
  const std::size_t total =
      limits.max_body_bytes + http::kMaxRequestTargetBytes + http::kMaxRequestHeaderBytes + kSpare;
  return static_cast<int>(std::min<std::size_t>(total, std::numeric_limits<int>::max()));
}

absl::Status Engine::Validate(const WireRequest& request, const RequestLimits& limits) {
  if (request.method.empty()) {
    return absl::InvalidArgumentError("request.method is empty; want an HTTP method such as GET");
  }
  if (!http::IsHttpToken(request.method)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request.method \"", request.method, "\" is not an HTTP method token (RFC 9110 9.1)"));
  }
  if (request.target.size() > http::kMaxRequestTargetBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request.target is ", request.target.size(), " bytes; at most ",
                     http::kMaxRequestTargetBytes,
                     " are accepted (the request-head limit uvicorn runs h11 with)"));
  }
  if (auto target = http::ParseRequestTarget(request.target); !target.ok()) {
    // "target: must start with '/'" -> "request.target: ...": name the field.
    return absl::InvalidArgumentError(absl::StrCat("request.", target.status().message()));
  }
  // "headers[2].name ..." -> "request.headers[2].name ...".
  if (absl::Status headers = http::CheckRequestHeaders(request.headers); !headers.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("request.", headers.message()));
  }
  if (request.body.size() > limits.max_body_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("request.body is ", request.body.size(),
                                                     " bytes; this server accepts at most ",
                                                     limits.max_body_bytes, " (--max-body-size)"));
  }
  return absl::OkStatus();
}

void Engine::PrepareForWire(std::string_view method, http::Response* response) {
  if (method == "HEAD") response->body.clear();
}

loop::Task<Outcome> Engine::Run(WireRequest wire, loop::TaskContext& context) const {
  trace::RequestTrace& trace = *context.trace;
  trace.Emit(trace::Step::kReceived, wire.method, " ", wire.target);
  Outcome outcome;

  auto target = http::ParseRequestTarget(wire.target);
  if (!target.ok()) {  // Validate() was skipped: still answer, never crash.
    outcome.response =
        http::JsonResponse({{"detail", std::string(target.status().message())}}, 400);
    co_return outcome;
  }
  // An HTTP server hands the app each field value without the optional
  // whitespace around it (RFC 9110 5.5; h11's `OWS field-value OWS`, so
  // uvicorn's): a `Header()` parameter sent " abc " reads "abc".
  for (http::Header& header : wire.headers) {
    const size_t first = header.value.find_first_not_of(" \t");
    if (first == std::string::npos) {
      header.value.clear();
    } else if (first > 0 || header.value.back() == ' ' || header.value.back() == '\t') {
      header.value = header.value.substr(first, header.value.find_last_not_of(" \t") - first + 1);
    }
  }
  Request request{std::move(wire.method),  std::move(wire.target),
                  std::move(target->path), http::QueryParams::Parse(target->query),
                  std::move(wire.headers), std::move(wire.body)};

  routing::RouteResult match = app_.router().Match(request.method, request.path);
  switch (match.kind) {
    case routing::RouteResult::Kind::kNotFound:
      outcome.response = NotFound();
      co_return outcome;
    case routing::RouteResult::Kind::kMethodNotAllowed:
      outcome.response = MethodNotAllowed(match.allowed_methods);
      co_return outcome;
    case routing::RouteResult::Kind::kRedirectSlashes:
      outcome.response = routing::RedirectSlashesResponse(
          match.redirect_path, target->query, request.headers, options_.server_authority);
      co_return outcome;
    case routing::RouteResult::Kind::kMatched:
      break;
  }

  const PathOperation& op = app_.operations()[match.route];
  Prepared bound = Prepare(op, match, request);
  outcome.route = RouteInfo{&op, std::move(match.path_params)};
  if (trace.enabled()) {
    trace.EmitRouteMatched(trace::RouteData{op.path, op.endpoint, outcome.route->path_params},
                           "calling ", op.is_async() ? "async def " : "def ", op.endpoint,
                           op.is_async() ? "" : " in the executor");
  }
  if (bound.failure.has_value()) {
    trace.Emit(trace::Step::kFailed, bound.failure_detail);
    outcome.response = *std::move(bound.failure);
    co_return outcome;
  }

  // The route's timeout cancels the handler at its current await, as a
  // passed gRPC deadline does. It covers the dependencies too: they are
  // part of the request's handling.
  std::optional<loop::Deadline> route_deadline;
  if (op.timeout > std::chrono::nanoseconds::zero() && context.loop != nullptr) {
    route_deadline.emplace(
        context, op.timeout,
        absl::StrCat("route timeout ", absl::FormatDuration(absl::FromChrono(op.timeout))));
  }
  const routing::RequestParts parts{
      outcome.route->path_params, match.path_template, request.query, request.headers, bound.body,
      bound.body_embedded};
  DependencySolver solver(request, parts, trace, &app_);
  std::optional<RequestContext> ctx;
  std::vector<BackgroundTask> tasks;
  bool returned = false;  // the path operation returned normally
  bool invalid = false;   // a dependant's parameters failed validation: 422
  // What ServerErrorMiddleware answers with its fresh 500 (none of the
  // route's headers): an error escaping the endpoint or its serialisation,
  // or a header field the response cannot start with.
  std::optional<std::string> unhandled;
  try {
    if (!op.dependencies.empty()) {
      Solved solved = co_await solver.Solve(op.dependencies, op.params);
      if (!solved.errors.empty()) {
        // RequestValidationError, raised after every dependant was solved.
        trace.Emit(trace::Step::kFailed, "422 request validation: ", solved.errors.size(),
                   solved.errors.size() == 1 ? " error" : " errors");
        invalid = true;
        outcome.response = routing::ValidationErrorResponse(solved.errors);
      } else {
        bound.values = std::move(solved.values);
      }
    }
    if (!invalid) {
      const std::string call =
          trace.enabled() ? DescribeCall(op.endpoint, bound.values) : std::string();
      if (options_.record_parameters) outcome.parameters = bound.values;
      ctx.emplace(request, std::move(bound.values), trace, &app_);
      if (op.is_async()) {
        trace.Emit(trace::Step::kHandlerStarted, "async def ", call);
        outcome.response = co_await op.async_handler(*ctx);
      } else {
        // run_in_threadpool: only the endpoint call runs on the worker thread.
        auto run = [&] {
          trace.Emit(trace::Step::kHandlerStarted, "def ", call);
          return op.sync_handler(*ctx);
        };
        outcome.response = co_await loop::Offload(absl::StrCat("def ", op.endpoint), run);
      }
      trace.Emit(trace::Step::kHandlerReturned, op.endpoint, " returned ",
                 outcome.response.status_code);
      tasks = ctx->TakeBackgroundTasks();
      returned = true;
      if (op.response_model.has_value()) ApplyResponseModel(*op.response_model, &outcome.response);
    }
  } catch (const loop::CancelledError& e) {
    trace.Emit(trace::Step::kCancelled, "cancelled at its await: ", e.what());
    outcome.cancelled = true;
  } catch (const CallFault& e) {
    // Not an HTTP outcome at all: the call ends as the fault says.
    trace.Emit(trace::Step::kCancelled,
               e.kind() == CallFault::Kind::kReset
                   ? "the route reset the stream"
                   : absl::StrCat("the route aborted the call: ", e.message()));
    outcome.cancelled = true;
    outcome.fault = e;
  } catch (const HttpException& e) {
    trace.Emit(trace::Step::kFailed, "raised ", e.what());
    // FastAPI's http_exception_handler builds a JSONResponse, which can fail
    // too (a NaN detail, a header value beyond Latin-1).
    try {
      outcome.response = e.ToResponse();
    } catch (const std::exception& error) {
      unhandled = error.what();
    }
  } catch (const std::exception& e) {
    unhandled = e.what();
  } catch (...) {
    unhandled = "a non-standard exception";
  }
  // The response starts: Starlette encodes its header fields now, whichever
  // path built it.
  if (!unhandled.has_value() && !outcome.cancelled) {
    if (absl::Status sendable = http::CheckSendable(outcome.response.headers); !sendable.ok()) {
      unhandled = std::string(sendable.message());
    }
  }
  std::vector<PendingTeardown> teardowns = solver.TakeTeardowns();
  if (returned && !unhandled.has_value()) {
    // Background tasks, then the yield dependencies' teardowns, after the
    // response (Response.__call__ runs the tasks inside FastAPI 0.92's
    // AsyncExitStackMiddleware).
    if (!tasks.empty() || !teardowns.empty()) {
      outcome.background = std::make_unique<BackgroundWork>(
          BackgroundWork{request, ctx->params(), &app_, std::move(tasks), std::move(teardowns)});
    }
  } else if (!teardowns.empty()) {
    // The error unwinds the exit stack before ExceptionMiddleware (or
    // ServerErrorMiddleware) answers: the teardowns run first.
    co_await RunTeardowns(std::move(teardowns), request, trace, &app_);
  }
  if (unhandled.has_value()) {
    // ServerErrorMiddleware: log the error, answer 500, keep serving; the
    // fresh response carries no background tasks.
    std::cerr << "corouter: unhandled error in " << op.endpoint << " (" << request.method << " "
              << request.target << "): " << *unhandled << std::endl;
    trace.Emit(trace::Step::kFailed, "unhandled error: ", *unhandled);
    outcome.response = http::InternalServerError();
  }
  route_deadline.reset();
  co_return outcome;
}

}  // namespace corouter::app
