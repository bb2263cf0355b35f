// corouter-server --otlp-endpoint: every request as OTLP spans, received by a
// real gRPC server speaking opentelemetry.proto.collector.trace.v1.
// TraceService (the test receiver below).
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "server/otlp/trace_context.h"
#include "server/sync/mutex.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

namespace collector = ::opentelemetry::proto::collector::trace::v1;
namespace otel = ::opentelemetry::proto::trace::v1;
using ::testing::ElementsAre;

// An OTLP/gRPC receiver on 127.0.0.1 that keeps what it is sent.
class Receiver final : public collector::TraceService::Service {
 public:
  grpc::Status Export(grpc::ServerContext*, const collector::ExportTraceServiceRequest* request,
                      collector::ExportTraceServiceResponse*) override {
    sync::MutexLock lock(&mu_);
    requests_.push_back(*request);
    return grpc::Status::OK;
  }
  std::vector<collector::ExportTraceServiceRequest> Requests() const {
    sync::MutexLock lock(&mu_);
    return requests_;
  }
  std::vector<otel::Span> Spans() const {
    std::vector<otel::Span> out;
    for (const auto& request : Requests()) {
      for (const auto& resource : request.resource_spans()) {
        for (const auto& scope : resource.scope_spans()) {
          for (const auto& span : scope.spans()) out.push_back(span);
        }
      }
    }
    return out;
  }

 private:
  mutable sync::Mutex mu_;  // not absl's: ThreadSanitizer sees it (server/sync/mutex.h)
  std::vector<collector::ExportTraceServiceRequest> requests_;
};

