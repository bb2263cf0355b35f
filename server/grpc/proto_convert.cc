#include "server/grpc/proto_convert.h"

#include <chrono>
#include <string>

#include "absl/time/time.h"
#include "server/app/openapi.h"

namespace corouter::grpc_front {
namespace v1 = corouter::v1;

// The engine's steps are the wire's, value for value.
static_assert(static_cast<int>(trace::Step::kReceived) == v1::STEP_RECEIVED);
static_assert(static_cast<int>(trace::Step::kRouteMatched) == v1::STEP_ROUTE_MATCHED);
static_assert(static_cast<int>(trace::Step::kHandlerStarted) == v1::STEP_HANDLER_STARTED);
static_assert(static_cast<int>(trace::Step::kAwaitStarted) == v1::STEP_AWAIT_STARTED);
static_assert(static_cast<int>(trace::Step::kAwaitResumed) == v1::STEP_AWAIT_RESUMED);
static_assert(static_cast<int>(trace::Step::kOffloadQueued) == v1::STEP_OFFLOAD_QUEUED);
static_assert(static_cast<int>(trace::Step::kOffloadStarted) == v1::STEP_OFFLOAD_STARTED);
static_assert(static_cast<int>(trace::Step::kOffloadFinished) == v1::STEP_OFFLOAD_FINISHED);
static_assert(static_cast<int>(trace::Step::kBlockingCall) == v1::STEP_BLOCKING_CALL);
static_assert(static_cast<int>(trace::Step::kHandlerReturned) == v1::STEP_HANDLER_RETURNED);
static_assert(static_cast<int>(trace::Step::kResponseSent) == v1::STEP_RESPONSE_SENT);
static_assert(static_cast<int>(trace::Step::kFailed) == v1::STEP_FAILED);
static_assert(static_cast<int>(trace::Step::kCancelled) == v1::STEP_CANCELLED);
static_assert(static_cast<int>(trace::Step::kBackgroundStarted) == v1::STEP_BACKGROUND_STARTED);
static_assert(static_cast<int>(trace::Step::kBackgroundFinished) == v1::STEP_BACKGROUND_FINISHED);
static_assert(static_cast<int>(trace::Step::kNeverAwaited) == v1::STEP_NEVER_AWAITED);
static_assert(static_cast<int>(trace::Step::kDependencyStarted) == v1::STEP_DEPENDENCY_STARTED);
static_assert(static_cast<int>(trace::Step::kDependencyFinished) == v1::STEP_DEPENDENCY_FINISHED);

app::WireRequest FromProto(const v1::HttpRequest& request) {
  app::WireRequest out;
  out.method = request.method();
  out.target = request.target();
  out.headers.reserve(request.headers_size());
  for (const auto& h : request.headers()) out.headers.push_back({h.name(), h.value()});
  out.body = request.body();
  return out;
}

void ToProto(const http::Response& response, v1::HttpResponse* out) {
  out->set_status_code(response.status_code);
  for (const http::Header& h : response.headers) {
    auto* header = out->add_headers();
    header->set_name(h.name);
    header->set_value(h.value);
  }
  out->set_body(response.body);
}

void ToProto(const app::RouteInfo& route, v1::RouteMatch* out) {
  out->set_path_template(route.operation->path);
  out->set_endpoint(route.operation->endpoint);
  for (const auto& [name, value] : route.path_params) (*out->mutable_path_params())[name] = value;
}

void ToProto(const trace::TraceEvent& event, v1::TraceEvent* out) {
  out->set_sequence(event.sequence);
  out->set_step(static_cast<v1::Step>(event.step));
  out->set_time_unix_nano(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(event.time.time_since_epoch()).count()));
  out->set_elapsed_nanos(event.elapsed.count());
  out->set_loop(event.loop);
  out->set_thread(event.thread);
  out->set_detail(event.detail);
  if (event.route.has_value()) {
    auto* route = out->mutable_route();
    route->set_path_template(event.route->path_template);
    route->set_endpoint(event.route->endpoint);
    for (const auto& [name, value] : event.route->path_params) {
      (*route->mutable_path_params())[name] = value;
    }
  }
}

void ToProto(const watch::WatchEvent& event, v1::TraceEvent* out) {
  ToProto(event.event, out);
  out->set_request_id(event.request_id);
  if (!event.response.has_value()) return;
  v1::HttpResponse* response = out->mutable_response();
  response->set_status_code(event.response->status_code);
  for (const auto& [name, value] : event.response->headers) {
    v1::HttpHeader* header = response->add_headers();
    header->set_name(name);
    header->set_value(value);
  }
}

void ToProto(const app::App& app, v1::ListRoutesResponse* out) {
  for (const app::PathOperation& op : app.operations()) {
    v1::Route* route = out->add_routes();
    for (const std::string& m : op.methods) route->add_methods(m);
    route->set_path_template(op.path);
    route->set_endpoint(op.endpoint);
    route->set_is_async(op.is_async());
    if (op.include_in_schema) {
      route->set_operation_id(app::OperationId(op));
      route->set_summary(app::OperationSummary(op));
    }
    for (const routing::ParamSpec& spec : op.params) {
      v1::Parameter* p = route->add_parameters();
      p->set_name(spec.name);
      switch (spec.location) {
        case routing::ParamLocation::kPath:
          p->set_location(v1::PARAMETER_LOCATION_PATH);
          break;
        case routing::ParamLocation::kQuery:
          p->set_location(v1::PARAMETER_LOCATION_QUERY);
          break;
        case routing::ParamLocation::kHeader:
          p->set_location(v1::PARAMETER_LOCATION_HEADER);
          break;
        case routing::ParamLocation::kBody:
          p->set_location(v1::PARAMETER_LOCATION_BODY);
          break;
        case routing::ParamLocation::kCookie:
          p->set_location(v1::PARAMETER_LOCATION_COOKIE);
          break;
        case routing::ParamLocation::kForm:
          p->set_location(v1::PARAMETER_LOCATION_FORM);
          break;
        case routing::ParamLocation::kFile:
          p->set_location(v1::PARAMETER_LOCATION_FILE);
          break;
      }
      p->set_type(std::string(routing::TypeName(spec.type)));
      p->set_required(spec.required);
      if (!spec.required) p->set_default_json(spec.default_value.dump());
      p->set_wire_name(spec.LookupName());
      const http::Json schema = app::ParameterSchema(spec);
      absl::StatusOr<std::string> schema_json = http::SerializeJson(schema);
      p->set_schema_json(schema_json.ok() ? *schema_json : schema.dump());
    }
  }
}

void ToProto(const ServedApp& served, corouter::v1::AppVersion* out) {
  out->set_version(served.version());
  out->set_source(served.source().source);
  out->set_loaded_unix_nanos(absl::ToUnixNanos(served.loaded()));
  out->set_routes(static_cast<uint32_t>(served.app().operations().size()));
}

}  // namespace corouter::grpc_front
