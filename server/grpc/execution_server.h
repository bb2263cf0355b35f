// server/grpc/execution_server.h
//
// ExecutionServer: corouter's gRPC front. It serves corouter.v1.
// ExecutionService for one App with the asynchronous completion-queue API:
// each event loop thread owns one completion queue and pre-posts several
// requested calls per method on it (shared/design/architecture.md). gRPC
// server reflection and the standard health service (grpc.health.v1, served
// on the loops: see health_calls.h) are on, so generic tools (grpcurl,
// grpc_health_probe) can discover and probe it.
//
//   app::App app = app::BuildSeedApp();
//   ExecutionServer server(app, {.address = "127.0.0.1:0"});
//   absl::StatusOr<int> port = server.Start();
//   ...
//   server.Shutdown(absl::Seconds(10));
//
// Shutdown order (decision 8): open health Watch and WatchTraces streams are
// finished first (they would hold the grace period), then
// grpc::Server::Shutdown(deadline) from a
// non-loop thread while the loops keep running (no new calls; in-flight calls
// finish until the deadline, then are cancelled and their handlers woken at
// their awaits), then a wait until no request is in flight (an offloaded one
// must see its thread return), then each loop's completion queue is shut
// down and drained, the loop threads joined, and the executor drained. The
// OTLP exporter flushes what is queued until the grace period's end just
// before the loops stop (loop 0 issues its Export calls).
//
// Apps at run time (served_app.h): the app given to the constructor is
// version 1; ReplaceApp, AdminService.LoadApp (with ServerOptions::admin)
// and corouter-server --watch replace it while the server runs. Requests
// already running finish on the version they started on.
//
// TLS and token auth (ServerOptions::tls, ::auth; docs/deployment.md): with
// `tls` the port speaks TLS only (grpc::SslServerCredentials), and with a
// client CA it requires and verifies a client certificate (mutual TLS).
// With `auth`, every call but grpc.health.v1's needs the bearer token
// (CallBase::Authenticate); gRPC's reflection service, which runs on gRPC's
// own threads where that check does not reach, is then not served.
//
// Thread safety: Start, Shutdown and Wait are called from one controlling
// thread (not a loop thread). The App must outlive the server.
#ifndef COROUTER_SERVER_GRPC_EXECUTION_SERVER_H_
#define COROUTER_SERVER_GRPC_EXECUTION_SERVER_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/server.h"
#include "server/app/app.h"
#include "server/app/engine.h"
#include "server/grpc/loop_services.h"
#include "server/grpc/served_app.h"
#include "server/journal/journal.h"
#include "server/loop/event_loop.h"
#include "server/loop/executor.h"
#include "server/metrics/metrics_server.h"
#include "server/otlp/otlp_exporter.h"
#include "server/security/bearer_auth.h"
#include "server/watch/trace_hub.h"

