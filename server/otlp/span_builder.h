// server/otlp/span_builder.h
//
// One completed request as OTLP spans (opentelemetry-proto v1.9.0), shaped
// by the OpenTelemetry semantic conventions for HTTP servers (semconv 1.26+,
// "HTTP spans": https://opentelemetry.io/docs/specs/semconv/http/http-spans/):
//
//  - One SERVER span, named "{method} {http.route}" ("{method}" when no route
//    matched), from RECEIVED to the trace's last event (RESPONSE_SENT or
//    CANCELLED). Attributes: http.request.method (or "_OTHER" with
//    http.request.method_original for a method the conventions do not
//    list), url.path, url.query (when there is one), http.route (when
//    matched), http.response.status_code (when answered), error.type (the
//    status code for a 5xx, "cancelled" for a cancelled request), and
//    corouter's own: corouter.request_id, corouter.endpoint, corouter.loop,
//    thread.name (the loop thread that received it).
//  - Each trace step is a Span.Event named after the step ("AWAIT_STARTED")
//    at its time, in sequence order, with corouter.detail, and thread.name
//    when it ran on another thread than the span's (an executor's).
//  - Each offload (OFFLOAD_STARTED to OFFLOAD_FINISHED) is a child INTERNAL
//    span named "executor {what}" ("executor def sync_wait()"), on its
//    executor thread (thread.name), with corouter.queued_nanos, the time it
//    waited for a thread.
//  - Status: ERROR for a 5xx (message: the FAILED step's detail, if any) or
//    a cancellation (message: the CANCELLED detail); unset otherwise, 4xx
//    included (a client error is not the server span's error).
//  - Trace context: a valid traceparent continues the caller's trace (its
//    trace id, our span's parent id, its tracestate, flags with the
//    "parent is remote" bits set); otherwise a new trace id. Sampling is
//    OpenTelemetry's default ParentBased(AlwaysOn): a caller that sent
//    sampled=0 gets no spans.
//
// Thread safety: plain functions; the IdGenerator is the caller's.
#ifndef COROUTER_SERVER_OTLP_SPAN_BUILDER_H_
#define COROUTER_SERVER_OTLP_SPAN_BUILDER_H_

#include <string>
#include <string_view>

#include "google/protobuf/repeated_ptr_field.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "server/otlp/trace_context.h"
#include "server/watch/trace_hub.h"

namespace corouter::otlp {

/// Appends `trace`'s spans to `out` in the OTLP wire format, each as one
/// `ScopeSpans.spans` element (tag, length, Span): the SERVER span first,
/// then one per offload. Written directly, without building messages (the
/// exporter's cost per span, BENCHMARKS.md); the field numbers are those of
/// proto/opentelemetry (v1.9.0), and span_builder_test parses the bytes
/// with the generated code. Returns how many spans (0 when the caller's
/// traceparent said not sampled).
size_t EncodeSpans(const watch::CompletedTrace& trace, IdGenerator& ids, std::string* out);

/// A serialized ExportTraceServiceRequest: one ResourceSpans of `resource`
/// (a serialized Resource), with one ScopeSpans of `scope` (a serialized
/// InstrumentationScope) holding `spans` (EncodeSpans' output).
std::string ExportRequestBytes(std::string_view resource, std::string_view scope,
                               std::string_view spans);

/// EncodeSpans, parsed into messages (for tests and tools).
size_t AppendSpans(const watch::CompletedTrace& trace, IdGenerator& ids,
                   google::protobuf::RepeatedPtrField<opentelemetry::proto::trace::v1::Span>* out);

/// The method as http.request.method has it: one of the conventions' known
/// methods (RFC 9110 9.3 and RFC 5789's PATCH), else "_OTHER".
std::string_view SemconvMethod(std::string_view method);

}  // namespace corouter::otlp

#endif  // COROUTER_SERVER_OTLP_SPAN_BUILDER_H_
