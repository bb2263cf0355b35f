#include "server/otlp/span_builder.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/http/utf8.h"
#include "server/trace/step.h"

namespace corouter::otlp {
namespace {

namespace v1 = ::opentelemetry::proto::trace::v1;

// SpanFlags (trace.proto): bits 8 and 9 say whether the parent is remote.
constexpr uint32_t kHasIsRemote = 0x100;
constexpr uint32_t kIsRemote = 0x200;

// Field numbers and wire types of opentelemetry-proto v1.9.0
// (proto/opentelemetry/...): the encoder below writes these messages
// directly, and span_builder_test parses its bytes with the generated code.
enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };
namespace field {
constexpr uint32_t kScopeSpansSpans = 2;
constexpr uint32_t kSpanTraceId = 1, kSpanSpanId = 2, kSpanTraceState = 3, kSpanParent = 4,
                   kSpanName = 5, kSpanKind = 6, kSpanStart = 7, kSpanEnd = 8, kSpanAttrs = 9,
                   kSpanEvents = 11, kSpanStatus = 15, kSpanFlags = 16;
constexpr uint32_t kEventTime = 1, kEventName = 2, kEventAttrs = 3;
constexpr uint32_t kKeyValueKey = 1, kKeyValueValue = 2;
constexpr uint32_t kAnyString = 1, kAnyInt = 3;
constexpr uint32_t kStatusMessage = 2, kStatusCode = 3;
}  // namespace field

uint64_t UnixNanos(std::chrono::system_clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutTag(std::string* out, uint32_t number, WireType type) {
  PutVarint(out, (uint64_t{number} << 3) | type);
}

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));  // little-endian
}

void PutLen(std::string* out, uint32_t number, absl::string_view bytes) {
  PutTag(out, number, kLen);
  PutVarint(out, bytes.size());
  out->append(bytes.data(), bytes.size());
}

// A length-delimited field's size with its tag (field numbers here are < 16).
size_t LenFieldSize(size_t length) { return 1 + VarintSize(length) + length; }

// One attribute (a KeyValue with a string or int AnyValue).
struct Attr {
  absl::string_view key;
  absl::string_view text;
  int64_t number = 0;
  bool is_int = false;

  size_t AnySize() const {
    return is_int ? 1 + VarintSize(static_cast<uint64_t>(number)) : LenFieldSize(text.size());
  }
  size_t Size() const { return LenFieldSize(key.size()) + LenFieldSize(AnySize()); }
  void Put(std::string* out, uint32_t number_in_parent) const {
    PutTag(out, number_in_parent, kLen);
    PutVarint(out, Size());
    PutLen(out, field::kKeyValueKey, key);
    PutTag(out, field::kKeyValueValue, kLen);
    PutVarint(out, AnySize());
    if (is_int) {
      PutTag(out, field::kAnyInt, kVarint);
      PutVarint(out, static_cast<uint64_t>(number));
    } else {
      PutLen(out, field::kAnyString, text);
    }
  }
};

Attr Text(absl::string_view key, absl::string_view value) { return {key, value, 0, false}; }
Attr Int(absl::string_view key, int64_t value) { return {key, {}, value, true}; }

// OTLP's strings must be UTF-8 (proto3 `string`: a receiver refuses the
// whole request otherwise). Trace text is valid UTF-8 but for rare request
// bytes (a percent-decoded path parameter, a header): those are written with
// U+FFFD for each ill-formed subpart (Python's decode "replace"), kept alive
// in `repaired_` until the span is written.
thread_local std::deque<std::string> repaired_;

absl::string_view View(const std::string& s) {
  if (http::FindUtf8Error(s).has_value()) {
    repaired_.push_back(http::DecodeUtf8Replace(s));
    return absl::string_view(repaired_.back().data(), repaired_.back().size());
  }
  return absl::string_view(s.data(), s.size());
}

// The fields every span has, in field-number order up to the attributes.
void PutSpanHead(std::string* out, const TraceId& trace_id, const SpanId& span_id,
                 absl::string_view trace_state, const SpanId* parent, absl::string_view name,
                 v1::Span::SpanKind kind, uint64_t start, uint64_t end) {
  PutLen(out, field::kSpanTraceId, Bytes(trace_id));
  PutLen(out, field::kSpanSpanId, Bytes(span_id));
  if (!trace_state.empty()) PutLen(out, field::kSpanTraceState, trace_state);
  if (parent != nullptr) PutLen(out, field::kSpanParent, Bytes(*parent));
  PutLen(out, field::kSpanName, name);
  PutTag(out, field::kSpanKind, kVarint);
  PutVarint(out, static_cast<uint64_t>(kind));
  PutTag(out, field::kSpanStart, kFixed64);
  PutFixed(out, start, 8);
  PutTag(out, field::kSpanEnd, kFixed64);
  PutFixed(out, std::max(end, start), 8);
}

