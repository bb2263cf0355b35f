#include "server/otlp/otlp_exporter.h"

#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/resource/v1/resource.pb.h"
#include "server/otlp/span_builder.h"

namespace corouter::otlp {
namespace {

namespace collector = ::opentelemetry::proto::collector::trace::v1;
using ::opentelemetry::proto::common::v1::KeyValue;

constexpr absl::Duration kInitialBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);

// OTLP/gRPC's retryable codes (opentelemetry-proto docs/specification.md,
// "Failures"); RESOURCE_EXHAUSTED is retried too: a busy collector recovers.
bool Retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

// The serialized Resource of every request: service.name and the SDK.
std::string ResourceBytes(const std::string& service_name) {
  opentelemetry::proto::resource::v1::Resource resource;
  auto add = [&](const char* key, const std::string& value) {
    KeyValue* kv = resource.add_attributes();
    kv->set_key(key);
    kv->mutable_value()->set_string_value(value);
  };
  add("service.name", service_name);
  add("telemetry.sdk.name", "corouter");
  add("telemetry.sdk.language", "cpp");
  add("telemetry.sdk.version", COROUTER_VERSION);
  return resource.SerializeAsString();
}

}  // namespace

absl::StatusOr<std::string> ParseOtlpEndpoint(std::string_view text) {
  const absl::string_view value(text.data(), text.size());
  absl::string_view rest = value;
  if (absl::StartsWith(rest, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", value, "\": for TLS to the collector give HOST:PORT and --otlp-tls"));
  }
  if (absl::StartsWith(rest, "http://")) rest.remove_prefix(7);
  if (absl::EndsWith(rest, "/")) rest.remove_suffix(1);
  const size_t colon = rest.rfind(':');
  int port = 0;
  if (rest.find('/') != absl::string_view::npos || colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(rest.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", value, "\" is not HOST:PORT (an OTLP/gRPC receiver, such as 127.0.0.1:4317)"));
  }
  return std::string(rest);
}

absl::StatusOr<std::unique_ptr<OtlpExporter>> OtlpExporter::Start(watch::TraceHub& hub,
                                                                  OtlpOptions options,
                                                                  loop::EventLoop& loop) {
  absl::StatusOr<std::string> target = ParseOtlpEndpoint(options.endpoint);
  if (!target.ok()) return target.status();
  options.endpoint = *target;
  if (options.concurrent_exports == 0) {
    return absl::InvalidArgumentError("the OTLP exporter needs at least one concurrent export");
  }
  if (options.max_batch_spans == 0 || options.max_queue_spans < options.max_batch_spans) {
    return absl::InvalidArgumentError(
        "the OTLP queue must hold at least one batch, and a batch at least one span");
  }
  std::unique_ptr<OtlpExporter> exporter(new OtlpExporter(hub, std::move(options), loop));
  OtlpExporter* raw = exporter.get();
  watch::SubscribeOptions subscribe;
  subscribe.completed_mode = true;
  subscribe.exporter =
      watch::ExporterQueue{exporter->options_.max_queue_spans, exporter->options_.max_batch_spans};
  absl::StatusOr<std::shared_ptr<watch::TraceHub::Subscription>> subscription =
      hub.Subscribe(std::move(subscribe), [raw] { raw->Wake(); });
  if (!subscription.ok()) return subscription.status();
  exporter->subscription_ = *std::move(subscription);
  for (size_t i = 0; i < exporter->options_.concurrent_exports; ++i) {
    exporter->threads_.emplace_back([raw] { raw->Run(); });
  }
  return exporter;
}

OtlpExporter::OtlpExporter(watch::TraceHub& hub, OtlpOptions options, loop::EventLoop& loop)
    : hub_(hub), options_(std::move(options)), loop_(loop) {
  grpc::ChannelArguments args;
  // Reconnect soon after the receiver comes back (gRPC's default backoff
  // grows to 120 s).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(absl::ToInt64Milliseconds(kMaxBackoff)));
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options_.ca_pem;
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      options_.endpoint,
      options_.tls ? grpc::SslCredentials(ssl) : grpc::InsecureChannelCredentials(), args);
  generic_ = std::make_unique<grpc::GenericStub>(channel);
  resource_bytes_ = ResourceBytes(options_.service_name);
  opentelemetry::proto::common::v1::InstrumentationScope scope;
  scope.set_name("corouter");
  scope.set_version(COROUTER_VERSION);
  scope_bytes_ = scope.SerializeAsString();
}

namespace {

// One Export issued on a loop: the loop starts it and completes it; the
// export thread waits for `done`.
struct LoopExport final : loop::Operation {
  LoopExport() : Operation(&LoopExport::OnDone) {}
  static void OnDone(loop::Operation* self, bool /*ok*/) {
    auto* e = static_cast<LoopExport*>(self);
    // Keeps the object alive until the lock is released below (the export
    // thread may free it as soon as it sees `done`).
    std::shared_ptr<LoopExport> keep = std::move(e->self);
    sync::MutexLock lock(&e->mu);
    e->done = true;
    e->done_cv.Signal();
  }
  grpc::ClientContext ctx;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  std::shared_ptr<LoopExport> self;
  sync::Mutex mu;
  sync::CondVar done_cv;
  bool done ABSL_GUARDED_BY(mu) = false;
};

constexpr char kExportMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

}  // namespace