class RunningReceiver {
 public:
  /// Listens on `port` (0: the OS picks).
  explicit RunningReceiver(int port = 0) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&receiver_);
    server_ = builder.BuildAndStart();
    EXPECT_NE(port_, 0);
  }
  ~RunningReceiver() { Stop(); }
  void Stop() {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
    server_.reset();
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const Receiver& receiver() const { return receiver_; }

 private:
  Receiver receiver_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

grpc_front::ServerOptions WithOtlp(const std::string& endpoint,
                                   std::chrono::milliseconds delay = std::chrono::milliseconds(20),
                                   size_t queue = 2048, size_t batch = 512) {
  grpc_front::ServerOptions options;
  otlp::OtlpOptions o;
  o.endpoint = endpoint;
  o.service_name = "corouter-test";
  o.schedule_delay = absl::FromChrono(delay);
  o.max_queue_spans = queue;
  o.max_batch_spans = batch;
  options.otlp = o;
  return options;
}

std::string Attr(const otel::Span& span, const std::string& key) {
  for (const auto& kv : span.attributes()) {
    if (kv.key() != key) continue;
    if (kv.value().has_string_value()) return kv.value().string_value();
    if (kv.value().has_int_value()) return std::to_string(kv.value().int_value());
    return "?";
  }
  return "<unset>";
}

std::vector<std::string> EventNames(const otel::Span& span) {
  std::vector<std::string> out;
  for (const auto& e : span.events()) out.push_back(e.name());
  return out;
}

const otel::Span* FindSpan(const std::vector<otel::Span>& spans, const std::string& url_path,
                           otel::Span::SpanKind kind = otel::Span::SPAN_KIND_SERVER) {
  for (const auto& span : spans) {
    if (span.kind() == kind && Attr(span, "url.path") == url_path) return &span;
  }
  return nullptr;
}

std::string HexOf(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

corouter::v1::GetStatsResponse Stats(TestServer& server) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  corouter::v1::GetStatsResponse stats;
  EXPECT_TRUE(server.stub().GetStats(&ctx, {}, &stats).ok());
  return stats;
}

// Seed 004 (A: /slow_task awaits, B: /fast_task/ runs meanwhile), plus a
// def (/hello, offloaded), an async offload (/sync-task), a 404 and a call
// cancelled by its deadline.
TEST(OtlpExport, SeedScenarioSpansFollowTheHttpConventions) {
  RunningReceiver receiver;
  SeedServer server(0.02, WithOtlp(receiver.address()));
  std::thread a([&] { server.Execute("GET", "/slow_task/1?q=test"); });
  ASSERT_TRUE(Eventually([&] { return server.server().in_flight() == 1; }));
  server.Execute("GET", "/fast_task/");
  a.join();
  server.Execute("GET", "/hello");
  server.Execute("GET", "/sync-task");
  server.Execute("GET", "/nowhere");
  {
    grpc::ClientContext ctx;  // /slow_task sleeps 100 ms; the deadline is 20 ms
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(20));
    corouter::v1::ExecuteRequest request;
    request.mutable_request()->set_method("GET");
    request.mutable_request()->set_target("/slow_task/2");
    corouter::v1::ExecuteResponse response;
    EXPECT_EQ(server.stub().Execute(&ctx, request, &response).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  // 6 SERVER spans, and one INTERNAL span per offload (/hello, /sync-task).
  ASSERT_TRUE(Eventually([&] { return receiver.receiver().Spans().size() >= 8; }))
      << receiver.receiver().Spans().size();
  const std::vector<otel::Span> spans = receiver.receiver().Spans();
  EXPECT_EQ(spans.size(), 8u);

  const auto requests = receiver.receiver().Requests();
  ASSERT_FALSE(requests.empty());
  const auto& resource = requests[0].resource_spans(0).resource();
  bool named = false;
  for (const auto& kv : resource.attributes()) {
    named |= kv.key() == "service.name" && kv.value().string_value() == "corouter-test";
  }
  EXPECT_TRUE(named) << resource.DebugString();
  EXPECT_EQ(requests[0].resource_spans(0).scope_spans(0).scope().name(), "corouter");

  const otel::Span* slow = FindSpan(spans, "/slow_task/1");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ(slow->name(), "GET /slow_task/{item_id}");
  EXPECT_EQ(Attr(*slow, "http.request.method"), "GET");
  EXPECT_EQ(Attr(*slow, "url.query"), "q=test");
  EXPECT_EQ(Attr(*slow, "http.route"), "/slow_task/{item_id}");
  EXPECT_EQ(Attr(*slow, "http.response.status_code"), "200");
  EXPECT_EQ(Attr(*slow, "error.type"), "<unset>");
  EXPECT_EQ(Attr(*slow, "corouter.endpoint"), "read_item");
  EXPECT_EQ(Attr(*slow, "corouter.loop"), "0");
  EXPECT_EQ(Attr(*slow, "thread.name"), "loop-0");
  EXPECT_NE(Attr(*slow, "corouter.request_id"), "<unset>");
  EXPECT_THAT(EventNames(*slow),
              ElementsAre("RECEIVED", "ROUTE_MATCHED", "HANDLER_STARTED", "AWAIT_STARTED",
                          "AWAIT_RESUMED", "HANDLER_RETURNED", "RESPONSE_SENT"));
  EXPECT_EQ(slow->status().code(), otel::Status::STATUS_CODE_UNSET);
  EXPECT_EQ(slow->trace_id().size(), 16u);
  EXPECT_EQ(slow->span_id().size(), 8u);
  EXPECT_TRUE(slow->parent_span_id().empty());
  // The sleep (100 ms) is inside the span, and each event inside it.
  EXPECT_GE(slow->end_time_unix_nano() - slow->start_time_unix_nano(), 100'000'000u);
  for (const auto& e : slow->events()) {
    EXPECT_GE(e.time_unix_nano(), slow->start_time_unix_nano());
    EXPECT_LE(e.time_unix_nano(), slow->end_time_unix_nano());
  }

  const otel::Span* fast = FindSpan(spans, "/fast_task/");
  ASSERT_NE(fast, nullptr);
  EXPECT_EQ(fast->name(), "GET /fast_task/");
  EXPECT_EQ(Attr(*fast, "url.query"), "<unset>");
  // B ran while A awaited: B's span lies inside A's.
  EXPECT_GT(fast->start_time_unix_nano(), slow->start_time_unix_nano());
  EXPECT_LT(fast->end_time_unix_nano(), slow->end_time_unix_nano());
  EXPECT_NE(fast->trace_id(), slow->trace_id());  // no traceparent: a new trace each

  for (const std::string path : {"/hello", "/sync-task"}) {
    const otel::Span* server_span = FindSpan(spans, path);
    ASSERT_NE(server_span, nullptr) << path;
    const otel::Span* child = nullptr;
    for (const auto& span : spans) {
      if (span.kind() == otel::Span::SPAN_KIND_INTERNAL &&
          span.parent_span_id() == server_span->span_id()) {
        child = &span;
      }
    }
    ASSERT_NE(child, nullptr) << path << ": no INTERNAL child span";
    EXPECT_EQ(child->trace_id(), server_span->trace_id());
    EXPECT_THAT(child->name(), ::testing::StartsWith("executor "));
    EXPECT_THAT(Attr(*child, "thread.name"), ::testing::StartsWith("executor-"));
    EXPECT_NE(Attr(*child, "corouter.queued_nanos"), "<unset>");
    EXPECT_GE(child->start_time_unix_nano(), server_span->start_time_unix_nano());
    EXPECT_LE(child->end_time_unix_nano(), server_span->end_time_unix_nano());
    EXPECT_THAT(EventNames(*server_span), ::testing::Contains("OFFLOAD_STARTED"));
  }

  const otel::Span* missing = FindSpan(spans, "/nowhere");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->name(), "GET");  // no route: the method alone
  EXPECT_EQ(Attr(*missing, "http.route"), "<unset>");
  EXPECT_EQ(Attr(*missing, "http.response.status_code"), "404");
  EXPECT_EQ(missing->status().code(), otel::Status::STATUS_CODE_UNSET);  // 4xx: not an error

  const otel::Span* cancelled = FindSpan(spans, "/slow_task/2");
  ASSERT_NE(cancelled, nullptr);
  EXPECT_EQ(cancelled->status().code(), otel::Status::STATUS_CODE_ERROR);
  EXPECT_THAT(cancelled->status().message(), ::testing::HasSubstr("deadline"));
  EXPECT_EQ(Attr(*cancelled, "error.type"), "cancelled");
  EXPECT_EQ(Attr(*cancelled, "http.response.status_code"), "<unset>");
  EXPECT_EQ(EventNames(*cancelled).back(), "CANCELLED");

  // Counted once its Export call returned, just after the receiver kept it.
  EXPECT_TRUE(Eventually([&] { return Stats(server).otlp().spans_exported() == 8; }))
      << Stats(server).otlp().DebugString();
  const auto stats = Stats(server);
  EXPECT_EQ(stats.otlp().endpoint(), receiver.address());
  EXPECT_EQ(stats.otlp().spans_exported(), 8u);
  EXPECT_EQ(stats.otlp().spans_dropped(), 0u);
  EXPECT_EQ(stats.watch().subscribers(), 0u);  // the exporter is not a WatchTraces stream
}

TEST(OtlpExport, ATraceparentIsContinued) {
  RunningReceiver receiver;
  SeedServer server(0.02, WithOtlp(receiver.address()));
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent_id = "00f067aa0ba902b7";
  // From the HTTP request's header fields.
  server.Traced(
      "GET", "/fast_task/", nullptr,
      {{"traceparent", "00-" + trace_id + "-" + parent_id + "-01"}, {"tracestate", "vendor=x"}});
  // From the call's gRPC metadata.
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    ctx.AddMetadata("traceparent", "00-" + trace_id + "-b7ad6b7169203331-01");
    corouter::v1::ExecuteRequest request;
    request.mutable_request()->set_method("GET");
    request.mutable_request()->set_target("/hello");
    corouter::v1::ExecuteResponse response;
    ASSERT_TRUE(server.stub().Execute(&ctx, request, &response).ok());
  }
  // Not sampled: ParentBased sampling records nothing.
  server.Traced("GET", "/items", nullptr,
                {{"traceparent", "00-" + trace_id + "-" + parent_id + "-00"}});
  // Invalid (uppercase hex): a new trace.
  server.Traced("GET", "/ping", nullptr,
                {{"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + parent_id + "-01"}});
  ASSERT_TRUE(
      Eventually([&] { return FindSpan(receiver.receiver().Spans(), "/ping") != nullptr; }));
  const std::vector<otel::Span> spans = receiver.receiver().Spans();

  const otel::Span* fast = FindSpan(spans, "/fast_task/");
  ASSERT_NE(fast, nullptr);
  EXPECT_EQ(HexOf(fast->trace_id()), trace_id);
  EXPECT_EQ(HexOf(fast->parent_span_id()), parent_id);
  EXPECT_EQ(fast->trace_state(), "vendor=x");
  EXPECT_EQ(fast->flags() & 0x3ff, 0x301u);  // sampled, the parent is remote

  const otel::Span* hello = FindSpan(spans, "/hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(HexOf(hello->trace_id()), trace_id);
  EXPECT_EQ(HexOf(hello->parent_span_id()), "b7ad6b7169203331");

  EXPECT_EQ(FindSpan(spans, "/items"), nullptr) << "an unsampled parent's request was exported";

  const otel::Span* ping = FindSpan(spans, "/ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_NE(HexOf(ping->trace_id()), trace_id);
  EXPECT_TRUE(ping->parent_span_id().empty());
}

TEST(OtlpExport, AReceiverThatIsDownLosesNothingUntilTheQueueIsFull) {
  int port = 0;
  {
    RunningReceiver first;  // an address that will be free
    port = first.port();
  }
  constexpr size_t kQueue = 8;
  constexpr size_t kBatch = 4;
  SeedServer server(0.02, WithOtlp("127.0.0.1:" + std::to_string(port),
                                   std::chrono::milliseconds(20), kQueue, kBatch));
  for (int i = 0; i < 3; ++i) server.Execute("GET", "/fast_task/");
  // The exporter tries, fails and keeps the spans.
  ASSERT_TRUE(Eventually([&] { return Stats(server).otlp().export_failures() >= 2; }));
  EXPECT_EQ(Stats(server).otlp().spans_dropped(), 0u);
  EXPECT_EQ(Stats(server).otlp().spans_exported(), 0u);
  {
    RunningReceiver back(port);  // the receiver comes back: everything arrives
    ASSERT_TRUE(Eventually([&] { return back.receiver().Spans().size() == 3; },
                           std::chrono::milliseconds(20000)))
        << back.receiver().Spans().size();
    // (Counted once the Export call returned, just after the receiver kept them.)
    EXPECT_TRUE(Eventually([&] { return Stats(server).otlp().spans_exported() == 3; }));
  }
  // Down again, and more requests than the queue and a batch hold.
  constexpr uint64_t kMore = 20;
  for (uint64_t i = 0; i < kMore; ++i) server.Execute("GET", "/fast_task/");
  ASSERT_TRUE(Eventually([&] { return Stats(server).otlp().spans_dropped() > 0; }));
  const uint64_t dropped = Stats(server).otlp().spans_dropped();
  // At most a queue, and a batch in hand per concurrent export, are kept.
  const size_t exports = otlp::OtlpOptions{}.concurrent_exports;
  EXPECT_GE(dropped, kMore - kQueue - exports * kBatch);
  RunningReceiver again(port);
  ASSERT_TRUE(Eventually(
      [&] {
        const auto o = Stats(server).otlp();
        return o.spans_exported() + o.spans_dropped() == 3 + kMore;
      },
      std::chrono::milliseconds(20000)));
  const auto o = Stats(server).otlp();
  EXPECT_EQ(o.spans_dropped(), dropped) << "spans were dropped after the queue had room";
  EXPECT_EQ(again.receiver().Spans().size(), kMore - dropped);
  EXPECT_EQ(o.queued_spans(), 0u);
}

// A full batch leaves at once, long before the schedule delay.
TEST(OtlpExport, AFullBatchIsExportedWithoutWaitingForTheScheduleDelay) {
  RunningReceiver receiver;
  SeedServer server(0.02, WithOtlp(receiver.address(), std::chrono::hours(1), 64, 4));
  for (int i = 0; i < 4; ++i) server.Execute("GET", "/fast_task/");
  EXPECT_TRUE(Eventually([&] { return receiver.receiver().Spans().size() == 4; }))
      << receiver.receiver().Spans().size();
}

TEST(OtlpExport, ShutdownFlushesTheQueue) {
  RunningReceiver receiver;
  // A schedule delay of an hour: nothing is exported before shutdown.
  auto server =
      std::make_unique<SeedServer>(0.02, WithOtlp(receiver.address(), std::chrono::hours(1)));
  for (int i = 0; i < 5; ++i) server->Execute("GET", "/fast_task/");
  EXPECT_EQ(Stats(*server).otlp().queued_spans(), 5u);
  EXPECT_TRUE(receiver.receiver().Spans().empty());
  server->server().Shutdown(absl::Seconds(10));
  EXPECT_EQ(receiver.receiver().Spans().size(), 5u);
}

TEST(OtlpExport, ABadEndpointIsRefusedAtStart) {
  grpc_front::ServerOptions options = WithOtlp("https://collector:4317");
  options.address = "127.0.0.1:0";
  app::App app = app::BuildSeedApp({});
  grpc_front::ExecutionServer server(app, options);
  absl::StatusOr<int> port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(port.status().message()), ::testing::HasSubstr("TLS"));
}

}  // namespace
}  // namespace corouter::testing
