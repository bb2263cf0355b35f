#include "server/grpc/execution_server.h"

#include <future>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/grpc/admin_calls.h"
#include "server/grpc/execute_call.h"
#include "server/grpc/execute_traced_call.h"
#include "server/grpc/get_stats_call.h"
#include "server/grpc/health_calls.h"
#include "server/grpc/journal_calls.h"
#include "server/grpc/list_routes_call.h"
#include "server/grpc/proto_convert.h"
#include "server/grpc/watch_traces_call.h"
#include "server/security/credential_files.h"

namespace corouter::grpc_front {
namespace {

// Leaves gRPC's reflection plugin out of one server: it serves on gRPC's own
// threads, where the bearer token check (CallBase::Authenticate) does not
// reach, so a server that needs a token does not serve it.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
      return dynamic_cast<grpc::reflection::ProtoServerReflectionPlugin*>(plugin.get()) != nullptr;
    });
  }
};

// The port's credentials: TLS (mutual with a client CA) or plaintext.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> CredentialsFor(
    const std::optional<ServerTls>& tls) {
  if (!tls.has_value()) return grpc::InsecureServerCredentials();
  for (absl::Status status :
       {security::CheckCertificates(tls->cert_chain_pem, "the TLS certificate"),
        security::CheckPrivateKey(tls->private_key_pem, "the TLS key"),
        security::CheckKeyMatchesCertificate(tls->cert_chain_pem, tls->private_key_pem),
        tls->client_ca_pem.empty()
            ? absl::OkStatus()
            : security::CheckCertificates(tls->client_ca_pem, "the TLS client CA")}) {
    if (!status.ok()) return absl::InvalidArgumentError(status.message());
  }
  grpc::SslServerCredentialsOptions ssl(
      tls->client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                 : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = tls->client_ca_pem;
  ssl.pem_key_cert_pairs.push_back({tls->private_key_pem, tls->cert_chain_pem});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

ExecutionServer::ExecutionServer(const app::App& app, ServerOptions options)
    : app_(app), options_(std::move(options)) {}

ExecutionServer::~ExecutionServer() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<int> ExecutionServer::Start() {
  if (started_) return absl::FailedPreconditionError("the server was already started");
  if (!app_.status().ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the app has a registration error: ", app_.status().message()));
  }
  if (options_.loops == 0) return absl::InvalidArgumentError("loops must be at least 1");
  if (options_.otlp.has_value()) {
    if (absl::StatusOr<std::string> endpoint = otlp::ParseOtlpEndpoint(options_.otlp->endpoint);
        !endpoint.ok()) {
      return endpoint.status();
    }
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      CredentialsFor(options_.tls);
  if (!credentials.ok()) return credentials.status();
  started_ = true;
  shared_.auth = options_.auth.has_value() ? &*options_.auth : nullptr;
  shared_.max_in_flight = options_.max_in_flight;
  shared_.max_deadline = options_.max_deadline;
  shared_.limits = options_.limits;

  // Health is served on our loops (health_calls.h), not by gRPC's own.
  grpc::EnableDefaultHealthCheckService(false);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options_.address, *credentials, &port);
  if (options_.auth.has_value()) builder.SetOption(std::make_unique<WithoutReflection>());
  builder.SetMaxReceiveMessageSize(app::GrpcReceiveLimit(options_.limits));
  builder.RegisterService(&service_);
  builder.RegisterService(&admin_service_);
  builder.RegisterService(&journal_service_);
  builder.RegisterService(&health_service_);
  for (size_t i = 0; i < options_.loops; ++i) cqs_.push_back(builder.AddCompletionQueue());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    server_.reset();
    cqs_.clear();
    stopped_ = true;
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.address));
  }

  // A redirect without a valid host header names the listening address, as
  // uvicorn's scope["server"] does.
  const std::string host = options_.address.substr(0, options_.address.rfind(':'));
  // The journal keeps each request's parameters: only then does the engine
  // copy them out.
  apps_.emplace(app::EngineOptions{.server_authority = absl::StrCat(host, ":", port),
                                   .record_parameters = options_.journal > 0},
                options_.loops);
  if (options_.journal > 0) journal_ = std::make_unique<journal::Journal>(options_.journal);
  shared_.journal = journal_.get();
  // Version 1 is the caller's app, which outlives the server: not owned.
  if (absl::StatusOr<std::shared_ptr<const ServedApp>> first = apps_->Replace(
          std::shared_ptr<const app::App>(&app_, [](const app::App*) {}), options_.app_source);
      !first.ok()) {
    Abandon();
    return first.status();
  }
  shared_.apps = &*apps_;
  shared_.admin = options_.admin;
  shared_.time_scale = options_.time_scale;
  shared_.seed = options_.seed;
  hub_ = std::make_unique<watch::TraceHub>(watch::TraceHubOptions{
      .history = options_.trace_history, .watch_buffer = options_.watch_buffer});
  shared_.hub = hub_.get();
  executor_ = std::make_unique<loop::Executor>(options_.executor_threads);
  shared_.executor = executor_.get();
  shared_.started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < options_.loops; ++i) {
    loops_.push_back(std::make_unique<loop::EventLoop>(cqs_[i].get(), static_cast<uint32_t>(i)));
    loops_.back()->set_slow_callback_threshold(absl::ToChronoNanoseconds(options_.slow_callback));
    auto services = std::make_unique<LoopServices>();
    services->service = &service_;
    services->health = &health_service_;
    services->cq = cqs_[i].get();
    services->loop = loops_[i].get();
    services->executor = executor_.get();
    services->admin = &admin_service_;
    services->journal_service = &journal_service_;
    services->shared = &shared_;
    shared_.loops.push_back(services.get());
    services_.push_back(std::move(services));
  }
  if (options_.otlp.has_value()) {
    // Loop 0 issues the Export calls (otlp_exporter.h says why).
    absl::StatusOr<std::unique_ptr<otlp::OtlpExporter>> exporter =
        otlp::OtlpExporter::Start(*hub_, *options_.otlp, *loops_[0]);
    if (!exporter.ok()) {
      Abandon();
      return exporter.status();
    }
    otlp_ = *std::move(exporter);
    shared_.otlp = otlp_.get();
  }
  for (size_t i = 0; i < options_.loops; ++i) {
    LoopServices* services = services_[i].get();
    loop::EventLoop* event_loop = loops_[i].get();
    const size_t calls = options_.calls_per_method;
    threads_.emplace_back([services, event_loop, calls] {
      // Request calls from the loop thread itself: call objects are touched
      // by their loop only.
      event_loop->Post([services, calls] {
        for (size_t n = 0; n < calls; ++n) {
          ExecuteCall::Request(*services);
          ExecuteTracedCall::Request(*services);
          ListRoutesCall::Request(*services);
          GetStatsCall::Request(*services);
          HealthCheckCall::Request(*services);
          HealthWatchCall::Request(*services);
        }
        // Admin calls are rare: one of each requested is enough.
        LoadAppCall::Request(*services);
        GetAppCall::Request(*services);
        ListRequestsCall::Request(*services);
        CountRequestsCall::Request(*services);
        ClearRequestsCall::Request(*services);
        WaitForRequestsCall::Request(*services);
        // A watch stream is long-lived: one requested call is enough (the
        // next is requested as one arrives).
        WatchTracesCall::Request(*services);
      });
      event_loop->Run();
    });
  }
  if (!options_.metrics_listen.empty()) {
    metrics_ = std::make_unique<metrics::MetricsServer>([this] {
      corouter::v1::GetStatsResponse stats;
      SnapshotStats(shared_, &stats);
      return stats;
    });
    absl::StatusOr<int> metrics_port = metrics_->Start(options_.metrics_listen);
    if (!metrics_port.ok()) {
      Shutdown(absl::ZeroDuration());
      return metrics_port.status();
    }
    metrics_port_ = *metrics_port;
  }
  return port;
}

