// server/otlp/otlp_exporter.h
//
// OtlpExporter: sends every completed request to an OpenTelemetry collector
// (Jaeger, Grafana Tempo, any OTLP/gRPC receiver) as spans (span_builder.h),
// with opentelemetry.proto.collector.trace.v1.TraceService/Export, batched as
// the OpenTelemetry SDK's BatchSpanProcessor does
// (https://opentelemetry.io/docs/specs/otel/trace/sdk/#batching-processor):
//
//  - The queue is the exporter's TraceHub subscription (COMPLETED mode,
//    bounded in spans: max_queue_spans, default 2048). A request that ends
//    while it is full is dropped whole and counted; a loop never waits for
//    the exporter (publishing is the hub's bounded push).
//  - One thread exports batches of at most max_batch_spans (512): as soon as
//    that many are queued, else every schedule_delay (5 s) whatever is
//    queued.
//  - An Export that fails with a retryable code (OTLP/gRPC's list:
//    UNAVAILABLE, CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
//    DATA_LOSS, RESOURCE_EXHAUSTED) is retried with exponential backoff
//    (100 ms doubling to 5 s, with jitter), for as long as it takes: a
//    receiver that is down loses nothing until the queue is full, then the
//    queue's drops are counted. Any other code drops the batch (counted).
//    A partial success's rejected spans are counted as dropped.
//  - Shutdown(deadline) exports what is queued until `deadline`; what is
//    left then is dropped and counted.
//
// The transport is plaintext gRPC (TLS to the collector is not supported
// yet); the channel reconnects with a 100 ms to 5 s backoff so a receiver
// that comes back is used within seconds.
//
// Thread safety: stats() and Shutdown() are thread-safe; Shutdown is called
// once, from the controlling thread, after the last request ended.
#ifndef COROUTER_SERVER_OTLP_OTLP_EXPORTER_H_
#define COROUTER_SERVER_OTLP_OTLP_EXPORTER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "server/otlp/trace_context.h"
#include "server/watch/trace_hub.h"

namespace corouter::otlp {

struct OtlpOptions {
  /// The receiver, "HOST:PORT" (OTLP/gRPC's default port is 4317).
  std::string endpoint;
  /// The resource's service.name.
  std::string service_name = "corouter";
  /// Spans queued at most; beyond it requests' spans are dropped.
  size_t max_queue_spans = 2048;
  /// Spans per Export at most.
  size_t max_batch_spans = 512;
  /// The longest a queued span waits for its batch.
  absl::Duration schedule_delay = absl::Seconds(5);
  /// Deadline of one Export call.
  absl::Duration export_timeout = absl::Seconds(10);
};

struct OtlpStats {
  /// Spans the receiver accepted.
  uint64_t spans_exported = 0;
  /// Spans lost: the queue was full, the receiver refused them (a
  /// non-retryable error or a partial success), or shutdown's deadline came.
  uint64_t spans_dropped = 0;
  /// Export calls that failed (each retry counts).
  uint64_t export_failures = 0;
  /// Spans queued now (not yet taken for a batch).
  size_t queued_spans = 0;
};

/// Checks an --otlp-endpoint value: "HOST:PORT", or "http://HOST:PORT".
/// Returns the HOST:PORT to dial.
/// Errors: INVALID_ARGUMENT naming what is wrong (no port, https://...).
absl::StatusOr<std::string> ParseOtlpEndpoint(std::string_view value);

class OtlpExporter {
 public:
  /// Subscribes to `hub` (which must outlive the exporter) and starts the
  /// export thread. Errors: INVALID_ARGUMENT for a bad endpoint or limits.
  static absl::StatusOr<std::unique_ptr<OtlpExporter>> Start(watch::TraceHub& hub,
                                                             OtlpOptions options);
  /// Shuts down with an immediate deadline if Shutdown was not called.
  ~OtlpExporter();
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  /// Exports what is queued until `deadline`, drops the rest, stops the
  /// thread and leaves the hub. Idempotent.
  void Shutdown(absl::Time deadline);

  OtlpStats stats() const;
  const OtlpOptions& options() const { return options_; }

 private:
  OtlpExporter(watch::TraceHub& hub, OtlpOptions options);
  void Run();
  /// Takes and exports batches while a full batch is queued (or, when
  /// stopping, while anything is). Returns once less than a batch is left.
  void ExportQueued();
  /// Sends `spans` spans, retrying as the class comment says.
  void Send(opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request,
            size_t spans);
  void Wake();

  watch::TraceHub& hub_;
  const OtlpOptions options_;
  std::shared_ptr<watch::TraceHub::Subscription> subscription_;
  std::unique_ptr<opentelemetry::proto::collector::trace::v1::TraceService::Stub> stub_;
  IdGenerator ids_;  // the export thread's

  std::atomic<uint64_t> exported_{0};
  std::atomic<uint64_t> dropped_{0};  // after the queue: refused, or shutdown's deadline
  std::atomic<uint64_t> failures_{0};

  mutable absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time stop_deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  bool failing_ = false;  // the export thread's: logged the current outage
  std::thread thread_;
};

}  // namespace corouter::otlp

#endif  // COROUTER_SERVER_OTLP_OTLP_EXPORTER_H_