grpc::Status OtlpExporter::Attempt(const grpc::ByteBuffer& request, absl::Time deadline,
                                   collector::ExportTraceServiceResponse* response) {
  auto call = std::make_shared<LoopExport>();
  call->ctx.set_deadline(absl::ToChronoTime(deadline));
  call->self = call;
  LoopExport* raw = call.get();
  loop_.Post([this, raw, request] {
    raw->reader = generic_->PrepareUnaryCall(&raw->ctx, kExportMethod, request, loop_.cq());
    raw->reader->StartCall();
    raw->reader->Finish(&raw->response, &raw->status, raw->tag());
  });
  {
    sync::MutexLock lock(&call->mu);
    while (!call->done) call->done_cv.Wait(&call->mu);
  }
  if (!call->status.ok()) return call->status;
  return grpc::SerializationTraits<collector::ExportTraceServiceResponse>::Deserialize(
      &call->response, response);
}

OtlpExporter::~OtlpExporter() { Shutdown(absl::Now()); }

void OtlpExporter::Wake() {
  sync::MutexLock lock(&mu_);
  woken_ = true;
  // All: a thread backing off in Send waits on changed_ too, and must not
  // take the wake-up from one waiting in Run.
  changed_.SignalAll();
}

void OtlpExporter::Shutdown(absl::Time deadline) {
  {
    sync::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = deadline;
    changed_.SignalAll();
  }
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  if (subscription_ != nullptr) hub_.Unsubscribe(*subscription_);
}

OtlpStats OtlpExporter::stats() const {
  OtlpStats out;
  out.spans_exported = exported_.load(std::memory_order_relaxed);
  out.export_failures = failures_.load(std::memory_order_relaxed);
  // Drops at the queue (counted by the hub as they happen, so they show while
  // an Export is being retried) and after it (refused, shutdown).
  const watch::TraceHub::QueueState queue =
      subscription_ != nullptr ? hub_.Queue(*subscription_) : watch::TraceHub::QueueState{};
  out.spans_dropped = dropped_.load(std::memory_order_relaxed) + queue.dropped_total;
  out.queued_spans = queue.queued;
  return out;
}

void OtlpExporter::Run() {
  IdGenerator ids;  // this thread's
  while (true) {
    {
      sync::MutexLock lock(&mu_);
      const auto next = absl::ToChronoTime(absl::Now() + options_.schedule_delay);
      while (!woken_ && !stopping_ && changed_.WaitUntil(&mu_, next)) {
      }
      if (stopping_) break;
      woken_ = false;
    }
    ExportQueued(ids);
  }
  // Flush until the deadline (Send gives up then), then count what is left.
  ExportQueued(ids);
}

void OtlpExporter::ExportQueued(IdGenerator& ids) {
  thread_local std::string spans_bytes;  // reused batch after batch
  while (true) {
    // (Drops at the queue are the hub's dropped_total, which stats() reads.)
    watch::Batch batch = hub_.TakeBatch(*subscription_, options_.max_batch_spans);
    if (batch.traces.empty()) return;
    spans_bytes.clear();
    size_t spans = 0;
    for (const watch::TracePtr& trace : batch.traces) {
      spans += EncodeSpans(*trace, ids, &spans_bytes);
    }
    if (spans == 0) continue;
    const std::string request = ExportRequestBytes(resource_bytes_, scope_bytes_, spans_bytes);
    grpc::Slice slice(request);
    Send(grpc::ByteBuffer(&slice, 1), spans);
  }
}

void OtlpExporter::Send(const grpc::ByteBuffer& bytes, size_t spans) {
  absl::BitGen random;
  absl::Duration backoff = kInitialBackoff;
  while (true) {
    absl::Time rpc_deadline = absl::Now() + options_.export_timeout;
    {
      sync::MutexLock lock(&mu_);
      if (stopping_) {
        if (absl::Now() >= stop_deadline_) {
          dropped_.fetch_add(spans, std::memory_order_relaxed);
          return;
        }
        rpc_deadline = std::min(rpc_deadline, stop_deadline_);
      }
    }
    collector::ExportTraceServiceResponse response;
    const grpc::Status status = Attempt(bytes, rpc_deadline, &response);
    if (status.ok()) {
      const uint64_t rejected = static_cast<uint64_t>(std::clamp<int64_t>(
          response.partial_success().rejected_spans(), 0, static_cast<int64_t>(spans)));
      exported_.fetch_add(spans - rejected, std::memory_order_relaxed);
      dropped_.fetch_add(rejected, std::memory_order_relaxed);
      if (failing_.exchange(false)) {
        std::cerr << "corouter-server: OTLP export to " << options_.endpoint << " works again\n";
      }
      return;
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    const bool retry = Retryable(status.error_code());
    if (!failing_.exchange(retry) || !retry) {
      std::cerr << "corouter-server: OTLP export to " << options_.endpoint << " failed ("
                << status.error_code() << ": " << status.error_message() << "); "
                << (retry ? "retrying with backoff" : absl::StrCat("dropped ", spans, " spans"))
                << "\n";
    }
    if (!retry) {
      dropped_.fetch_add(spans, std::memory_order_relaxed);
      return;
    }
    // Full jitter over the upper half: [backoff/2, backoff).
    const absl::Duration wait = backoff * absl::Uniform(random, 0.5, 1.0);
    backoff = std::min(backoff * 2, kMaxBackoff);
    sync::MutexLock lock(&mu_);
    const bool was_stopping = stopping_;
    absl::Time until = absl::Now() + wait;
    if (stopping_) until = std::min(until, stop_deadline_);
    const auto deadline = absl::ToChronoTime(until);
    while (stopping_ == was_stopping && changed_.WaitUntil(&mu_, deadline)) {
    }
  }
}

}  // namespace corouter::otlp
