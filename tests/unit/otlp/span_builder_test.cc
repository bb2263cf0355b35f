#include "server/otlp/span_builder.h"

#include <chrono>
#include <memory>

#include "gtest/gtest.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace corouter::otlp {
namespace {

namespace otel = ::opentelemetry::proto::trace::v1;
using trace::Step;

watch::EventPtr Event(Step step, int64_t ms, std::string thread, std::string detail = "") {
  auto e = std::make_shared<watch::WatchEvent>();
  e->request_id = "0-1";
  e->event.step = step;
  e->event.time = std::chrono::system_clock::time_point(std::chrono::seconds(1000)) +
                  std::chrono::milliseconds(ms);
  e->event.elapsed = std::chrono::milliseconds(ms);
  e->event.thread = std::move(thread);
  e->event.detail = std::move(detail);
  return e;
}

std::string Attr(const otel::Span& span, const std::string& key) {
  for (const auto& kv : span.attributes()) {
    if (kv.key() == key) {
      return kv.value().has_int_value() ? std::to_string(kv.value().int_value())
                                        : kv.value().string_value();
    }
  }
  return "<unset>";
}

TEST(AppendSpans, AnOffloadIsAChildSpanOnItsExecutorThread) {
  watch::CompletedTrace trace;
  trace.summary.request.method = "GET";
  trace.summary.request.target = "/hello";
  trace.summary.path_template = "/hello";
  trace.summary.status_code = 500;
  trace.summary.offloads = 1;
  trace.events = {Event(Step::kReceived, 0, "loop-0"),
                  Event(Step::kOffloadQueued, 1, "loop-0", "def say_hello() -> executor"),
                  Event(Step::kOffloadStarted, 3, "executor-1"),
                  Event(Step::kOffloadFinished, 7, "executor-1"),
                  Event(Step::kFailed, 8, "loop-0", "boom"),
                  Event(Step::kResponseSent, 9, "loop-0")};
  IdGenerator ids;
  google::protobuf::RepeatedPtrField<otel::Span> spans;
  ASSERT_EQ(AppendSpans(trace, ids, &spans), 2u);
  ASSERT_EQ(spans.size(), 2);
  const otel::Span& server = spans[0];
  const otel::Span& child = spans[1];
  EXPECT_EQ(server.name(), "GET /hello");
  EXPECT_EQ(server.events_size(), 6);
  EXPECT_EQ(server.end_time_unix_nano() - server.start_time_unix_nano(), 9'000'000u);
  EXPECT_EQ(server.status().code(), otel::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(server.status().message(), "boom");
  EXPECT_EQ(Attr(server, "error.type"), "500");
  EXPECT_EQ(child.kind(), otel::Span::SPAN_KIND_INTERNAL);
  EXPECT_EQ(child.name(), "executor def say_hello()");
  EXPECT_EQ(child.parent_span_id(), server.span_id());
  EXPECT_EQ(child.trace_id(), server.trace_id());
  EXPECT_EQ(Attr(child, "thread.name"), "executor-1");
  EXPECT_EQ(Attr(child, "corouter.queued_nanos"), "2000000");
  EXPECT_EQ(child.end_time_unix_nano() - child.start_time_unix_nano(), 4'000'000u);
}

TEST(AppendSpans, AnOffloadCutShortByCancellationEndsWithTheRequest) {
  watch::CompletedTrace trace;
  trace.summary.request.method = "BREW";  // not a method the conventions know
  trace.summary.request.target = "/pot?x=1";
  trace.summary.cancelled = true;
  trace.summary.offloads = 1;
  trace.events = {Event(Step::kReceived, 0, "loop-0"),
                  Event(Step::kOffloadStarted, 1, "executor-0"),
                  Event(Step::kCancelled, 5, "loop-0", "the client cancelled the call")};
  IdGenerator ids;
  google::protobuf::RepeatedPtrField<otel::Span> spans;
  ASSERT_EQ(AppendSpans(trace, ids, &spans), 2u);
  EXPECT_EQ(spans[0].name(), "BREW");
  EXPECT_EQ(Attr(spans[0], "http.request.method"), "_OTHER");
  EXPECT_EQ(Attr(spans[0], "http.request.method_original"), "BREW");
  EXPECT_EQ(Attr(spans[0], "url.path"), "/pot");
  EXPECT_EQ(Attr(spans[0], "url.query"), "x=1");
  EXPECT_EQ(Attr(spans[0], "error.type"), "cancelled");
  EXPECT_EQ(spans[0].status().message(), "the client cancelled the call");
  EXPECT_EQ(spans[1].end_time_unix_nano(), spans[0].end_time_unix_nano());
}

// The hand-written encoder against the generated code: its bytes parse, and
// re-serialize to the very same bytes (it writes fields in number order, as
// protobuf does), for a trace with every kind of field.
TEST(EncodeSpans, WritesWhatProtobufWould) {
  watch::CompletedTrace trace;
  trace.summary.request.method = "GET";
  trace.summary.request.target = "/sync?q=\xc3\xa9";
  trace.summary.path_template = "/sync";
  trace.summary.endpoint = "sync";
  trace.summary.status_code = 503;
  trace.summary.offloads = 2;
  trace.summary.request.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  trace.summary.request.tracestate = "a=b";
  std::string long_detail(300, 'x');  // lengths over one varint byte
  trace.events = {Event(Step::kReceived, 0, "loop-0", "GET /sync"),
                  Event(Step::kOffloadQueued, 1, "loop-0", "work -> executor"),
                  Event(Step::kOffloadStarted, 2, "executor-0", long_detail),
                  Event(Step::kOffloadFinished, 3, "executor-0"),
                  Event(Step::kOffloadStarted, 4, "executor-1"),
                  Event(Step::kOffloadFinished, 5, "executor-1"),
                  Event(Step::kFailed, 6, "loop-0", "Service Unavailable"),
                  Event(Step::kResponseSent, 7, "loop-0")};
  IdGenerator ids;
  std::string bytes;
  ASSERT_EQ(EncodeSpans(trace, ids, &bytes), 3u);
  otel::ScopeSpans parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  ASSERT_EQ(parsed.spans_size(), 3);
  EXPECT_EQ(parsed.SerializeAsString(), bytes);
  EXPECT_EQ(parsed.spans(0).trace_state(), "a=b");
  EXPECT_EQ(parsed.spans(0).flags(), 0x301u);
  EXPECT_EQ(parsed.spans(0).events(2).attributes(0).value().string_value(), long_detail);
  EXPECT_EQ(parsed.spans(0).events(2).attributes(1).value().string_value(), "executor-0");
  EXPECT_EQ(parsed.spans(0).events(0).attributes_size(), 1);  // the span's own thread
  EXPECT_EQ(parsed.spans(0).status().message(), "Service Unavailable");
  EXPECT_EQ(parsed.spans(1).name(), "executor work");
  EXPECT_EQ(parsed.spans(2).flags(), 0x101u);
  // Ill-formed UTF-8 from the request is repaired, not sent (a receiver
  // would refuse the whole batch).
  trace.events[0] = Event(Step::kReceived, 0, "loop-0", "GET /caf\xe9");
  bytes.clear();
  ASSERT_EQ(EncodeSpans(trace, ids, &bytes), 3u);
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.spans(0).events(0).attributes(0).value().string_value(), "GET /caf\xef\xbf\xbd");

  // The whole request, with a resource and a scope.
  opentelemetry::proto::resource::v1::Resource resource;
  auto* kv = resource.add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("svc");
  opentelemetry::proto::common::v1::InstrumentationScope scope;
  scope.set_name("corouter");
  const std::string request =
      ExportRequestBytes(resource.SerializeAsString(), scope.SerializeAsString(), bytes);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest whole;
  ASSERT_TRUE(whole.ParseFromString(request));
  ASSERT_EQ(whole.resource_spans_size(), 1);
  EXPECT_EQ(whole.resource_spans(0).resource().attributes(0).value().string_value(), "svc");
  EXPECT_EQ(whole.resource_spans(0).scope_spans(0).scope().name(), "corouter");
  EXPECT_EQ(whole.resource_spans(0).scope_spans(0).spans_size(), 3);
  EXPECT_EQ(whole.SerializeAsString(), request);
}

}  // namespace
}  // namespace corouter::otlp
