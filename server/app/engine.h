// server/app/engine.h
//
// Engine: the life of one path request, from the request line to the HTTP
// response, as FastAPI + Starlette + uvicorn run it (shared/reference/
// fastapi-semantics.md section 0):
//   1. the request target is split and its path percent-decoded (uvicorn);
//   2. the router picks the route, or answers 404 / 405 / the 307 of
//      redirect_slashes (Starlette's Router);
//   3. the body is read when the operation declares body parameters (invalid
//      JSON: 422, unreadable: 400), then the declared parameters are bound
//      and validated, or 422 (FastAPI's get_request_handler and
//      solve_dependencies);
//   4. the path operation runs: an async one as a coroutine on this loop, a
//      sync one on the executor (run_in_threadpool);
//   5. an HttpException becomes its response, any other error a 500
//      (ServerErrorMiddleware), logged; the server keeps serving. So is a
//      response that cannot start: a body JSON cannot hold (NaN, infinity:
//      http::JsonSerializationError) or a header field Starlette cannot
//      encode or HTTP forbids (http::CheckSendable). That 500 is a fresh one,
//      with none of the headers the path operation or exception set;
//   6. background tasks the path operation added (RequestContext::
//      AddBackgroundTask) come back in Outcome::background when it returned
//      normally, to run after the response (server/app/background_task.h);
//   7. a cancelled request (loop::CancelledError from an await) ends with a
//      CANCELLED step and no response. A path operation with a timeout
//      (PathOperation::timeout) arms a timer on the request's loop when its
//      handler starts; when it fires, the request is cancelled with the
//      reason "route timeout 2s", as a gRPC deadline would cancel it.
// Each step is traced: RECEIVED, ROUTE_MATCHED, HANDLER_STARTED, the
// awaitables' steps, HANDLER_RETURNED or FAILED. RESPONSE_SENT is the gRPC
// front's, which knows when the response is handed over.
//
// Thread safety: Run is called on an event loop thread; the App is shared
// read-only, so one Engine serves every loop.
#ifndef COROUTER_SERVER_APP_ENGINE_H_
#define COROUTER_SERVER_APP_ENGINE_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "server/app/app.h"
#include "server/app/background_task.h"
#include "server/app/call_fault.h"
#include "server/http/response.h"
#include "server/loop/task.h"
#include "server/loop/task_context.h"
#include "server/routing/path_template.h"

namespace corouter::app {

/// The route a request was dispatched to.
struct RouteInfo {
  const PathOperation* operation = nullptr;
  routing::PathParams path_params;
};

/// What a request produced.
struct Outcome {
  http::Response response;
  std::optional<RouteInfo> route;  // unset for 404 and 405
  /// The request was cancelled (client cancel, deadline, shutdown), or a
  /// route file's fault ended it (`fault`): there is no response to send;
  /// the trace ended with CANCELLED.
  bool cancelled = false;
  /// The route file's `abort` or `reset` (call_fault.h) that ended the
  /// request: the gRPC front ends the call as it says. Implies `cancelled`.
  std::optional<CallFault> fault;
  /// The background tasks the path operation added, when it returned
  /// normally (never for an HTTPException, an error or a cancel): the gRPC
  /// front runs them after RESPONSE_SENT (RunBackgroundTasks). Null if none.
  std::unique_ptr<BackgroundWork> background;
  /// The path operation's parameters after coercion, in signature order
  /// (the endpoint's own, with dependencies), when
  /// EngineOptions::record_parameters; empty when it was not called.
  routing::ParamValues parameters;
};

/// The request as it came over the wire.
struct WireRequest {
  std::string method;
  std::string target;
  http::Headers headers;
  std::string body;
};

/// What the engine needs to know about the server it runs in.
struct EngineOptions {
  /// The server's address as Starlette writes scope["server"] into a URL:
  /// "host:port", or "host" for port 80. A redirect_slashes `location` uses
  /// it when the request has no valid `host` header (uvicorn puts the
  /// listening socket's address there). The server should pass the address
  /// it listens on; the default is corouter-server's default --listen.
  std::string server_authority = "127.0.0.1:50051";
  /// Copy the path operation's parameters, after coercion, into
  /// Outcome::parameters (the request journal wants them); off, they are
  /// not copied.
  bool record_parameters = false;
};

/// The sizes a request may reach before Engine::Validate refuses it.
/// FastAPI and uvicorn limit neither the body nor the target; a gRPC server
/// must bound what it buffers, so corouter states its limits (README,
/// "Security") and names the one broken.
struct RequestLimits {
  /// gRPC's default receive limit for a whole message, kept as the default
  /// body limit so that a body a default gRPC server took is still taken.
  static constexpr std::size_t kDefaultMaxBodyBytes = 4 * 1024 * 1024;
  /// The largest body, in bytes (corouter-server --max-body-size).
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
};

/// The gRPC receive limit (bytes of one serialised request message) that
/// lets through every request within `limits`, http::kMaxRequestTargetBytes
/// and http::kMaxRequestHeaderBytes, with 64 KiB to spare for the method,
/// the request id and protobuf framing. A message over it is refused by
/// gRPC itself (RESOURCE_EXHAUSTED, "Received message larger than max");
/// anything under it reaches Validate, which names the limit broken.
int GrpcReceiveLimit(const RequestLimits& limits);

class Engine {
 public:
  /// `app` must outlive the Engine and have an OK status.
  explicit Engine(const App& app, EngineOptions options = {})
      : app_(app), options_(std::move(options)) {}

  /// Checks that `request` is an HTTP request at all: the method is an RFC
  /// 9110 token, the target is origin-form, and the header fields are ones
  /// an HTTP server would have received (token names; no CR, LF or NUL in a
  /// value; within http::kMaxRequestHeaderFields and
  /// http::kMaxRequestHeaderBytes: http::CheckRequestHeaders), the target is
  /// within http::kMaxRequestTargetBytes, and the body within
  /// `limits.max_body_bytes`. Errors: INVALID_ARGUMENT with a message naming
  /// the field (`request.method`, `request.target`,
  /// `request.headers[2].name`, `request.headers`); RESOURCE_EXHAUSTED for a
  /// body over the limit (the code gRPC gives a message over its receive
  /// limit), naming `--max-body-size`.
  static absl::Status Validate(const WireRequest& request, const RequestLimits& limits = {});

  /// Runs a request that passed Validate. `context` (loop, executor, trace)
  /// must outlive the returned Task. Never throws: every failure is a
  /// response.
  loop::Task<Outcome> Run(WireRequest request, loop::TaskContext& context) const;

  /// uvicorn's part as it writes a response to `method`: to a HEAD request
  /// it sends no content (RFC 9110 9.3.2; uvicorn skips the body for HEAD),
  /// and every header stays as the app set it, `content-length` included,
  /// so a HEAD answers with a GET's headers. The gRPC front applies it to
  /// what reaches the client.
  static void PrepareForWire(std::string_view method, http::Response* response);

 private:
  const App& app_;
  const EngineOptions options_;
};

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_ENGINE_H_