namespace corouter::grpc_front {

/// The server's TLS identity, as PEM text (security/credential_files.h reads
/// and checks the files).
struct ServerTls {
  /// The certificate chain, leaf first (--tls-cert).
  std::string cert_chain_pem{};
  /// The leaf certificate's private key, unencrypted (--tls-key).
  std::string private_key_pem{};
  /// CA certificates a client certificate must chain to (--tls-client-ca);
  /// empty: no client certificate is asked for. Non-empty: a client without
  /// a certificate that verifies against them fails the handshake (mutual
  /// TLS, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY).
  std::string client_ca_pem{};
};

struct ServerOptions {
  /// host:port to listen on; port 0 lets the OS pick (see Start's result).
  std::string address = "127.0.0.1:50051";
  /// Event loop threads, each with its own completion queue.
  size_t loops = 1;
  /// Executor capacity: sync path operations and offloads running at once.
  size_t executor_threads = loop::Executor::kDefaultCapacity;
  /// Calls requested ahead of time per method per loop.
  size_t calls_per_method = 8;
  /// Requests executing at once, server-wide; beyond it calls are refused at
  /// once with RESOURCE_EXHAUSTED. 0: no limit.
  int64_t max_in_flight = 0;
  /// Deadline for requests that come without one (or with a later one);
  /// zero: none.
  absl::Duration max_deadline = absl::ZeroDuration();
  /// Request sizes: a body over `limits.max_body_bytes` is refused with
  /// RESOURCE_EXHAUSTED naming --max-body-size (app::Engine::Validate), and
  /// gRPC's receive limit is set to app::GrpcReceiveLimit(limits).
  app::RequestLimits limits;
  /// A slice of loop work longer than this is a blocking call (asyncio's
  /// slow_callback_duration).
  absl::Duration slow_callback = absl::Milliseconds(100);
  /// Completed traces kept for WatchTraces replay and resuming; 0 keeps
  /// none (and, with no subscriber, requests are not traced at all).
  size_t trace_history = 1000;
  /// Events one WatchTraces subscriber may have queued before its new ones
  /// are dropped (and counted).
  size_t watch_buffer = 16384;
  /// Export every request as OTLP spans (otlp/otlp_exporter.h); unset: off.
  std::optional<otlp::OtlpOptions> otlp;
  /// Serve Prometheus metrics (GET /metrics) on this HOST:PORT from a
  /// thread of its own (metrics/metrics_server.h); empty: off. Plaintext
  /// HTTP, whatever `tls` says.
  std::string metrics_listen;
  /// Serve over TLS (mutual TLS with a client CA); unset: plaintext.
  std::optional<ServerTls> tls{};
  /// Require this bearer token of every call but grpc.health.v1's (calls
  /// without it end UNAUTHENTICATED; reflection is then off); unset: none.
  std::optional<security::BearerAuth> auth{};
  /// Answer corouter.v1.AdminService (LoadApp, GetApp); off: its calls end
  /// FAILED_PRECONDITION.
  bool admin = false;
  /// The --time-scale LoadApp builds route files with (>= 0).
  double time_scale = 1.0;
  /// The --seed of the sleeps of the route files LoadApp builds.
  uint64_t seed = 0;
  /// Requests kept in the journal (JournalService); 0: off.
  size_t journal = journal::Journal::kDefaultCapacity;
  /// Where the constructor's app came from, as GetApp and GetStats report
  /// it (AppVersion.source, and the route file's text if it has one).
  AppSource app_source{.source = "the app given to the server"};
};

class ExecutionServer {
 public:
  /// `app` must have an OK status and outlive the server.
  ExecutionServer(const app::App& app, ServerOptions options);
  /// Shuts down (with a zero grace) if still running.
  ~ExecutionServer();

  ExecutionServer(const ExecutionServer&) = delete;
  ExecutionServer& operator=(const ExecutionServer&) = delete;

  /// Binds, starts the loops (and the OTLP exporter and metrics endpoint
  /// when asked) and returns the bound port.
  /// Errors: FAILED_PRECONDITION if the App's status is not OK or Start was
  /// already called; INVALID_ARGUMENT for loops == 0, a bad OTLP option, or
  /// `tls` PEM text that does not parse (or a key that does not match its
  /// certificate); UNAVAILABLE when the address (or the metrics address)
  /// cannot be bound.
  absl::StatusOr<int> Start();

  /// The metrics endpoint's bound port (0 when off); valid after Start.
  int metrics_port() const { return metrics_port_; }

  /// Stops accepting calls, lets in-flight ones finish within `grace`,
  /// cancels the rest, stops the loops. Idempotent.
  void Shutdown(absl::Duration grace);

  /// Requests executing now, server-wide (thread-safe).
  int64_t in_flight() const { return shared_.in_flight.load(); }

  /// Serves `app` from now on, as the next version; requests already
  /// running finish on the app they started on. Call once Start has
  /// returned, from any thread (after Shutdown it changes nothing that
  /// runs). Errors: FAILED_PRECONDITION before Start, or when `app`'s status
  /// is not OK (the served app is then unchanged).
  absl::StatusOr<corouter::v1::AppVersion> ReplaceApp(std::shared_ptr<const app::App> app,
                                                      AppSource source);

  /// The version served now (thread-safe; after Start).
  corouter::v1::AppVersion app_version() const;

 private:
  /// Undoes a Start that failed after binding, before any loop ran.
  void Abandon();

  const app::App& app_;
  const ServerOptions options_;
  std::optional<AppSlot> apps_;  // made in Start, once the port is known
  corouter::v1::ExecutionService::AsyncService service_;
  corouter::v1::AdminService::AsyncService admin_service_;
  corouter::v1::JournalService::AsyncService journal_service_;
  std::unique_ptr<journal::Journal> journal_;  // null: --journal 0
  grpc::health::v1::Health::AsyncService health_service_;
  std::unique_ptr<watch::TraceHub> hub_;
  std::unique_ptr<otlp::OtlpExporter> otlp_;
  std::unique_ptr<metrics::MetricsServer> metrics_;
  std::unique_ptr<loop::Executor> executor_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> cqs_;
  std::vector<std::unique_ptr<loop::EventLoop>> loops_;
  std::vector<std::unique_ptr<LoopServices>> services_;
  std::vector<std::thread> threads_;
  ServerShared shared_;
  std::unique_ptr<grpc::Server> server_;
  int metrics_port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_EXECUTION_SERVER_H_
