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
//  - Export threads send batches of at most max_batch_spans (512): as soon
//    as that many are queued, else every schedule_delay (5 s) whatever is
//    queued. Unlike the SDK's one export at a time, concurrent_exports
//    threads (default 2) may each have an Export in flight, as the
//    Collector's exporters do (sending_queue.num_consumers): an Export's
//    round trip, not its CPU, is what limits one thread.
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
// The transport is plaintext gRPC, or TLS with `tls` (--otlp-tls; the
// collector's certificate verified against `ca_pem`, --otlp-ca, else gRPC's
// default roots); the channel reconnects with a 100 ms to 5 s backoff so a
// receiver that comes back is used within seconds. A TLS handshake that
// fails is an UNAVAILABLE Export, retried as above.
//
// Where the work runs. An export thread builds and serializes each batch
// (the CPU-heavy part, off the loops), then hands the bytes to an event
// loop, which starts the Export on its own completion queue and tells the
// thread when it completed; the thread waits on a mutex, not in gRPC. A
// thread blocked in a synchronous gRPC call would poll gRPC's shared epoll
// set and run the server's incoming calls itself (as gRPC's own health
// threads did: BENCHMARKS.md, finding 2); moving the calls to the loop took
// throughput with export on from 0.74x to 0.93x of export off (BENCHMARKS.md,
// "OTLP export").
//
// Thread safety: stats() and Shutdown() are thread-safe; Shutdown is called
// once, from the controlling thread, after the last request ended. The
// threads wait on sync::Mutex and sync::CondVar (std::mutex and
// std::condition_variable), not absl's, so that ThreadSanitizer sees them
// (server/sync/mutex.h).
#ifndef COROUTER_SERVER_OTLP_OTLP_EXPORTER_H_
#define COROUTER_SERVER_OTLP_OTLP_EXPORTER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "server/loop/event_loop.h"
#include "server/otlp/trace_context.h"
#include "server/sync/mutex.h"
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
  /// Export calls in flight at once (one thread each), at least 1.
  size_t concurrent_exports = 2;
  /// Connect to the receiver over TLS (grpc::SslCredentials); false:
  /// plaintext.
  bool tls = false;
  /// With `tls`: the CA certificates (PEM) the receiver's certificate must
  /// chain to; empty: gRPC's default roots (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH,
  /// else its bundled roots.pem).
  std::string ca_pem{};
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
/// Errors: INVALID_ARGUMENT naming what is wrong (no port; https://..., for
/// which it says to give HOST:PORT with --otlp-tls).
absl::StatusOr<std::string> ParseOtlpEndpoint(std::string_view value);

class OtlpExporter {
 public:
  /// Subscribes to `hub` (which must outlive the exporter) and starts the
  /// export threads. `loop` issues the Export calls (see above); it must
  /// keep running until Shutdown returned.
  /// Errors: INVALID_ARGUMENT for a bad endpoint or limits.
  static absl::StatusOr<std::unique_ptr<OtlpExporter>> Start(watch::TraceHub& hub,
                                                             OtlpOptions options,
                                                             loop::EventLoop& loop);
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
  OtlpExporter(watch::TraceHub& hub, OtlpOptions options, loop::EventLoop& loop);
  /// One Export attempt of `request` (serialized) until `deadline`.
  grpc::Status Attempt(
      const grpc::ByteBuffer& request, absl::Time deadline,
      opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse* response);
  void Run();
  /// Takes and exports batches until the queue is empty.
  void ExportQueued(IdGenerator& ids);
  /// Sends `bytes` (a serialized request of `spans` spans), retrying as the
  /// class comment says.
  void Send(const grpc::ByteBuffer& bytes, size_t spans);
  void Wake();

  watch::TraceHub& hub_;
  const OtlpOptions options_;
  std::shared_ptr<watch::TraceHub::Subscription> subscription_;
  loop::EventLoop& loop_;  // issues the Export calls
  std::unique_ptr<grpc::GenericStub> generic_;
  std::string resource_bytes_;  // the serialized Resource and InstrumentationScope
  std::string scope_bytes_;

  std::atomic<uint64_t> exported_{0};
  std::atomic<uint64_t> dropped_{0};  // after the queue: refused, or shutdown's deadline
  std::atomic<uint64_t> failures_{0};

  mutable sync::Mutex mu_;
  sync::CondVar changed_;  // signalled when woken_ or stopping_ is set
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time stop_deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::atomic<bool> failing_{false};  // the current outage was logged
  std::vector<std::thread> threads_;
};

}  // namespace corouter::otlp

#endif  // COROUTER_SERVER_OTLP_OTLP_EXPORTER_H_
