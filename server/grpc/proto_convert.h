// server/grpc/proto_convert.h
//
// Conversions between the engine's types and the corouter.v1 wire messages.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_GRPC_PROTO_CONVERT_H_
#define COROUTER_SERVER_GRPC_PROTO_CONVERT_H_

#include "corouter/v1/execution.pb.h"
#include "server/app/app.h"
#include "server/app/engine.h"
#include "server/grpc/served_app.h"
#include "server/http/response.h"
#include "server/trace/trace_event.h"
#include "server/watch/trace_hub.h"

namespace corouter::grpc_front {

/// The request fields of an HttpRequest.
app::WireRequest FromProto(const corouter::v1::HttpRequest& request);

void ToProto(const http::Response& response, corouter::v1::HttpResponse* out);
void ToProto(const app::RouteInfo& route, corouter::v1::RouteMatch* out);
/// Everything but the response, which the sender attaches.
void ToProto(const trace::TraceEvent& event, corouter::v1::TraceEvent* out);
/// A trace feed event: the event, its request id and, on RESPONSE_SENT, the
/// response's status and headers (the feed carries no bodies).
void ToProto(const watch::WatchEvent& event, corouter::v1::TraceEvent* out);
/// The route table in registration order.
void ToProto(const app::App& app, corouter::v1::ListRoutesResponse* out);

/// The version, source, load time and route count of `served`.
void ToProto(const ServedApp& served, corouter::v1::AppVersion* out);

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_PROTO_CONVERT_H_
