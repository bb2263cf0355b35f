#include "server/otlp/span_builder.h"

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/trace/step.h"

namespace corouter::otlp {
namespace {

namespace v1 = ::opentelemetry::proto::trace::v1;
using ::google::protobuf::RepeatedPtrField;
using ::opentelemetry::proto::common::v1::KeyValue;

// SpanFlags (trace.proto): bits 8 and 9 say whether the parent is remote.
constexpr uint32_t kHasIsRemote = 0x100;
constexpr uint32_t kIsRemote = 0x200;

uint64_t UnixNanos(std::chrono::system_clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

void Add(RepeatedPtrField<KeyValue>* attrs, std::string_view key, std::string_view value) {
  KeyValue* kv = attrs->Add();
  kv->set_key(key.data(), key.size());  // no temporary std::string
  kv->mutable_value()->set_string_value(value.data(), value.size());
}

void AddInt(RepeatedPtrField<KeyValue>* attrs, std::string_view key, int64_t value) {
  KeyValue* kv = attrs->Add();
  kv->set_key(key.data(), key.size());
  kv->mutable_value()->set_int_value(value);
}

// "def sync_wait() -> executor" (offload.h's OFFLOAD_QUEUED detail) -> "def sync_wait()".
absl::string_view OffloadWhat(absl::string_view queued_detail) {
  constexpr absl::string_view kSuffix = " -> executor";
  if (absl::EndsWith(queued_detail, kSuffix)) queued_detail.remove_suffix(kSuffix.size());
  return queued_detail;
}

}  // namespace

std::string_view SemconvMethod(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS",
                                                "PATCH",   "POST",   "PUT", "TRACE"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "_OTHER";
}

size_t AppendSpans(const watch::CompletedTrace& trace, IdGenerator& ids,
                   RepeatedPtrField<v1::Span>* out) {
  if (trace.events.empty()) return 0;
  const watch::TraceSummary& summary = trace.summary;
  const std::optional<ParentContext> parent = ParseTraceparent(summary.traceparent);
  if (parent.has_value() && !parent->sampled()) return 0;  // ParentBased sampling

  v1::Span* span = out->Add();
  const TraceId trace_id = parent.has_value() ? parent->trace_id : ids.NewTraceId();
  const SpanId span_id = ids.NewSpanId();
  span->set_trace_id(Bytes(trace_id));
  span->set_span_id(Bytes(span_id));
  if (parent.has_value()) {
    span->set_parent_span_id(Bytes(parent->span_id));
    span->set_trace_state(summary.tracestate);
    span->set_flags(parent->flags | kHasIsRemote | kIsRemote);
  } else {
    span->set_flags(0x01 | kHasIsRemote);  // sampled; a root span: no remote parent
  }
  span->set_name(summary.path_template.empty()
                     ? summary.method
                     : absl::StrCat(summary.method, " ", summary.path_template));
  span->set_kind(v1::Span::SPAN_KIND_SERVER);
  const trace::TraceEvent& first = trace.events.front()->event;
  const trace::TraceEvent& last = trace.events.back()->event;
  span->set_start_time_unix_nano(UnixNanos(first.time));
  span->set_end_time_unix_nano(std::max(UnixNanos(last.time), UnixNanos(first.time)));

  RepeatedPtrField<KeyValue>* attrs = span->mutable_attributes();
  const std::string_view method = SemconvMethod(summary.method);
  Add(attrs, "http.request.method", method);
  if (method == "_OTHER") Add(attrs, "http.request.method_original", summary.method);
  const std::string_view target = summary.target;
  const size_t question = target.find('?');
  Add(attrs, "url.path", target.substr(0, question));
  if (question != std::string_view::npos && question + 1 < target.size()) {
    Add(attrs, "url.query", target.substr(question + 1));
  }
  if (!summary.path_template.empty()) Add(attrs, "http.route", summary.path_template);
  if (summary.status_code != 0) AddInt(attrs, "http.response.status_code", summary.status_code);
  const bool server_error = summary.status_code >= 500;
  if (server_error) Add(attrs, "error.type", absl::StrCat(summary.status_code));
  if (summary.cancelled) Add(attrs, "error.type", "cancelled");
  Add(attrs, "corouter.request_id", trace.events.front()->request_id);
  if (!summary.endpoint.empty()) Add(attrs, "corouter.endpoint", summary.endpoint);
  AddInt(attrs, "corouter.loop", first.loop);
  Add(attrs, "thread.name", first.thread);

  size_t spans = 1;
  std::string_view failure;
  std::string_view cancel_reason;
  const trace::TraceEvent* queued = nullptr;
  const trace::TraceEvent* started = nullptr;
  auto add_offload = [&](uint64_t end_nanos) {
    v1::Span* child = out->Add();
    ++spans;
    child->set_trace_id(Bytes(trace_id));
    child->set_span_id(Bytes(ids.NewSpanId()));
    child->set_parent_span_id(Bytes(span_id));
    child->set_trace_state(span->trace_state());
    child->set_flags((span->flags() & 0xff) | kHasIsRemote);  // its parent is ours, local
    child->set_name(absl::StrCat(
        "executor ", OffloadWhat(queued != nullptr ? queued->detail : started->detail)));
    child->set_kind(v1::Span::SPAN_KIND_INTERNAL);
    child->set_start_time_unix_nano(UnixNanos(started->time));
    child->set_end_time_unix_nano(std::max(end_nanos, UnixNanos(started->time)));
    Add(child->mutable_attributes(), "thread.name", started->thread);
    if (queued != nullptr) {
      AddInt(
          child->mutable_attributes(), "corouter.queued_nanos",
          std::chrono::duration_cast<std::chrono::nanoseconds>(started->elapsed - queued->elapsed)
              .count());
    }
    queued = nullptr;
    started = nullptr;
  };
  for (const watch::EventPtr& published : trace.events) {
    const trace::TraceEvent& e = published->event;
    v1::Span::Event* event = span->add_events();
    event->set_time_unix_nano(UnixNanos(e.time));
    const std::string_view step_name = trace::StepName(e.step);
    event->set_name(step_name.data(), step_name.size());
    // Events are in sequence order, and most ran on the span's own thread:
    // only a different thread (an executor's) is written, to keep spans
    // small (the bytes are most of an export's cost).
    Add(event->mutable_attributes(), "corouter.detail", e.detail);
    if (e.thread != first.thread) Add(event->mutable_attributes(), "thread.name", e.thread);
    switch (e.step) {
      case trace::Step::kOffloadQueued:
        queued = &e;
        break;
      case trace::Step::kOffloadStarted:
        started = &e;
        break;
      case trace::Step::kOffloadFinished:
        if (started != nullptr) add_offload(UnixNanos(e.time));
        break;
      case trace::Step::kFailed:
        failure = e.detail;
        break;
      case trace::Step::kCancelled:
        cancel_reason = e.detail;
        break;
      default:
        break;
    }
  }
  // An offload still running when the request was cancelled ends with it.
  if (started != nullptr) add_offload(UnixNanos(last.time));
  if (server_error || summary.cancelled) {
    span->mutable_status()->set_code(v1::Status::STATUS_CODE_ERROR);
    span->mutable_status()->set_message(std::string(summary.cancelled ? cancel_reason : failure));
  }
  return spans;
}

}  // namespace corouter::otlp