void PutFlags(std::string* out, uint32_t flags) {
  PutTag(out, field::kSpanFlags, kFixed32);
  PutFixed(out, flags, 4);
}

// Appends `span` (a whole Span body) as one ScopeSpans.spans element.
void PutSpan(std::string* out, const std::string& span) {
  PutLen(out, field::kScopeSpansSpans, absl::string_view(span.data(), span.size()));
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

size_t EncodeSpans(const watch::CompletedTrace& trace, IdGenerator& ids, std::string* out) {
  if (trace.events.empty()) return 0;
  const watch::TraceSummary& summary = trace.summary;
  const std::optional<ParentContext> parent = ParseTraceparent(summary.request.traceparent);
  if (parent.has_value() && !parent->sampled()) return 0;  // ParentBased sampling
  repaired_.clear();

  const TraceId trace_id = parent.has_value() ? parent->trace_id : ids.NewTraceId();
  const SpanId span_id = ids.NewSpanId();
  const absl::string_view trace_state =
      parent.has_value() ? View(summary.request.tracestate) : absl::string_view();
  const uint32_t flags =
      parent.has_value() ? parent->flags | kHasIsRemote | kIsRemote : 0x01 | kHasIsRemote;
  const trace::TraceEvent& first = trace.events.front()->event;
  const trace::TraceEvent& last = trace.events.back()->event;
  const std::string name = summary.path_template.empty()
                               ? summary.request.method
                               : absl::StrCat(summary.request.method, " ", summary.path_template);

  // The SERVER span's body, written field by field (thread_local: reused).
  thread_local std::string body;
  body.clear();
  PutSpanHead(&body, trace_id, span_id, trace_state,
              parent.has_value() ? &parent->span_id : nullptr, View(name),
              v1::Span::SPAN_KIND_SERVER, UnixNanos(first.time), UnixNanos(last.time));

  const std::string_view semconv_method = SemconvMethod(summary.request.method);
  const absl::string_view method(semconv_method.data(), semconv_method.size());
  const absl::string_view target = View(summary.request.target);
  const size_t question = target.find('?');
  const bool server_error = summary.status_code >= 500;
  const std::string status_text = server_error ? absl::StrCat(summary.status_code) : "";
  Attr attrs[12];
  size_t n = 0;
  attrs[n++] = Text("http.request.method", method);
  if (method == "_OTHER")
    attrs[n++] = Text("http.request.method_original", View(summary.request.method));
  attrs[n++] = Text("url.path", target.substr(0, question));
  if (question != absl::string_view::npos && question + 1 < target.size()) {
    attrs[n++] = Text("url.query", target.substr(question + 1));
  }
  if (!summary.path_template.empty()) attrs[n++] = Text("http.route", View(summary.path_template));
  if (summary.status_code != 0) attrs[n++] = Int("http.response.status_code", summary.status_code);
  if (server_error) attrs[n++] = Text("error.type", View(status_text));
  if (summary.cancelled) attrs[n++] = Text("error.type", "cancelled");
  attrs[n++] = Text("corouter.request_id", View(trace.events.front()->request_id));
  if (!summary.endpoint.empty()) attrs[n++] = Text("corouter.endpoint", View(summary.endpoint));
  attrs[n++] = Int("corouter.loop", first.loop);
  attrs[n++] = Text("thread.name", View(first.thread));
  for (size_t i = 0; i < n; ++i) attrs[i].Put(&body, field::kSpanAttrs);

  struct Offload {
    const trace::TraceEvent* queued;
    const trace::TraceEvent* started;
    uint64_t end;
  };
  std::vector<Offload> offloads;
  absl::string_view failure;
  absl::string_view cancel_reason;
  const trace::TraceEvent* queued = nullptr;
  const trace::TraceEvent* started = nullptr;
  for (const watch::EventPtr& published : trace.events) {
    const trace::TraceEvent& e = published->event;
    // Events are in sequence order, and most ran on the span's own thread:
    // only a different thread (an executor's) is written, to keep spans
    // small (the bytes are much of an export's cost).
    const std::string_view step = trace::StepName(e.step);
    const Attr detail = Text("corouter.detail", View(e.detail));
    const bool other_thread = e.thread != first.thread;
    const Attr thread = Text("thread.name", View(e.thread));
    const size_t size = 1 + 8 + LenFieldSize(step.size()) + LenFieldSize(detail.Size()) +
                        (other_thread ? LenFieldSize(thread.Size()) : 0);
    PutTag(&body, field::kSpanEvents, kLen);
    PutVarint(&body, size);
    PutTag(&body, field::kEventTime, kFixed64);
    PutFixed(&body, UnixNanos(e.time), 8);
    PutLen(&body, field::kEventName, absl::string_view(step.data(), step.size()));
    detail.Put(&body, field::kEventAttrs);
    if (other_thread) thread.Put(&body, field::kEventAttrs);
    switch (e.step) {
      case trace::Step::kOffloadQueued:
        queued = &e;
        break;
      case trace::Step::kOffloadStarted:
        started = &e;
        break;
      case trace::Step::kOffloadFinished:
        if (started != nullptr) offloads.push_back({queued, started, UnixNanos(e.time)});
        queued = started = nullptr;
        break;
      case trace::Step::kFailed:
        failure = View(e.detail);
        break;
      case trace::Step::kCancelled:
        cancel_reason = View(e.detail);
        break;
      default:
        break;
    }
  }
  // An offload still running when the request was cancelled ends with it.
  if (started != nullptr) offloads.push_back({queued, started, UnixNanos(last.time)});
  if (server_error || summary.cancelled) {
    const absl::string_view message = summary.cancelled ? cancel_reason : failure;
    PutTag(&body, field::kSpanStatus, kLen);
    PutVarint(&body, LenFieldSize(message.size()) + 2);
    PutLen(&body, field::kStatusMessage, message);
    PutTag(&body, field::kStatusCode, kVarint);
    PutVarint(&body, v1::Status::STATUS_CODE_ERROR);
  }
  PutFlags(&body, flags);
  PutSpan(out, body);

  for (const Offload& o : offloads) {
    body.clear();
    const std::string child_name = absl::StrCat(
        "executor ", OffloadWhat(View(o.queued != nullptr ? o.queued->detail : o.started->detail)));
    const SpanId child_id = ids.NewSpanId();
    PutSpanHead(&body, trace_id, child_id, trace_state, &span_id, View(child_name),
                v1::Span::SPAN_KIND_INTERNAL, UnixNanos(o.started->time), o.end);
    Text("thread.name", View(o.started->thread)).Put(&body, field::kSpanAttrs);
    if (o.queued != nullptr) {
      Int("corouter.queued_nanos", std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       o.started->elapsed - o.queued->elapsed)
                                       .count())
          .Put(&body, field::kSpanAttrs);
    }
    PutFlags(&body, (flags & 0xff) | kHasIsRemote);  // its parent is ours, local
    PutSpan(out, body);
  }
  return 1 + offloads.size();
}