void ExecutionServer::Abandon() {
  // Nothing runs yet: no loop thread, no call requested.
  server_->Shutdown();
  shared_.loops.clear();
  services_.clear();
  loops_.clear();
  executor_.reset();
  shared_.hub = nullptr;
  hub_.reset();
  server_.reset();
  cqs_.clear();
  stopped_ = true;
}

void ExecutionServer::Shutdown(absl::Duration grace) {
  if (!started_ || stopped_) return;
  stopped_ = true;
  // Spans of requests finishing within the grace period are still exported;
  // the exporter's flush must end with the grace period too.
  const absl::Time grace_ends = absl::Now() + grace;
  if (metrics_ != nullptr) metrics_->Stop();
  // Open health Watch and WatchTraces streams would hold the grace period:
  // end them first.
  for (size_t i = 0; i < loops_.size(); ++i) {
    std::promise<void> ended;
    LoopServices* services = services_[i].get();
    loops_[i]->Post([services, &ended] {
      std::vector<HealthWatchCall*> watches(services->health_watches.begin(),
                                            services->health_watches.end());
      for (HealthWatchCall* watch : watches) watch->EndForShutdown();
      std::vector<WatchTracesCall*> trace_watches(services->watches.begin(),
                                                  services->watches.end());
      for (WatchTracesCall* watch : trace_watches) watch->EndForShutdown();
      ended.set_value();
    });
    // Bounded: a loop held by a blocking handler answers when it is free.
    ended.get_future().wait_for(std::chrono::seconds(10));
  }
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(grace));
  // Cancelled handlers unwind on their loops; an offloaded one only once its
  // thread returns. Wait for that, but not forever.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (shared_.in_flight.load() > 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  // Background tasks run after their responses: they have what is left of
  // the grace period, then are cancelled at their current await (a sync one
  // ends when its thread returns).
  while (shared_.background.load() > 0 && absl::Now() < grace_ends) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  if (shared_.background.load() > 0) {
    for (size_t i = 0; i < loops_.size(); ++i) {
      LoopServices* services = services_[i].get();
      loops_[i]->Post([services] {
        std::vector<loop::TaskContext*> running(services->backgrounds.begin(),
                                                services->backgrounds.end());
        for (loop::TaskContext* context : running) {
          context->Cancel("the server shut down (its --grace period ended)");
        }
      });
    }
    while (shared_.background.load() > 0 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  // Every request has ended. The exporter flushes while loop 0, which
  // issues its calls, still runs.
  if (otlp_ != nullptr) {
    otlp_->Shutdown(grace_ends);
    shared_.otlp = nullptr;
    otlp_.reset();
  }
  for (auto& event_loop : loops_) event_loop->Shutdown();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  executor_.reset();
  // Every request has ended, and so has every subscriber.
  shared_.hub = nullptr;
  hub_.reset();
  // Completion queues go after the server's shutdown and their drain.
  server_.reset();
  loops_.clear();
  cqs_.clear();
}

absl::StatusOr<corouter::v1::AppVersion> ExecutionServer::ReplaceApp(
    std::shared_ptr<const app::App> app, AppSource source) {
  if (!apps_.has_value() || shared_.apps == nullptr) {
    return absl::FailedPreconditionError("the server is not running: Start it first");
  }
  absl::StatusOr<std::shared_ptr<const ServedApp>> served =
      apps_->Replace(std::move(app), std::move(source));
  if (!served.ok()) return served.status();
  corouter::v1::AppVersion version;
  ToProto(**served, &version);
  return version;
}

corouter::v1::AppVersion ExecutionServer::app_version() const {
  corouter::v1::AppVersion version;
  if (apps_.has_value()) {
    if (std::shared_ptr<const ServedApp> served = apps_->current()) ToProto(*served, &version);
  }
  return version;
}

}  // namespace corouter::grpc_front