std::string ExportRequestBytes(std::string_view resource, std::string_view scope,
                               std::string_view spans) {
  // ExportTraceServiceRequest { 1: ResourceSpans { 1: resource,
  //   2: ScopeSpans { 1: scope, 2: spans... } } }
  const size_t scope_spans = LenFieldSize(scope.size()) + spans.size();
  const size_t resource_spans = LenFieldSize(resource.size()) + LenFieldSize(scope_spans);
  std::string out;
  out.reserve(LenFieldSize(resource_spans));
  PutTag(&out, 1, kLen);
  PutVarint(&out, resource_spans);
  PutLen(&out, 1, absl::string_view(resource.data(), resource.size()));
  PutTag(&out, 2, kLen);
  PutVarint(&out, scope_spans);
  PutLen(&out, 1, absl::string_view(scope.data(), scope.size()));
  out.append(spans.data(), spans.size());
  return out;
}

size_t AppendSpans(const watch::CompletedTrace& trace, IdGenerator& ids,
                   google::protobuf::RepeatedPtrField<v1::Span>* out) {
  std::string bytes;
  const size_t spans = EncodeSpans(trace, ids, &bytes);
  v1::ScopeSpans parsed;  // the bytes are ScopeSpans.spans elements
  if (!parsed.ParseFromString(bytes)) return 0;
  for (v1::Span& span : *parsed.mutable_spans()) *out->Add() = std::move(span);
  return spans;
}

}  // namespace corouter::otlp
